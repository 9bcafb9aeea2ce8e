//! `std::test`: assertions for Tremor's test runner (`suite` and `test` only mark structure).

use super::args::arg;
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use tremor_value::{to_json, Value};

pub(super) const FUNCTIONS: &[Function] = &[
    Function::new("std::test::assert", 3, 3, assert),
    Function::new("std::test::suite", 0, usize::MAX, nothing),
    Function::new("std::test::test", 0, usize::MAX, nothing),
];

/// `true` when `expected == got`; otherwise `[expected, got]`, or — when the environment asks
/// for it (Tremor's test runner) — a runtime error naming both.
fn assert(env: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (name, expected, got) = (arg(args, 0)?, arg(args, 1)?, arg(args, 2)?);
    if expected == got {
        return Ok(Value::from(true));
    }
    if env.assert_errors {
        let name = name
            .as_str()
            .map_or_else(|| to_json(name), ToString::to_string);
        return Err(FnError::runtime(format!(
            "\nAssertion for {name} failed:\n    expected: {}\n    got: {}\n",
            to_json(expected),
            to_json(got)
        )));
    }
    Ok(Value::from(vec![
        expected.clone_static(),
        got.clone_static(),
    ]))
}

fn nothing(_: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    Ok(Value::null())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, json, outcome};
    use super::super::{lookup, CallEnv};

    #[test]
    fn reference_examples() {
        check(&[
            ("std::test::assert", r#"["one equals one", 1, 1]"#, "true"),
            ("std::test::assert", r#"["one equals two", 1, 2]"#, "[1,2]"),
            ("std::test::suite", r#"[{"name": "x"}]"#, "null"),
            ("std::test::test", "[]", "null"),
        ]);
        let f = lookup("std::test::assert").expect("assert");
        let mut env = CallEnv {
            assert_errors: true,
            ..CallEnv::default()
        };
        let (name, one, two) = (json(r#""one is two""#), json("1"), json("2"));
        assert_eq!(
            outcome(f.invoke(&mut env, &[&name, &one, &two])),
            "ERR:Runtime error in function test::assert/3: \nAssertion for one is two failed:\n    expected: 1\n    got: 2\n"
        );
    }
}
