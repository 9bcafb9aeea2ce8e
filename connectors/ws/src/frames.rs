//! Messages and metadata: what a received message becomes for the runtime, and what an event
//! for a sink becomes on the wire.

use async_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use tremor_pdk::SourceBatch;

/// The metadata texts of one connection's events: Tremor 0.13's record under the connector
/// type, without and with `"binary": true`.
pub(crate) struct ConnectionMeta {
    text: String,
    binary: String,
}

impl ConnectionMeta {
    /// `{key: {"tls": tls, "peer": {"host": IP, "port": PORT}}}`.
    pub fn new(key: &str, tls: bool, peer: SocketAddr) -> Self {
        let record = serde_json::json!({
            "tls": tls,
            "peer": {"host": peer.ip().to_string(), "port": peer.port()},
        });
        let mut meta = serde_json::Map::new();
        meta.insert(key.to_string(), record);
        let text = serde_json::Value::Object(meta.clone()).to_string();
        meta.insert("binary".into(), true.into());
        let binary = serde_json::Value::Object(meta).to_string();
        Self { text, binary }
    }
}

/// What reading a message gave.
pub(crate) enum Received {
    /// A text or binary message, as the batch for the runtime.
    Data(SourceBatch),
    /// A control message (ping, pong, a close on its way): nothing for the runtime; read on.
    Control,
    /// The connection is over (closed, or broken with the reason).
    Ended(Option<String>),
}

/// Classifies the result of reading the next message of stream `stream`.
pub(crate) fn received(
    stream: u64,
    next: Option<Result<Message, async_tungstenite::tungstenite::Error>>,
    meta: &ConnectionMeta,
) -> Received {
    use async_tungstenite::tungstenite::Error;
    let (payload, meta) = match next {
        Some(Ok(Message::Text(text))) => (Bytes::from(text), &meta.text),
        Some(Ok(Message::Binary(data))) => (data, &meta.binary),
        // After a close the next read sends the reply and then ends the stream.
        Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Close(_) | Message::Frame(_))) => {
            return Received::Control
        }
        None | Some(Err(Error::ConnectionClosed | Error::AlreadyClosed)) => {
            return Received::Ended(None)
        }
        Some(Err(e)) => return Received::Ended(Some(e.to_string())),
    };
    Received::Data(
        SourceBatch::bytes(stream, vec![Vec::from(payload).into()]).with_meta(meta.as_str()),
    )
}

/// The message for one chunk of an event: binary, or text (which must be UTF-8).
pub(crate) fn message(chunk: &[u8], binary: bool) -> Result<Message, std::str::Utf8Error> {
    if binary {
        return Ok(Message::Binary(Bytes::copy_from_slice(chunk)));
    }
    std::str::from_utf8(chunk)?;
    let text =
        Utf8Bytes::try_from(Bytes::copy_from_slice(chunk)).expect("checked to be UTF-8 just above");
    Ok(Message::Text(text))
}

/// What a sink reads from an event's metadata.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Outgoing {
    /// Send binary messages (`$binary` or `$KEY.binary` is `true`).
    pub binary: bool,
    /// The connection named by `$KEY.peer` (`{"host": IP, "port": PORT}`).
    pub peer: Option<SocketAddr>,
}

/// Reads the event metadata (JSON text) for the connector type `key`; anything missing or of
/// another type is left at its default.
pub(crate) fn outgoing(key: &str, meta: Option<&[u8]>) -> Outgoing {
    #[derive(Deserialize)]
    struct Meta {
        #[serde(default)]
        binary: serde_json::Value,
        #[serde(default)]
        ws_server: serde_json::Value,
        #[serde(default)]
        ws_client: serde_json::Value,
    }
    let Some(meta) = meta.and_then(|m| serde_json::from_slice::<Meta>(m).ok()) else {
        return Outgoing::default();
    };
    let own = match key {
        "ws_server" => &meta.ws_server,
        _ => &meta.ws_client,
    };
    let peer = &own["peer"];
    let host = peer["host"].as_str().and_then(|h| h.parse::<IpAddr>().ok());
    let port = peer["port"].as_u64().and_then(|p| u16::try_from(p).ok());
    Outgoing {
        binary: meta.binary == true || own["binary"] == true,
        peer: host.zip(port).map(|(ip, port)| SocketAddr::new(ip, port)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn received_messages_carry_tremors_metadata() {
        let peer: SocketAddr = "127.0.0.1:4711".parse().expect("addr");
        let meta = ConnectionMeta::new("ws_server", false, peer);
        let Received::Data(batch) = received(3, Some(Ok(Message::text("hi"))), &meta) else {
            panic!("data")
        };
        assert_eq!(
            (batch.stream, tremor_pdk::testing::joined(&batch)),
            (3, b"hi".to_vec())
        );
        let meta_value = tremor_pdk::testing::meta_value(&batch).expect("JSON");
        assert_eq!(
            meta_value,
            serde_json::json!({"ws_server": {"tls": false, "peer": {"host": "127.0.0.1", "port": 4711}}})
        );
        let binary = Message::Binary(Bytes::from_static(&[0, 159]));
        let Received::Data(batch) = received(3, Some(Ok(binary)), &meta) else {
            panic!("data")
        };
        assert_eq!(tremor_pdk::testing::joined(&batch), vec![0, 159]);
        let meta_value = tremor_pdk::testing::meta_value(&batch).expect("JSON");
        assert_eq!(meta_value["binary"], true);
        assert_eq!(meta_value["ws_server"]["peer"]["port"], 4711);
        assert!(matches!(
            received(3, Some(Ok(Message::Ping(Bytes::new()))), &meta),
            Received::Control
        ));
        assert!(matches!(received(3, None, &meta), Received::Ended(None)));
    }

    #[test]
    fn chunks_become_text_unless_binary_is_asked_for() {
        assert_eq!(message(b"{}", false).expect("UTF-8"), Message::text("{}"));
        assert_eq!(
            message(&[0xff], true).expect("any bytes"),
            Message::Binary(Bytes::from_static(&[0xff]))
        );
        assert!(message(&[0xff], false).is_err(), "text must be UTF-8");
    }

    #[test]
    fn the_sink_reads_binary_and_the_peer_from_metadata() {
        let of = |key: &str, meta: &str| outgoing(key, Some(meta.as_bytes()));
        let peer = Some("127.0.0.1:5".parse().expect("addr"));
        assert_eq!(
            of(
                "ws_server",
                r#"{"ws_server": {"tls": false, "peer": {"host": "127.0.0.1", "port": 5}}}"#
            ),
            Outgoing {
                binary: false,
                peer
            }
        );
        assert_eq!(
            of(
                "ws_server",
                r#"{"binary": true, "ws_server": {"peer": {"host": "127.0.0.1", "port": 5}}}"#
            ),
            Outgoing { binary: true, peer }
        );
        assert!(of("ws_client", r#"{"ws_client": {"binary": true}}"#).binary);
        assert!(!of("ws_client", r#"{"ws_server": {"binary": true}}"#).binary);
        assert!(!of("ws_client", r#"{"binary": "yes"}"#).binary);
        let v6 = of(
            "ws_server",
            r#"{"ws_server": {"peer": {"host": "::1", "port": 7}}}"#,
        );
        assert_eq!(v6.peer, Some("[::1]:7".parse().expect("addr")));
        for meta in [
            r#"{"ws_server": {"peer": {"host": "localhost", "port": 5}}}"#,
            r#"{"ws_server": {"peer": {"host": "127.0.0.1", "port": 70000}}}"#,
            r#"{"ws_server": null}"#,
            "[1]",
            "nonsense",
        ] {
            assert_eq!(of("ws_server", meta), Outgoing::default(), "{meta}");
        }
        assert_eq!(outgoing("ws_server", None), Outgoing::default());
    }
}
