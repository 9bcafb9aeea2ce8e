//! The server side: a listener, every accepted connection a stream of its own, replies routed
//! to the connection named in an event's metadata.

use crate::{lock, Slot, Transport};
use async_io::Timer;
use futures_lite::{AsyncReadExt, AsyncWriteExt, StreamExt};
use futures_util::stream::FuturesUnordered;
use serde::Deserialize;
use std::{
    collections::{HashMap, HashSet, VecDeque},
    future::Future,
    io,
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};
use tremor_pdk::{
    into_raw_sink, into_raw_source, CbAction, CodecRequirement, Connector, ConnectorContext,
    EventAck, RawSinkBox, RawSourceBox, Result, Sink, SinkBatch, SinkReplies, Source, SourceBatch,
    SourceReply,
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
        into_raw_source(ServerSource {
            alias: self.alias.clone(),
            transport,
            listener: self.shared.listener.watch(),
            shared: self.shared.clone(),
            buf_size,
            tasks: FuturesUnordered::new(),
            open: HashSet::new(),
            pending: VecDeque::new(),
            next_id: 0,
        })
    }

    /// The sink part.
    pub fn sink(&self) -> RawSinkBox {
        into_raw_sink(ServerSink {
            alias: self.alias.clone(),
            shared: self.shared.clone(),
            out: Vec::new(),
            run: Vec::new(),
        })
    }
}

/// A future the source polls in `pull`; it owns everything it works on.
type Task<T> = Pin<Box<dyn Future<Output = Io<T>> + Send>>;

/// What a finished task reports.
enum Io<T: Transport> {
    Accepted {
        listener: T::Listener,
        result: io::Result<(T::Stream, T::Peer)>,
    },
    Read {
        conn: Conn<T::Stream>,
        result: io::Result<usize>,
    },
    /// The linger time of a connection whose client closed its side is over.
    Linger { id: u64 },
}

/// One accepted connection, as its reading task holds it.
struct Conn<S> {
    id: u64,
    stream: S,
    /// The metadata record of every batch from this connection.
    meta: String,
    buf: Vec<u8>,
}

struct ServerSource<T: Transport> {
    alias: String,
    transport: T,
    listener: crate::Watch<T::Listener>,
    shared: Shared<T>,
    buf_size: usize,
    /// Accepting and reading in progress. Owned here, not by a `pull` future, so that a
    /// cancelled pull loses nothing.
    tasks: FuturesUnordered<Task<T>>,
    /// Connections whose stream has not ended yet.
    open: HashSet<u64>,
    /// Replies to hand out before polling again.
    pending: VecDeque<SourceReply>,
    next_id: u64,
}

impl<T: Transport> ServerSource<T> {
    /// Takes up the listener of a new `listen`; the streams of the old one end.
    fn refresh(&mut self) -> Result<()> {
        if !self.listener.refresh()? {
            return Ok(());
        }
        self.tasks = FuturesUnordered::new();
        let mut ended: Vec<u64> = self.open.drain().collect();
        ended.sort_unstable();
        self.pending.extend(
            ended
                .into_iter()
                .map(|stream| SourceReply::EndStream { stream }),
        );
        if let Some(listener) = self.listener.get_mut() {
            self.tasks.push(accept::<T>(listener.clone()));
        }
        Ok(())
    }

    /// Handles a finished task; `Some` when it produced something for the runtime.
    fn on_io(&mut self, io: Io<T>) -> Result<Option<SourceReply>> {
        match io {
            Io::Accepted { listener, result } => {
                self.tasks.push(accept::<T>(listener));
                match result {
                    Ok((stream, peer)) => self.on_accepted(stream, &peer),
                    Err(e) => {
                        // Usually out of file descriptors: do not spin on it.
                        log::warn!("[{}] accepting a connection failed: {e}", self.alias);
                        Ok(Some(SourceReply::Empty { wait_ms: 100 }))
                    }
                }
            }
            Io::Read {
                conn,
                result: Ok(0),
            } => {
                log::debug!(
                    "[{}] connection {} closed by the client",
                    self.alias,
                    conn.id
                );
                self.open.remove(&conn.id);
                if let Some(w) = self.shared.writers()?.get_mut(&conn.id) {
                    w.read_closed = true;
                }
                let id = conn.id;
                self.tasks.push(Box::pin(async move {
                    Timer::after(LINGER).await;
                    Io::Linger { id }
                }));
                Ok(Some(SourceReply::EndStream { stream: id }))
            }
            Io::Read {
                mut conn,
                result: Ok(n),
            } => {
                // A mostly full buffer moves to the runtime as it is; a few bytes are copied out
                // so that the buffer is reused and small chunks do not pin large allocations.
                let chunk = if n >= self.buf_size / 2 {
                    let mut buf = std::mem::replace(&mut conn.buf, vec![0; self.buf_size]);
                    buf.truncate(n);
                    buf
                } else {
                    conn.buf[..n].to_vec()
                };
                let batch =
                    SourceBatch::bytes(conn.id, vec![chunk.into()]).with_meta(conn.meta.clone());
                self.tasks.push(read::<T>(conn));
                Ok(Some(SourceReply::Data(batch)))
            }
            Io::Read {
                conn,
                result: Err(e),
            } => {
                log::warn!("[{}] connection {} failed: {e}", self.alias, conn.id);
                self.open.remove(&conn.id);
                self.shared.writers()?.remove(&conn.id);
                Ok(Some(SourceReply::StreamFail {
                    stream: conn.id,
                    reason: e.to_string().into(),
                }))
            }
            Io::Linger { id } => {
                let mut writers = self.shared.writers()?;
                if writers.get(&id).is_some_and(|w| w.read_closed) {
                    writers.remove(&id);
                    log::debug!("[{}] connection {id} closed", self.alias);
                }
                Ok(None)
            }
        }
    }

    fn on_accepted(&mut self, stream: T::Stream, peer: &T::Peer) -> Result<Option<SourceReply>> {
        let id = self.next_id;
        self.next_id += 1;
        let peer = T::peer_name(peer);
        match &peer {
            Some(peer) => log::info!("[{}] connection {id} from {peer}", self.alias),
            None => log::info!("[{}] connection {id} accepted", self.alias),
        }
        if let Err(e) = self.transport.configure(&stream) {
            // The connection works either way, only with other latency.
            log::warn!("[{}] connection {id}: {e}", self.alias);
        }
        self.shared.writers()?.insert(
            id,
            Writer {
                stream: stream.clone(),
                read_closed: false,
            },
        );
        self.open.insert(id);
        let mut record = serde_json::Map::new();
        record.insert("connection".into(), id.into());
        if let Some(peer) = peer {
            record.insert("peer".into(), peer.into());
        }
        let meta = serde_json::json!({ self.shared.key: record });
        self.tasks.push(read::<T>(Conn {
            id,
            stream,
            meta: meta.to_string(),
            buf: vec![0; self.buf_size],
        }));
        Ok(None)
    }
}

fn accept<T: Transport>(listener: T::Listener) -> Task<T> {
    Box::pin(async move {
        let (listener, result) = T::accept(listener).await;
        Io::Accepted { listener, result }
    })
}

fn read<T: Transport>(mut conn: Conn<T::Stream>) -> Task<T> {
    Box::pin(async move {
        let result = conn.stream.read(&mut conn.buf).await;
        Io::Read { conn, result }
    })
}

impl<T: Transport> Source for ServerSource<T> {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        self.refresh()?;
        loop {
            if let Some(reply) = self.pending.pop_front() {
                return Ok(reply);
            }
            // Cancellation-safe: a task that completes is handled before this returns, and
            // tasks in progress stay in `self.tasks`.
            let Some(io) = self.tasks.next().await else {
                // Not listening (before `connect`, after `on_stop`).
                return Ok(SourceReply::Empty { wait_ms: 10 });
            };
            if let Some(reply) = self.on_io(io)? {
                return Ok(reply);
            }
        }
    }
}

/// The connection named by a metadata record: `{key: {"connection": N, ...}, ...}`.
pub fn connection_of(key: &str, meta: Option<&[u8]>) -> Option<u64> {
    #[derive(Deserialize)]
    struct ServerMeta {
        connection: Option<u64>,
    }
    crate::meta::record_of::<ServerMeta>(key, meta)?.connection
}

struct ServerSink<T: Transport> {
    alias: String,
    shared: Shared<T>,
    /// The bytes of consecutive events for one connection, written with one call.
    out: Vec<u8>,
    /// The batch indices of the events in `out`.
    run: Vec<usize>,
}

impl<T: Transport> ServerSink<T> {
    fn writer(&self, id: u64) -> Result<Option<T::Stream>> {
        Ok(self.shared.writers()?.get(&id).map(|w| w.stream.clone()))
    }

    /// Writes the pending run of events to connection `id`; fails them when that fails.
    async fn write_run(
        &mut self,
        target: Option<(u64, T::Stream)>,
        replies: &mut SinkReplies,
    ) -> Result<()> {
        if let Some((id, mut stream)) = target {
            if !self.out.is_empty() {
                if let Err(e) = stream.write_all(&self.out).await {
                    log::warn!(
                        "[{}] writing to connection {id} failed, closing it: {e}",
                        self.alias
                    );
                    T::shutdown(&stream);
                    self.shared.writers()?.remove(&id);
                    for &i in &self.run {
                        replies.push(i, EventAck::FAIL, CbAction::NONE);
                    }
                }
            }
        }
        self.out.clear();
        self.run.clear();
        Ok(())
    }
}

impl<T: Transport> Sink for ServerSink<T> {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        let mut replies = SinkReplies::ack_all();
        let mut unroutable = 0usize;
        // The connection of the current run and its stream (`None`: unknown connection).
        let mut current: Option<(u64, Option<T::Stream>)> = None;
        // Events of one source batch share their metadata text: parse it once.
        let mut last_meta: Option<(Option<&[u8]>, Option<u64>)> = None;
        self.out.clear();
        self.run.clear();
        for (i, event) in batch.iter().enumerate() {
            let meta = event.meta();
            let id = match last_meta {
                Some((m, id)) if m == meta => id,
                _ => {
                    let id = connection_of(self.shared.key, meta);
                    last_meta = Some((meta, id));
                    id
                }
            };
            let Some(id) = id else {
                replies.push(i, EventAck::FAIL, CbAction::NONE);
                unroutable += 1;
                continue;
            };
            if current.as_ref().map(|c| c.0) != Some(id) {
                let done = current.take().and_then(|(id, s)| s.map(|s| (id, s)));
                self.write_run(done, &mut replies).await?;
                current = Some((id, self.writer(id)?));
            }
            if current.as_ref().is_some_and(|c| c.1.is_none()) {
                replies.push(i, EventAck::FAIL, CbAction::NONE);
                unroutable += 1;
                continue;
            }
            for chunk in event.chunks() {
                self.out.extend_from_slice(chunk);
            }
            self.run.push(i);
        }
        let done = current.take().and_then(|(id, s)| s.map(|s| (id, s)));
        self.write_run(done, &mut replies).await?;
        if unroutable > 0 {
            log::warn!(
                "[{}] {unroutable} event(s) failed: no open connection named in their metadata (`{}.connection`)",
                self.alias,
                self.shared.key
            );
        }
        Ok(replies)
    }
}

#[cfg(test)]
mod tests {
    use super::connection_of;

    #[test]
    fn metadata_names_the_connection_under_the_connectors_key() {
        let of = |meta: &str| connection_of("tcp_server", Some(meta.as_bytes()));
        assert_eq!(
            of(r#"{"tcp_server": {"peer": "127.0.0.1:1", "connection": 7}}"#),
            Some(7)
        );
        assert_eq!(
            of(r#"{"other": [1, {"a": 2}], "tcp_server": {"connection": 3}}"#),
            Some(3)
        );
        assert_eq!(of(r#"{"udp_server": {}}"#), None);
        assert_eq!(of(r#"{"unix_socket_server": {"connection": 1}}"#), None);
        assert_eq!(of(r#"{"tcp_server": null}"#), None);
        assert_eq!(of(r#"{"tcp_server": {}}"#), None);
        assert_eq!(of("[1]"), None);
        assert_eq!(of("nonsense"), None);
        assert_eq!(connection_of("tcp_server", None), None);
    }
}
