//! `yaml`: one YAML document per chunk.

use super::{
    api::{Codec, Decoded},
    error::CodecError,
    serde_value::{OwnedValue, SerValue},
};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::Value;

#[derive(Clone, Default)]
pub(super) struct Yaml;

impl Codec for Yaml {
    fn decode(&mut self, data: RVec<u8>, _ingest_ns: u64) -> Decoded {
        let OwnedValue(value) = serde_yaml::from_slice(&data).map_err(CodecError::InvalidYaml)?;
        Ok(Some(EventPayload::from_value(value)))
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        // YAML has no plain byte-string type: bytes become a list of numbers, as in JSON.
        let value = SerValue {
            value,
            bytes_as_binary: false,
        };
        serde_yaml::to_writer(out, &value).map_err(CodecError::WriteYaml)
    }
}

#[cfg(test)]
mod tests {
    use crate::codec::test_support::{self, encode_text};
    use tremor_value::{literal, Value};

    fn decode(input: &str) -> Result<Value<'static>, String> {
        test_support::decode("yaml", input)
    }

    fn encode(value: &Value<'_>) -> String {
        encode_text("yaml", value).expect("encodes")
    }

    #[test]
    fn round_trips_nested_values() {
        let value = literal!({
            "name": "crononome",
            "n": -3,
            "big": 18_446_744_073_709_551_615_u64,
            "f": 2.5,
            "whole_float": 1.0,
            "flags": [true, false, null],
            "nested": {"list": [[], {}, {"deep": ["x", "true", "1"]}]},
            "empty": "",
        });
        let text = encode(&value);
        let back = decode(&text).expect("decodes what it wrote");
        assert_eq!(back, value, "{text}");
        // Types survive: strings that look like other scalars stay strings, floats floats.
        assert!(back.get("whole_float").is_some_and(Value::is_float));
        assert_eq!(
            back.get("nested")
                .and_then(|n| n.get("list"))
                .map(Value::to_string),
            Some(r#"[[],{},{"deep":["x","true","1"]}]"#.to_string())
        );
    }

    #[test]
    fn reads_yaml_features() {
        let v = decode(
            "# a comment\nbase: &b {x: 1}\ncopy: *b\n200: ok\ntrue: yes\nlist:\n  - 1\n  - two\n",
        )
        .expect("valid YAML");
        assert_eq!(
            tremor_value::to_json_sorted(&v),
            r#"{"200":"ok","base":{"x":1},"copy":{"x":1},"list":[1,"two"],"true":"yes"}"#
        );
        assert_eq!(
            decode("just a string").expect("scalar"),
            Value::from("just a string")
        );
        assert_eq!(decode("~").expect("null"), Value::null());
    }

    #[test]
    fn bytes_are_written_as_numbers() {
        assert_eq!(encode(&Value::bytes(vec![1u8, 255])), "- 1\n- 255\n");
    }

    #[test]
    fn malformed_input_is_a_clear_error() {
        let err = decode("a: [1, 2\nb: c").expect_err("unclosed flow sequence");
        assert!(err.starts_with("invalid YAML: "), "{err}");
        assert!(err.contains("line"), "{err}");
        let err = decode("{[1]: x}").expect_err("compound key");
        assert!(err.contains("map key"), "{err}");
        let err = decode("a: 1\n---\nb: 2\n").expect_err("two documents");
        assert!(err.contains("more than one document"), "{err}");
        let err =
            test_support::decode("yaml", [b'a', b':', b' ', 0xff]).expect_err("invalid UTF-8");
        assert!(err.starts_with("invalid YAML: "), "{err}");
    }
}
