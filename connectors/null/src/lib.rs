//! `null`: a sink that accepts and acknowledges everything, and a source that never produces.
//!
//! Useful as a blackhole in tests and benchmarks, and as the smallest complete example of a
//! connector.

use tremor_pdk::{
    parts::PartsConnector, CodecRequirement, ConnectorContext, ConnectorError, Result, Sink,
    SinkBatch, SinkReplies, Source, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "null";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(_ctx: ConnectorContext, _config: &str) -> Result<PartsConnector, ConnectorError> {
    // No configuration, no connection.
    Ok(PartsConnector::new(CodecRequirement::optional("json"))
        .with_source(|| Ok(NullSource))
        .with_sink(|| Ok(NullSink)))
}

struct NullSource;

impl Source for NullSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        Ok(SourceReply::Finished)
    }
}

struct NullSink;

impl Sink for NullSink {
    async fn on_batch(&mut self, _batch: SinkBatch<'_>) -> Result<SinkReplies> {
        Ok(SinkReplies::ack_all())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_pdk::{
        testing::{self, TestSinkBatch},
        Connector,
    };

    #[test]
    fn the_sink_acks_everything_and_the_source_never_produces() {
        let mut c = new_connector(testing::null_context("n"), "{}").expect("valid");
        let mut sink = c.create_sink().expect("ok").expect("sink");
        let batch = TestSinkBatch::from_payloads(["a", "b"]);
        let replies = testing::block_on(testing::send(&mut sink, &batch)).expect("replies");
        assert_eq!(replies, SinkReplies::ack_all());
        let mut source = c.create_source().expect("ok").expect("source");
        let reply = testing::block_on(testing::next_reply(&mut source, 0)).expect("reply");
        assert!(matches!(reply, SourceReply::Finished), "{reply:?}");
    }
}
