//! `std::random`: draws from the run's random source ([`super::Random`]).

use super::args::{arg, f64_arg, i64_arg, usize_arg};
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] = table!("std::random::";
    bool 0, string 1, integer 0..=2, float 0..=2,
);

/// The longest string `random::string` makes: beyond this a typo would exhaust memory.
const MAX_LEN: usize = 1 << 24;

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn bool(env: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    Ok(Value::from(env.random.next_u64() & 1 == 1))
}

/// `length` random letters and digits.
fn string(env: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let n = usize_arg(args, 0)?;
    if n > MAX_LEN {
        return Err(FnError::runtime(format!(
            "Invalid arguments. Length must be at most {MAX_LEN}."
        )));
    }
    let out: String = (0..n)
        .map(|_| {
            let at = env.random.below(ALPHANUMERIC.len() as u64);
            ALPHANUMERIC
                .get(usize::try_from(at).unwrap_or(0))
                .map_or('a', |b| char::from(*b))
        })
        .collect();
    Ok(Value::from(out))
}

/// `()`: any integer; `(n)`: in `0..n`; `(low, high)`: in `low..high`.
fn integer(env: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    match args.len() {
        0 => Ok(Value::from(env.random.next_u64().cast_signed())),
        1 => {
            let high = arg(args, 0)?.as_u64().ok_or_else(FnError::bad_type)?;
            if high == 0 {
                return Err(FnError::runtime(
                    "Invalid arguments. Single argument value must be > 0.",
                ));
            }
            Ok(Value::from(env.random.below(high)))
        }
        _ => {
            let (low, high) = (i64_arg(args, 0)?, i64_arg(args, 1)?);
            if low >= high {
                return Err(FnError::runtime(
                    "Invalid arguments. First argument must be lower than second argument",
                ));
            }
            let span = high.abs_diff(low);
            Ok(Value::from(
                low.wrapping_add_unsigned(env.random.below(span)),
            ))
        }
    }
}

/// `()`: in `[0, 1)`; `(x)`: in `[0, x)`; `(low, high)`: in `[low, high)`.
fn float(env: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let unit = env.random.unit_f64();
    match args.len() {
        0 => Ok(Value::from(unit)),
        1 => {
            let high = f64_arg(args, 0)?;
            if high <= 0.0 {
                return Err(FnError::runtime(
                    "Invalid arguments. Single argument value must be > 0.",
                ));
            }
            Ok(Value::from(unit * high))
        }
        _ => {
            let (low, high) = (f64_arg(args, 0)?, f64_arg(args, 1)?);
            if low >= high {
                return Err(FnError::runtime(
                    "Invalid arguments. First argument must be lower than second argument",
                ));
            }
            Ok(Value::from(low + unit * (high - low)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{call, check, json};

    #[test]
    fn draws_are_in_range() {
        for _ in 0..3 {
            let s = call("std::random::string", &[json("16")]).ok();
            assert!(s
                .as_ref()
                .and_then(|s| s.as_str())
                .is_some_and(|s| s.len() == 16 && s.chars().all(|c| c.is_ascii_alphanumeric())));
            let i = call("std::random::integer", &[json("-5"), json("5")]).ok();
            assert!(i
                .and_then(|i| i.as_i64())
                .is_some_and(|i| (-5..5).contains(&i)));
            let f = call("std::random::float", &[json("2.5")]).ok();
            assert!(f
                .and_then(|f| f.as_f64())
                .is_some_and(|f| (0.0..2.5).contains(&f)));
            assert!(call("std::random::bool", &[]).is_ok_and(|b| b.is_bool()));
        }
        check(&[
            ("std::random::integer", "[0]", "ERR:Runtime error in function random::integer/1: Invalid arguments. Single argument value must be > 0."),
            ("std::random::integer", "[5, 5]", "ERR:Runtime error in function random::integer/2: Invalid arguments. First argument must be lower than second argument"),
            ("std::random::float", "[2.0, 1.0]", "ERR:Runtime error in function random::float/2: Invalid arguments. First argument must be lower than second argument"),
            ("std::random::string", r#"["a"]"#, "ERR:Bad type passed to function random::string/1"),
        ]);
    }
}
