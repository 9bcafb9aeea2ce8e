//! `udp_client`: sends events as UDP datagrams to one address; reads the datagrams that
//! arrive on its own socket.
//!
//! * `connect` resolves `url`, binds the local socket (`bind`) and keeps both; a reconnect
//!   resolves and binds again.
//! * Sink: sends each chunk of an event as one datagram to `url`. An event whose datagram
//!   cannot be sent fails (with a warning). UDP does not tell whether anyone received it.
//! * Source: every datagram that arrives on the bound socket (replies, typically) is one chunk
//!   on stream 0; a datagram longer than `buf_size` is cut.

mod config;
#[cfg(test)]
mod tests;

pub use config::UdpClientConfig;

use async_net::UdpSocket;
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
};
use tremor_pdk::{
    into_raw_sink, into_raw_source, CbAction, CodecRequirement, Connector, ConnectorContext,
    ConnectorError, EventAck, RawSinkBox, RawSourceBox, Result, Sink, SinkBatch, SinkReplies,
    Source, SourceBatch, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "udp_client";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<UdpClient, ConnectorError> {
    let config = UdpClientConfig::from_json(config)?;
    Ok(UdpClient {
        alias: ctx.alias(),
        config,
        link: Arc::default(),
    })
}

/// The connector.
pub struct UdpClient {
    alias: String,
    config: UdpClientConfig,
    link: Arc<Mutex<Link>>,
}

/// The socket of the latest `connect` and where to send.
#[derive(Default, Clone)]
struct Link {
    /// Bumped by every `connect`.
    generation: u64,
    socket: Option<(UdpSocket, SocketAddr)>,
}

fn lock(link: &Mutex<Link>) -> Result<MutexGuard<'_, Link>> {
    link.lock()
        .map_err(|_| ConnectorError::other("udp_client socket lock poisoned"))
}

/// A part's copy of the link, refreshed when a `connect` replaced it.
fn refresh<'a>(
    shared: &Mutex<Link>,
    current: &'a mut Link,
) -> Result<Option<&'a (UdpSocket, SocketAddr)>> {
    let shared = lock(shared)?;
    if shared.generation != current.generation {
        current.clone_from(&shared);
    }
    Ok(current.socket.as_ref())
}

/// An I/O error with context.
fn io_error(context: &str, e: std::io::Error) -> ConnectorError {
    let kind = ConnectorError::from(std::io::Error::from(e.kind())).kind;
    ConnectorError::new(kind, format!("{context}: {e}"))
}

impl UdpClient {
    /// The local address of the socket (after `connect`).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        lock(&self.link).ok()?.socket.as_ref()?.0.local_addr().ok()
    }
}

impl Connector for UdpClient {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(UdpClientSource {
            alias: self.alias.clone(),
            shared: self.link.clone(),
            current: Link::default(),
            buf: vec![0; self.config.buf_size],
        })))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(UdpClientSink {
            alias: self.alias.clone(),
            shared: self.link.clone(),
            current: Link::default(),
        })))
    }

    async fn connect(&mut self, _attempt: u64) -> Result<bool> {
        let address = self.config.address()?;
        let target = async_net::resolve(address.as_str())
            .await
            .map_err(|e| io_error(&format!("cannot resolve {address}"), e))?
            .into_iter()
            .next()
            .ok_or_else(|| ConnectorError::io(format!("{address} resolves to no address")))?;
        let bind = match &self.config.bind {
            Some(bind) => bind.as_str(),
            None if target.is_ipv6() => "[::]:0",
            None => "0.0.0.0:0",
        };
        let socket = UdpSocket::bind(bind)
            .await
            .map_err(|e| io_error(&format!("cannot bind {bind}"), e))?;
        let local = socket.local_addr()?;
        log::info!(
            "[{}] sending datagrams from {local} to {target}",
            self.alias
        );
        let mut link = lock(&self.link)?;
        link.socket = Some((socket, target));
        link.generation += 1;
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        lock(&self.link)?.socket = None;
        Ok(())
    }
}

struct UdpClientSource {
    alias: String,
    shared: Arc<Mutex<Link>>,
    current: Link,
    buf: Vec<u8>,
}

impl Source for UdpClientSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        let Some((socket, _)) = refresh(&self.shared, &mut self.current)? else {
            return Ok(SourceReply::Empty { wait_ms: 10 });
        };
        // Cancellation-safe: a datagram is taken from the socket only in the poll that returns.
        match socket.recv_from(&mut self.buf).await {
            Ok((n, _peer)) => {
                let chunk = self.buf[..n].to_vec();
                Ok(SourceReply::Data(SourceBatch::bytes(0, vec![chunk.into()])))
            }
            Err(e) => {
                // No connection to lose; a receive error concerns one datagram at most.
                log::warn!("[{}] receiving a datagram failed: {e}", self.alias);
                Ok(SourceReply::Empty { wait_ms: 10 })
            }
        }
    }
}

struct UdpClientSink {
    alias: String,
    shared: Arc<Mutex<Link>>,
    current: Link,
}

impl Sink for UdpClientSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        let Some((socket, target)) = refresh(&self.shared, &mut self.current)? else {
            log::warn!(
                "[{}] not bound: {} event(s) failed",
                self.alias,
                batch.len()
            );
            return Ok(SinkReplies::fail_all());
        };
        let mut replies = SinkReplies::ack_all();
        for (i, event) in batch.iter().enumerate() {
            for chunk in event.chunks() {
                if let Err(e) = socket.send_to(chunk, *target).await {
                    log::warn!(
                        "[{}] sending a datagram to {target} failed: {e}",
                        self.alias
                    );
                    replies.push(i, EventAck::FAIL, CbAction::NONE);
                    break;
                }
            }
        }
        Ok(replies)
    }
}
