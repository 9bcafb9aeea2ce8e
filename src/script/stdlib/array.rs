//! `std::array`: functions over arrays. Each returns a new array; inputs are never changed.

use super::args::{arg, array_arg, str_arg};
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use super::string::display;
use std::cmp::Ordering;
use tremor_value::{StaticNode, Value};

pub(super) const FUNCTIONS: &[Function] = table!("std::array::";
    len 1, is_empty 1, contains 2, push 2, zip 2, unzip 1, flatten 1, coalesce 1, join 2,
    concatenate 2, sort 1, reverse 1,
);

/// Owned copies of the array argument's elements.
fn owned(args: &[&Value<'_>], i: usize) -> Result<Vec<Value<'static>>, FnError> {
    Ok(array_arg(args, i)?
        .iter()
        .map(Value::clone_static)
        .collect())
}

fn len(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(array_arg(args, 0)?.len()))
}
fn is_empty(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(array_arg(args, 0)?.is_empty()))
}
fn contains(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let needle = arg(args, 1)?;
    Ok(Value::from(array_arg(args, 0)?.iter().any(|v| v == needle)))
}
fn push(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let mut out = owned(args, 0)?;
    out.push(arg(args, 1)?.clone_static());
    Ok(Value::from(out))
}
fn concatenate(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let mut out = owned(args, 0)?;
    out.extend(owned(args, 1)?);
    Ok(Value::from(out))
}
fn reverse(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let mut out = owned(args, 0)?;
    out.reverse();
    Ok(Value::from(out))
}
fn sort(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let mut out = owned(args, 0)?;
    out.sort_by(total_order);
    Ok(Value::from(out))
}

/// Tremor's total order over values, which `array::sort` follows even for arrays of mixed
/// kinds: records < arrays < strings and bytes (bytewise) < numbers < booleans < null.
fn total_order(a: &Value<'_>, b: &Value<'_>) -> Ordering {
    match (a, b) {
        (Value::Static(x), Value::Static(y)) => scalar_order(*x, *y),
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y.iter())
            .map(|(l, r)| total_order(l, r))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| x.len().cmp(&y.len())),
        (Value::Object(x), Value::Object(y)) => record_order(x, y),
        _ => match (text_bytes(a), text_bytes(b)) {
            (Some(x), Some(y)) => x.cmp(y),
            _ => kind_rank(a).cmp(&kind_rank(b)),
        },
    }
}

fn text_bytes<'a>(v: &'a Value<'_>) -> Option<&'a [u8]> {
    match v {
        Value::String(s) => Some(s.as_bytes()),
        Value::Bytes(b) => Some(b.as_ref()),
        _ => None,
    }
}

fn kind_rank(v: &Value<'_>) -> u8 {
    match v {
        Value::Object(_) => 0,
        Value::Array(_) => 1,
        Value::String(_) | Value::Bytes(_) => 2,
        Value::Static(_) => 3,
    }
}

/// Records: fewer keys first, then by their sorted key lists, then by the values in key order.
fn record_order(x: &tremor_value::Object<'_>, y: &tremor_value::Object<'_>) -> Ordering {
    fn sorted_keys<'a>(o: &'a tremor_value::Object<'_>) -> Vec<&'a str> {
        let mut keys: Vec<&str> = o.keys().map(|k| k.as_ref()).collect();
        keys.sort_unstable();
        keys
    }
    let (left_keys, right_keys) = (sorted_keys(x), sorted_keys(y));
    x.len()
        .cmp(&y.len())
        .then_with(|| left_keys.cmp(&right_keys))
        .then_with(|| {
            left_keys
                .iter()
                .filter_map(|k| Some(total_order(x.get(*k)?, y.get(*k)?)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
}

/// Numbers < booleans < null. An integer and a float compare as Tremor does: the float is
/// truncated to an integer (so `1` and `1.5` are equal and keep their order; NaN truncates to
/// 0); NaN and another float are equal.
fn scalar_order(x: StaticNode, y: StaticNode) -> Ordering {
    use StaticNode::{Bool, Null, F64, I64, U64};
    let rank = |s: StaticNode| match s {
        I64(_) | U64(_) | F64(_) => 0,
        Bool(_) => 1,
        Null => 2,
    };
    match (x, y) {
        (Bool(l), Bool(r)) => l.cmp(&r),
        (F64(l), F64(r)) => l.partial_cmp(&r).unwrap_or(Ordering::Equal),
        (F64(f), I64(_) | U64(_)) => int_vs_float(y, f).reverse(),
        (I64(_) | U64(_), F64(f)) => int_vs_float(x, f),
        (I64(_) | U64(_), I64(_) | U64(_)) => x.cmp_numbers(&y).unwrap_or(Ordering::Equal),
        _ => rank(x).cmp(&rank(y)),
    }
}

#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
fn int_vs_float(int: StaticNode, float: f64) -> Ordering {
    let whole = float.trunc();
    if whole < i64::MIN as f64 {
        Ordering::Greater
    } else if whole >= u64::MAX as f64 {
        Ordering::Less
    } else if whole >= i64::MAX as f64 {
        // Only a large unsigned integer can reach this far.
        match int {
            StaticNode::U64(u) => u.cmp(&(whole as u64)),
            _ => Ordering::Less,
        }
    } else {
        int.cmp_numbers(&StaticNode::I64(whole as i64))
            .unwrap_or(Ordering::Equal)
    }
}
fn coalesce(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let mut out = owned(args, 0)?;
    out.retain(|v| !v.is_null());
    Ok(Value::from(out))
}
fn join(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (items, sep) = (array_arg(args, 0)?, str_arg(args, 1)?);
    Ok(Value::from(
        items.iter().map(display).collect::<Vec<_>>().join(sep),
    ))
}

fn zip(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (left, right) = (array_arg(args, 0)?, array_arg(args, 1)?);
    if left.len() != right.len() {
        return Err(FnError::runtime(format!(
            "Zipping two arrays requires them to have the same length, but the first array \
             provided has {} elements while the second one has {} elements",
            left.len(),
            right.len()
        )));
    }
    Ok(left
        .iter()
        .zip(right)
        .map(|(l, r)| Value::from(vec![l.clone_static(), r.clone_static()]))
        .collect())
}

fn unzip(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let items = array_arg(args, 0)?;
    let (mut lefts, mut rights) = (
        Vec::with_capacity(items.len()),
        Vec::with_capacity(items.len()),
    );
    for item in items {
        match item.as_array().map(Vec::as_slice) {
            Some([l, r]) => {
                lefts.push(l.clone_static());
                rights.push(r.clone_static());
            }
            Some(other) => {
                return Err(FnError::runtime(format!(
                    "Only arrays that consist of tuples (arrays of two elements) can be unzipped \
                     but this array contained {} elements",
                    other.len()
                )))
            }
            None => {
                return Err(FnError::runtime(format!(
                    "Only arrays that consist of tuples (arrays of two elements) can be unzipped \
                     but this array contained: {item}"
                )))
            }
        }
    }
    Ok(Value::from(vec![Value::from(lefts), Value::from(rights)]))
}

/// Nested arrays to one level; anything else stays one element.
fn flatten(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    fn walk(v: &Value<'_>, out: &mut Vec<Value<'static>>) {
        match v.as_array() {
            Some(items) => items.iter().for_each(|i| walk(i, out)),
            None => out.push(v.clone_static()),
        }
    }
    let mut out = Vec::new();
    walk(arg(args, 0)?, &mut out);
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    reference_examples![
        ("std::array::len", r#"[["a", "b"]]"#, "2"),
        ("std::array::is_empty", "[[]]", "true"),
        ("std::array::contains", r#"[["a", 1], 1.0]"#, "true"),
        ("std::array::contains", r#"[["a"], "b"]"#, "false"),
        ("std::array::push", r#"[["a"], "b"]"#, r#"["a","b"]"#),
        ("std::array::zip", r#"[[1, 2, 3], ["a", "b", "c"]]"#, r#"[[1,"a"],[2,"b"],[3,"c"]]"#),
        ("std::array::zip", "[[1], []]", "ERR:Runtime error in function array::zip/2: Zipping two arrays requires them to have the same length, but the first array provided has 1 elements while the second one has 0 elements"),
        ("std::array::unzip", r#"[[[1, "a"], [2, "b"], [3, "c"]]]"#, r#"[[1,2,3],["a","b","c"]]"#),
        ("std::array::unzip", "[[[1]]]", "ERR:Runtime error in function array::unzip/1: Only arrays that consist of tuples (arrays of two elements) can be unzipped but this array contained 1 elements"),
        ("std::array::flatten", "[[[1, [2, [3]]], 4]]", "[1,2,3,4]"),
        ("std::array::flatten", "[1]", "[1]"),
        ("std::array::coalesce", "[[1, null, 2, null, 3]]", "[1,2,3]"),
        ("std::array::join", r#"[["this", "is", "a", "cake", 1], " "]"#, r#""this is a cake 1""#),
        ("std::array::concatenate", "[[1, 2, 3], [3, 4]]", "[1,2,3,3,4]"),
        ("std::array::sort", "[[3, 2, 3, 1, 4]]", "[1,2,3,3,4]"),
        // Mixed kinds sort as Tremor's value order: records, arrays, strings, numbers, booleans, null.
        ("std::array::sort", r#"[[null, true, 1, "b", [2], {"a": 1}, "a", [1, 2], false, 0.5]]"#,
            r#"[{"a":1},[1,2],[2],"a","b",0.5,1,false,true,null]"#),
        // Records: fewer keys first, then by sorted keys, then by values.
        ("std::array::sort", r#"[[{"b": 1, "a": 2}, {"z": 0}, {"a": 2, "b": 0}, {"a": 1, "c": 0}]]"#,
            r#"[{"z":0},{"a":2,"b":0},{"b":1,"a":2},{"a":1,"c":0}]"#),
        // An integer and a float compare with the float truncated, equal ones keep their order.
        ("std::array::sort", "[[1.5, 1, 0.9, -1, 2]]", "[-1,0.9,1.5,1,2]"),
        ("std::array::reverse", "[[3, 2, 3, 1, 4]]", "[4,1,3,2,3]"),
        ("std::array::len", r#"["a"]"#, "ERR:Bad type passed to function array::len/1"),
    ];
}
