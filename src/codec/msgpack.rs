//! `msgpack`: one MessagePack value per chunk; msgpack `bin` and bytes values map onto each
//! other.

use super::{
    api::{Codec, Decoded},
    error::CodecError,
    serde_value::{OwnedValue, SerValue},
};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use serde::Deserialize;
use std::io::Cursor;
use tremor_value::Value;

/// Nesting deeper than this is rejected. rmp-serde's default (1024) lets a few kilobytes of
/// input recurse deep enough to overflow a small thread stack in an unoptimized build.
const MAX_DEPTH: usize = 128;

#[derive(Clone, Default)]
pub(super) struct Msgpack;

impl Codec for Msgpack {
    fn decode(&mut self, data: RVec<u8>, _ingest_ns: u64) -> Decoded {
        let mut de = rmp_serde::Deserializer::new(Cursor::new(data.as_slice()));
        de.set_max_depth(MAX_DEPTH);
        let OwnedValue(value) =
            OwnedValue::deserialize(&mut de).map_err(CodecError::InvalidMsgpack)?;
        // A chunk is one value; anything after it would otherwise be dropped without a word.
        let used = usize::try_from(de.position()).unwrap_or(usize::MAX);
        if used < data.len() {
            return Err(CodecError::TrailingMsgpack {
                extra: data.len() - used,
                used,
            });
        }
        Ok(Some(EventPayload::from_value(value)))
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        let value = SerValue {
            value,
            bytes_as_binary: true,
        };
        rmp_serde::encode::write(out, &value).map_err(CodecError::WriteMsgpack)
    }
}

#[cfg(test)]
mod tests {
    use crate::codec::test_support;
    use tremor_value::{literal, Value};

    fn decode(input: &[u8]) -> Result<Value<'static>, String> {
        test_support::decode("msgpack", input)
    }

    fn encode(value: &Value<'_>) -> Vec<u8> {
        test_support::encode("msgpack", value).expect("encodes")
    }

    #[test]
    fn round_trips_nested_values() {
        let value = literal!({
            "name": "crononome",
            "n": -3,
            "small": 7,
            "big": 18_446_744_073_709_551_615_u64,
            "min": -9_223_372_036_854_775_808_i64,
            "f": 2.5,
            "whole_float": 1.0,
            "flags": [true, false, null],
            "nested": {"list": [[], {}, {"deep": ["x", "", "ü"]}]},
        });
        let back = decode(&encode(&value)).expect("decodes what it wrote");
        assert_eq!(back, value);
        assert!(back.get("whole_float").is_some_and(Value::is_float));
        assert!(back.get("small").is_some_and(Value::is_integer));
    }

    #[test]
    fn bytes_are_bin() {
        let mut value = Value::object();
        value
            .insert("b", Value::bytes(vec![0u8, 1, 255]))
            .expect("record");
        let encoded = encode(&value);
        // fixmap of 1, fixstr "b", bin8 of 3 bytes
        assert_eq!(encoded, [0x81, 0xa1, b'b', 0xc4, 3, 0, 1, 255]);
        let back = decode(&encoded).expect("decodes");
        assert_eq!(
            back.get("b").and_then(Value::as_bytes),
            Some(&[0u8, 1, 255][..])
        );
    }

    #[test]
    fn reads_what_other_encoders_write() {
        // {1: "one", "k": [1.5 as f32]}: an integer key, and a float32.
        let input = [
            0x82, 0x01, 0xa3, b'o', b'n', b'e', 0xa1, b'k', 0x91, 0xca, 0x3f, 0xc0, 0, 0,
        ];
        let v = decode(&input).expect("valid msgpack");
        assert_eq!(tremor_value::to_json_sorted(&v), r#"{"1":"one","k":[1.5]}"#);
        // Old msgpack had one raw type for text and binary: a str that is not UTF-8 is bytes.
        let v = decode(&[0xa2, 0xff, 0xfe]).expect("raw bytes");
        assert_eq!(v.as_bytes(), Some(&[0xff, 0xfe][..]));
    }

    #[test]
    fn malformed_input_is_a_clear_error() {
        // A str8 announcing 16 bytes and holding 2.
        let err = decode(&[0xd9, 16, b'a', b'b']).expect_err("truncated");
        assert!(err.starts_with("invalid msgpack: "), "{err}");
        let err = decode(&[0xc1]).expect_err("reserved marker");
        assert!(err.starts_with("invalid msgpack: "), "{err}");
        let err = decode(&[0x01, 0x02]).expect_err("two values");
        assert!(
            err.contains("1 unexpected byte(s) after the value"),
            "{err}"
        );
        let err = decode(&[0x81, 0x91, 0x01, 0x02]).expect_err("array key");
        assert!(err.contains("map key"), "{err}");
        let deep: Vec<u8> = std::iter::repeat_n(0x91, 10_000).chain([0x01]).collect();
        assert!(decode(&deep).is_err(), "nesting is bounded");
    }
}
