//! `graphite-plaintext`: Graphite's plaintext protocol, one `metric value timestamp` line per
//! chunk, as `{"metric", "timestamp", "value"}` with the timestamp in nanoseconds (Graphite
//! counts seconds; `-1` means "now", which becomes the event's ingest time), as in Tremor.

use super::{api::Codec, error::CodecError, statsd::number};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::{Cow, Object, Value};

const NS_PER_S: u64 = 1_000_000_000;

pub(super) struct GraphitePlaintext;

fn decode(line: &str, ingest_ns: u64) -> Option<Value<'_>> {
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

fn encode(value: &Value<'_>, out: &mut Vec<u8>) -> Option<()> {
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

impl Codec for GraphitePlaintext {
    fn name(&self) -> &'static str {
        "graphite-plaintext"
    }

    fn decode(
        &mut self,
        data: RVec<u8>,
        ingest_ns: u64,
    ) -> Result<Option<EventPayload>, CodecError> {
        EventPayload::try_new(data, |bytes| {
            let bytes: &[u8] = bytes;
            let line = std::str::from_utf8(bytes).map_err(|_| CodecError::InvalidGraphite)?;
            decode(line, ingest_ns).ok_or(CodecError::InvalidGraphite)
        })
        .map(Some)
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        let start = out.len();
        encode(value, out).ok_or_else(|| {
            out.truncate(start);
            CodecError::InvalidGraphite
        })
    }

    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(Self)
    }
}

#[cfg(test)]
mod tests {
    use crate::codec::{lookup, Codec};
    use tremor_value::{literal, Value};

    fn codec() -> Box<dyn Codec> {
        lookup("graphite-plaintext", &Value::object()).expect("known")
    }

    fn decode(line: &str, ingest_ns: u64) -> Option<Value<'static>> {
        codec()
            .decode(line.as_bytes().to_vec().into(), ingest_ns)
            .ok()
            .map(|p| p.expect("an event").value().clone_static())
    }

    fn encode(value: &Value<'_>) -> Option<String> {
        let mut out = Vec::new();
        codec().encode(value, &mut out).ok()?;
        Some(String::from_utf8(out).expect("text"))
    }

    #[test]
    fn plaintext_protocol_lines() {
        // Graphite's docs: `<metric path> <metric value> <metric timestamp>`.
        let v = decode("beep.boop 7 1620649445", 0).expect("valid");
        assert_eq!(
            v,
            literal!({"metric": "beep.boop", "timestamp": 1_620_649_445_000_000_000_u64, "value": 7})
        );
        assert_eq!(encode(&v).as_deref(), Some("beep.boop 7 1620649445"));
        // -1: now, which is the ingest time; written back in (truncated) seconds.
        let v = decode("beep.boop 320.0 -1", 1_234_000_000_000).expect("valid");
        assert_eq!(
            v.get("timestamp"),
            Some(&Value::from(1_234_000_000_000_u64))
        );
        assert_eq!(encode(&v).as_deref(), Some("beep.boop 320.0 1234"));
        for bad in ["", "metric.only", "metric 320.0", "m x 1", "m 1 soon"] {
            assert!(decode(bad, 0).is_none(), "{bad}");
        }
        assert!(encode(&literal!({"metric": "m", "value": 7})).is_none());
        assert!(encode(&literal!({"metric": "m", "value": "7", "timestamp": 0})).is_none());
    }
}
