//! Codecs per mime type (Tremor's `mime_mapping`, 0.12's `custom_codecs`).
//!
//! Tremor's http connectors pick the codec of each body by its `content-type`, not one codec
//! per connector. This runtime's codecs work per connector (per stream) and its interface has
//! no per-batch codec choice, so these connectors are structured (they exchange JSON documents
//! with the runtime) and handle the codecs an HTTP body needs themselves:
//!
//! * `json` (config `{"mode": "sorted"}` writes object keys in sorted order): the body is one
//!   JSON document; an empty body is `null`.
//! * `string`: the body as a string (it must be UTF-8); a string event is written as its text,
//!   anything else as JSON.
//! * `binary`: like `string` here (a JSON document cannot carry bytes): a UTF-8 body becomes a
//!   string, another body is an error.
//!
//! Another codec named in the mapping is a configuration error naming these three.

use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use tremor_pdk::{ConnectorError, Result};

/// A codec these connectors can apply to a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// JSON; `sorted` writes object keys in sorted order.
    Json {
        /// Keys sorted on encoding.
        sorted: bool,
    },
    /// UTF-8 text.
    String,
    /// Bytes (as text, see the module docs).
    Binary,
}

/// A codec as configured: `"json"` or `{"name": "json", "config": {...}}`.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
enum NameWithConfig {
    Name(String),
    Record {
        name: String,
        #[serde(default)]
        config: Option<Value>,
    },
}

impl Codec {
    fn from_config(connector_type: &str, mime: &str, codec: &NameWithConfig) -> Result<Self> {
        let (name, config) = match codec {
            NameWithConfig::Name(name) => (name.as_str(), None),
            NameWithConfig::Record { name, config } => (name.as_str(), config.as_ref()),
        };
        let mode = config.and_then(|c| c.get("mode")).and_then(Value::as_str);
        match (name, mode) {
            ("json", None | Some("unsorted")) => Ok(Self::Json { sorted: false }),
            ("json", Some("sorted")) | ("json-sorted", None) => Ok(Self::Json { sorted: true }),
            ("json", Some(other)) => Err(tremor_pdk::config::invalid(
                connector_type,
                format!("`mime_mapping` `{mime}`: json mode `{other}` is neither `sorted` nor `unsorted`"),
            )),
            ("string", _) => Ok(Self::String),
            ("binary", _) => Ok(Self::Binary),
            (other, _) => Err(tremor_pdk::config::invalid(
                connector_type,
                format!(
                    "`mime_mapping` `{mime}`: codec `{other}` is not available for http bodies \
                     (json, string, binary are)"
                ),
            )),
        }
    }

    /// The mime type a body of this codec is sent as when no `content-type` is set.
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Json { .. } => "application/json",
            Self::String => "text/plain",
            Self::Binary => "application/octet-stream",
        }
    }

    /// A body as one JSON document for the runtime.
    pub fn decode(self, body: &[u8]) -> std::result::Result<Vec<u8>, String> {
        match self {
            Self::Json { .. } if body.iter().all(u8::is_ascii_whitespace) => Ok(b"null".to_vec()),
            Self::Json { .. } => Ok(body.to_vec()),
            Self::String | Self::Binary => match std::str::from_utf8(body) {
                Ok(text) => serde_json::to_vec(text).map_err(|e| e.to_string()),
                Err(e) => Err(format!("the body is not UTF-8: {e}")),
            },
        }
    }

    /// An event (one JSON document from the runtime) as body bytes.
    pub fn encode(self, doc: &[u8]) -> std::result::Result<Vec<u8>, String> {
        match self {
            Self::Json { sorted: false } => Ok(doc.to_vec()),
            Self::Json { sorted: true } => {
                let value: Value = serde_json::from_slice(doc).map_err(|e| e.to_string())?;
                let mut out = Vec::with_capacity(doc.len());
                write_sorted(&value, &mut out).map_err(|e| e.to_string())?;
                Ok(out)
            }
            Self::String | Self::Binary => match serde_json::from_slice::<Value>(doc) {
                Ok(Value::String(text)) => Ok(text.into_bytes()),
                _ => Ok(doc.to_vec()),
            },
        }
    }
}

/// JSON with object keys in sorted order at every level.
fn write_sorted(value: &Value, out: &mut Vec<u8>) -> serde_json::Result<()> {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, key)?;
                out.push(b':');
                write_sorted(value, out)?;
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_sorted(item, out)?;
            }
            out.push(b']');
        }
        scalar => serde_json::to_writer(&mut *out, scalar)?,
    }
    Ok(())
}

/// Which codec a `content-type` gets: Tremor's default mapping (the codecs available here), or
/// the configured `mime_mapping` instead of it, with `*/*` as the fallback.
#[derive(Debug, Clone)]
pub struct MimeMap {
    by_mime: HashMap<String, Codec>,
}

/// Tremor's default mime mapping, restricted to the codecs available for bodies.
const DEFAULT_MAPPING: [(&str, Codec); 4] = [
    ("application/json", Codec::Json { sorted: false }),
    ("text/plain", Codec::String),
    ("text/html", Codec::String),
    ("application/octet-stream", Codec::Binary),
];

impl Default for MimeMap {
    fn default() -> Self {
        Self {
            by_mime: DEFAULT_MAPPING
                .iter()
                .map(|(mime, codec)| ((*mime).to_string(), *codec))
                .collect(),
        }
    }
}

impl MimeMap {
    /// The map from a config's `mime_mapping` (or 0.12's `custom_codecs`): it replaces the
    /// default mapping, as in Tremor. `None`: the default.
    pub fn from_config(connector_type: &str, mapping: Option<&Value>) -> Result<Self> {
        let Some(mapping) = mapping.filter(|m| !m.is_null()) else {
            return Ok(Self::default());
        };
        let mapping: HashMap<String, NameWithConfig> = serde_json::from_value(mapping.clone())
            .map_err(|e| {
                tremor_pdk::config::invalid(
                    connector_type,
                    format!("`mime_mapping`: expected a record of mime type to codec: {e}"),
                )
            })?;
        let by_mime = mapping
            .iter()
            .map(|(mime, codec)| {
                Codec::from_config(connector_type, mime, codec)
                    .map(|c| (mime.to_ascii_lowercase(), c))
            })
            .collect::<std::result::Result<_, ConnectorError>>()?;
        Ok(Self { by_mime })
    }

    /// The codec for a `content-type` header value (parameters such as `charset` ignored), or
    /// for `*/*` when the type is not mapped or absent.
    pub fn codec_for(&self, content_type: Option<&str>) -> Option<Codec> {
        content_type
            .and_then(|ct| self.by_mime.get(&essence(ct)))
            .or_else(|| self.by_mime.get("*/*"))
            .copied()
    }
}

/// `type/subtype` of a content type, lower case, without parameters.
pub fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_mapping_replaces_the_default_and_falls_back_to_any() {
        let default = MimeMap::default();
        assert_eq!(
            default.codec_for(Some("application/json; charset=utf-8")),
            Some(Codec::Json { sorted: false })
        );
        assert_eq!(default.codec_for(Some("text/csv")), None);
        let custom = MimeMap::from_config(
            "http_server",
            Some(&json!({
                "application/json": {"name": "json", "config": {"mode": "sorted"}},
                "*/*": "string"
            })),
        )
        .expect("valid");
        assert_eq!(
            custom.codec_for(Some("Application/JSON")),
            Some(Codec::Json { sorted: true })
        );
        assert_eq!(custom.codec_for(Some("text/plain")), Some(Codec::String));
        assert_eq!(custom.codec_for(None), Some(Codec::String));
    }

    #[test]
    fn unknown_codecs_and_modes_are_config_errors_naming_the_mime_type() {
        for (mapping, expected) in [
            (
                json!({"text/csv": "csv"}),
                "`text/csv`: codec `csv` is not available",
            ),
            (
                json!({"application/json": {"name": "json", "config": {"mode": "pretty"}}}),
                "json mode `pretty`",
            ),
            (json!(["json"]), "expected a record of mime type to codec"),
        ] {
            let e = MimeMap::from_config("http_client", Some(&mapping)).expect_err("refused");
            assert!(e.message.starts_with("invalid http_client config: "), "{e}");
            assert!(e.message.contains(expected), "{e}");
        }
    }

    #[test]
    fn bodies_become_documents_and_documents_bodies() {
        let json = Codec::Json { sorted: false };
        assert_eq!(json.decode(b"").expect("empty"), b"null");
        assert_eq!(json.decode(b"[1]").expect("json"), b"[1]");
        assert_eq!(Codec::String.decode(b"a\"b").expect("text"), br#""a\"b""#);
        assert!(Codec::Binary.decode(&[0xff]).is_err());
        let sorted = Codec::Json { sorted: true };
        assert_eq!(
            sorted
                .encode(br#"{"b":{"d":1,"c":[{"z":0,"y":1}]},"a":42.0}"#)
                .expect("json"),
            br#"{"a":42.0,"b":{"c":[{"y":1,"z":0}],"d":1}}"#
        );
        assert_eq!(Codec::String.encode(br#""12345""#).expect("text"), b"12345");
        assert_eq!(Codec::String.encode(b"[1,2]").expect("json"), b"[1,2]");
    }
}
