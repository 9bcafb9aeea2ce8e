//! A `select` with windows or `group by`: its groups, each with a chain of windows (tilt
//! frames: a window's aggregates merge into the next when it closes), and what they emit.
//!
//! Tremor's semantics (tremor-pipeline's trickle select and window operators): a group that
//! holds no data after an event is not kept; a new group is refused with an error once
//! `max_groups` groups are open; a time window also closes on a tick. The output of a window
//! is the target evaluated with `group`, `window` and the aggregate results; `having` reads
//! it as `event`.

use super::exprs::{shown, Reads};
use super::group::{group_value, groups_of, key_of};
use super::window::{Window, WindowKinds};
use crate::event::{Event, EventPayload};
use crate::script::eval::EvalError;
use crate::script::expr::{Expr, ExprKind, PathRoot};
use crate::script::scope::FnDef;
use crate::script::stdlib::{Aggregate, FnError, FnErrorKind};
use crate::troy::plan::{AggregatePlan, GroupBy, SelectPlan};
use crate::troy::windows::{GROUP_SLOT, WINDOW_SLOT};
use halfbrown::HashMap;
use std::sync::Arc;
use tremor_value::Value;

/// What one event or tick of a select gives: output values or error messages.
pub(super) type Outputs = Vec<Result<Event, String>>;

/// The per-select part that evaluates outputs.
struct Emitter {
    kinds: WindowKinds,
    target: Expr,
    having: Option<Expr>,
    aggregates: Vec<AggregatePlan>,
    /// How many local slots the expressions use.
    locals: usize,
    /// Whether an aggregate's arguments read `group` or `window`.
    args_read_locals: bool,
    /// The text of the file that holds the statement, to show its runtime errors on their line.
    source: Option<Arc<str>>,
    /// The functions the pipeline's `use`s loaded.
    fns: Arc<[FnDef]>,
}

/// What moves a group's windows: an event, or time passing (no event: `null` and `{}`).
struct Moment<'a, 'v> {
    value: &'a Value<'v>,
    meta: &'a Value<'v>,
    ingest_ns: u64,
    /// The event, or on a tick an event the select saw before (whose identity outputs take).
    event: &'a Event,
    tick: bool,
}

/// One window of one group with its aggregate states.
struct Frame {
    name: Value<'static>,
    window: Window,
    aggregates: Vec<Box<dyn Aggregate>>,
    holds_data: bool,
}

/// One group: its `group` value and its chain of windows.
struct Group {
    value: Value<'static>,
    frames: Vec<Frame>,
}

/// A select with windows or `group by`.
pub(super) struct Grouped {
    emitter: Emitter,
    group_by: Option<GroupBy>,
    names: Vec<Value<'static>>,
    groups: HashMap<String, Group>,
    max_groups: usize,
    /// Ids for the events ticks emit.
    tick_ids: u64,
    /// An event seen before (without its payload), the base of the events ticks emit.
    template: Option<Event>,
}

impl Grouped {
    /// The runtime of `plan`, when it has windows or `group by` (else `None`).
    pub(super) fn new(plan: &SelectPlan) -> Option<Box<Self>> {
        if plan.windows.is_empty() && plan.group_by.is_none() {
            return None;
        }
        let locals = plan
            .aggregates
            .iter()
            .map(|a| a.slot + 1)
            .max()
            .unwrap_or(0)
            .max(WINDOW_SLOT + 1);
        Some(Box::new(Self {
            emitter: Emitter {
                kinds: WindowKinds::new(&plan.windows),
                target: plan.target.clone(),
                having: plan.having.clone(),
                aggregates: plan.aggregates.clone(),
                source: plan.source.clone(),
                fns: plan.fns.clone(),
                locals,
                args_read_locals: plan
                    .aggregates
                    .iter()
                    .flat_map(|a| &a.args)
                    .any(reads_group_or_window),
            },
            group_by: plan.group_by.clone(),
            names: plan
                .windows
                .iter()
                .map(|w| Value::from(w.name.clone()))
                .collect(),
            groups: HashMap::new(),
            max_groups: plan.windows.iter().map(|w| w.max_groups).min().unwrap_or(0),
            tick_ids: 0,
            template: None,
        }))
    }

    /// Runs `event` (value `value`, metadata `meta`), which passed the `where` clause.
    pub(super) fn on_event(
        &mut self,
        event: &Event,
        value: &Value<'_>,
        meta: &Value<'_>,
        args: &Value<'_>,
        out: &mut Outputs,
    ) {
        if self.template.is_none() {
            self.template = Some(event.with_payload(EventPayload::from_value(Value::null())));
        }
        let moment = Moment {
            value,
            meta,
            ingest_ns: event.ingest_ns,
            event,
            tick: false,
        };
        let mut emitted = Vec::new();
        match self.each_group(&moment, args, &mut emitted) {
            Ok(()) => out.extend(emitted),
            // As in Tremor, an error drops what this event made the select emit.
            Err(e) => out.push(Err(e)),
        }
    }

    fn each_group(
        &mut self,
        m: &Moment,
        args: &Value<'_>,
        out: &mut Outputs,
    ) -> Result<(), String> {
        let dims = match &self.group_by {
            Some(g) => {
                let reads = Reads {
                    event: m.value,
                    meta: m.meta,
                    args,
                    locals: &[],
                    ingest_ns: m.ingest_ns,
                    cardinality: self.groups.len(),
                    fns: &self.emitter.fns,
                };
                groups_of(g, &reads).map_err(|e| self.emitter.shown(&e))?
            }
            None => vec![vec![Value::null()]],
        };
        for dims in dims {
            let step = Step {
                emitter: &self.emitter,
                m,
                args,
                cardinality: self.groups.len(),
            };
            let key = key_of(&dims);
            if let Some(group) = self.groups.get_mut(&key) {
                if group.on_event(&step, out)? {
                    self.groups.remove(&key);
                }
                continue;
            }
            let mut group = Group {
                value: group_value(dims, &key),
                frames: self.fresh_frames(),
            };
            if !group.on_event(&step, out)? {
                if self.groups.len() >= self.max_groups {
                    return Err(format!(
                        "Maxmimum amount of groups reached ({}). Ignoring group [{}]",
                        self.max_groups,
                        self.max_groups.saturating_add(1)
                    ));
                }
                self.groups.insert(key, group);
            }
        }
        Ok(())
    }

    fn fresh_frames(&self) -> Vec<Frame> {
        self.emitter
            .kinds
            .fresh()
            .zip(&self.names)
            .map(|(window, name)| Frame {
                name: name.clone(),
                window,
                aggregates: self
                    .emitter
                    .aggregates
                    .iter()
                    .map(|a| (a.function.new)())
                    .collect(),
                holds_data: false,
            })
            .collect()
    }

    /// Time passes to `now_ns`: the first window of every group may close; a group whose
    /// windows then hold nothing is forgotten.
    pub(super) fn on_tick(&mut self, now_ns: u64, args: &Value<'_>, out: &mut Outputs) {
        let Some(template) = self.template.as_ref() else {
            return;
        };
        let (null, empty) = (Value::null(), Value::object());
        let moment = Moment {
            value: &null,
            meta: &empty,
            ingest_ns: now_ns,
            event: template,
            tick: true,
        };
        let step = Step {
            emitter: &self.emitter,
            m: &moment,
            args,
            cardinality: self.groups.len(),
        };
        let mut emitted = Vec::new();
        let mut closed = Vec::new();
        for (key, group) in self.groups.iter_mut() {
            match group.on_tick(&step, &mut emitted) {
                Ok(true) => closed.push(key.clone()),
                Ok(false) => {}
                Err(e) => emitted.push(Err(e)),
            }
        }
        for key in closed {
            self.groups.remove(&key);
        }
        for made in emitted {
            out.push(made.map(|mut e| {
                e.id = self.tick_ids;
                self.tick_ids += 1;
                e
            }));
        }
    }
}

impl Group {
    /// Runs an event through the group's windows; true when none of them holds data after it
    /// (the group need not be kept).
    fn on_event(&mut self, step: &Step, out: &mut Outputs) -> Result<bool, String> {
        if self.frames.is_empty() {
            step.emit(&self.value, &Value::null(), None, out)?;
            return Ok(true);
        }
        frames_on_event(&mut self.frames, 0, None, &self.value, step, true, out)
    }

    /// Time passes: the first window may close (and feed the next); true when the group
    /// holds nothing any more.
    fn on_tick(&mut self, step: &Step, out: &mut Outputs) -> Result<bool, String> {
        let Some((first, rest)) = self.frames.split_first_mut() else {
            return Ok(false);
        };
        let actions = first.window.on_tick(step.m.ingest_ns);
        let mut can_remove = actions.emit;
        if actions.emit {
            if first.holds_data {
                step.emit(&self.value, &first.name, Some(first), out)?;
            }
            if !rest.is_empty() {
                can_remove =
                    frames_on_event(rest, 1, Some(first), &self.value, step, can_remove, out)?;
            }
            first.reset();
        }
        Ok(can_remove)
    }
}

/// What every group and window sees in one step: the select, the event or tick, the `args`.
struct Step<'s, 'a, 'v> {
    emitter: &'s Emitter,
    m: &'s Moment<'a, 'v>,
    args: &'s Value<'s>,
    cardinality: usize,
}

/// Tremor's tilt-frame step for the first of `frames`, the `index`th window of the select:
/// `prev` is the window that just closed before it (`None` for the first window, which takes
/// events). True when no window from here on holds data.
fn frames_on_event(
    frames: &mut [Frame],
    index: usize,
    prev: Option<&Frame>,
    group: &Value<'static>,
    step: &Step,
    can_remove: bool,
    out: &mut Outputs,
) -> Result<bool, String> {
    let Some((this, rest)) = frames.split_first_mut() else {
        return Ok(can_remove);
    };
    let m = step.m;
    let script = step.emitter.kinds.script(index);
    let actions = this.window.on_event(script, m.value, m.meta, m.ingest_ns)?;
    if actions.include {
        this.record(prev, group, step)?;
    }
    let mut can_remove = can_remove;
    if actions.emit {
        if this.holds_data {
            step.emit(group, &this.name, Some(this), out)?;
        }
        if !rest.is_empty() {
            can_remove = can_remove
                && frames_on_event(rest, index + 1, Some(this), group, step, can_remove, out)?;
        }
        this.reset();
    }
    if actions.include {
        Ok(can_remove)
    } else {
        this.record(prev, group, step)?;
        Ok(false)
    }
}

impl Frame {
    /// Takes the event into the aggregates (first window), or merges the window that just
    /// closed before this one (if it held data).
    fn record(
        &mut self,
        prev: Option<&Frame>,
        group: &Value<'static>,
        step: &Step,
    ) -> Result<(), String> {
        let emitter = step.emitter;
        match prev {
            Some(prev) if prev.holds_data => {
                let pairs = self.aggregates.iter_mut().zip(&prev.aggregates);
                for ((state, earlier), plan) in pairs.zip(&emitter.aggregates) {
                    state
                        .merge(earlier.as_ref())
                        .map_err(|e| fn_error(plan, 1, &e))?;
                }
                self.holds_data = true;
            }
            Some(_) => {}
            None => {
                // Only arguments that read `group` or `window` need them (a copy per event).
                let locals = if emitter.args_read_locals {
                    emitter.locals(group, &self.name)
                } else {
                    Vec::new()
                };
                let reads = step.reads(&locals);
                for (state, plan) in self.aggregates.iter_mut().zip(&emitter.aggregates) {
                    let values = plan
                        .args
                        .iter()
                        .map(|a| reads.eval(a))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| emitter.shown(&e))?;
                    let refs: Vec<&Value<'_>> = values.iter().collect();
                    state
                        .accumulate(&refs)
                        .map_err(|e| fn_error(plan, refs.len(), &e))?;
                }
                self.holds_data = true;
            }
        }
        Ok(())
    }

    /// A new window: empty aggregates (the window keeps its clock).
    fn reset(&mut self) {
        self.aggregates.iter_mut().for_each(|a| a.init());
        self.holds_data = false;
    }
}

impl Step<'_, '_, '_> {
    /// What the select's expressions read in this step, with `locals`.
    fn reads<'r>(&'r self, locals: &'r [Value<'static>]) -> Reads<'r, 'r> {
        Reads {
            event: self.m.value,
            meta: self.m.meta,
            args: self.args,
            locals,
            ingest_ns: self.m.ingest_ns,
            cardinality: self.cardinality,
            fns: &self.emitter.fns,
        }
    }

    /// Evaluates the target for `group` (with `frame`'s aggregates, when windowed) and keeps
    /// the output if `having` lets it through.
    fn emit(
        &self,
        group: &Value<'static>,
        window: &Value<'static>,
        frame: Option<&Frame>,
        out: &mut Outputs,
    ) -> Result<(), String> {
        let (emitter, m) = (self.emitter, self.m);
        let mut locals = emitter.locals(group, window);
        if let Some(frame) = frame {
            for (state, plan) in frame.aggregates.iter().zip(&emitter.aggregates) {
                let arity = plan.args.len();
                locals[plan.slot] = state.emit().map_err(|e| fn_error(plan, arity, &e))?;
            }
        }
        let reads = self.reads(&locals);
        let result = reads.eval(&emitter.target).map_err(|e| emitter.shown(&e))?;
        if let Some(having) = &emitter.having {
            let on_result = Reads {
                event: &result,
                ..reads
            };
            if !on_result
                .test(having, "having")
                .map_err(|e| emitter.shown(&e))?
            {
                return Ok(());
            }
        }
        let mut event = m.event.with_payload(EventPayload::from_value(result));
        if m.tick {
            event.ingest_ns = m.ingest_ns;
            event.origin = None;
            event.transactional = false;
            event.meta = None;
        }
        out.push(Ok(event));
        Ok(())
    }
}

/// Tremor's wording of an aggregate function's error.
fn fn_error(plan: &AggregatePlan, arity: usize, e: &FnError) -> String {
    let name = plan.function.tremor_name();
    match e.kind() {
        FnErrorKind::BadType => format!("Bad type passed to function {name}/{arity}"),
        FnErrorKind::BadArity { min, max } => format!(
            "Bad arity for function {name}/{min}..={max} but was called with {arity} arguments"
        ),
        FnErrorKind::Runtime(msg) => format!("Runtime error in function {name}/{arity}: {msg}"),
    }
}

impl Emitter {
    /// The locals of an evaluation: `group` and `window` (aggregate results are filled in later).
    fn locals(&self, group: &Value<'static>, window: &Value<'static>) -> Vec<Value<'static>> {
        let mut locals = vec![Value::null(); self.locals];
        locals[GROUP_SLOT] = group.clone();
        locals[WINDOW_SLOT] = window.clone();
        locals
    }

    /// `e` as Tremor shows it, on its line of the statement.
    fn shown(&self, e: &EvalError) -> String {
        shown(self.source.as_deref(), e)
    }
}

/// Whether `expr` reads `group` or `window`.
fn reads_group_or_window(expr: &Expr) -> bool {
    let mut found = false;
    expr.walk(&mut |e| {
        if let ExprKind::Path(PathRoot::Local(slot), _)
        | ExprKind::Present(PathRoot::Local(slot), _) = e.kind
        {
            found |= slot == GROUP_SLOT || slot == WINDOW_SLOT;
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use super::super::core::PipelineCore;
    use crate::operator::test_support::event;
    use crate::ports::IN;
    use tremor_value::Value;

    /// Runs `steps` (an event `(value, ingest_ns)` or a tick at `ns`) through `query`; what
    /// each step emitted, as `ingest_ns: JSON` lines, and then its error, if it had one.
    fn run(query: &str, steps: &[(Option<&str>, u64)]) -> Vec<Vec<String>> {
        let plan = crate::troy::plan_query(query, "q.trickle", "q").expect("plans");
        let mut core = PipelineCore::new("q".to_string(), &plan);
        let mut shown = Vec::new();
        for (i, (value, ns)) in steps.iter().enumerate() {
            let mut out = Vec::new();
            let result = match value {
                Some(v) => {
                    let e = event(i as u64, *ns, Value::from(v.to_string()), None);
                    core.process(IN, e, &mut out)
                }
                None => {
                    core.on_tick(*ns, &mut out);
                    Ok(())
                }
            };
            let mut lines: Vec<String> = out
                .iter()
                .map(|(_, e)| {
                    format!(
                        "{}: {}",
                        e.ingest_ns,
                        tremor_value::to_json(e.payload.value())
                    )
                })
                .collect();
            lines.extend(result.err());
            shown.push(lines);
        }
        shown
    }

    #[test]
    fn time_windows_close_on_ticks_and_their_groups_go() {
        let query = "define window t from tumbling with interval = 100 end;\n\
                     select [group[0], aggr::stats::count()] from in[t] group by event into out;";
        let got = run(
            query,
            &[
                (Some("a"), 10),
                (Some("b"), 20),
                (Some("a"), 50),
                (None, 109),
                (None, 115),
                (None, 120),
                (None, 500),
                (Some("a"), 600),
                (None, 700),
            ],
        );
        let want: Vec<Vec<&str>> = vec![
            vec![],
            vec![],
            vec![],
            vec![],
            vec![r#"115: ["a",2]"#],
            vec![r#"120: ["b",1]"#],
            vec![],
            vec![],
            vec![r#"700: ["a",1]"#],
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_tick_feeds_the_next_tilt_frame() {
        let query = "define window t from tumbling with interval = 10 end;\n\
                     define window c from tumbling with size = 2 end;\n\
                     select [window, aggr::stats::sum(event)] from in[t, c] into out;";
        let got = run(
            query,
            &[(Some("x"), 1), (None, 11), (Some("y"), 12), (None, 30)],
        );
        // The values are strings: sum refuses them, each event is an error.
        assert!(
            got[0][0].contains("Bad type passed to function stats::sum/1"),
            "{got:?}"
        );
        let query = query.replace("aggr::stats::sum(event)", "aggr::stats::count()");
        let got = run(
            &query,
            &[(Some("x"), 1), (None, 11), (Some("y"), 12), (None, 30)],
        );
        let want: Vec<Vec<&str>> = vec![
            vec![],
            vec![r#"11: ["t",1]"#],
            vec![],
            vec![r#"30: ["t",1]"#, r#"30: ["c",2]"#],
        ];
        assert_eq!(got, want);
    }
}
