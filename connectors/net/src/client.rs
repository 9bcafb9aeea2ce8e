//! The client side: one connection at a time, shared by the source (reads) and the sink
//! (writes), replaced by every `connect`.

use crate::{slot::Watch, Slot, Transport};
use futures_lite::AsyncReadExt;
use std::future::Future;
use tremor_pdk::{
    into_raw_sink, into_raw_source, CodecRequirement, Connector, ConnectorContext, ConnectorError,
    RawSinkBox, RawSourceBox, Result, Sink, SinkBatch, SinkReplies, Source, SourceBatch,
    SourceReply,
};

/// What a client connector does itself: open a connection (resolving, socket options, ...).
pub trait ClientSocket: Send + 'static {
    /// The transport.
    type Transport: Transport;

    /// The size of the read buffer, in bytes.
    fn buf_size(&self) -> usize;

    /// Opens a connection. A refused connection must be an error of kind `connection`, so the
    /// runtime retries per the reconnect policy.
    fn dial(
        &self,
    ) -> impl Future<Output = Result<Dialed<<Self::Transport as Transport>::Stream>>> + Send;
}

/// A connection [`ClientSocket::dial`] opened.
pub struct Dialed<S> {
    /// The connection.
    pub stream: S,
    /// What the log line names as connected to.
    pub target: String,
    /// What a loss message names as the peer, if anything.
    pub peer: Option<String>,
}

/// A stream client connector: a [`ClientSocket`] (config and dialing) with a [`ClientLink`].
pub struct StreamClient<C: ClientSocket> {
    socket: C,
    link: ClientLink<C::Transport>,
}

impl<C: ClientSocket> StreamClient<C> {
    /// The connector of type `connector_type` for the context `ctx`.
    pub fn new(ctx: ConnectorContext, connector_type: &'static str, socket: C) -> Self {
        Self {
            socket,
            link: ClientLink::new(ctx, connector_type),
        }
    }

    /// The connector's own part: its config.
    pub fn socket(&self) -> &C {
        &self.socket
    }

    /// Calls `f` with the open connection, if any.
    pub fn with_stream<R>(
        &self,
        f: impl FnOnce(&<C::Transport as Transport>::Stream) -> R,
    ) -> Option<R> {
        self.link.with_stream(f)
    }

    /// Whether a connection is open.
    pub fn is_connected(&self) -> bool {
        self.with_stream(|_| ()).is_some()
    }
}

impl<C: ClientSocket> Connector for StreamClient<C> {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(self.link.source(self.socket.buf_size())))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(self.link.sink()))
    }

    async fn connect(&mut self, attempt: u64) -> Result<bool> {
        let dialed = self.socket.dial().await?;
        self.link
            .connected(dialed.stream, &dialed.target, dialed.peer, attempt)?;
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        self.link.close()
    }
}

/// A connection and its peer's name (for messages).
struct Connection<S> {
    stream: S,
    peer: Option<String>,
}

impl<S: Clone> Clone for Connection<S> {
    fn clone(&self) -> Self {
        Self {
            stream: self.stream.clone(),
            peer: self.peer.clone(),
        }
    }
}

/// A client connector's connection, handed from `connect` to the source and the sink.
///
/// * Source: what the peer sends, on stream 0, in chunks of at most `buf_size` bytes. The
///   peer closing ends the stream, a failed read fails it; a connection replaced by a
///   reconnect while its stream was open fails that stream.
/// * Sink: writes each batch's bytes with one call. A failed write, or a batch while not
///   connected, is an error of kind `connection`, so the runtime keeps the batch and sends it
///   again after the reconnect.
/// * Either part reports the lost connection to the runtime, once per connection.
pub struct ClientLink<T: Transport> {
    ctx: ConnectorContext,
    alias: String,
    slot: Slot<Connection<T::Stream>>,
}

impl<T: Transport> ClientLink<T> {
    /// A link without a connection; `connector_type` names it in error messages.
    pub fn new(ctx: ConnectorContext, connector_type: &'static str) -> Self {
        Self {
            alias: ctx.alias(),
            ctx,
            slot: Slot::new(connector_type),
        }
    }

    /// Hands a new connection to the parts (closing the previous one). `target` is what the
    /// log line names; `peer` is what loss messages name.
    pub fn connected(
        &self,
        stream: T::Stream,
        target: &str,
        peer: Option<String>,
        attempt: u64,
    ) -> Result<()> {
        log::info!("[{}] connected to {target} (attempt {attempt})", self.alias);
        if let Some(old) = self.slot.publish(Connection { stream, peer })? {
            T::shutdown(&old.stream);
        }
        Ok(())
    }

    /// Closes the connection (the connector stops); this is no lost connection.
    pub fn close(&self) -> Result<()> {
        if let Some(old) = self.slot.clear()? {
            T::shutdown(&old.stream);
            log::info!("[{}] connection closed", self.alias);
        }
        Ok(())
    }

    /// Calls `f` with the open connection, if any.
    pub fn with_stream<R>(&self, f: impl FnOnce(&T::Stream) -> R) -> Option<R> {
        self.slot.with(|c| c.map(|c| f(&c.stream))).ok().flatten()
    }

    fn part(&self) -> Part<T> {
        Part {
            ctx: self.ctx.clone(),
            alias: self.alias.clone(),
            current: self.slot.watch(),
        }
    }

    /// The source part, reading at most `buf_size` bytes at a time.
    pub fn source(&self, buf_size: usize) -> RawSourceBox {
        into_raw_source(ClientSource {
            part: self.part(),
            buf: vec![0; buf_size],
            stream_open: false,
        })
    }

    /// The sink part.
    pub fn sink(&self) -> RawSinkBox {
        into_raw_sink(ClientSink {
            part: self.part(),
            out: Vec::new(),
        })
    }
}

/// What the source and the sink share: the connection they work on and how to report it lost.
struct Part<T: Transport> {
    ctx: ConnectorContext,
    alias: String,
    current: Watch<Connection<T::Stream>>,
}

impl<T: Transport> Part<T> {
    fn stream(&mut self) -> Option<&mut T::Stream> {
        self.current.get_mut().map(|c| &mut c.stream)
    }

    /// The connection broke: closes it and tells the runtime, once per connection.
    fn lost(&mut self, why: &str) -> Result<()> {
        if let Some(lost) = self.current.lost()? {
            // It is broken already; closing is all that is wanted.
            T::shutdown(&lost.stream);
            let peer = lost.peer.map_or_else(String::new, |p| format!(" to {p}"));
            log::warn!("[{}] connection{peer} lost: {why}", self.alias);
            self.ctx.connection_lost();
        }
        Ok(())
    }
}

struct ClientSource<T: Transport> {
    part: Part<T>,
    buf: Vec<u8>,
    /// Data went out on stream 0 and the stream has not ended yet.
    stream_open: bool,
}

impl<T: Transport> Source for ClientSource<T> {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        if self.part.current.refresh()? && self.stream_open {
            // The sink noticed the loss first and the runtime reconnected: what was left of
            // the old connection's stream is incomplete.
            self.stream_open = false;
            return Ok(SourceReply::StreamFail {
                stream: 0,
                reason: "the connection was replaced".into(),
            });
        }
        let Some(stream) = self.part.stream() else {
            return Ok(SourceReply::Empty { wait_ms: 10 });
        };
        // Cancellation-safe: bytes are taken from the socket only in the poll that returns.
        match stream.read(&mut self.buf).await {
            Ok(0) => {
                self.part.lost("closed by the server")?;
                self.stream_open = false;
                Ok(SourceReply::EndStream { stream: 0 })
            }
            Ok(n) => {
                self.stream_open = true;
                let chunk = self.buf[..n].to_vec();
                Ok(SourceReply::Data(SourceBatch::bytes(0, vec![chunk.into()])))
            }
            Err(e) => {
                self.part.lost(&e.to_string())?;
                self.stream_open = false;
                Ok(SourceReply::StreamFail {
                    stream: 0,
                    reason: e.to_string().into(),
                })
            }
        }
    }
}

struct ClientSink<T: Transport> {
    part: Part<T>,
    /// The batch's bytes, written with one call.
    out: Vec<u8>,
}

impl<T: Transport> Sink for ClientSink<T> {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        self.part.current.refresh()?;
        // A connection error (not failed replies) makes the runtime keep the batch, pause the
        // sources feeding this sink and send the batch again after the reconnect: nothing
        // written while the peer is away is lost.
        let Some(stream) = self.part.stream() else {
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
        if let Err(e) = crate::transport::send(stream, &self.out).await {
            self.part.lost(&e.to_string())?;
            // Part of the batch may have gone out before the error: resending it after the
            // reconnect is at-least-once delivery, which is what a stream socket can offer.
            return Err(ConnectorError::connection(format!("write failed: {e}")));
        }
        Ok(SinkReplies::ack_all())
    }
}
