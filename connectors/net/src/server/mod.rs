//! The server side: a listener, every accepted connection a stream of its own, replies routed
//! to the connection named in an event's metadata.

mod sink;
mod source;

pub use sink::connection_of;

use crate::{lock, Slot, Transport};
use sink::ServerSink;
use source::ServerSource;
use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};
use tremor_pdk::{
    into_raw_sink, into_raw_source, CodecRequirement, Connector, ConnectorContext, RawSinkBox,
    RawSourceBox, Result,
};

/// What a server connector does itself: bind the listener (socket options, socket files) and
/// clean up after it.
pub trait ServerSocket: Send + 'static {
    /// The transport.
    type Transport: Transport;

    /// The size of each connection's read buffer, in bytes.
    fn buf_size(&self) -> usize;

    /// The transport with the options for accepted connections.
    fn transport(&self) -> Self::Transport;

    /// Binds the listener; `alias` is for log messages.
    fn bind(
        &mut self,
        alias: &str,
    ) -> impl Future<Output = Result<<Self::Transport as Transport>::Listener>> + Send;

    /// The listener is closed (the connector stopped or is dropped): removes what `bind`
    /// left behind. Called again on drop after a stop, so it must be idempotent.
    fn unbind(&mut self, _alias: &str) {}
}

/// A stream server connector: a [`ServerSocket`] (config and binding) with a [`Server`].
pub struct StreamServer<S: ServerSocket> {
    alias: String,
    socket: S,
    server: Server<S::Transport>,
}

impl<S: ServerSocket> StreamServer<S> {
    /// The connector of type `connector_type` for the context `ctx`.
    pub fn new(ctx: ConnectorContext, connector_type: &'static str, socket: S) -> Self {
        Self {
            alias: ctx.alias(),
            socket,
            server: Server::new(ctx.alias(), connector_type),
        }
    }

    /// The connector's own part: its config and what `bind` learnt.
    pub fn socket(&self) -> &S {
        &self.socket
    }
}

impl<S: ServerSocket> Connector for StreamServer<S> {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        let transport = self.socket.transport();
        Ok(Some(self.server.source(transport, self.socket.buf_size())))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(self.server.sink()))
    }

    async fn connect(&mut self, _attempt: u64) -> Result<bool> {
        if self.server.is_listening()? {
            // A reconnect: the listener is still fine (and the source still accepts on it).
            return Ok(true);
        }
        let listener = self.socket.bind(&self.alias).await?;
        self.server.listen(listener)?;
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        self.server.close()?;
        self.socket.unbind(&self.alias);
        log::info!("[{}] stopped listening", self.alias);
        Ok(())
    }
}

impl<S: ServerSocket> Drop for StreamServer<S> {
    fn drop(&mut self) {
        self.socket.unbind(&self.alias);
    }
}

/// How long a connection whose client closed its sending side stays open for replies.
pub const LINGER: Duration = Duration::from_secs(5);

/// A server connector's listener and open connections, shared by the connector, its source
/// and its sink.
///
/// * Source: every accepted connection is a stream of its own, with stream id = the
///   connection number (0, 1, 2, ... for the life of the connector), and data in chunks of at
///   most `buf_size` bytes, each batch with the metadata `{KEY: {"connection": N}}` (plus
///   `"peer"` where the transport names peers), KEY being the connector type. A client
///   closing its side ends the stream; a broken connection fails it.
/// * Sink: writes each event's bytes to the connection named by `KEY.connection` in its
///   metadata. An event without it, or for a connection that is gone, fails (with a warning).
///   After a client closed its side, replies may still be written to it for [`LINGER`].
///
/// The source keeps accepts and reads in progress in a set of futures that it owns and polls
/// in `pull`, so a pull the runtime cancels loses nothing and no executor is needed.
pub struct Server<T: Transport> {
    alias: String,
    shared: Shared<T>,
}

/// What the connector, its source and its sink share.
struct Shared<T: Transport> {
    /// The metadata key (the connector type).
    key: &'static str,
    /// The listener; each `listen` publishes a generation the source takes up.
    listener: Slot<T::Listener>,
    /// The open connections (their writing side), by connection number.
    writers: Arc<Mutex<HashMap<u64, Writer<T::Stream>>>>,
}

impl<T: Transport> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self {
            key: self.key,
            listener: self.listener.clone(),
            writers: self.writers.clone(),
        }
    }
}

impl<T: Transport> Shared<T> {
    fn writers(&self) -> Result<MutexGuard<'_, HashMap<u64, Writer<T::Stream>>>> {
        lock(&self.writers, &format!("{} connections", self.key))
    }
}

/// The writing side of one connection.
struct Writer<S> {
    stream: S,
    /// The client closed its sending side; the connection closes after [`LINGER`].
    read_closed: bool,
}

impl<T: Transport> Server<T> {
    /// A server that does not listen yet; `connector_type` is its metadata key.
    pub fn new(alias: String, connector_type: &'static str) -> Self {
        Self {
            alias,
            shared: Shared {
                key: connector_type,
                listener: Slot::new(connector_type),
                writers: Arc::default(),
            },
        }
    }

    /// Whether a listener is bound (a reconnect keeps it).
    pub fn is_listening(&self) -> Result<bool> {
        self.shared.listener.is_set()
    }

    /// Hands a freshly bound listener to the source.
    pub fn listen(&self, listener: T::Listener) -> Result<()> {
        self.shared.listener.publish(listener)?;
        Ok(())
    }

    /// Closes every connection and forgets the listener (the connector stops).
    pub fn close(&self) -> Result<()> {
        self.shared.listener.clear()?;
        for (_, writer) in self.shared.writers()?.drain() {
            T::shutdown(&writer.stream);
        }
        Ok(())
    }

    /// The source part: `transport` configures accepted connections; reads are at most
    /// `buf_size` bytes.
    pub fn source(&self, transport: T, buf_size: usize) -> RawSourceBox {
        into_raw_source(ServerSource::new(
            self.alias.clone(),
            transport,
            self.shared.clone(),
            buf_size,
        ))
    }

    /// The sink part.
    pub fn sink(&self) -> RawSinkBox {
        into_raw_sink(ServerSink::new(self.alias.clone(), self.shared.clone()))
    }
}
