//! [`PipelineCore`]: the per-event logic of one pipeline instance, free of channels, so `tremor
//! run` can drive a query directly.

use super::{
    emitter::Emitter,
    exprs::{select_reads_meta, shown, Reads},
    node::{meta_of, run_node, Node},
    select::Grouped,
};
use crate::{
    event::{now_ns, Event, EventPayload, Hop},
    operator::{CbAction, Emitted, Operator},
    ports::ERR,
    script::expr::Expr,
    script::scope::FnDef,
    troy::plan::PipelinePlan,
};
use std::sync::Arc;
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
    /// `having`, on the output (plain selects; a grouped one has its own).
    having: Option<Expr>,
    /// Whether `$` is read, so the metadata must be decoded for this select.
    reads_meta: bool,
    /// Windows and `group by`, when the select has them.
    grouped: Option<Box<Grouped>>,
    /// The text of the file that holds the statement, to show its runtime errors on their line.
    source: Option<Arc<str>>,
    /// The functions the pipeline's `use`s loaded.
    fns: Arc<[FnDef]>,
}

/// A runtime error of a select, as Tremor shows it; it stops the event it happened to.
pub type Aborted = String;

/// Events that pass through more nodes than this for one input event are taken to loop (a
/// `select` cycle) and become an error instead.
const MAX_HOPS: usize = 64;

/// The per-event logic of one pipeline instance: its `select` statements and the streams and
/// scripts they connect.
pub struct PipelineCore {
    pub(super) alias: String,
    selects: Vec<Select>,
    nodes: Vec<Node>,
    args: Value<'static>,
    /// This instance's index in the deployment (the `pipeline` of the [`Hop`]s it stamps).
    instance: u32,
    /// What operators emit, reused from event to event.
    emitted: Emitted,
    /// Circuit-breaker actions operators (by node) returned from ticks, for the actor to send
    /// upstream.
    pub(super) upstream: Vec<(usize, CbAction)>,
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
                identity: s.target.is_event()
                    && s.having.is_none()
                    && s.windows.is_empty()
                    && s.group_by.is_none(),
                target: s.target.clone(),
                filter: s.filter.clone(),
                into: Endpoint {
                    node: s.into_node,
                    port: intern(&s.into_port),
                },
                having: s.having.clone(),
                reads_meta: select_reads_meta(s),
                grouped: Grouped::new(s),
                source: s.source.clone(),
                fns: s.fns.clone(),
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
            instance: 0,
            emitted: Emitted::new(),
            upstream: Vec::new(),
        }
    }

    /// Makes this the pipeline instance `instance` of the deployment, the one sinks send the
    /// delivery reports of events its operators track to.
    pub(super) fn set_instance(&mut self, instance: u32) {
        self.instance = instance;
    }

    /// Whether [`Self::on_tick`] has anything to do: without operators (or windows) the actor
    /// runs no timer.
    #[must_use]
    pub fn wants_ticks(&self) -> bool {
        self.nodes.iter().any(|n| matches!(n, Node::Operator(_)))
            || self.selects.iter().any(|s| s.grouped.is_some())
    }

    /// The operator at `node`, if that node is one (for delivery reports).
    pub(super) fn operator_mut(&mut self, node: usize) -> Option<&mut dyn Operator> {
        match self.nodes.get_mut(node) {
            Some(Node::Operator(op)) => Some(op.as_mut()),
            _ => None,
        }
    }

    /// Ticks every operator: what they emit goes on from their node, the circuit-breaker
    /// actions they return to [`Self::upstream`].
    fn tick_operators(&mut self, now_ns: u64, out: &mut impl Emitter) {
        for node in 0..self.nodes.len() {
            let Some(Node::Operator(op)) = self.nodes.get_mut(node) else {
                continue;
            };
            let mut emitted = std::mem::take(&mut self.emitted);
            if let Some(action) = op.on_tick(now_ns, &mut emitted) {
                self.upstream.push((node, action));
            }
            let left = self.leave_operator(node, &mut emitted, out, 0);
            self.emitted = emitted;
            self.log_aborted(left);
        }
    }

    /// As Tremor: an event a select fails on goes no further and the error is logged (its
    /// pipeline's `err` port does not see it).
    pub(super) fn log_aborted(&self, result: Result<(), Aborted>) {
        if let Err(e) = result {
            log::error!("[{}] Error handling event:{e}", self.alias);
        }
    }

    /// Sends what the operator at `node` emitted on from its ports, stamping a [`Hop`] on each
    /// event when the operator wants delivery reports.
    fn leave_operator(
        &mut self,
        node: usize,
        emitted: &mut Emitted,
        out: &mut impl Emitter,
        hops: usize,
    ) -> Result<(), Aborted> {
        let tracked =
            matches!(self.nodes.get(node), Some(Node::Operator(op)) if op.wants_reports());
        for (port, mut event) in emitted.drain(..) {
            if tracked {
                event.trail.push(Hop {
                    pipeline: self.instance,
                    node: u32::try_from(node).unwrap_or(u32::MAX),
                    port,
                });
            }
            let from = Endpoint {
                node: Some(node),
                port,
            };
            self.deliver(from, event, out, hops)?;
        }
        Ok(())
    }

    /// The output port when the only statement reading the input `port` is an unfiltered
    /// `select event` into an output port.
    pub(super) fn forwards_unchanged(&self, port: &str) -> Option<&'static str> {
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

    /// Lets time pass to `now_ns` with no event: interval windows close and operators flush
    /// or restore (Tremor's ticks). What they emit goes to `out` as in [`Self::process`].
    ///
    /// Windows (`select … from in[w]`) and operators (`create operator`) each add their part
    /// here; the actor calls it on a timer. `tremor run` does not: as in Tremor, a window still
    /// open when its input ends emits nothing.
    pub fn on_tick(&mut self, now_ns: u64, out: &mut impl Emitter) {
        self.tick_operators(now_ns, out);
        self.tick_windows(now_ns, out);
    }

    /// Ticks the windows of every windowed select.
    fn tick_windows(&mut self, now_ns: u64, out: &mut impl Emitter) {
        let mut outputs = Vec::new();
        for select in &mut self.selects {
            let Some(grouped) = select.grouped.as_mut() else {
                continue;
            };
            let mut made = Vec::new();
            grouped.on_tick(now_ns, &self.args, &mut made);
            for made in made {
                match made {
                    Ok(e) => outputs.push((select.into, e)),
                    Err(e) => log::error!("[{}] closing a window: {e}", self.alias),
                }
            }
        }
        let routed = self.route(outputs, out, 0);
        self.log_aborted(routed);
    }

    /// Runs `event`, arrived on the input `port`, through every statement reading that port
    /// and on through the streams and scripts they feed; what reaches the pipeline's output
    /// ports goes to `out`.
    ///
    /// # Errors
    /// A runtime error of a select, as Tremor shows it (on its line, when the text is at
    /// hand): the event went no further than that select; what it emitted before stays in `out`.
    pub fn process(
        &mut self,
        port: &'static str,
        event: Event,
        out: &mut impl Emitter,
    ) -> Result<(), Aborted> {
        let from = Endpoint { node: None, port };
        self.deliver(from, event, out, 0)
    }

    /// Hands `event`, leaving `from`, to every `select` reading `from`. The first runtime error
    /// drops what this step made of the event and stops it.
    fn deliver(
        &mut self,
        from: Endpoint,
        event: Event,
        out: &mut impl Emitter,
        hops: usize,
    ) -> Result<(), Aborted> {
        let value = event.payload.value();
        let meta = if self.selects.iter().any(|s| s.from == from && s.reads_meta) {
            meta_of(&event)
        } else {
            Value::object()
        };
        let reads = Reads {
            event: value,
            meta: &meta,
            args: &self.args,
            locals: &[],
            ingest_ns: event.ingest_ns,
            cardinality: 0,
            fns: &[],
        };
        // Which selects take this event: evaluate every filter first, so that the last
        // taker of an identity select can have the event itself instead of a copy.
        let mut takers: Vec<usize> = Vec::new();
        let mut outputs: Vec<(Endpoint, Event)> = Vec::new();
        for (i, select) in self.selects.iter().enumerate() {
            if select.from != from {
                continue;
            }
            let reads = Reads {
                fns: &select.fns,
                ..reads
            };
            match select
                .filter
                .as_ref()
                .map_or(Ok(true), |f| reads.test(f, "where"))
            {
                Ok(true) => takers.push(i),
                Ok(false) => {}
                Err(e) => return Err(shown(select.source.as_deref(), &e)),
            }
        }
        let last_identity = takers.iter().rposition(|&i| self.selects[i].identity);
        for (n, &i) in takers.iter().enumerate() {
            let select = &mut self.selects[i];
            if select.identity {
                if Some(n) != last_identity {
                    outputs.push((select.into, event.deep_clone()));
                }
                continue;
            }
            if let Some(grouped) = select.grouped.as_mut() {
                let mut made = Vec::new();
                grouped.on_event(&event, value, &meta, reads.args, &mut made);
                for made in made {
                    outputs.push((select.into, made?));
                }
                continue;
            }
            let reads = Reads {
                fns: &select.fns,
                ..reads
            };
            let output = reads.eval(&select.target).and_then(|v| {
                let passes = match &select.having {
                    Some(having) => Reads { event: &v, ..reads }.test(having, "having")?,
                    None => true,
                };
                Ok(passes.then_some(v))
            });
            match output {
                Ok(Some(v)) => {
                    outputs.push((select.into, event.with_payload(EventPayload::from_value(v))))
                }
                Ok(None) => {}
                Err(e) => return Err(shown(select.source.as_deref(), &e)),
            }
        }
        if let Some(n) = last_identity {
            outputs.push((self.selects[takers[n]].into, event));
        }
        self.route(outputs, out, hops)
    }

    /// Sends each output on to its endpoint: an output port, or a node (unless the selects
    /// loop).
    fn route(
        &mut self,
        outputs: Vec<(Endpoint, Event)>,
        out: &mut impl Emitter,
        hops: usize,
    ) -> Result<(), Aborted> {
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
                Some(node) => self.enter(node, into.port, e, out, hops + 1)?,
            }
        }
        Ok(())
    }

    /// Runs `event`, sent to `port` of the node `node`.
    fn enter(
        &mut self,
        node: usize,
        port: &'static str,
        event: Event,
        out: &mut impl Emitter,
        hops: usize,
    ) -> Result<(), Aborted> {
        if let Some(Node::Operator(op)) = self.nodes.get_mut(node) {
            let mut emitted = std::mem::take(&mut self.emitted);
            op.on_event(port, event, &mut emitted);
            let left = self.leave_operator(node, &mut emitted, out, hops);
            self.emitted = emitted;
            return left;
        }
        let leaving = run_node(self.nodes.get_mut(node), event);
        if let Some((port, event)) = leaving {
            let from = Endpoint {
                node: Some(node),
                port,
            };
            self.deliver(from, event, out, hops)?;
        }
        Ok(())
    }

    #[must_use]
    fn error_event(&self, event: &Event, error: &str) -> Event {
        error_event(&self.alias, event, error)
    }
}

/// The error event of the pipeline `alias` for `event`: Tremor's `{"error", "pipeline",
/// "event"}` record.
fn error_event(alias: &str, event: &Event, error: &str) -> Event {
    let value = literal!({
        "error": error.to_string(),
        "pipeline": alias.to_string(),
        "event": event.payload.value().clone_static(),
    });
    let mut e = event.with_payload(EventPayload::from_value(value));
    e.ingest_ns = now_ns();
    e
}
