//! `std::math`: rounding and min/max. Rounding a float gives an integer, as in Tremor.

use super::args::arg;
use super::function::{FnError, Function, Res};
use std::cmp::Ordering;
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] = &[
    Function::new("std::math::floor", 1, 1, |_, a| rounding(a, f64::floor)),
    Function::new("std::math::ceil", 1, 1, |_, a| rounding(a, f64::ceil)),
    Function::new("std::math::round", 1, 1, |_, a| rounding(a, f64::round)),
    Function::new("std::math::trunc", 1, 1, |_, a| rounding(a, f64::trunc)),
    Function::new("std::math::max", 2, 2, |_, a| pick(a, Ordering::is_ge)),
    Function::new("std::math::min", 2, 2, |_, a| pick(a, Ordering::is_le)),
];

/// Integers stay as they are; a float is rounded by `f` and becomes an integer (saturating).
fn rounding(args: &[&Value<'_>], f: fn(f64) -> f64) -> Res {
    let v = arg(args, 0)?;
    if v.is_integer() {
        return Ok(v.clone_static());
    }
    let x = f(v.as_f64().ok_or_else(FnError::bad_type)?);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(if x < 0.0 {
        Value::from(x as i64)
    } else {
        Value::from(x as u64)
    })
}

/// The argument `pick` chooses (`true` = the first); integers compare exactly, mixed pairs as
/// floats, where the result is a float.
fn pick(args: &[&Value<'_>], first_if: fn(Ordering) -> bool) -> Res {
    let (a, b) = (arg(args, 0)?, arg(args, 1)?);
    if !a.is_number() || !b.is_number() {
        return Err(FnError::bad_type());
    }
    let order = a.cmp_numbers(b).ok_or_else(FnError::bad_type)?;
    let chosen = if first_if(order) { a } else { b };
    if a.is_integer() && b.is_integer() {
        Ok(chosen.clone_static())
    } else {
        Ok(Value::from(chosen.as_f64().ok_or_else(FnError::bad_type)?))
    }
}

#[cfg(test)]
mod tests {
    reference_examples![
        ("std::math::floor", "[42.9]", "42"),
        ("std::math::floor", "[-42.1]", "-43"),
        ("std::math::floor", "[7]", "7"),
        ("std::math::ceil", "[41.1]", "42"),
        ("std::math::round", "[41.4]", "41"),
        ("std::math::round", "[41.5]", "42"),
        ("std::math::trunc", "[41.5]", "41"),
        ("std::math::max", "[41, 42]", "42"),
        ("std::math::max", "[41, 42.5]", "42.5"),
        ("std::math::max", "[43, 42.5]", "43.0"),
        ("std::math::min", "[41, 42]", "41"),
        ("std::math::min", "[-1, 2]", "-1"),
        (
            "std::math::min",
            r#"["a", 2]"#,
            "ERR:Bad type passed to function math::min/2",
        ),
    ];
}
