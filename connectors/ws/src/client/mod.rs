//! `ws_client`: one WebSocket connection (plain or TLS) to a server; sends events to it and
//! reads what it sends.
//!
//! * `connect` opens the connection: TCP, TLS (if configured), then the WebSocket upgrade. A
//!   refused connection or a failed handshake is an error of kind `connection`, so the runtime
//!   retries per the connector's reconnect policy.
//! * Source: each text or binary message is one chunk on stream 0, with the metadata
//!   `{"ws_client": {"tls": BOOL, "peer": {"host": IP, "port": PORT}}}` (and `"binary": true`
//!   for binary messages). When the server closes or the connection breaks, the stream ends
//!   and the connector reports the lost connection: the runtime reconnects per policy.
//! * Sink: each event chunk is one message, binary if `$binary` (or `$ws_client.binary`) is
//!   `true`, text otherwise. A failed send, or a batch while not connected, is an error of
//!   kind `connection`: the runtime keeps the batch and sends it again after the reconnect.

mod parts;
#[cfg(test)]
mod tests;

use crate::{frames::ConnectionMeta, url::WsUrl};
use async_tungstenite::client_async;
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use tremor_connector_net::{
    tcp_connect, tcp_nodelay_default, Slot, SocketConfig, TcpConnection, TcpSocketOptions,
    TlsClientConfig, TlsConnector,
};
use tremor_pdk::{
    into_raw_sink, into_raw_source, io::IoResultExt, CodecRequirement, Connector, ConnectorContext,
    ConnectorError, RawSinkBox, RawSourceBox, Result,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "ws_client";

/// Configuration of the WebSocket client: Tremor 0.13's keys, and 0.12's `no_delay`.
///
/// ```json
/// {"url": "ws://127.0.0.1:4242/", "tls": {"cafile": "ca.pem", "domain": "localhost"},
///  "socket_options": {"SO_REUSEPORT": false, "SO_REUSEADDR": true, "TCP_NODELAY": true}}
/// ```
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WsClientConfig {
    /// The server: `ws://host:port/path` or `wss://host:port/path` (required; the port too).
    /// `host` is an IP address or a name resolved at every connect.
    pub url: String,
    /// TLS: `true` (Mozilla's roots, the url's host is the name to verify) or
    /// `{"cafile": PATH, "domain": NAME, "cert": PATH, "key": PATH}` (each optional). `false`
    /// or `null`: plain. Absent (default): TLS with Mozilla's roots for `wss://`, plain for
    /// `ws://`.
    #[serde(default)]
    pub tls: Option<serde_json::Value>,
    /// Socket options with Tremor 0.13's names and defaults (`SO_REUSEPORT` false,
    /// `SO_REUSEADDR` true, `TCP_NODELAY`: `no_delay`, which it overrides).
    #[serde(default)]
    pub socket_options: TcpSocketOptions,
    /// Tremor 0.12's switch for `TCP_NODELAY` (default `true`: small writes go out at once).
    #[serde(default = "tcp_nodelay_default")]
    pub no_delay: bool,
}

impl SocketConfig for WsClientConfig {
    const CONNECTOR_TYPE: &'static str = CONNECTOR_TYPE;

    fn check(&self) -> Result<()> {
        // The files are read now, so that a bad one fails the connector's creation.
        Target::of(self).map(drop)
    }
}

/// Where and how the client connects, from its config.
struct Target {
    url: WsUrl,
    /// `host:port`.
    address: String,
    /// The TLS settings and the connector made from them; `None`: plain.
    tls: Option<(TlsClientConfig, TlsConnector)>,
}

impl Target {
    fn of(config: &WsClientConfig) -> Result<Self> {
        let url = WsUrl::parse(CONNECTOR_TYPE, &config.url)?;
        let address = url.connect_address(CONNECTOR_TYPE)?;
        let tls = match (
            TlsClientConfig::from_field(CONNECTOR_TYPE, config.tls.as_ref())?,
            &config.tls,
        ) {
            (Some(tls), _) => Some(tls),
            (None, None) if url.secure => Some(TlsClientConfig::default()),
            (None, _) => None,
        };
        let tls = tls
            .map(|tls| {
                tls.connector(CONNECTOR_TYPE)
                    .map(|connector| (tls, connector))
            })
            .transpose()?;
        Ok(Self { url, address, tls })
    }
}

/// The connector.
pub struct WsClient {
    ctx: ConnectorContext,
    alias: String,
    config: WsClientConfig,
    target: Target,
    slot: Slot<Link>,
}

/// A `ws_client` for the context `ctx` and the config record `config` (JSON text).
pub fn new(ctx: ConnectorContext, config: &str) -> Result<WsClient> {
    let config = WsClientConfig::from_json(config)?;
    Ok(WsClient {
        alias: ctx.alias(),
        ctx,
        target: Target::of(&config)?,
        config,
        slot: Slot::new(CONNECTOR_TYPE),
    })
}

/// One connection, handed from `connect` to the source and the sink: each takes its half
/// out once.
#[derive(Clone)]
struct Link {
    /// The socket, for closing it.
    socket: TcpConnection,
    sender: Arc<Mutex<Option<crate::Sender>>>,
    receiver: Arc<Mutex<Option<crate::Receiver>>>,
    meta: Arc<ConnectionMeta>,
    /// The server, for messages.
    peer: String,
}

impl WsClient {
    /// Whether a connection is open.
    pub fn is_connected(&self) -> bool {
        self.slot.is_set().unwrap_or(false)
    }

    /// TCP, TLS and the WebSocket upgrade.
    async fn dial(&self) -> Result<Link> {
        let address = &self.target.address;
        let nodelay = self.config.socket_options.nodelay_or(self.config.no_delay);
        let tcp = tcp_connect(address, &self.config.socket_options, nodelay)
            .await
            .with_io_context(|| format!("cannot connect to {address}"))?;
        let peer = tcp
            .peer_addr()
            .with_io_context(|| format!("connection to {address} lost"))?;
        // A failed handshake is a connection error: the runtime retries per the reconnect
        // policy (the server may be restarting).
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            ConnectorError::connection(format!("{what} with {address} failed: {e}"))
        };
        let socket = match &self.target.tls {
            None => TcpConnection::Plain(tcp),
            Some((tls, connector)) => {
                let name = tls.server_name(CONNECTOR_TYPE, &self.target.url.host)?;
                let session = crate::within_handshake_timeout(connector.connect(name, tcp))
                    .await
                    .map_err(|e| failed("TLS handshake", &e))?;
                TcpConnection::tls(session)
            }
        };
        let request = self.target.url.request_url(peer.port());
        let upgrade = async {
            client_async(request.as_str(), socket.clone())
                .await
                .map_err(std::io::Error::other)
        };
        let (ws, _response) = crate::within_handshake_timeout(upgrade)
            .await
            .map_err(|e| failed("WebSocket handshake", &e))?;
        let (sender, receiver) = ws.split();
        Ok(Link {
            socket,
            sender: Arc::new(Mutex::new(Some(sender))),
            receiver: Arc::new(Mutex::new(Some(receiver))),
            meta: Arc::new(ConnectionMeta::new(
                CONNECTOR_TYPE,
                self.target.tls.is_some(),
                peer,
            )),
            peer: peer.to_string(),
        })
    }
}

impl Connector for WsClient {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(parts::ClientSource::new(self.part()))))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(parts::ClientSink::new(self.part()))))
    }

    async fn connect(&mut self, attempt: u64) -> Result<bool> {
        let link = self.dial().await?;
        log::info!(
            "[{}] connected to {} (attempt {attempt})",
            self.alias,
            self.target
                .url
                .request_url(self.target.url.port.unwrap_or_default())
        );
        if let Some(old) = self.slot.publish(link)? {
            old.socket.shutdown();
        }
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        if let Some(old) = self.slot.clear()? {
            old.socket.shutdown();
            log::info!("[{}] connection closed", self.alias);
        }
        Ok(())
    }
}

impl WsClient {
    fn part(&self) -> parts::Part {
        parts::Part {
            ctx: self.ctx.clone(),
            alias: self.alias.clone(),
            current: self.slot.watch(),
        }
    }
}
