//! `bench`: a load generator and a measuring sink in one connector (Tremor's `bench`).
//!
//! The source replays the lines (or `chunk_size` pieces) of `path` (Tremor 0.12: `source`),
//! decompressed when the name ends in `.xz` and base64-decoded with `base64`, `iters` times or
//! for `warmup_secs + stop_after_secs` seconds (without either: until the runtime stops),
//! optionally one every `interval` nanoseconds. The sink (connect the pipeline's output back
//! to the same connector) records the end-to-end latency of every event (now − the time it
//! entered the runtime) in an HDR histogram and counts events and encoded bytes. Once it has
//! received everything the source sent it prints Tremor's report (the histogram and the
//! `Throughput (events)` lines; JSON with `structured`) and this project's summary, and stops
//! the runtime. Events in the first `warmup_secs` are not measured.

mod config;
mod report;
mod source;
mod tremor_format;

pub use config::BenchConfig;
use std::sync::{
    atomic::{AtomicBool, AtomicU64, Ordering},
    Arc,
};
use tremor_pdk::{
    into_raw_sink, into_raw_source, CodecRequirement, Connector, ConnectorContext, ConnectorError,
    RawSinkBox, RawSourceBox, Result, Sink, Source,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "bench";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// What source and sink share: how much was sent and received, and whether sending is over.
///
/// Whichever side sees "sending is over and everything arrived" first asks the runtime to
/// stop; with sequentially consistent accesses at least one of them sees it.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) sent: AtomicU64,
    pub(crate) received: AtomicU64,
    pub(crate) done: AtomicBool,
}

impl Progress {
    /// Everything sent has arrived, and nothing more will be sent.
    pub(crate) fn complete(&self) -> bool {
        self.done.load(Ordering::SeqCst)
            && self.received.load(Ordering::SeqCst) >= self.sent.load(Ordering::SeqCst)
    }
}

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<Bench, ConnectorError> {
    Ok(Bench {
        ctx,
        config: BenchConfig::from_json(config)?,
        progress: Arc::default(),
    })
}

/// The source and sink of a bench connector as plain Rust values, without the stable-ABI
/// wrapping. Only for the native baseline of the throughput benchmark (`benches/`), which calls
/// them through the runtime's internal traits to measure what the boundary costs.
#[doc(hidden)]
pub fn native_parts(
    ctx: ConnectorContext,
    config: &str,
) -> Result<(impl Source, impl Sink), ConnectorError> {
    let bench = new_connector(ctx, config)?;
    let lines = source::load_elements(&bench.config)?;
    let source = source::BenchSource::new(
        bench.ctx.clone(),
        &bench.config,
        lines,
        bench.progress.clone(),
    );
    let sink = report::BenchSink::new(bench.ctx, &bench.config, bench.progress)?;
    Ok((source, sink))
}

/// The connector.
pub struct Bench {
    ctx: ConnectorContext,
    config: BenchConfig,
    progress: Arc<Progress>,
}

impl Connector for Bench {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::optional("json")
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        let lines = source::load_elements(&self.config)?;
        Ok(Some(into_raw_source(source::BenchSource::new(
            self.ctx.clone(),
            &self.config,
            lines,
            self.progress.clone(),
        ))))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        let sink = report::BenchSink::new(self.ctx.clone(), &self.config, self.progress.clone())?;
        Ok(Some(into_raw_sink(sink)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_pdk::{
        testing::{self, TestEvent, TestHost, TestSinkBatch, TestSource as _},
        SourceReply,
    };

    #[test]
    fn replays_the_lines_and_stops_the_runtime_once_all_arrived() {
        let path =
            std::env::temp_dir().join(format!("tremor-bench-test-{}.txt", std::process::id()));
        std::fs::write(&path, "a\n\nb\r\nc\n").expect("write");
        let config =
            serde_json::json!({"path": path.display().to_string(), "iters": 2, "batch_size": 4});
        let host = TestHost::new("b");
        let mut bench = new_connector(host.context(), &config.to_string()).expect("valid");
        let mut source = bench.create_source().expect("ok").expect("source");
        let mut sink = bench.create_sink().expect("ok").expect("sink");
        let _ = std::fs::remove_file(&path);
        let chunks = testing::block_on(testing::take_chunks(&mut source, 6)).expect("data");
        assert_eq!(chunks, [b"a", b"b", b"c", b"a", b"b", b"c"]);
        let wait = testing::block_on(source.pull_reply(2)).expect("reply");
        assert!(matches!(wait, SourceReply::Empty { .. }), "{wait:?}");
        assert!(host.stop_requests().is_empty(), "nothing arrived yet");
        host.set_now_ns(5_000);
        let events = chunks
            .iter()
            .map(|c| TestEvent::new(c).with_ingest_ns(1_000));
        let batch = TestSinkBatch::from_events(events);
        testing::block_on(testing::send(&mut sink, &batch)).expect("replies");
        assert_eq!(host.exit_codes(), [0]);
        let end = testing::block_on(source.pull_reply(3)).expect("reply");
        assert!(matches!(end, SourceReply::Finished), "{end:?}");
    }
}
