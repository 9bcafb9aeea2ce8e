//! `cb`: a test connector for delivery acknowledgements and the circuit breaker (Tremor's
//! `cb` connector).
//!
//! * Source (when `path` is set): sends the lines of `path` one per pull, each as a
//!   transactional batch, through the deployment's codec (default `json`). It counts the acks
//!   and fails the runtime reports for them; a failed line is sent again later. Once every
//!   line is acknowledged it prints `All required CB events received.` to stderr and stops the
//!   runtime with exit code 0; when `timeout` passes first, it prints what is missing (the pull
//!   ids that got no ack, the lines not sent) and stops it with exit code 1.
//! * Sink: replies to each event as its `cb` field says, read from the event's metadata or
//!   else from the event itself (JSON): `"ack"` → delivered, `"fail"` → not delivered,
//!   `"trigger"` / `"close"` → the circuit breaker opens (sources feeding the sink pause),
//!   `"restore"` / `"open"` → it closes again (they resume); an array of these does all of
//!   them; no `cb` field means delivered.
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
        let Some(path) = &self.config.path else {
            return Ok(None);
        };
        // A test connector with a small file: read it at once, so a missing file fails the
        // deployment with a clear message.
        let text = std::fs::read(path).with_io_context(|| format!("cb: cannot read `{path}`"))?;
        Ok(Some(into_raw_source(source::CbSource::new(
            self.ctx.clone(),
            path.clone(),
            &text,
            self.config.timeout,
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
