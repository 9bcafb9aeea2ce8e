//! The runtime's own metrics: events counted per port of every connector, reported every
//! `metrics_interval_s` as records in Tremor's shape, and handed to the `metrics` connectors
//! through their context (`HostServices::take_metrics`).
//!
//! Counting costs one relaxed atomic add per batch of events on a port; reporting (a few
//! records every interval) is where the allocation happens.

use crate::{event::now_ns, rt};
use abi_stable::std_types::RVec;
use std::{
    collections::VecDeque,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, PoisonError, Weak,
    },
    time::Duration,
};

/// Events that passed the ports of one connector instance, shared by its source and sink
/// managers (which add) and its reporter (which reads).
#[derive(Debug, Default)]
pub(crate) struct PortCounters {
    /// Events the source sent on `out`.
    pub(crate) out: AtomicU64,
    /// Error events the source produced for `err`.
    pub(crate) err: AtomicU64,
    /// Events the sink received (on any of its input ports; Tremor counts them all as `in`).
    pub(crate) input: AtomicU64,
}

impl PortCounters {
    pub(crate) fn add_out(&self, events: usize) {
        self.out.fetch_add(events as u64, Ordering::Relaxed);
    }
    pub(crate) fn add_err(&self, events: usize) {
        self.err.fetch_add(events as u64, Ordering::Relaxed);
    }
    pub(crate) fn add_in(&self, events: usize) {
        self.input.fetch_add(events as u64, Ordering::Relaxed);
    }
}

/// Records a subscriber keeps before it drops the oldest: a `metrics` connector whose
/// downstream is stuck must not make the runtime grow without bound (Tremor's broadcast
/// channel lags its receivers the same way).
const MAX_QUEUED: usize = 8192;

/// The records waiting for one `metrics` connector instance.
#[derive(Debug, Default)]
pub(crate) struct Subscriber {
    queue: Mutex<VecDeque<RVec<u8>>>,
}

impl Subscriber {
    /// Everything reported since the last call, oldest first.
    pub(crate) fn take(&self) -> RVec<RVec<u8>> {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue.drain(..).collect()
    }
}

/// Where reporters publish and `metrics` connectors subscribe. One per process, as Tremor's
/// metrics channel is: every deployment of the process reports to every metrics connector.
#[derive(Debug, Default)]
pub(crate) struct MetricsHub {
    subscribers: Mutex<Vec<Weak<Subscriber>>>,
}

impl MetricsHub {
    /// A new subscriber; it receives what is published from now on, until it is dropped.
    pub(crate) fn subscribe(&self) -> Arc<Subscriber> {
        let subscriber = Arc::new(Subscriber::default());
        self.subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::downgrade(&subscriber));
        subscriber
    }

    /// Hands `record` (one JSON document) to every live subscriber; returns how many got it.
    pub(crate) fn publish(&self, record: &[u8]) -> usize {
        let mut subscribers = self
            .subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        subscribers.retain(|s| s.strong_count() > 0);
        let mut delivered = 0;
        for subscriber in subscribers.iter().filter_map(Weak::upgrade) {
            let mut queue = subscriber
                .queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if queue.len() == MAX_QUEUED {
                queue.pop_front();
            }
            queue.push_back(RVec::from(record));
            delivered += 1;
        }
        delivered
    }
}

/// The process's hub.
pub(crate) fn hub() -> &'static MetricsHub {
    static HUB: std::sync::OnceLock<MetricsHub> = std::sync::OnceLock::new();
    HUB.get_or_init(MetricsHub::default)
}

/// Which ports a connector instance has, so that its reporter reports only those (Tremor: a
/// source reports `out` and `err`, a sink `in`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ports {
    pub(crate) source: bool,
    pub(crate) sink: bool,
}

/// Tremor's `connector_events` record for one port of connector `alias` (`flow::name`).
pub(crate) fn connector_events(alias: &str, port: &str, count: u64, timestamp_ns: u64) -> Vec<u8> {
    let flow = alias.split_once("::").map_or(alias, |(flow, _)| flow);
    count_record(
        "connector_events",
        &[("flow", flow), ("connector", alias), ("port", port)],
        count,
        timestamp_ns,
    )
}

/// A metrics record in Tremor's (influx-like) shape whose one field is `count`.
pub(crate) fn count_record(
    measurement: &str,
    tags: &[(&str, &str)],
    count: u64,
    timestamp_ns: u64,
) -> Vec<u8> {
    let tags: serde_json::Map<String, serde_json::Value> = tags
        .iter()
        .map(|(k, v)| ((*k).to_string(), serde_json::Value::from(*v)))
        .collect();
    let record = serde_json::json!({
        "measurement": measurement,
        "tags": tags,
        "fields": {"count": count},
        "timestamp": timestamp_ns,
    });
    serde_json::to_vec(&record).expect("a JSON value always serializes")
}

/// The records of one report of connector `alias`.
fn report(alias: &str, ports: Ports, counters: &PortCounters, timestamp_ns: u64) -> Vec<Vec<u8>> {
    let port_counts = [
        (ports.source, "out", &counters.out),
        (ports.source, "err", &counters.err),
        (ports.sink, "in", &counters.input),
    ];
    port_counts
        .into_iter()
        .filter(|(present, _, _)| *present)
        .map(|(_, port, count)| {
            connector_events(alias, port, count.load(Ordering::Relaxed), timestamp_ns)
        })
        .collect()
}

/// Spawns the reporter of connector `alias`: every `interval` it publishes the counts of its
/// ports to the hub. It ends with the connector (when its managers dropped the counters).
pub(crate) fn spawn_reporter(
    alias: Arc<str>,
    ports: Ports,
    counters: &Arc<PortCounters>,
    interval: Duration,
) {
    spawn_reporter_with(
        format!("metrics {alias}"),
        counters,
        interval,
        move |counters, now| report(&alias, ports, counters, now),
    );
}

/// Spawns a task that every `interval` publishes to the hub what `report` makes of `counters`
/// and the current time (ns). It holds the counters weakly and ends when their owner dropped
/// them, so a stopped connector or pipeline stops reporting by itself.
pub(crate) fn spawn_reporter_with<C: Send + Sync + 'static>(
    task_name: String,
    counters: &Arc<C>,
    interval: Duration,
    report: impl Fn(&C, u64) -> Vec<Vec<u8>> + Send + 'static,
) {
    let counters = Arc::downgrade(counters);
    // Detached on purpose: it holds nothing but a weak reference and stops by itself.
    drop(rt::spawn(task_name, async move {
        loop {
            rt::sleep(interval).await;
            let Some(counters) = counters.upgrade() else {
                break;
            };
            for record in report(&counters, now_ns()) {
                hub().publish(&record);
            }
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(record: &[u8]) -> serde_json::Value {
        serde_json::from_slice(record).expect("valid json")
    }

    #[test]
    fn records_have_tremors_shape() {
        let record = connector_events("main::in_\"here", "out", 7, 42);
        assert_eq!(
            parsed(&record),
            serde_json::json!({
                "measurement": "connector_events",
                "tags": {"flow": "main", "connector": "main::in_\"here", "port": "out"},
                "fields": {"count": 7},
                "timestamp": 42
            })
        );
    }

    #[test]
    fn a_report_names_the_ports_the_connector_has() {
        let counters = PortCounters::default();
        counters.add_out(3);
        counters.add_out(2);
        counters.add_err(1);
        counters.add_in(9);
        let ports_and_counts = |ports| -> Vec<(String, u64)> {
            report("f::c", ports, &counters, 1)
                .iter()
                .map(|r| {
                    let v = parsed(r);
                    let port = v["tags"]["port"].as_str().expect("port").to_string();
                    (port, v["fields"]["count"].as_u64().expect("count"))
                })
                .collect()
        };
        let both = Ports {
            source: true,
            sink: true,
        };
        let pairs = |list: &[(&str, u64)]| -> Vec<(String, u64)> {
            list.iter().map(|(p, n)| (p.to_string(), *n)).collect()
        };
        assert_eq!(
            ports_and_counts(both),
            pairs(&[("out", 5), ("err", 1), ("in", 9)])
        );
        let sink_only = Ports {
            source: false,
            sink: true,
        };
        assert_eq!(ports_and_counts(sink_only), pairs(&[("in", 9)]));
    }

    #[test]
    fn the_hub_delivers_to_live_subscribers_and_bounds_their_queues() {
        let hub = MetricsHub::default();
        assert_eq!(hub.publish(b"lost"), 0, "nobody subscribed yet");
        let a = hub.subscribe();
        let b = hub.subscribe();
        assert_eq!(hub.publish(b"1"), 2);
        assert_eq!(a.take().len(), 1);
        drop(b);
        assert_eq!(hub.publish(b"2"), 1, "a dropped subscriber is forgotten");
        for _ in 0..MAX_QUEUED + 5 {
            hub.publish(b"x");
        }
        let taken = a.take();
        assert_eq!(taken.len(), MAX_QUEUED, "the oldest were dropped");
        assert!(a.take().is_empty());
    }

    #[test]
    fn a_reporter_publishes_every_interval_and_ends_with_its_connector() {
        let subscriber = hub().subscribe();
        let counters = Arc::new(PortCounters::default());
        counters.add_in(4);
        let alias: Arc<str> = Arc::from("reporter_test::sink");
        let ports = Ports {
            source: false,
            sink: true,
        };
        spawn_reporter(alias, ports, &counters, Duration::from_millis(10));
        let mine = |records: RVec<RVec<u8>>| -> Vec<serde_json::Value> {
            records
                .iter()
                .map(|r| parsed(r))
                .filter(|v| v["tags"]["connector"] == "reporter_test::sink")
                .collect()
        };
        std::thread::sleep(Duration::from_millis(100));
        let reported = mine(subscriber.take());
        assert!(reported.len() >= 2, "{reported:?}");
        assert!(reported.iter().all(|v| v["fields"]["count"] == 4));
        drop(counters);
        std::thread::sleep(Duration::from_millis(50));
        subscriber.take();
        std::thread::sleep(Duration::from_millis(50));
        assert!(mine(subscriber.take()).is_empty(), "the reporter ended");
    }
}
