//! `udp_server`: receives UDP datagrams; sends replies back to their senders.
//!
//! * `connect` binds the socket; a reconnect keeps it.
//! * Source: every datagram is one chunk on stream 0 (a datagram longer than `buf_size` is
//!   cut), with the metadata `{"udp_server": {"peer": "ip:port"}}` naming its sender.
//! * Sink: sends each chunk of an event as one datagram to the peer named by
//!   `udp_server.peer` in the event's metadata, so a pipeline that passes events through
//!   answers their senders. An event without that metadata fails (with a warning), and so does
//!   one whose datagram cannot be sent.

mod config;
#[cfg(test)]
mod tests;

pub use config::UdpServerConfig;

use async_net::UdpSocket;
use serde::Deserialize;
use std::{borrow::Cow, net::SocketAddr};
use tremor_connector_net::{Slot, Watch};
use tremor_pdk::{
    into_raw_sink, into_raw_source, io::IoResultExt, CbAction, CodecRequirement, Connector,
    ConnectorContext, ConnectorError, EventAck, RawSinkBox, RawSourceBox, Result, Sink, SinkBatch,
    SinkReplies, Source, SourceBatch, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "udp_server";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<UdpServer, ConnectorError> {
    let config = UdpServerConfig::from_json(config)?;
    Ok(UdpServer {
        alias: ctx.alias(),
        config,
        slot: Slot::new(CONNECTOR_TYPE),
    })
}

/// The connector.
pub struct UdpServer {
    alias: String,
    config: UdpServerConfig,
    /// The socket bound by `connect`, for the source and the sink to pick up.
    slot: Slot<UdpSocket>,
}

impl UdpServer {
    /// The address the socket is bound to (after `connect`), e.g. to learn a port chosen by
    /// the system for port `0`.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.slot
            .with(|socket| socket.and_then(|s| s.local_addr().ok()))
            .ok()
            .flatten()
    }
}

impl Connector for UdpServer {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(UdpServerSource {
            alias: self.alias.clone(),
            socket: self.slot.watch(),
            buf: vec![0; self.config.buf_size.bytes()],
        })))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(UdpServerSink {
            alias: self.alias.clone(),
            socket: self.slot.watch(),
        })))
    }

    async fn connect(&mut self, _attempt: u64) -> Result<bool> {
        if self.local_addr().is_some() {
            // A reconnect: the socket is still fine.
            return Ok(true);
        }
        let address = self.config.address()?;
        let socket = UdpSocket::bind(address.as_str())
            .await
            .with_io_context(|| format!("cannot bind {address}"))?;
        let local = socket.local_addr()?;
        log::info!("[{}] receiving datagrams on {local}", self.alias);
        self.slot.publish(socket)?;
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        self.slot.clear()?;
        Ok(())
    }
}

struct UdpServerSource {
    alias: String,
    socket: Watch<UdpSocket>,
    buf: Vec<u8>,
}

impl Source for UdpServerSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        self.socket.refresh()?;
        let Some(socket) = self.socket.get_mut() else {
            return Ok(SourceReply::Empty { wait_ms: 10 });
        };
        // Cancellation-safe: a datagram is taken from the socket only in the poll that returns.
        match socket.recv_from(&mut self.buf).await {
            Ok((n, peer)) => {
                let meta = format!(r#"{{"udp_server":{{"peer":"{peer}"}}}}"#);
                let chunk = self.buf[..n].to_vec();
                Ok(SourceReply::Data(
                    SourceBatch::bytes(0, vec![chunk.into()]).with_meta(meta),
                ))
            }
            Err(e) => {
                // A datagram socket has no connection to lose; a receive error concerns one
                // datagram at most.
                log::warn!("[{}] receiving a datagram failed: {e}", self.alias);
                Ok(SourceReply::Empty { wait_ms: 10 })
            }
        }
    }
}

/// The part of an event's metadata the sink reads.
#[derive(Deserialize)]
struct Meta<'a> {
    #[serde(borrow)]
    udp_server: Option<ServerMeta<'a>>,
}

#[derive(Deserialize)]
struct ServerMeta<'a> {
    #[serde(borrow)]
    peer: Option<Cow<'a, str>>,
}

/// The peer named by a metadata record, if any.
fn peer_of(meta: Option<&[u8]>) -> Option<SocketAddr> {
    let meta: Meta<'_> = serde_json::from_slice(meta?).ok()?;
    meta.udp_server?.peer?.parse().ok()
}

struct UdpServerSink {
    alias: String,
    socket: Watch<UdpSocket>,
}

impl Sink for UdpServerSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        self.socket.refresh()?;
        let Some(socket) = self.socket.get_mut() else {
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
            let meta = event.meta();
            let peer = match last {
                Some((m, peer)) if m == meta => peer,
                _ => {
                    let peer = peer_of(meta);
                    last = Some((meta, peer));
                    peer
                }
            };
            let Some(peer) = peer else {
                replies.push(i, EventAck::FAIL, CbAction::NONE);
                unroutable += 1;
                continue;
            };
            for chunk in event.chunks() {
                if let Err(e) = socket.send_to(chunk, peer).await {
                    log::warn!("[{}] sending a datagram to {peer} failed: {e}", self.alias);
                    replies.push(i, EventAck::FAIL, CbAction::NONE);
                    break;
                }
            }
        }
        if unroutable > 0 {
            log::warn!(
                "[{}] {unroutable} event(s) failed: no peer in their metadata (`udp_server.peer`)",
                self.alias
            );
        }
        Ok(replies)
    }
}
