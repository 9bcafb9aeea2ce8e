//! Pipeline metrics: the events that passed each port of a pipeline, reported every
//! `#!config metrics_interval_s` seconds as Tremor's `events` records through the same hub the
//! connectors' records take to the `metrics` connectors.
//!
//! Tremor counts per node of its pipeline graph and tags each record with the node, the
//! direction and the port. A pipeline port is a node of that graph: events received on the
//! input port `P` leave the node `P` by its port `out`, events sent to the output port `Q`
//! enter the node `Q` by its port `in`. Those are the records reported here, in Tremor's words:
//!
//! ```text
//! {"measurement":"events","tags":{"pipeline":"main::p","node":"in","direction":"output","port":"out"},
//!  "fields":{"count":20},"timestamp":1553077007898214000}
//! {"measurement":"events","tags":{"pipeline":"main::p","node":"out","direction":"input","port":"in"}, …}
//! ```
//!
//! (the scripts and selects inside are not reported). As in Tremor a port is reported once an
//! event passed it; counts are totals since the start. Counting is one relaxed atomic add per
//! batch on a port, and nothing at all when the pipeline reports no metrics.

use crate::{
    connectors::{intern_port, metrics},
    troy::plan::PipelinePlan,
};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

/// Which way events pass a pipeline port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Into the pipeline: an input port.
    Received,
    /// Out of the pipeline: an output port.
    Sent,
}

/// The events counted on one port.
#[derive(Debug)]
struct PortCount {
    port: &'static str,
    direction: Direction,
    count: AtomicU64,
}

/// The counts of every port of one pipeline, shared by the pipeline (which adds) and its
/// reporter (which reads).
#[derive(Debug)]
struct PortCounts {
    pipeline: String,
    ports: Box<[PortCount]>,
}

impl PortCounts {
    fn add(&self, direction: Direction, port: &str, events: usize) {
        if let Some(p) = self
            .ports
            .iter()
            .find(|p| p.direction == direction && p.port == port)
        {
            p.count.fetch_add(events as u64, Ordering::Relaxed);
        }
    }

    /// Tremor's records for the ports that saw events.
    fn report(&self, timestamp_ns: u64) -> Vec<Vec<u8>> {
        self.ports
            .iter()
            .filter_map(|p| {
                let count = p.count.load(Ordering::Relaxed);
                (count > 0).then(|| self.record(p, count, timestamp_ns))
            })
            .collect()
    }

    fn record(&self, p: &PortCount, count: u64, timestamp_ns: u64) -> Vec<u8> {
        let (direction, node_port) = match p.direction {
            Direction::Received => ("output", "out"),
            Direction::Sent => ("input", "in"),
        };
        let tags = [
            ("pipeline", self.pipeline.as_str()),
            ("node", p.port),
            ("direction", direction),
            ("port", node_port),
        ];
        metrics::count_record("events", &tags, count, timestamp_ns)
    }
}

/// The metrics of one running pipeline: counters when it reports metrics, nothing otherwise.
#[derive(Debug, Default)]
pub(super) struct PipelineMetrics {
    counts: Option<Arc<PortCounts>>,
}

impl PipelineMetrics {
    /// The metrics of the pipeline `alias` (`flow::name`, Tremor's `pipeline` tag) that `plan`
    /// describes; when the plan sets an interval, a reporter publishes them from now on, until
    /// this is dropped.
    pub(super) fn new(alias: &str, plan: &PipelinePlan) -> Self {
        let Some(seconds) = plan.metrics_interval_s.filter(|s| *s > 0) else {
            return Self::default();
        };
        let counts = Arc::new(PortCounts {
            pipeline: alias.to_string(),
            ports: ports_of(plan),
        });
        metrics::spawn_reporter_with(
            format!("metrics {alias}"),
            &counts,
            Duration::from_secs(seconds),
            PortCounts::report,
        );
        Self {
            counts: Some(counts),
        }
    }

    /// Counts `events` received on the input `port`.
    pub(super) fn received(&self, port: &str, events: usize) {
        if let Some(counts) = &self.counts {
            counts.add(Direction::Received, port, events);
        }
    }

    /// Counts `events` sent to the output `port` (whether or not anything is connected to it).
    pub(super) fn sent(&self, port: &str, events: usize) {
        if let Some(counts) = &self.counts {
            counts.add(Direction::Sent, port, events);
        }
    }
}

/// The input ports the `select`s of `plan` read and the output ports it declares.
fn ports_of(plan: &PipelinePlan) -> Box<[PortCount]> {
    let mut ports: Vec<PortCount> = Vec::new();
    let inputs = plan
        .selects
        .iter()
        .filter(|s| s.from_node.is_none())
        .map(|s| (Direction::Received, s.from_port.as_str()));
    let outputs = plan
        .into_ports
        .iter()
        .map(|p| (Direction::Sent, p.as_str()));
    for (direction, port) in inputs.chain(outputs) {
        if !ports
            .iter()
            .any(|p| p.direction == direction && p.port == port)
        {
            ports.push(PortCount {
                port: intern_port(port),
                direction,
                count: AtomicU64::new(0),
            });
        }
    }
    ports.into_boxed_slice()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::troy::{plan::PipelinePlan, query::plan_query};

    fn plan(query: &str, interval: Option<u64>) -> PipelinePlan {
        let mut plan = plan_query(query, "q.trickle", "q").expect("plans");
        plan.metrics_interval_s = interval;
        plan
    }

    fn parsed(records: &[Vec<u8>]) -> Vec<serde_json::Value> {
        records
            .iter()
            .map(|r| serde_json::from_slice(r).expect("json"))
            .collect()
    }

    const QUERY: &str = "select event from in into out;\nselect event from in into err;\n";

    #[test]
    fn ports_are_reported_as_tremors_nodes_once_events_passed_them() {
        let counts = PortCounts {
            pipeline: "main::p".into(),
            ports: ports_of(&plan(QUERY, Some(1))),
        };
        assert!(counts.report(1).is_empty(), "no events yet, no records");
        counts.add(Direction::Received, "in", 3);
        counts.add(Direction::Received, "in", 2);
        counts.add(Direction::Sent, "out", 4);
        counts.add(Direction::Sent, "not_a_port", 9);
        counts.add(Direction::Received, "out", 9);
        assert_eq!(
            parsed(&counts.report(42)),
            [
                serde_json::json!({
                    "measurement": "events",
                    "tags": {"pipeline": "main::p", "node": "in", "direction": "output", "port": "out"},
                    "fields": {"count": 5},
                    "timestamp": 42
                }),
                serde_json::json!({
                    "measurement": "events",
                    "tags": {"pipeline": "main::p", "node": "out", "direction": "input", "port": "in"},
                    "fields": {"count": 4},
                    "timestamp": 42
                }),
            ]
        );
    }

    #[test]
    fn without_an_interval_nothing_is_counted() {
        let metrics = PipelineMetrics::new("main::p", &plan(QUERY, None));
        metrics.received("in", 1);
        metrics.sent("out", 1);
        assert!(metrics.counts.is_none());
        let zero = PipelineMetrics::new("main::p", &plan(QUERY, Some(0)));
        assert!(zero.counts.is_none(), "0 s means off, as for connectors");
    }

    #[test]
    fn a_pipeline_with_an_interval_publishes_its_counts_until_it_is_dropped() {
        let subscriber = metrics::hub().subscribe();
        let metrics = PipelineMetrics::new("metrics_test::p", &plan(QUERY, Some(1)));
        metrics.received("in", 2);
        metrics.sent("err", 1);
        let mine = |records: Vec<Vec<u8>>| -> Vec<serde_json::Value> {
            parsed(&records)
                .into_iter()
                .filter(|v| v["tags"]["pipeline"] == "metrics_test::p")
                .collect()
        };
        let taken = || {
            subscriber
                .take()
                .into_iter()
                .map(|r| r.into_vec())
                .collect()
        };
        std::thread::sleep(Duration::from_millis(1300));
        let reported = mine(taken());
        let nodes: Vec<&str> = reported
            .iter()
            .map(|v| v["tags"]["node"].as_str().expect("node"))
            .collect();
        assert_eq!(nodes, ["in", "err"], "{reported:?}");
        drop(metrics);
        std::thread::sleep(Duration::from_millis(1100));
        taken();
        std::thread::sleep(Duration::from_millis(1100));
        assert!(mine(taken()).is_empty(), "the reporter ended");
    }
}
