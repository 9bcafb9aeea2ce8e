//! `std::path`: reading a nested value with a default.

use super::args::arg;
use super::env::CallEnv;
use super::function::{FnError, Function};
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] =
    &[Function::new("std::path::try_default", 3, 3, try_default)];

/// Follows `segments` (keys into records, indices into arrays) from `base`; any step that
/// does not exist gives `otherwise`.
fn try_default(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Result<Value<'static>, FnError> {
    let (base, segments, otherwise) = (arg(args, 0)?, arg(args, 1)?, arg(args, 2)?);
    if base.is_null() {
        return Ok(otherwise.clone_static());
    }
    if !base.is_object() && !base.is_array() {
        return Err(FnError::runtime(
            "Expected record or array or literal `null` as first argument",
        ));
    }
    let segments = segments
        .as_array()
        .ok_or_else(|| FnError::runtime("Expected path segment array as second argument"))?;
    let mut pivot = base;
    for segment in segments {
        let next = match (pivot, segment.as_str(), segment.as_usize()) {
            (Value::Object(record), Some(key), _) => record.get(key),
            (Value::Array(items), _, Some(i)) => items.get(i),
            _ => None,
        };
        match next {
            Some(next) => pivot = next,
            None => return Ok(otherwise.clone_static()),
        }
    }
    Ok(pivot.clone_static())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;

    #[test]
    fn reference_examples() {
        let base = r#"[{"snot": "badger"}, ["fleek", "flook"]]"#;
        let cases: Vec<(String, &str)> = vec![
            (r#"[{"snot": "badger"}, [], "test"]"#.into(), r#"{"snot":"badger"}"#),
            (format!(r#"[{base}, [1, 1], "test"]"#), r#""flook""#),
            (format!(r#"[{base}, [0, "snot"], "test"]"#), r#""badger""#),
            (format!(r#"[{base}, [1, 0], "test"]"#), r#""fleek""#),
            (format!(r#"[{base}, [1, 2], "test"]"#), r#""test""#),
            (r#"[null, [1], "test"]"#.into(), r#""test""#),
            (r#"[1, [1], "test"]"#.into(), "ERR:Runtime error in function path::try_default/3: Expected record or array or literal `null` as first argument"),
        ];
        let table: Vec<_> = cases
            .iter()
            .map(|(args, want)| ("std::path::try_default", args.as_str(), *want))
            .collect();
        check(&table);
    }
}
