//! Tremor's request and response metadata records, and headers from metadata.
//!
//! * request: `{"headers": {NAME: [VALUE, …]}, "method": "GET", "protocol": "http", "uri":
//!   "/path?query", "version": "HTTP/1.1"}`
//! * response: `{"status": 200, "headers": {NAME: [VALUE, …]}, "version": "HTTP/1.1"}`
//!
//! Headers set through metadata (`$http_server.response.headers`,
//! `$http_client.request.headers`, the client's `headers` config) are a string or a list of
//! strings per name; another value is sent as its JSON text.

use hyper::{
    header::{HeaderName, HeaderValue},
    HeaderMap, Version,
};
use serde_json::{json, Map, Value};

/// Every header as `name: [values]` (a name may come several times).
pub fn headers_record(headers: &HeaderMap) -> Value {
    let mut record = Map::new();
    for name in headers.keys() {
        let values = headers
            .get_all(name)
            .iter()
            .map(|v| Value::from(String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        record.insert(name.as_str().to_string(), Value::Array(values));
    }
    Value::Object(record)
}

/// Tremor's spelling of an HTTP version (`HTTP/1.1`).
pub fn version_name(version: Version) -> String {
    format!("{version:?}")
}

/// The request record of `$http_server.request` / `$http_client.request`.
pub fn request_record<B>(request: &hyper::Request<B>, protocol: &str) -> Value {
    json!({
        "headers": headers_record(request.headers()),
        "method": request.method().as_str(),
        "protocol": protocol,
        "uri": request.uri().to_string(),
        "version": version_name(request.version()),
    })
}

/// The response record of `$http_client.response`.
pub fn response_record<B>(response: &hyper::Response<B>) -> Value {
    json!({
        "status": response.status().as_u16(),
        "headers": headers_record(response.headers()),
        "version": version_name(response.version()),
    })
}

/// The values of one header from metadata: a string, a list, or anything else as JSON text.
pub fn header_values(value: &Value) -> Vec<String> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match value {
        Value::Array(items) => items.iter().map(text).collect(),
        other => vec![text(other)],
    }
}

/// Appends the headers of a metadata record (`{NAME: VALUE or [VALUES]}`) to `headers`.
pub fn append_headers(headers: &mut HeaderMap, record: Option<&Value>) -> Result<(), String> {
    let Some(Value::Object(record)) = record else {
        return Ok(());
    };
    for (name, values) in record {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| format!("bad header name `{name}`: {e}"))?;
        for value in header_values(values) {
            let value = HeaderValue::from_str(&value)
                .map_err(|e| format!("bad value for header `{name}`: {e}"))?;
            headers.append(header.clone(), value);
        }
    }
    Ok(())
}

/// Whether the headers ask for `transfer-encoding: chunked`.
pub fn is_chunked(headers: &HeaderMap) -> bool {
    headers
        .get_all(hyper::header::TRANSFER_ENCODING)
        .iter()
        .any(|v| {
            v.to_str().is_ok_and(|v| {
                v.split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case("chunked"))
            })
        })
}

/// The `content-type` header as text, if set and readable.
pub fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// The record under `key` of an event's metadata (JSON text), e.g. `http_server`; 0.12-style
/// top-level `request`/`response`/`request_id` fields are read as well when `key` is absent.
pub fn connector_meta(meta: Option<&[u8]>, key: &str) -> (Value, Option<Value>) {
    let parsed: Value = meta
        .and_then(|m| serde_json::from_slice(m).ok())
        .unwrap_or(Value::Null);
    let correlation = parsed.get("correlation").cloned();
    let record = match parsed.get(key) {
        Some(record @ Value::Object(_)) => record.clone(),
        _ => parsed,
    };
    (record, correlation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_through_records() {
        let mut headers = HeaderMap::new();
        append_headers(
            &mut headers,
            Some(
                &json!({"x-a": ["1", "2"], "x-b": "3", "x-c": 4, "Transfer-Encoding": ["chunked"]}),
            ),
        )
        .expect("valid");
        assert_eq!(
            headers_record(&headers),
            json!({"x-a": ["1", "2"], "x-b": ["3"], "x-c": ["4"], "transfer-encoding": ["chunked"]})
        );
        assert!(is_chunked(&headers));
        let bad = append_headers(&mut headers, Some(&json!({"a b": "x"})));
        assert!(bad.expect_err("bad name").contains("`a b`"));
    }

    #[test]
    fn connector_meta_takes_the_connector_record_or_the_whole_meta() {
        let (record, correlation) = connector_meta(
            Some(br#"{"http_server": {"request_id": 3}, "correlation": "c"}"#),
            "http_server",
        );
        assert_eq!(record["request_id"], 3);
        assert_eq!(correlation, Some(json!("c")));
        let (record, _) = connector_meta(Some(br#"{"request_id": 4}"#), "http_server");
        assert_eq!(record["request_id"], 4);
        assert_eq!(connector_meta(None, "x").0, Value::Null);
    }
}
