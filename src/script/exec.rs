//! Running statements: `let` writes, `emit` / `drop`, and top-level `match` / `for` whose
//! cases contain statements; also calls of script functions (whose bodies are statements).

use super::comprehend::{accumulate, iteration};
use super::error::Pos;
use super::eval::{Ctx, EvalError};
use super::expr::{Comprehension, Expr, Match, PathRoot, Segment};
use super::ops::type_name;
use super::scope::FnDef;
use super::stdlib::{OriginUri, Random};
use super::stmt::{Stmt, Target};
use std::cell::Cell;
use tremor_value::Value;

/// How a list of statements ended.
pub(crate) enum Flow<'s, 'v> {
    /// It ran to its end; this is the last statement's value (`None`: the event itself).
    Value(Option<Value<'v>>),
    /// `emit`: the value (`None`: the event itself) and the port (`None`: `out`).
    Emit(Option<Value<'v>>, Option<&'s str>),
    /// `drop`.
    Drop,
}

/// What statements can read and write.
pub(crate) struct Env<'r, 'v> {
    pub(crate) event: &'r mut Value<'v>,
    pub(crate) meta: &'r mut Value<'v>,
    pub(crate) state: &'r mut Value<'static>,
    pub(crate) args: &'r Value<'static>,
    pub(crate) locals: Vec<Value<'v>>,
    /// Which of `locals` were assigned (as long as `locals`).
    pub(crate) assigned: Vec<bool>,
    /// The names of the local slots, by slot.
    pub(crate) local_names: &'r [String],
    pub(crate) fns: &'r [FnDef],
    pub(crate) current_fn: Option<usize>,
    pub(crate) depth: usize,
    pub(crate) ingest_ns: u64,
    pub(crate) origin: Option<&'r OriginUri>,
    pub(crate) random: &'r Cell<Random>,
}

impl<'r, 'v> Env<'r, 'v> {
    pub(crate) fn ctx(&self) -> Ctx<'_, 'v> {
        Ctx {
            event: self.event,
            meta: self.meta,
            state: self.state,
            args: self.args,
            locals: &self.locals,
            assigned: &self.assigned,
            local_names: self.local_names,
            frame: None,
            fns: self.fns,
            current_fn: self.current_fn,
            depth: self.depth,
            ingest_ns: self.ingest_ns,
            origin: self.origin,
            random: Some(self.random),
            cardinality: 0,
        }
    }

    /// Runs `stmts` in order until one ends the script.
    pub(crate) fn block<'s>(&mut self, stmts: &'s [Stmt]) -> Result<Flow<'s, 'v>, EvalError> {
        let mut last = Flow::Value(Some(Value::null()));
        for (i, s) in stmts.iter().enumerate() {
            last = self.stmt(s, i + 1 == stmts.len())?;
            if !matches!(last, Flow::Value(_)) {
                return Ok(last);
            }
        }
        Ok(last)
    }

    fn value(&self, e: &Expr) -> Result<Option<Value<'v>>, EvalError> {
        if e.is_event() {
            return Ok(None);
        }
        Ok(Some(self.ctx().eval(e)?.into_value()))
    }

    /// Runs one statement; `last`: its value is needed (a `let` then gives the value assigned).
    fn stmt<'s>(&mut self, s: &'s Stmt, last: bool) -> Result<Flow<'s, 'v>, EvalError> {
        match s {
            Stmt::Expr(e) => self.value(e).map(Flow::Value),
            Stmt::Drop => Ok(Flow::Drop),
            Stmt::Emit { value, port } => {
                let v = match value {
                    Some(e) => self.value(e)?,
                    None => None,
                };
                Ok(Flow::Emit(v, port.as_deref()))
            }
            Stmt::Let(target, value) => {
                let v = match self.stmt(value, true)? {
                    Flow::Value(Some(v)) => v,
                    Flow::Value(None) => self.event.clone(),
                    other => return Ok(other),
                };
                let result = if last { v.clone() } else { Value::null() };
                self.assign(target, v)?;
                Ok(Flow::Value(Some(result)))
            }
            Stmt::Match(m) => self.match_stmt(m),
            Stmt::For(c) => self.for_stmt(c),
        }
    }

    fn match_stmt<'s>(&mut self, m: &'s Match<Stmt>) -> Result<Flow<'s, 'v>, EvalError> {
        let selected = {
            let ctx = self.ctx();
            let target = ctx.eval(&m.target)?;
            ctx.select_case(m, target.get())?
        };
        let Some((case, binds)) = selected else {
            return Err(EvalError::new(
                m.pos,
                "A match expression executed but no clause matched",
            ));
        };
        for (slot, v) in binds {
            self.set_local(slot, v);
        }
        self.block(&m.cases[case].body)
    }

    fn for_stmt<'s>(&mut self, c: &'s Comprehension<Stmt>) -> Result<Flow<'s, 'v>, EvalError> {
        // The cases may change what is iterated: iterate a copy.
        let target = self.ctx().eval(&c.target)?.into_value();
        let mut acc = match &c.initial {
            Some(i) => self.ctx().eval(i)?.into_static(),
            None => Value::array(),
        };
        for (k, v) in iteration(&target, c.pos)? {
            for case in &c.cases {
                self.set_local(case.key, k.clone());
                self.set_local(case.value, v.clone());
                if let Some(g) = &case.guard {
                    if !self.ctx().guard(g)? {
                        continue;
                    }
                }
                match self.block(&case.body)? {
                    Flow::Value(v) => {
                        let v = v.map_or_else(|| self.event.clone_static(), |v| v.clone_static());
                        accumulate(&mut acc, v, c.fold, c.pos)?;
                    }
                    other => return Ok(other),
                }
                break;
            }
        }
        Ok(Flow::Value(Some(acc)))
    }

    fn set_local(&mut self, slot: usize, v: Value<'v>) {
        self.grow_locals(slot);
        self.locals[slot] = v;
        self.assigned[slot] = true;
    }

    /// Makes room for the local `slot` (unassigned until written).
    fn grow_locals(&mut self, slot: usize) {
        if self.locals.len() <= slot {
            self.locals.resize(slot + 1, Value::null());
        }
        if self.assigned.len() < self.locals.len() {
            self.assigned.resize(self.locals.len(), false);
        }
    }

    /// `let target = v`.
    fn assign(&mut self, t: &Target, v: Value<'v>) -> Result<(), EvalError> {
        // Keys and indexes are computed before anything is borrowed for writing.
        let keys = t
            .segments
            .iter()
            .map(|s| match s {
                Segment::Field(f) => Ok(Value::from(f.clone())),
                Segment::Index(e) => Ok(self.ctx().eval(e)?.into_static()),
                Segment::Range(..) => Err(EvalError::new(
                    t.pos,
                    "You are trying to assign to a value that isn't valid",
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        match t.root {
            PathRoot::Event => write_at(self.event, &keys, v, t.pos),
            // `let $ = …` replaces nothing in Tremor: the metadata root is not an assignable
            // target, only the fields below it are.
            PathRoot::Meta if keys.is_empty() => Err(EvalError::new(
                t.pos,
                "You are trying to assign to a value that isn't valid",
            )),
            PathRoot::Meta => write_at(self.meta, &keys, v, t.pos),
            PathRoot::State => write_at(self.state, &keys, v.into_static(), t.pos),
            PathRoot::Local(slot) => {
                self.grow_locals(slot);
                self.assigned[slot] = true;
                write_at(&mut self.locals[slot], &keys, v, t.pos)
            }
            PathRoot::Args => Err(EvalError::new(
                t.pos,
                "Can't assign to `args`: it is read-only",
            )),
        }
    }
}

/// Writes `v` at `keys` below `root`, creating records on the way (a `null` becomes one).
fn write_at<'v>(
    root: &mut Value<'v>,
    keys: &[Value<'static>],
    v: Value<'v>,
    pos: Pos,
) -> Result<(), EvalError> {
    let mut cur = root;
    for k in keys {
        if cur.is_null() {
            *cur = Value::object();
        }
        cur = match (cur, k) {
            (Value::Object(o), Value::String(key)) => o
                .entry(beef::Cow::owned(key.to_string()))
                .or_insert_with(Value::null),
            (Value::Array(_), _) => {
                return Err(EvalError::new(
                    pos,
                    "It is not supported to assign value into an array",
                ))
            }
            (other, _) => {
                return Err(EvalError::new(
                    pos,
                    format!("Type error: Expected record, found {}", type_name(other)),
                ))
            }
        };
    }
    *cur = v;
    Ok(())
}

/// Calls the script function `index` with `args`.
pub(crate) fn call_fn(
    ctx: &Ctx<'_, '_>,
    index: usize,
    args: Vec<Value<'_>>,
    pos: Pos,
) -> Result<Value<'static>, EvalError> {
    let Some(f) = ctx.fns.get(index) else {
        return Err(EvalError::new(pos, "Call to undefined function"));
    };
    let args: Vec<Value<'static>> = args.into_iter().map(Value::into_static).collect();
    let (mut event, mut meta, mut state) = (Value::null(), Value::null(), Value::null());
    let extra = if f.open {
        Value::Array(args[f.arity.min(args.len())..].to_vec())
    } else {
        Value::array()
    };
    let mut locals = args;
    locals.truncate(f.arity);
    locals.resize(f.locals.max(f.arity), Value::null());
    let mut assigned = vec![true; f.arity.min(locals.len())];
    assigned.resize(locals.len(), false);
    let fallback = Cell::new(Random::default());
    let mut env = Env {
        event: &mut event,
        meta: &mut meta,
        state: &mut state,
        args: &extra,
        locals,
        assigned,
        local_names: &f.local_names,
        fns: ctx.fns,
        current_fn: Some(index),
        depth: ctx.depth + 1,
        ingest_ns: ctx.ingest_ns,
        origin: ctx.origin,
        random: ctx.random.unwrap_or(&fallback),
    };
    match env.block(&f.body)? {
        Flow::Value(Some(v)) => Ok(v.into_static()),
        Flow::Value(None) => Ok(Value::null()),
        Flow::Emit(..) => Err(EvalError::new(pos, "Can not emit from this location")),
        Flow::Drop => Err(EvalError::new(pos, "Can not drop from this location")),
    }
}
