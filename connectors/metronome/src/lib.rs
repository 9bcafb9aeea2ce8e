//! `metronome`: emits `{"connector": "metronome", "ingest_ns": NOW, "id": N}` every
//! `interval` nanoseconds. A structured connector: it takes no codec.

use async_io::Timer;
use serde::Deserialize;
use std::time::Duration;
use tremor_pdk::{
    parts::PartsConnector, CodecRequirement, ConnectorContext, ConnectorError, Result, Source,
    SourceBatch, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "metronome";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// Configuration of the metronome.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct MetronomeConfig {
    /// Time between two events, in nanoseconds (Tremor's name for it is `interval`). Must be > 0.
    pub interval: u64,
}

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<PartsConnector, ConnectorError> {
    let config: MetronomeConfig = tremor_pdk::config::parse(CONNECTOR_TYPE, config)?;
    if config.interval == 0 {
        return Err(tremor_pdk::config::invalid(
            CONNECTOR_TYPE,
            "`interval` must be > 0 ns",
        ));
    }
    let interval = Duration::from_nanos(config.interval);
    Ok(
        PartsConnector::new(CodecRequirement::STRUCTURED).with_source(move || {
            Ok(MetronomeSource {
                ctx,
                interval,
                timer: None,
                id: 0,
            })
        }),
    )
}

struct MetronomeSource {
    ctx: ConnectorContext,
    interval: Duration,
    /// Started by the first pull, as Tremor starts its schedule when the source connects (not
    /// when the instance is built: ticks missed before the start would all come at once). It
    /// lives in the source, not in the pull future, so that a cancelled pull does not shift
    /// the schedule.
    timer: Option<Timer>,
    id: u64,
}

impl Source for MetronomeSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        let interval = self.interval;
        self.timer
            .get_or_insert_with(|| Timer::interval(interval))
            .await;
        let event = tick(self.ctx.now_ns(), self.id);
        self.id += 1;
        Ok(SourceReply::Data(SourceBatch::json(0, vec![event.into()])))
    }
}

/// The JSON document of one tick.
fn tick(ingest_ns: u64, id: u64) -> Vec<u8> {
    format!(r#"{{"connector":"{CONNECTOR_TYPE}","ingest_ns":{ingest_ns},"id":{id}}}"#).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_pdk::{testing, Connector};

    #[test]
    fn rejects_bad_config() {
        let ctx = testing::null_context("m");
        let err = new_connector(ctx.clone(), r#"{"interval": 0}"#)
            .err()
            .expect("zero interval");
        assert_eq!(
            err.message.as_str(),
            "invalid metronome config: `interval` must be > 0 ns"
        );
        let err = new_connector(ctx.clone(), r#"{"intervall": 5}"#)
            .err()
            .expect("unknown field");
        assert!(err.message.contains("intervall"), "{err}");
        assert!(new_connector(ctx, r#"{"interval": 5}"#).is_ok());
    }

    #[test]
    fn tick_is_the_documented_record() {
        let t = String::from_utf8(tick(12, 3)).expect("utf8");
        assert_eq!(t, r#"{"connector":"metronome","ingest_ns":12,"id":3}"#);
    }

    #[test]
    fn pulls_ticks_with_increasing_ids() {
        let ctx = testing::null_context("m");
        let mut c = new_connector(ctx, r#"{"interval": 1000000}"#).expect("valid");
        let mut source = c.create_source().expect("ok").expect("has a source");
        for want in 0..3u64 {
            let batch = testing::block_on(testing::next_batch(&mut source, want)).expect("data");
            let doc: serde_json::Value = serde_json::from_slice(&batch.chunks[0]).expect("json");
            assert_eq!(doc["id"], want);
        }
    }
}
