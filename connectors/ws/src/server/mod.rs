//! `ws_server`: listens for WebSocket connections (plain or TLS); every connection is a stream
//! of its own, and replies go back to the connection named in an event's metadata.
//!
//! * `connect` binds the listener; a reconnect keeps it.
//! * Source: each accepted connection gets the stream id = its connection number (0, 1, 2, ...
//!   for the life of the connector) once its TLS (if configured) and WebSocket handshakes are
//!   done (10 s at most; a failed handshake drops only that connection). Each text or binary
//!   message is one chunk with the metadata `{"ws_server": {"tls": BOOL, "peer": {"host": IP,
//!   "port": PORT}}}` (and `"binary": true` for binary messages). A close or a broken
//!   connection ends its stream.
//! * Sink: each event goes to the connection whose peer `$ws_server.peer` names, so an event
//!   that passes through a pipeline answers the client it came from; binary if `$binary` (or
//!   `$ws_server.binary`) is `true`, text otherwise. An event without that metadata, or for a
//!   connection that is gone, fails (with a warning). (Tremor also routes by the event's
//!   origin when the metadata is gone; events here do not carry their origin connector.)

mod sink;
mod source;
#[cfg(test)]
mod tests;

use crate::url::WsUrl;
use async_net::TcpListener;
use serde::Deserialize;
use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
};
use tremor_connector_net::{
    lock, tcp_listen, Slot, SocketConfig, TcpConnection, TcpSocketOptions, TlsAcceptor,
    TlsServerConfig,
};
use tremor_pdk::{
    into_raw_sink, into_raw_source, io::IoResultExt, CodecRequirement, Connector, ConnectorContext,
    ConnectorError, RawSinkBox, RawSourceBox, Result,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "ws_server";

/// Configuration of the WebSocket server (Tremor 0.13's keys; 0.12 had `url` and `tls` only).
///
/// ```json
/// {"url": "127.0.0.1:4242", "backlog": 128,
///  "tls": {"cert": "localhost.cert", "key": "localhost.key"},
///  "socket_options": {"SO_REUSEPORT": false, "SO_REUSEADDR": true, "TCP_NODELAY": true}}
/// ```
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WsServerConfig {
    /// Where to listen: `host:port`, `ws://host:port` or `wss://host:port` (required). Without
    /// a port: 80 (443 for `wss://`), as in Tremor; port `0` lets the system pick one. TLS
    /// comes from `tls`, not from the scheme.
    pub url: String,
    /// TLS: `{"cert": PATH, "key": PATH}`, the server's PEM certificate (chain) and private
    /// key, read when the connector is created. Absent, `null` or `false` (default): plain.
    #[serde(default)]
    pub tls: Option<serde_json::Value>,
    /// How many connections the kernel queues until they are accepted (default 128).
    #[serde(default = "default_backlog")]
    pub backlog: i32,
    /// Socket options with Tremor 0.13's names and defaults, for the listener and accepted
    /// connections: `SO_REUSEPORT` (false), `SO_REUSEADDR` (true), `TCP_NODELAY` (true).
    #[serde(default)]
    pub socket_options: TcpSocketOptions,
}

fn default_backlog() -> i32 {
    128
}

impl SocketConfig for WsServerConfig {
    const CONNECTOR_TYPE: &'static str = CONNECTOR_TYPE;

    fn check(&self) -> Result<()> {
        // The files are read now, so that a bad one fails the connector's creation.
        self.tls_acceptor()?;
        WsUrl::parse(CONNECTOR_TYPE, &self.url).map(drop)
    }
}

impl WsServerConfig {
    /// The TLS handshake for accepted connections; `None`: plain.
    pub fn tls_acceptor(&self) -> Result<Option<TlsAcceptor>> {
        TlsServerConfig::from_field(CONNECTOR_TYPE, self.tls.as_ref())?
            .map(|tls| tls.acceptor(CONNECTOR_TYPE))
            .transpose()
    }
}

/// The connector.
pub struct WsServer {
    alias: String,
    config: WsServerConfig,
    /// An error (a file that changed after the config check read it) makes `connect` fail:
    /// never plain instead of TLS.
    tls: std::result::Result<Option<TlsAcceptor>, ConnectorError>,
    shared: Shared,
    local_addr: Option<SocketAddr>,
}

/// A `ws_server` for the context `ctx` and the config record `config` (JSON text).
pub fn new(ctx: ConnectorContext, config: &str) -> Result<WsServer> {
    let config = WsServerConfig::from_json(config)?;
    Ok(WsServer {
        alias: ctx.alias(),
        tls: config.tls_acceptor(),
        config,
        shared: Shared {
            listener: Slot::new(CONNECTOR_TYPE),
            connections: Arc::default(),
        },
        local_addr: None,
    })
}

impl WsServer {
    /// The address the listener is bound to (after `connect`), e.g. to learn a port chosen by
    /// the system for port `0`.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local_addr
    }
}

impl Connector for WsServer {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        let accept = source::Accept {
            tls: self.tls.clone().ok().flatten(),
            nodelay: self.config.socket_options.nodelay_or(true),
        };
        Ok(Some(into_raw_source(source::ServerSource::new(
            self.alias.clone(),
            accept,
            self.shared.clone(),
        ))))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(sink::ServerSink::new(
            self.alias.clone(),
            self.shared.clone(),
        ))))
    }

    async fn connect(&mut self, _attempt: u64) -> Result<bool> {
        if self.shared.listener.is_set()? {
            // A reconnect: the listener is still fine (and the source still accepts on it).
            return Ok(true);
        }
        if let Err(e) = &self.tls {
            return Err(e.clone());
        }
        let address = WsUrl::parse(CONNECTOR_TYPE, &self.config.url)?.bind_address();
        let listener = tcp_listen(&address, &self.config.socket_options, self.config.backlog)
            .await
            .with_io_context(|| format!("cannot listen on {address}"))?;
        let local = listener
            .local_addr()
            .io_context("cannot read the listening address")?;
        log::info!("[{}] listening on {local}", self.alias);
        self.local_addr = Some(local);
        self.shared.listener.publish(listener)?;
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        self.shared.listener.clear()?;
        let connections: Vec<Connection> =
            self.shared.connections()?.drain().map(|(_, c)| c).collect();
        for mut connection in connections {
            // A close message first, so that clients see a clean close; a client that does
            // not take it at once does not hold up the stop.
            if let Some(sender) = connection.sender.as_mut() {
                let closing = async {
                    let _ = sender.close(None).await;
                };
                let too_slow = async_io::Timer::after(std::time::Duration::from_millis(100));
                futures_lite::future::or(closing, async {
                    too_slow.await;
                })
                .await;
            }
            connection.socket.shutdown();
        }
        log::info!("[{}] stopped listening", self.alias);
        Ok(())
    }
}

/// What the connector, its source and its sink share.
#[derive(Clone)]
struct Shared {
    /// The listener; each `connect` that binds publishes a generation the source takes up.
    listener: Slot<TcpListener>,
    /// The open connections by peer address (what `$ws_server.peer` names).
    connections: Arc<Mutex<HashMap<SocketAddr, Connection>>>,
}

impl Shared {
    fn connections(&self) -> Result<MutexGuard<'_, HashMap<SocketAddr, Connection>>> {
        lock(&self.connections, "ws_server connections")
    }

    /// Forgets connection `id` of `peer` and closes its socket (if it is still the one there).
    fn close(&self, peer: SocketAddr, id: u64) -> Result<()> {
        let mut connections = self.connections()?;
        if connections.get(&peer).is_some_and(|c| c.id == id) {
            if let Some(connection) = connections.remove(&peer) {
                connection.socket.shutdown();
            }
        }
        Ok(())
    }
}

/// One open connection, as the sink sees it.
struct Connection {
    /// The connection number (its stream id).
    id: u64,
    /// The socket, for closing it.
    socket: TcpConnection,
    /// The sending half; `None` while the sink is writing to it.
    sender: Option<crate::Sender>,
}
