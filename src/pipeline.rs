//! Pipelines: `select EXPR from PORT [where EXPR] into PORT;` statements run per event.
//!
//! [`PipelineCore`] is the per-event logic, free of channels, so `tremor run` can drive a query
//! directly; [`Pipeline`] is the actor that feeds it from its input channel and routes what it
//! emits.

use crate::{
    connectors::msg::{send_drained, send_events, DataMsg, Route},
    event::{now_ns, Event, EventPayload},
    ports::{ERR, OUT},
    rt::Receiver,
    script::{eval, expr::Expr, Outcome, RunContext, Script},
    troy::plan::{NodeKind, PipelinePlan},
};
use std::collections::HashMap;
use tremor_value::{literal, Value};

/// A port of the pipeline (`node` is `None`) or of one of its streams and scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Endpoint {
    node: Option<usize>,
    port: &'static str,
}

/// One compiled `select` statement.
struct Select {
    from: Endpoint,
    target: Expr,
    /// `select event`: forward without evaluating or copying.
    identity: bool,
    filter: Option<Expr>,
    into: Endpoint,
}

/// A stream or script instance.
enum Node {
    /// Passes every event on to its `out` port.
    Stream,
    /// Runs a script; `state` is this instance's, kept from event to event.
    Script {
        script: Box<Script>,
        state: Value<'static>,
    },
    /// A script that failed to compile here although it compiled at plan time: drops what it
    /// gets (with one error logged when built).
    Broken,
}

impl Node {
    fn new(pipeline: &str, name: &str, kind: &NodeKind) -> Self {
        match kind {
            NodeKind::Stream => Node::Stream,
            NodeKind::Script(plan) => match Script::compile(&plan.source, &plan.file, &plan.args) {
                Ok(script) => Node::Script {
                    script: Box::new(script),
                    state: plan.state.clone(),
                },
                Err(e) => {
                    log::error!(
                        "[{pipeline}] script `{name}` does not compile: {}",
                        e.located()
                    );
                    Node::Broken
                }
            },
        }
    }
}

/// The metadata `$` of `event` as a value (an empty record when it has none).
fn meta_of(event: &Event) -> Value<'static> {
    event
        .meta
        .as_deref()
        .and_then(|text| {
            let mut bytes = text.as_bytes().to_vec();
            tremor_value::parse_json(&mut bytes)
                .ok()
                .map(|v| v.clone_static())
        })
        .unwrap_or_else(Value::object)
}

/// Events that pass through more nodes than this for one input event are taken to loop (a
/// `select` cycle) and become an error instead.
const MAX_HOPS: usize = 64;

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

/// The per-event logic of one pipeline instance: its `select` statements and the streams and
/// scripts they connect.
pub struct PipelineCore {
    alias: String,
    selects: Vec<Select>,
    nodes: Vec<Node>,
    args: Value<'static>,
}

impl PipelineCore {
    /// The pipeline `plan` describes, known as `alias` in error events.
    #[must_use]
    pub fn new(alias: String, plan: &PipelinePlan) -> Self {
        let intern = crate::connectors::intern_port;
        let selects = plan
            .selects
            .iter()
            .map(|s| Select {
                from: Endpoint {
                    node: s.from_node,
                    port: intern(&s.from_port),
                },
                identity: s.target.is_event(),
                target: s.target.clone(),
                filter: s.filter.clone(),
                into: Endpoint {
                    node: s.into_node,
                    port: intern(&s.into_port),
                },
            })
            .collect();
        let nodes = plan
            .nodes
            .0
            .iter()
            .map(|n| Node::new(&alias, &n.name, &n.kind))
            .collect();
        Self {
            alias,
            selects,
            nodes,
            args: plan.args.clone(),
        }
    }

    /// The output port when the only statement reading the input `port` is an unfiltered
    /// `select event` into an output port.
    fn forwards_unchanged(&self, port: &str) -> Option<&'static str> {
        let mut reading = self
            .selects
            .iter()
            .filter(|s| s.from.node.is_none() && s.from.port == port);
        match (reading.next(), reading.next()) {
            (Some(only), None)
                if only.identity && only.filter.is_none() && only.into.node.is_none() =>
            {
                Some(only.into.port)
            }
            _ => None,
        }
    }

    /// Runs `event`, arrived on the input `port`, through every statement reading that port
    /// and on through the streams and scripts they feed; what reaches the pipeline's output
    /// ports goes to `out`. A runtime error becomes an error event on the `err` port.
    pub fn process(&mut self, port: &'static str, event: Event, out: &mut impl Emitter) {
        let from = Endpoint { node: None, port };
        self.deliver(from, event, out, 0);
    }

    /// Hands `event`, leaving `from`, to every `select` reading `from`.
    fn deliver(&mut self, from: Endpoint, event: Event, out: &mut impl Emitter, hops: usize) {
        let value = event.payload.value();
        // Which selects take this event: evaluate every filter first, so that the last
        // taker of an identity select can have the event itself instead of a copy.
        let mut takers: Vec<&Select> = Vec::new();
        let mut outputs: Vec<(Endpoint, Event)> = Vec::new();
        let err = Endpoint {
            node: None,
            port: ERR,
        };
        for select in self.selects.iter().filter(|s| s.from == from) {
            match select
                .filter
                .as_ref()
                .map_or(Ok(true), |f| eval::eval_filter(f, value, &self.args))
            {
                Ok(true) => takers.push(select),
                Ok(false) => {}
                Err(e) => outputs.push((err, self.error_event(&event, &e.to_string()))),
            }
        }
        let last_identity = takers.iter().rposition(|s| s.identity);
        for (i, select) in takers.iter().enumerate() {
            if select.identity {
                if Some(i) != last_identity {
                    outputs.push((select.into, event.deep_clone()));
                }
                continue;
            }
            match eval::eval(&select.target, value, &self.args) {
                Ok(v) => {
                    outputs.push((select.into, event.with_payload(EventPayload::from_value(v))))
                }
                Err(e) => outputs.push((err, self.error_event(&event, &e.to_string()))),
            }
        }
        if let Some(i) = last_identity {
            outputs.push((takers[i].into, event));
        }
        for (into, e) in outputs {
            match into.node {
                None => out.emit(into.port, e),
                Some(_) if hops >= MAX_HOPS => {
                    let looping = self.error_event(
                        &e,
                        &format!("an event passed {MAX_HOPS} streams or scripts: the selects loop"),
                    );
                    out.emit(ERR, looping);
                }
                Some(node) => self.enter(node, into.port, e, out, hops + 1),
            }
        }
    }

    /// Runs `event`, sent to `port` of the node `node`.
    fn enter(
        &mut self,
        node: usize,
        _port: &'static str,
        event: Event,
        out: &mut impl Emitter,
        hops: usize,
    ) {
        let leaving = match self.nodes.get_mut(node) {
            Some(Node::Stream) => Some((OUT, event)),
            Some(Node::Script { script, state }) => run_script(script, state, event),
            Some(Node::Broken) | None => None,
        };
        if let Some((port, event)) = leaving {
            let from = Endpoint {
                node: Some(node),
                port,
            };
            self.deliver(from, event, out, hops);
        }
    }

    #[must_use]
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

/// Runs `script` on `event`: the event it emits and on which port, or `None` when it drops
/// the event. A run-time error becomes Tremor's error event (`{"error": REPORT, "event":
/// EVENT}`) on the script's `err` port.
///
/// The script changes the event's value in place (no copy; as in Tremor, the error event
/// carries the event as the script left it). Only metadata the script changed is written
/// back, as JSON text (the form events carry it in).
fn run_script(
    script: &Script,
    state: &mut Value<'static>,
    mut event: Event,
) -> Option<(&'static str, Event)> {
    let meta = meta_of(&event);
    let ingest_ns = event.ingest_ns;
    let ran = event.payload.with_value_mut(|value| {
        let mut meta: Value<'_> = meta;
        let unchanged_meta = meta.clone();
        let mut ctx = RunContext {
            event: &mut *value,
            meta: &mut meta,
            state,
            ingest_ns,
            origin: None,
        };
        let intern = crate::connectors::intern_port;
        let port = match script.run(&mut ctx) {
            Ok(Outcome::Drop) => return None,
            Ok(Outcome::Emit {
                port,
                value: emitted,
            }) => {
                *value = emitted;
                intern(port)
            }
            Ok(Outcome::EmitEvent { port }) => intern(port),
            Err(e) => {
                let event = std::mem::take(value);
                let mut error: Value<'_> = literal!({ "error": format!("{e}\n\n") });
                // A record always takes a field.
                let _ = error.insert("event", event);
                *value = error;
                ERR
            }
        };
        let new_meta =
            (meta != unchanged_meta).then(|| std::sync::Arc::from(tremor_value::to_json(&meta)));
        Some((port, new_meta))
    });
    let (port, new_meta) = ran?;
    if new_meta.is_some() {
        event.meta = new_meta;
    }
    Some((port, event))
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
