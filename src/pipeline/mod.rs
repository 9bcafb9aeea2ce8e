//! Pipelines: `select EXPR from PORT [where EXPR] into PORT;` statements run per event.
//!
//! [`PipelineCore`] is the per-event logic, free of channels, so `tremor run` can drive a query
//! directly; [`Pipeline`] is the actor that feeds it from its input channel and routes what it
//! emits.

mod contraflow;
mod core;
mod emitter;
mod exprs;
mod group;
mod metrics;
mod node;
mod select;
mod window;

pub use self::core::PipelineCore;
pub(crate) use contraflow::{upstream_sources, Contraflow};
pub use emitter::Emitter;
use emitter::PortRuns;

use crate::{
    connectors::msg::{send_drained, send_events, DataMsg, Route},
    event::{now_ns, Event},
    ports::ERR,
    rt::Receiver,
    troy::plan::PipelinePlan,
};
use std::collections::HashMap;

/// A running pipeline instance.
pub(crate) struct Pipeline {
    core: PipelineCore,
    data: Receiver<DataMsg>,
    outputs: HashMap<&'static str, Vec<Route>>,
    upstream_links: usize,
    warned_unrouted_errors: bool,
    contraflow: Contraflow,
    metrics: metrics::PipelineMetrics,
}

impl Pipeline {
    pub(crate) fn new(
        alias: String,
        plan: &PipelinePlan,
        data: Receiver<DataMsg>,
        outputs: HashMap<&'static str, Vec<Route>>,
        upstream_links: usize,
        contraflow: Contraflow,
    ) -> Self {
        let metrics = metrics::PipelineMetrics::new(&alias, plan);
        let mut core = PipelineCore::new(alias.clone(), plan);
        core.set_instance(contraflow.instance);
        Self {
            metrics,
            core,
            data,
            outputs,
            upstream_links,
            warned_unrouted_errors: false,
            contraflow,
        }
    }

    pub(crate) async fn run(mut self) {
        let mut drained = 0;
        let mut by_port = PortRuns::default();
        let mut next_tick = self
            .core
            .wants_ticks()
            .then(|| std::time::Instant::now() + contraflow::TICK);
        loop {
            let reports = &self.contraflow.reports;
            let msg = match contraflow::next_step(&self.data, reports, next_tick).await {
                contraflow::Step::Data(Some(msg)) => msg,
                contraflow::Step::Data(None) => break,
                contraflow::Step::Report(report) => {
                    self.contraflow.handle(&mut self.core, report);
                    continue;
                }
                contraflow::Step::Tick => {
                    next_tick = Some(std::time::Instant::now() + contraflow::TICK);
                    self.core.on_tick(now_ns(), &mut by_port);
                    self.contraflow.after_ticks(self.core.upstream.drain(..));
                    self.send_outputs(&mut by_port).await;
                    continue;
                }
            };
            match msg {
                DataMsg::Events { port, events } => {
                    self.metrics.received(port, events.len());
                    if let Some(into) = self.core.forwards_unchanged(port) {
                        // `select event from PORT into X;` alone: the batch goes on as it is.
                        by_port.0.push((into, events));
                    } else {
                        for event in events {
                            let processed = self.core.process(port, event, &mut by_port);
                            self.core.log_aborted(processed);
                        }
                    }
                    self.send_outputs(&mut by_port).await;
                }
                DataMsg::Drained => {
                    drained += 1;
                    if drained == self.upstream_links {
                        for routes in self.outputs.values() {
                            send_drained(routes).await;
                        }
                    }
                }
            }
        }
        log::debug!("[{}] pipeline stopped", self.core.alias);
    }

    /// Sends what the pipeline emitted, run by run in emission order, along the routes of
    /// each run's port.
    async fn send_outputs(&mut self, by_port: &mut PortRuns) {
        for (port, events) in by_port.0.drain(..) {
            if events.is_empty() {
                continue;
            }
            self.metrics.sent(port, events.len());
            match self.outputs.get(port) {
                Some(routes) => {
                    send_events(routes, events).await;
                }
                None if port == ERR => self.log_unrouted(&events),
                // Events to a port nobody connected are discarded, as in Tremor.
                None => {}
            }
        }
    }

    fn log_unrouted(&mut self, errors: &[Event]) {
        if !self.warned_unrouted_errors {
            log::warn!(
                "[{}] errors in the pipeline and no `err` port connected; logging them instead",
                self.core.alias
            );
            self.warned_unrouted_errors = true;
        }
        for e in errors {
            log::error!("[{}] {}", self.core.alias, e.payload.value());
        }
    }
}
