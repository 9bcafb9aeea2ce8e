//! Test fixture: connector type `flaky`, a source whose instances fail in ways a restart
//! recovers from. Used to prove that a failed connector is restarted with a fresh instance per
//! its reconnect policy and quarantined after the last retry.
//!
//! Config: `{"panic_after": N, "fail_connects": K, "count": C}`: every instance emits events
//! `{"instance": I, "n": N}` (one per pull; `I` counts instances in this process from 1) and
//! panics in `pull` after `panic_after` of them (never, when not given); the first
//! `fail_connects` connects of the process (default 0) fail; an instance that did not panic
//! finishes after `count` events (default 5).

use serde::Deserialize;
use std::sync::atomic::{AtomicU64, Ordering};
use tremor_pdk::{
    into_raw_source, CodecRequirement, Connector, ConnectorContext, ConnectorError, RawSourceBox,
    Result, Source, SourceBatch, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "flaky";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// Instances created in this process (a plugin has its own copy of this static).
static INSTANCES: AtomicU64 = AtomicU64::new(0);
/// Connect calls in this process.
static CONNECTS: AtomicU64 = AtomicU64::new(0);

/// The fixture's config.
#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct FlakyConfig {
    /// Panic in `pull` after this many events of an instance.
    #[serde(default)]
    pub panic_after: Option<u64>,
    /// The first this many connects of the process fail.
    #[serde(default)]
    pub fail_connects: u64,
    /// Events of an instance before it finishes (when it does not panic first).
    #[serde(default = "default_count")]
    pub count: u64,
}

fn default_count() -> u64 {
    5
}

fn new_connector(_ctx: ConnectorContext, config: &str) -> Result<Flaky, ConnectorError> {
    let config: FlakyConfig = tremor_pdk::config::parse(CONNECTOR_TYPE, config)?;
    let instance = INSTANCES.fetch_add(1, Ordering::SeqCst) + 1;
    Ok(Flaky { config, instance })
}

/// The connector.
pub struct Flaky {
    config: FlakyConfig,
    instance: u64,
}

impl Connector for Flaky {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::STRUCTURED
    }
    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(FlakySource {
            config: self.config,
            instance: self.instance,
            sent: 0,
        })))
    }
    async fn connect(&mut self, attempt: u64) -> Result<bool> {
        let connect = CONNECTS.fetch_add(1, Ordering::SeqCst) + 1;
        if connect <= self.config.fail_connects {
            return Err(ConnectorError::connection(format!(
                "flaky: deliberate failure of connect {connect} (attempt {attempt})"
            )));
        }
        Ok(true)
    }
}

struct FlakySource {
    config: FlakyConfig,
    instance: u64,
    sent: u64,
}

impl Source for FlakySource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        if self.config.panic_after == Some(self.sent) {
            panic!(
                "flaky: deliberate panic in instance {} after {} events",
                self.instance, self.sent
            );
        }
        if self.sent >= self.config.count {
            return Ok(SourceReply::Finished);
        }
        let event = format!("{{\"instance\":{},\"n\":{}}}", self.instance, self.sent);
        self.sent += 1;
        Ok(SourceReply::Data(SourceBatch::json(
            0,
            vec![event.into_bytes().into()],
        )))
    }
}
