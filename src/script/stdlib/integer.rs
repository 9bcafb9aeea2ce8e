//! `std::integer` (and the constants of `std::integer::signed` / `unsigned`, in `consts`).

use super::args::{runtime, str_arg};
use super::env::CallEnv;
use super::function::{FnError, Function};
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] = &[Function::new("std::integer::parse", 1, 1, parse)];

/// Parses a decimal integer; Rust's parse error is Tremor's message ("invalid digit found in
/// string").
fn parse(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Result<Value<'static>, FnError> {
    let s = str_arg(args, 0)?;
    s.parse::<i64>()
        .map(Value::from)
        .or_else(|e| s.parse::<u64>().map(Value::from).map_err(|_| runtime(e)))
}

#[cfg(test)]
mod tests {
    reference_examples![
        ("std::integer::parse", r#"["42"]"#, "42"),
        ("std::integer::parse", r#"["-42"]"#, "-42"),
        (
            "std::integer::parse",
            r#"["18446744073709551615"]"#,
            "18446744073709551615",
        ),
        (
            "std::integer::parse",
            r#"["4.2"]"#,
            "ERR:Runtime error in function integer::parse/1: invalid digit found in string",
        ),
        (
            "std::integer::parse",
            "[42]",
            "ERR:Bad type passed to function integer::parse/1",
        ),
    ];
}
