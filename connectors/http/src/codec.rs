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
//! * `binary`: the body becomes a binary value (a structured reply: a JSON document cannot
//!   carry bytes); a binary or string event is written as its bytes, an array of numbers
//!   0..=255 (how a binary value reaches a structured sink) as those bytes, anything else as
//!   JSON.
//!
//! Another codec named in the mapping is a configuration error naming these three.
//!
//! The config keys that choose body codecs are the same for both connectors and are read here
//! ([`parse_config`]): `mime_mapping` (0.12: `custom_codecs`) and `codec`, Tremor 0.12's
//! connector-level codec (`codec = "string"` beside `config`), which the runtime hands over
//! under that key (pdk's `codec_in_config`). As in 0.12, it is the codec of every body whose
//! `content-type` the mapping does not name, and of bodies without one.

use serde::{de::DeserializeOwned, Deserialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use tremor_pdk::{Binary, ConnectorError, Result, SourceBatch, SourceReply, StructuredEvent};

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
    /// Bytes.
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
    /// The codec `codec` configured at `key` (for messages: "`mime_mapping` `text/csv`").
    fn from_config(connector_type: &str, key: &str, codec: &NameWithConfig) -> Result<Self> {
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
                format!("{key}: json mode `{other}` is neither `sorted` nor `unsorted`"),
            )),
            ("string", _) => Ok(Self::String),
            ("binary", _) => Ok(Self::Binary),
            (other, _) => Err(tremor_pdk::config::invalid(
                connector_type,
                format!(
                    "{key}: codec `{other}` is not available for http bodies (json, string, \
                     binary are)"
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

    /// The event a body becomes, with the metadata `meta`, on `out`: a binary value (binary,
    /// a body that is not empty) or one JSON document; an empty body is `null`.
    ///
    /// # Errors
    /// A body the codec cannot decode (a string that is not UTF-8).
    pub fn body_event(self, body: &[u8], meta: &Value) -> std::result::Result<SourceReply, String> {
        if self == Self::Binary && !body.is_empty() {
            let event =
                StructuredEvent::new(&Binary(body), meta).map_err(|e| e.message.to_string())?;
            return Ok(SourceReply::structured(0, "out", vec![event]));
        }
        let doc = if body.is_empty() {
            b"null".to_vec()
        } else {
            self.decode(body)?
        };
        Ok(SourceReply::Data(
            SourceBatch::json(0, vec![doc.into()]).with_meta(meta.to_string()),
        ))
    }

    /// A body as one JSON document for the runtime (binary: as a string, see
    /// [`Self::body_event`] for bytes).
    fn decode(self, body: &[u8]) -> std::result::Result<Vec<u8>, String> {
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
            Self::String => match serde_json::from_slice::<Value>(doc) {
                Ok(Value::String(text)) => Ok(text.into_bytes()),
                _ => Ok(doc.to_vec()),
            },
            Self::Binary => match serde_json::from_slice::<Value>(doc) {
                Ok(Value::String(text)) => Ok(text.into_bytes()),
                Ok(Value::Array(items)) => Ok(as_bytes(&items).unwrap_or_else(|| doc.to_vec())),
                _ => Ok(doc.to_vec()),
            },
        }
    }
}

/// The bytes an array of numbers 0..=255 stands for (a binary value as a structured sink gets
/// it); `None` for any other array.
fn as_bytes(items: &[Value]) -> Option<Vec<u8>> {
    items
        .iter()
        .map(|item| item.as_u64().and_then(|n| u8::try_from(n).ok()))
        .collect()
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

/// Parses an http connector's config record (JSON text): the body-codec keys (see the module
/// docs) into a [`MimeMap`], the others into `T`, which may deny unknown keys.
///
/// # Errors
/// A record that does not parse, a bad mapping or codec, or what `T` refuses.
pub fn parse_config<T: DeserializeOwned>(
    connector_type: &str,
    config: &str,
) -> Result<(T, MimeMap)> {
    let mut record: Map<String, Value> = tremor_pdk::config::parse(connector_type, config)?;
    let mut take = |key: &str| record.remove(key).filter(|v| !v.is_null());
    let mapping = take("mime_mapping").or_else(|| take("custom_codecs"));
    let codec = take("codec");
    let mime = MimeMap::from_config(connector_type, mapping.as_ref(), codec.as_ref())?;
    let rest = tremor_pdk::config::parse(connector_type, &Value::Object(record).to_string())?;
    Ok((rest, mime))
}

impl MimeMap {
    /// The map from a config's `mime_mapping` (or 0.12's `custom_codecs`): it replaces the
    /// default mapping, as in Tremor (`None`: the default). `codec` (0.12's connector-level
    /// codec) serves `*/*` unless the mapping names it.
    pub fn from_config(
        connector_type: &str,
        mapping: Option<&Value>,
        codec: Option<&Value>,
    ) -> Result<Self> {
        let mut map = match mapping {
            None => Self::default(),
            Some(mapping) => {
                let mapping: HashMap<String, NameWithConfig> =
                    serde_json::from_value(mapping.clone()).map_err(|e| {
                        expected(
                            connector_type,
                            "mime_mapping",
                            "a record of mime type to codec",
                            e,
                        )
                    })?;
                let by_mime = mapping
                    .iter()
                    .map(|(mime, codec)| {
                        Codec::from_config(
                            connector_type,
                            &format!("`mime_mapping` `{mime}`"),
                            codec,
                        )
                        .map(|c| (mime.to_ascii_lowercase(), c))
                    })
                    .collect::<std::result::Result<_, ConnectorError>>()?;
                Self { by_mime }
            }
        };
        if let Some(codec) = codec {
            let codec: NameWithConfig = serde_json::from_value(codec.clone()).map_err(|e| {
                expected(
                    connector_type,
                    "codec",
                    "a codec name or {\"name\", \"config\"}",
                    e,
                )
            })?;
            let codec = Codec::from_config(connector_type, "`codec`", &codec)?;
            map.by_mime.entry("*/*".to_string()).or_insert(codec);
        }
        Ok(map)
    }

    /// The codec of an outgoing body with `headers`: by their `content-type` (or `*/*`; json
    /// when nothing matches), which is set from the codec when they have none.
    pub fn outgoing_codec(&self, headers: &mut hyper::HeaderMap) -> Codec {
        let codec = self
            .codec_for(crate::meta::content_type(headers))
            .unwrap_or(Codec::Json { sorted: false });
        if !headers.contains_key(hyper::header::CONTENT_TYPE) {
            headers.insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static(codec.mime_type()),
            );
        }
        codec
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

/// A config key whose value has the wrong shape.
fn expected(connector_type: &str, key: &str, what: &str, e: serde_json::Error) -> ConnectorError {
    tremor_pdk::config::invalid(connector_type, format!("`{key}`: expected {what}: {e}"))
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
            None,
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
            let e = MimeMap::from_config("http_client", Some(&mapping), None).expect_err("refused");
            assert!(e.message.starts_with("invalid http_client config: "), "{e}");
            assert!(e.message.contains(expected), "{e}");
        }
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Rest {
        url: String,
    }

    #[test]
    fn the_connector_level_codec_serves_what_the_mapping_does_not_name() {
        // 0.12: `codec = "string"` with the default mapping.
        let (rest, mime): (Rest, MimeMap) = parse_config(
            "http_server",
            r#"{"url": "x:1", "codec": {"name": "string", "config": {}}}"#,
        )
        .expect("valid");
        assert_eq!(rest.url, "x:1");
        assert_eq!(mime.codec_for(None), Some(Codec::String));
        assert_eq!(mime.codec_for(Some("text/csv")), Some(Codec::String));
        assert_eq!(
            mime.codec_for(Some("application/json")),
            Some(Codec::Json { sorted: false })
        );
        // A mapping's own `*/*` wins; 0.12's `custom_codecs` is `mime_mapping`.
        let (_, mime): (Rest, MimeMap) = parse_config(
            "http_client",
            r#"{"url": "x:1", "codec": "string", "custom_codecs": {"*/*": "binary"}}"#,
        )
        .expect("valid");
        assert_eq!(mime.codec_for(None), Some(Codec::Binary));
        // The other keys still meet `deny_unknown_fields`; a bad codec names `codec`.
        for (config, expected) in [
            (r#"{"url": "x:1", "nope": 1}"#, "unknown field `nope`"),
            (
                r#"{"codec": "csv"}"#,
                "`codec`: codec `csv` is not available",
            ),
            (r#"{"codec": 7}"#, "`codec`: expected a codec name"),
        ] {
            let e = parse_config::<Rest>("http_client", config).expect_err("refused");
            assert!(e.message.contains(expected), "{e}");
        }
    }

    #[test]
    fn bodies_become_documents_and_documents_bodies() {
        let json = Codec::Json { sorted: false };
        assert_eq!(json.decode(b"").expect("empty"), b"null");
        assert_eq!(json.decode(b"[1]").expect("json"), b"[1]");
        assert_eq!(Codec::String.decode(b"a\"b").expect("text"), br#""a\"b""#);
        assert!(Codec::String.decode(&[0xff]).is_err());
        let sorted = Codec::Json { sorted: true };
        assert_eq!(
            sorted
                .encode(br#"{"b":{"d":1,"c":[{"z":0,"y":1}]},"a":42.0}"#)
                .expect("json"),
            br#"{"a":42.0,"b":{"c":[{"y":1,"z":0}],"d":1}}"#
        );
        assert_eq!(Codec::String.encode(br#""12345""#).expect("text"), b"12345");
        assert_eq!(Codec::String.encode(b"[1,2]").expect("json"), b"[1,2]");
        // A binary value reaches a structured sink as an array of numbers.
        assert_eq!(Codec::Binary.encode(b"[0,255]").expect("bytes"), [0, 255]);
        assert_eq!(Codec::Binary.encode(br#""ab""#).expect("text"), b"ab");
        assert_eq!(Codec::Binary.encode(b"[256]").expect("json"), b"[256]");
    }

    #[test]
    fn binary_bodies_are_binary_values_and_the_others_json_documents() {
        let meta = json!({"http_server": {"request_id": 1}});
        let Ok(SourceReply::Structured { port, events, .. }) =
            Codec::Binary.body_event(&[0xff, 0], &meta)
        else {
            panic!("a binary body is a structured event");
        };
        assert_eq!(port.as_str(), "out");
        let expected = StructuredEvent::new(&Binary(&[0xff, 0]), &meta).expect("encodes");
        assert_eq!(events.as_slice(), [expected]);
        for (codec, body, doc) in [
            (Codec::Binary, &b""[..], &b"null"[..]),
            (Codec::String, b"a", br#""a""#),
            (Codec::Json { sorted: false }, b" ", b"null"),
        ] {
            let Ok(SourceReply::Data(batch)) = codec.body_event(body, &meta) else {
                panic!("{codec:?}: a JSON document");
            };
            let chunks: Vec<&[u8]> = batch.chunks.iter().map(|c| c.as_slice()).collect();
            assert_eq!(chunks, [doc], "{codec:?}");
            let sent = batch
                .meta
                .as_ref()
                .map(|m| m.as_str().to_string())
                .into_option();
            assert_eq!(sent, Some(meta.to_string()));
        }
        assert!(Codec::String.body_event(&[0xff], &meta).is_err());
    }
}
