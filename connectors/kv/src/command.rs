//! Reading a command from an event, and the shapes of replies and errors.

use crate::Outcome;
use serde::Serialize;
use serde_json::Value;
use tremor_pdk::{Binary, StructuredEvent};

/// One command, as `$kv` gives it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    Get {
        key: Vec<u8>,
    },
    Put {
        key: Vec<u8>,
    },
    Swap {
        key: Vec<u8>,
    },
    Delete {
        key: Vec<u8>,
    },
    Scan {
        start: Vec<u8>,
        end: Option<Vec<u8>>,
    },
    /// `old: None`: the key must not exist; `Some(v)`: the stored value must equal `v`.
    Cas {
        key: Vec<u8>,
        old: Option<Value>,
    },
}

impl Command {
    pub(crate) fn op(&self) -> &'static str {
        match self {
            Self::Get { .. } => "get",
            Self::Put { .. } => "put",
            Self::Swap { .. } => "swap",
            Self::Delete { .. } => "delete",
            Self::Scan { .. } => "scan",
            Self::Cas { .. } => "cas",
        }
    }

    fn key(&self) -> Option<&[u8]> {
        match self {
            Self::Get { key }
            | Self::Put { key }
            | Self::Swap { key }
            | Self::Delete { key }
            | Self::Cas { key, .. } => Some(key),
            Self::Scan { .. } => None,
        }
    }

    /// Reads the `kv` field of the metadata record; the first command field found wins, in
    /// Tremor's order.
    fn from_meta(meta: &Value) -> Result<Self, String> {
        let kv = meta
            .get("kv")
            .ok_or_else(|| "Missing `$kv` field for commands".to_string())?;
        let field = |name: &str| kv.get(name).and_then(key_bytes);
        if let Some(key) = field("get") {
            Ok(Self::Get { key })
        } else if let Some(key) = field("put") {
            Ok(Self::Put { key })
        } else if let Some(key) = field("swap") {
            Ok(Self::Swap { key })
        } else if let Some(key) = field("cas") {
            Ok(Self::Cas {
                key,
                old: kv.get("old").cloned(),
            })
        } else if let Some(key) = field("delete") {
            Ok(Self::Delete { key })
        } else if let Some(start) = field("scan") {
            Ok(Self::Scan {
                start,
                end: field("end"),
            })
        } else {
            Err(format!("Invalid command: {kv}"))
        }
    }
}

/// A key: a string (its UTF-8 bytes) or an array of bytes.
fn key_bytes(value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Array(items) => items
            .iter()
            .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
            .collect(),
        _ => None,
    }
}

/// A key as metadata shows it: a string when it is UTF-8, else its bytes.
pub(crate) fn key_value(key: &[u8]) -> Value {
    match std::str::from_utf8(key) {
        Ok(s) => Value::String(s.to_string()),
        Err(_) => Value::Array(key.iter().map(|b| Value::from(*b)).collect()),
    }
}

/// A value in an error text: strings as they are, everything else as JSON (as Tremor prints).
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An event for the sink: the command (or why there is none), the payload, the correlation.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) command: Result<Command, String>,
    pub(crate) value: Value,
    correlation: Option<Value>,
}

impl Request {
    /// Reads a request from an event's metadata record and payload (JSON texts).
    pub(crate) fn read(meta: Option<&[u8]>, payload: &[u8]) -> Self {
        let meta: Value = meta
            .and_then(|m| serde_json::from_slice(m).ok())
            .unwrap_or(Value::Null);
        let value = serde_json::from_slice(payload).unwrap_or(Value::Null);
        Self {
            command: Command::from_meta(&meta),
            value,
            correlation: meta.get("correlation").cloned(),
        }
    }

    /// A reply on `out`: `value` with `$kv = {"op": OP, "ok": KEY}` (the key as binary) and
    /// the correlation.
    pub(crate) fn reply(&self, op: &'static str, key: &[u8], value: &Value) -> Outcome {
        let meta = ReplyMeta {
            kv: ReplyKv {
                op,
                ok: Binary(key),
            },
            correlation: self.correlation.as_ref(),
        };
        outcome("out", value, &meta)
    }

    /// Tremor's error event on `err` for `error`: a `null` payload with `$error`, `$kv =
    /// {"op": OP, "key": KEY}` (`null` without a command, `key` `null` for a scan) and the
    /// correlation.
    pub(crate) fn error_event(&self, error: &str) -> Outcome {
        let meta = ErrorMeta {
            error,
            kv: self.command.as_ref().ok().map(|command| ErrorKv {
                op: command.op(),
                key: command.key(),
            }),
            correlation: self.correlation.as_ref(),
        };
        outcome("err", &Value::Null, &meta)
    }

    /// The error text for `error`, naming the op, the key and the correlation when known.
    pub(crate) fn error(&self, error: &str) -> String {
        let mut text = match &self.command {
            Ok(command) => match command.key() {
                Some(key) => format!("kv {} {}: {error}", command.op(), key_value(key)),
                None => format!("kv {}: {error}", command.op()),
            },
            Err(_) => format!("kv: {error}"),
        };
        if let Some(correlation) = &self.correlation {
            text.push_str(&format!(" (correlation {correlation})"));
        }
        text
    }
}

/// `$` of a reply.
#[derive(Serialize)]
struct ReplyMeta<'a> {
    kv: ReplyKv<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    correlation: Option<&'a Value>,
}

#[derive(Serialize)]
struct ReplyKv<'a> {
    op: &'static str,
    ok: Binary<'a>,
}

/// `$` of an error event.
#[derive(Serialize)]
struct ErrorMeta<'a> {
    error: &'a str,
    kv: Option<ErrorKv<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    correlation: Option<&'a Value>,
}

#[derive(Serialize)]
struct ErrorKv<'a> {
    op: &'static str,
    /// Tremor gives the key of an error as an array of bytes (not binary).
    key: Option<&'a [u8]>,
}

fn outcome(port: &'static str, payload: &Value, meta: &impl Serialize) -> Outcome {
    let event = StructuredEvent::new(payload, meta)
        .expect("JSON values and records of strings and bytes always encode as MessagePack");
    Outcome { port, event }
}

/// Tremor's text for a failed `cas`: what was proposed, and what is stored (`null`: nothing).
pub(crate) fn cas_error(proposed: &Value, current: &Value) -> String {
    format!(
        "CAS error: expected {} but found {}.",
        shown(proposed),
        shown(current)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tremor_pdk::testing::structured_json;

    fn command(meta: &str) -> Result<Command, String> {
        Request::read(Some(meta.as_bytes()), b"null").command
    }

    #[test]
    fn commands_are_read_from_kv_metadata() {
        let key = |s: &str| s.as_bytes().to_vec();
        for (meta, expected) in [
            (r#"{"kv": {"get": "a"}}"#, Command::Get { key: key("a") }),
            (r#"{"kv": {"put": "a"}}"#, Command::Put { key: key("a") }),
            (r#"{"kv": {"swap": "a"}}"#, Command::Swap { key: key("a") }),
            (
                r#"{"kv": {"delete": "a"}}"#,
                Command::Delete { key: key("a") },
            ),
            (
                r#"{"kv": {"scan": "a", "end": "b"}}"#,
                Command::Scan {
                    start: key("a"),
                    end: Some(key("b")),
                },
            ),
            (
                r#"{"kv": {"scan": ""}}"#,
                Command::Scan {
                    start: vec![],
                    end: None,
                },
            ),
            (
                r#"{"kv": {"cas": "a", "old": null}}"#,
                Command::Cas {
                    key: key("a"),
                    old: Some(Value::Null),
                },
            ),
            (
                r#"{"kv": {"cas": "a"}}"#,
                Command::Cas {
                    key: key("a"),
                    old: None,
                },
            ),
            (
                r#"{"kv": {"get": [0, 255]}}"#,
                Command::Get { key: vec![0, 255] },
            ),
        ] {
            assert_eq!(command(meta), Ok(expected), "{meta}");
        }
    }

    #[test]
    fn missing_or_unknown_commands_are_errors() {
        assert_eq!(
            command(r#"{"correlation": 1}"#),
            Err("Missing `$kv` field for commands".to_string())
        );
        assert_eq!(
            Request::read(None, b"1").command,
            Err("Missing `$kv` field for commands".to_string())
        );
        assert_eq!(
            command(r#"{"kv": {"fetch": "a"}}"#),
            Err(r#"Invalid command: {"fetch":"a"}"#.to_string())
        );
        assert_eq!(
            command(r#"{"kv": {"get": 3}}"#),
            Err(r#"Invalid command: {"get":3}"#.to_string())
        );
    }

    #[test]
    fn replies_and_errors_carry_op_key_and_correlation() {
        let request = Request::read(
            Some(br#"{"kv": {"cas": "heinz"}, "correlation": "c1"}"#),
            br#""ketchup""#,
        );
        let shown = |outcome: Outcome| {
            let (payload, meta) = structured_json(&outcome.event).expect("MessagePack");
            (outcome.port, payload, meta)
        };
        let heinz = json!({"binary": b"heinz"});
        assert_eq!(
            shown(request.reply("cas", b"heinz", &json!({"v": [1]}))),
            (
                "out",
                json!({"v": [1]}),
                json!({"correlation": "c1", "kv": {"ok": heinz, "op": "cas"}})
            )
        );
        let text = cas_error(&json!("ketchup"), &json!({"a": 1}));
        assert_eq!(
            request.error(&text),
            r#"kv cas "heinz": CAS error: expected ketchup but found {"a":1}. (correlation "c1")"#
        );
        assert_eq!(
            shown(request.error_event(&text)),
            (
                "err",
                Value::Null,
                json!({
                    "correlation": "c1",
                    "error": text,
                    "kv": {"key": b"heinz", "op": "cas"}
                })
            )
        );
        // Without a command `$kv` is null; without a correlation there is none.
        let no_command = Request::read(Some(br#"{"kv": {"frobnicate": 1}}"#), b"1");
        assert_eq!(
            shown(no_command.error_event("bad")),
            ("err", Value::Null, json!({"error": "bad", "kv": null}))
        );
        let scan = Request::read(Some(br#"{"kv": {"scan": "a"}}"#), b"1");
        assert_eq!(
            shown(scan.error_event("bad")).2,
            json!({"error": "bad", "kv": {"key": null, "op": "scan"}})
        );
        assert_eq!(key_value(&[0xff, 0]), json!([255, 0]));
    }
}
