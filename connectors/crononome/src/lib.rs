//! `crononome`: emits an event whenever one of its cron entries fires.
//!
//! Configured as `{"entries": [{"name": "every-second", "expr": "* * * * * *", "payload": ..}]}`
//! (see [`CrononomeConfig`]); expressions have six fields starting with seconds and are
//! evaluated in UTC. Each firing emits
//! `{"connector": "crononome", "ingest_ns": NOW, "id": N, "trigger": {"name": .., "payload": ..}}`,
//! with `id` counting events from 0. Entries that fire at the same instant arrive in one batch,
//! in configuration order. A structured connector: it takes no codec.

mod config;
mod schedule;

pub use config::{CronEntry, CrononomeConfig};

use async_io::Timer;
use schedule::Schedule;
use tremor_pdk::{
    parts::PartsConnector, CodecRequirement, ConnectorContext, ConnectorError, Result, Source,
    SourceBatch, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "crononome";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<PartsConnector, ConnectorError> {
    let entries = config::parse(config)?;
    Ok(
        PartsConnector::new(CodecRequirement::STRUCTURED).with_source(move || {
            Ok(CrononomeSource {
                ctx,
                schedule: Schedule::new(entries),
            })
        }),
    )
}

struct CrononomeSource {
    ctx: ConnectorContext,
    // The schedule lives here, not in the pull future: a pull cancelled while it waits leaves
    // the next instants and the id counter untouched, and the next pull waits for the same
    // instant.
    schedule: Schedule,
}

impl Source for CrononomeSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        let now = chrono::Utc::now();
        self.schedule.start(now);
        let Some(at) = self.schedule.next_due() else {
            log::info!(
                "[{}] no cron entry will fire again: the source is finished",
                self.ctx.alias()
            );
            return Ok(SourceReply::Finished);
        };
        // Negative when the instant already passed (a late pull): fire right away.
        if let Ok(wait) = (at - now).to_std() {
            Timer::after(wait).await;
        }
        let docs = self
            .schedule
            .fire(at, chrono::Utc::now(), self.ctx.now_ns());
        let docs = docs.into_iter().map(Into::into).collect();
        Ok(SourceReply::Data(SourceBatch::json(0, docs)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{future::Future, pin::pin, task::Poll, time::Duration};
    use tremor_pdk::{testing, Connector, RawSourceBox};

    fn source(config: &str) -> RawSourceBox {
        let ctx = testing::null_context("c");
        let mut c = new_connector(ctx, config).expect("valid config");
        assert_eq!(c.codec_requirement(), CodecRequirement::STRUCTURED);
        c.create_source().expect("ok").expect("has a source")
    }

    /// Runs `f` to completion, failing the test if it takes longer than `limit`.
    fn within<F: Future>(limit: Duration, f: F) -> F::Output {
        testing::block_on_timeout(limit, f).unwrap_or_else(|| panic!("timed out after {limit:?}"))
    }

    fn pull_docs(source: &mut RawSourceBox, pull_id: u64) -> Vec<serde_json::Value> {
        let batch = within(
            Duration::from_millis(1500),
            testing::next_batch(source, pull_id),
        )
        .expect("pulls data");
        assert_eq!(batch.format, tremor_pdk::PayloadFormat::JSON);
        batch
            .chunks
            .iter()
            .map(|c| serde_json::from_slice(c).expect("json"))
            .collect()
    }

    #[test]
    fn two_entries_fire_together_with_increasing_ids() {
        let mut s = source(
            r#"{"entries": [{"name": "first", "expr": "* * * * * *", "payload": {"n": 1}},
                            {"name": "second", "expr": "* * * * * *", "payload": [true]}]}"#,
        );
        let mut id = 0;
        for pull_id in 0..2 {
            let docs = pull_docs(&mut s, pull_id);
            assert_eq!(docs.len(), 2, "{docs:?}");
            for (doc, (name, payload)) in docs.iter().zip([
                ("first", serde_json::json!({"n": 1})),
                ("second", serde_json::json!([true])),
            ]) {
                assert_eq!(doc["connector"], "crononome");
                assert!(doc["ingest_ns"].as_u64().is_some_and(|ns| ns > 0), "{doc}");
                assert_eq!(doc["id"], id);
                assert_eq!(
                    doc["trigger"],
                    serde_json::json!({"name": name, "payload": payload})
                );
                id += 1;
            }
        }
    }

    #[test]
    fn a_cancelled_pull_keeps_the_schedule() {
        let mut s = source(r#"{"entries": [{"name": "tick", "expr": "* * * * * *"}]}"#);
        // Poll the first pull once (it waits for the next second), then drop it.
        let polled = within(Duration::from_millis(100), async {
            let mut pull = pin!(s.pull(0));
            std::future::poll_fn(|cx| Poll::Ready(pull.as_mut().poll(cx).is_pending())).await
        });
        // Only a pull started exactly on a whole second completes at once (and uses id 0).
        let want_id = if polled { 0 } else { 1 };
        let docs = pull_docs(&mut s, 1);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0]["id"], want_id);
        assert_eq!(docs[0]["trigger"]["payload"], serde_json::Value::Null);
    }

    #[test]
    fn an_exhausted_schedule_finishes_the_source() {
        let mut s = source(r#"{"entries": [{"name": "past", "expr": "0 0 0 1 1 * 2001"}]}"#);
        let reply = within(Duration::from_secs(1), testing::next_reply(&mut s, 0)).expect("pulls");
        assert!(matches!(reply, SourceReply::Finished));
    }
}
