//! Helpers for the codecs' tests: a codec by name, decode and encode with the error as its
//! message, and the assertions several codecs share.

use super::{lookup, Codec};
use tremor_value::Value;

/// The codec `name` with an empty config.
pub(super) fn codec(name: &str) -> Box<dyn Codec> {
    lookup(name, &Value::object()).expect("known codec")
}

/// Decodes one chunk read at `ingest_ns`: its value (`None`: no event) or the error message.
pub(super) fn decode_at(
    name: &str,
    input: &[u8],
    ingest_ns: u64,
) -> Result<Option<Value<'static>>, String> {
    codec(name)
        .decode(input.to_vec().into(), ingest_ns)
        .map(|payload| payload.map(|p| p.value().clone_static()))
        .map_err(|e| e.to_string())
}

/// Decodes one chunk that must hold an event (read at 0).
pub(super) fn decode(name: &str, input: impl AsRef<[u8]>) -> Result<Value<'static>, String> {
    decode_at(name, input.as_ref(), 0).map(|v| v.expect("an event"))
}

/// Encodes `value`: the bytes, or the error message.
pub(super) fn encode(name: &str, value: &Value<'_>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    codec(name)
        .encode(value, &mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// [`encode`] for text formats.
pub(super) fn encode_text(name: &str, value: &Value<'_>) -> Result<String, String> {
    encode(name, value).map(|out| String::from_utf8(out).expect("text"))
}

/// `text` decodes to `expected` (with its key order, which the json codec keeps) and
/// encodes back to `text` byte for byte.
pub(super) fn assert_round_trip(name: &str, text: &str, expected: &Value<'_>) {
    let v = decode(name, text).unwrap_or_else(|e| panic!("{text} decodes: {e}"));
    assert_eq!(&v, expected, "{text}");
    assert_eq!(
        tremor_value::to_json(&v),
        tremor_value::to_json(expected),
        "{text}"
    );
    assert_eq!(encode_text(name, &v).as_deref(), Ok(text), "{text}");
}

/// Each of `inputs` fails to decode.
pub(super) fn assert_rejects(name: &str, inputs: &[&str]) {
    for bad in inputs {
        assert!(decode(name, bad).is_err(), "{bad}");
    }
}

/// Every proper prefix of a valid `encoded` chunk fails to decode.
pub(super) fn assert_truncations_rejected(name: &str, encoded: &[u8]) {
    for cut in 0..encoded.len() {
        assert!(decode(name, &encoded[..cut]).is_err(), "cut {cut}");
    }
}

/// Encoding `value` fails and takes back what it appended to the sink's buffer; returns the
/// error message.
pub(super) fn assert_encode_fails_cleanly(name: &str, value: &Value<'_>) -> String {
    let mut out = b"earlier events".to_vec();
    let err = codec(name)
        .encode(value, &mut out)
        .expect_err("invalid for this codec");
    assert_eq!(out, b"earlier events", "{value}");
    err.to_string()
}
