//! Contraflow: delivery reports and circuit-breaker signals travelling from sinks back
//! through the operators an event passed to its source (Tremor's insights and `op_meta`).
//!
//! # The mechanism
//!
//! * **Fast path, unchanged.** An event that passed no operator wanting reports has an empty
//!   [`Event::trail`](crate::event::Event::trail) (an empty `Vec`: no allocation). Its sink acks
//!   or fails it straight to its source's control channel (highest pull id per stream, lowest
//!   failed one), and the sink's circuit breaker pauses the sources feeding it directly
//!   (`SourceMsg::SinkReady`), as before operators existed.
//! * **Tracking.** An operator whose [`Operator::wants_reports`](crate::operator::Operator::wants_reports) is true (`qos::backpressure`,
//!   `qos::percentile`, `qos::roundrobin`) gets a [`Hop`] — pipeline instance, node, output
//!   port — pushed onto the trail of every event it emits. That is Tremor's `op_meta`,
//!   recording the port (roundrobin's output) as Tremor records its output index.
//! * **Back through the pipelines.** A sink reports an event with a trail on its own: a
//!   [`Report`] (ack or fail with the time `on_batch` took; trigger or restore when its circuit
//!   breaker changed while handling it, instead of pausing the sources itself) goes to the
//!   pipeline of the trail's last hop. There [`Contraflow::handle`] hands it to that pipeline's
//!   operators on the trail, last first, each seeing the port the event left it by
//!   (`Operator::on_contraflow` may rewrite the action or swallow it). The rest of the trail
//!   belongs to pipelines earlier on the event's way: the report goes on to the next one.
//! * **To the source.** What is left after the first operator: an ack or fail goes to the
//!   event's source (`SourceMsg::Ack`/`Fail` for its pull), a trigger holds every source
//!   upstream of the pipeline (`SourceMsg::OperatorHold`) and a restore releases them. Holds
//!   are keyed by the operator that decided them (the last one that changed the action, or
//!   else the first one that saw it, nearest the sink), so that the restore a tick brings (`qos::backpressure` in
//!   `pause` backing off) lifts exactly the hold its trigger put.
//! * **Ticks.** Operators' `Operator::on_tick` runs every [`TICK`] (Tremor's 100 ms) in
//!   pipelines that have operators or windows ([`PipelineCore::wants_ticks`]); the actions
//!   they return take the last step above (hold or release the sources).
//!
//! Reports travel on unbounded channels, as Tremor's contraflow does: a sink must never block
//! on a pipeline that blocks on it, and there are at most a few reports per event sent. The
//! actor takes waiting reports before the next batch of events.
//!
//! Dropped events (a script's `drop`, a `where` that is false, a port nothing reads) are
//! neither acked nor failed, as in Tremor since 0.12 (its `cb-drop-dead-ends` test expects
//! exactly that: Tremor removed ack-on-drop because it acked error events nobody handled).

use super::core::PipelineCore;
use crate::topology::{NodeId, Target, Topology};
use crate::{
    connectors::{
        msg::{send_report, Delivery, Report, ReportInboxes, SourceMsg},
        sink::SourceInboxes,
    },
    event::{ConnectorId, Origin},
    operator::{CbAction, Contraflow as Signal},
    rt::{Receiver, Sender},
};
use std::{collections::BTreeSet, time::Duration};

/// How often pipelines with operators or windows tick (Tremor's `TICK_MS`).
pub(crate) const TICK: Duration = Duration::from_millis(100);

/// A pipeline instance's side of the contraflow: where its reports arrive and where what is
/// left of them goes.
pub(crate) struct Contraflow {
    /// This instance's index in the deployment (the `pipeline` of its operators' hops).
    pub(crate) instance: u32,
    /// Its inbox for reports.
    pub(crate) reports: Receiver<Report>,
    /// Every pipeline's inbox, for reports whose trail goes on into an earlier pipeline.
    pub(crate) pipelines: ReportInboxes,
    /// Every source's inbox, for acks and fails.
    pub(crate) sources: SourceInboxes,
    /// The sources upstream of this pipeline (directly or through other pipelines), held
    /// and released by its operators.
    pub(crate) upstream_sources: Vec<Sender<SourceMsg>>,
}

impl Contraflow {
    /// A pipeline that is not part of a deployment (tests): reports go nowhere.
    #[cfg(test)]
    pub(crate) fn detached() -> Self {
        let (_, reports) = crate::rt::unbounded();
        Self {
            instance: 0,
            reports,
            pipelines: std::sync::Arc::new(Vec::new()),
            sources: std::sync::Arc::default(),
            upstream_sources: Vec::new(),
        }
    }

    /// Runs `report` through this pipeline's operators on its trail (last first) and sends
    /// on what is left: to the previous pipeline on the trail, else to the sources.
    pub(crate) fn handle(&self, core: &mut PipelineCore, mut report: Report) {
        let mine = report
            .trail
            .iter()
            .rposition(|h| h.pipeline != self.instance)
            .map_or(0, |i| i + 1);
        let mut signal = Signal {
            action: action_of(report.delivery),
            ingest_ns: report.ingest_ns,
            time_ns: report.time_ns,
            error: false,
            port: None,
        };
        for hop in report.trail[mine..].iter().rev() {
            let Some(op) = core.operator_mut(hop.node as usize) else {
                continue;
            };
            let before = signal.action;
            signal.port = Some(hop.port);
            op.on_contraflow(&mut signal);
            if signal.action != before || report.decided_by.is_none() {
                report.decided_by = Some((self.instance, hop.node));
            }
            if signal.action == CbAction::None {
                return;
            }
        }
        let Some(delivery) = delivery_of(signal.action) else {
            return;
        };
        report.delivery = delivery;
        report.trail.truncate(mine);
        let (origin, decided_by) = (report.origin, report.decided_by);
        if !send_report(&self.pipelines, report) {
            self.to_sources(delivery, origin, decided_by);
        }
    }

    /// Sends what operators returned from a tick, `(node, action)`, to the sources.
    pub(crate) fn after_ticks(&self, actions: impl Iterator<Item = (usize, CbAction)>) {
        for (node, action) in actions {
            if let Some(delivery) = delivery_of(action) {
                let node = u32::try_from(node).unwrap_or(u32::MAX);
                self.to_sources(delivery, None, Some((self.instance, node)));
            }
        }
    }

    /// The last step: an ack or fail to the event's source, a trigger or restore as a hold
    /// on (or release of) every source upstream, keyed by `decided_by`.
    fn to_sources(
        &self,
        delivery: Delivery,
        origin: Option<Origin>,
        decided_by: Option<(u32, u32)>,
    ) {
        let held = match delivery {
            Delivery::Ack | Delivery::Fail => {
                let Some(origin) = origin else { return };
                let Some(tx) = self.sources.get(&origin.source) else {
                    return;
                };
                let (stream, pull_id) = (origin.stream, origin.pull_id);
                let msg = if delivery == Delivery::Ack {
                    SourceMsg::Ack { stream, pull_id }
                } else {
                    SourceMsg::Fail { stream, pull_id }
                };
                // A source that is gone needs no report.
                let _ = tx.try_send(msg);
                return;
            }
            Delivery::Trigger => true,
            Delivery::Restore => false,
        };
        let operator = decided_by.unwrap_or((self.instance, u32::MAX));
        for tx in &self.upstream_sources {
            let _ = tx.try_send(SourceMsg::OperatorHold { operator, held });
        }
    }
}

/// For each pipeline instance of `topology`, the sources upstream of it, directly or through
/// other pipelines: the sources its operators hold.
pub(crate) fn upstream_sources(topology: &Topology) -> Vec<BTreeSet<ConnectorId>> {
    let mut upstream = vec![BTreeSet::new(); topology.pipelines.len()];
    for connector in &topology.connectors {
        let Some(source) = &connector.source else {
            continue;
        };
        let mut todo: Vec<&Target> = source.out.iter().chain(&source.err).collect();
        let mut seen = BTreeSet::new();
        while let Some(target) = todo.pop() {
            let NodeId::Pipeline(p) = target.node else {
                continue;
            };
            if !seen.insert(p) {
                continue;
            }
            if let Some(sources) = upstream.get_mut(p.index()) {
                sources.insert(connector.id);
            }
            if let Some(node) = topology.pipelines.get(p.index()) {
                todo.extend(node.outputs.iter().flat_map(|o| &o.targets));
            }
        }
    }
    upstream
}

fn action_of(delivery: Delivery) -> CbAction {
    match delivery {
        Delivery::Ack => CbAction::Ack,
        Delivery::Fail => CbAction::Fail,
        Delivery::Trigger => CbAction::Trigger,
        Delivery::Restore => CbAction::Restore,
    }
}

fn delivery_of(action: CbAction) -> Option<Delivery> {
    match action {
        CbAction::None => None,
        CbAction::Ack => Some(Delivery::Ack),
        CbAction::Fail => Some(Delivery::Fail),
        CbAction::Trigger => Some(Delivery::Trigger),
        CbAction::Restore => Some(Delivery::Restore),
    }
}

/// What the actor does next.
pub(super) enum Step<M> {
    /// A message on its data channel (`None`: every sender is gone).
    Data(Option<M>),
    /// A delivery report.
    Report(Report),
    /// Time for [`PipelineCore::on_tick`].
    Tick,
}

/// Waits for the next data message, report or tick (when `next_tick` is set); a report that
/// is already waiting comes first.
pub(super) async fn next_step<M>(
    data: &Receiver<M>,
    reports: &Receiver<Report>,
    next_tick: Option<std::time::Instant>,
) -> Step<M> {
    if let Ok(report) = reports.try_recv() {
        return Step::Report(report);
    }
    let Some(at) = next_tick else {
        return Step::Data(data.recv().await.ok());
    };
    let wait = at.saturating_duration_since(std::time::Instant::now());
    if wait.is_zero() {
        return Step::Tick;
    }
    let either = crate::rt::race(async { Step::Data(data.recv().await.ok()) }, async {
        match reports.recv().await {
            Ok(report) => Step::Report(report),
            // Never: this pipeline's own inbox is among `pipelines`.
            Err(_) => std::future::pending().await,
        }
    });
    crate::rt::timeout(wait, either).await.unwrap_or(Step::Tick)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Hop;
    use crate::troy::query::plan_query;

    fn pipeline(src: &str) -> PipelineCore {
        let plan = plan_query(src, "q.trickle", "q").expect("plans");
        PipelineCore::new("q".into(), &plan)
    }

    fn report(delivery: Delivery, trail: Vec<Hop>) -> Report {
        Report {
            delivery,
            ingest_ns: 1_000_000,
            time_ns: Some(1),
            origin: Some(Origin {
                source: crate::event::ConnectorId(7),
                stream: 3,
                pull_id: 9,
            }),
            trail,
            decided_by: None,
        }
    }

    /// A contraflow for pipeline 0 whose single upstream source is the returned receiver.
    fn wired() -> (Contraflow, Receiver<SourceMsg>) {
        let (tx, rx) = crate::rt::unbounded();
        let mut cf = Contraflow::detached();
        cf.sources = std::sync::Arc::new(
            [(crate::event::ConnectorId(7), tx.clone())]
                .into_iter()
                .collect(),
        );
        cf.upstream_sources = vec![tx];
        (cf, rx)
    }

    const BACKPRESSURE: &str = "define operator bp from qos::backpressure with timeout = 100, \
         method = \"pause\", steps = [1] end;\ncreate operator bp;\n\
         select event from in into bp;\nselect event from bp into out;\n";

    #[test]
    fn reports_run_through_the_operators_and_reach_the_source() {
        let mut core = pipeline(BACKPRESSURE);
        let (cf, rx) = wired();
        let hop = Hop {
            pipeline: 0,
            node: 0,
            port: "out",
        };
        // An ack passes backpressure unchanged and reaches the event's source.
        cf.handle(&mut core, report(Delivery::Ack, vec![hop]));
        assert!(matches!(
            rx.try_recv(),
            Ok(SourceMsg::Ack {
                stream: 3,
                pull_id: 9
            })
        ));
        // A fail in `pause` becomes a trigger: the upstream sources are held.
        cf.handle(&mut core, report(Delivery::Fail, vec![hop]));
        assert!(matches!(
            rx.try_recv(),
            Ok(SourceMsg::OperatorHold {
                operator: (0, 0),
                held: true
            })
        ));
        // The tick after the backoff releases them under the same key.
        let mut out = Vec::new();
        core.on_tick(u64::MAX, &mut out);
        cf.after_ticks(core.upstream.drain(..));
        assert!(matches!(
            rx.try_recv(),
            Ok(SourceMsg::OperatorHold {
                operator: (0, 0),
                held: false
            })
        ));
    }

    #[test]
    fn a_report_for_an_earlier_pipeline_goes_on_to_it() {
        let mut core = pipeline(BACKPRESSURE);
        let (tx, earlier) = crate::rt::unbounded();
        let (mine, _) = crate::rt::unbounded();
        let mut cf = Contraflow::detached();
        cf.instance = 1;
        cf.pipelines = std::sync::Arc::new(vec![tx, mine]);
        let trail = vec![
            Hop {
                pipeline: 0,
                node: 4,
                port: "out",
            },
            Hop {
                pipeline: 1,
                node: 0,
                port: "out",
            },
        ];
        cf.handle(&mut core, report(Delivery::Ack, trail));
        let forwarded = earlier.try_recv().expect("forwarded");
        assert_eq!(forwarded.trail.len(), 1);
        assert_eq!(forwarded.delivery, Delivery::Ack);
    }

    #[test]
    fn operators_stamp_a_hop_only_when_they_want_reports() {
        let mut out = Vec::new();
        for (src, hops) in [
            (BACKPRESSURE, 1),
            (
                "define operator c from generic::counter;\ncreate operator c;\n\
                 select event from in into c;\nselect event from c into out;\n",
                0,
            ),
        ] {
            let mut core = pipeline(src);
            let event = crate::operator::test_support::event(1, 1, 1.into(), None);
            core.process("in", event, &mut out).expect("processes");
            let (_, event) = out.pop().expect("one event out");
            assert_eq!(event.trail.len(), hops, "{src}");
        }
    }
}
