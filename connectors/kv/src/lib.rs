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
//! Every reply carries `$kv = {"op": OP, "ok": KEY}` and the request's `$correlation`. A
//! command that fails (a `cas` that does not match, a missing or unknown `$kv`) is failed back
//! to its source and reported on `err` with the error text, the op, the key and the
//! correlation.
//!
//! Differences from Tremor, forced by what crosses the plugin interface: metadata crosses as
//! JSON, which has no binary type, so `ok` (and a key in an error) is the key as a string when
//! it is UTF-8 and as an array of bytes otherwise (a key may be given either way); and an
//! error event is the runtime's error record (`{"error": TEXT, ...}`) with op, key and
//! correlation in its text, not a `null` payload with that metadata.
//!
//! Config: `{"path": DIR}`, a directory that must exist; the store is the file `kv.redb` in
//! it (redb: pure Rust, every batch of commands is one fsync'd transaction, so a reply is only
//! sent once the change is durable). kv connectors on one directory in one process share the
//! store.

mod command;
mod store;

use async_channel::{Receiver, Sender};
use serde::Deserialize;
use std::path::PathBuf;
use tremor_pdk::{
    parts::PartsConnector, CodecRequirement, ConnectorContext, ConnectorError, EventAck, Result,
    Sink, SinkBatch, SinkReplies, Source, SourceBatch, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "kv";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// Configuration.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct KvConfig {
    /// The directory holding the store (`kv.redb`); it must exist.
    pub path: String,
}

/// What the sink hands the source: a reply event or an error text.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// A reply on `out`: the payload and the metadata record, both JSON text.
    Reply { payload: String, meta: String },
    /// An error event on `err`.
    Error(String),
}

fn new_connector(_ctx: ConnectorContext, config: &str) -> Result<PartsConnector, ConnectorError> {
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
    Ok(PartsConnector::new(CodecRequirement::STRUCTURED)
        .with_sink(move || {
            Ok(KvSink {
                store: store::Store::open(&dir)?,
                replies: tx,
            })
        })
        .with_source(move || Ok(KvSource { replies: rx })))
}

struct KvSink {
    store: store::Store,
    replies: Sender<Outcome>,
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
        let results = blocking::unblock(move || store.execute(&requests)).await?;
        let mut replies = SinkReplies::ack_all();
        for (index, result) in results.into_iter().enumerate() {
            match result {
                Ok(outcomes) => {
                    for outcome in outcomes {
                        self.send(outcome);
                    }
                }
                Err(text) => {
                    log::error!("{text}");
                    replies.push(index, EventAck::FAIL, tremor_pdk::CbAction::NONE);
                    self.send(Outcome::Error(text));
                }
            }
        }
        Ok(replies)
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
}

impl Source for KvSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        // Waiting here is fine: the runtime drops this future when it has other work, and an
        // outcome stays in the channel until it is taken.
        Ok(match self.replies.recv().await {
            Ok(Outcome::Reply { payload, meta }) => SourceReply::Data(
                SourceBatch::json(0, vec![payload.into_bytes().into()]).with_meta(meta),
            ),
            Ok(Outcome::Error(message)) => SourceReply::Error {
                stream: 0,
                message: message.into(),
            },
            Err(_) => SourceReply::Finished,
        })
    }
}

#[cfg(test)]
mod tests;
