//! `kv`: a persistent key-value store, driven by commands in the events' `$kv` metadata.
//!
//! The sink takes commands; the results come back as events from the connector's own source
//! (port `out`), failures as error events (port `err`). Commands, as in Tremor 0.12/0.13:
//!
//! | `$kv` | event payload | reply payload |
//! | --- | --- | --- |
//! | `{"get": KEY}` | ignored | the stored value, or `null` |
//! | `{"put": KEY}` | the value to store | the stored (new) value |
//! | `{"swap": KEY}` | the value to store | the previous value, or `null` |
//! | `{"delete": KEY}` | ignored | the removed value, or `null` |
//! | `{"scan": START, "end": END}` | ignored | one event per key in `START..END` (`end` optional, exclusive), in key order |
//! | `{"cas": KEY, "old": OLD}` | the value to store | `null`; an error event when the stored value is not `OLD` (without `old`: when the key exists) |
//!
//! Every reply (port `out`) carries `$kv = {"op": OP, "ok": KEY}` with the key as binary, and
//! the request's `$correlation`. A command that fails (a `cas` that does not match, a missing
//! or unknown `$kv`) is rejected (transactional sources get a fail; it is not counted as a
//! dropped event, as it is answered) and answered on `err` as Tremor does: a `null` payload
//! with `$error` (the text), `$kv = {"op": OP, "key": KEY}` (the key as an array of bytes;
//! `null` for a `scan`; `$kv` is `null` when there is no command) and `$correlation`.
//!
//! Config: `{"path": DIR}` (0.12: `{"dir": DIR}`), a directory that must exist; the store is the file `kv.redb` in
//! it (redb: pure Rust, every batch of commands is one fsync'd transaction, so a reply is only
//! sent once the change is durable). kv connectors on one directory in one process share the
//! store.

mod command;
mod store;

use async_channel::{Receiver, Sender};
use serde::Deserialize;
use std::{
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};
use tremor_pdk::{
    parts::PartsConnector, CodecRequirement, Connector, ConnectorContext, ConnectorError, EventAck,
    RawSinkBox, RawSourceBox, Result, Sink, SinkBatch, SinkReplies, Source, SourceReply,
    StructuredEvent,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "kv";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// Configuration.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct KvConfig {
    /// The directory holding the store (`kv.redb`); it must exist. Tremor 0.12 named it `dir`.
    #[serde(alias = "dir")]
    pub path: String,
}

/// What the sink hands the source: an event, and the port it leaves by.
#[derive(Debug, PartialEq)]
struct Outcome {
    port: &'static str,
    event: StructuredEvent,
}

/// The most events one pull hands over.
const MAX_EVENTS_PER_PULL: usize = 64;

/// The longest `on_drain` waits for the sink's last replies to be taken (a deployment whose kv
/// replies feed its own commands never drains the sink first: then the stop goes on after this).
const DRAIN_WAIT: Duration = Duration::from_secs(2);

/// What the parts tell the connector, so that a graceful stop loses no reply.
#[derive(Default)]
struct DrainState {
    /// The sink's inputs drained (its `flush` ran): no more commands, all replies sent.
    sink_flushed: AtomicBool,
    /// The source holds a reply it took from the channel but has not handed over yet.
    source_holds: AtomicBool,
}

/// The kv connector: its parts, and the wait at a graceful stop.
///
/// The runtime drains a connector's source as soon as the stop begins, but kv's replies come
/// from commands its sink still executes then (Tremor keeps pulling such sources while
/// draining). So `on_drain`, which runs before the source is drained and while it is still
/// pulled, waits until the sink has drained and every reply has been handed over.
struct Kv {
    parts: PartsConnector,
    replies: Receiver<Outcome>,
    drain: Arc<DrainState>,
}

impl Connector for Kv {
    fn codec_requirement(&self) -> CodecRequirement {
        self.parts.codec_requirement()
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        self.parts.create_source()
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        self.parts.create_sink()
    }

    async fn on_drain(&mut self) -> Result<()> {
        let replies = self.replies.clone();
        let drain = self.drain.clone();
        let all_handed_over = blocking::unblock(move || {
            let started = Instant::now();
            while started.elapsed() < DRAIN_WAIT {
                if drain.sink_flushed.load(Ordering::Acquire)
                    && replies.is_empty()
                    && !drain.source_holds.load(Ordering::Acquire)
                {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            false
        })
        .await;
        if !all_handed_over {
            log::debug!(
                "kv: the sink did not drain within {DRAIN_WAIT:?} (its replies may feed it); stopping anyway"
            );
        }
        Ok(())
    }
}

fn new_connector(_ctx: ConnectorContext, config: &str) -> Result<Kv, ConnectorError> {
    let config: KvConfig = tremor_pdk::config::parse(CONNECTOR_TYPE, config)?;
    let dir = PathBuf::from(&config.path);
    if !dir.is_dir() {
        return Err(tremor_pdk::config::invalid(
            CONNECTOR_TYPE,
            format!(
                "`path` {} is not a directory (or not accessible)",
                dir.display()
            ),
        ));
    }
    let (tx, rx) = async_channel::unbounded();
    let drain = Arc::new(DrainState::default());
    let (sink_drain, source_drain) = (drain.clone(), drain.clone());
    let source_rx = rx.clone();
    let parts = PartsConnector::new(CodecRequirement::STRUCTURED)
        .with_sink(move || {
            Ok(KvSink {
                store: store::Store::open(&dir)?,
                replies: tx,
                drain: sink_drain,
            })
        })
        .with_source(move || {
            Ok(KvSource {
                replies: source_rx,
                pending: None,
                drain: source_drain,
            })
        });
    Ok(Kv {
        parts,
        replies: rx,
        drain,
    })
}

struct KvSink {
    store: store::Store,
    replies: Sender<Outcome>,
    drain: Arc<DrainState>,
}

impl Sink for KvSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        let requests: Vec<command::Request> = batch
            .iter()
            .map(|event| {
                let payload: Vec<u8> = event.chunks().flatten().copied().collect();
                command::Request::read(event.meta(), &payload)
            })
            .collect();
        let store = self.store.clone();
        // redb blocks (file I/O, fsync): off the executor's threads.
        let (results, requests) =
            blocking::unblock(move || (store.execute(&requests), requests)).await;
        let mut replies = SinkReplies::ack_all();
        for (index, (result, request)) in results?.into_iter().zip(&requests).enumerate() {
            match result {
                Ok(outcomes) => {
                    for outcome in outcomes {
                        self.send(outcome);
                    }
                }
                Err(text) => {
                    // The error event says it (and the runtime logs it when nothing is
                    // connected to `err`): logging it here too would say it twice.
                    log::debug!("{}", request.error(&text));
                    replies.push(index, EventAck::REJECTED, tremor_pdk::CbAction::NONE);
                    self.send(request.error_event(&text));
                }
            }
        }
        Ok(replies)
    }

    /// Called once the sink's inputs have drained (and at stop): every reply is sent.
    async fn flush(&mut self) -> Result<()> {
        self.drain.sink_flushed.store(true, Ordering::Release);
        Ok(())
    }
}

impl KvSink {
    fn send(&self, outcome: Outcome) {
        // Unbounded: only fails once the source part is gone, and then nobody listens.
        let _ = self.replies.try_send(outcome);
    }
}

struct KvSource {
    replies: Receiver<Outcome>,
    /// An outcome taken from the channel for a port other than the pull's: the next pull's.
    pending: Option<Outcome>,
    drain: Arc<DrainState>,
}

impl Source for KvSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        // Waiting here is fine: the runtime drops this future when it has other work, and an
        // outcome stays in the channel (or in `pending`) until it is taken.
        let first = match self.pending.take() {
            Some(outcome) => outcome,
            None => match self.replies.recv().await {
                Ok(outcome) => outcome,
                Err(_) => return Ok(SourceReply::Finished),
            },
        };
        let port = first.port;
        let mut events = vec![first.event];
        while events.len() < MAX_EVENTS_PER_PULL {
            match self.replies.try_recv() {
                Ok(next) if next.port == port => events.push(next.event),
                Ok(next) => {
                    self.pending = Some(next);
                    break;
                }
                Err(_) => break,
            }
        }
        self.drain
            .source_holds
            .store(self.pending.is_some(), Ordering::Release);
        Ok(SourceReply::structured(0, port, events))
    }
}

#[cfg(test)]
mod tests;
