//! `std::array`: functions over arrays. Each returns a new array; inputs are never changed.

use super::args::{arg, array_arg, str_arg};
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use super::string::display;
use std::cmp::Ordering;
use tremor_value::Value;

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
    out.sort_by(|a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal));
    Ok(Value::from(out))
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
        ("std::array::reverse", "[[3, 2, 3, 1, 4]]", "[4,1,3,2,3]"),
        ("std::array::len", r#"["a"]"#, "ERR:Bad type passed to function array::len/1"),
    ];
}
