//! Scripts run end to end: source, input event, what comes out (as JSON), from the language
//! reference's examples and Tremor's own script tests.

use super::*;
use tremor_value::{parse_json, to_json, Value};

/// Runs `src` on the JSON `input`; the outcome as text: the emitted JSON (with ` => port`
/// when the port is not `out`), `drop`, or the error's message.
fn run(src: &str, input: &str) -> String {
    let script = match Script::compile(src, "test.tremor", &Value::object()) {
        Ok(s) => s,
        Err(e) => return format!("compile error: {}", e.message),
    };
    let mut bytes = input.as_bytes().to_vec();
    let mut event = parse_json(&mut bytes)
        .expect("test input is JSON")
        .into_static();
    let mut meta = Value::object();
    let mut state = Value::null();
    let mut ctx = RunContext {
        event: &mut event,
        meta: &mut meta,
        state: &mut state,
        ingest_ns: 42,
        origin: None,
    };
    let out = match script.run(&mut ctx) {
        Ok(Outcome::EmitEvent { port }) => (to_json(ctx.event), port.to_string()),
        Ok(Outcome::Emit { port, value }) => (to_json(&value), port.to_string()),
        Ok(Outcome::Drop) => return "drop".to_string(),
        Err(e) => return format!("error: {}", e.message),
    };
    if out.1 == "out" {
        out.0
    } else {
        format!("{} => {}", out.0, out.1)
    }
}

fn cases(list: &[(&str, &str, &str)]) {
    for (src, input, expected) in list {
        assert_eq!(run(src, input), *expected, "script: {src}\ninput: {input}");
    }
}

#[test]
fn literals_and_operators() {
    cases(&[
        ("1 + 2 * 3", "null", "7"),
        ("7 / 2", "null", "3.5"),
        ("4 / 2", "null", "2.0"),
        ("7 % 3", "null", "1"),
        ("42 >> 1", "null", "21"),
        ("1 << 4", "null", "16"),
        ("-8 >>> 60", "null", "15"),
        ("5 & 3", "null", "1"),
        ("5 ^ 3", "null", "6"),
        ("!0", "null", "18446744073709551615"),
        ("true xor false", "null", "true"),
        ("true and not false", "null", "true"),
        (r#""a" + "b""#, "null", r#""ab""#),
        ("[1] + [2]", "null", "[1,2]"),
        (r#"{"a": 1} + {"b": 2}"#, "null", r#"{"b":2,"a":1}"#),
        ("<<1, 2>>", "null", "[1,2]"),
        ("<<1:4, 2:4>>", "null", "[18]"),
        (r##""#{event} is #{1 + 1}""##, r#""x""#, r#""x is 2""#),
    ]);
}

#[test]
fn operator_errors_read_like_tremors() {
    // Operators on constants are computed when the script compiles (as Tremor folds them), so
    // their errors are compile errors; on the event they are run-time errors.
    cases(&[
        (
            "42 >> 1.0",
            "null",
            "compile error: The binary operation `>>` is not defined for the type `integer` and `float`",
        ),
        (
            "42 >> 64",
            "null",
            "compile error: RHS value is larger than or equal to the number of bits in LHS value",
        ),
        (
            "1 / 0",
            "null",
            "compile error: The binary operation `/` must have a non zero RHS",
        ),
        ("9223372036854775807 + 1", "null", "9223372036854775808"),
        (
            "-9223372036854775807 - 2",
            "null",
            "compile error: The binary operation `-` caused an over- or underflow",
        ),
        (
            r#"1 + "a""#,
            "null",
            "compile error: The binary operation `+` is not defined for the type `integer` and `string`",
        ),
        (
            "event.nope",
            "{}",
            "error: Trying to access a non existing event key `nope`",
        ),
        (
            "event.a >> 1.0",
            r#"{"a": 42}"#,
            "error: The binary operation `>>` is not defined for the type `integer` and `float`",
        ),
    ]);
}

#[test]
fn paths_and_lets() {
    cases(&[
        ("event.a[1]", r#"{"a": [1, 2, 3]}"#, "2"),
        ("event.a[1:3]", r#"{"a": [1, 2, 3]}"#, "[2,3]"),
        ("event[\"a b\"]", r#"{"a b": 1}"#, "1"),
        ("let event.b = 2; event", r#"{"a": 1}"#, r#"{"a":1,"b":2}"#),
        ("let event.x.y = 2; event", "{}", r#"{"x":{"y":2}}"#),
        ("let $x = 1; $x", "null", "1"),
        ("let state = 3; state + 1", "null", "4"),
        ("let a = [1, 2]; let b = a[0]; b + a[1]", "null", "3"),
        ("let a = {}; let a.b = 1; a", "null", r#"{"b":1}"#),
        ("present event.a", r#"{"a": null}"#, "true"),
        ("absent event.a.b", r#"{"a": 1}"#, "true"),
        ("let event = 5; event", "{}", "5"),
        ("let x = 1; let y = 2", "null", "2"),
        (r#"{"a": 1, "a": 2}"#, "null", r#"{"a":2}"#),
        (r#"<<49>> == "1""#, "null", "true"),
        (
            "const C = 7; [present C, present nope, absent nope]",
            "null",
            "[true,false,true]",
        ),
        ("present event.a[0:2][1]", r#"{"a": [1, 2]}"#, "true"),
        ("present event.a[1:42]", r#"{"a": [1, 2]}"#, "false"),
        ("!12", "null", "18446744073709551603"),
        ("args", "null", "{}"),
    ]);
}

#[test]
fn emit_and_drop() {
    cases(&[
        ("drop", "1", "drop"),
        ("emit", "1", "1"),
        (r#"emit 2 => "other""#, "1", "2 => other"),
        (r#"emit => "p""#, "1", "1 => p"),
        ("emit event.a; 5", r#"{"a": 3}"#, "3"),
        ("let event.a = 1; event", "{}", r#"{"a":1}"#),
    ]);
}

#[test]
fn match_patterns() {
    let classify = r#"
match event of
  case %{ level == "error" } => "err"
  case %{ present code, code > 500 } => "5xx"
  case %[ 1 ] => "has one"
  case %( "a", ... ) => "tuple"
  case r = %{ absent level, present x } when r.x == 1 => "x is one"
  case "str" => "the string"
  case _ => "other"
end"#;
    cases(&[
        (classify, r#"{"level": "error"}"#, r#""err""#),
        (classify, r#"{"code": 503}"#, r#""5xx""#),
        (classify, r#"{"code": 200}"#, r#""other""#),
        (classify, "[3, 1]", r#""has one""#),
        (
            "match event of case r = %[ 1, 2 ] => r case _ => null end",
            "[1, 0]",
            "null",
        ),
        (
            "match event of case r = %[ 1, 2 ] => r case _ => null end",
            "[2, 1, 1]",
            "[[1,1],[2,1],[0,2]]",
        ),
        // Tremor: `_` matches when the array has an element and binds nothing.
        (
            "match event of case r = %[ _ ] => r case _ => null end",
            "[1, 0]",
            "[]",
        ),
        (
            "match event of case r = %[ _ ] => r case _ => null end",
            "[]",
            "null",
        ),
        (
            "match event of case r = %[ 0, _ ] => r case _ => null end",
            "[1, 0]",
            "[[1,0]]",
        ),
        (
            "match event of case %{ a ~= %[ _ ] } => event case _ => null end",
            r#"{"a": [1]}"#,
            r#"{"a":[1]}"#,
        ),
        (classify, r#"["a", 2]"#, r#""tuple""#),
        (classify, r#"{"x": 1}"#, r#""x is one""#),
        (classify, r#""str""#, r#""the string""#),
        (
            "match event of case 1 => 2 end",
            "3",
            "error: A match expression executed but no clause matched",
        ),
        (
            "match event of case 1 => let event = 2; event default => 3 end",
            "1",
            "2",
        ),
        (
            "match event of case %{} => \"record\" default => \"else\" end",
            "{}",
            r#""record""#,
        ),
        (
            "match event of case foo = %[ 2, ~ re|4| ] => foo case _ => \"ko\" end",
            r#"[1, 2, 3, "4"]"#,
            r#"[[1,2],[3,{}]]"#,
        ),
        (
            "match event of case %{ a ~= %{ b == 1 } } => true case _ => false end",
            r#"{"a": {"b": 1}}"#,
            "true",
        ),
        (
            "match event of case x = ~ json|| => x case _ => 0 end",
            r#""{\"a\": 1}""#,
            r#"{"a":1}"#,
        ),
        (
            "let x = match event of case 1 => \"one\" case _ => \"many\" end; x",
            "1",
            r#""one""#,
        ),
    ]);
}

#[test]
fn comprehensions_patch_merge() {
    cases(&[
        ("for event of case (k, v) => v + 1 end", "[1, 2]", "[2,3]"),
        (
            "for event of case (k, v) when v > 1 => v end",
            "[1, 2, 3]",
            "[2,3]",
        ),
        (
            r##"for event of case (k, v) => {"#{k}": v + 1} into {} end"##,
            "[1, 2]",
            r#"{"0":2,"1":3}"#,
        ),
        (
            "for event of case (k, v) => v into 1 use * end",
            "[1, 2, 3, 4]",
            "24",
        ),
        (
            "for event of case (k, v) => k end",
            r#"{"a": 1}"#,
            r#"["a"]"#,
        ),
        (
            "for event of case (k, v) => let state = v; v end; state",
            "[1, 2]",
            "2",
        ),
        (
            r#"patch event of insert "b" => 2; erase "a" end"#,
            r#"{"a": 1}"#,
            r#"{"b":2}"#,
        ),
        (
            r#"patch event of insert "a" => 2 end"#,
            r#"{"a": 1}"#,
            "error: The key that is supposed to be written to already exists: a",
        ),
        (
            r#"patch event of update "a" => 2; upsert "c" => 3 end"#,
            r#"{"a": 1}"#,
            r#"{"a":2,"c":3}"#,
        ),
        (
            r#"patch event of default "a" => 2; default "b" => 3 end"#,
            r#"{"a": 1}"#,
            r#"{"a":1,"b":3}"#,
        ),
        (
            r#"patch event of copy "a" => "b"; move "a" => "c" end"#,
            r#"{"a": 1}"#,
            r#"{"b":1,"c":1}"#,
        ),
        (
            r#"patch event of merge "a" => {"y": 2}; merge => {"z": null} end"#,
            r#"{"a": {"x": 1}, "z": 1}"#,
            r#"{"a":{"x":1,"y":2},"z":null}"#,
        ),
        (
            r#"merge event of {"a": null, "b": {"c": 1}} end"#,
            r#"{"a": 1, "b": {"d": 2}}"#,
            r#"{"a":null,"b":{"d":2,"c":1}}"#,
        ),
    ]);
}

#[test]
fn functions_and_constants() {
    cases(&[
        ("const A = 2; const B = A * 3; B", "null", "6"),
        ("fn add(a, b) with a + b end; add(1, 2)", "null", "3"),
        ("fn fib(n) with match n of case 0 => 0 case 1 => 1 case _ => fib(n - 1) + fib(n - 2) end end; fib(10)", "null", "55"),
        ("fn fact(n, acc) with match n of case 0 => acc case _ => recur(n - 1, acc * n) end end; fact(5, 1)", "null", "120"),
        ("fn f(a) of case (1) => \"one\" case _ => \"other\" end; [f(1), f(2)]", "null", r#"["one","other"]"#),
        ("mod m with const C = 1; fn g() with C + 1 end end; m::g() + m::C", "null", "3"),
        ("intrinsic fn len(s) as string::len; len(\"abc\")", "null", "3"),
        ("string::len(event)", r#""abcd""#, "4"),
        ("std::array::len(event)", "[1, 2]", "2"),
        ("snot::badger(event)", "null", "compile error: Call to undefined function snot::badger"),
        ("nanos::from_millis(2)", "null", "2000000"),
        (
            "fn f(s) of case (~ json||) => let s.x = 1; s case _ => 0 end; f(event)",
            r#""{\"a\": 2}""#,
            r#"{"a":2,"x":1}"#,
        ),
    ]);
}

#[test]
fn syntax_errors_read_like_tremors() {
    let err = Script::compile("let x = ;", "s.tremor", &Value::object()).expect_err("fails");
    assert_eq!(err.pos, Pos::new(1, 9));
    assert!(
        err.to_string()
            .starts_with("Error: \n    1 | let x = ;\n      |         ^"),
        "{err}"
    );
    let err = Script::compile("patch event of insert 7 => 1 end", "s", &Value::object());
    let msg = err.expect_err("fails").message;
    assert_eq!(
        msg,
        "Found the token `7` but expected one of `\"`, `\"\"\"`"
    );
    let err = Script::compile(r##""#{}""##, "s.tremor", &Value::object()).expect_err("fails");
    assert_eq!(err.message, "You have an interpolation without content.");
    let err = Script::compile("match event of case 1 => 1", "s.tremor", &Value::object())
        .expect_err("fails");
    assert!(
        err.message
            .starts_with("Found the end of the input but expected one of"),
        "{}",
        err.message
    );
}

#[test]
fn metadata_root_is_not_assignable_but_its_fields_are() {
    cases(&[
        // `$` then a line break and `end`-like words: the root, not a field named by a keyword.
        (
            "let $ = {\"new\": \"data\"};\n$",
            "null",
            "error: You are trying to assign to a value that isn't valid",
        ),
        ("let $.a = 1;\n$", "null", r#"{"a":1}"#),
        ("let $.a = 1;\n$\n", "null", r#"{"a":1}"#),
        ("let $[\"end\"] = 2;\n$", "null", r#"{"end":2}"#),
    ]);
    // A reserved word after `$` is not a field name (Tremor's `define script … $ end;`).
    assert!(
        run("$\nend", "null").starts_with("compile error"),
        "`$ end` must not read as the field `$end`"
    );
}

#[test]
fn reading_a_local_never_assigned_fails_at_run_time() {
    // Tremor's tests/script_runtime_errors missing_local and undefined_local.
    let missing = "Trying to access a non existing local key `missing_var`";
    cases(&[
        ("missing_var", "{}", &format!("error: {missing}")),
        (
            "match true of\n  case false => let missing_var = true\n  case _ => null\nend;\nmissing_var",
            "{}",
            &format!("error: {missing}"),
        ),
        // A `case` pattern is an expression: an unknown name in it is such a local.
        (
            "match event of case b => 1 case _ => 2 end",
            "1",
            "error: Trying to access a non existing local key `b`",
        ),
        // Only reading fails: a `case` never taken may name it, `present` says it is not.
        ("match true of case true => 1 case _ => snot end", "{}", "1"),
        ("present snot", "{}", "false"),
        // Assigned in a `case` that ran, it reads as usual; so do a function's locals.
        ("match true of case true => let a = 1 case _ => null end;\na", "{}", "1"),
        ("fn f(x) with let y = x + 1; y end;\nf(1)", "{}", "2"),
        (
            "fn f(x) with match x of case 1 => let y = 1 case _ => null end; y end;\nf(2)",
            "{}",
            "error: Trying to access a non existing local key `y`",
        ),
    ]);
    // Tremor underlines the name.
    let script = Script::compile("1 + missing_var", "s.tremor", &Value::object()).expect("ok");
    let mut event = Value::object();
    let (mut meta, mut state) = (Value::object(), Value::null());
    let mut ctx = RunContext {
        event: &mut event,
        meta: &mut meta,
        state: &mut state,
        ingest_ns: 0,
        origin: None,
    };
    let err = script.run(&mut ctx).expect_err("fails");
    assert_eq!(
        err.to_string(),
        "Error: \n    1 | 1 + missing_var\n      |     ^^^^^^^^^^^ Trying to access a non existing local key `missing_var`"
    );
}
