//! `wal`: a write-ahead log between a source and a sink that may fail, for guaranteed delivery.
//!
//! The sink part appends every event it gets (payload and metadata) to the log on disk and
//! syncs it before acknowledging it upstream. The source part replays the log's events
//! downstream as transactional events; a record is removed only once the events are
//! acknowledged, a failed event is sent again, and whatever was not acknowledged when the
//! process stopped (or was killed) is sent again after a restart. Delivery is at least once:
//! recovery may repeat events, as in Tremor.
//!
//! Config, as in Tremor: `{"path": DIR, "chunk_size": BYTES, "max_chunks": N}` (`dir` is
//! accepted for `path`). The log is a series of chunk files of about `chunk_size` bytes in
//! `DIR` (created if missing); at most `max_chunks` + 1 of them exist: when all are full, the
//! sink fails the events that do not fit until acknowledgements free a chunk. A structured
//! connector: it takes no codec.

mod log;
mod queue;

use async_channel::{Receiver, Sender};
use serde::Deserialize;
use std::{
    path::PathBuf,
    sync::{Arc, Mutex, PoisonError},
};
use tremor_pdk::{
    io::IoResultExt, CbAction, CodecRequirement, Connector, ConnectorContext, ConnectorError,
    EventAck, RawSinkBox, RawSourceBox, Result, Sink, SinkBatch, SinkReplies, Source, SourceBatch,
    SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "wal";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// Configuration.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct WalConfig {
    /// The directory of the log (created if missing).
    #[serde(alias = "dir")]
    pub path: String,
    /// The size of a chunk file, in bytes (a soft limit: the record that crosses it still
    /// goes into the chunk).
    pub chunk_size: u64,
    /// How many full chunks may exist before the sink refuses events.
    pub max_chunks: usize,
}

fn new_connector(_ctx: ConnectorContext, config: &str) -> Result<Wal, ConnectorError> {
    let config: WalConfig = tremor_pdk::config::parse(CONNECTOR_TYPE, config)?;
    if config.chunk_size == 0 {
        return Err(tremor_pdk::config::invalid(
            CONNECTOR_TYPE,
            "`chunk_size` must be at least 1 byte",
        ));
    }
    Ok(Wal {
        config,
        shared: None,
    })
}

/// What the sink and source parts share.
#[derive(Clone)]
struct Shared {
    log: Arc<Mutex<log::Log>>,
    queue: Arc<Mutex<queue::Queue>>,
    /// Rung by the sink when it stored records, so that a waiting source pulls at once.
    doorbell: (Sender<()>, Receiver<()>),
}

/// The connector: opens the log when the runtime asks for its parts.
pub struct Wal {
    config: WalConfig,
    shared: Option<Shared>,
}

impl Wal {
    fn shared(&mut self) -> Result<Shared> {
        if let Some(shared) = &self.shared {
            return Ok(shared.clone());
        }
        let dir = PathBuf::from(&self.config.path);
        std::fs::create_dir_all(&dir).with_io_context(|| format!("creating {}", dir.display()))?;
        let opened = log::Log::open(&dir, self.config.chunk_size, self.config.max_chunks)?;
        let shared = Shared {
            log: Arc::new(Mutex::new(opened.log)),
            queue: Arc::new(Mutex::new(queue::Queue::new(opened.unacked))),
            doorbell: async_channel::bounded(1),
        };
        self.shared = Some(shared.clone());
        Ok(shared)
    }
}

impl Connector for Wal {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::STRUCTURED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(tremor_pdk::into_raw_source(WalSource(self.shared()?))))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(tremor_pdk::into_raw_sink(WalSink(self.shared()?))))
    }

    /// A stop (graceful or after a failure) makes the last ack final, so that a restart does
    /// not replay what was delivered (Tremor's wal persists its ack here too).
    fn on_stop(&mut self) -> impl std::future::Future<Output = Result<()>> + Send {
        let shared = self.shared.clone();
        async move {
            let Some(shared) = shared else {
                return Ok(());
            };
            let settled = locked(&shared.queue).settle();
            match settled {
                Some(index) => locked(&shared.log).acknowledge(index),
                None => Ok(()),
            }
        }
    }
}

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

struct WalSink(Shared);

impl Sink for WalSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        let events: Vec<(Vec<u8>, Vec<u8>)> = batch
            .iter()
            .map(|event| {
                let meta = event.meta().unwrap_or_default().to_vec();
                (meta, event.chunks().flatten().copied().collect())
            })
            .collect();
        let log = self.0.log.clone();
        // Writing and syncing block: off the executor's threads.
        let stored = blocking::unblock(move || locked(&log).append(&events)).await?;
        let mut replies = SinkReplies::ack_all();
        let mut records = Vec::with_capacity(stored.len());
        for (index, record) in stored.into_iter().enumerate() {
            match record {
                Some(record) => records.push(record),
                None => replies.push(index, EventAck::FAIL, CbAction::NONE),
            }
        }
        if !replies.exceptions.is_empty() {
            ::log::warn!(
                "wal: the log is full ({} events refused): it frees chunks as the events in it are acknowledged",
                replies.exceptions.len()
            );
        }
        if let Some(last) = records.last() {
            // Tests (and operators) can tell from this when events are safe.
            ::log::debug!(
                "wal: stored {} events, up to index {}",
                records.len(),
                last.index
            );
        }
        locked(&self.0.queue).push(records);
        let _ = self.0.doorbell.0.try_send(());
        Ok(replies)
    }
}

struct WalSource(Shared);

impl Source for WalSource {
    async fn pull(&mut self, pull_id: u64) -> Result<SourceReply> {
        loop {
            if let Some(batch) = locked(&self.0.queue).next(pull_id) {
                let chunks = batch.payloads.into_iter().map(Into::into).collect();
                let mut out = SourceBatch::json(0, chunks).transactional();
                if !batch.meta.is_empty() {
                    out = out.with_meta(String::from_utf8_lossy(&batch.meta));
                }
                return Ok(SourceReply::Data(out));
            }
            // The runtime drops this future when it has other work; nothing is lost then.
            let _ = self.0.doorbell.1.recv().await;
        }
    }

    fn ack(&mut self, _stream: u64, pull_id: u64) -> Result<()> {
        let settled = locked(&self.0.queue).ack(pull_id);
        match settled {
            Some(index) => locked(&self.0.log).acknowledge(index),
            None => Ok(()),
        }
    }

    fn fail(&mut self, _stream: u64, pull_id: u64) -> Result<()> {
        locked(&self.0.queue).fail(pull_id);
        let _ = self.0.doorbell.0.try_send(());
        Ok(())
    }
}

#[cfg(test)]
mod tests;
