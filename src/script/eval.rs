//! Evaluating expressions: per event inside pipelines, and once at deployment time for
//! `config` / `with` values (with `null` as the event).
//!
//! Semantics:
//! - integers are 64-bit; `+ - *` fail on overflow instead of wrapping;
//! - `/` on two integers gives an integer when the division is exact (`6 / 3 == 2`) and a float
//!   otherwise (`7 / 2 == 3.5`); dividing by zero is an error, also for floats;
//! - mixing integers and floats gives a float; `+` on two strings concatenates;
//! - `==` / `!=` compare any two values deeply, numbers by value (`1 == 1.0`);
//!   `< <= > >=` compare two numbers or two strings;
//! - `and` / `or` short-circuit and need booleans, `not` needs a boolean;
//! - interpolation inserts strings as they are and other values as compact JSON;
//! - reading a missing field or argument is an error.
//!
//! Paths are resolved by reference, so `where event.a == 1` copies nothing out of the event.

use super::error::Pos;
use super::expr::{
    BinOp, Expr, ExprKind, Func, InterpPart, Literal, Operation, PathRoot, Segment, UnOp,
};
use std::cmp::Ordering;
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
    fn new(pos: Pos, message: impl Into<String>) -> Self {
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
    let ctx = Ctx { event, args };
    Ok(ctx.eval(expr)?.into_static())
}

/// Evaluates a `where` filter: the result must be a boolean.
///
/// # Errors
/// As [`eval`], and when the result is not a boolean.
pub fn eval_filter(expr: &Expr, event: &Value<'_>, args: &Value<'_>) -> Result<bool, EvalError> {
    let ctx = Ctx { event, args };
    match ctx.eval(expr)?.get() {
        Value::Static(StaticNode::Bool(b)) => Ok(*b),
        other => Err(EvalError::new(
            expr.pos,
            format!(
                "`where` must evaluate to a boolean, got {}",
                other.value_type_name()
            ),
        )),
    }
}

/// A result that is either part of the event / arguments / syntax tree, or newly built.
enum Val<'a, 'v> {
    Ref(&'a Value<'v>),
    Own(Value<'static>),
}

impl<'v> Val<'_, 'v> {
    fn get(&self) -> &Value<'v> {
        match self {
            Val::Ref(v) => v,
            Val::Own(v) => v,
        }
    }

    fn into_static(self) -> Value<'static> {
        match self {
            Val::Ref(v) => v.clone_static(),
            Val::Own(v) => v,
        }
    }
}

struct Ctx<'a, 'v> {
    event: &'a Value<'v>,
    args: &'a Value<'v>,
}

fn bool_val<'a, 'v>(b: bool) -> Val<'a, 'v> {
    Val::Own(Value::Static(StaticNode::Bool(b)))
}

/// How a path prefix reads in messages: `event.a["b c"][...]`.
fn describe_path(root: PathRoot, segs: &[Segment]) -> String {
    let mut s = root.to_string();
    for seg in segs {
        match seg {
            Segment::Field(f) if f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                s.push('.');
                s.push_str(f);
            }
            Segment::Field(f) => {
                s.push('[');
                s.push_str(&Value::from(f.as_str()).to_string());
                s.push(']');
            }
            Segment::Index(_) => s.push_str("[...]"),
        }
    }
    s
}

/// Converts an integer result back to a value, failing when it does not fit 64 bits.
fn int_result(i: Option<i128>, pos: Pos, op: &str) -> Result<Value<'static>, EvalError> {
    let i = i.ok_or_else(|| EvalError::new(pos, format!("integer overflow in `{op}`")))?;
    if let Ok(i) = i64::try_from(i) {
        Ok(Value::from(i))
    } else if let Ok(u) = u64::try_from(i) {
        Ok(Value::Static(StaticNode::U64(u)))
    } else {
        Err(EvalError::new(pos, format!("integer overflow in `{op}`")))
    }
}

fn float_result(f: f64, pos: Pos, op: &str) -> Result<Value<'static>, EvalError> {
    if f.is_finite() {
        Ok(Value::Static(StaticNode::F64(f)))
    } else {
        Err(EvalError::new(
            pos,
            format!("the result of `{op}` is not a finite number"),
        ))
    }
}

fn arith(op: BinOp, a: Num, b: Num, pos: Pos) -> Result<Value<'static>, EvalError> {
    let sym = op.to_string();
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => match op {
            BinOp::Add => int_result(x.checked_add(y), pos, &sym),
            BinOp::Sub => int_result(x.checked_sub(y), pos, &sym),
            BinOp::Mul => int_result(x.checked_mul(y), pos, &sym),
            _ if y == 0 => Err(EvalError::new(pos, "division by zero")),
            _ if x % y == 0 => int_result(Some(x / y), pos, &sym),
            _ => float_result(a.as_f64() / b.as_f64(), pos, &sym),
        },
        _ => {
            let (x, y) = (a.as_f64(), b.as_f64());
            match op {
                BinOp::Add => float_result(x + y, pos, &sym),
                BinOp::Sub => float_result(x - y, pos, &sym),
                BinOp::Mul => float_result(x * y, pos, &sym),
                _ if y == 0.0 => Err(EvalError::new(pos, "division by zero")),
                _ => float_result(x / y, pos, &sym),
            }
        }
    }
}

fn compare(a: &Value<'_>, b: &Value<'_>, pos: Pos) -> Result<Ordering, EvalError> {
    let ord = match (Num::of(a), Num::of(b), a, b) {
        (Some(Num::Int(x)), Some(Num::Int(y)), _, _) => Some(x.cmp(&y)),
        (Some(x), Some(y), _, _) => x.as_f64().partial_cmp(&y.as_f64()),
        (_, _, Value::String(x), Value::String(y)) => Some((**x).cmp(&**y)),
        _ => {
            return Err(EvalError::new(
                pos,
                format!(
                    "cannot compare {} and {}",
                    a.value_type_name(),
                    b.value_type_name()
                ),
            ))
        }
    };
    ord.ok_or_else(|| EvalError::new(pos, "cannot compare NaN"))
}

impl<'a, 'v> Ctx<'a, 'v> {
    fn eval(&self, expr: &'a Expr) -> Result<Val<'a, 'v>, EvalError> {
        match &expr.kind {
            ExprKind::Literal(Literal(v)) => Ok(Val::Ref(v)),
            ExprKind::Path(root, segs) => self.path(*root, segs, expr.pos).map(Val::Ref),
            ExprKind::Record(fields) => {
                let mut obj = Object::with_capacity(fields.len());
                for (k, v) in fields {
                    let key = self.eval(k)?;
                    let Some(key) = Value::as_str(key.get()) else {
                        return Err(EvalError::new(
                            k.pos,
                            format!(
                                "record keys must be strings, got {}",
                                key.get().value_type_name()
                            ),
                        ));
                    };
                    let key = beef::Cow::owned(key.to_string());
                    obj.insert(key, self.eval(v)?.into_static());
                }
                Ok(Val::Own(Value::Object(Box::new(obj))))
            }
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
            ExprKind::Unary(op, e) => self.unary(*op, e, expr.pos),
            ExprKind::Binary(first, rest) => self.chain(first, rest),
            ExprKind::Call(func, call_args) => match call_args.as_slice() {
                [arg] => self.call(*func, arg, expr.pos),
                _ => Err(EvalError::new(
                    expr.pos,
                    format!("`{func}` takes 1 argument, got {}", call_args.len()),
                )),
            },
        }
    }

    fn path(
        &self,
        root: PathRoot,
        segs: &'a [Segment],
        pos: Pos,
    ) -> Result<&'a Value<'v>, EvalError> {
        let mut cur = match root {
            PathRoot::Event => self.event,
            PathRoot::Args => self.args,
        };
        for (i, seg) in segs.iter().enumerate() {
            let before = &segs[..i];
            cur = match seg {
                Segment::Field(f) => match cur {
                    Value::Object(o) => field(o, f, root, before, pos)?,
                    other => {
                        return Err(EvalError::new(
                            pos,
                            format!(
                                "cannot read field `{f}` of {} `{}`",
                                other.value_type_name(),
                                describe_path(root, before)
                            ),
                        ))
                    }
                },
                Segment::Index(e) => {
                    let k = self.eval(e)?;
                    match (k.get(), cur) {
                        (Value::String(s), Value::Object(o)) => field(o, s, root, before, pos)?,
                        (k, Value::Array(a)) if Num::of(k).is_some() => index(a, k, e.pos)?,
                        (k, c) => {
                            return Err(EvalError::new(
                                e.pos,
                                format!(
                                    "cannot index {} `{}` with {}",
                                    c.value_type_name(),
                                    describe_path(root, before),
                                    k.value_type_name()
                                ),
                            ))
                        }
                    }
                }
            };
        }
        Ok(cur)
    }

    fn unary(&self, op: UnOp, e: &'a Expr, pos: Pos) -> Result<Val<'a, 'v>, EvalError> {
        let v = self.eval(e)?;
        let v = v.get();
        match (op, v, Num::of(v)) {
            (UnOp::Not, Value::Static(StaticNode::Bool(b)), _) => Ok(bool_val(!b)),
            (UnOp::Neg, _, Some(Num::Int(i))) => int_result(Some(-i), pos, "-").map(Val::Own),
            (UnOp::Neg, _, Some(Num::Float(f))) => Ok(Val::Own(Value::Static(StaticNode::F64(-f)))),
            (UnOp::Plus, _, Some(_)) => Ok(Val::Own(v.clone_static())),
            (UnOp::Not, _, _) => Err(EvalError::new(
                pos,
                format!("`not` needs a boolean, got {}", v.value_type_name()),
            )),
            (UnOp::Neg | UnOp::Plus, _, _) => Err(EvalError::new(
                pos,
                format!("cannot apply unary `-`/`+` to {}", v.value_type_name()),
            )),
        }
    }

    fn boolean(&self, e: &'a Expr, op: BinOp) -> Result<bool, EvalError> {
        match self.eval(e)?.get() {
            Value::Static(StaticNode::Bool(b)) => Ok(*b),
            other => Err(EvalError::new(
                e.pos,
                format!("`{op}` needs booleans, got {}", other.value_type_name()),
            )),
        }
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
            let mut acc = self.boolean(first, *op)?;
            for step in rest {
                let decided = if step.op == BinOp::And { !acc } else { acc };
                if !decided {
                    acc = self.boolean(&step.rhs, step.op)?;
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
            acc = binary(step.op, acc.get(), rhs.get(), step.pos)?;
        }
        Ok(acc)
    }

    fn call(&self, func: Func, arg: &'a Expr, pos: Pos) -> Result<Val<'a, 'v>, EvalError> {
        let v = self.eval(arg)?;
        let factor = func.factor();
        let overflow = || EvalError::new(pos, format!("`{func}`: result does not fit 64 bits"));
        match Num::of(v.get()) {
            Some(Num::Int(i)) => {
                let n = i
                    .checked_mul(i128::from(factor))
                    .and_then(|n| i64::try_from(n).ok())
                    .ok_or_else(overflow)?;
                Ok(Val::Own(Value::from(n)))
            }
            Some(Num::Float(f)) => {
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
            None => Err(EvalError::new(
                arg.pos,
                format!("`{func}` needs a number, got {}", v.get().value_type_name()),
            )),
        }
    }
}

/// One step of a chain other than `and` / `or`.
fn binary<'a, 'v>(
    op: BinOp,
    x: &Value<'_>,
    y: &Value<'_>,
    pos: Pos,
) -> Result<Val<'a, 'v>, EvalError> {
    let v = match op {
        BinOp::Eq => bool_val(x == y),
        BinOp::Ne => bool_val(x != y),
        BinOp::Lt => bool_val(compare(x, y, pos)? == Ordering::Less),
        BinOp::Le => bool_val(compare(x, y, pos)? != Ordering::Greater),
        BinOp::Gt => bool_val(compare(x, y, pos)? == Ordering::Greater),
        BinOp::Ge => bool_val(compare(x, y, pos)? != Ordering::Less),
        _ => match (Num::of(x), Num::of(y), x, y) {
            (Some(m), Some(n), _, _) => Val::Own(arith(op, m, n, pos)?),
            (_, _, Value::String(s), Value::String(t)) if op == BinOp::Add => {
                let mut out = String::with_capacity(s.len() + t.len());
                out.push_str(s);
                out.push_str(t);
                Val::Own(Value::from(out))
            }
            _ => {
                let verb = match op {
                    BinOp::Add => "add",
                    BinOp::Sub => "subtract",
                    BinOp::Mul => "multiply",
                    _ => "divide",
                };
                return Err(EvalError::new(
                    pos,
                    format!(
                        "cannot {verb} {} and {}",
                        x.value_type_name(),
                        y.value_type_name()
                    ),
                ));
            }
        },
    };
    Ok(v)
}

fn field<'a, 'v>(
    o: &'a Object<'v>,
    key: &str,
    root: PathRoot,
    before: &[Segment],
    pos: Pos,
) -> Result<&'a Value<'v>, EvalError> {
    o.get(key).ok_or_else(|| {
        let msg = if root == PathRoot::Args && before.is_empty() {
            format!("unknown argument `{key}`")
        } else {
            format!("field `{key}` not found in {}", describe_path(root, before))
        };
        EvalError::new(pos, msg)
    })
}

fn index<'a, 'v>(a: &'a [Value<'v>], k: &Value<'_>, pos: Pos) -> Result<&'a Value<'v>, EvalError> {
    let i = match Num::of(k) {
        Some(Num::Int(i)) => usize::try_from(i).ok(),
        _ => None,
    };
    let i = i.ok_or_else(|| {
        EvalError::new(
            pos,
            format!(
                "array index must be a non-negative integer, got {}",
                tremor_value::to_json(k)
            ),
        )
    })?;
    a.get(i).ok_or_else(|| {
        EvalError::new(
            pos,
            format!("array index {i} out of bounds (length {})", a.len()),
        )
    })
}

/// A number, widened so that values of different representations can be computed with:
/// the arithmetic of Troy (integers stay exact, mixing with a float gives a float).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    /// Any integer (`I64` or `U64`).
    Int(i128),
    /// A float.
    Float(f64),
}

impl Num {
    /// The number in a value, if it is one.
    fn of(v: &Value<'_>) -> Option<Self> {
        match v {
            Value::Static(StaticNode::I64(i)) => Some(Num::Int(i128::from(*i))),
            Value::Static(StaticNode::U64(u)) => Some(Num::Int(i128::from(*u))),
            Value::Static(StaticNode::F64(f)) => Some(Num::Float(*f)),
            _ => None,
        }
    }

    /// As a float (precision may be lost for huge integers, which is what mixed arithmetic
    /// means).
    #[allow(clippy::cast_precision_loss)]
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
