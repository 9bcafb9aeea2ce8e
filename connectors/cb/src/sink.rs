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

/// The reply an event asks for: its delivery status and its circuit-breaker changes in order.
///
/// `"ack"` → delivered, `"fail"` → not delivered, `"trigger"` (or `"close"`, the data flow
/// closes) → [`CbAction::OPEN`]: the circuit breaker opens and sources feeding the sink pause,
/// `"restore"` (or `"open"`) → [`CbAction::CLOSE`]: they resume. An array does all of its
/// commands; no `cb` field means delivered.
pub(crate) fn reply_for(cb: Option<&Value>, alias: &str) -> (EventAck, Vec<CbAction>) {
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
    let mut ack = EventAck::ACK;
    let mut actions = Vec::new();
    for command in commands {
        match command {
            "ack" => ack = EventAck::ACK,
            "fail" => ack = EventAck::FAIL,
            "trigger" | "close" => actions.push(CbAction::OPEN),
            "restore" | "open" => actions.push(CbAction::CLOSE),
            other => log::warn!("[{alias}] ignoring unknown cb command {other:?}"),
        }
    }
    (ack, actions)
}

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
        let mut replies = SinkReplies::ack_all();
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
            let (ack, actions) = reply_for(cb.as_ref(), &self.alias);
            if actions.is_empty() && ack != EventAck::ACK {
                replies.push(i, ack, CbAction::NONE);
            }
            for action in actions {
                replies.push(i, ack, action);
            }
        }
        Ok(replies)
    }
}
