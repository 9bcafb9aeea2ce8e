//! `std::time::nanos` (durations in nanoseconds), `std::size` (byte sizes) and `std::range`:
//! Tremor writes these in its own script language; here they are plain functions.

use super::args::{arg, array_arg, f64_arg, i64_arg};
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use tremor_value::Value;

const MICRO: i64 = 1_000;
const MILLI: i64 = 1_000_000;
const SECOND: i64 = 1_000_000_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// The `NANOS_PER_…` constants of `std::time::nanos`.
pub(super) const NANOS_CONSTS: &[(&str, i64)] = &[
    ("NANOS_PER_MICROSECOND", MICRO),
    ("NANOS_PER_MILLISECOND", MILLI),
    ("NANOS_PER_SECOND", SECOND),
    ("NANOS_PER_MINUTE", MINUTE),
    ("NANOS_PER_HOUR", HOUR),
    ("NANOS_PER_DAY", DAY),
    ("NANOS_PER_WEEK", WEEK),
];

/// Declares one function per (name, factor) pair, each calling `$body(args, factor)`.
macro_rules! by_factor {
    ($table:ident, $body:ident, $prefix:literal, [$(($name:ident, $factor:expr)),* $(,)?]) => {
        $(#[allow(non_snake_case)] // Tremor's names: `kiB`, `MiB`, …
        fn $name(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
            $body(args, $factor)
        })*
        pub(super) const $table: &[Function] = &[$(Function::new(concat!($prefix, stringify!($name)), 1, 1, $name)),*];
    };
}

by_factor!(
    FROM,
    scale,
    "std::time::nanos::",
    [
        (from_nanos, 1),
        (from_micros, MICRO),
        (from_millis, MILLI),
        (from_seconds, SECOND),
        (from_minutes, MINUTE),
        (from_hours, HOUR),
        (from_days, DAY),
        (from_weeks, WEEK),
    ]
);
by_factor!(
    TO,
    divide,
    "std::time::nanos::",
    [
        (to_micros, MICRO),
        (to_millis, MILLI),
        (to_seconds, SECOND),
        (to_minutes, MINUTE),
        (to_hours, HOUR),
        (to_days, DAY),
        (to_weeks, WEEK),
    ]
);
by_factor!(
    TRUNCATE,
    truncate,
    "std::time::nanos::",
    [
        (truncate_micros, MICRO),
        (truncate_millis, MILLI),
        (truncate_seconds, SECOND),
        (truncate_minutes, MINUTE),
        (truncate_hours, HOUR),
        (truncate_days, DAY),
    ]
);
by_factor!(
    SIZES,
    scale,
    "std::size::",
    [
        (kiB, 1 << 10),
        (MiB, 1 << 20),
        (GiB, 1 << 30),
        (TiB, 1 << 40),
        (PiB, 1 << 50),
        (EiB, 1 << 60),
    ]
);

pub(super) const RANGE: &[Function] = &[
    Function::new("std::range::range", 2, 2, range),
    Function::new("std::range::contains", 2, 2, range_contains),
];

fn overflow() -> FnError {
    FnError::runtime("result does not fit 64 bits")
}

/// `n * factor`. A float is kept down to whole units of the result (Troy configs want
/// integers; the value equals Tremor's float result).
fn scale(args: &[&Value<'_>], factor: i64) -> Res {
    let v = arg(args, 0)?;
    if let Some(i) = v.as_i64() {
        return i.checked_mul(factor).map(Value::from).ok_or_else(overflow);
    }
    let f = f64_arg(args, 0)?;
    #[allow(clippy::cast_precision_loss)]
    let n = (f * factor as f64).round();
    if n.is_finite() && n.abs() < 9.2e18 {
        #[allow(clippy::cast_possible_truncation)]
        Ok(Value::from(n as i64))
    } else {
        Err(overflow())
    }
}

/// `nanos / factor`; division in Tremor always gives a float.
fn divide(args: &[&Value<'_>], factor: i64) -> Res {
    let n = f64_arg(args, 0)?;
    #[allow(clippy::cast_precision_loss)]
    Ok(Value::from(n / factor as f64))
}

/// Down to a whole `factor`, with Tremor's formula for negative values.
fn truncate(args: &[&Value<'_>], factor: i64) -> Res {
    let n = i64_arg(args, 0)?;
    let r = if n < 0 {
        n.checked_sub(factor).map(|d| d - n % factor)
    } else {
        Some(n - n % factor)
    };
    r.map(Value::from).ok_or_else(overflow)
}

/// The most numbers `range::range` makes: beyond this a typo would exhaust memory.
const MAX_RANGE: i64 = 1 << 24;

/// `[a, a + 1, …, b - 1]`.
fn range(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (a, b) = (arg(args, 0)?, arg(args, 1)?);
    match (a.as_i64(), b.as_i64()) {
        (Some(a), Some(b)) if b.saturating_sub(a) > MAX_RANGE => Err(FnError::runtime(format!(
            "a range may hold at most {MAX_RANGE} numbers"
        ))),
        (Some(a), Some(b)) => Ok((a..b).map(Value::from).collect()),
        _ => Err(FnError::bad_type()),
    }
}

/// Whether `n` lies between the first and last element of the range `r`.
fn range_contains(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (r, n) = (array_arg(args, 0)?, arg(args, 1)?);
    Ok(Value::from(match (r.first(), r.last()) {
        (Some(first), Some(last)) => first <= n && last >= n,
        _ => false,
    }))
}

#[cfg(test)]
mod tests {
    reference_examples![
        ("std::time::nanos::from_millis", "[100]", "100000000"),
        ("std::time::nanos::from_millis", "[1.5]", "1500000"),
        ("std::time::nanos::from_seconds", "[1]", "1000000000"),
        ("std::time::nanos::from_weeks", "[1]", "604800000000000"),
        ("std::time::nanos::from_nanos", "[7]", "7"),
        (
            "std::time::nanos::from_weeks",
            "[100000]",
            "ERR:Runtime error in function time::nanos::from_weeks/1: result does not fit 64 bits"
        ),
        (
            "std::time::nanos::from_hours",
            r#"["1"]"#,
            "ERR:Bad type passed to function time::nanos::from_hours/1"
        ),
        ("std::time::nanos::to_seconds", "[1500000000]", "1.5"),
        ("std::time::nanos::to_millis", "[1000000]", "1.0"),
        (
            "std::time::nanos::truncate_seconds",
            "[1500000000]",
            "1000000000"
        ),
        (
            "std::time::nanos::truncate_seconds",
            "[-1500000000]",
            "-2000000000"
        ),
        ("std::time::nanos::from_micros", "[1]", "1000"),
        ("std::time::nanos::from_minutes", "[1]", "60000000000"),
        ("std::time::nanos::from_days", "[1]", "86400000000000"),
        ("std::time::nanos::to_micros", "[1500]", "1.5"),
        ("std::time::nanos::to_minutes", "[90000000000]", "1.5"),
        ("std::time::nanos::to_hours", "[5400000000000]", "1.5"),
        ("std::time::nanos::to_days", "[129600000000000]", "1.5"),
        ("std::time::nanos::to_weeks", "[907200000000000]", "1.5"),
        ("std::time::nanos::truncate_micros", "[1500]", "1000"),
        ("std::time::nanos::truncate_millis", "[1500000]", "1000000"),
        (
            "std::time::nanos::truncate_minutes",
            "[90000000000]",
            "60000000000"
        ),
        (
            "std::time::nanos::truncate_hours",
            "[5400000000000]",
            "3600000000000"
        ),
        (
            "std::time::nanos::truncate_days",
            "[129600000000000]",
            "86400000000000"
        ),
        ("std::size::kiB", "[1]", "1024"),
        ("std::size::GiB", "[1]", "1073741824"),
        ("std::size::TiB", "[1]", "1099511627776"),
        ("std::size::PiB", "[1]", "1125899906842624"),
        ("std::size::MiB", "[2]", "2097152"),
        (
            "std::size::EiB",
            "[16]",
            "ERR:Runtime error in function size::EiB/1: result does not fit 64 bits"
        ),
        ("std::range::range", "[0, 3]", "[0,1,2]"),
        ("std::range::range", "[3, 0]", "[]"),
        ("std::range::contains", "[[0, 1, 2], 2]", "true"),
        ("std::range::contains", "[[0, 1, 2], 3]", "false"),
        ("std::range::contains", "[[], 3]", "false"),
    ];
}
