//! `null`: a sink that accepts and acknowledges everything, and a source that never produces.
//!
//! Useful as a blackhole in tests and benchmarks, and as the smallest complete example of a
//! connector.

use tremor_pdk::{
    into_raw_sink, into_raw_source, CodecRequirement, Connector, ConnectorContext, ConnectorError,
    RawSinkBox, RawSourceBox, Result, Sink, SinkBatch, SinkReplies, Source, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "null";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(_ctx: ConnectorContext, _config: &str) -> Result<NullConnector, ConnectorError> {
    Ok(NullConnector)
}

/// The connector: no configuration, no connection.
pub struct NullConnector;

impl Connector for NullConnector {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::optional("json")
    }
    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(NullSource)))
    }
    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(NullSink)))
    }
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
    use tremor_pdk::testing::{self, TestSinkBatch};

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
