//! Pipelines: `select EXPR from PORT [where EXPR] into PORT;` statements run per event.
//!
//! [`PipelineCore`] is the per-event logic, free of channels, so `tremor run` can drive a query
//! directly; [`Pipeline`] is the actor that feeds it from its input channel and routes what it
//! emits.

use crate::{
    connectors::msg::{send_drained, send_events, DataMsg, Route},
    event::{now_ns, Event, EventPayload},
    ports::ERR,
    rt::Receiver,
    script::{eval, expr::Expr},
    troy::plan::PipelinePlan,
};
use std::collections::HashMap;
use tremor_value::{literal, Value};

/// One compiled `select` statement.
struct Select {
    from_port: String,
    target: Expr,
    /// `select event`: forward without evaluating or copying.
    identity: bool,
    filter: Option<Expr>,
    into_port: &'static str,
}

/// Where a pipeline puts the events it emits, port by port, in the order it emits them.
pub trait Emitter {
    /// Takes `event`, emitted on `port`.
    fn emit(&mut self, port: &'static str, event: Event);
}

impl Emitter for HashMap<&'static str, Vec<Event>> {
    fn emit(&mut self, port: &'static str, event: Event) {
        self.entry(port).or_default().push(event);
    }
}

impl Emitter for Vec<(&'static str, Event)> {
    fn emit(&mut self, port: &'static str, event: Event) {
        self.push((port, event));
    }
}

/// The per-event logic of one pipeline instance.
pub struct PipelineCore {
    alias: String,
    selects: Vec<Select>,
    args: Value<'static>,
}

impl PipelineCore {
    /// The pipeline `plan` describes, known as `alias` in error events.
    #[must_use]
    pub fn new(alias: String, plan: &PipelinePlan) -> Self {
        let selects = plan
            .selects
            .iter()
            .map(|s| Select {
                from_port: s.from_port.clone(),
                identity: s.target.is_event(),
                target: s.target.clone(),
                filter: s.filter.clone(),
                into_port: crate::connectors::intern_port(&s.into_port),
            })
            .collect();
        Self {
            alias,
            selects,
            args: plan.args.clone(),
        }
    }

    /// The output port when the only statement reading `port` is an unfiltered `select event`.
    fn forwards_unchanged(&self, port: &str) -> Option<&'static str> {
        let mut reading = self.selects.iter().filter(|s| s.from_port == port);
        match (reading.next(), reading.next()) {
            (Some(only), None) if only.identity && only.filter.is_none() => Some(only.into_port),
            _ => None,
        }
    }

    /// Runs `event`, arrived on `port`, through every statement reading that port; what they
    /// emit goes to `out`. A runtime error becomes an error event on the `err` port.
    pub fn process(&mut self, port: &str, event: Event, out: &mut impl Emitter) {
        let value = event.payload.value();
        // Which selects take this event: evaluate every filter first, so that the last
        // taker of an identity select can have the event itself instead of a copy.
        let mut takers: Vec<&Select> = Vec::new();
        for select in self.selects.iter().filter(|s| s.from_port == port) {
            match select
                .filter
                .as_ref()
                .map_or(Ok(true), |f| eval::eval_filter(f, value, &self.args))
            {
                Ok(true) => takers.push(select),
                Ok(false) => {}
                Err(e) => out.emit(ERR, self.error_event(&event, &e.to_string())),
            }
        }
        let last_identity = takers.iter().rposition(|s| s.identity);
        let mut outputs: Vec<(&'static str, Event)> = Vec::with_capacity(takers.len());
        for (i, select) in takers.iter().enumerate() {
            if select.identity {
                if Some(i) != last_identity {
                    outputs.push((select.into_port, event.deep_clone()));
                }
                continue;
            }
            match eval::eval(&select.target, value, &self.args) {
                Ok(v) => outputs.push((
                    select.into_port,
                    event.with_payload(EventPayload::from_value(v)),
                )),
                Err(e) => outputs.push((ERR, self.error_event(&event, &e.to_string()))),
            }
        }
        if let Some(i) = last_identity {
            let port = takers[i].into_port;
            outputs.push((port, event));
        }
        for (port, e) in outputs {
            out.emit(port, e);
        }
    }

    fn error_event(&self, event: &Event, error: &str) -> Event {
        let value = literal!({
            "error": error.to_string(),
            "pipeline": self.alias.clone(),
            "event": event.payload.value().clone_static(),
        });
        let mut e = event.with_payload(EventPayload::from_value(value));
        e.ingest_ns = now_ns();
        e
    }
}

/// A running pipeline instance.
pub(crate) struct Pipeline {
    core: PipelineCore,
    data: Receiver<DataMsg>,
    outputs: HashMap<&'static str, Vec<Route>>,
    upstream_links: usize,
    warned_unrouted_errors: bool,
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
