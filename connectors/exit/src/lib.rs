//! `exit`: stops the runtime when an event arrives.
//!
//! The event `{"exit": CODE, "delay": NANOS, "graceful": BOOL}` stops the runtime after
//! `delay` nanoseconds (default 0), draining first when `graceful` (default `true`); the
//! process exits with `CODE` (default 0). Any other event stops it with code 0. The optional
//! config `{"delay": NANOS, "graceful": BOOL}` sets the defaults for events that do not say.
//! A structured connector: it takes no codec.

use serde::Deserialize;
use tremor_pdk::{
    parts::PartsConnector, CodecRequirement, ConnectorContext, ConnectorError, Result, Sink,
    SinkBatch, SinkReplies,
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

/// Configuration: defaults for events that leave fields out.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ExitConfig {
    /// Default delay before stopping, in nanoseconds (default 0).
    #[serde(default)]
    pub delay: u64,
    /// Default for draining before the stop (default true).
    #[serde(default = "yes")]
    pub graceful: bool,
}

#[derive(Deserialize)]
struct PartialRequest {
    exit: Option<i32>,
    delay: Option<u64>,
    graceful: Option<bool>,
}

impl ExitRequest {
    /// Reads the request from an event, filling what it leaves out from `defaults`; an event
    /// that is not such a record means "exit 0" with the defaults.
    pub fn from_event(json: &[u8], defaults: ExitConfig) -> Self {
        let partial = serde_json::from_slice::<PartialRequest>(json).unwrap_or(PartialRequest {
            exit: None,
            delay: None,
            graceful: None,
        });
        Self {
            exit: partial.exit.unwrap_or(0),
            delay: partial.delay.unwrap_or(defaults.delay),
            graceful: partial.graceful.unwrap_or(defaults.graceful),
        }
    }
}

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<PartsConnector, ConnectorError> {
    let defaults: ExitConfig = tremor_pdk::config::parse(CONNECTOR_TYPE, config)?;
    Ok(
        PartsConnector::new(CodecRequirement::STRUCTURED).with_sink(move || {
            Ok(ExitSink {
                ctx,
                defaults,
                requested: false,
            })
        }),
    )
}

struct ExitSink {
    ctx: ConnectorContext,
    defaults: ExitConfig,
    requested: bool,
}

impl Sink for ExitSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        // The first request wins; later events arrive while the runtime is already stopping.
        if let Some(event) = batch.iter().next().filter(|_| !self.requested) {
            let json: Vec<u8> = event.chunks().flatten().copied().collect();
            let req = ExitRequest::from_event(&json, self.defaults);
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
    use tremor_pdk::{
        testing::{self, StopRequest, TestHost, TestSinkBatch},
        Connector,
    };

    fn request(exit: i32, delay: u64, graceful: bool) -> ExitRequest {
        ExitRequest {
            exit,
            delay,
            graceful,
        }
    }

    #[test]
    fn reads_requests_with_defaults() {
        let defaults = ExitConfig {
            delay: 0,
            graceful: true,
        };
        let read = |json: &[u8]| ExitRequest::from_event(json, defaults);
        assert_eq!(
            read(br#"{"exit": 3, "delay": 10, "graceful": false}"#),
            request(3, 10, false)
        );
        assert_eq!(read(br#"{"exit": 2}"#), request(2, 0, true));
        assert_eq!(read(br#""exit""#), request(0, 0, true));
        let slow = ExitConfig {
            delay: 100,
            graceful: false,
        };
        assert_eq!(
            ExitRequest::from_event(br#"{"exit": 1}"#, slow),
            request(1, 100, false)
        );
    }

    #[test]
    fn config_is_checked() {
        let ctx = testing::null_context("e");
        assert!(new_connector(ctx.clone(), "{}").is_ok());
        let err = new_connector(ctx, r#"{"dealy": 1}"#).err().expect("typo");
        assert!(
            err.message
                .starts_with("invalid exit config: unknown field `dealy`"),
            "{err}"
        );
    }

    #[test]
    fn the_first_event_stops_the_runtime_once() {
        let host = TestHost::new("e");
        let mut c = new_connector(host.context(), r#"{"delay": 5}"#).expect("valid");
        assert!(c.create_source().expect("ok").is_none(), "a sink only");
        let mut sink = c.create_sink().expect("ok").expect("sink");
        let batch = TestSinkBatch::from_payloads([r#"{"exit": 2}"#, r#"{"exit": 3}"#]);
        let replies = testing::block_on(testing::send(&mut sink, &batch)).expect("replies");
        assert_eq!(replies, SinkReplies::ack_all());
        testing::block_on(testing::send(&mut sink, &batch)).expect("replies");
        assert_eq!(
            host.stop_requests(),
            [StopRequest {
                exit_code: 2,
                delay_ns: 5,
                graceful: true
            }]
        );
    }
}
