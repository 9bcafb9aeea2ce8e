//! What a lookup asks for, read from an event, and what its answer looks like as an event.

use serde_json::{json, Value};

/// One lookup: a name and, when given, the record type (without one: the name's addresses,
/// A and AAAA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub(crate) name: String,
    pub(crate) record_type: Option<String>,
    /// The request as the event gave it (`$dns`), for error events.
    pub(crate) dns: Value,
    /// The event's `$correlation`, given back with the answer.
    pub(crate) correlation: Option<Value>,
}

/// Reads the lookup of an event: `$dns.lookup` in its metadata, as in Tremor, either a name or
/// `{"name": NAME, "type": TYPE}`; an event without `$dns` may carry `{"lookup": …}` as its
/// payload instead.
pub(crate) fn read(meta: Option<&[u8]>, payload: &[u8]) -> Result<Request, String> {
    let meta: Value = meta
        .and_then(|m| serde_json::from_slice(m).ok())
        .unwrap_or(Value::Null);
    let correlation = meta.get("correlation").cloned();
    let dns = match meta.get("dns") {
        Some(dns) => dns.clone(),
        None => serde_json::from_slice(payload).unwrap_or(Value::Null),
    };
    let missing = || "metadata `$dns.lookup` missing or invalid".to_string();
    let lookup = dns.get("lookup").ok_or_else(missing)?;
    let (name, record_type) = match lookup {
        Value::String(name) => (name.clone(), None),
        Value::Object(fields) => {
            let name = fields
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(missing)?;
            let record_type = match fields.get("type") {
                None => None,
                Some(Value::String(t)) => Some(t.clone()),
                Some(other) => return Err(format!("invalid or unsupported record type: {other}")),
            };
            (name.to_string(), record_type)
        }
        _ => return Err(missing()),
    };
    Ok(Request {
        name,
        record_type,
        dns,
        correlation,
    })
}

impl Request {
    /// The metadata of the answer: the correlation, when the request had one.
    pub(crate) fn reply_meta(&self) -> String {
        match &self.correlation {
            Some(c) => json!({ "correlation": c }).to_string(),
            None => "{}".to_string(),
        }
    }

    /// The text of the error event for this request (the runtime's error record carries text
    /// only: Tremor's `request` travels inside it).
    pub(crate) fn error_text(&self, error: &str) -> String {
        format!("DNS lookup {} failed: {error}", self.dns)
    }
}

/// One answer record as Tremor writes it: `{TYPE: DATA, "ttl": SECONDS}`.
pub(crate) fn record(record_type: &str, data: &str, ttl: u32) -> Value {
    let mut record = serde_json::Map::new();
    record.insert(record_type.to_string(), Value::from(data));
    record.insert("ttl".to_string(), Value::from(ttl));
    Value::Object(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tremors_metadata_and_the_payload_form() {
        let by_name = read(Some(br#"{"dns": {"lookup": "localhost"}}"#), b"null").expect("ok");
        assert_eq!(by_name.name, "localhost");
        assert_eq!(by_name.record_type, None);
        assert_eq!(by_name.reply_meta(), "{}");
        let typed = read(
            Some(br#"{"dns": {"lookup": {"name": "localhost", "type": "A"}}, "correlation": 7}"#),
            b"\"ignored\"",
        )
        .expect("ok");
        assert_eq!(typed.record_type.as_deref(), Some("A"));
        assert_eq!(typed.reply_meta(), r#"{"correlation":7}"#);
        let in_payload = read(None, br#"{"lookup": {"name": "example.org"}}"#).expect("ok");
        assert_eq!(in_payload.name, "example.org");
    }

    #[test]
    fn refuses_what_is_no_lookup() {
        for (meta, payload) in [
            (None, &b"\"localhost\""[..]),
            (Some(&br#"{"dns": {}}"#[..]), &b"{}"[..]),
            (Some(br#"{"dns": {"lookup": 5}}"#), b"{}"),
            (Some(br#"{"dns": {"lookup": {"type": "A"}}}"#), b"{}"),
        ] {
            let err = read(meta, payload).expect_err("no lookup");
            assert_eq!(err, "metadata `$dns.lookup` missing or invalid");
        }
        let err = read(
            Some(br#"{"dns": {"lookup": {"name": "x", "type": 1}}}"#),
            b"{}",
        )
        .expect_err("bad type");
        assert_eq!(err, "invalid or unsupported record type: 1");
    }

    #[test]
    fn records_have_tremors_shape() {
        assert_eq!(
            record("A", "127.0.0.1", 30),
            json!({"A": "127.0.0.1", "ttl": 30})
        );
    }
}
