//! `cb`: Tremor's test connector for delivery acknowledgements and the circuit breaker.
//!
//! * Source (when `paths`, or 0.12's `path`, is set): sends the lines of its files once, one
//!   transactional event per pull, the files in turn, through the deployment's codec (default
//!   `json`). It records which pull ids got an ack and which a fail. Once every event sent got
//!   one or the other (with `expect_batched`: the highest pull id of each file did) it prints
//!   `All required CB events received.` and the acks and fails to stderr and stops the runtime
//!   with exit code 0. When `timeout` passes after the last line was sent, it prints what it
//!   expected and got (Tremor's words) and what is missing, and stops it gracefully (exit code 0
//!   as in Tremor: the test's assertions on that report give the verdict).
//! * Sink: replies to each event as its `cb` field says, read from the event's metadata
//!   (`$cb`) or else from the event itself (JSON): `"ack"` → delivered, `"fail"` → not
//!   delivered, `"trigger"` / `"close"` → the circuit breaker opens (sources feeding the sink
//!   pause), `"restore"` / `"open"` → it closes again (they resume). An array combines them;
//!   ack wins over fail and trigger/close over restore/open, as in Tremor. Without a `cb`
//!   field the sink says nothing about delivery (no ack, no fail).
//!
//! Tremor's names are easy to mix up: "trigger" *opens* the circuit breaker (data stops), and
//! "restore" *closes* it (data flows); [`tremor_pdk::CbAction`] names the breaker's state.

mod config;
mod sink;
mod source;
#[cfg(test)]
mod tests;

pub use config::CbConfig;
pub use source::ALL_RECEIVED;

use tremor_pdk::{
    into_raw_sink, into_raw_source, io::IoResultExt, CodecRequirement, Connector, ConnectorContext,
    ConnectorError, RawSinkBox, RawSourceBox, Result,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "cb";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<Cb, ConnectorError> {
    let config = CbConfig::from_json(config)?;
    Ok(Cb {
        alias: ctx.alias(),
        ctx,
        config,
    })
}

/// The connector.
pub struct Cb {
    ctx: ConnectorContext,
    alias: String,
    config: CbConfig,
}

impl Connector for Cb {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::optional("json")
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        let names = self.config.files();
        if names.is_empty() {
            return Ok(None);
        }
        // Test connector, small files: read them at once, so a missing file fails the
        // deployment with a clear message.
        let files = names
            .into_iter()
            .map(|path| {
                let text =
                    std::fs::read(&path).with_io_context(|| format!("cb: cannot read `{path}`"))?;
                Ok((path, text))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(into_raw_source(source::CbSource::new(
            self.ctx.clone(),
            files,
            &self.config,
        ))))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(sink::CbSink::new(self.alias.clone()))))
    }

    async fn on_pause(&mut self) -> Result<()> {
        log::info!("[{}] cb connector paused", self.alias);
        Ok(())
    }

    async fn on_resume(&mut self) -> Result<()> {
        log::info!("[{}] cb connector resumed", self.alias);
        Ok(())
    }
}
