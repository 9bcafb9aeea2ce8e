//! Tremor's end-of-run report, in its exact text (or, with `structured`, JSON) form, so that
//! tooling written for Tremor's benchmarks reads ours.
//!
//! The text is the HDR histogram as percentile lines (two ticks per half distance), three
//! `#[...]` summary lines, then
//!
//! ```text
//! Throughput   (data): 0.5 MB/s
//! Throughput (events): 99.5k events/s
//! ```
//!
//! where Tremor's "MB" is MiB (2^20 bytes) of re-encoded output.

use hdrhistogram::Histogram;
use std::fmt::{Display, Write as _};

/// Digits of the percentile column.
const QUANTILE_PRECISION: usize = 5;
/// Percentile lines per halving of the distance to 100 %.
const TICKS_PER_HALF: u32 = 2;
const MIB: f64 = 1024.0 * 1024.0;

/// What was measured after the warmup.
pub(crate) struct Measured<'h> {
    pub(crate) histogram: &'h Histogram<u64>,
    pub(crate) events: u64,
    pub(crate) bytes: u64,
    pub(crate) secs: f64,
}

impl Measured<'_> {
    fn per_sec(&self, n: u64) -> f64 {
        if self.secs > 0.0 {
            n as f64 / self.secs
        } else {
            0.0
        }
    }
}

fn summary_line(
    out: &mut String,
    label1: &str,
    data1: impl Display,
    label2: &str,
    data2: impl Display,
) {
    let _ = writeln!(
        out,
        "#[{label1:10} = {data1:12.2}, {label2:14} = {data2:12.2}]"
    );
}

/// The histogram and throughput lines as Tremor prints them.
pub(crate) fn text(m: &Measured<'_>) -> String {
    let h = m.histogram;
    let mut out = String::new();
    let _ = write!(
        out,
        "{:>10} {:>width$} {:>10} {:>14}\n\n",
        "Value",
        "Percentile",
        "TotalCount",
        "1/(1-Percentile)",
        width = QUANTILE_PRECISION + 2
    );
    let mut total = 0;
    for v in h.iter_quantiles(TICKS_PER_HALF) {
        total += v.count_since_last_iteration();
        let quantile = v.quantile_iterated_to();
        let _ = write!(
            out,
            "{:12} {:1.*} {:10} ",
            v.value_iterated_to(),
            QUANTILE_PRECISION,
            quantile,
            total
        );
        let _ = if quantile < 1.0 {
            writeln!(out, "{:14.2}", 1.0 / (1.0 - quantile))
        } else {
            writeln!(out, "{:>14}", "inf")
        };
    }
    summary_line(&mut out, "Mean", h.mean(), "StdDeviation", h.stdev());
    summary_line(&mut out, "Max", h.max(), "Total count", h.len());
    summary_line(
        &mut out,
        "Buckets",
        h.buckets(),
        "SubBuckets",
        h.distinct_values(),
    );
    let _ = write!(
        out,
        "\n\nThroughput   (data): {:.1} MB/s\nThroughput (events): {:.1}k events/s",
        m.per_sec(m.bytes) / MIB,
        m.per_sec(m.events) / 1000.0
    );
    out
}

/// A JSON number (non-finite values, which JSON lacks, as `null`).
fn number(x: f64) -> String {
    serde_json::Value::from(x).to_string()
}

/// Tremor's `structured` report: one JSON record, keys in Tremor's order.
pub(crate) fn json(m: &Measured<'_>) -> String {
    let h = m.histogram;
    let quantiles: Vec<String> = h
        .iter_quantiles(TICKS_PER_HALF)
        .map(|v| {
            format!(
                r#"{{"value":{},"quantile":{},"quantile_to":{}}}"#,
                v.value_iterated_to(),
                number(v.quantile()),
                number(v.quantile_iterated_to())
            )
        })
        .collect();
    format!(
        r#"{{"mean":{},"stdev":{},"max":{},"count":{},"buckets":{},"subbuckets":{},"bytes":{},"throughput":{{"events_per_second":{},"bytes_per_second":{}}},"quantiles":[{}]}}"#,
        number(h.mean()),
        number(h.stdev()),
        h.max(),
        h.len(),
        h.buckets(),
        h.distinct_values(),
        m.bytes,
        number(m.per_sec(m.events)),
        number(m.per_sec(m.bytes)),
        quantiles.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram() -> Histogram<u64> {
        let mut h = Histogram::new_with_bounds(1, 100_000_000_000, 2).expect("histogram");
        for v in [100, 100, 200, 250] {
            h.record(v).expect("in range");
        }
        h
    }

    fn measured(histogram: &Histogram<u64>, events: u64, bytes: u64, secs: f64) -> Measured<'_> {
        Measured {
            histogram,
            events,
            bytes,
            secs,
        }
    }

    #[test]
    fn text_is_tremors_layout() {
        let h = histogram();
        let text = text(&measured(&h, 4_000, 3 * 1024 * 1024, 2.0));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "     Value Percentile TotalCount 1/(1-Percentile)"
        );
        assert_eq!(lines[1], "");
        assert_eq!(lines[2], "         100 0.00000          2           1.00");
        assert!(
            lines.contains(&"         250 1.00000          4            inf"),
            "{text}"
        );
        assert!(
            lines.contains(&"#[Mean       =       162.50, StdDeviation   =        64.95]"),
            "{text}"
        );
        assert!(
            lines.contains(&"#[Max        =          250, Total count    =            4]"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "\n\n\nThroughput   (data): 1.5 MB/s\nThroughput (events): 2.0k events/s"
            ),
            "{text}"
        );
    }

    #[test]
    fn json_has_tremors_keys_in_order() {
        let h = histogram();
        let text = json(&measured(&h, 10, 100, 0.0));
        let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(v["count"], 4);
        assert_eq!(v["max"], 250);
        assert_eq!(v["throughput"]["events_per_second"], 0.0);
        assert_eq!(v["quantiles"][0]["value"], 100);
        assert!(text.starts_with(r#"{"mean":162.5,"stdev":"#), "{text}");
    }
}
