//! `tcp_client`: one TCP connection to a server; sends events to it and reads what it sends.
//!
//! * `connect` opens the connection. A refused connection is an error of kind `connection`,
//!   so the runtime retries per the connector's reconnect policy.
//! * Source: what the server sends, on stream 0, in chunks of at most `buf_size` bytes as they
//!   were read (frame lines with the `separate` preprocessor). When the server closes the
//!   connection the stream ends; when it breaks the stream fails. Either way the connector
//!   reports the lost connection and the runtime reconnects per policy.
//! * Sink: writes each event's bytes. A failed write, or a batch while not connected, is an
//!   error of kind `connection`: the runtime keeps the batch and sends it again after the
//!   reconnect (at least once), and the lost connection is reported.
//!
//! The connector hands every new connection to its source and sink through a shared slot
//! tagged with a generation number; a loss is reported once per connection, whichever part
//! notices it first.

mod config;
#[cfg(test)]
mod tests;

pub use config::{TcpClientConfig, TcpClientSocketOptions};

use async_net::TcpStream;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use std::{
    net::{Shutdown, SocketAddr},
    sync::{Arc, Mutex, MutexGuard},
};
use tremor_pdk::{
    into_raw_sink, into_raw_source, CodecRequirement, Connector, ConnectorContext, ConnectorError,
    RawSinkBox, RawSourceBox, Result, Sink, SinkBatch, SinkReplies, Source, SourceBatch,
    SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "tcp_client";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<TcpClient, ConnectorError> {
    let config = TcpClientConfig::from_json(config)?;
    Ok(TcpClient {
        alias: ctx.alias(),
        ctx,
        config,
        link: Arc::default(),
    })
}

/// The connector.
pub struct TcpClient {
    ctx: ConnectorContext,
    alias: String,
    config: TcpClientConfig,
    link: Arc<Mutex<Link>>,
}

/// The current connection, shared by the connector and its parts.
#[derive(Default)]
struct Link {
    /// Bumped by every `connect`.
    generation: u64,
    /// The connection of this generation; `None` once it is lost or stopped.
    stream: Option<TcpStream>,
    /// The peer, for messages.
    peer: Option<SocketAddr>,
}

fn lock(link: &Mutex<Link>) -> Result<MutexGuard<'_, Link>> {
    link.lock()
        .map_err(|_| ConnectorError::other("tcp_client state lock poisoned"))
}

/// A part's view of the link: the connection of the generation it last saw.
struct Current {
    generation: u64,
    stream: Option<TcpStream>,
}

impl Current {
    fn new() -> Self {
        Self {
            generation: 0,
            stream: None,
        }
    }

    /// Takes up a new connection; returns whether the generation changed.
    fn refresh(&mut self, link: &Mutex<Link>) -> Result<bool> {
        let link = lock(link)?;
        if link.generation == self.generation {
            return Ok(false);
        }
        self.generation = link.generation;
        self.stream = link.stream.clone();
        Ok(true)
    }

    /// The connection broke: closes it and tells the runtime, once per connection.
    fn lost(
        &mut self,
        ctx: &ConnectorContext,
        alias: &str,
        link: &Mutex<Link>,
        why: &str,
    ) -> Result<()> {
        self.stream = None;
        let mut link = lock(link)?;
        if link.generation != self.generation {
            return Ok(());
        }
        if let Some(stream) = link.stream.take() {
            // It is broken already; closing is all that is wanted.
            let _ = stream.shutdown(Shutdown::Both);
            let peer = link.peer.map_or_else(String::new, |p| format!(" to {p}"));
            log::warn!("[{alias}] connection{peer} lost: {why}");
            ctx.connection_lost();
        }
        Ok(())
    }
}

impl TcpClient {
    /// The local address of the current connection, if connected.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        lock(&self.link)
            .ok()?
            .stream
            .as_ref()
            .and_then(|s| s.local_addr().ok())
    }
}

impl Connector for TcpClient {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(TcpClientSource {
            ctx: self.ctx.clone(),
            alias: self.alias.clone(),
            link: self.link.clone(),
            current: Current::new(),
            buf: vec![0; self.config.buf_size],
            stream_open: false,
        })))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(TcpClientSink {
            ctx: self.ctx.clone(),
            alias: self.alias.clone(),
            link: self.link.clone(),
            current: Current::new(),
            out: Vec::new(),
        })))
    }

    async fn connect(&mut self, attempt: u64) -> Result<bool> {
        let address = self.config.address()?;
        let stream = TcpStream::connect(address.as_str()).await.map_err(|e| {
            let kind = ConnectorError::from(std::io::Error::from(e.kind())).kind;
            ConnectorError::new(kind, format!("cannot connect to {address}: {e}"))
        })?;
        stream.set_nodelay(self.config.tcp_nodelay())?;
        let peer = stream.peer_addr().ok();
        log::info!(
            "[{}] connected to {} (attempt {attempt})",
            self.alias,
            peer.map_or(address, |p| p.to_string())
        );
        let mut link = lock(&self.link)?;
        if let Some(old) = link.stream.take() {
            let _ = old.shutdown(Shutdown::Both);
        }
        link.stream = Some(stream);
        link.peer = peer;
        link.generation += 1;
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        if let Some(stream) = lock(&self.link)?.stream.take() {
            // Closing; the peer may be gone already.
            let _ = stream.shutdown(Shutdown::Both);
            log::info!("[{}] connection closed", self.alias);
        }
        Ok(())
    }
}

struct TcpClientSource {
    ctx: ConnectorContext,
    alias: String,
    link: Arc<Mutex<Link>>,
    current: Current,
    buf: Vec<u8>,
    /// Data went out on stream 0 and the stream has not ended yet.
    stream_open: bool,
}

impl Source for TcpClientSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        if self.current.refresh(&self.link)? && self.stream_open {
            // The sink noticed the loss first and the runtime reconnected: what was left of
            // the old connection's stream is incomplete.
            self.stream_open = false;
            return Ok(SourceReply::StreamFail {
                stream: 0,
                reason: "the connection was replaced".into(),
            });
        }
        let Some(stream) = self.current.stream.as_mut() else {
            return Ok(SourceReply::Empty { wait_ms: 10 });
        };
        // Cancellation-safe: bytes are taken from the socket only in the poll that returns.
        match stream.read(&mut self.buf).await {
            Ok(0) => {
                self.current
                    .lost(&self.ctx, &self.alias, &self.link, "closed by the server")?;
                self.stream_open = false;
                Ok(SourceReply::EndStream { stream: 0 })
            }
            Ok(n) => {
                self.stream_open = true;
                let chunk = self.buf[..n].to_vec();
                Ok(SourceReply::Data(SourceBatch::bytes(0, vec![chunk.into()])))
            }
            Err(e) => {
                self.current
                    .lost(&self.ctx, &self.alias, &self.link, &e.to_string())?;
                self.stream_open = false;
                Ok(SourceReply::StreamFail {
                    stream: 0,
                    reason: e.to_string().into(),
                })
            }
        }
    }
}

struct TcpClientSink {
    ctx: ConnectorContext,
    alias: String,
    link: Arc<Mutex<Link>>,
    current: Current,
    /// The batch's bytes, written with one call.
    out: Vec<u8>,
}

impl Sink for TcpClientSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        self.current.refresh(&self.link)?;
        // A connection error (not failed replies) makes the runtime keep the batch, pause the
        // sources feeding this sink and send the batch again after the reconnect: nothing
        // written while the peer is away is lost.
        let Some(stream) = self.current.stream.as_mut() else {
            return Err(ConnectorError::connection(format!(
                "not connected: {} event(s) wait for the reconnect",
                batch.len()
            )));
        };
        self.out.clear();
        for event in batch.iter() {
            for chunk in event.chunks() {
                self.out.extend_from_slice(chunk);
            }
        }
        if let Err(e) = stream.write_all(&self.out).await {
            self.current
                .lost(&self.ctx, &self.alias, &self.link, &e.to_string())?;
            // Part of the batch may have gone out before the error: resending it after the
            // reconnect is at-least-once delivery, which is what a stream socket can offer.
            return Err(ConnectorError::connection(format!("write failed: {e}")));
        }
        Ok(SinkReplies::ack_all())
    }
}
