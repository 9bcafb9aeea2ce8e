//! A serde bridge for [`Value`], shared by the codecs built on serde formats (`yaml`,
//! `msgpack`). `tremor-value` itself knows nothing of serde: the bridge lives with its users.

use serde::{
    de::{self, MapAccess, SeqAccess, Visitor},
    ser::{SerializeMap, SerializeSeq},
    Deserialize, Deserializer, Serialize, Serializer,
};
use std::fmt;
use tremor_value::{Cow, Object, StaticNode, Value};

/// Caps preallocation from a length the input announces, so a forged length in a few bytes of
/// msgpack cannot make us reserve gigabytes; longer collections still grow as needed.
const MAX_PREALLOCATED: usize = 4096;

/// Serializes a value; `bytes_as_binary` says whether the format has a byte-string type
/// (msgpack `bin`). Without one (YAML), bytes become an array of numbers, as in JSON.
pub(super) struct SerValue<'a, 'v> {
    pub(super) value: &'a Value<'v>,
    pub(super) bytes_as_binary: bool,
}

impl SerValue<'_, '_> {
    fn child<'b, 'w>(&self, value: &'b Value<'w>) -> SerValue<'b, 'w> {
        SerValue {
            value,
            bytes_as_binary: self.bytes_as_binary,
        }
    }
}

impl Serialize for SerValue<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Static(StaticNode::Null) => serializer.serialize_unit(),
            Value::Static(StaticNode::Bool(b)) => serializer.serialize_bool(*b),
            Value::Static(StaticNode::I64(n)) => serializer.serialize_i64(*n),
            Value::Static(StaticNode::U64(n)) => serializer.serialize_u64(*n),
            Value::Static(StaticNode::F64(f)) => serializer.serialize_f64(*f),
            Value::String(s) => serializer.serialize_str(s),
            Value::Bytes(b) if self.bytes_as_binary => serializer.serialize_bytes(b),
            Value::Bytes(b) => {
                let mut seq = serializer.serialize_seq(Some(b.len()))?;
                for byte in b.iter() {
                    seq.serialize_element(byte)?;
                }
                seq.end()
            }
            Value::Array(a) => {
                let mut seq = serializer.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(&self.child(v))?;
                }
                seq.end()
            }
            Value::Object(o) => {
                let mut map = serializer.serialize_map(Some(o.len()))?;
                for (k, v) in o.iter() {
                    map.serialize_entry(&**k, &self.child(v))?;
                }
                map.end()
            }
        }
    }
}

/// A value deserialized from a serde format; owns all of its strings and bytes.
pub(super) struct OwnedValue(pub(super) Value<'static>);

impl<'de> Deserialize<'de> for OwnedValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor).map(OwnedValue)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value<'static>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("null, a bool, a number, a string, bytes, an array or a map")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Value::from(b))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Value::from(n))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Ok(Value::from(n))
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Self::Value, E> {
        Ok(Value::from(f))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Value::from(s.to_string()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(Value::from(s))
    }
    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Self::Value, E> {
        Ok(Value::bytes(b.to_vec()))
    }
    fn visit_byte_buf<E: de::Error>(self, b: Vec<u8>) -> Result<Self::Value, E> {
        Ok(Value::bytes(b))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Value::null())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Value::null())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut a = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_PREALLOCATED));
        while let Some(OwnedValue(v)) = seq.next_element()? {
            a.push(v);
        }
        Ok(Value::Array(a))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut o = Object::with_capacity(map.size_hint().unwrap_or(0).min(MAX_PREALLOCATED));
        while let Some(Key(k)) = map.next_key()? {
            let OwnedValue(v) = map.next_value()?;
            o.insert(Cow::owned(k), v);
        }
        Ok(Value::from(o))
    }
}

/// A record key. Values have string keys only; YAML and msgpack allow any key, so scalar keys
/// (`200: ok` in YAML) are turned into their text and anything else is an error.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeyVisitor).map(Key)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map key that is a string, a number or a bool")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<String, E> {
        Ok(s.to_string())
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<String, E> {
        Ok(s)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<String, E> {
        Ok(b.to_string())
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<String, E> {
        Ok(n.to_string())
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<String, E> {
        Ok(n.to_string())
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<String, E> {
        Ok(f.to_string())
    }
    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<String, E> {
        std::str::from_utf8(b)
            .map(str::to_string)
            .map_err(|_| E::invalid_value(de::Unexpected::Bytes(b), &"a UTF-8 map key"))
    }
}
