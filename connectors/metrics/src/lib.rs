//! `metrics`: the runtime's own metrics as events, Tremor's `metrics` connector.
//!
//! Every connector whose definition sets `metrics_interval_s` reports, every that many seconds,
//! how many events passed each of its ports, one record per port in Tremor's shape:
//!
//! ```text
//! {"measurement":"connector_events",
//!  "tags":{"flow":"main","connector":"main::in","port":"out"},
//!  "fields":{"count":20},"timestamp":1650402945610254000}
//! ```
//!
//! (a source reports `out` and `err`, a sink `in`; counts are totals since the start). A
//! pipeline whose body holds `#!config metrics_interval_s = N` reports Tremor's `events`
//! records, one per port that events passed (an input port as its node's `out`, an output port
//! as its node's `in`):
//!
//! ```text
//! {"measurement":"events",
//!  "tags":{"pipeline":"main::p","node":"in","direction":"output","port":"out"},
//!  "fields":{"count":20},"timestamp":1650402945610254000}
//! ```
//!
//! The runtime hands these records to this connector through its context
//! (`ConnectorContext::take_metrics`); its source sends each as an event on `out`. Events sent
//! to its `in` port are custom metrics: a record with a string `measurement`, object `tags` and
//! `fields` and an integer `timestamp` is published to every metrics connector like the
//! runtime's own (and acked); anything else is failed. No config; a structured connector.

use serde::Deserialize;
use tremor_pdk::{
    parts::PartsConnector, CbAction, CodecRequirement, ConnectorContext, ConnectorError, EventAck,
    Result, Sink, SinkBatch, SinkReplies, Source, SourceBatch, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "metrics";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// How long the source waits before it looks for new records again when there were none, in
/// milliseconds. Reports come every second at the most, so this bounds their delay, not the
/// rate.
const POLL_MS: u64 = 100;

/// The connector takes no configuration (Tremor's neither).
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {}

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<PartsConnector, ConnectorError> {
    let MetricsConfig {} = tremor_pdk::config::parse(CONNECTOR_TYPE, config)?;
    let sink_ctx = ctx.clone();
    Ok(PartsConnector::new(CodecRequirement::STRUCTURED)
        .with_source(move || Ok(MetricsSource { ctx }))
        .with_sink(move || Ok(MetricsSink { ctx: sink_ctx })))
}

/// Sends the runtime's metrics records on `out`.
struct MetricsSource {
    ctx: ConnectorContext,
}

impl Source for MetricsSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        let records = self.ctx.take_metrics();
        Ok(if records.is_empty() {
            SourceReply::Empty { wait_ms: POLL_MS }
        } else {
            SourceReply::Data(SourceBatch::json(0, records))
        })
    }
}

/// Publishes custom metrics records that arrive on `in`.
struct MetricsSink {
    ctx: ConnectorContext,
}

impl Sink for MetricsSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        let mut replies = SinkReplies::ack_all();
        for (index, event) in batch.iter().enumerate() {
            let record: Vec<u8> = event.chunks().flatten().copied().collect();
            let published = match check_record(&record) {
                Ok(()) => self.ctx.publish_metric(record),
                Err(why) => {
                    log::warn!("[{}] not a metrics record: {why}", self.ctx.alias());
                    false
                }
            };
            if !published {
                replies.push(index, EventAck::FAIL, CbAction::NONE);
            }
        }
        Ok(replies)
    }
}

/// Checks that `json` is a metrics record as Tremor requires one: `measurement` a string,
/// `tags` and `fields` objects, `timestamp` an integer.
fn check_record(json: &[u8]) -> std::result::Result<(), String> {
    let value: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| format!("invalid JSON: {e}"))?;
    let field = |name: &str, fits: fn(&serde_json::Value) -> bool, what: &str| match value.get(name)
    {
        Some(v) if fits(v) => Ok(()),
        Some(v) => Err(format!("`{name}` must be {what}, got {v}")),
        None => Err(format!("`{name}` is missing")),
    };
    field("measurement", serde_json::Value::is_string, "a string")?;
    field("tags", serde_json::Value::is_object, "a record")?;
    field("fields", serde_json::Value::is_object, "a record")?;
    field("timestamp", |v| v.is_u64() || v.is_i64(), "an integer")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_pdk::{
        testing::{self, TestHost, TestSinkBatch, TestSource},
        Connector,
    };

    const RECORD: &str = r#"{"measurement":"connector_events","tags":{"flow":"main","connector":"main::in","port":"out"},"fields":{"count":3},"timestamp":42}"#;

    #[test]
    fn config_is_checked() {
        let ctx = testing::null_context("m");
        assert!(new_connector(ctx.clone(), "{}").is_ok());
        let err = new_connector(ctx, r#"{"interval": 1}"#)
            .err()
            .expect("no keys");
        assert!(err.message.contains("interval"), "{err}");
    }

    #[test]
    fn the_source_sends_the_hosts_records_and_waits_when_there_are_none() {
        let host = TestHost::new("m");
        let mut c = new_connector(host.context(), "{}").expect("valid");
        let mut source = c.create_source().expect("ok").expect("a source");
        let idle = testing::block_on(source.pull_reply(0)).expect("reply");
        assert!(
            matches!(idle, SourceReply::Empty { wait_ms: POLL_MS }),
            "{idle:?}"
        );
        host.context().publish_metric(RECORD.as_bytes().to_vec());
        host.context().publish_metric(b"{}".to_vec());
        let batch = testing::block_on(testing::next_batch(&mut source, 1)).expect("data");
        let docs: Vec<&[u8]> = batch.chunks.iter().map(|c| c.as_slice()).collect();
        assert_eq!(docs, [RECORD.as_bytes(), b"{}"]);
        assert_eq!(batch.format, tremor_pdk::PayloadFormat::JSON);
    }

    #[test]
    fn the_sink_publishes_records_and_fails_anything_else() {
        let host = TestHost::new("m");
        let mut c = new_connector(host.context(), "{}").expect("valid");
        let mut sink = c.create_sink().expect("ok").expect("a sink");
        let batch = TestSinkBatch::from_payloads([
            RECORD,
            r#"{"measurement":"m","tags":{},"fields":{},"timestamp":1.5}"#,
            r#"{"measurement":1,"tags":{},"fields":{},"timestamp":1}"#,
            r#"{"tags":{},"fields":{},"timestamp":1}"#,
            "[1]",
        ]);
        let replies = testing::block_on(testing::send(&mut sink, &batch)).expect("replies");
        assert_eq!(
            testing::acks(&replies, 5),
            [
                EventAck::ACK,
                EventAck::FAIL,
                EventAck::FAIL,
                EventAck::FAIL,
                EventAck::FAIL
            ]
        );
        let published: Vec<Vec<u8>> = host
            .context()
            .take_metrics()
            .into_iter()
            .map(|r| r.into_vec())
            .collect();
        assert_eq!(published, [RECORD.as_bytes().to_vec()]);
    }

    #[test]
    fn a_host_without_metrics_services_gives_none_and_takes_none() {
        let ctx = testing::null_context("m");
        let mut c = new_connector(ctx, "{}").expect("valid");
        let mut source = c.create_source().expect("ok").expect("a source");
        let idle = testing::block_on(source.pull_reply(0)).expect("reply");
        assert!(matches!(idle, SourceReply::Empty { .. }), "{idle:?}");
        let mut sink = c.create_sink().expect("ok").expect("a sink");
        let replies = testing::block_on(testing::send(
            &mut sink,
            &TestSinkBatch::from_payloads([RECORD]),
        ))
        .expect("replies");
        assert_eq!(testing::acks(&replies, 1), [EventAck::FAIL]);
    }

    #[test]
    fn check_record_names_what_is_wrong() {
        assert_eq!(check_record(RECORD.as_bytes()), Ok(()));
        let err = |json: &str| check_record(json.as_bytes()).expect_err(json);
        assert_eq!(
            err(r#"{"measurement":"m","tags":[],"fields":{},"timestamp":1}"#),
            "`tags` must be a record, got []"
        );
        assert_eq!(
            err(r#"{"measurement":"m","tags":{},"timestamp":1}"#),
            "`fields` is missing"
        );
        assert!(err("nope").starts_with("invalid JSON"));
    }
}
