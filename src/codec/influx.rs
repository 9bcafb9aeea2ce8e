//! `influx`: one InfluxDB line-protocol line per chunk, as the record
//! `{"measurement": .., "tags": {..}, "fields": {..}, "timestamp": ns}` (Tremor's shape).
//!
//! Decoding borrows every name and value that holds no escape from the chunk. Floats are the
//! default field type, `i` marks integers, `u` unsigned integers; a line without a timestamp
//! gets the event's ingest time. Empty lines and `#` comments are no event. Encoding writes
//! tags and fields sorted by key, as Tremor does, so output is stable.

use super::{
    api::{encode_whole, Codec, Decoded},
    error::{CodecError, InfluxError},
};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::{Cow, Object, Value};

#[derive(Clone, Default)]
pub(super) struct Influx;

impl Codec for Influx {
    fn decode(&mut self, data: RVec<u8>, ingest_ns: u64) -> Decoded {
        let mut empty = false;
        let payload = EventPayload::try_new(data, |bytes| {
            let bytes: &[u8] = bytes;
            let line = std::str::from_utf8(bytes).map_err(|_| InfluxError::Utf8)?;
            match parse_line(line, ingest_ns)? {
                Some(v) => Ok(v),
                None => {
                    empty = true;
                    Ok(Value::null())
                }
            }
        })
        .map_err(CodecError::Influx)?;
        Ok((!empty).then_some(payload))
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        encode(value, out).map_err(CodecError::Influx)
    }
}

/// Parses one line; `None` for a blank line or a comment.
pub(super) fn parse_line(line: &str, ingest_ns: u64) -> Result<Option<Value<'_>>, InfluxError> {
    let line = line.trim_matches(|c: char| c.is_ascii_whitespace());
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let (measurement, mut rest) = unescape_until(line, b", ");
    let mut tags = Object::with_capacity(4);
    while let Some(after_comma) = rest.strip_prefix(',') {
        let (key, after_key) = unescape_until(after_comma, b"=, ");
        let after_eq = after_key.strip_prefix('=').ok_or(InfluxError::BadTag)?;
        let (value, after_value) = unescape_until(after_eq, b", ");
        tags.insert(key, Value::String(value));
        rest = after_value;
    }
    let mut rest = rest
        .strip_prefix(' ')
        .filter(|r| !r.is_empty())
        .ok_or(InfluxError::MissingFields)?;
    let mut fields = Object::with_capacity(4);
    loop {
        let (key, after_key) = unescape_until(rest, b"=, ");
        let after_eq = after_key.strip_prefix('=').ok_or(InfluxError::BadField)?;
        let (value, after_value) = field_value(after_eq)?;
        fields.insert(key, value);
        match after_value.strip_prefix(',') {
            Some(next) => rest = next,
            None => {
                rest = after_value;
                break;
            }
        }
    }
    let timestamp = match rest.strip_prefix(' ') {
        Some(ts) => Value::from(
            ts.trim_start_matches(' ')
                .parse::<i64>()
                .map_err(|_| InfluxError::BadTimestamp)?,
        ),
        None if rest.is_empty() => {
            i64::try_from(ingest_ns).map_or_else(|_| Value::from(ingest_ns), Value::from)
        }
        None => return Err(InfluxError::BadField),
    };
    let mut record = Object::with_capacity(4);
    record.insert(Cow::borrowed("measurement"), Value::String(measurement));
    record.insert(Cow::borrowed("tags"), Value::from(tags));
    record.insert(Cow::borrowed("fields"), Value::from(fields));
    record.insert(Cow::borrowed("timestamp"), timestamp);
    Ok(Some(Value::from(record)))
}

/// Reads up to the first unescaped byte of `stops` (or the end). A backslash escapes the next
/// character when it is one of `, = space \ "`; elsewhere it is kept, as the line protocol
/// says. Borrows from `input` unless something was unescaped.
fn unescape_until<'a>(input: &'a str, stops: &[u8]) -> (Cow<'a>, &'a str) {
    let bytes = input.as_bytes();
    let mut owned: Option<String> = None;
    let mut copied_to = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' && matches!(bytes.get(i + 1), Some(b',' | b'=' | b' ' | b'\\' | b'"')) {
            let s = owned.get_or_insert_with(String::new);
            s.push_str(&input[copied_to..i]);
            copied_to = i + 1;
            i += 2;
            continue;
        }
        if stops.contains(&b) {
            break;
        }
        i += 1;
    }
    (unescaped(input, owned, copied_to, i), &input[i..])
}

/// `input[..end]` without its escapes: borrowed when nothing was unescaped, else `owned` (the
/// text up to `copied_to`) and the rest.
fn unescaped<'a>(input: &'a str, owned: Option<String>, copied_to: usize, end: usize) -> Cow<'a> {
    match owned {
        Some(mut s) => {
            s.push_str(&input[copied_to..end]);
            Cow::owned(s)
        }
        None => Cow::borrowed(&input[..end]),
    }
}

/// Reads a field value: a quoted string (`\"` and `\\` unescaped), a bool, or a number.
fn field_value(input: &str) -> Result<(Value<'_>, &str), InfluxError> {
    if let Some(body) = input.strip_prefix('"') {
        let bytes = body.as_bytes();
        let mut owned: Option<String> = None;
        let mut copied_to = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if matches!(bytes.get(i + 1), Some(b'"' | b'\\')) => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&body[copied_to..i]);
                    copied_to = i + 1;
                    i += 2;
                }
                b'"' => {
                    let text = unescaped(body, owned, copied_to, i);
                    return Ok((Value::String(text), &body[i + 1..]));
                }
                _ => i += 1,
            }
        }
        return Err(InfluxError::UnclosedString);
    }
    let end = input.find([',', ' ']).unwrap_or(input.len());
    let (raw, rest) = input.split_at(end);
    let value = match raw {
        "t" | "T" | "true" | "True" | "TRUE" => Value::from(true),
        "f" | "F" | "false" | "False" | "FALSE" => Value::from(false),
        _ => {
            if let Some(int) = raw.strip_suffix('i') {
                Value::from(int.parse::<i64>().map_err(|_| InfluxError::BadField)?)
            } else if let Some(uint) = raw.strip_suffix('u') {
                Value::from(uint.parse::<u64>().map_err(|_| InfluxError::BadField)?)
            } else {
                let f: f64 = raw.parse().map_err(|_| InfluxError::BadField)?;
                if !f.is_finite() || raw.starts_with(['i', 'I', 'n', 'N', '+']) {
                    return Err(InfluxError::BadField);
                }
                Value::from(f)
            }
        }
    };
    Ok((value, rest))
}

/// Writes `s` escaping what would end a name or tag value.
fn write_escaped(out: &mut Vec<u8>, s: &str) {
    for b in s.bytes() {
        if matches!(b, b',' | b'=' | b' ' | b'\\' | b'"') {
            out.push(b'\\');
        }
        out.push(b);
    }
}

pub(super) fn encode(value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), InfluxError> {
    let measurement = value
        .get("measurement")
        .and_then(Value::as_str)
        .ok_or(InfluxError::NoMeasurement)?;
    let fields = value
        .get("fields")
        .and_then(Value::as_object)
        .filter(|f| !f.is_empty())
        .ok_or(InfluxError::NoFields)?;
    encode_whole(out, |out| write_line(value, measurement, fields, out))
}

fn write_line(
    value: &Value<'_>,
    measurement: &str,
    fields: &Object<'_>,
    out: &mut Vec<u8>,
) -> Result<(), InfluxError> {
    write_escaped(out, measurement);
    if let Some(tags) = value.get("tags").and_then(Value::as_object) {
        let mut tags: Vec<_> = tags.iter().collect();
        tags.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (key, tag) in tags {
            out.push(b',');
            write_escaped(out, key);
            out.push(b'=');
            write_escaped(out, tag.as_str().ok_or(InfluxError::TagNotString)?);
        }
    }
    let mut fields: Vec<_> = fields.iter().collect();
    fields.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (i, (key, field)) in fields.into_iter().enumerate() {
        out.push(if i == 0 { b' ' } else { b',' });
        write_escaped(out, key);
        out.push(b'=');
        match field {
            Value::String(s) => {
                out.push(b'"');
                for b in s.bytes() {
                    if matches!(b, b'"' | b'\\') {
                        out.push(b'\\');
                    }
                    out.push(b);
                }
                out.push(b'"');
            }
            Value::Static(tremor_value::StaticNode::F64(_)) => {
                tremor_value::write_json(field, out);
            }
            Value::Static(tremor_value::StaticNode::Bool(_)) => {
                tremor_value::write_json(field, out);
            }
            Value::Static(tremor_value::StaticNode::I64(_) | tremor_value::StaticNode::U64(_)) => {
                tremor_value::write_json(field, out);
                out.push(b'i');
            }
            _ => return Err(InfluxError::FieldType),
        }
    }
    if let Some(ts) = value.get("timestamp").filter(|t| t.is_integer()) {
        out.push(b' ');
        tremor_value::write_json(ts, out);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::codec::test_support::{decode_at, encode_text};
    use tremor_value::{literal, Value};

    fn decode(line: &str) -> Result<Option<Value<'static>>, String> {
        decode_at("influx", line.as_bytes(), 7)
    }

    fn encode(value: &Value<'_>) -> Result<String, String> {
        encode_text("influx", value)
    }

    #[test]
    fn spec_example_decodes_to_tremors_record() {
        // The line protocol reference's example line.
        let v = decode(
            "myMeasurement,tag1=value1,tag2=value2 fieldKey=\"fieldValue\" 1556813561098000000",
        )
        .expect("valid")
        .expect("an event");
        assert_eq!(
            v,
            literal!({
                "measurement": "myMeasurement",
                "tags": {"tag1": "value1", "tag2": "value2"},
                "fields": {"fieldKey": "fieldValue"},
                "timestamp": 1_556_813_561_098_000_000_i64,
            })
        );
        assert_eq!(
            tremor_value::to_json(&v),
            r#"{"measurement":"myMeasurement","tags":{"tag1":"value1","tag2":"value2"},"fields":{"fieldKey":"fieldValue"},"timestamp":1556813561098000000}"#
        );
    }

    #[test]
    fn types_escapes_and_defaults() {
        let v = decode(r#"wea\,ther,loc\ ation=us\,mid\=west temp=82,n=-3i,u=3u,ok=t,no=FALSE,s="say \"hi\" c:\dir\\""#)
            .expect("valid")
            .expect("an event");
        assert_eq!(
            v,
            literal!({
                "measurement": "wea,ther",
                "tags": {"loc ation": "us,mid=west"},
                "fields": {"temp": 82.0, "n": -3, "u": 3, "ok": true, "no": false, "s": "say \"hi\" c:\\dir\\"},
                "timestamp": 7,
            })
        );
        assert!(v
            .get("fields")
            .and_then(|f| f.get("temp"))
            .is_some_and(Value::is_float));
        assert_eq!(decode("").expect("blank"), None);
        assert_eq!(decode("# a comment").expect("comment"), None);
        for bad in [
            "cpu",
            "cpu,host",
            "cpu load",
            "cpu load=x",
            "cpu s=\"open",
            "cpu a=1 soon",
        ] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn encodes_byte_exact_like_tremor() {
        // Tremor's own test case (tremor-codec influx `encode_mixed_bag`).
        let v = literal!({
            "measurement": r"wea,\ ther",
            "tags": {},
            "fields": {"temp=erature": 82.0, r#"too\ \\\"hot""#: true},
            "timestamp": 1_465_839_830_100_400_200_i64
        });
        assert_eq!(
            encode(&v).expect("valid"),
            r#"wea\,\\\ ther temp\=erature=82.0,too\\\ \\\\\\\"hot\"=true 1465839830100400200"#
        );
        assert!(encode(&literal!({"measurement": "m", "fields": {}})).is_err());
        assert!(encode(&literal!({"measurement": "m", "fields": {"a": [1]}})).is_err());
    }

    #[test]
    fn round_trips_a_live_line() {
        // Tremor's `live_usecase`: tags and fields already sorted, integers, a timestamp.
        let line = "kafka_BrokerTopicMetrics,agent=jmxtrans,dc=iad1,host_name=kafka-iad1-g4-1,junk=kafka_topic,kafka_type=server,metric_type=counter,topic_name=customerEmailServiceMessage BytesInPerSec=0i,BytesOutPerSec=0i,FailedFetchRequestsPerSec=0i,FetchMessageConversionsPerSec=0i,TotalFetchRequestsPerSec=1993153i 1562179275506000000";
        let v = decode(line).expect("valid").expect("an event");
        assert_eq!(encode(&v).expect("valid"), line);
        let tricky = r#"m\ x,t\=k=v\,w f\"=1.5,s="a\\b\"c" 1"#;
        let v = decode(tricky).expect("valid").expect("an event");
        assert_eq!(decode(&encode(&v).expect("valid")).expect("valid"), Some(v));
    }
}
