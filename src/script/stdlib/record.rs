//! `std::record`: functions over records. Each returns a new value; inputs are never changed.

use super::args::{array_arg, object_arg, str_arg};
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use tremor_value::{Object, Value};

pub(super) const FUNCTIONS: &[Function] = table!("std::record::";
    len 1, is_empty 1, contains 2, keys 1, values 1, to_array 1, from_array 1, extract 2,
    combine 2, rename 2,
);

fn key(k: &str) -> tremor_value::Cow<'static> {
    tremor_value::Cow::owned(k.to_string())
}

/// A record of the pairs `f` keeps (possibly renamed), copied.
fn filter_map_record<'a, 'v: 'a>(
    record: &'a Object<'v>,
    mut f: impl FnMut(&'a str, &'a Value<'v>) -> Option<&'a str>,
) -> Value<'static> {
    let mut out = Object::with_capacity(record.len());
    for (k, v) in record {
        if let Some(name) = f(k, v) {
            out.insert(key(name), v.clone_static());
        }
    }
    Value::from(out)
}

fn len(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(object_arg(args, 0)?.len()))
}
fn is_empty(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(object_arg(args, 0)?.is_empty()))
}
fn contains(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (record, k) = (object_arg(args, 0)?, str_arg(args, 1)?);
    Ok(Value::from(record.contains_key(k)))
}
fn keys(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(object_arg(args, 0)?
        .keys()
        .map(|k| Value::from(k.to_string()))
        .collect())
}
fn values(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(object_arg(args, 0)?
        .values()
        .map(Value::clone_static)
        .collect())
}
fn to_array(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(object_arg(args, 0)?
        .iter()
        .map(|(k, v)| Value::from(vec![Value::from(k.to_string()), v.clone_static()]))
        .collect())
}

fn from_array(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let items = array_arg(args, 0)?;
    let mut out = Object::with_capacity(items.len());
    for item in items {
        match item.as_array().map(Vec::as_slice) {
            Some([Value::String(k), v]) => {
                out.insert(key(k), v.clone_static());
            }
            Some([_, _]) => {
                return Err(FnError::runtime(format!(
                    "The first element of the tuple needs to be a string: {item}"
                )))
            }
            Some(other) => {
                return Err(FnError::runtime(format!(
                    "Onlay arrays that consist of tuples (arrays of two elements) can be trurned \
                     into an record this array contained {} elements",
                    other.len()
                )))
            }
            None => {
                return Err(FnError::runtime(format!(
                    "Onlay arrays that consist of tuples (arrays of two elements) can be turned \
                     into records but this array contained: {item}"
                )))
            }
        }
    }
    Ok(Value::from(out))
}

fn extract(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (record, wanted) = (object_arg(args, 0)?, array_arg(args, 1)?);
    Ok(filter_map_record(record, |k, _| {
        wanted.iter().any(|w| w.as_str() == Some(k)).then_some(k)
    }))
}

/// The right record's keys win.
fn combine(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (left, right) = (object_arg(args, 0)?, object_arg(args, 1)?);
    let mut out = Object::with_capacity(left.len() + right.len());
    for (k, v) in left.iter().chain(right.iter()) {
        out.insert(key(k), v.clone_static());
    }
    Ok(Value::from(out))
}

fn rename(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (record, changes) = (object_arg(args, 0)?, object_arg(args, 1)?);
    Ok(filter_map_record(record, |k, _| {
        Some(changes.get(k).and_then(Value::as_str).unwrap_or(k))
    }))
}

#[cfg(test)]
mod tests {
    reference_examples![
        ("std::record::len", r#"[{"a": 1, "b": 2}]"#, "2"),
        ("std::record::is_empty", "[{}]", "true"),
        ("std::record::contains", r#"[{"a": 1}, "a"]"#, "true"),
        ("std::record::contains", r#"[{"a": 1}, "b"]"#, "false"),
        ("std::record::keys", r#"[{"a": 1, "b": 2}]"#, r#"["a","b"]"#),
        ("std::record::values", r#"[{"a": 1, "b": 2}]"#, "[1,2]"),
        ("std::record::to_array", r#"[{"a": 1, "b": 2}]"#, r#"[["a",1],["b",2]]"#),
        ("std::record::from_array", r#"[[["a", 1], ["b", 2]]]"#, r#"{"a":1,"b":2}"#),
        ("std::record::from_array", "[[[1, 2]]]", "ERR:Runtime error in function record::from_array/1: The first element of the tuple needs to be a string: [1,2]"),
        ("std::record::extract", r#"[{"a": 1, "b": 2, "c": 3}, ["a", "c"]]"#, r#"{"a":1,"c":3}"#),
        ("std::record::combine", r#"[{"a": 1, "b": 2, "c": 4}, {"c": 3, "d": 4}]"#, r#"{"a":1,"b":2,"c":3,"d":4}"#),
        ("std::record::rename", r#"[{"a": 1, "b": 2, "c": 4}, {"a": "A", "b": "B"}]"#, r#"{"A":1,"B":2,"c":4}"#),
        ("std::record::len", "[[]]", "ERR:Bad type passed to function record::len/1"),
    ];
}
