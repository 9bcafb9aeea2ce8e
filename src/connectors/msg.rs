//! Every message the runtime's actors exchange, and the routes data travels along.
//!
//! This module is a leaf on purpose: the world, the connector manager and the source and sink
//! managers all talk to each other, and if each defined its own inbox type they would import
//! each other in a circle. Here they only import this module (and it imports none of them).

use crate::{
    event::{ConnectorId, Event, Hop, Origin},
    rt::Sender,
};
use tremor_pdk::ConnectorError;

/// Messages to the world.
#[derive(Debug)]
pub enum WorldMsg {
    /// Stop the runtime (from the exit connector, or any connector via its context).
    Stop {
        /// The process exit code.
        exit_code: i32,
        /// Wait this long first, in ns.
        delay_ns: u64,
        /// Drain before stopping.
        graceful: bool,
        /// Who asked, for the log.
        by: String,
    },
    /// A stop signal arrived (SIGINT, SIGTERM, SIGQUIT or SIGHUP).
    Signal(i32),
    /// A sink has received `Drained` on all its links and flushed.
    SinkDrained(ConnectorId),
    /// A connector failed before it ever ran (its first connect gave up per its reconnect
    /// policy, e.g. a port in use, or its start failed): the deployment fails.
    StartFailed {
        /// `flow::alias`.
        connector: String,
        /// Why, for the log.
        reason: String,
    },
    /// A connector's source will produce nothing more: it finished, or the connector was
    /// quarantined after it ran. When every source is in that state, the world says so once.
    SourceIdle {
        /// `flow::alias`.
        connector: String,
        /// Why, for the log.
        why: String,
    },
}

/// Control messages for a connector manager.
#[derive(Debug)]
pub enum ConnectorMsg {
    /// The connector (or one of its parts) reported a lost connection: reconnect.
    ConnectionLost,
    /// The source part answered `Finished`: it is never pulled again.
    SourceFinished,
    /// A part failed beyond repair (a panic, an unrecoverable error).
    PartFailed(ConnectorError),
    /// Pause data flow (the circuit breaker: a sink downstream is not ready).
    Pause,
    /// Resume after a pause.
    Resume,
    /// Graceful stop, first step: stop reading, let in-flight events through.
    Drain,
    /// Final step: stop everything and release resources.
    Stop,
}

/// Control messages for a source manager.
#[derive(Debug)]
pub(crate) enum SourceMsg {
    /// The connector is connected: start (or resume) pulling.
    Start,
    /// Stop pulling for now (connection lost, circuit breaker, operator).
    Pause,
    /// Stop pulling for good, drop what streams hold of records not read to their end (a stop
    /// ends at a record boundary), tell downstream it is drained.
    Drain,
    /// Stop at once.
    Stop,
    /// Delivery report for a transactional pull.
    Ack { stream: u64, pull_id: u64 },
    /// Failed delivery for a transactional pull.
    Fail { stream: u64, pull_id: u64 },
    /// A sink downstream of this source became ready (connected, circuit breaker closed) or
    /// stopped being ready. The source pulls only while every sink downstream is ready.
    SinkReady { sink: ConnectorId, ready: bool },
    /// An operator downstream of this source, `(pipeline instance, node)`, asks it to stop
    /// pulling (`held`) or lets it go on (a circuit breaker of its own, e.g.
    /// `qos::backpressure` with `method = "pause"`).
    OperatorHold { operator: (u32, u32), held: bool },
}

/// What a sink reports about one event that passed operators wanting delivery reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Delivered.
    Ack,
    /// Not delivered.
    Fail,
    /// The sink's circuit breaker opened while handling it.
    Trigger,
    /// The sink's circuit breaker closed while handling it.
    Restore,
}

/// A delivery report travelling back through the pipelines an event passed (see
/// `pipeline::contraflow`).
#[derive(Debug)]
pub struct Report {
    /// What happened.
    pub delivery: Delivery,
    /// The event's `ingest_ns`.
    pub ingest_ns: u64,
    /// How long the sink took to deliver it, in ns.
    pub time_ns: Option<u64>,
    /// Where the event came from.
    pub origin: Option<Origin>,
    /// The operators it passed that have not seen this report yet, in the order it passed
    /// them.
    pub trail: Vec<Hop>,
    /// The operator, `(pipeline instance, node)`, that last turned it into what it is now,
    /// or else the first one that saw it (nearest the sink): the key of the hold a trigger puts
    /// on the sources (and the restore lifts).
    pub decided_by: Option<(u32, u32)>,
}

/// Every pipeline instance's inbox for delivery reports, by instance index.
pub type ReportInboxes = std::sync::Arc<Vec<Sender<Report>>>;

/// Sends `report` to the pipeline of the last hop of its trail; false when it has no trail.
pub fn send_report(inboxes: &ReportInboxes, report: Report) -> bool {
    let Some(hop) = report.trail.last() else {
        return false;
    };
    if let Some(tx) = inboxes.get(hop.pipeline as usize) {
        // Reports are unbounded (at most a few per event sent) so that a sink never blocks on
        // a pipeline that blocks on it; a pipeline that is gone needs none.
        let _ = tx.try_send(report);
    }
    true
}

/// Control messages for a sink manager.
#[derive(Debug)]
pub(crate) enum SinkMsg {
    /// Connected: deliver (queued events first).
    Start,
    /// Hold events (connection lost).
    Pause,
    /// The connector failed: drop what arrives, failing transactional events.
    Fail,
    /// Flush and stop.
    Stop,
}

/// What travels along a link of the deployment graph.
#[derive(Debug)]
pub enum DataMsg {
    /// Events for input port `port` of the receiver.
    Events {
        /// The receiver's input port.
        port: &'static str,
        /// The events, in order.
        events: Vec<Event>,
    },
    /// The sender has drained: nothing more will come on this link.
    Drained,
}

/// One outgoing link: a receiver's data channel and the input port there.
#[derive(Debug, Clone)]
pub struct Route {
    /// The receiver.
    pub tx: Sender<DataMsg>,
    /// The receiver's input port.
    pub port: &'static str,
    /// Who receives, for messages.
    pub target: String,
}

/// Sends `events` along `routes`, copying for all but the last. Returns whether anyone took
/// them (false: no route, or every receiver is gone).
pub async fn send_events(routes: &[Route], mut events: Vec<Event>) -> bool {
    let Some((last, rest)) = routes.split_last() else {
        return false;
    };
    let mut delivered = false;
    for route in rest {
        let copy = events.iter().map(Event::deep_clone).collect();
        delivered |= route
            .tx
            .send(DataMsg::Events {
                port: route.port,
                events: copy,
            })
            .await
            .is_ok();
    }
    events.shrink_to_fit();
    delivered |= last
        .tx
        .send(DataMsg::Events {
            port: last.port,
            events,
        })
        .await
        .is_ok();
    delivered
}

/// Tells every receiver along `routes` that this sender is drained.
pub async fn send_drained(routes: &[Route]) {
    for route in routes {
        // A receiver that is gone needs no notice.
        let _ = route.tx.send(DataMsg::Drained).await;
    }
}
