//! Reading the record a connector keeps under its own key in an event's metadata.

use serde::{
    de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor},
    Deserializer,
};
use std::{borrow::Cow, fmt, marker::PhantomData};

/// The member `key` of a metadata record (JSON text), as a `T`; `None` when there is no
/// metadata, it is no record, the member is missing or null, or it is no `T`. The other
/// members are skipped, not built.
pub(crate) fn record_of<T: DeserializeOwned>(key: &str, meta: Option<&[u8]>) -> Option<T> {
    let mut de = serde_json::Deserializer::from_slice(meta?);
    Member {
        key,
        member: PhantomData,
    }
    .deserialize(&mut de)
    .ok()?
}

/// Reads one member of a record and skips the rest.
struct Member<'k, T> {
    key: &'k str,
    member: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Member<'_, T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Member<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a metadata record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == self.key {
                found = map.next_value::<Option<T>>()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}
