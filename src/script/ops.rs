//! Tremor's operators on values: which types each operator takes, what it returns, and the
//! messages when it is not defined (wording as Tremor's).
//!
//! Integers stay integers (`u64` when both sides are non-negative, else `i64`) except for `/`,
//! which always gives a float; `%`, shifts and bitwise operators need integers; mixing with a
//! float gives a float. `+` also joins strings and arrays and merges records (the right side's
//! keys win); `&` and `^` work on booleans too.

use super::expr::{BinOp, UnOp};
use std::cmp::Ordering;
use tremor_value::{StaticNode, Value};

/// Tremor's name of a value's type in messages (`integer`, `record`, ...).
#[must_use]
pub fn type_name(v: &Value<'_>) -> &'static str {
    v.value_type_name()
}

/// "The binary operation `op` is not defined for the type `a` and `b`".
#[must_use]
pub fn invalid_binary(op: BinOp, a: &Value<'_>, b: &Value<'_>) -> String {
    format!(
        "The binary operation `{op}` is not defined for the type `{}` and `{}`",
        type_name(a),
        type_name(b)
    )
}

fn overflow(op: BinOp) -> String {
    format!("The binary operation `{op}` caused an over- or underflow")
}

fn zero(op: BinOp) -> String {
    format!("The binary operation `{op}` must have a non zero RHS")
}

const BAD_SHIFT: &str = "RHS value is larger than or equal to the number of bits in LHS value";

fn b(v: bool) -> Value<'static> {
    Value::Static(StaticNode::Bool(v))
}

/// `x op y` for every operator except the short-circuiting `and` / `or`.
///
/// # Errors
/// Tremor's message when the operator is not defined for the types, overflows, divides by
/// zero or shifts too far.
pub fn binary(op: BinOp, x: &Value<'_>, y: &Value<'_>) -> Result<Value<'static>, String> {
    use Value::{Array, Bytes, Object, Static, String as Str};
    match (op, x, y) {
        (BinOp::Eq, _, _) => Ok(b(equal(x, y))),
        (BinOp::Ne, _, _) => Ok(b(!equal(x, y))),
        (BinOp::And | BinOp::BitAnd, Static(StaticNode::Bool(l)), Static(StaticNode::Bool(r))) => {
            Ok(b(*l && *r))
        }
        (BinOp::Or, Static(StaticNode::Bool(l)), Static(StaticNode::Bool(r))) => Ok(b(*l || *r)),
        (BinOp::Xor | BinOp::BitXor, Static(StaticNode::Bool(l)), Static(StaticNode::Bool(r))) => {
            Ok(b(l != r))
        }
        (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge, Str(_) | Bytes(_), Str(_) | Bytes(_)) => {
            let bytes = |v: &Value<'_>| -> Vec<u8> {
                v.as_bytes().map_or_else(
                    || v.as_str().unwrap_or_default().as_bytes().to_vec(),
                    <[u8]>::to_vec,
                )
            };
            Ok(b(ordering_holds(op, bytes(x).cmp(&bytes(y)))))
        }
        (BinOp::Add, Str(l), Str(r)) => {
            let mut s = String::with_capacity(l.len() + r.len());
            s.push_str(l);
            s.push_str(r);
            Ok(Value::from(s))
        }
        (BinOp::Add, Array(l), Array(r)) => {
            let mut out: Vec<Value<'static>> = l.iter().map(Value::clone_static).collect();
            out.extend(r.iter().map(Value::clone_static));
            Ok(Value::Array(out))
        }
        (BinOp::Add, Object(l), Object(r)) => {
            let mut out = r
                .iter()
                .map(|(k, v)| (beef::Cow::owned(k.to_string()), v.clone_static()))
                .collect::<tremor_value::Object<'static>>();
            for (k, v) in l.iter() {
                if !out.contains_key(&**k) {
                    out.insert(beef::Cow::owned(k.to_string()), v.clone_static());
                }
            }
            Ok(Value::Object(Box::new(out)))
        }
        _ => numeric(op, x, y),
    }
}

/// `==`: deep equality, numbers by value, and bytes equal to the string of the same bytes.
#[must_use]
pub fn equal(x: &Value<'_>, y: &Value<'_>) -> bool {
    match (x, y) {
        (Value::Bytes(b), Value::String(s)) | (Value::String(s), Value::Bytes(b)) => {
            **b == *s.as_bytes()
        }
        _ => x == y,
    }
}

fn ordering_holds(op: BinOp, ord: Ordering) -> bool {
    match op {
        BinOp::Lt => ord == Ordering::Less,
        BinOp::Le => ord != Ordering::Greater,
        BinOp::Gt => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    }
}

fn numeric(op: BinOp, x: &Value<'_>, y: &Value<'_>) -> Result<Value<'static>, String> {
    let is_int =
        |v: &Value<'_>| matches!(v, Value::Static(StaticNode::I64(_) | StaticNode::U64(_)));
    if is_int(x) && is_int(y) {
        if let (Some(l), Some(r)) = (x.as_u64(), y.as_u64()) {
            return unsigned(op, l, r).unwrap_or_else(|| Err(invalid_binary(op, x, y)));
        }
        if let (Some(l), Some(r)) = (x.as_i64(), y.as_i64()) {
            return signed(op, l, r).unwrap_or_else(|| Err(invalid_binary(op, x, y)));
        }
        // One side is above i64::MAX and the other negative.
        return match op {
            BinOp::Lt | BinOp::Le => Ok(b(x.as_i64().is_some())),
            BinOp::Gt | BinOp::Ge => Ok(b(x.as_u64().is_some())),
            _ => Err(overflow(op)),
        };
    }
    let (Some(l), Some(r)) = (x.as_f64(), y.as_f64()) else {
        return Err(invalid_binary(op, x, y));
    };
    let v = match op {
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            return Ok(b(l.partial_cmp(&r).is_some_and(|o| ordering_holds(op, o))));
        }
        BinOp::Add => l + r,
        BinOp::Sub => l - r,
        BinOp::Mul => l * r,
        // JSON has no infinity: a zero divisor is an error for floats too.
        BinOp::Div if r == 0.0 => return Err(zero(op)),
        BinOp::Div => l / r,
        _ => return Err(invalid_binary(op, x, y)),
    };
    Ok(Value::Static(StaticNode::F64(v)))
}

/// `None`: the operator is not defined on integers.
#[allow(clippy::cast_precision_loss)]
fn unsigned(op: BinOp, l: u64, r: u64) -> Option<Result<Value<'static>, String>> {
    let int = |v: Option<u64>| Some(v.map(Value::from).ok_or_else(|| overflow(op)));
    match op {
        BinOp::BitAnd => Some(Ok(Value::from(l & r))),
        BinOp::BitXor => Some(Ok(Value::from(l ^ r))),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => Some(Ok(b(ordering_holds(op, l.cmp(&r))))),
        BinOp::Add => int(l.checked_add(r)),
        BinOp::Mul => int(l.checked_mul(r)),
        BinOp::Sub if l >= r => Some(Ok(Value::from(l - r))),
        BinOp::Sub => Some(
            i64::try_from(r - l)
                .ok()
                .and_then(i64::checked_neg)
                .map(Value::from)
                .ok_or_else(|| overflow(op)),
        ),
        BinOp::Div | BinOp::Mod if r == 0 => Some(Err(zero(op))),
        BinOp::Div => Some(Ok(Value::from(l as f64 / r as f64))),
        BinOp::Mod => Some(Ok(Value::from(l % r))),
        BinOp::Shr | BinOp::UShr => Some(shift(r, |n| l.checked_shr(n).map(Value::from))),
        BinOp::Shl => Some(shift(r, |n| l.checked_shl(n).map(Value::from))),
        _ => None,
    }
}

/// `None`: the operator is not defined on integers.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap
)]
fn signed(op: BinOp, l: i64, r: i64) -> Option<Result<Value<'static>, String>> {
    let int = |v: Option<i64>| Some(v.map(Value::from).ok_or_else(|| overflow(op)));
    match op {
        BinOp::BitAnd => Some(Ok(Value::from(l & r))),
        BinOp::BitXor => Some(Ok(Value::from(l ^ r))),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => Some(Ok(b(ordering_holds(op, l.cmp(&r))))),
        BinOp::Add => int(l.checked_add(r)),
        BinOp::Sub => int(l.checked_sub(r)),
        BinOp::Mul => int(l.checked_mul(r)),
        BinOp::Div | BinOp::Mod if r == 0 => Some(Err(zero(op))),
        BinOp::Div => Some(Ok(Value::from(l as f64 / r as f64))),
        BinOp::Mod => Some(Ok(Value::from(l % r))),
        BinOp::Shr => Some(shift(r, |n| l.checked_shr(n).map(Value::from))),
        BinOp::UShr => Some(shift(r, |n| {
            (l as u64).checked_shr(n).map(|v| Value::from(v as i64))
        })),
        BinOp::Shl => Some(shift(r, |n| l.checked_shl(n).map(Value::from))),
        _ => None,
    }
}

fn shift<T: TryInto<u32>>(
    r: T,
    f: impl Fn(u32) -> Option<Value<'static>>,
) -> Result<Value<'static>, String> {
    r.try_into()
        .ok()
        .and_then(f)
        .ok_or_else(|| BAD_SHIFT.to_string())
}

/// `op x`.
///
/// # Errors
/// "The unary operation `op` is not defined for the type `t`", or an overflow.
pub fn unary(op: UnOp, x: &Value<'_>) -> Result<Value<'static>, String> {
    let bad = || {
        let sym = match op {
            UnOp::Not => "not",
            UnOp::Neg => "-",
            UnOp::Plus => "+",
            UnOp::BitNot => "!",
        };
        format!(
            "The unary operation `{sym}` is not defined for the type `{}`",
            type_name(x)
        )
    };
    match (op, x) {
        (UnOp::Not, Value::Static(StaticNode::Bool(v))) => Ok(b(!v)),
        (UnOp::BitNot, Value::Static(StaticNode::Bool(v))) => Ok(b(!v)),
        // Non-negative integers are unsigned in Tremor: `!12` is 18446744073709551603.
        (UnOp::BitNot, Value::Static(StaticNode::I64(i))) => Ok(u64::try_from(*i)
            .map_or_else(|_| Value::from(!i), |u| Value::Static(StaticNode::U64(!u)))),
        (UnOp::BitNot, Value::Static(StaticNode::U64(u))) => Ok(Value::Static(StaticNode::U64(!u))),
        (
            UnOp::Plus,
            Value::Static(StaticNode::I64(_) | StaticNode::U64(_) | StaticNode::F64(_)),
        ) => Ok(x.clone_static()),
        (UnOp::Neg, Value::Static(StaticNode::I64(i))) => i
            .checked_neg()
            .map(Value::from)
            .ok_or_else(|| "The unary operation `-` caused an over- or underflow".to_string()),
        (UnOp::Neg, Value::Static(StaticNode::U64(u))) => i64::try_from(*u)
            .ok()
            .and_then(i64::checked_neg)
            .or(if *u == 1 << 63 { Some(i64::MIN) } else { None })
            .map(Value::from)
            .ok_or_else(|| "The unary operation `-` caused an over- or underflow".to_string()),
        (UnOp::Neg, Value::Static(StaticNode::F64(f))) => Ok(Value::Static(StaticNode::F64(-f))),
        _ => Err(bad()),
    }
}
