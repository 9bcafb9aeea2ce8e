//! The sink part: replies to every event as the event (or its metadata) says.

use serde::Deserialize;
use serde_json::Value;
use tremor_pdk::{CbAction, EventAck, Result, Sink, SinkBatch, SinkReplies};

pub(crate) struct CbSink {
    alias: String,
    /// The bytes of an event with several chunks, joined.
    joined: Vec<u8>,
}

/// The only field the sink reads, from the event or from its metadata.
#[derive(Deserialize)]
struct WithCb {
    cb: Option<Value>,
}

/// The `cb` field of a JSON record, if it is one and has the field.
fn cb_field(json: &[u8]) -> Option<Value> {
    serde_json::from_slice::<WithCb>(json).ok()?.cb
}

/// The reply an event asks for, by Tremor's rules: of `"ack"` and `"fail"` the ack wins, of
/// `"trigger"`/`"close"` (the data flow closes: [`CbAction::OPEN`], sources feeding the sink
/// pause) and `"restore"`/`"open"` ([`CbAction::CLOSE`], they resume) the first pair wins, so
/// one event makes at most one change of each kind. No `cb` field, or no ack/fail command in
/// it, means no statement about delivery ([`EventAck::NONE`]): a transactional source then
/// gets neither an ack nor a fail for that event.
pub(crate) fn reply_for(cb: Option<&Value>, alias: &str) -> (EventAck, CbAction) {
    let commands: Vec<&str> = match cb {
        None => Vec::new(),
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(other) => {
            log::warn!(
                "[{alias}] ignoring `cb` value {other}: expected a string or an array of strings"
            );
            Vec::new()
        }
    };
    for unknown in commands.iter().filter(|c| !COMMANDS.contains(c)) {
        log::warn!("[{alias}] ignoring unknown cb command {unknown:?}");
    }
    let has = |names: &[&str]| commands.iter().any(|c| names.contains(c));
    let ack = if has(&["ack"]) {
        EventAck::ACK
    } else if has(&["fail"]) {
        EventAck::FAIL
    } else {
        EventAck::NONE
    };
    let action = if has(&["trigger", "close"]) {
        CbAction::OPEN
    } else if has(&["restore", "open"]) {
        CbAction::CLOSE
    } else {
        CbAction::NONE
    };
    (ack, action)
}

/// The commands the sink knows.
const COMMANDS: [&str; 6] = ["ack", "fail", "trigger", "close", "restore", "open"];

impl CbSink {
    pub(crate) fn new(alias: String) -> Self {
        Self {
            alias,
            joined: Vec::new(),
        }
    }
}

impl Sink for CbSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        // Events say what they want; silence is no statement (Tremor's cb does not auto-ack).
        let mut replies = SinkReplies {
            all: EventAck::NONE,
            exceptions: Default::default(),
        };
        for (i, event) in batch.iter().enumerate() {
            let mut cb = event.meta().and_then(cb_field);
            if cb.is_none() {
                let mut chunks = event.chunks();
                cb = match (chunks.next(), chunks.next()) {
                    (Some(only), None) => cb_field(only),
                    (Some(first), Some(second)) => {
                        self.joined.clear();
                        self.joined.extend_from_slice(first);
                        self.joined.extend_from_slice(second);
                        chunks.for_each(|c| self.joined.extend_from_slice(c));
                        cb_field(&self.joined)
                    }
                    (None, _) => None,
                };
            }
            let (ack, action) = reply_for(cb.as_ref(), &self.alias);
            if ack != EventAck::NONE || action != CbAction::NONE {
                replies.push(i, ack, action);
            }
        }
        Ok(replies)
    }
}
