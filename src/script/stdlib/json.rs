//! `std::json`: decoding and encoding JSON text.

use super::args::{arg, runtime, str_arg};
use super::env::CallEnv;
use super::function::{Function, Res};
use tremor_value::{to_json, Value};

pub(super) const FUNCTIONS: &[Function] = table!("std::json::";
    decode 1, encode 1, encode_pretty 1,
);

fn decode(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let mut buf = str_arg(args, 0)?.as_bytes().to_vec();
    tremor_value::parse_json(&mut buf)
        .map(Value::into_static)
        .map_err(runtime)
}

fn encode(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(to_json(arg(args, 0)?)))
}

fn encode_pretty(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let mut out = String::new();
    pretty(arg(args, 0)?, 0, &mut out);
    Ok(Value::from(out))
}

/// JSON with two-space indentation, one member per line, empty containers as `[]` / `{}`.
fn pretty(v: &Value<'_>, depth: usize, out: &mut String) {
    let indent = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    match v {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                pretty(item, depth + 1, out);
            }
            indent(out, depth);
            out.push(']');
        }
        Value::Object(record) if !record.is_empty() => {
            out.push('{');
            for (i, (k, item)) in record.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                out.push_str(&to_json(&Value::from(k.as_ref())));
                out.push_str(": ");
                pretty(item, depth + 1, out);
            }
            indent(out, depth);
            out.push('}');
        }
        other => out.push_str(&to_json(other)),
    }
}

#[cfg(test)]
mod tests {
    reference_examples![
        ("std::json::decode", r#"["[1, 2, 3, 4]"]"#, "[1,2,3,4]"),
        (
            "std::json::decode",
            r#"["{\"a\": [1.5]}"]"#,
            r#"{"a":[1.5]}"#,
        ),
        (
            "std::json::encode",
            r#"[[1, "2", {"a": null}]]"#,
            r#""[1,\"2\",{\"a\":null}]""#,
        ),
        (
            "std::json::encode_pretty",
            r#"[{"a": [1, 2], "b": {}}]"#,
            r#""{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}""#,
        ),
        ("std::json::encode_pretty", "[[]]", r#""[]""#),
        (
            "std::json::decode",
            "[1]",
            "ERR:Bad type passed to function json::decode/1",
        ),
    ];

    #[test]
    fn bad_json_is_a_runtime_error() {
        let got = super::super::test_support::call(
            "std::json::decode",
            &[tremor_value::Value::from("[1,")],
        );
        assert!(got.is_err_and(|e| e
            .to_string()
            .starts_with("Runtime error in function json::decode/1: ")));
    }
}
