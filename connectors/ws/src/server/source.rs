//! The source part of `ws_server`: accepts connections, runs their handshakes and reads
//! messages from all of them.

use super::{Connection, Shared, CONNECTOR_TYPE};
use crate::frames::{received, ConnectionMeta, Received};
use async_net::{TcpListener, TcpStream};
use async_tungstenite::{accept_async, tungstenite::Message, WebSocketStream};
use futures_lite::StreamExt;
use futures_util::stream::FuturesUnordered;
use std::{collections::VecDeque, future::Future, io, net::SocketAddr, pin::Pin, sync::Arc};
use tremor_connector_net::{TcpConnection, TlsAcceptor, Watch};
use tremor_pdk::{Result, Source, SourceReply};

/// How accepted connections are set up.
#[derive(Clone)]
pub(super) struct Accept {
    /// The TLS handshake; `None`: plain.
    pub tls: Option<TlsAcceptor>,
    /// `TCP_NODELAY` on accepted connections.
    pub nodelay: bool,
}

impl Accept {
    /// The TLS handshake (if configured), then the WebSocket upgrade, within the time limit.
    async fn handshake(self, tcp: TcpStream) -> io::Result<WebSocketStream<TcpConnection>> {
        crate::within_handshake_timeout(async move {
            if let Err(e) = tcp.set_nodelay(self.nodelay) {
                // The connection works either way, only with other latency.
                log::debug!("cannot set TCP_NODELAY: {e}");
            }
            let socket = match self.tls {
                Some(acceptor) => TcpConnection::tls(acceptor.accept(tcp).await?),
                None => TcpConnection::Plain(tcp),
            };
            accept_async(socket)
                .await
                .map_err(|e| io::Error::other(format!("WebSocket handshake failed: {e}")))
        })
        .await
    }
}

/// A future the source polls in `pull`; it owns everything it works on.
type Task = Pin<Box<dyn Future<Output = Io> + Send>>;

/// What a finished task reports.
enum Io {
    Accepted {
        listener: TcpListener,
        result: io::Result<(TcpStream, SocketAddr)>,
    },
    /// The handshakes of an accepted connection are done (or failed).
    Upgraded {
        peer: SocketAddr,
        result: io::Result<Box<WebSocketStream<TcpConnection>>>,
    },
    Read {
        reader: Reader,
        next: Option<std::result::Result<Message, async_tungstenite::tungstenite::Error>>,
    },
}

/// One connection, as its reading task holds it.
struct Reader {
    id: u64,
    peer: SocketAddr,
    receiver: crate::Receiver,
    meta: Arc<ConnectionMeta>,
}

pub(super) struct ServerSource {
    alias: String,
    accept: Accept,
    listener: Watch<TcpListener>,
    shared: Shared,
    /// Accepting, handshakes and reading in progress. Owned here, not by a `pull` future, so
    /// that a cancelled pull loses nothing.
    tasks: FuturesUnordered<Task>,
    /// Streams that have not ended yet.
    open: Vec<u64>,
    /// Replies to hand out before polling again.
    pending: VecDeque<SourceReply>,
    next_id: u64,
}

impl ServerSource {
    pub(super) fn new(alias: String, accept: Accept, shared: Shared) -> Self {
        Self {
            alias,
            accept,
            listener: shared.listener.watch(),
            shared,
            tasks: FuturesUnordered::new(),
            open: Vec::new(),
            pending: VecDeque::new(),
            next_id: 0,
        }
    }

    /// Takes up the listener of a new `connect`: the streams of the old one end, accepting
    /// starts on the new one.
    fn refresh(&mut self) -> Result<()> {
        if self.listener.refresh()? {
            self.tasks = self
                .listener
                .get_mut()
                .map(|l| accept(l.clone()))
                .into_iter()
                .collect();
            self.open.sort_unstable();
            let ended = self
                .open
                .drain(..)
                .map(|stream| SourceReply::EndStream { stream });
            self.pending.extend(ended);
        }
        Ok(())
    }

    /// Handles a finished task; `Some` when it produced something for the runtime.
    fn on_io(&mut self, io: Io) -> Result<Option<SourceReply>> {
        match io {
            Io::Accepted { listener, result } => {
                self.tasks.push(accept(listener));
                let Err(e) = result.map(|(tcp, peer)| {
                    self.tasks.push(upgrade(self.accept.clone(), tcp, peer));
                }) else {
                    return Ok(None);
                };
                // Usually out of file descriptors: back off instead of spinning.
                log::warn!("[{}] cannot accept a connection: {e}", self.alias);
                Ok(Some(SourceReply::Empty { wait_ms: 100 }))
            }
            Io::Upgraded {
                peer,
                result: Ok(ws),
            } => {
                self.on_upgraded(*ws, peer)?;
                Ok(None)
            }
            Io::Upgraded {
                peer,
                result: Err(e),
            } => {
                // Only this client is refused; the server goes on.
                log::warn!("[{}] connection from {peer} dropped: {e}", self.alias);
                Ok(None)
            }
            Io::Read { reader, next } => match received(reader.id, next, &reader.meta) {
                Received::Data(batch) => {
                    self.tasks.push(read(reader));
                    Ok(Some(SourceReply::Data(batch)))
                }
                Received::Control => {
                    self.tasks.push(read(reader));
                    Ok(None)
                }
                Received::Ended(why) => {
                    match why {
                        Some(why) => {
                            log::warn!("[{}] connection {} failed: {why}", self.alias, reader.id)
                        }
                        None => log::debug!("[{}] connection {} closed", self.alias, reader.id),
                    }
                    self.shared.close(reader.peer, reader.id)?;
                    self.open.retain(|&id| id != reader.id);
                    Ok(Some(SourceReply::EndStream { stream: reader.id }))
                }
            },
        }
    }

    fn on_upgraded(&mut self, ws: WebSocketStream<TcpConnection>, peer: SocketAddr) -> Result<()> {
        let id = self.next_id;
        self.next_id += 1;
        log::info!("[{}] connection {id} from {peer}", self.alias);
        let socket = ws.get_ref().clone();
        let (sender, receiver) = ws.split();
        let previous = self.shared.connections()?.insert(
            peer,
            Connection {
                id,
                socket,
                sender: Some(sender),
            },
        );
        if let Some(previous) = previous {
            // The peer's address was reused: the old connection is gone for good.
            previous.socket.shutdown();
        }
        self.open.push(id);
        let meta = ConnectionMeta::new(CONNECTOR_TYPE, self.accept.tls.is_some(), peer);
        self.tasks.push(read(Reader {
            id,
            peer,
            receiver,
            meta: Arc::new(meta),
        }));
        Ok(())
    }
}

fn accept(listener: TcpListener) -> Task {
    Box::pin(async move {
        let result = listener.accept().await;
        Io::Accepted { listener, result }
    })
}

fn upgrade(setup: Accept, tcp: TcpStream, peer: SocketAddr) -> Task {
    Box::pin(async move {
        let result = setup.handshake(tcp).await.map(Box::new);
        Io::Upgraded { peer, result }
    })
}

fn read(mut reader: Reader) -> Task {
    Box::pin(async move {
        let next = reader.receiver.next().await;
        Io::Read { reader, next }
    })
}

impl Source for ServerSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        self.refresh()?;
        while self.pending.is_empty() {
            // Cancellation-safe: the tasks live in `self`, and one that completes is handled
            // before this returns.
            match self.tasks.next().await {
                Some(io) => {
                    let reply = self.on_io(io)?;
                    self.pending.extend(reply);
                }
                // Not listening (before `connect`, after `on_stop`).
                None => return Ok(SourceReply::Empty { wait_ms: 10 }),
            }
        }
        Ok(self
            .pending
            .pop_front()
            .expect("the loop ends when one is pending"))
    }
}
