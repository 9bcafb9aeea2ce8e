//! `std::float`: parsing and the IEEE classification of numbers.

use super::args::{arg, runtime, str_arg};
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] = &[
    Function::new("std::float::parse", 1, 1, parse),
    Function::new("std::float::is_finite", 1, 1, |_, a| {
        classify(a, f64::is_finite)
    }),
    Function::new("std::float::is_nan", 1, 1, |_, a| classify(a, f64::is_nan)),
    Function::new("std::float::is_infinite", 1, 1, |_, a| {
        classify(a, f64::is_infinite)
    }),
];

fn parse(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    str_arg(args, 0)?
        .parse::<f64>()
        .map(Value::from)
        .map_err(runtime)
}

/// Applies `f` to a number argument; anything else is a runtime error as in Tremor.
fn classify(args: &[&Value<'_>], f: fn(f64) -> bool) -> Res {
    let v = arg(args, 0)?;
    let x = v.as_f64().ok_or_else(|| {
        FnError::runtime(format!("Expected type float, got {}", v.value_type_name()))
    })?;
    Ok(Value::from(f(x)))
}

#[cfg(test)]
mod tests {
    reference_examples![
        ("std::float::parse", r#"["42.5"]"#, "42.5"),
        ("std::float::parse", r#"["42"]"#, "42.0"),
        (
            "std::float::parse",
            r#"["x"]"#,
            "ERR:Runtime error in function float::parse/1: invalid float literal",
        ),
        ("std::float::is_finite", "[1.5]", "true"),
        ("std::float::is_finite", "[1]", "true"),
        ("std::float::is_nan", "[1.5]", "false"),
        ("std::float::is_infinite", "[1e308]", "false"),
        (
            "std::float::is_nan",
            r#"["a"]"#,
            "ERR:Runtime error in function float::is_nan/1: Expected type float, got string",
        ),
    ];
}
