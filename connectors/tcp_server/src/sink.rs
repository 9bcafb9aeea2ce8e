//! The sink part: writes events to the connection named in their metadata.

use crate::{lock, Shared};
use async_net::TcpStream;
use futures_lite::AsyncWriteExt;
use serde::Deserialize;
use std::{
    net::Shutdown,
    sync::{Arc, Mutex},
};
use tremor_pdk::{CbAction, EventAck, Result, Sink, SinkBatch, SinkReplies};

pub(crate) struct TcpServerSink {
    alias: String,
    shared: Arc<Mutex<Shared>>,
    /// The bytes of consecutive events for one connection, written with one call.
    out: Vec<u8>,
    /// The batch indices of the events in `out`.
    run: Vec<usize>,
}

/// The part of an event's metadata the sink reads.
#[derive(Deserialize)]
struct Meta {
    tcp_server: Option<ServerMeta>,
}

#[derive(Deserialize)]
struct ServerMeta {
    connection: Option<u64>,
}

/// The connection named by a metadata record, if any.
pub(crate) fn connection_of(meta: Option<&[u8]>) -> Option<u64> {
    serde_json::from_slice::<Meta>(meta?)
        .ok()?
        .tcp_server?
        .connection
}

impl TcpServerSink {
    pub(crate) fn new(alias: String, shared: Arc<Mutex<Shared>>) -> Self {
        Self {
            alias,
            shared,
            out: Vec::new(),
            run: Vec::new(),
        }
    }

    fn writer(&self, id: u64) -> Result<Option<TcpStream>> {
        Ok(lock(&self.shared)?
            .writers
            .get(&id)
            .map(|w| w.stream.clone()))
    }

    /// Writes the pending run of events to connection `id`; fails them when that fails.
    async fn write_run(
        &mut self,
        target: Option<(u64, TcpStream)>,
        replies: &mut SinkReplies,
    ) -> Result<()> {
        if let Some((id, mut stream)) = target {
            if !self.out.is_empty() {
                if let Err(e) = stream.write_all(&self.out).await {
                    log::warn!(
                        "[{}] writing to connection {id} failed, closing it: {e}",
                        self.alias
                    );
                    let _ = stream.shutdown(Shutdown::Both);
                    lock(&self.shared)?.writers.remove(&id);
                    for &i in &self.run {
                        replies.push(i, EventAck::FAIL, CbAction::NONE);
                    }
                }
            }
        }
        self.out.clear();
        self.run.clear();
        Ok(())
    }
}

impl Sink for TcpServerSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        let mut replies = SinkReplies::ack_all();
        let mut unroutable = 0usize;
        // The connection of the current run and its stream (`None`: unknown connection).
        let mut current: Option<(u64, Option<TcpStream>)> = None;
        // Events of one source batch share their metadata text: parse it once.
        let mut last_meta: Option<(Option<&[u8]>, Option<u64>)> = None;
        self.out.clear();
        self.run.clear();
        for (i, event) in batch.iter().enumerate() {
            let meta = event.meta();
            let id = match last_meta {
                Some((m, id)) if m == meta => id,
                _ => {
                    let id = connection_of(meta);
                    last_meta = Some((meta, id));
                    id
                }
            };
            let Some(id) = id else {
                replies.push(i, EventAck::FAIL, CbAction::NONE);
                unroutable += 1;
                continue;
            };
            if current.as_ref().map(|c| c.0) != Some(id) {
                let done = current.take().and_then(|(id, s)| s.map(|s| (id, s)));
                self.write_run(done, &mut replies).await?;
                current = Some((id, self.writer(id)?));
            }
            if current.as_ref().is_some_and(|c| c.1.is_none()) {
                replies.push(i, EventAck::FAIL, CbAction::NONE);
                unroutable += 1;
                continue;
            }
            for chunk in event.chunks() {
                self.out.extend_from_slice(chunk);
            }
            self.run.push(i);
        }
        let done = current.take().and_then(|(id, s)| s.map(|s| (id, s)));
        self.write_run(done, &mut replies).await?;
        if unroutable > 0 {
            log::warn!(
                "[{}] {unroutable} event(s) failed: no open connection named in their metadata (`tcp_server.connection`)",
                self.alias
            );
        }
        Ok(replies)
    }
}
