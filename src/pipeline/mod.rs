//! Pipelines: `select EXPR from PORT [where EXPR] into PORT;` statements run per event.
//!
//! [`PipelineCore`] is the per-event logic, free of channels, so `tremor run` can drive a query
//! directly; [`Pipeline`] is the actor that feeds it from its input channel and routes what it
//! emits.

mod core;
mod emitter;
mod metrics;
mod exprs;
mod group;
mod node;
mod select;
mod window;

pub use self::core::PipelineCore;
pub use emitter::Emitter;

use crate::{
    connectors::msg::{send_drained, send_events, DataMsg, Route},
    event::Event,
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
    metrics: metrics::PipelineMetrics,
}

impl Pipeline {
    pub(crate) fn new(
        alias: String,
        plan: &PipelinePlan,
        data: Receiver<DataMsg>,
        outputs: HashMap<&'static str, Vec<Route>>,
        upstream_links: usize,
    ) -> Self {
        Self {
            metrics: metrics::PipelineMetrics::new(&alias, plan),
            core: PipelineCore::new(alias, plan),
            data,
            outputs,
            upstream_links,
            warned_unrouted_errors: false,
        }
    }

    pub(crate) async fn run(mut self) {
        let mut drained = 0;
        let mut by_port: HashMap<&'static str, Vec<Event>> = HashMap::new();
        while let Ok(msg) = self.data.recv().await {
            match msg {
                DataMsg::Events { port, events } => {
                    self.metrics.received(port, events.len());
                    if let Some(into) = self.core.forwards_unchanged(port) {
                        // `select event from PORT into X;` alone: the batch goes on as it is.
                        by_port.insert(into, events);
                    } else {
                        for event in events {
                            self.core.process(port, event, &mut by_port);
                        }
                    }
                    for (port, events) in by_port.iter_mut() {
                        if events.is_empty() {
                            continue;
                        }
                        let events = std::mem::take(events);
                        self.metrics.sent(port, events.len());
                        match self.outputs.get(port) {
                            Some(routes) => {
                                send_events(routes, events).await;
                            }
                            None if *port == ERR => self.log_unrouted(&events),
                            // Events to a port nobody connected are discarded, as in Tremor.
                            None => {}
                        }
                    }
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
