//! `binflux`: Tremor's binary form of an influx record (the same
//! `{"measurement", "tags", "fields", "timestamp"}` shape as the `influx` codec).
//!
//! Layout, all integers big-endian: `u16` version (0); measurement; `u64` timestamp; `u16`
//! tag count, then key and value per tag; `u16` field count, then per field its key, a type
//! byte (0 i64, 1 f64, 2 string, 3 true, 4 false) and the value. Strings are a `u16` length
//! and UTF-8 bytes. Decoding borrows the strings from the chunk.

use super::{
    api::{encode_whole, Codec, Decoded},
    error::CodecError,
    reader::Reader,
};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::{Cow, Object, StaticNode, Value};

const TYPE_I64: u8 = 0;
const TYPE_F64: u8 = 1;
const TYPE_STRING: u8 = 2;
const TYPE_TRUE: u8 = 3;
const TYPE_FALSE: u8 = 4;

#[derive(Clone, Default)]
pub(super) struct Binflux;

impl Codec for Binflux {
    fn decode(&mut self, data: RVec<u8>, _ingest_ns: u64) -> Decoded {
        EventPayload::try_new(data, |bytes| {
            let bytes: &[u8] = bytes;
            decode(bytes).map_err(CodecError::Binflux)
        })
        .map(Some)
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        encode_whole(out, |out| encode(value, out)).map_err(CodecError::Binflux)
    }
}

/// A string: its `u16` length, then its UTF-8 bytes.
fn read_str<'a>(r: &mut Reader<'a>) -> Result<Cow<'a>, &'static str> {
    let len = r.u16_len()?;
    r.text(len, "truncated string").map(Cow::borrowed)
}

fn decode(data: &[u8]) -> Result<Value<'_>, &'static str> {
    let mut r = Reader::new(data);
    if r.u16_len()? != 0 {
        return Err("unknown version");
    }
    let measurement = read_str(&mut r)?;
    let timestamp = u64::from_be_bytes(r.take()?);
    let tag_count = r.u16_len()?;
    let mut tags = Object::with_capacity(tag_count);
    for _ in 0..tag_count {
        let key = read_str(&mut r)?;
        tags.insert(key, Value::String(read_str(&mut r)?));
    }
    let field_count = r.u16_len()?;
    let mut fields = Object::with_capacity(field_count);
    for _ in 0..field_count {
        let key = read_str(&mut r)?;
        let value = match r.take::<1>()?[0] {
            TYPE_I64 => Value::from(i64::from_be_bytes(r.take()?)),
            TYPE_F64 => Value::from(f64::from_be_bytes(r.take()?)),
            TYPE_STRING => Value::String(read_str(&mut r)?),
            TYPE_TRUE => Value::from(true),
            TYPE_FALSE => Value::from(false),
            _ => return Err("unknown field type"),
        };
        fields.insert(key, value);
    }
    let mut record = Object::with_capacity(4);
    record.insert(Cow::borrowed("measurement"), Value::String(measurement));
    record.insert(Cow::borrowed("tags"), Value::from(tags));
    record.insert(Cow::borrowed("fields"), Value::from(fields));
    record.insert(Cow::borrowed("timestamp"), Value::from(timestamp));
    Ok(Value::from(record))
}

fn write_str(out: &mut Vec<u8>, s: &str) -> Result<(), &'static str> {
    let len = u16::try_from(s.len()).map_err(|_| "a string longer than 65535 bytes")?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn write_count(out: &mut Vec<u8>, n: usize, what: &'static str) -> Result<(), &'static str> {
    let n = u16::try_from(n).map_err(|_| what)?;
    out.extend_from_slice(&n.to_be_bytes());
    Ok(())
}

fn encode(value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), &'static str> {
    out.extend_from_slice(&0u16.to_be_bytes());
    let measurement = value
        .get("measurement")
        .and_then(Value::as_str)
        .ok_or("measurement missing")?;
    write_str(out, measurement)?;
    let timestamp = value
        .get("timestamp")
        .and_then(Value::as_u64)
        .ok_or("timestamp missing")?;
    out.extend_from_slice(&timestamp.to_be_bytes());
    match value.get("tags").and_then(Value::as_object) {
        Some(tags) => {
            // Tremor counts every tag but writes only string ones; we refuse the others
            // rather than write a count the data does not match.
            write_count(out, tags.len(), "too many tags")?;
            for (k, v) in tags.iter() {
                write_str(out, k)?;
                write_str(out, v.as_str().ok_or("a tag value that is not a string")?)?;
            }
        }
        None => out.extend_from_slice(&0u16.to_be_bytes()),
    }
    match value.get("fields").and_then(Value::as_object) {
        Some(fields) => {
            write_count(out, fields.len(), "too many fields")?;
            for (k, v) in fields.iter() {
                write_str(out, k)?;
                match v {
                    Value::Static(StaticNode::I64(_) | StaticNode::U64(_)) => {
                        let n = v.as_i64().ok_or("an integer field beyond i64")?;
                        out.push(TYPE_I64);
                        out.extend_from_slice(&n.to_be_bytes());
                    }
                    Value::Static(StaticNode::F64(f)) => {
                        out.push(TYPE_F64);
                        out.extend_from_slice(&f.to_be_bytes());
                    }
                    Value::Static(StaticNode::Bool(b)) => {
                        out.push(if *b { TYPE_TRUE } else { TYPE_FALSE });
                    }
                    Value::String(s) => {
                        out.push(TYPE_STRING);
                        write_str(out, s)?;
                    }
                    _ => return Err("a field value that is no number, bool or string"),
                }
            }
        }
        None => out.extend_from_slice(&0u16.to_be_bytes()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::codec::test_support::{
        assert_encode_fails_cleanly, assert_truncations_rejected, decode, encode,
    };
    use tremor_value::literal;

    #[test]
    fn layout_is_byte_exact() {
        let v = literal!({
            "measurement": "m",
            "tags": {"t": "v"},
            "fields": {"i": 42, "f": 0.5, "s": "x", "y": true, "n": false},
            "timestamp": 7,
        });
        let out = encode("binflux", &v).expect("encodes");
        let mut expected = vec![0, 0, 0, 1, b'm', 0, 0, 0, 0, 0, 0, 0, 7, 0, 1];
        expected.extend_from_slice(&[0, 1, b't', 0, 1, b'v', 0, 5]);
        expected.extend_from_slice(&[0, 1, b'i', 0, 0, 0, 0, 0, 0, 0, 0, 42]);
        expected.extend_from_slice(&[0, 1, b'f', 1, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0]);
        expected.extend_from_slice(&[0, 1, b's', 2, 0, 1, b'x']);
        expected.extend_from_slice(&[0, 1, b'y', 3, 0, 1, b'n', 4]);
        assert_eq!(out, expected);
        assert_eq!(decode("binflux", out), Ok(v));
    }

    #[test]
    fn round_trips_what_influx_decodes_and_rejects_garbage() {
        let line =
            b"weather,location=us-midwest temperature=82,ok=t,s=\"x\",n=3i 1465839830100400200";
        let v = decode("influx", line).expect("valid");
        let out = encode("binflux", &v).expect("encodes");
        assert_eq!(decode("binflux", &out), Ok(v));
        assert_truncations_rejected("binflux", &out);
        let err = assert_encode_fails_cleanly("binflux", &literal!({"measurement": "m"}));
        assert!(err.contains("timestamp missing"), "{err}");
    }
}
