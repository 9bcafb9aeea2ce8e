//! `dns_client`: DNS lookups as events, Tremor's `dns_client` connector.
//!
//! An event sent to the connector asks for a lookup through its metadata, as in Tremor:
//! `$dns = {"lookup": "NAME"}` (the name's addresses) or
//! `$dns = {"lookup": {"name": "NAME", "type": "A"}}` (records of one type: A, AAAA, CNAME, MX,
//! TXT, PTR, SRV, …). An event without `$dns` may carry `{"lookup": …}` as its payload instead.
//! The answer comes out of the connector's `out` port as an array of records in Tremor's
//! shape, `[{"A": "127.0.0.1", "ttl": 30}, …]`, with the request's `$correlation` in its
//! metadata. A request that cannot be read or a lookup that fails becomes an error event on
//! `err` naming the request and the error (the runtime's error record: text only, where
//! Tremor's has `request` and `error` fields). Events are acked when the lookup is started.
//!
//! The resolver is hickory-resolver (the maintained successor of the trust-dns resolver
//! Tremor uses) with the system's configuration (`/etc/resolv.conf`, `/etc/hosts`). Its
//! lookups run on a tokio runtime of this connector's own (one worker thread): the plugin
//! depends on no host executor, and the results reach the host's source pull through an
//! executor-independent channel. No config.

mod request;

use async_channel::{Receiver, Sender};
use hickory_resolver::{proto::rr::RecordType, TokioResolver};
use serde::Deserialize;
use std::{str::FromStr, sync::Arc};
use tremor_pdk::{
    parts::PartsConnector, CodecRequirement, ConnectorContext, ConnectorError, Result, Sink,
    SinkBatch, SinkReplies, Source, SourceBatch, SourceReply,
};

/// The connector type name (Tremor's).
pub const CONNECTOR_TYPE: &str = "dns_client";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// An answer for the source part to send on `out`: the records (a JSON array) with the
/// metadata record (JSON text).
fn answer(payload: String, meta: String) -> SourceReply {
    SourceReply::Data(SourceBatch::json(0, vec![payload.into_bytes().into()]).with_meta(meta))
}

/// An error event for the source part to send on `err`.
fn error(message: String) -> SourceReply {
    SourceReply::Error {
        stream: 0,
        message: message.into(),
    }
}

/// The connector takes no configuration (Tremor's neither).
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DnsConfig {}

fn new_connector(_ctx: ConnectorContext, config: &str) -> Result<PartsConnector, ConnectorError> {
    let DnsConfig {} = tremor_pdk::config::parse(CONNECTOR_TYPE, config)?;
    let (tx, rx) = async_channel::unbounded();
    Ok(PartsConnector::new(CodecRequirement::STRUCTURED)
        .with_sink(move || DnsSink::new(tx.clone()))
        .with_source(move || {
            Ok(DnsSource {
                outcomes: rx.clone(),
            })
        }))
}

/// The resolver and the runtime its lookups run on.
struct Lookups {
    runtime: Option<tokio::runtime::Runtime>,
    resolver: Arc<TokioResolver>,
}

impl Lookups {
    fn new() -> Result<Self, ConnectorError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("dns_client")
            .enable_all()
            .build()
            .map_err(|e| {
                ConnectorError::other(format!("cannot start the resolver's runtime: {e}"))
            })?;
        let resolver = TokioResolver::builder_tokio()
            .map_err(|e| ConnectorError::other(format!("no DNS resolver available: {e}")))?
            .build();
        Ok(Self {
            runtime: Some(runtime),
            resolver: Arc::new(resolver),
        })
    }
}

impl Drop for Lookups {
    fn drop(&mut self) {
        // Dropping a tokio runtime blocks until its tasks end, and panics inside another
        // runtime's context: let lookups in flight be abandoned instead.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

struct DnsSink {
    lookups: Lookups,
    outcomes: Sender<SourceReply>,
}

impl DnsSink {
    fn new(outcomes: Sender<SourceReply>) -> Result<Self, ConnectorError> {
        Ok(Self {
            lookups: Lookups::new()?,
            outcomes,
        })
    }
}

impl Sink for DnsSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        for event in batch.iter() {
            let payload: Vec<u8> = event.chunks().flatten().copied().collect();
            let outcomes = self.outcomes.clone();
            match request::read(event.meta(), &payload) {
                Ok(request) => {
                    let resolver = self.lookups.resolver.clone();
                    if let Some(runtime) = &self.lookups.runtime {
                        runtime.spawn(async move {
                            let outcome = lookup(&resolver, &request).await;
                            // Unbounded: only fails once the source part is gone.
                            let _ = outcomes.try_send(outcome);
                        });
                    }
                }
                Err(error) => {
                    log::error!("DNS request refused: {error}");
                    let _ = outcomes.try_send(self::error(error));
                }
            }
        }
        Ok(SinkReplies::ack_all())
    }
}

async fn lookup(resolver: &TokioResolver, request: &request::Request) -> SourceReply {
    let found = match &request.record_type {
        Some(name) => match RecordType::from_str(name) {
            Ok(record_type) => resolver
                .lookup(request.name.as_str(), record_type)
                .await
                .map_err(|e| e.to_string()),
            Err(_) => Err(format!("invalid or unsupported record type: {name}")),
        },
        None => resolver
            .lookup_ip(request.name.as_str())
            .await
            .map(|ips| ips.as_lookup().clone())
            .map_err(|e| e.to_string()),
    };
    match found {
        Ok(lookup) => {
            let records: Vec<serde_json::Value> = lookup
                .record_iter()
                .map(|r| {
                    let data = r.data();
                    request::record(&data.record_type().to_string(), &data.to_string(), r.ttl())
                })
                .collect();
            answer(
                serde_json::Value::Array(records).to_string(),
                request.reply_meta(),
            )
        }
        Err(e) => error(request.error_text(&e)),
    }
}

struct DnsSource {
    outcomes: Receiver<SourceReply>,
}

impl Source for DnsSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        // Waiting here is fine: the runtime drops this future when it has other work, and a
        // reply stays in the channel until it is taken.
        Ok(self.outcomes.recv().await.unwrap_or(SourceReply::Finished))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_pdk::{
        testing::{self, TestEvent, TestSinkBatch},
        Connector,
    };

    fn lookup_of(meta: &str) -> SourceReply {
        let lookups = Lookups::new().expect("resolver");
        let request = request::read(Some(meta.as_bytes()), b"null").expect("a request");
        let runtime = lookups.runtime.as_ref().expect("running");
        runtime.block_on(lookup(&lookups.resolver, &request))
    }

    #[test]
    fn localhost_resolves_to_the_loopback_address() {
        let reply = lookup_of(
            r#"{"dns": {"lookup": {"name": "localhost", "type": "A"}}, "correlation": "c"}"#,
        );
        let SourceReply::Data(batch) = reply else {
            panic!("an answer expected, got {reply:?}");
        };
        let records: serde_json::Value = serde_json::from_slice(&batch.chunks[0]).expect("json");
        assert_eq!(records[0]["A"], "127.0.0.1", "{records}");
        assert!(records[0]["ttl"].is_u64(), "{records}");
        assert_eq!(
            batch.meta.as_ref().map(|m| m.as_str()).into_option(),
            Some(r#"{"correlation":"c"}"#)
        );
    }

    #[test]
    fn an_unknown_record_type_is_an_error_naming_the_request() {
        let reply = lookup_of(r#"{"dns": {"lookup": {"name": "localhost", "type": "NOPE"}}}"#);
        let SourceReply::Error { message, .. } = reply else {
            panic!("an error expected, got {reply:?}");
        };
        assert!(message.contains("NOPE"), "{message}");
        assert!(message.contains("localhost"), "{message}");
    }

    #[test]
    fn sink_to_source_answers_and_errors() {
        let mut c = new_connector(testing::null_context("d"), "{}").expect("valid");
        let mut sink = c.create_sink().expect("ok").expect("a sink");
        let mut source = c.create_source().expect("ok").expect("a source");
        let batch = TestSinkBatch::from_events([
            TestEvent::new("null").with_meta(r#"{"dns": {"lookup": "localhost"}}"#),
            TestEvent::new("{}"),
        ]);
        let replies = testing::block_on(testing::send(&mut sink, &batch)).expect("replies");
        assert_eq!(replies, SinkReplies::ack_all());
        let mut answers = 0;
        let mut errors = 0;
        for pull in 0..2 {
            match testing::block_on(testing::next_reply(&mut source, pull)).expect("reply") {
                SourceReply::Data(batch) => {
                    let records: serde_json::Value =
                        serde_json::from_slice(&batch.chunks[0]).expect("json");
                    let loopback = records
                        .as_array()
                        .expect("records")
                        .iter()
                        .any(|r| r["A"] == "127.0.0.1" || r["AAAA"] == "::1");
                    assert!(loopback, "{records}");
                    answers += 1;
                }
                SourceReply::Error { message, .. } => {
                    assert!(message.contains("$dns.lookup"), "{message}");
                    errors += 1;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((answers, errors), (1, 1));
    }

    #[test]
    fn config_is_checked() {
        let ctx = testing::null_context("d");
        assert!(new_connector(ctx.clone(), "{}").is_ok());
        let err = new_connector(ctx, r#"{"resolver": "x"}"#)
            .err()
            .expect("no keys");
        assert!(err.message.contains("resolver"), "{err}");
    }
}
