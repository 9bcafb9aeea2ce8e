//! `statsd`: one StatsD line (`metric:value|type|@rate`) per chunk, as the record
//! `{"metric", "type", "action"?, "sample_rate"?, "value"}` Tremor produces.
//!
//! Types `c`, `ms`, `g`, `h`, `s`. A gauge value with a sign is a change: `+5|g` has
//! `"action": "add"`, `-5|g` has `"action": "sub"` and the value 5. Values with a `.` are
//! floats, others integers.

use super::{api::TextRecordFormat, error::CodecError};
use tremor_value::{Cow, Object, Value};

#[derive(Clone, Default)]
pub(super) struct Statsd;

impl TextRecordFormat for Statsd {
    const INVALID: CodecError = CodecError::InvalidStatsd;

    fn parse(line: &str, _ingest_ns: u64) -> Option<Value<'_>> {
        let mut m = Object::with_capacity(5);
        let (metric, rest) = line.split_once(':')?;
        m.insert(key("metric"), Value::from(metric));
        let (sign, rest) = match rest.strip_prefix('+') {
            Some(rest) => (Some('+'), rest),
            None if rest.starts_with('-') => (Some('-'), rest),
            None => (None, rest),
        };
        let (raw, rest) = rest.split_once('|')?;
        let mut value = number(raw)?;
        let rest = if let Some(rest) = rest.strip_prefix("ms") {
            m.insert(key("type"), Value::from("ms"));
            rest
        } else if rest.starts_with(['c', 'h', 's']) {
            let (t, rest) = rest.split_at(1);
            m.insert(key("type"), Value::from(t));
            rest
        } else if let Some(rest) = rest.strip_prefix('g') {
            m.insert(key("type"), Value::from("g"));
            match sign {
                Some('+') => {
                    m.insert(key("action"), Value::from("add"));
                }
                Some(_) => {
                    value = match (value.as_i64(), value.as_f64()) {
                        (Some(i), _) => Value::from(i.checked_neg()?),
                        (None, Some(f)) => Value::from(-f),
                        (None, None) => return None,
                    };
                    m.insert(key("action"), Value::from("sub"));
                }
                None => {}
            }
            rest
        } else {
            rest
        };
        if let Some(rate) = rest.strip_prefix("|@") {
            let rate: f64 = rate.parse().ok().filter(|f: &f64| f.is_finite())?;
            m.insert(key("sample_rate"), Value::from(rate));
        } else if !rest.is_empty() {
            return None;
        }
        m.insert(key("value"), value);
        Some(Value::from(m))
    }

    fn write(value: &Value<'_>, out: &mut Vec<u8>) -> Option<()> {
        let metric = value.get("metric")?.as_str()?;
        let kind = value.get("type")?.as_str()?;
        let number = value.get("value").filter(|v| v.is_number())?;
        out.extend_from_slice(metric.as_bytes());
        out.push(b':');
        if kind == "g" {
            match value.get("action").and_then(Value::as_str) {
                Some("add") => out.push(b'+'),
                Some("sub") => out.push(b'-'),
                _ => {}
            }
        }
        tremor_value::write_json(number, out);
        out.push(b'|');
        out.extend_from_slice(kind.as_bytes());
        if let Some(rate) = value.get("sample_rate").filter(|r| r.is_number()) {
            out.extend_from_slice(b"|@");
            tremor_value::write_json(rate, out);
        }
        Some(())
    }
}

fn key(k: &'static str) -> Cow<'static> {
    Cow::borrowed(k)
}

/// A StatsD number: a float when it has a `.`, else a signed or unsigned integer.
pub(super) fn number(text: &str) -> Option<Value<'static>> {
    if text.contains('.') {
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::from)
    } else if text.starts_with('-') {
        text.parse::<i64>().ok().map(Value::from)
    } else {
        text.parse::<u64>().ok().map(Value::from)
    }
}

#[cfg(test)]
mod tests {
    use crate::codec::test_support::{
        assert_encode_fails_cleanly, assert_rejects, assert_round_trip,
    };
    use tremor_value::literal;

    #[test]
    fn spec_examples_round_trip_byte_exact() {
        // The examples of etsy/statsd's docs/metric_types.md, plus a sampled counter.
        for (line, expected) in [
            (
                "gorets:1|c",
                literal!({"metric": "gorets", "type": "c", "value": 1}),
            ),
            (
                "glork:320|ms",
                literal!({"metric": "glork", "type": "ms", "value": 320}),
            ),
            (
                "gaugor:333|g",
                literal!({"metric": "gaugor", "type": "g", "value": 333}),
            ),
            (
                "uniques:765|s",
                literal!({"metric": "uniques", "type": "s", "value": 765}),
            ),
            (
                "horst:42.23|h",
                literal!({"metric": "horst", "type": "h", "value": 42.23}),
            ),
            (
                "gorets:1|c|@0.1",
                literal!({"metric": "gorets", "type": "c", "sample_rate": 0.1, "value": 1}),
            ),
            (
                "gaugor:+10|g",
                literal!({"metric": "gaugor", "type": "g", "action": "add", "value": 10}),
            ),
            (
                "gaugor:-4|g",
                literal!({"metric": "gaugor", "type": "g", "action": "sub", "value": 4}),
            ),
            (
                "foo:1620649445.3351967|h",
                literal!({"metric": "foo", "type": "h", "value": 1_620_649_445.335_196_7}),
            ),
        ] {
            assert_round_trip("statsd", line, &expected);
        }
    }

    #[test]
    fn rejects_what_is_not_statsd() {
        assert_rejects(
            "statsd",
            &[
                "gorets",
                "gorets:1",
                "gorets:x|c",
                "gorets:1|c|x",
                "gorets:1|c|@y",
            ],
        );
        assert_encode_fails_cleanly(
            "statsd",
            &literal!({"metric": "m", "type": "c", "value": "1"}),
        );
        assert_encode_fails_cleanly("statsd", &literal!({"metric": "m", "value": 1}));
    }
}
