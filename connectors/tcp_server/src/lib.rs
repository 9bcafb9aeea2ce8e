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
//! The source keeps accepts and reads in progress in a set of futures that it owns and polls in
//! `pull`, so a pull the runtime cancels loses nothing and no executor is needed.

mod config;
mod sink;
mod source;
#[cfg(test)]
mod tests;

pub use config::{TcpServerConfig, TcpSocketOptions};

use async_net::{TcpListener, TcpStream};
use socket2::{Domain, Protocol, Socket, Type};
use std::{
    collections::HashMap,
    net::{Shutdown, SocketAddr},
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};
use tremor_pdk::{
    into_raw_sink, into_raw_source, CodecRequirement, Connector, ConnectorContext, ConnectorError,
    RawSinkBox, RawSourceBox, Result,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "tcp_server";

/// How long a connection whose client closed its sending side stays open for replies.
pub const LINGER: Duration = Duration::from_secs(5);

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<TcpServer, ConnectorError> {
    let config = TcpServerConfig::from_json(config)?;
    Ok(TcpServer {
        alias: ctx.alias(),
        config,
        shared: Arc::default(),
        local_addr: None,
    })
}

/// The connector.
pub struct TcpServer {
    alias: String,
    config: TcpServerConfig,
    shared: Arc<Mutex<Shared>>,
    local_addr: Option<SocketAddr>,
}

/// What the connector, its source and its sink share.
#[derive(Default)]
struct Shared {
    /// Bumped by every `connect`: the source picks up `listener` when it sees a new value.
    generation: u64,
    /// The listener bound by the latest `connect`.
    listener: Option<TcpListener>,
    /// The open connections (their writing side), by connection number.
    writers: HashMap<u64, Writer>,
}

/// The writing side of one connection.
struct Writer {
    stream: TcpStream,
    /// The client closed its sending side; the connection closes after [`LINGER`].
    read_closed: bool,
}

impl Shared {
    /// Closes every connection and forgets the listener.
    fn close_all(&mut self) {
        self.listener = None;
        for (_, writer) in self.writers.drain() {
            // The peer may be gone already; closing is all that is wanted.
            let _ = writer.stream.shutdown(Shutdown::Both);
        }
    }
}

/// Locks the shared state; a poisoned lock (a panic elsewhere) is an error, not a panic.
fn lock(shared: &Mutex<Shared>) -> Result<MutexGuard<'_, Shared>> {
    shared
        .lock()
        .map_err(|_| ConnectorError::other("tcp_server state lock poisoned"))
}

impl TcpServer {
    /// The address the listener is bound to (after `connect`), e.g. to learn a port chosen by
    /// the system for port `0`.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local_addr
    }
}

impl Connector for TcpServer {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(source::TcpServerSource::new(
            self.alias.clone(),
            self.shared.clone(),
            self.config.buf_size,
            self.config.socket_options.tcp_nodelay,
        ))))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(sink::TcpServerSink::new(
            self.alias.clone(),
            self.shared.clone(),
        ))))
    }

    async fn connect(&mut self, _attempt: u64) -> Result<bool> {
        if lock(&self.shared)?.listener.is_some() {
            // A reconnect: the listener is still fine (and the source still accepts on it).
            return Ok(true);
        }
        let address = self.config.address()?;
        let listener = listen(&address, &self.config.socket_options)
            .await
            .map_err(|e| io_error(&format!("cannot listen on {address}"), e))?;
        let local = listener
            .local_addr()
            .map_err(|e| io_error("cannot read the listening address", e))?;
        log::info!("[{}] listening on {local}", self.alias);
        self.local_addr = Some(local);
        let mut shared = lock(&self.shared)?;
        shared.listener = Some(listener);
        shared.generation += 1;
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        lock(&self.shared)?.close_all();
        log::info!("[{}] stopped listening", self.alias);
        Ok(())
    }
}

/// An I/O error with context; the kind follows the pdk mapping (refused/reset → connection).
fn io_error(context: &str, e: std::io::Error) -> ConnectorError {
    let kind = ConnectorError::from(std::io::Error::from(e.kind())).kind;
    ConnectorError::new(kind, format!("{context}: {e}"))
}

/// Binds the listener, with `SO_REUSEPORT` when asked (which must be set before `bind`, so
/// that case builds the socket by hand).
async fn listen(address: &str, options: &TcpSocketOptions) -> std::io::Result<TcpListener> {
    if !options.so_reuseport {
        return TcpListener::bind(address).await;
    }
    let mut last_error = None;
    for addr in async_net::resolve(address).await? {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        socket.set_reuse_address(true)?;
        socket.set_reuse_port(true)?;
        socket.set_nonblocking(true)?;
        match socket.bind(&addr.into()).and_then(|()| socket.listen(1024)) {
            Ok(()) => return TcpListener::try_from(std::net::TcpListener::from(socket)),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the address resolves to nothing",
        )
    }))
}
