//! `exit`: stops the runtime when an event arrives.
//!
//! The event `{"exit": CODE, "delay": NANOS, "graceful": BOOL}` stops the runtime after
//! `delay` nanoseconds (default 0), draining first when `graceful` (default `true`); the
//! process exits with `CODE` (default 0). Any other event stops it with code 0. A structured
//! connector: it takes no codec.

use serde::Deserialize;
use tremor_pdk::{
    into_raw_sink, CodecRequirement, Connector, ConnectorContext, ConnectorError, RawSinkBox,
    Result, Sink, SinkBatch, SinkReplies,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "exit";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// What an exit event may say; every field is optional.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitRequest {
    /// The process exit code (default 0).
    #[serde(default)]
    pub exit: i32,
    /// Wait this long before stopping, in nanoseconds (default 0).
    #[serde(default)]
    pub delay: u64,
    /// Drain connectors before stopping (default true).
    #[serde(default = "yes")]
    pub graceful: bool,
}

fn yes() -> bool {
    true
}

impl ExitRequest {
    /// Reads the request from an event; anything that is not such a record means "exit 0 now".
    pub fn from_event(json: &[u8]) -> Self {
        serde_json::from_slice(json).unwrap_or(Self {
            exit: 0,
            delay: 0,
            graceful: true,
        })
    }
}

fn new_connector(ctx: ConnectorContext, _config: &str) -> Result<ExitConnector, ConnectorError> {
    Ok(ExitConnector { ctx })
}

/// The connector.
pub struct ExitConnector {
    ctx: ConnectorContext,
}

impl Connector for ExitConnector {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::STRUCTURED
    }
    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(ExitSink {
            ctx: self.ctx.clone(),
            requested: false,
        })))
    }
}

struct ExitSink {
    ctx: ConnectorContext,
    requested: bool,
}

impl Sink for ExitSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        // The first request wins; later events arrive while the runtime is already stopping.
        if let Some(event) = batch.iter().next().filter(|_| !self.requested) {
            let json: Vec<u8> = event.chunks().flatten().copied().collect();
            let req = ExitRequest::from_event(&json);
            log::info!(
                "[{}] exit requested: code {}, delay {} ns, graceful {}",
                self.ctx.alias(),
                req.exit,
                req.delay,
                req.graceful
            );
            self.requested = true;
            self.ctx.request_stop(req.exit, req.delay, req.graceful);
        }
        Ok(SinkReplies::ack_all())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_requests_with_defaults() {
        assert_eq!(
            ExitRequest::from_event(br#"{"exit": 3, "delay": 10, "graceful": false}"#),
            ExitRequest { exit: 3, delay: 10, graceful: false }
        );
        assert_eq!(
            ExitRequest::from_event(br#"{"exit": 2}"#),
            ExitRequest { exit: 2, delay: 0, graceful: true }
        );
        assert_eq!(
            ExitRequest::from_event(br#""exit""#),
            ExitRequest { exit: 0, delay: 0, graceful: true }
        );
    }
}
