//! Codecs: bytes to values (sources) and values to bytes (sinks).
//!
//! They live in the runtime, not in connectors: a connector moves bytes, the runtime decides
//! what they mean. One instance per stream (decoding) or per sink (encoding).

mod api;
mod binflux;
mod csv;
mod dogstatsd;
mod error;
mod graphite;
mod influx;
mod json;
mod msgpack;
mod raw;
mod reader;
mod serde_value;
mod statsd;
mod syslog;
#[cfg(test)]
mod test_support;
mod tremor;
mod yaml;

pub use api::Codec;
use api::NamedCodec;
pub use error::CodecError;

use tremor_value::Value;

/// The codecs by name, in one table: each type gets its [`NamedCodec`] name from here, and
/// [`NAMES`] and [`lookup`] are made from it. Each codec is made by `Default` (one per
/// deployment, cloned per stream).
macro_rules! codecs {
    ($($name:literal => $codec:ty,)*) => {
        $(impl NamedCodec for $codec {
            const NAME: &'static str = $name;
        })*

        /// The names of all codecs, for error messages (`json-sorted` is Tremor 0.12's name
        /// of `{"name": "json", "config": {"mode": "sorted"}}`).
        pub const NAMES: &[&str] = &[$($name),*];

        /// The codec `name` with its default settings.
        fn by_name(name: &str) -> Option<Box<dyn Codec>> {
            match name {
                $($name => Some(Box::new(<$codec>::default())),)*
                _ => None,
            }
        }
    };
}

codecs! {
    "json" => json::Json<false>,
    "json-sorted" => json::Json<true>,
    "string" => raw::StringCodec,
    "binary" => raw::Binary,
    "yaml" => yaml::Yaml,
    "msgpack" => msgpack::Msgpack,
    "csv" => csv::Csv,
    "influx" => influx::Influx,
    "binflux" => binflux::Binflux,
    "statsd" => statsd::Statsd,
    "dogstatsd" => dogstatsd::Dogstatsd,
    "syslog" => syslog::Syslog,
    "null" => raw::Null,
    "tremor" => tremor::Tremor,
    "graphite-plaintext" => graphite::GraphitePlaintext,
}

/// Creates the codec `name` with its `config` record.
///
/// # Errors
/// When no codec has this name or its config is invalid (the planner calls this once per
/// connector, so deployments fail with a position before anything starts).
pub fn lookup(name: &str, config: &Value<'_>) -> Result<Box<dyn Codec>, CodecError> {
    let sorted_by_config = match config.get("mode").and_then(Value::as_str) {
        // `compact` was this runtime's word before it took Tremor's.
        None | Some("unsorted" | "compact") => false,
        Some("sorted") => true,
        Some(other) => {
            return Err(CodecError::UnknownMode {
                codec: name.to_string(),
                mode: other.to_string(),
            })
        }
    };
    // `{"mode": "sorted"}` makes `json` the codec named `json-sorted`.
    let codec = if name == "json" && sorted_by_config {
        by_name("json-sorted")
    } else {
        by_name(name)
    };
    codec.ok_or_else(|| CodecError::Unknown {
        name: name.to_string(),
        known: NAMES,
    })
}

#[cfg(test)]
mod tests {
    use super::test_support::{decode, encode};
    use super::*;

    fn round_trip(codec: &str, input: &[u8]) -> Vec<u8> {
        encode(codec, &decode(codec, input).expect("decodes")).expect("encodes")
    }

    #[test]
    fn json_compact_and_sorted() {
        let doc = br#"{ "b": 1, "a": {"d": [1, 2.5, null], "c": "x\n"} }"#;
        assert_eq!(
            round_trip("json", doc),
            br#"{"b":1,"a":{"d":[1,2.5,null],"c":"x\n"}}"#.to_vec()
        );
        assert_eq!(
            round_trip("json-sorted", doc),
            br#"{"a":{"c":"x\n","d":[1,2.5,null]},"b":1}"#.to_vec()
        );
        let mut cfg = Value::object();
        cfg.insert("mode", "sorted").expect("object");
        let mut sorted = lookup("json", &cfg).expect("json with mode");
        let mut out = Vec::new();
        sorted
            .encode(&tremor_value::literal!({"z": 1, "a": 2}), &mut out)
            .expect("encodes");
        assert_eq!(out, br#"{"a":2,"z":1}"#.to_vec());
        assert_eq!(sorted.name(), "json-sorted");
        assert_eq!(sorted.boxed_clone().name(), "json-sorted");
    }

    #[test]
    fn json_rejects_garbage_with_a_message() {
        let err = decode("json", b"{\"a\": tru}").expect_err("invalid");
        assert!(err.contains("JSON"), "{err}");
    }

    #[test]
    fn string_and_binary() {
        assert_eq!(round_trip("string", "héllo".as_bytes()), "héllo".as_bytes());
        assert_eq!(
            round_trip("binary", &[0, 159, 146, 150]),
            vec![0, 159, 146, 150]
        );
        assert!(decode("string", [0xff, 0xfe]).is_err());
        assert_eq!(
            encode("string", &tremor_value::literal!({"a": 1})).expect("json fallback"),
            br#"{"a":1}"#.to_vec()
        );
        assert_eq!(
            encode("binary", &tremor_value::literal!([1, "x"])).expect("json fallback, as Tremor"),
            br#"[1,"x"]"#.to_vec()
        );
    }

    #[test]
    fn every_codec_has_its_name_and_clones_with_it() {
        for name in NAMES {
            let codec = lookup(name, &Value::object()).expect("known");
            assert_eq!(codec.name(), *name);
            assert_eq!(codec.boxed_clone().name(), *name);
        }
    }

    #[test]
    fn unknown_codec_lists_the_known_ones() {
        let err = lookup("yaml2", &Value::object()).err().expect("unknown");
        assert!(err.to_string().contains("json-sorted"), "{err}");
    }

    #[test]
    fn typed_errors_do_not_grow_the_per_event_result() {
        use crate::event::EventPayload;
        use std::mem::size_of;
        // decode runs once per event: its Result must stay as small as with a String error.
        assert!(
            size_of::<Result<Option<EventPayload>, CodecError>>()
                <= size_of::<Result<Option<EventPayload>, String>>()
        );
    }
}
