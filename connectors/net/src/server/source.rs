//! The source part of a stream server: accepts connections and reads from all of them.

use super::{Shared, Writer, LINGER};
use crate::{Transport, Watch};
use async_io::Timer;
use futures_lite::{AsyncReadExt, StreamExt};
use futures_util::stream::FuturesUnordered;
use std::{
    collections::{HashSet, VecDeque},
    future::Future,
    io,
    pin::Pin,
};
use tremor_pdk::{Result, Source, SourceBatch, SourceReply};

/// A future the source polls in `pull`; it owns everything it works on.
type Task<T> = Pin<Box<dyn Future<Output = Io<T>> + Send>>;

/// What a finished task reports.
enum Io<T: Transport> {
    Accepted {
        listener: T::Listener,
        result: io::Result<(T::Stream, T::Peer)>,
    },
    /// An accepted connection is ready (or its TLS handshake failed).
    Established {
        peer: T::Peer,
        result: io::Result<T::Stream>,
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

pub(super) struct ServerSource<T: Transport> {
    alias: String,
    transport: T,
    listener: Watch<T::Listener>,
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
    pub(super) fn new(alias: String, transport: T, shared: Shared<T>, buf_size: usize) -> Self {
        Self {
            alias,
            transport,
            listener: shared.listener.watch(),
            shared,
            buf_size,
            tasks: FuturesUnordered::new(),
            open: HashSet::new(),
            pending: VecDeque::new(),
            next_id: 0,
        }
    }

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
                    Ok((stream, peer)) => {
                        let ready = self.transport.establish(stream);
                        self.tasks.push(Box::pin(async move {
                            let result = ready.await;
                            Io::Established { peer, result }
                        }));
                        Ok(None)
                    }
                    Err(e) => {
                        // Usually out of file descriptors: do not spin on it.
                        log::warn!("[{}] accepting a connection failed: {e}", self.alias);
                        Ok(Some(SourceReply::Empty { wait_ms: 100 }))
                    }
                }
            }
            Io::Established {
                peer,
                result: Ok(stream),
            } => self.on_accepted(stream, &peer),
            Io::Established {
                peer,
                result: Err(e),
            } => {
                // Only this client is refused (a bad handshake, a wrong certificate); the
                // server goes on.
                let peer = T::peer_name(&peer).unwrap_or_else(|| "a client".into());
                log::warn!("[{}] connection from {peer} dropped: {e}", self.alias);
                Ok(None)
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
