//! The measuring sink and its report.

use crate::{tremor_format, BenchConfig, Progress};
use hdrhistogram::Histogram;
use std::{
    fmt::Write as _,
    sync::{atomic::Ordering, Arc},
};
use tremor_pdk::{ConnectorContext, ConnectorError, Result, Sink, SinkBatch, SinkReplies};

pub(crate) struct BenchSink {
    ctx: ConnectorContext,
    report_file: Option<String>,
    structured: bool,
    progress: Arc<Progress>,
    histogram: Histogram<u64>,
    warmup_ns: u64,
    first_ns: Option<u64>,
    measure_start_ns: Option<u64>,
    last_ns: u64,
    received: u64,
    measured_events: u64,
    measured_bytes: u64,
    reported: bool,
}

impl BenchSink {
    pub(crate) fn new(
        ctx: ConnectorContext,
        config: &BenchConfig,
        progress: Arc<Progress>,
    ) -> Result<Self> {
        // Tremor's bounds (they decide the bucket counts its report shows): 1 ns to 100 s;
        // anything longer is recorded as 100 s.
        let histogram = Histogram::new_with_bounds(1, 100_000_000_000, config.significant_figures)
            .map_err(|e| ConnectorError::config(format!("bench histogram: {e}")))?;
        Ok(Self {
            ctx,
            report_file: config.report_file.clone(),
            structured: config.structured,
            progress,
            histogram,
            warmup_ns: config.warmup_secs.saturating_mul(1_000_000_000),
            first_ns: None,
            measure_start_ns: None,
            last_ns: 0,
            received: 0,
            measured_events: 0,
            measured_bytes: 0,
            reported: false,
        })
    }

    fn report(&mut self) {
        if self.reported {
            return;
        }
        self.reported = true;
        let summary = Summary {
            alias: self.ctx.alias(),
            events: self.measured_events,
            bytes: self.measured_bytes,
            elapsed_ns: self
                .measure_start_ns
                .map_or(0, |start| self.last_ns.saturating_sub(start)),
            warmup_events: self.received - self.measured_events,
            histogram: &self.histogram,
        };
        let measured = tremor_format::Measured {
            histogram: &self.histogram,
            events: summary.events,
            bytes: summary.bytes,
            secs: summary.elapsed_ns as f64 / 1e9,
        };
        // Tremor's report first (tools written for Tremor read it), then ours.
        let tremor = if self.structured {
            tremor_format::json(&measured)
        } else {
            tremor_format::text(&measured)
        };
        println!("{tremor}\n{}", render(&summary));
        if let Some(path) = &self.report_file {
            let line = format!("{}\n", render_json(&summary));
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()));
            if let Err(e) = written {
                log::error!(
                    "[{}] cannot write the report to {path}: {e}",
                    self.ctx.alias()
                );
            }
        }
        log::info!(
            "[{}] bench finished after {} events",
            self.ctx.alias(),
            self.received
        );
    }
}

impl Sink for BenchSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        let now = self.ctx.now_ns();
        let first = *self.first_ns.get_or_insert(now);
        self.last_ns = now;
        self.received += batch.len() as u64;
        if now.saturating_sub(first) >= self.warmup_ns {
            self.measure_start_ns.get_or_insert(now);
            for event in batch.iter() {
                let latency = now.saturating_sub(event.event().ingest_ns).max(1);
                self.histogram.saturating_record(latency);
                self.measured_bytes += event.chunks().map(|c| c.len() as u64).sum::<u64>();
            }
            self.measured_events += batch.len() as u64;
        }
        self.progress
            .received
            .fetch_add(batch.len() as u64, Ordering::SeqCst);
        if self.progress.complete() && !self.reported {
            self.report();
            self.ctx.request_stop(0, 0, true);
        }
        Ok(SinkReplies::ack_all())
    }

    async fn flush(&mut self) -> Result<()> {
        // Stopped for another reason (signal, exit connector): still say what was measured.
        if self.received > 0 {
            self.report();
        }
        Ok(())
    }
}

pub(crate) struct Summary<'h> {
    pub(crate) alias: String,
    pub(crate) events: u64,
    pub(crate) bytes: u64,
    pub(crate) elapsed_ns: u64,
    pub(crate) warmup_events: u64,
    pub(crate) histogram: &'h Histogram<u64>,
}

/// The human-readable report; `ci/bench.sh` parses the `throughput` and `latency` lines.
pub(crate) fn render(s: &Summary<'_>) -> String {
    let secs = s.elapsed_ns as f64 / 1e9;
    let per_sec = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
    let us = |q: f64| s.histogram.value_at_quantile(q) as f64 / 1000.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "bench [{}]: {} events, {} bytes in {:.3} s ({} warmup events not measured)",
        s.alias, s.events, s.bytes, secs, s.warmup_events
    );
    let _ = writeln!(
        out,
        "throughput: {:.0} events/s, {:.1} MB/s ({:.1} MiB/s)",
        per_sec(s.events),
        per_sec(s.bytes) / 1e6,
        per_sec(s.bytes) / (1024.0 * 1024.0)
    );
    let _ = write!(
        out,
        "latency_us: p50={:.1} p90={:.1} p99={:.1} p99.9={:.1} max={:.1}",
        us(0.5),
        us(0.9),
        us(0.99),
        us(0.999),
        s.histogram.max() as f64 / 1000.0
    );
    out
}

/// The results as one JSON record (`report_file`).
pub(crate) fn render_json(s: &Summary<'_>) -> String {
    let secs = s.elapsed_ns as f64 / 1e9;
    let per_sec = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
    let us = |q: f64| s.histogram.value_at_quantile(q) as f64 / 1000.0;
    serde_json::json!({
        "events": s.events,
        "bytes": s.bytes,
        "secs": secs,
        "events_per_s": per_sec(s.events),
        "mb_per_s": per_sec(s.bytes) / 1e6,
        "p50_us": us(0.5),
        "p99_us": us(0.99),
        "p999_us": us(0.999),
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_throughput_and_percentiles() {
        let mut h = Histogram::<u64>::new(3).expect("histogram");
        for v in 1..=1000u64 {
            h.record(v * 1000).expect("in range");
        }
        let text = render(&Summary {
            alias: "b".into(),
            events: 2000,
            bytes: 4_000_000,
            elapsed_ns: 2_000_000_000,
            warmup_events: 5,
            histogram: &h,
        });
        assert!(
            text.contains("throughput: 1000 events/s, 2.0 MB/s"),
            "{text}"
        );
        assert!(text.contains("p50=500."), "{text}");
        assert!(text.contains("p99=990."), "{text}");
    }
}
