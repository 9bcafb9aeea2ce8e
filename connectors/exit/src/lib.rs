//! `exit`: stops the runtime when an event arrives.
//!
//! The event `{"exit": CODE, "delay": NANOS, "graceful": BOOL}` stops the runtime after
//! `delay` nanoseconds (default 0), draining first when `graceful` (default `true`); the
//! process exits with `CODE` (default 0). Any other event stops it with code 0. The optional
//! config `{"delay": NANOS, "graceful": BOOL}` sets the defaults for events that do not say.
//! A structured connector: it takes no codec.
//!
//! `CODE` must be an integer from 0 to 255 (what a process can exit with): any other `exit`
//! (`256`, `-1`, `1.5`, `"x"`) stops nothing and becomes an error event naming the value on the
//! connector's `err` port, sent by its source part, which has nothing else to say.

use serde::Deserialize;
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex, PoisonError},
};
use tremor_pdk::{
    parts::PartsConnector, CodecRequirement, ConnectorContext, ConnectorError, Result, Sink,
    SinkBatch, SinkReplies, Source, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "exit";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// How long the source part waits between looks for refused requests, in milliseconds (the
/// runtime pulls sooner when a control message arrives).
const ERROR_POLL_MS: u64 = 50;

/// What an exit event may say; every field is optional.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitRequest {
    /// The process exit code, 0 to 255 (default 0).
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

impl ExitRequest {
    /// Reads the request from an event, filling what it leaves out from `defaults`; an event
    /// that is not a record means "exit 0" with the defaults, and a `delay` or `graceful` of
    /// the wrong type is left out (as Tremor does).
    ///
    /// # Errors
    /// When the record has an `exit` that is not an integer from 0 to 255: the message names
    /// the value.
    pub fn from_event(json: &[u8], defaults: ExitConfig) -> std::result::Result<Self, String> {
        let record = match serde_json::from_slice::<serde_json::Value>(json) {
            Ok(serde_json::Value::Object(record)) => record,
            _ => serde_json::Map::new(),
        };
        let exit = match record.get("exit") {
            None => 0,
            Some(code) => code
                .as_u64()
                .and_then(|c| u8::try_from(c).ok())
                .map(i32::from)
                .ok_or_else(|| {
                    format!("exit: the exit code must be an integer from 0 to 255, got {code}")
                })?,
        };
        Ok(Self {
            exit,
            delay: record
                .get("delay")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(defaults.delay),
            graceful: record
                .get("graceful")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(defaults.graceful),
        })
    }
}

/// Refused requests, from the sink part to the source part that reports them.
type Refused = Arc<Mutex<VecDeque<String>>>;

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<PartsConnector, ConnectorError> {
    let defaults: ExitConfig = tremor_pdk::config::parse(CONNECTOR_TYPE, config)?;
    let refused = Refused::default();
    let reported = refused.clone();
    Ok(PartsConnector::new(CodecRequirement::STRUCTURED)
        .with_sink(move || {
            Ok(ExitSink {
                ctx,
                defaults,
                requested: false,
                refused,
            })
        })
        .with_source(move || Ok(RefusalSource { refused: reported })))
}

struct ExitSink {
    ctx: ConnectorContext,
    defaults: ExitConfig,
    requested: bool,
    refused: Refused,
}

impl Sink for ExitSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        // The first valid request wins; later events arrive while the runtime is already
        // stopping.
        for event in batch.iter() {
            if self.requested {
                break;
            }
            let json: Vec<u8> = event.chunks().flatten().copied().collect();
            match ExitRequest::from_event(&json, self.defaults) {
                Ok(req) => {
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
                Err(refusal) => {
                    log::warn!("[{}] {refusal}: not stopping", self.ctx.alias());
                    self.refused
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push_back(refusal);
                }
            }
        }
        Ok(SinkReplies::ack_all())
    }
}

/// The source part: sends each refused request to the `err` port.
struct RefusalSource {
    refused: Refused,
}

impl Source for RefusalSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        let next = self
            .refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        Ok(match next {
            Some(message) => SourceReply::Error {
                stream: 0,
                message: message.into(),
            },
            None => SourceReply::Empty {
                wait_ms: ERROR_POLL_MS,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_pdk::{
        testing::{self, StopRequest, TestHost, TestSinkBatch, TestSource},
        Connector,
    };

    fn request(exit: i32, delay: u64, graceful: bool) -> Result<ExitRequest, String> {
        Ok(ExitRequest {
            exit,
            delay,
            graceful,
        })
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
        // fields of the wrong type other than `exit` are left out, as in Tremor
        assert_eq!(
            read(br#"{"exit": 255, "delay": "soon", "graceful": 1}"#),
            request(255, 0, true)
        );
        assert_eq!(read(br#"{"exit": 0}"#), request(0, 0, true));
    }

    #[test]
    fn exit_codes_outside_0_to_255_are_refused_naming_the_value() {
        let defaults = ExitConfig {
            delay: 0,
            graceful: true,
        };
        for (json, shown) in [
            (r#"{"exit": 256}"#, "256"),
            (r#"{"exit": 1000}"#, "1000"),
            (r#"{"exit": -1}"#, "-1"),
            (r#"{"exit": 1.5}"#, "1.5"),
            (r#"{"exit": "x"}"#, "\"x\""),
            (r#"{"exit": 4294967296}"#, "4294967296"),
            (r#"{"exit": null}"#, "null"),
        ] {
            let refusal = ExitRequest::from_event(json.as_bytes(), defaults).expect_err(json);
            assert_eq!(
                refusal,
                format!("exit: the exit code must be an integer from 0 to 255, got {shown}")
            );
        }
    }

    #[test]
    fn a_refused_request_stops_nothing_and_is_reported_by_the_source() {
        let host = TestHost::new("e");
        let mut c = new_connector(host.context(), "{}").expect("valid");
        let mut source = c
            .create_source()
            .expect("ok")
            .expect("a source for refusals");
        let mut sink = c.create_sink().expect("ok").expect("sink");
        let batch = TestSinkBatch::from_payloads([r#"{"exit": 256}"#]);
        let replies = testing::block_on(testing::send(&mut sink, &batch)).expect("replies");
        assert_eq!(replies, SinkReplies::ack_all());
        assert!(host.stop_requests().is_empty());
        let reply = testing::block_on(testing::next_reply(&mut source, 0)).expect("reply");
        let SourceReply::Error { stream, message } = reply else {
            panic!("an error reply expected, got {reply:?}");
        };
        assert_eq!(stream, 0);
        assert!(message.as_str().ends_with("got 256"), "{message}");
        // nothing more to report; a valid request after it still stops the runtime
        let quiet = testing::block_on(source.pull_reply(1)).expect("reply");
        assert!(matches!(quiet, SourceReply::Empty { .. }), "{quiet:?}");
        let batch = TestSinkBatch::from_payloads([r#"{"exit": -1}"#, r#"{"exit": 7}"#]);
        testing::block_on(testing::send(&mut sink, &batch)).expect("replies");
        assert_eq!(host.exit_codes(), [7]);
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
