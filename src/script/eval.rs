//! Evaluating expressions: per event in scripts and pipelines, and once at deployment time
//! for `config` / `with` values (with `null` as the event).
//!
//! Semantics are Tremor's (see [`super::ops`] for the operators): integers are 64-bit and
//! fail on overflow, `/` gives a float, `and` / `or` short-circuit and need booleans,
//! interpolation inserts strings as they are and other values as JSON, reading a missing field
//! is an error. Paths are resolved by reference, so `event.a == 1` copies nothing out of the
//! event; new values are built only where an expression computes one.

use super::error::Pos;
use super::expr::{BinOp, Expr, ExprKind, Func, InterpPart, Literal, Operation, PathRoot};
use super::ops;
use super::scope::FnDef;
use super::stdlib::{OriginUri, Random};
use std::cell::Cell;
use std::fmt;
use tremor_value::{Object, StaticNode, Value};

/// A failed evaluation: what went wrong and at which expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// What went wrong.
    pub message: String,
    /// Where the failing expression (or operator) is.
    pub pos: Pos,
}

impl EvalError {
    pub(crate) fn new(pos: Pos, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            pos,
        }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.pos.line, self.pos.column, self.message)
    }
}

impl std::error::Error for EvalError {}

/// Evaluates `expr` for one event, with `args` as the record `args.NAME` reads.
///
/// # Errors
/// On missing fields or arguments, type errors, overflow and division by zero.
pub fn eval(expr: &Expr, event: &Value<'_>, args: &Value<'_>) -> Result<Value<'static>, EvalError> {
    let null = Value::null();
    Ok(Ctx::new(event, &null, args).eval(expr)?.into_static())
}

/// Evaluates a `where` filter: the result must be a boolean.
///
/// # Errors
/// As [`eval`], and when the result is not a boolean.
pub fn eval_filter(expr: &Expr, event: &Value<'_>, args: &Value<'_>) -> Result<bool, EvalError> {
    let null = Value::null();
    match Ctx::new(event, &null, args).eval(expr)?.get() {
        Value::Static(StaticNode::Bool(b)) => Ok(*b),
        other => Err(EvalError::new(
            expr.pos,
            format!(
                "`where` must evaluate to a boolean, got {}",
                ops::type_name(other)
            ),
        )),
    }
}

/// A result that is either part of the event / state / syntax tree, or newly built.
pub(crate) enum Val<'a, 'v> {
    Ref(&'a Value<'v>),
    Own(Value<'static>),
}

impl<'v> Val<'_, 'v> {
    pub(crate) fn get(&self) -> &Value<'v> {
        match self {
            Val::Ref(v) => v,
            Val::Own(v) => v,
        }
    }

    pub(crate) fn into_static(self) -> Value<'static> {
        match self {
            Val::Ref(v) => v.clone_static(),
            Val::Own(v) => v,
        }
    }

    /// The value, owned at the event's lifetime (borrowed strings stay borrowed: cheap).
    pub(crate) fn into_value(self) -> Value<'v> {
        match self {
            Val::Ref(v) => v.clone(),
            Val::Own(v) => v,
        }
    }
}

/// Locals bound by a pattern or a `for` case inside an expression, in front of the others.
pub(crate) struct Frame<'a, 'v> {
    pub(crate) slots: &'a [(usize, Value<'v>)],
    pub(crate) parent: Option<&'a Frame<'a, 'v>>,
}

/// What an expression can read.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a, 'v> {
    pub(crate) event: &'a Value<'v>,
    pub(crate) meta: &'a Value<'v>,
    pub(crate) state: &'a Value<'v>,
    pub(crate) args: &'a Value<'v>,
    pub(crate) locals: &'a [Value<'v>],
    /// Which of `locals` were assigned (empty: all of them); reading another one fails.
    pub(crate) assigned: &'a [bool],
    /// The names of the local slots (for the error when one is read before it is assigned).
    pub(crate) local_names: &'a [String],
    pub(crate) frame: Option<&'a Frame<'a, 'v>>,
    pub(crate) fns: &'a [FnDef],
    /// The function whose body runs (for `recur`) and how deep calls are nested.
    pub(crate) current_fn: Option<usize>,
    pub(crate) depth: usize,
    pub(crate) ingest_ns: u64,
    pub(crate) origin: Option<&'a OriginUri>,
    pub(crate) random: Option<&'a Cell<Random>>,
    /// How many groups the windowed `select` evaluating this has (`std::win::cardinality`).
    pub(crate) cardinality: usize,
}

/// Function calls nested deeper than this fail (Tremor's "Recursion limit Reached").
pub(crate) const MAX_CALL_DEPTH: usize = 512;

pub(crate) fn bool_val<'a, 'v>(b: bool) -> Val<'a, 'v> {
    Val::Own(Value::Static(StaticNode::Bool(b)))
}

impl<'a, 'v> Ctx<'a, 'v> {
    /// A context with only an event and arguments (Troy's `select`, constants).
    pub(crate) fn new(event: &'a Value<'v>, null: &'a Value<'v>, args: &'a Value<'v>) -> Self {
        Self {
            event,
            meta: null,
            state: null,
            args,
            locals: &[],
            assigned: &[],
            local_names: &[],
            frame: None,
            fns: &[],
            current_fn: None,
            depth: 0,
            ingest_ns: 0,
            origin: None,
            random: None,
            cardinality: 0,
        }
    }

    /// Runs `f` with `binds` visible as locals in front of the others.
    pub(crate) fn with_bindings<R>(
        &self,
        binds: &[(usize, Value<'v>)],
        f: impl FnOnce(&Ctx<'_, 'v>) -> R,
    ) -> R {
        let frame = Frame {
            slots: binds,
            parent: self.frame,
        };
        f(&Ctx {
            frame: Some(&frame),
            ..*self
        })
    }

    pub(crate) fn eval(&self, expr: &'a Expr) -> Result<Val<'a, 'v>, EvalError> {
        match &expr.kind {
            ExprKind::Literal(Literal(v)) => Ok(Val::Ref(v)),
            ExprKind::Path(root, segs) => {
                let base = self.root(*root, expr.pos)?;
                self.segments(Val::Ref(base), *root, segs, expr.pos)
            }
            ExprKind::Access(base, segs) => {
                let base = self.eval(base)?;
                // A computed value reads like a local in messages (Tremor: "local key").
                self.segments(base, PathRoot::Local(usize::MAX), segs, expr.pos)
            }
            ExprKind::Record(fields) => self.record(fields),
            ExprKind::Array(items) => {
                let items = items
                    .iter()
                    .map(|i| self.eval(i).map(Val::into_static))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Val::Own(Value::Array(items)))
            }
            ExprKind::Interp(parts) => {
                let mut s = String::new();
                for p in parts {
                    match p {
                        InterpPart::Lit(l) => s.push_str(l),
                        InterpPart::Expr(e) => match self.eval(e)?.get() {
                            Value::String(v) => s.push_str(v),
                            other => s.push_str(&tremor_value::to_json(other)),
                        },
                    }
                }
                Ok(Val::Own(Value::from(s)))
            }
            ExprKind::Unary(op, e) => {
                let v = self.eval(e)?;
                ops::unary(*op, v.get())
                    .map(Val::Own)
                    .map_err(|m| EvalError::new(expr.pos, m))
            }
            ExprKind::Binary(first, rest) => self.chain(first, rest),
            ExprKind::Call(func, call_args) => match call_args.as_slice() {
                [arg] => self.nanos(*func, arg, expr.pos),
                _ => Err(EvalError::new(
                    expr.pos,
                    format!("`{func}` takes 1 argument, got {}", call_args.len()),
                )),
            },
            ExprKind::Present(root, segs) => Ok(bool_val(self.present(*root, segs, expr.pos)?)),
            ExprKind::Exists(e) => Ok(bool_val(self.eval(e).is_ok())),
            ExprKind::Invoke(callee, call_args) => self.invoke(*callee, call_args, expr.pos),
            ExprKind::Recur(call_args) => match self.current_fn {
                Some(f) => self.invoke(super::expr::Callee::Script(f), call_args, expr.pos),
                None => Err(EvalError::new(expr.pos, "Can not recur from this location")),
            },
            ExprKind::Match(m) => self.eval_match(m),
            ExprKind::For(c) => self.comprehension(c),
            ExprKind::Patch(p) => self.patch(p),
            ExprKind::Merge(target, value) => self.merge(target, value, expr.pos),
            ExprKind::Bytes(parts) => self.bytes(parts, expr.pos),
        }
    }

    fn record(&self, fields: &'a [(Expr, Expr)]) -> Result<Val<'a, 'v>, EvalError> {
        let mut obj = Object::with_capacity(fields.len());
        for (k, v) in fields {
            let key = self.eval(k)?;
            let Some(key) = Value::as_str(key.get()) else {
                return Err(EvalError::new(
                    k.pos,
                    format!(
                        "record keys must be strings, got {}",
                        ops::type_name(key.get())
                    ),
                ));
            };
            let key = beef::Cow::owned(key.to_string());
            obj.insert(key, self.eval(v)?.into_static());
        }
        Ok(Val::Own(Value::Object(Box::new(obj))))
    }

    /// The value a path root names.
    pub(crate) fn root(&self, root: PathRoot, pos: Pos) -> Result<&'a Value<'v>, EvalError> {
        match root {
            PathRoot::Event => Ok(self.event),
            PathRoot::Args => Ok(self.args),
            PathRoot::Meta => Ok(self.meta),
            PathRoot::State => Ok(self.state),
            PathRoot::Local(slot) => {
                self.local(slot)
                    .ok_or_else(|| match self.local_names.get(slot) {
                        // As in Tremor: a local that was never assigned (its `let` did not run).
                        Some(name) => EvalError::new(
                            pos,
                            format!("Trying to access a non existing local key `{name}`"),
                        ),
                        None => EvalError::new(pos, "Unknown local variable"),
                    })
            }
        }
    }

    /// A local: the innermost frame binding `slot`, else the script's locals.
    pub(crate) fn local(&self, slot: usize) -> Option<&'a Value<'v>> {
        let mut frame = self.frame;
        while let Some(f) = frame {
            if let Some((_, v)) = f.slots.iter().rev().find(|(s, _)| *s == slot) {
                return Some(v);
            }
            frame = f.parent;
        }
        if self.assigned.get(slot) == Some(&false) {
            return None;
        }
        self.locals.get(slot)
    }

    /// Evaluates a chain left to right, as `((a OP b) OP c) ...` would be: `and` / `or` skip
    /// the rest of their chain once its result is decided.
    fn chain(&self, first: &'a Expr, rest: &'a [Operation]) -> Result<Val<'a, 'v>, EvalError> {
        if let Some(Operation {
            op: op @ (BinOp::And | BinOp::Or),
            ..
        }) = rest.first()
        {
            // A chain has one precedence level, and `and` / `or` are alone on theirs.
            let mut acc = self.boolean(first, *op, first.pos)?;
            for step in rest {
                let decided = if step.op == BinOp::And { !acc } else { acc };
                if !decided {
                    acc = self.boolean(&step.rhs, step.op, step.rhs.pos)?;
                }
            }
            return Ok(bool_val(acc));
        }
        let mut acc = self.eval(first)?;
        for step in rest {
            let rhs = self.eval(&step.rhs)?;
            // A string built by this chain grows in place: `"a" + "b" + ...` stays linear.
            if let (BinOp::Add, Val::Own(Value::String(built)), Value::String(more)) =
                (step.op, &mut acc, rhs.get())
            {
                let mut grown = std::mem::replace(built, beef::Cow::borrowed("")).into_owned();
                grown.push_str(more);
                *built = beef::Cow::owned(grown);
                continue;
            }
            acc = Val::Own(
                ops::binary(step.op, acc.get(), rhs.get())
                    .map_err(|m| EvalError::new(step.pos, m))?,
            );
        }
        Ok(acc)
    }

    fn boolean(&self, e: &'a Expr, op: BinOp, pos: Pos) -> Result<bool, EvalError> {
        match self.eval(e)?.get() {
            Value::Static(StaticNode::Bool(b)) => Ok(*b),
            other => Err(EvalError::new(
                pos,
                format!(
                    "The binary operation `{op}` is not defined for the type `{}`",
                    ops::type_name(other)
                ),
            )),
        }
    }

    fn nanos(&self, func: Func, arg: &'a Expr, pos: Pos) -> Result<Val<'a, 'v>, EvalError> {
        let v = self.eval(arg)?;
        let factor = func.factor();
        let overflow = || EvalError::new(pos, format!("`{func}`: result does not fit 64 bits"));
        match v.get() {
            Value::Static(StaticNode::I64(_) | StaticNode::U64(_)) => {
                let i = v.get().as_i64().ok_or_else(overflow)?;
                let n = i.checked_mul(factor).ok_or_else(overflow)?;
                Ok(Val::Own(Value::from(n)))
            }
            Value::Static(StaticNode::F64(f)) => {
                // Fractions of the unit are kept down to whole nanoseconds.
                #[allow(clippy::cast_precision_loss)]
                let n = (f * factor as f64).round();
                if n.is_finite() && n.abs() < 9.2e18 {
                    #[allow(clippy::cast_possible_truncation)]
                    Ok(Val::Own(Value::from(n as i64)))
                } else {
                    Err(overflow())
                }
            }
            other => Err(EvalError::new(
                arg.pos,
                format!("`{func}` needs a number, got {}", ops::type_name(other)),
            )),
        }
    }
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
