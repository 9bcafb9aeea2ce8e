//! `tcp_server`: listens for TCP connections; reads what clients send and writes replies back
//! to the connection a request came from.
//!
//! * `connect` binds the listener; a reconnect keeps it.
//! * Source: every accepted connection is a stream of its own, with stream id = the connection
//!   number (0, 1, 2, ... for the life of the connector). Data arrives in chunks of at most
//!   `buf_size` bytes as they were read (frame lines with the `separate` preprocessor), each
//!   batch with the metadata `{"tcp_server": {"peer": "ip:port", "connection": N}}`. A client
//!   closing its side ends the stream; a broken connection fails it.
//! * Sink: writes each event's bytes to the connection named by `tcp_server.connection` in its
//!   metadata, so a pipeline that passes events through answers the client that sent them. An
//!   event without that metadata, or for a connection that is gone, fails (with a warning).
//!   After a client closed its side, replies may still be written to it for [`LINGER`];
//!   then the server closes the connection.
//!
//! The connector is `tremor_connector_net::StreamServer` (listener, accept loop, connections,
//! reply routing) around a [`TcpServerSocket`], which binds with the socket options.

mod config;
#[cfg(test)]
mod tests;

pub use config::TcpServerConfig;
pub use tremor_connector_net::TcpSocketOptions;
pub use tremor_connector_net::LINGER;

use async_net::TcpListener;
use std::net::SocketAddr;
use tremor_connector_net::{tcp_listen, ServerSocket, SocketConfig, Tcp, TlsAcceptor};
use tremor_pdk::{io::IoResultExt, ConnectorError, Result};

tremor_connector_net::socket_connector! {
    /// The connector: a stream server listening per its config.
    TcpServer = StreamServer<TcpServerSocket>("tcp_server", TcpServerConfig::from_json)
}

/// The config of the listening socket and the address it is bound to.
pub struct TcpServerSocket {
    config: TcpServerConfig,
    local_addr: Option<SocketAddr>,
    /// The TLS handshake of accepted connections; `None`: plain. An error (a file that
    /// changed after the config check read it) makes `bind` fail: never plain instead of TLS.
    tls: std::result::Result<Option<TlsAcceptor>, ConnectorError>,
}

impl From<TcpServerConfig> for TcpServerSocket {
    fn from(config: TcpServerConfig) -> Self {
        let tls = config.tls_acceptor();
        Self {
            config,
            local_addr: None,
            tls,
        }
    }
}

impl TcpServerSocket {
    /// The address the listener is bound to (after `connect`), e.g. to learn a port chosen by
    /// the system for port `0`.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local_addr
    }
}

impl ServerSocket for TcpServerSocket {
    type Transport = Tcp;

    fn buf_size(&self) -> usize {
        self.config.buf_size.bytes()
    }

    fn transport(&self) -> Tcp {
        Tcp {
            nodelay: self.config.tcp_nodelay(),
            tls: self.tls.clone().ok().flatten(),
        }
    }

    async fn bind(&mut self, alias: &str) -> Result<TcpListener> {
        if let Err(e) = &self.tls {
            return Err(e.clone());
        }
        let address = self.config.address()?;
        let options = &self.config.socket_options;
        let listener = tcp_listen(&address, options, self.config.backlog)
            .await
            .with_io_context(|| format!("cannot listen on {address}"))?;
        let local = listener
            .local_addr()
            .io_context("cannot read the listening address")?;
        log::info!("[{alias}] listening on {local}");
        self.local_addr = Some(local);
        Ok(listener)
    }
}
