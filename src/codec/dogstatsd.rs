//! `dogstatsd`: DataDog's StatsD dialect, one datagram per chunk, as Tremor shapes it:
//! `{"metric": {...}}` (`metric:v1:v2|type|@rate|#tags|c:container`),
//! `{"event": {...}}` (`_e{title_len,text_len}:title|text|d:..|h:..|k:..|p:..|s:..|t:..|#..|c:..`)
//! or `{"service_check": {...}}` (`_sc|name|status|d:..|h:..|#..|m:..|c:..`).
//!
//! Metric values are floats (written back without a fraction when they have none).

use super::{api::TextRecordFormat, error::CodecError};
use tremor_value::{Cow, Object, Value};

#[derive(Clone, Default)]
pub(super) struct Dogstatsd;

impl TextRecordFormat for Dogstatsd {
    const INVALID: CodecError = CodecError::InvalidDogstatsd;

    fn parse(text: &str, _ingest_ns: u64) -> Option<Value<'_>> {
        if let Some(rest) = text.strip_prefix("_e{") {
            decode_event(rest)
        } else if let Some(rest) = text.strip_prefix("_sc|") {
            decode_service_check(rest)
        } else {
            decode_metric(text)
        }
    }

    fn write(value: &Value<'_>, out: &mut Vec<u8>) -> Option<()> {
        if let Some(metric) = value.get("metric") {
            encode_metric(metric, out)
        } else if let Some(event) = value.get("event") {
            encode_event(event, out)
        } else if let Some(check) = value.get("service_check") {
            encode_service_check(check, out)
        } else {
            None
        }
    }
}

fn key(k: &'static str) -> Cow<'static> {
    Cow::borrowed(k)
}

fn wrap<'v>(kind: &'static str, inner: Object<'v>) -> Value<'v> {
    let mut outer = Object::with_capacity(1);
    outer.insert(key(kind), Value::from(inner));
    Value::from(outer)
}

fn tags(list: &str) -> Value<'_> {
    Value::Array(list.split(',').map(Value::from).collect())
}

fn decode_metric(text: &str) -> Option<Value<'_>> {
    let mut m = Object::with_capacity(6);
    let (metric, rest) = text.split_once(':')?;
    m.insert(key("metric"), Value::from(metric));
    let (raw_values, rest) = rest.split_once('|')?;
    let values = raw_values
        .split(':')
        .map(|v| {
            v.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::from)
        })
        .collect::<Option<Vec<_>>>()?;
    m.insert(key("values"), Value::Array(values));
    let rest = if let Some(rest) = rest.strip_prefix("ms") {
        m.insert(key("type"), Value::from("ms"));
        rest
    } else if rest.starts_with(['c', 'd', 'g', 'h', 's']) {
        let (t, rest) = rest.split_at(1);
        m.insert(key("type"), Value::from(t));
        rest
    } else {
        rest
    };
    for section in rest.split('|') {
        if let Some(rate) = section.strip_prefix('@') {
            let rate: f64 = rate.parse().ok().filter(|f: &f64| f.is_finite())?;
            m.insert(key("sample_rate"), Value::from(rate));
        } else if let Some(list) = section.strip_prefix('#') {
            m.insert(key("tags"), tags(list));
        } else if let Some(id) = section.strip_prefix("c:") {
            m.insert(key("container_id"), Value::from(id));
        }
    }
    Some(wrap("metric", m))
}

fn decode_event(text: &str) -> Option<Value<'_>> {
    let mut m = Object::with_capacity(10);
    let (title_len, rest) = text.split_once(',')?;
    let (text_len, rest) = rest.split_once("}:")?;
    let title_len: usize = title_len.parse().ok()?;
    let text_len: usize = text_len.parse().ok()?;
    let title = rest.get(..title_len)?;
    let rest = rest.get(title_len..)?.strip_prefix('|')?;
    let body = rest.get(..text_len)?;
    let rest = rest.get(text_len..)?;
    m.insert(key("title"), Value::from(title));
    m.insert(key("text"), Value::from(body));
    decode_sections(rest, EVENT_SECTIONS, &mut m)?;
    Some(wrap("event", m))
}

fn decode_service_check(text: &str) -> Option<Value<'_>> {
    let mut m = Object::with_capacity(7);
    let (name, rest) = text.split_once('|')?;
    m.insert(key("name"), Value::from(name));
    let (status, rest) = rest.split_once('|').unwrap_or((rest, ""));
    let status: u8 = status.parse().ok().filter(|s| *s <= 3)?;
    m.insert(key("status"), Value::from(status));
    decode_sections(rest, SERVICE_CHECK_SECTIONS, &mut m)?;
    Some(wrap("service_check", m))
}

/// The text sections of an event, by prefix, with the key each fills.
const EVENT_SECTIONS: &[(&str, &str)] = &[
    ("h:", "hostname"),
    ("p:", "priority"),
    ("s:", "source"),
    ("t:", "type"),
    ("k:", "aggregation_key"),
    ("c:", "container_id"),
];

/// The text sections of a service check, by prefix, with the key each fills.
const SERVICE_CHECK_SECTIONS: &[(&str, &str)] = &[
    ("h:", "hostname"),
    ("c:", "container_id"),
    ("m:", "message"),
];

/// Reads the `|`-separated sections of an event or a service check into `m`: `d:` the
/// timestamp, `#` the tags, and the `text` sections; anything else is ignored.
fn decode_sections<'v>(
    sections: &'v str,
    text: &[(&str, &'static str)],
    m: &mut Object<'v>,
) -> Option<()> {
    for section in sections.split('|') {
        if let Some(s) = section.strip_prefix("d:") {
            m.insert(key("timestamp"), Value::from(s.parse::<u32>().ok()?));
        } else if let Some(s) = section.strip_prefix('#') {
            m.insert(key("tags"), tags(s));
        } else if let Some((name, s)) = text
            .iter()
            .find_map(|(prefix, name)| Some((*name, section.strip_prefix(prefix)?)))
        {
            m.insert(key(name), Value::from(s));
        }
    }
    Some(())
}

fn str_field<'a>(value: &'a Value<'_>, name: &str) -> Option<&'a str> {
    value.get(name).and_then(Value::as_str)
}

fn write_section(out: &mut Vec<u8>, prefix: &[u8], text: Option<&str>) {
    if let Some(text) = text {
        out.extend_from_slice(prefix);
        out.extend_from_slice(text.as_bytes());
    }
}

fn write_decimal(out: &mut Vec<u8>, n: impl std::fmt::Display) {
    use std::io::Write;
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{n}");
}

/// The `|d:` section, when the record has a timestamp that fits (seconds, `u32`).
fn write_timestamp(value: &Value<'_>, out: &mut Vec<u8>) {
    if let Some(ts) = value.get("timestamp").and_then(Value::as_u64) {
        if let Ok(ts) = u32::try_from(ts) {
            out.extend_from_slice(b"|d:");
            write_decimal(out, ts);
        }
    }
}

fn write_tags(value: &Value<'_>, out: &mut Vec<u8>) {
    if let Some(list) = value.get("tags").and_then(Value::as_array) {
        out.extend_from_slice(b"|#");
        for (i, tag) in list.iter().filter_map(Value::as_str).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(tag.as_bytes());
        }
    }
}

/// A metric value: without a fraction as an integer (`111`), else the shortest float text.
fn write_metric_value(out: &mut Vec<u8>, x: f64) {
    #[allow(clippy::cast_possible_truncation)]
    if x.fract() == 0.0 && x.abs() < 9.0e18 {
        write_decimal(out, x as i64);
    } else {
        tremor_value::write_json(&Value::from(x), out);
    }
}

fn encode_metric(value: &Value<'_>, out: &mut Vec<u8>) -> Option<()> {
    let metric = str_field(value, "metric")?;
    let kind = str_field(value, "type")?;
    let values = value.get("values")?.as_array()?;
    out.extend_from_slice(metric.as_bytes());
    out.push(b':');
    for (i, x) in values.iter().filter_map(Value::as_f64).enumerate() {
        if i > 0 {
            out.push(b':');
        }
        write_metric_value(out, x);
    }
    out.push(b'|');
    out.extend_from_slice(kind.as_bytes());
    if let Some(rate) = value.get("sample_rate") {
        if !rate.is_number() {
            return None;
        }
        out.extend_from_slice(b"|@");
        tremor_value::write_json(rate, out);
    }
    write_tags(value, out);
    write_section(out, b"|c:", str_field(value, "container_id"));
    Some(())
}

fn encode_event(value: &Value<'_>, out: &mut Vec<u8>) -> Option<()> {
    let title = str_field(value, "title")?;
    let text = str_field(value, "text")?;
    out.extend_from_slice(b"_e{");
    write_decimal(out, title.len());
    out.push(b',');
    write_decimal(out, text.len());
    out.extend_from_slice(b"}:");
    out.extend_from_slice(title.as_bytes());
    out.push(b'|');
    out.extend_from_slice(text.as_bytes());
    write_timestamp(value, out);
    write_section(out, b"|h:", str_field(value, "hostname"));
    write_section(out, b"|k:", str_field(value, "aggregation_key"));
    write_section(out, b"|p:", str_field(value, "priority"));
    write_section(out, b"|s:", str_field(value, "source"));
    write_section(out, b"|t:", str_field(value, "type"));
    write_tags(value, out);
    write_section(out, b"|c:", str_field(value, "container_id"));
    Some(())
}

fn encode_service_check(value: &Value<'_>, out: &mut Vec<u8>) -> Option<()> {
    let name = str_field(value, "name")?;
    let status = value
        .get("status")?
        .as_i64()
        .and_then(|s| i32::try_from(s).ok())?;
    out.extend_from_slice(b"_sc|");
    out.extend_from_slice(name.as_bytes());
    out.push(b'|');
    write_decimal(out, status);
    write_timestamp(value, out);
    write_section(out, b"|h:", str_field(value, "hostname"));
    write_tags(value, out);
    write_section(out, b"|m:", str_field(value, "message"));
    write_section(out, b"|c:", str_field(value, "container_id"));
    Some(())
}

#[cfg(test)]
mod tests {
    use crate::codec::test_support::{
        assert_encode_fails_cleanly, assert_rejects, assert_round_trip,
    };
    use tremor_value::literal;

    fn round_trip(line: &str, expected: &tremor_value::Value<'_>) {
        assert_round_trip("dogstatsd", line, expected);
    }

    #[test]
    fn datagram_format_examples() {
        // The shapes of DataDog's "DogStatsD datagram format" documentation.
        round_trip(
            "page.views:1|c|@0.5|#env:dev,shell|c:83c0a99c0a54",
            &literal!({"metric": {
                "metric": "page.views", "values": [1.0], "type": "c", "sample_rate": 0.5,
                "tags": ["env:dev", "shell"], "container_id": "83c0a99c0a54",
            }}),
        );
        round_trip(
            "dog:111:222:333:4.44|d",
            &literal!({"metric": {"metric": "dog", "values": [111.0, 222.0, 333.0, 4.44], "type": "d"}}),
        );
        round_trip(
            "_e{21,36}:An exception occurred|Cannot parse CSV file from 10.0.0.17|t:warning|#err_type:bad_file",
            &literal!({"event": {
                "title": "An exception occurred", "text": "Cannot parse CSV file from 10.0.0.17",
                "type": "warning", "tags": ["err_type:bad_file"],
            }}),
        );
        round_trip(
            "_e{4,6}:Test|A Test|d:1663016695|h:test.example.com|k:a1b2c3|p:normal|s:test|t:warning|#err_type:bad_file|c:123abc",
            &literal!({"event": {
                "title": "Test", "text": "A Test", "timestamp": 1_663_016_695_u32,
                "hostname": "test.example.com", "aggregation_key": "a1b2c3", "priority": "normal",
                "source": "test", "type": "warning", "tags": ["err_type:bad_file"],
                "container_id": "123abc",
            }}),
        );
        round_trip(
            "_sc|Redis connection|2|d:1663016695|h:test.example.com|#env:dev|m:Redis connection timed out after 10s|c:123abc",
            &literal!({"service_check": {
                "name": "Redis connection", "status": 2, "timestamp": 1_663_016_695_u32,
                "hostname": "test.example.com", "tags": ["env:dev"],
                "message": "Redis connection timed out after 10s", "container_id": "123abc",
            }}),
        );
    }

    #[test]
    fn rejects_malformed_datagrams() {
        assert_rejects(
            "dogstatsd",
            &[
                "dog:111",
                "_e{4,6}:Test",
                "_e{40,6}:Test|A Test",
                "_sc|Redis connection",
                "_sc|x|9",
                "dog:x|c",
            ],
        );
        assert_encode_fails_cleanly("dogstatsd", &literal!({"other": 1}));
    }
}
