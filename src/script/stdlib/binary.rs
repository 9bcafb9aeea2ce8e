//! `std::binary`: lengths and conversions between binaries and arrays of bytes.

use super::args::{array_arg, bytes_arg};
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] = table!("std::binary::";
    len 1, from_bytes 1, into_bytes 1,
);

fn len(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(bytes_arg(args, 0)?.len()))
}

fn from_bytes(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    array_arg(args, 0)?
        .iter()
        .map(|v| {
            v.as_u64()
                .filter(|_| v.is_integer())
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(|| FnError::runtime("array contains non bytes"))
        })
        .collect::<Result<Vec<u8>, _>>()
        .map(Value::bytes)
}

fn into_bytes(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let bytes = bytes_arg(args, 0)
        .map_err(|_| FnError::runtime("cannot convert a non-binary into an array of bytes"))?;
    Ok(bytes.iter().map(|b| Value::from(u64::from(*b))).collect())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{call, check, outcome};
    use tremor_value::Value;

    #[test]
    fn reference_examples() {
        let bin = || Value::bytes(vec![1u8, 2, 255]);
        assert_eq!(outcome(call("std::binary::len", &[bin()])), "3");
        assert_eq!(
            outcome(call("std::binary::into_bytes", &[bin()])),
            "[1,2,255]"
        );
        let from = call(
            "std::binary::from_bytes",
            &[super::super::test_support::json("[1, 2, 255]")],
        );
        assert_eq!(from.ok(), Some(bin()));
        check(&[
            ("std::binary::from_bytes", "[[256]]", "ERR:Runtime error in function binary::from_bytes/1: array contains non bytes"),
            ("std::binary::into_bytes", "[1]", "ERR:Runtime error in function binary::into_bytes/1: cannot convert a non-binary into an array of bytes"),
            ("std::binary::len", r#"["a"]"#, "ERR:Bad type passed to function binary::len/1"),
        ]);
    }
}
