//! Test fixture: connector type `misbehave`, which panics or returns an error at the entry
//! point its config names. Used to prove that no plugin can take the host down.
//!
//! Config: `{"panic_in": WHERE, "error_in": WHERE}` with WHERE one of `new`, `connect`,
//! `pull`, `on_batch`, `none` (default). Otherwise it is a sink that accepts everything and a
//! source that produces nothing.

use serde::Deserialize;
use tremor_pdk::{
    into_raw_sink, into_raw_source, CodecRequirement, Connector, ConnectorContext, ConnectorError,
    RawSinkBox, RawSourceBox, Result, Sink, SinkBatch, SinkReplies, Source, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "misbehave";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// Where to misbehave.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// Nowhere.
    #[default]
    None,
    /// In the constructor.
    New,
    /// In `connect`.
    Connect,
    /// In the source's `pull`.
    Pull,
    /// In the sink's `on_batch`.
    OnBatch,
}

/// The fixture's config.
#[derive(Deserialize, Debug, Clone, Copy, Default)]
#[serde(deny_unknown_fields)]
pub struct MisbehaveConfig {
    /// Where to panic.
    #[serde(default)]
    pub panic_in: Place,
    /// Where to return an error.
    #[serde(default)]
    pub error_in: Place,
}

impl MisbehaveConfig {
    fn check(&self, place: Place) -> Result<()> {
        if self.panic_in == place {
            panic!("misbehave: deliberate panic in {place:?}");
        }
        if self.error_in == place {
            return Err(ConnectorError::other(format!(
                "misbehave: deliberate error in {place:?}"
            )));
        }
        Ok(())
    }
}

fn new_connector(_ctx: ConnectorContext, config: &str) -> Result<Misbehave, ConnectorError> {
    let config: MisbehaveConfig = tremor_pdk::config::parse(CONNECTOR_TYPE, config)?;
    config.check(Place::New)?;
    Ok(Misbehave(config))
}

/// The connector.
pub struct Misbehave(MisbehaveConfig);

impl Connector for Misbehave {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::STRUCTURED
    }
    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(MisbehaveSource(self.0))))
    }
    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(MisbehaveSink(self.0))))
    }
    async fn connect(&mut self, _attempt: u64) -> Result<bool> {
        self.0.check(Place::Connect)?;
        Ok(true)
    }
}

struct MisbehaveSource(MisbehaveConfig);

impl Source for MisbehaveSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        self.0.check(Place::Pull)?;
        Ok(SourceReply::Empty { wait_ms: 50 })
    }
}

struct MisbehaveSink(MisbehaveConfig);

impl Sink for MisbehaveSink {
    async fn on_batch(&mut self, _batch: SinkBatch<'_>) -> Result<SinkReplies> {
        self.0.check(Place::OnBatch)?;
        Ok(SinkReplies::ack_all())
    }
}
