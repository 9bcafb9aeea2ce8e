//! A connector that is nothing but its parts.
//!
//! Many connectors have no connection of their own to manage: a timer (metronome), a schedule
//! (crononome), the process's own streams (stdio), a request to the runtime (exit). For them
//! the [`Connector`] implementation only names the codec requirement and builds the source
//! and/or sink. [`PartsConnector`] is that implementation, so such a connector's crate holds
//! just its configuration and its parts:
//!
//! ```
//! use tremor_pdk::{parts::PartsConnector, CodecRequirement, Result, Source, SourceReply};
//!
//! struct Silent;
//! impl Source for Silent {
//!     async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
//!         Ok(SourceReply::Finished)
//!     }
//! }
//!
//! let connector = PartsConnector::new(CodecRequirement::STRUCTURED).with_source(|| Ok(Silent));
//! ```
//!
//! Every lifecycle call (`connect`, `on_start`, ...) succeeds without doing anything; a
//! connector that needs one of them implements [`Connector`] itself.

use crate::{
    adapter::{into_raw_sink, into_raw_source, Connector, Sink, Source},
    connector::CodecRequirement,
    error::Result,
    sink::RawSinkBox,
    source::RawSourceBox,
};

type MakeSource = Box<dyn FnOnce() -> Result<RawSourceBox> + Send>;
type MakeSink = Box<dyn FnOnce() -> Result<RawSinkBox> + Send>;

/// A [`Connector`] made of a codec requirement and the builders of its parts. Each builder runs
/// once, when the runtime asks for the part (`create_source` / `create_sink`), so a part's
/// timers and handles start with the part, not with the configuration.
pub struct PartsConnector {
    codec: CodecRequirement,
    source: Option<MakeSource>,
    sink: Option<MakeSink>,
}

impl PartsConnector {
    /// A connector with neither source nor sink yet, needing `codec` from the runtime.
    pub fn new(codec: CodecRequirement) -> Self {
        Self {
            codec,
            source: None,
            sink: None,
        }
    }

    /// Gives the connector a source part, built by `make` when the runtime asks for it.
    #[must_use]
    pub fn with_source<S: Source>(
        mut self,
        make: impl FnOnce() -> Result<S> + Send + 'static,
    ) -> Self {
        self.source = Some(Box::new(move || make().map(into_raw_source)));
        self
    }

    /// Gives the connector a sink part, built by `make` when the runtime asks for it.
    #[must_use]
    pub fn with_sink<S: Sink>(mut self, make: impl FnOnce() -> Result<S> + Send + 'static) -> Self {
        self.sink = Some(Box::new(move || make().map(into_raw_sink)));
        self
    }
}

impl Connector for PartsConnector {
    fn codec_requirement(&self) -> CodecRequirement {
        self.codec
    }

    /// The source, the first time; `None` without one (or when asked again).
    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        self.source.take().map(|make| make()).transpose()
    }

    /// The sink, the first time; `None` without one (or when asked again).
    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        self.sink.take().map(|make| make()).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        testing::{self, TestSinkBatch},
        ConnectorError, SinkBatch, SinkReplies, SourceReply,
    };

    /// Ends the stream named at construction on every pull.
    struct Ends(u64);

    impl Source for Ends {
        async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
            Ok(SourceReply::EndStream { stream: self.0 })
        }
    }

    /// Fails every batch it is given.
    struct Refuses;

    impl Sink for Refuses {
        async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
            assert!(!batch.is_empty());
            Ok(SinkReplies::fail_all())
        }
    }

    #[test]
    fn hands_out_each_part_once() {
        let mut c = PartsConnector::new(CodecRequirement::optional("json"))
            .with_source(|| Ok(Ends(7)))
            .with_sink(|| Ok(Refuses));
        assert_eq!(c.codec_requirement(), CodecRequirement::optional("json"));
        let mut source = c.create_source().expect("ok").expect("a source");
        let reply = testing::block_on(testing::next_reply(&mut source, 0)).expect("reply");
        assert!(
            matches!(reply, SourceReply::EndStream { stream: 7 }),
            "{reply:?}"
        );
        let mut sink = c.create_sink().expect("ok").expect("a sink");
        let batch = TestSinkBatch::from_payloads(["x"]);
        let replies = testing::block_on(testing::send(&mut sink, &batch)).expect("replies");
        assert_eq!(replies, SinkReplies::fail_all());
        assert!(c.create_source().expect("ok").is_none());
        assert!(c.create_sink().expect("ok").is_none());
    }

    #[test]
    fn missing_parts_are_none_and_builder_errors_pass_through() {
        let mut c = PartsConnector::new(CodecRequirement::STRUCTURED)
            .with_sink(|| Err::<Refuses, _>(ConnectorError::config("no sink today")));
        assert!(c.create_source().expect("ok").is_none());
        let err = c.create_sink().err().expect("the builder's error");
        assert_eq!(err, ConnectorError::config("no sink today"));
    }
}
