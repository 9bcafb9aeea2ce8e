//! `tremor`: Tremor's own binary encoding of a value (used by its `passthrough-tremor`
//! benchmark). A `u16` version (0), then the value: a type byte and its data, big-endian:
//! 0 null, 1 true, 2 false, 3 `i64`, 4 `u64`, 5 `f64`, 6 string and 7 bytes (`u64` length,
//! then the bytes), 8 array (`u64` count, then the values), 9 record (`u64` count, then per
//! entry a `u64` key length, the key, the value).
//!
//! Decoding borrows strings and bytes from the chunk; unlike Tremor it checks that strings are
//! UTF-8 and bounds nesting, since the chunk may come from anyone.

use super::{
    api::{Codec, Decoded},
    error::CodecError,
    reader::Reader,
};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::{Cow, Object, StaticNode, Value};

const NULL: u8 = 0;
const TRUE: u8 = 1;
const FALSE: u8 = 2;
const I64: u8 = 3;
const U64: u8 = 4;
const F64: u8 = 5;
const STRING: u8 = 6;
const BYTES: u8 = 7;
const ARRAY: u8 = 8;
const OBJECT: u8 = 9;

/// Deeper nesting is refused: recursion must not overflow the stack on hostile input.
const MAX_DEPTH: usize = 128;

/// The most elements reserved up front from a count the input announces.
const MAX_PREALLOCATED: usize = 4096;

#[derive(Clone, Default)]
pub(super) struct Tremor;

/// A string or bytes: a `u64` length, then the bytes.
fn read_bytes<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], &'static str> {
    let len = r.u64_len()?;
    r.bytes(len, "truncated")
}

fn read_str<'a>(r: &mut Reader<'a>) -> Result<&'a str, &'static str> {
    let len = r.u64_len()?;
    r.text(len, "truncated")
}

fn read_value<'a>(r: &mut Reader<'a>, depth: usize) -> Result<Value<'a>, &'static str> {
    if depth > MAX_DEPTH {
        return Err("nested too deeply");
    }
    let [kind] = r.take()?;
    Ok(match kind {
        NULL => Value::null(),
        TRUE => Value::from(true),
        FALSE => Value::from(false),
        I64 => Value::from(i64::from_be_bytes(r.take()?)),
        U64 => Value::from(u64::from_be_bytes(r.take()?)),
        F64 => Value::from(f64::from_be_bytes(r.take()?)),
        STRING => Value::String(Cow::borrowed(read_str(r)?)),
        BYTES => Value::Bytes(beef::Cow::borrowed(read_bytes(r)?)),
        ARRAY => {
            let count = r.u64_len()?;
            let mut a = Vec::with_capacity(count.min(MAX_PREALLOCATED));
            for _ in 0..count {
                a.push(read_value(r, depth + 1)?);
            }
            Value::Array(a)
        }
        OBJECT => {
            let count = r.u64_len()?;
            let mut o = Object::with_capacity(count.min(MAX_PREALLOCATED));
            for _ in 0..count {
                let key = read_str(r)?;
                o.insert(Cow::borrowed(key), read_value(r, depth + 1)?);
            }
            Value::from(o)
        }
        _ => return Err("unknown type"),
    })
}

fn write_len(out: &mut Vec<u8>, kind: u8, len: usize) {
    out.push(kind);
    // usize is at most 64 bits on the targets we build for.
    out.extend_from_slice(&(len as u64).to_be_bytes());
}

fn write_value(value: &Value<'_>, out: &mut Vec<u8>) {
    match value {
        Value::Static(StaticNode::Null) => out.push(NULL),
        Value::Static(StaticNode::Bool(true)) => out.push(TRUE),
        Value::Static(StaticNode::Bool(false)) => out.push(FALSE),
        Value::Static(StaticNode::I64(n)) => {
            out.push(I64);
            out.extend_from_slice(&n.to_be_bytes());
        }
        Value::Static(StaticNode::U64(n)) => {
            out.push(U64);
            out.extend_from_slice(&n.to_be_bytes());
        }
        Value::Static(StaticNode::F64(f)) => {
            out.push(F64);
            out.extend_from_slice(&f.to_be_bytes());
        }
        Value::String(s) => {
            write_len(out, STRING, s.len());
            out.extend_from_slice(s.as_bytes());
        }
        Value::Bytes(b) => {
            write_len(out, BYTES, b.len());
            out.extend_from_slice(b);
        }
        Value::Array(a) => {
            write_len(out, ARRAY, a.len());
            for v in a {
                write_value(v, out);
            }
        }
        Value::Object(o) => {
            write_len(out, OBJECT, o.len());
            for (k, v) in o.iter() {
                out.extend_from_slice(&(k.len() as u64).to_be_bytes());
                out.extend_from_slice(k.as_bytes());
                write_value(v, out);
            }
        }
    }
}

impl Codec for Tremor {
    fn decode(&mut self, data: RVec<u8>, _ingest_ns: u64) -> Decoded {
        EventPayload::try_new(data, |bytes| {
            let mut r = Reader::new(bytes);
            if u16::from_be_bytes(r.take().map_err(CodecError::Tremor)?) != 0 {
                return Err(CodecError::Tremor("unknown version"));
            }
            read_value(&mut r, 0).map_err(CodecError::Tremor)
        })
        .map(Some)
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.extend_from_slice(&0u16.to_be_bytes());
        write_value(value, out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::codec::test_support::{assert_truncations_rejected, decode};
    use tremor_value::{literal, Value};

    fn encode(value: &Value<'_>) -> Vec<u8> {
        crate::codec::test_support::encode("tremor", value).expect("encodes")
    }

    #[test]
    fn layout_is_byte_exact() {
        // Version 0; a record of 1: key "a" (u64 length 1), an array of 3: -1 as i64,
        // true, the string "x".
        let mut expected = vec![
            0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, b'a',
        ];
        expected.extend_from_slice(&[8, 0, 0, 0, 0, 0, 0, 0, 3]);
        expected.extend_from_slice(&[3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1]);
        expected.extend_from_slice(&[6, 0, 0, 0, 0, 0, 0, 0, 1, b'x']);
        assert_eq!(encode(&literal!({"a": [-1, true, "x"]})), expected);
    }

    #[test]
    fn round_trips_every_type() {
        let mut value = literal!({
            "null": null, "t": true, "f": false, "i": -42, "u": 9_223_372_036_854_775_808_u64,
            "float": 42.5, "s": "42 🦡", "nested": [[], {}, {"deep": [1, 2.0]}],
        });
        value
            .insert("b", Value::bytes(vec![42u8, 43, 44]))
            .expect("record");
        let back = decode("tremor", encode(&value)).expect("valid");
        assert_eq!(back, value);
        assert!(back.get("float").is_some_and(Value::is_float));
    }

    #[test]
    fn rejects_garbage() {
        assert_truncations_rejected("tremor", &encode(&literal!({"a": ["x", 1]})));
        assert!(decode("tremor", [0, 1, 0]).is_err(), "version 1");
        assert!(decode("tremor", [0, 0, 42]).is_err(), "type 42");
        let deep: Vec<u8> = [0, 0]
            .into_iter()
            .chain((0..1000).flat_map(|_| [8u8, 0, 0, 0, 0, 0, 0, 0, 1]))
            .chain([0])
            .collect();
        assert!(decode("tremor", deep).is_err(), "nesting is bounded");
        let huge = [0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(decode("tremor", huge).is_err(), "forged count");
    }
}
