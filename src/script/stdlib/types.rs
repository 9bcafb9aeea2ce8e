//! `std::type`: a value's type name and the type tests.

use super::args::arg;
use super::env::CallEnv;
use super::function::{Function, Res};
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] = &[
    Function::new("std::type::as_string", 1, 1, as_string),
    Function::new("std::type::is_null", 1, 1, |_, a| test(a, Value::is_null)),
    Function::new("std::type::is_bool", 1, 1, |_, a| test(a, Value::is_bool)),
    Function::new("std::type::is_integer", 1, 1, |_, a| {
        test(a, Value::is_integer)
    }),
    Function::new("std::type::is_float", 1, 1, |_, a| test(a, Value::is_float)),
    Function::new("std::type::is_number", 1, 1, |_, a| {
        test(a, Value::is_number)
    }),
    Function::new("std::type::is_string", 1, 1, |_, a| test(a, Value::is_str)),
    Function::new("std::type::is_array", 1, 1, |_, a| test(a, Value::is_array)),
    Function::new("std::type::is_record", 1, 1, |_, a| {
        test(a, Value::is_object)
    }),
    Function::new("std::type::is_binary", 1, 1, |_, a| {
        test(a, Value::is_bytes)
    }),
];

fn test<'v>(args: &[&Value<'v>], f: impl FnOnce(&Value<'v>) -> bool) -> Res {
    Ok(Value::from(f(arg(args, 0)?)))
}

fn as_string(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(arg(args, 0)?.value_type_name()))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{call, check};
    use tremor_value::Value;

    #[test]
    fn reference_examples() {
        check(&[
            ("std::type::as_string", "[null]", r#""null""#),
            ("std::type::as_string", "[true]", r#""bool""#),
            ("std::type::as_string", "[1]", r#""integer""#),
            ("std::type::as_string", "[1e23]", r#""float""#),
            ("std::type::as_string", r#"["snot"]"#, r#""string""#),
            (
                "std::type::as_string",
                r#"[[null, true, "snot"]]"#,
                r#""array""#,
            ),
            ("std::type::as_string", r#"[{"snot": [1]}]"#, r#""record""#),
            ("std::type::is_null", "[null]", "true"),
            ("std::type::is_null", "[true]", "false"),
            ("std::type::is_bool", "[false]", "true"),
            ("std::type::is_integer", "[1]", "true"),
            ("std::type::is_integer", "[1.1]", "false"),
            ("std::type::is_float", "[1.0]", "true"),
            ("std::type::is_float", "[1]", "false"),
            ("std::type::is_number", "[1.0]", "true"),
            ("std::type::is_number", "[1]", "true"),
            ("std::type::is_string", r#"["goose"]"#, "true"),
            ("std::type::is_array", "[[]]", "true"),
            ("std::type::is_array", "[{}]", "false"),
            ("std::type::is_record", "[{}]", "true"),
            ("std::type::is_binary", "[true]", "false"),
        ]);
        let bytes = [Value::bytes(vec![1u8])];
        assert_eq!(
            call("std::type::as_string", &bytes).ok(),
            Some(Value::from("bytes"))
        );
        assert_eq!(
            call("std::type::is_binary", &bytes).ok(),
            Some(Value::from(true))
        );
    }
}
