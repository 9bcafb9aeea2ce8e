//! `csv`: one CSV record (RFC 4180) per chunk, read by the `csv` crate, as an array of
//! strings; encoding writes an array as one record without a line terminator (a `separate`
//! postprocessor adds one), as Tremor does. Fields are quoted only when they must be.

use super::{
    api::{Codec, Decoded},
    error::CodecError,
};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::{StaticNode, Value};

#[derive(Clone, Default)]
pub(super) struct Csv {
    /// Reused per event: one field's text.
    field: String,
}

/// Writes one field as the `csv` crate's writer does by default (RFC 4180, quoting only
/// when needed: a comma, a quote or a line break inside, or a record of one empty field),
/// without its per-writer buffer.
fn write_field(field: &str, alone: bool, out: &mut Vec<u8>) {
    let quote = (alone && field.is_empty())
        || field
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
    if !quote {
        out.extend_from_slice(field.as_bytes());
        return;
    }
    out.push(b'"');
    for b in field.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// A field's text as Tremor writes it: strings as they are, scalars as their literal, and
/// arrays, records and bytes as JSON.
fn field_text(value: &Value<'_>, out: &mut String) {
    use std::fmt::Write;
    match value {
        Value::String(s) => out.push_str(s),
        // Rust's shortest round-trip form (`1.5`, `82`), as Tremor's `to_string` writes it.
        Value::Static(StaticNode::F64(f)) => {
            let _ = write!(out, "{f}");
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

impl Codec for Csv {
    fn decode(&mut self, data: RVec<u8>, _ingest_ns: u64) -> Decoded {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(data.as_slice());
        let mut record = csv::StringRecord::new();
        if !reader.read_record(&mut record).map_err(CodecError::Csv)? {
            return Ok(None);
        }
        let fields = record.iter().map(|f| Value::from(f.to_string())).collect();
        Ok(Some(EventPayload::from_value(Value::Array(fields))))
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        let Some(values) = value.as_array() else {
            return Err(CodecError::NotCsv {
                found: value.value_type_name(),
            });
        };
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            self.field.clear();
            field_text(v, &mut self.field);
            write_field(&self.field, values.len() == 1, out);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::codec::test_support::{codec, decode_at, encode_text};
    use tremor_value::{literal, Value};

    fn decode(text: &str) -> Option<Value<'static>> {
        decode_at("csv", text.as_bytes(), 0).expect("valid")
    }

    fn encode(value: &Value<'_>) -> String {
        encode_text("csv", value).expect("encodes")
    }

    #[test]
    fn rfc4180_records() {
        // RFC 4180 section 2: quoted fields with commas, doubled quotes and line breaks.
        assert_eq!(
            decode("aaa,\"b,bb\",\"c\"\"cc\"\r\n"),
            Some(literal!(["aaa", "b,bb", "c\"cc"]))
        );
        assert_eq!(decode("\"a\r\nb\",x"), Some(literal!(["a\r\nb", "x"])));
        assert_eq!(decode(""), None);
        // Tremor's own test: every field is a string.
        assert_eq!(decode("a,b,c,123"), Some(literal!(["a", "b", "c", "123"])));
    }

    #[test]
    fn encodes_like_tremor() {
        assert_eq!(encode(&literal!(["a", "b", "c", 123])), "a,b,c,123");
        assert_eq!(
            encode(&literal!(["b,bb", "c\"cc", "a\nb", 1.5, true, null])),
            "\"b,bb\",\"c\"\"cc\",\"a\nb\",1.5,true,null"
        );
        let err = encode_text("csv", &literal!({"a": 1})).expect_err("not an array");
        assert!(err.contains("record"), "{err}");
    }

    #[test]
    fn round_trips_strings() {
        let v = literal!(["x", "", "with \"quotes\"", "multi\nline", "comma,here"]);
        let mut c = codec("csv");
        let mut out = Vec::new();
        c.encode(&v, &mut out).expect("encodes");
        let back = c.decode(out.into(), 0).expect("valid").expect("a record");
        assert_eq!(back.value(), &v);
    }
}
