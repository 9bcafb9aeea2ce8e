//! `graphite-plaintext`: Graphite's plaintext protocol, one `metric value timestamp` line per
//! chunk, as `{"metric", "timestamp", "value"}` with the timestamp in nanoseconds (Graphite
//! counts seconds; `-1` means "now", which becomes the event's ingest time), as in Tremor.

use super::{api::TextRecordFormat, error::CodecError, statsd::number};
use tremor_value::{Cow, Object, Value};

const NS_PER_S: u64 = 1_000_000_000;

#[derive(Clone, Default)]
pub(super) struct GraphitePlaintext;

impl TextRecordFormat for GraphitePlaintext {
    const INVALID: CodecError = CodecError::InvalidGraphite;

    fn parse(line: &str, ingest_ns: u64) -> Option<Value<'_>> {
        let (metric, rest) = line.split_once(' ')?;
        let (raw_value, raw_ts) = rest.split_once(' ')?;
        let value = number(raw_value)?;
        let timestamp = if raw_ts == "-1" {
            ingest_ns
        } else {
            raw_ts.parse::<u64>().ok()?.checked_mul(NS_PER_S)?
        };
        let mut m = Object::with_capacity(3);
        m.insert(Cow::borrowed("metric"), Value::from(metric));
        m.insert(Cow::borrowed("timestamp"), Value::from(timestamp));
        m.insert(Cow::borrowed("value"), value);
        Some(Value::from(m))
    }

    fn write(value: &Value<'_>, out: &mut Vec<u8>) -> Option<()> {
        let metric = value.get("metric")?.as_str()?;
        let number = value.get("value").filter(|v| v.is_number())?;
        let seconds = value.get("timestamp")?.as_u64()? / NS_PER_S;
        out.extend_from_slice(metric.as_bytes());
        out.push(b' ');
        tremor_value::write_json(number, out);
        out.push(b' ');
        tremor_value::write_json(&Value::from(seconds), out);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use crate::codec::test_support::{assert_encode_fails_cleanly, decode_at, encode_text};
    use tremor_value::{literal, Value};

    const GRAPHITE: &str = "graphite-plaintext";

    fn decode(line: &str, ingest_ns: u64) -> Result<Value<'static>, String> {
        decode_at(GRAPHITE, line.as_bytes(), ingest_ns).map(|v| v.expect("an event"))
    }

    #[test]
    fn plaintext_protocol_lines() {
        // Graphite's docs: `<metric path> <metric value> <metric timestamp>`.
        let v = decode("beep.boop 7 1620649445", 0).expect("valid");
        assert_eq!(
            v,
            literal!({"metric": "beep.boop", "timestamp": 1_620_649_445_000_000_000_u64, "value": 7})
        );
        assert_eq!(
            encode_text(GRAPHITE, &v).as_deref(),
            Ok("beep.boop 7 1620649445")
        );
        // -1: now, which is the ingest time; written back in (truncated) seconds.
        let v = decode("beep.boop 320.0 -1", 1_234_000_000_000).expect("valid");
        assert_eq!(
            v.get("timestamp"),
            Some(&Value::from(1_234_000_000_000_u64))
        );
        assert_eq!(
            encode_text(GRAPHITE, &v).as_deref(),
            Ok("beep.boop 320.0 1234")
        );
        for bad in ["", "metric.only", "metric 320.0", "m x 1", "m 1 soon"] {
            assert!(decode(bad, 0).is_err(), "{bad}");
        }
        assert_encode_fails_cleanly(GRAPHITE, &literal!({"metric": "m", "value": 7}));
        assert_encode_fails_cleanly(
            GRAPHITE,
            &literal!({"metric": "m", "value": "7", "timestamp": 0}),
        );
    }
}
