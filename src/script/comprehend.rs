//! What `for` comprehensions and `merge` do with values, shared by expressions and statements.

use super::error::Pos;
use super::eval::EvalError;
use super::expr::BinOp;
use super::ops;
use tremor_value::Value;

/// Merges `patch` into `target` as Tremor does: records merge key by key (recursively),
/// anything else replaces (a `null` too: the key stays, with `null`).
pub(crate) fn merge_values(target: &mut Value<'static>, patch: &Value<'_>) {
    let Value::Object(p) = patch else {
        *target = patch.clone_static();
        return;
    };
    if !matches!(target, Value::Object(_)) {
        *target = Value::object();
    }
    let Value::Object(t) = target else { return };
    for (k, v) in p.iter() {
        let slot = t
            .entry(beef::Cow::owned(k.to_string()))
            .or_insert_with(Value::null);
        merge_values(slot, v);
    }
}

/// The pairs a comprehension iterates: `(index, element)` of an array, `(key, value)` of a
/// record.
pub(crate) fn iteration<'x, 'v>(
    target: &'x Value<'v>,
    pos: Pos,
) -> Result<Vec<(Value<'static>, &'x Value<'v>)>, EvalError> {
    match target {
        Value::Array(a) => Ok(a
            .iter()
            .enumerate()
            .map(|(i, v)| (Value::from(i), v))
            .collect()),
        Value::Object(o) => Ok(o
            .iter()
            .map(|(k, v)| (Value::from(k.to_string()), v))
            .collect()),
        other => Err(EvalError::new(
            pos,
            format!(
                "Type error: Expected array or record, found {}",
                ops::type_name(other)
            ),
        )),
    }
}

/// Adds one result of a comprehension to its accumulator.
pub(crate) fn accumulate(
    acc: &mut Value<'static>,
    result: Value<'static>,
    fold: Option<BinOp>,
    pos: Pos,
) -> Result<(), EvalError> {
    match (fold, &mut *acc) {
        (None | Some(BinOp::Add), Value::Array(a)) => a.push(result),
        (None, Value::Object(_)) if result.is_object() => merge_values(acc, &result),
        // `and` / `or` stop looking at results once the accumulator decides them.
        (Some(BinOp::And), Value::Static(tremor_value::StaticNode::Bool(false)))
        | (Some(BinOp::Or), Value::Static(tremor_value::StaticNode::Bool(true))) => {}
        (op, _) => {
            let op = op.unwrap_or(BinOp::Add);
            *acc = ops::binary(op, acc, &result).map_err(|m| EvalError::new(pos, m))?;
        }
    }
    Ok(())
}
