//! The source part: accepts connections and reads from all of them.

use crate::{lock, Shared, Writer, LINGER};
use async_io::Timer;
use async_net::{TcpListener, TcpStream};
use futures_lite::{AsyncReadExt, StreamExt};
use futures_util::stream::FuturesUnordered;
use std::{
    collections::{HashSet, VecDeque},
    future::Future,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, Mutex},
};
use tremor_pdk::{Result, Source, SourceBatch, SourceReply};

/// A future the source polls in `pull`; it owns everything it works on.
type Task = Pin<Box<dyn Future<Output = Io> + Send>>;

/// What a finished task reports.
enum Io {
    Accepted {
        listener: TcpListener,
        result: io::Result<(TcpStream, SocketAddr)>,
    },
    Read {
        conn: Conn,
        result: io::Result<usize>,
    },
    /// The linger time of a connection whose client closed its side is over.
    Linger { id: u64 },
}

/// One accepted connection, as its reading task holds it.
struct Conn {
    id: u64,
    stream: TcpStream,
    /// The metadata record of every batch from this connection.
    meta: String,
    buf: Vec<u8>,
}

pub(crate) struct TcpServerSource {
    alias: String,
    shared: Arc<Mutex<Shared>>,
    /// The `Shared::generation` whose listener the tasks serve.
    generation: u64,
    buf_size: usize,
    /// `TCP_NODELAY` for accepted connections.
    tcp_nodelay: bool,
    /// Accepting and reading in progress. Owned here, not by a `pull` future, so that a
    /// cancelled pull loses nothing.
    tasks: FuturesUnordered<Task>,
    /// Connections whose stream has not ended yet.
    open: HashSet<u64>,
    /// Replies to hand out before polling again.
    pending: VecDeque<SourceReply>,
    next_id: u64,
}

impl TcpServerSource {
    pub(crate) fn new(
        alias: String,
        shared: Arc<Mutex<Shared>>,
        buf_size: usize,
        tcp_nodelay: bool,
    ) -> Self {
        Self {
            alias,
            shared,
            generation: 0,
            buf_size,
            tcp_nodelay,
            tasks: FuturesUnordered::new(),
            open: HashSet::new(),
            pending: VecDeque::new(),
            next_id: 0,
        }
    }

    /// Takes up the listener of a new `connect`; the streams of the old one end.
    fn refresh(&mut self) -> Result<()> {
        let shared = lock(&self.shared)?;
        if shared.generation == self.generation {
            return Ok(());
        }
        self.generation = shared.generation;
        let listener = shared.listener.clone();
        drop(shared);
        self.tasks = FuturesUnordered::new();
        let mut ended: Vec<u64> = self.open.drain().collect();
        ended.sort_unstable();
        self.pending.extend(
            ended
                .into_iter()
                .map(|stream| SourceReply::EndStream { stream }),
        );
        if let Some(listener) = listener {
            self.tasks.push(accept(listener));
        }
        Ok(())
    }

    /// Handles a finished task; `Some` when it produced something for the runtime.
    fn on_io(&mut self, io: Io) -> Result<Option<SourceReply>> {
        match io {
            Io::Accepted { listener, result } => {
                self.tasks.push(accept(listener));
                match result {
                    Ok((stream, peer)) => self.on_accepted(stream, peer),
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
                if let Some(w) = lock(&self.shared)?.writers.get_mut(&conn.id) {
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
                self.tasks.push(read(conn));
                Ok(Some(SourceReply::Data(batch)))
            }
            Io::Read {
                conn,
                result: Err(e),
            } => {
                log::warn!("[{}] connection {} failed: {e}", self.alias, conn.id);
                self.open.remove(&conn.id);
                lock(&self.shared)?.writers.remove(&conn.id);
                Ok(Some(SourceReply::StreamFail {
                    stream: conn.id,
                    reason: e.to_string().into(),
                }))
            }
            Io::Linger { id } => {
                let mut shared = lock(&self.shared)?;
                if shared.writers.get(&id).is_some_and(|w| w.read_closed) {
                    shared.writers.remove(&id);
                    log::debug!("[{}] connection {id} closed", self.alias);
                }
                Ok(None)
            }
        }
    }

    fn on_accepted(&mut self, stream: TcpStream, peer: SocketAddr) -> Result<Option<SourceReply>> {
        let id = self.next_id;
        self.next_id += 1;
        log::info!("[{}] connection {id} from {peer}", self.alias);
        if let Err(e) = stream.set_nodelay(self.tcp_nodelay) {
            // The connection works either way, only with other latency.
            log::warn!(
                "[{}] connection {id}: cannot set TCP_NODELAY: {e}",
                self.alias
            );
        }
        lock(&self.shared)?.writers.insert(
            id,
            Writer {
                stream: stream.clone(),
                read_closed: false,
            },
        );
        self.open.insert(id);
        let meta = serde_json::json!({"tcp_server": {"peer": peer.to_string(), "connection": id}});
        self.tasks.push(read(Conn {
            id,
            stream,
            meta: meta.to_string(),
            buf: vec![0; self.buf_size],
        }));
        Ok(None)
    }
}

fn accept(listener: TcpListener) -> Task {
    Box::pin(async move {
        let result = listener.accept().await;
        Io::Accepted { listener, result }
    })
}

fn read(mut conn: Conn) -> Task {
    Box::pin(async move {
        let result = conn.stream.read(&mut conn.buf).await;
        Io::Read { conn, result }
    })
}

impl Source for TcpServerSource {
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
