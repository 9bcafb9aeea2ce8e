use super::*;
use crate::script::expr_parser::parse_expr;
use crate::script::test_support::assert_cases;

fn event() -> Value<'static> {
    Value::from_iter(vec![
        ("a", Value::from_iter(vec![("b", Value::from(2))])),
        ("s", Value::from("text")),
        ("n", Value::from(10)),
        ("f", Value::Static(StaticNode::F64(0.5))),
        ("t", Value::Static(StaticNode::Bool(true))),
        ("list", Value::Array(vec![Value::from(7), Value::from("x")])),
        ("key", Value::from("s")),
        ("odd key", Value::from(1)),
        ("big", Value::from(i64::MAX)),
    ])
}

fn args() -> Value<'static> {
    Value::from_iter(vec![("delay", Value::from(50))])
}

fn ev(src: &str) -> Result<Value<'static>, EvalError> {
    eval(&parse_expr(src, "e").expect("parses"), &event(), &args())
}

fn json(src: &str) -> String {
    tremor_value::to_json(&ev(src).expect("evaluates"))
}

fn err(src: &str) -> String {
    ev(src).expect_err("fails").to_string()
}

#[test]
fn literals_and_records() {
    assert_cases(
        json,
        &[
            ("1", "1"),
            (
                r#"{"x": [1, 2.5, "s", null, true,], "y": {},}"#,
                r#"{"x":[1,2.5,"s",null,true],"y":{}}"#,
            ),
            (
                r#"{"exit": 0, "delay": args.delay}"#,
                r#"{"exit":0,"delay":50}"#,
            ),
            (r##"{"#{event.s}": event.n}"##, r#"{"text":10}"#),
            (r##"{"#{event.n}": 1}"##, r#"{"10":1}"#),
        ],
    );
}

#[test]
fn event_access() {
    assert_cases(
        json,
        &[
            ("event.a.b", "2"),
            (r#"event["a"]["b"]"#, "2"),
            ("event.list[0]", "7"),
            ("event[event.key]", r#""text""#),
            (r#"event["odd key"]"#, "1"),
            ("event.a", r#"{"b":2}"#),
        ],
    );
    assert_cases(
        err,
        &[
            ("event.nope", "1:1: Trying to access a non existing event key `nope`"),
            ("event.a.nope", "1:1: Trying to access a non existing event key `nope`"),
            (
                r#"event["odd key"].x"#,
                "1:1: Trying to access a non existing event key `x` (the value is of type `integer`)",
            ),
            (
                "event.list[5]",
                "1:12: Bad array index, got `5` but expected an index in the range 0:2",
            ),
            (
                "event.list[0 - 1]",
                "1:14: Bad array index, got `-1` but expected an index in the range 0:2",
            ),
            (
                "event.list[true]",
                "1:12: The value of type `array` cannot be indexed with a value of type `bool`",
            ),
            ("args.nope", "1:1: unknown argument `nope`"),
        ],
    );
    assert_eq!(json("args"), r#"{"delay":50}"#);
}

#[test]
fn bare_event_is_the_whole_event() {
    let e = parse_expr("event", "e").expect("parses");
    assert!(e.is_event());
    let v = eval(&e, &Value::from("exit"), &args()).expect("evaluates");
    assert_eq!(tremor_value::to_json(&v), r#""exit""#);
}

#[test]
fn arithmetic() {
    assert_cases(
        json,
        &[
            ("1 + 2 * 3", "7"),
            ("10 * 1000 * 1000", "10000000"),
            ("event.n - 20", "-10"),
            ("6 / 3", "2.0"),
            ("7 / 2", "3.5"),
            ("event.n + event.f", "10.5"),
            ("1.5 * 2", "3.0"),
            ("-event.n", "-10"),
            ("+event.f", "0.5"),
            (r#""ab" + "cd""#, r#""abcd""#),
        ],
    );
    assert_eq!(
        json("9223372036854775807 + 1"),
        "9223372036854775808",
        "fits u64"
    );
    assert_cases(
        err,
        &[
            (
                "event.big * 4",
                "1:11: The binary operation `*` caused an over- or underflow",
            ),
            (
                "0 - 9223372036854775807 - 9223372036854775807",
                "1:25: The binary operation `-` caused an over- or underflow",
            ),
            (
                "1 / 0",
                "1:3: The binary operation `/` must have a non zero RHS",
            ),
            (
                "1.0 / 0",
                "1:5: The binary operation `/` must have a non zero RHS",
            ),
            (
                r#"event.s + 1"#,
                "1:9: The binary operation `+` is not defined for the type `string` and `integer`",
            ),
            (
                r#"1 - "a""#,
                "1:3: The binary operation `-` is not defined for the type `integer` and `string`",
            ),
            (
                r#"[] * 2"#,
                "1:4: The binary operation `*` is not defined for the type `array` and `integer`",
            ),
            (
                r#"null / 2"#,
                "1:6: The binary operation `/` is not defined for the type `null` and `integer`",
            ),
            (
                "-event.s",
                "1:1: The unary operation `-` is not defined for the type `string`",
            ),
            (
                "-18446744073709551615",
                "1:1: The unary operation `-` caused an over- or underflow",
            ),
        ],
    );
}

#[test]
fn comparison_and_logic() {
    assert_cases(
        json,
        &[
            ("1 + 2 * 3 == 7 and not false", "true"),
            ("1 == 1.0", "true"),
            (r#"event.a == {"b": 2.0}"#, "true"),
            (r#"event.s != "text""#, "false"),
            (r#"event == "exit""#, "false"),
            (r#"[1, "x"] == [1, "x"]"#, "true"),
            ("1 < 2", "true"),
            ("2 <= 2.0", "true"),
            ("0.5 > 1", "false"),
            (r#""b" >= "a""#, "true"),
        ],
    );
    assert_eq!(
        json(r#""a" < "b" or event.nope"#),
        "true",
        "or short-circuits"
    );
    assert_eq!(json("false and event.nope"), "false", "and short-circuits");
    assert_cases(
        err,
        &[
            (
                r#"1 < "a""#,
                "1:3: The binary operation `<` is not defined for the type `integer` and `string`",
            ),
            (
                "1 and true",
                "1:1: The binary operation `and` is not defined for the type `integer`",
            ),
            (
                "false or 2",
                "1:10: The binary operation `or` is not defined for the type `integer`",
            ),
            (
                "not 1",
                "1:1: The unary operation `not` is not defined for the type `integer`",
            ),
            (
                "true and event.nope",
                "1:10: Trying to access a non existing event key `nope`",
            ),
        ],
    );
}

#[test]
fn interpolation() {
    assert_cases(
        json,
        &[
            (
                r#""n=#{event.n} s=#{event.s} a=#{event.a} l=#{event.list}""#,
                r#""n=10 s=text a={\"b\":2} l=[7,\"x\"]""#,
            ),
            (r##""#{null}#{true}#{1.0}""##, r#""nulltrue1.0""#),
            (r##""#{"in #{args.delay}"}!""##, r#""in 50!""#),
        ],
    );
    assert_eq!(
        err(r#""x #{event.nope}""#),
        "1:6: Trying to access a non existing event key `nope`"
    );
}

#[test]
fn nanos() {
    assert_cases(
        json,
        &[
            ("nanos::from_millis(50)", "50000000"),
            ("nanos::from_seconds(2)", "2000000000"),
            ("nanos::from_micros(3)", "3000"),
            ("nanos::from_nanos(4)", "4"),
            ("nanos::from_millis(1.5)", "1500000"),
            ("nanos::from_millis(args.delay)", "50000000"),
        ],
    );
    assert_cases(
        err,
        &[
            (
                r#"nanos::from_seconds("1")"#,
                "1:21: `nanos::from_seconds` needs a number, got string",
            ),
            (
                "nanos::from_seconds(9223372036854775807)",
                "1:1: `nanos::from_seconds`: result does not fit 64 bits",
            ),
        ],
    );
}

#[test]
fn filters() {
    let f = |src: &str, event: &Value<'_>| {
        eval_filter(&parse_expr(src, "e").expect("parses"), event, &args())
    };
    let exit = Value::from("exit");
    let other = Value::from("other");
    assert_eq!(f(r#"event == "exit""#, &exit), Ok(true));
    assert_eq!(f(r#"event == "exit""#, &other), Ok(false));
    assert_eq!(f(r#"event != "exit""#, &other), Ok(true));
    let e = f("event", &other).expect_err("not a boolean");
    assert_eq!(
        e.to_string(),
        "1:1: `where` must evaluate to a boolean, got string"
    );
    assert_eq!(e.pos, Pos::new(1, 1));
}

#[test]
fn borrowed_events_are_copied_out() {
    let raw = String::from(r"borrowed text");
    let ev = Value::Array(vec![Value::String(beef::Cow::borrowed(raw.as_str()))]);
    let out = eval(&parse_expr("event[0]", "e").expect("parses"), &ev, &args()).expect("ok");
    drop(ev);
    drop(raw);
    assert_eq!(tremor_value::to_json(&out), r#""borrowed text""#);
}

#[test]
fn error_display() {
    let e = EvalError {
        message: "boom".into(),
        pos: Pos::new(3, 7),
    };
    assert_eq!(e.to_string(), "3:7: boom");
    let _: &dyn std::error::Error = &e;
}
