//! The source and sink parts of `ws_client`: each takes its half of every new connection.

use super::Link;
use crate::frames::{message, outgoing, received, Received};
use futures_lite::StreamExt;
use std::sync::{Arc, Mutex};
use tremor_connector_net::{lock, Watch};
use tremor_pdk::{
    CbAction, ConnectorContext, ConnectorError, EventAck, Result, Sink, SinkBatch, SinkReplies,
    Source, SourceReply,
};

/// What the source and the sink share: the connection they work on and how to report it lost.
pub(super) struct Part {
    pub ctx: ConnectorContext,
    pub alias: String,
    pub current: Watch<Link>,
}

impl Part {
    /// Takes up a new connection, if one was published: `Some(link)` once per connection.
    fn refresh(&mut self) -> Result<Option<Link>> {
        if !self.current.refresh()? {
            return Ok(None);
        }
        Ok(self.current.get_mut().cloned())
    }

    /// The connection broke: closes it and tells the runtime, once per connection.
    fn lost(&mut self, why: &str) -> Result<()> {
        if let Some(lost) = self.current.lost()? {
            lost.socket.shutdown();
            log::warn!("[{}] connection to {} lost: {why}", self.alias, lost.peer);
            self.ctx.connection_lost();
        }
        Ok(())
    }
}

/// Takes a half out of a new connection (each part takes its own, once).
fn take<T>(half: &Arc<Mutex<Option<T>>>) -> Result<Option<T>> {
    Ok(lock(half, "ws_client connection")?.take())
}

pub(super) struct ClientSource {
    part: Part,
    reader: Option<(crate::Receiver, Arc<crate::frames::ConnectionMeta>)>,
    /// Data went out on stream 0 and the stream has not ended yet.
    stream_open: bool,
}

impl ClientSource {
    pub(super) fn new(part: Part) -> Self {
        Self {
            part,
            reader: None,
            stream_open: false,
        }
    }
}

impl Source for ClientSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        if let Some(link) = self.part.refresh()? {
            self.reader = take(&link.receiver)?.map(|r| (r, link.meta.clone()));
            if self.stream_open {
                // The sink noticed the loss first and the runtime reconnected: the old
                // connection's stream ends here.
                self.stream_open = false;
                return Ok(SourceReply::EndStream { stream: 0 });
            }
        }
        let Some((receiver, meta)) = self.reader.as_mut() else {
            return Ok(SourceReply::Empty { wait_ms: 10 });
        };
        loop {
            // Cancellation-safe: a message is taken from the connection only in the poll
            // that returns it.
            let next = receiver.next().await;
            match received(0, next, meta) {
                Received::Data(batch) => {
                    self.stream_open = true;
                    return Ok(SourceReply::Data(batch));
                }
                Received::Control => {}
                Received::Ended(why) => {
                    self.reader = None;
                    self.part
                        .lost(why.as_deref().unwrap_or("closed by the server"))?;
                    self.stream_open = false;
                    return Ok(SourceReply::EndStream { stream: 0 });
                }
            }
        }
    }
}

pub(super) struct ClientSink {
    part: Part,
    sender: Option<crate::Sender>,
}

impl ClientSink {
    pub(super) fn new(part: Part) -> Self {
        Self { part, sender: None }
    }
}

impl Sink for ClientSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        if let Some(link) = self.part.refresh()? {
            self.sender = take(&link.sender)?;
        }
        // A connection error (not failed replies) makes the runtime keep the batch, pause the
        // sources feeding this sink and send the batch again after the reconnect.
        let Some(sender) = self.sender.as_mut() else {
            return Err(ConnectorError::connection(format!(
                "not connected: {} event(s) wait for the reconnect",
                batch.len()
            )));
        };
        let mut replies = SinkReplies::ack_all();
        for (i, event) in batch.iter().enumerate() {
            let binary = outgoing(super::CONNECTOR_TYPE, event.meta()).binary;
            for chunk in event.chunks() {
                let msg = match message(chunk, binary) {
                    Ok(msg) => msg,
                    Err(e) => {
                        log::warn!(
                            "[{}] an event is no UTF-8 text ({e}) and `$binary` is not set: not sent",
                            self.part.alias
                        );
                        replies.push(i, EventAck::FAIL, CbAction::NONE);
                        break;
                    }
                };
                if let Err(e) = sender.send(msg).await {
                    self.sender = None;
                    self.part.lost(&e.to_string())?;
                    // Events before this one went out: resending them after the reconnect is
                    // at-least-once delivery.
                    return Err(ConnectorError::connection(format!("sending failed: {e}")));
                }
            }
        }
        Ok(replies)
    }
}
