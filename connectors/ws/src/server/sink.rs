//! The sink part of `ws_server`: sends each event to the connection its metadata names.

use super::{Shared, CONNECTOR_TYPE};
use crate::frames::{message, outgoing, Outgoing};
use std::net::SocketAddr;
use tremor_pdk::{CbAction, EventAck, Result, Sink, SinkBatch, SinkReplies};

pub(super) struct ServerSink {
    alias: String,
    shared: Shared,
}

/// The connection the sink is writing to: taken out of the shared map for a run of events to
/// the same peer, put back after it.
struct Current {
    peer: SocketAddr,
    /// The connection number and its sender; `None`: no such connection (or it broke).
    open: Option<(u64, crate::Sender)>,
}

impl ServerSink {
    pub(super) fn new(alias: String, shared: Shared) -> Self {
        Self { alias, shared }
    }

    /// Takes the sender of `peer`'s connection for a run of events.
    fn take(&self, peer: SocketAddr) -> Result<Current> {
        let open = self
            .shared
            .connections()?
            .get_mut(&peer)
            .and_then(|c| Some((c.id, c.sender.take()?)));
        Ok(Current { peer, open })
    }

    /// Puts a sender back, unless its connection was closed meanwhile.
    fn put_back(&self, current: Option<Current>) -> Result<()> {
        if let Some(Current {
            peer,
            open: Some((id, sender)),
        }) = current
        {
            if let Some(c) = self.shared.connections()?.get_mut(&peer) {
                if c.id == id {
                    c.sender = Some(sender);
                }
            }
        }
        Ok(())
    }
}

impl Sink for ServerSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        let mut replies = SinkReplies::ack_all();
        let mut unroutable = 0usize;
        let mut current: Option<Current> = None;
        // Events of one source batch share their metadata text: read it once.
        let mut last_meta: Option<(Option<&[u8]>, Outgoing)> = None;
        for (i, event) in batch.iter().enumerate() {
            let meta = event.meta();
            let out = match last_meta {
                Some((m, out)) if m == meta => out,
                _ => {
                    let out = outgoing(CONNECTOR_TYPE, meta);
                    last_meta = Some((meta, out));
                    out
                }
            };
            let Some(peer) = out.peer else {
                replies.push(i, EventAck::FAIL, CbAction::NONE);
                unroutable += 1;
                continue;
            };
            if current.as_ref().map(|c| c.peer) != Some(peer) {
                self.put_back(current.take())?;
                current = Some(self.take(peer)?);
            }
            let Some((id, sender)) = current.as_mut().and_then(|c| c.open.as_mut()) else {
                replies.push(i, EventAck::FAIL, CbAction::NONE);
                unroutable += 1;
                continue;
            };
            let id = *id;
            let mut broken = false;
            for chunk in event.chunks() {
                let msg = match message(chunk, out.binary) {
                    Ok(msg) => msg,
                    Err(e) => {
                        log::warn!(
                            "[{}] an event is no UTF-8 text ({e}) and `$binary` is not set: not sent",
                            self.alias
                        );
                        replies.push(i, EventAck::FAIL, CbAction::NONE);
                        break;
                    }
                };
                if let Err(e) = sender.send(msg).await {
                    log::warn!(
                        "[{}] sending to connection {id} ({peer}) failed, closing it: {e}",
                        self.alias
                    );
                    replies.push(i, EventAck::FAIL, CbAction::NONE);
                    broken = true;
                    break;
                }
            }
            if broken {
                self.shared.close(peer, id)?;
                if let Some(c) = current.as_mut() {
                    c.open = None;
                }
            }
        }
        self.put_back(current)?;
        if unroutable > 0 {
            log::warn!(
                "[{}] {unroutable} event(s) failed: no open connection named in their metadata (`{CONNECTOR_TYPE}.peer`)",
                self.alias
            );
        }
        Ok(replies)
    }
}
