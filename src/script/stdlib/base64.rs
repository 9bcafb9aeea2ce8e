//! `std::base64`: standard alphabet; encodes with padding, decodes with or without it.

use super::args::{bytes_arg, runtime, str_arg};
use super::env::CallEnv;
use super::function::{Function, Res};
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

/// Encodes a binary; as in Tremor, a string is a bad type (`string::into_binary` first).
fn encode(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(ENGINE.encode(bytes_arg(args, 0)?)))
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
            // Tremor's `encode(input: Bytes)` refuses a string.
            ("std::base64::encode", Value::from("snot"), Err(())),
            // `decode` takes a string only.
            (
                "std::base64::decode",
                Value::bytes(&b"c25vdA=="[..]),
                Err(()),
            ),
        ];
        for (path, input, want) in cases {
            assert_eq!(call(path, &[input]).map_err(|_| ()), want, "{path}");
        }
        let err = call("std::base64::encode", &[Value::from("snot")]).expect_err("bad type");
        assert_eq!(
            err.to_string(),
            "Bad type passed to function base64::encode/1"
        );
    }
}
