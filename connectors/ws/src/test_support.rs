//! What the connector tests share: certificates made at test time and a peer for each side.

use async_net::{TcpListener, TcpStream};
use async_tungstenite::{
    accept_async, client_async,
    tungstenite::{Bytes, Message},
    WebSocketStream,
};
use futures_lite::StreamExt;
use std::{net::SocketAddr, path::PathBuf};
use tremor_connector_net::{TcpConnection, TlsClientConfig};

/// A test's own WebSocket peer (the other side of the connector under test).
pub type Peer = WebSocketStream<TcpConnection>;

/// Two self-signed certificates for `localhost` (PEM files in a directory of their own,
/// removed on drop): `trusted` is the one the connector under test uses, `stranger` another.
pub struct Certificates {
    dir: PathBuf,
    pub trusted: (PathBuf, PathBuf),
    pub stranger: (PathBuf, PathBuf),
}

impl Certificates {
    pub fn generate(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("tremor-ws-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let pair = |name: &str| {
            let generated = rcgen::generate_simple_self_signed(vec!["localhost".into()])
                .expect("a certificate");
            let cert = dir.join(format!("{name}.cert"));
            let key = dir.join(format!("{name}.key"));
            std::fs::write(&cert, generated.cert.pem()).expect("write cert");
            std::fs::write(&key, generated.key_pair.serialize_pem()).expect("write key");
            (cert, key)
        };
        let trusted = pair("trusted");
        let stranger = pair("stranger");
        Self {
            dir,
            trusted,
            stranger,
        }
    }

    /// `{"cert": ..., "key": ...}` of the trusted certificate.
    pub fn server_tls(&self) -> serde_json::Value {
        serde_json::json!({"cert": self.trusted.0, "key": self.trusted.1})
    }
}

impl Drop for Certificates {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Connects a test client to `address`, over TLS trusting `ca` if given.
pub async fn dial(address: SocketAddr, ca: Option<&PathBuf>) -> std::io::Result<Peer> {
    let tcp = TcpStream::connect(address).await?;
    let socket = match ca {
        None => TcpConnection::Plain(tcp),
        Some(ca) => {
            let tls = TlsClientConfig {
                cafile: Some(ca.clone()),
                domain: Some("localhost".into()),
                ..TlsClientConfig::default()
            };
            let name = tls.server_name("test", "localhost").expect("a name");
            let connector = tls.connector("test").expect("files");
            TcpConnection::tls(connector.connect(name, tcp).await?)
        }
    };
    let scheme = if ca.is_some() { "wss" } else { "ws" };
    let url = format!("{scheme}://localhost:{}/", address.port());
    let (ws, _) = client_async(url.as_str(), socket)
        .await
        .map_err(std::io::Error::other)?;
    Ok(ws)
}

/// A test server's listener on 127.0.0.1 (an ephemeral port).
pub async fn listen() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("addr");
    (listener, address)
}

/// Accepts one WebSocket client on a test server's listener.
pub async fn accept(listener: &TcpListener) -> Peer {
    let (tcp, _) = listener.accept().await.expect("accepted");
    accept_async(TcpConnection::Plain(tcp))
        .await
        .expect("upgrade")
}

/// The next text or binary message a test peer receives.
pub async fn next_data(peer: &mut Peer) -> Message {
    loop {
        let msg = peer.next().await.expect("a message").expect("no error");
        if matches!(msg, Message::Text(_) | Message::Binary(_)) {
            return msg;
        }
    }
}

/// A binary message.
pub fn binary(data: &'static [u8]) -> Message {
    Message::Binary(Bytes::from_static(data))
}
