//! `std::base64`: standard alphabet; encodes with padding, decodes with or without it.

use super::args::{arg, runtime, str_arg};
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::{alphabet, Engine};
use tremor_value::Value;

/// Tremor's engine: padded output, padding optional on input.
pub(crate) const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub(super) const FUNCTIONS: &[Function] = &[
    Function::new("std::base64::encode", 1, 1, encode),
    Function::new("std::base64::decode", 1, 1, decode),
];

/// Encodes binary (and, beyond Tremor, a string's UTF-8 bytes).
fn encode(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    match arg(args, 0)? {
        Value::Bytes(b) => Ok(Value::from(ENGINE.encode(b))),
        Value::String(s) => Ok(Value::from(ENGINE.encode(s.as_bytes()))),
        _ => Err(FnError::bad_type()),
    }
}

fn decode(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    ENGINE
        .decode(str_arg(args, 0)?)
        .map(Value::bytes)
        .map_err(runtime)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::call;
    use tremor_value::Value;

    #[test]
    fn reference_examples() {
        let snot = || Value::bytes(&b"snot"[..]);
        let cases = [
            ("std::base64::encode", snot(), Ok(Value::from("c25vdA=="))),
            ("std::base64::decode", Value::from("c25vdA=="), Ok(snot())),
            ("std::base64::decode", Value::from("c25vdA"), Ok(snot())),
            ("std::base64::decode", Value::from("!"), Err(())),
            ("std::base64::encode", Value::from(1), Err(())),
        ];
        for (path, input, want) in cases {
            assert_eq!(call(path, &[input]).map_err(|_| ()), want, "{path}");
        }
    }
}
