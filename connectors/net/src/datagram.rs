//! The datagram side (`udp_*`): a bound socket shared by the source (receives) and the sink
//! (sends), either to one destination (a client) or back to the sender named in each event's
//! metadata (a server).

use crate::{meta::record_of, udp_bind, Slot, UdpSocketOptions, Watch};
use async_net::UdpSocket;
use serde::Deserialize;
use std::{future::Future, net::SocketAddr};
use tremor_pdk::{
    into_raw_sink, into_raw_source, io::IoResultExt, CbAction, CodecRequirement, Connector,
    ConnectorContext, EventAck, RawSinkBox, RawSourceBox, Result, Sink, SinkBatch, SinkReplies,
    Source, SourceBatch, SourceReply,
};

/// What a datagram connector does itself: bind its socket.
pub trait DatagramSocket: Send + 'static {
    /// Whether a reconnect keeps the bound socket (a server) or binds again (a client).
    const KEEP_ON_RECONNECT: bool;

    /// Binds the socket (and resolves the destination); `alias` is for log messages.
    fn bind(&mut self, alias: &str) -> impl Future<Output = Result<Bound>> + Send;

    /// The size of the receive buffer, in bytes: a longer datagram is cut.
    fn buf_size(&self) -> usize;
}

/// A bound socket and where the sink sends.
#[derive(Clone)]
pub struct Bound {
    /// The socket.
    pub socket: UdpSocket,
    /// `Some`: every datagram goes there (a client). `None`: each event goes to the peer
    /// named by `KEY.peer` in its metadata, and the source names the sender of each datagram
    /// there (a server), KEY being the connector type.
    pub destination: Option<SocketAddr>,
}

/// Binds a UDP socket to `address` with `options`; errors name the address. Returns the bound
/// address too (with the port the system picked for port 0).
pub async fn bind_udp(
    address: &str,
    options: &UdpSocketOptions,
) -> Result<(UdpSocket, SocketAddr)> {
    let socket = udp_bind(address, options)
        .await
        .with_io_context(|| format!("cannot bind {address}"))?;
    let local = socket.local_addr()?;
    Ok((socket, local))
}

/// The peer named by a metadata record: `{key: {"peer": "ip:port", ...}, ...}`.
pub fn peer_of(key: &str, meta: Option<&[u8]>) -> Option<SocketAddr> {
    #[derive(Deserialize)]
    struct PeerMeta {
        peer: Option<String>,
    }
    record_of::<PeerMeta>(key, meta)?.peer?.parse().ok()
}

/// A datagram connector: a [`DatagramSocket`] (config and binding) with the source and sink.
///
/// * Source: every datagram that arrives is one chunk on stream 0, cut to `buf_size`; a
///   receive error concerns one datagram at most and is only logged.
/// * Sink: sends each chunk of an event as one datagram. An event whose datagram cannot be
///   sent fails (with a warning), and so does every event while not bound.
pub struct DatagramConnector<D: DatagramSocket> {
    alias: String,
    key: &'static str,
    socket: D,
    slot: Slot<Bound>,
}

impl<D: DatagramSocket> DatagramConnector<D> {
    /// The connector of type `connector_type` for the context `ctx`.
    pub fn new(ctx: ConnectorContext, connector_type: &'static str, socket: D) -> Self {
        Self {
            alias: ctx.alias(),
            key: connector_type,
            socket,
            slot: Slot::new(connector_type),
        }
    }

    /// The local address of the socket (after `connect`), e.g. to learn a port chosen by the
    /// system for port `0`.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.slot
            .with(|bound| bound.and_then(|b| b.socket.local_addr().ok()))
            .ok()
            .flatten()
    }
}

impl<D: DatagramSocket> Connector for DatagramConnector<D> {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(DatagramSource {
            alias: self.alias.clone(),
            key: self.key,
            current: self.slot.watch(),
            buf: vec![0; self.socket.buf_size()],
            held: None,
        })))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(DatagramSink {
            alias: self.alias.clone(),
            key: self.key,
            current: self.slot.watch(),
        })))
    }

    async fn connect(&mut self, _attempt: u64) -> Result<bool> {
        if D::KEEP_ON_RECONNECT && self.slot.is_set()? {
            // A reconnect: the socket is still fine.
            return Ok(true);
        }
        let bound = self.socket.bind(&self.alias).await?;
        self.slot.publish(bound)?;
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        // The parts keep their socket until a reconnect hands them a new one.
        self.slot.clear()?;
        Ok(())
    }
}

/// The most datagrams one pull hands over. A burst must leave the kernel's receive buffer
/// quickly (a full buffer drops what arrives), so a pull takes every datagram that is already
/// there, up to this many.
const MAX_DATAGRAMS_PER_PULL: usize = 64;

struct DatagramSource {
    alias: String,
    key: &'static str,
    current: Watch<Bound>,
    buf: Vec<u8>,
    /// A datagram read while filling a batch that belongs in the next one (a server's batch
    /// carries one sender in its metadata; this one came from another).
    held: Option<(Vec<u8>, SocketAddr)>,
}

impl DatagramSource {
    /// The next datagram and its sender: the one held back, else one from the socket; with
    /// `wait` false, `None` when none has arrived yet. A receive error concerns one datagram
    /// at most (a datagram socket has no connection to lose), so it is only logged.
    async fn next(&mut self, socket: &UdpSocket, wait: bool) -> Option<(Vec<u8>, SocketAddr)> {
        if let Some(held) = self.held.take() {
            return Some(held);
        }
        // Cancellation-safe: a datagram is taken from the socket only in the poll that returns
        // it, so dropping the pending receive (here or when the runtime cancels a pull) loses
        // nothing.
        let received = if wait {
            Some(socket.recv_from(&mut self.buf).await)
        } else {
            futures_lite::future::poll_once(socket.recv_from(&mut self.buf)).await
        };
        match received? {
            Ok((n, peer)) => Some((self.buf[..n].to_vec(), peer)),
            Err(e) => {
                log::warn!("[{}] receiving a datagram failed: {e}", self.alias);
                None
            }
        }
    }
}

impl Source for DatagramSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        self.current.refresh()?;
        let Some(bound) = self.current.get_mut().cloned() else {
            return Ok(SourceReply::Empty { wait_ms: 10 });
        };
        let Some((first, peer)) = self.next(&bound.socket, true).await else {
            return Ok(SourceReply::Empty { wait_ms: 10 });
        };
        let mut chunks = vec![first.into()];
        while chunks.len() < MAX_DATAGRAMS_PER_PULL {
            let Some((datagram, sender)) = self.next(&bound.socket, false).await else {
                break;
            };
            if bound.destination.is_none() && sender != peer {
                self.held = Some((datagram, sender));
                break;
            }
            chunks.push(datagram.into());
        }
        let batch = SourceBatch::bytes(0, chunks);
        Ok(SourceReply::Data(match bound.destination {
            Some(_) => batch,
            None => batch.with_meta(format!(r#"{{"{}":{{"peer":"{peer}"}}}}"#, self.key)),
        }))
    }
}

struct DatagramSink {
    alias: String,
    key: &'static str,
    current: Watch<Bound>,
}

impl Sink for DatagramSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        self.current.refresh()?;
        let Some(bound) = self.current.get_mut() else {
            log::warn!(
                "[{}] not bound: {} event(s) failed",
                self.alias,
                batch.len()
            );
            return Ok(SinkReplies::fail_all());
        };
        let mut replies = SinkReplies::ack_all();
        let mut unroutable = 0usize;
        // Events of one source batch share their metadata text: parse it once.
        let mut last: Option<(Option<&[u8]>, Option<SocketAddr>)> = None;
        for (i, event) in batch.iter().enumerate() {
            let target = bound.destination.or_else(|| {
                let meta = event.meta();
                match last {
                    Some((m, peer)) if m == meta => peer,
                    _ => {
                        let peer = peer_of(self.key, meta);
                        last = Some((meta, peer));
                        peer
                    }
                }
            });
            let Some(target) = target else {
                replies.push(i, EventAck::FAIL, CbAction::NONE);
                unroutable += 1;
                continue;
            };
            for chunk in event.chunks() {
                if let Err(e) = bound.socket.send_to(chunk, target).await {
                    log::warn!(
                        "[{}] sending a datagram to {target} failed: {e}",
                        self.alias
                    );
                    replies.push(i, EventAck::FAIL, CbAction::NONE);
                    break;
                }
            }
        }
        if unroutable > 0 {
            log::warn!(
                "[{}] {unroutable} event(s) failed: no peer in their metadata (`{}.peer`)",
                self.alias,
                self.key
            );
        }
        Ok(replies)
    }
}
