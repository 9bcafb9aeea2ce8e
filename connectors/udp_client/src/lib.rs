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
use std::net::SocketAddr;
use tremor_connector_net::{Slot, Watch};
use tremor_pdk::{
    into_raw_sink, into_raw_source, io::IoResultExt, CbAction, CodecRequirement, Connector,
    ConnectorContext, ConnectorError, EventAck, RawSinkBox, RawSourceBox, Result, Sink, SinkBatch,
    SinkReplies, Source, SourceBatch, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "udp_client";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<UdpClient, ConnectorError> {
    let config = UdpClientConfig::from_json(config)?;
    Ok(UdpClient {
        alias: ctx.alias(),
        config,
        link: Slot::new(CONNECTOR_TYPE),
    })
}

/// The connector.
pub struct UdpClient {
    alias: String,
    config: UdpClientConfig,
    /// The socket of the latest `connect` and where to send; a reconnect binds a new one.
    link: Slot<(UdpSocket, SocketAddr)>,
}

impl UdpClient {
    /// The local address of the socket (after `connect`).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.link
            .with(|link| link.and_then(|(socket, _)| socket.local_addr().ok()))
            .ok()
            .flatten()
    }
}

impl Connector for UdpClient {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(UdpClientSource {
            alias: self.alias.clone(),
            current: self.link.watch(),
            buf: vec![0; self.config.buf_size.bytes()],
        })))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(UdpClientSink {
            alias: self.alias.clone(),
            current: self.link.watch(),
        })))
    }

    async fn connect(&mut self, _attempt: u64) -> Result<bool> {
        let address = self.config.address()?;
        let target = async_net::resolve(address.as_str())
            .await
            .with_io_context(|| format!("cannot resolve {address}"))?
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
            .with_io_context(|| format!("cannot bind {bind}"))?;
        let local = socket.local_addr()?;
        log::info!(
            "[{}] sending datagrams from {local} to {target}",
            self.alias
        );
        self.link.publish((socket, target))?;
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        // The parts keep their socket until a reconnect hands them a new one.
        self.link.clear()?;
        Ok(())
    }
}

struct UdpClientSource {
    alias: String,
    current: Watch<(UdpSocket, SocketAddr)>,
    buf: Vec<u8>,
}

impl Source for UdpClientSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        self.current.refresh()?;
        let Some((socket, _)) = self.current.get_mut() else {
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
    current: Watch<(UdpSocket, SocketAddr)>,
}

impl Sink for UdpClientSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        self.current.refresh()?;
        let Some((socket, target)) = self.current.get_mut() else {
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
