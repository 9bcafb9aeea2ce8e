//! Micro-benchmarks of the plugin boundary.
//!
//! * the cost of one `pull` and one `on_batch` through pdk's stable-ABI trait objects versus a
//!   direct call of the same Rust code, per call and amortised per event of a batch;
//! * with `--plugins DIR` (feature `dynamic-plugins`): the time to load every plugin in DIR.
//!
//! ```text
//! boundary [--calls N] [--plugins DIR]
//! ```

use std::{
    future::Future,
    pin::pin,
    task::{Context, Poll, Waker},
    time::Instant,
};
use tremor_pdk::{
    into_raw_sink, into_raw_source, testing::TestSinkBatch, Result, Sink, SinkBatch, SinkReplies,
    Source, SourceBatch, SourceReply,
};

/// The events per batch the runtime typically moves (the bench source's default).
const BATCH: usize = 64;

/// A source that hands out the same (empty-chunk) batch shape every time, so that the call
/// itself is what is measured.
struct Constant;

impl Source for Constant {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        Ok(SourceReply::Data(SourceBatch::bytes(0, Vec::new())))
    }
}

struct Counting(u64);

impl Sink for Counting {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        self.0 += batch.len() as u64;
        Ok(SinkReplies::ack_all())
    }
}

/// Polls a future that completes without waiting (all of these do) on this thread.
fn run<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn time_ns(calls: u64, mut f: impl FnMut()) -> f64 {
    for _ in 0..calls / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    start.elapsed().as_nanos() as f64 / calls as f64
}

fn main() {
    let mut calls = 2_000_000u64;
    let mut plugins = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--calls" => calls = args.next().and_then(|v| v.parse().ok()).unwrap_or(calls),
            "--plugins" => plugins = args.next(),
            _ => {} // `cargo bench` passes `--bench`
        }
    }

    let mut direct = Constant;
    let mut raw = into_raw_source(Constant);
    let pull_direct = time_ns(calls, || {
        let r = run(direct.pull(0));
        std::hint::black_box(r.is_ok());
    });
    let pull_boundary = time_ns(calls, || {
        let r = run(raw.pull(0));
        std::hint::black_box(r.is_ok());
    });

    // Built once, outside the timed loops: 64 events of one 8-byte chunk each.
    let events = TestSinkBatch::from_payloads((0..BATCH).map(|_| [b'x'; 8]));
    let batch = events.batch();
    let mut direct_sink = Counting(0);
    let mut raw_sink = into_raw_sink(Counting(0));
    let batch_direct = time_ns(calls, || {
        let r = run(direct_sink.on_batch(batch));
        std::hint::black_box(r.is_ok());
    });
    let batch_boundary = time_ns(calls, || {
        let r = run(raw_sink.on_batch(batch));
        std::hint::black_box(r.is_ok());
    });

    println!("boundary cost ({calls} calls each, batch of {BATCH} events):");
    for (what, direct, boundary) in [
        ("source pull", pull_direct, pull_boundary),
        ("sink on_batch", batch_direct, batch_boundary),
    ] {
        let extra = boundary - direct;
        println!(
            "  {what:<14} direct {direct:>7.1} ns/call, through pdk {boundary:>7.1} ns/call: +{extra:.1} ns/call = +{:.2} ns/event",
            extra / BATCH as f64
        );
    }

    if let Some(dir) = plugins {
        load_plugins(&dir);
    }
}

#[cfg(feature = "dynamic-plugins")]
fn load_plugins(dir: &str) {
    let mut registry = tremor::connectors::registry::Registry::new();
    let start = Instant::now();
    let reports =
        tremor::connectors::loader::load_all(&mut registry, &[std::path::PathBuf::from(dir)]);
    let elapsed = start.elapsed();
    let loaded = reports.iter().filter(|r| r.outcome.is_ok()).count();
    println!(
        "plugin load: {loaded} plugins from {dir} in {:.1} ms ({:.2} ms per plugin, including sha256 and layout checks)",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e3 / loaded.max(1) as f64
    );
}

#[cfg(not(feature = "dynamic-plugins"))]
fn load_plugins(_dir: &str) {
    println!("plugin load: needs the `dynamic-plugins` feature");
}
