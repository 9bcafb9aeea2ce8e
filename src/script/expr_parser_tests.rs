use super::*;
use crate::script::expr::{Literal, PathRoot, Segment};
use crate::script::test_support::assert_cases;

/// Writes an expression fully parenthesised, to check the tree's shape.
fn show(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal(Literal(v)) => tremor_value::to_json(v),
        ExprKind::Record(fields) => {
            let f: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}: {}", show(k), show(v)))
                .collect();
            format!("{{{}}}", f.join(", "))
        }
        ExprKind::Array(items) => {
            let i: Vec<String> = items.iter().map(show).collect();
            format!("[{}]", i.join(", "))
        }
        ExprKind::Path(root, segs) => {
            let mut s = root.to_string();
            for seg in segs {
                match seg {
                    Segment::Field(f) => s.push_str(&format!(".{f}")),
                    Segment::Index(e) => s.push_str(&format!("[{}]", show(e))),
                    Segment::Range(a, b) => s.push_str(&format!("[{}:{}]", show(a), show(b))),
                }
            }
            s
        }
        ExprKind::Interp(parts) => {
            let p: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    InterpPart::Lit(s) => format!("{s:?}"),
                    InterpPart::Expr(e) => format!("#{{{}}}", show(e)),
                })
                .collect();
            format!("interp({})", p.join(" "))
        }
        ExprKind::Unary(op, e) => {
            let op = match op {
                UnOp::Not => "not ",
                UnOp::Neg => "-",
                UnOp::Plus => "+",
                UnOp::BitNot => "!",
            };
            format!("({op}{})", show(e))
        }
        ExprKind::Binary(first, rest) => rest.iter().fold(show(first), |acc, step| {
            format!("({acc} {} {})", step.op, show(&step.rhs))
        }),
        ExprKind::Call(f, a) => format!("{f}({})", show(&a[0])),
        other => format!("{other:?}"),
    }
}

fn p(src: &str) -> String {
    show(&parse_expr(src, "e").expect("parses"))
}

fn err(src: &str) -> String {
    parse_expr(src, "e").expect_err("fails").to_string()
}

#[test]
fn precedence() {
    assert_eq!(
        p("1 + 2 * 3 == 7 and not false"),
        "(((1 + (2 * 3)) == 7) and (not false))"
    );
}

#[test]
fn precedence_levels() {
    assert_cases(
        p,
        &[
            ("1 - 2 - 3", "((1 - 2) - 3)"),
            ("8 / 4 / 2", "((8 / 4) / 2)"),
            ("1 + 2 < 4 == true", "(((1 + 2) < 4) == true)"),
            ("true or false and false", "(true or (false and false))"),
            ("(1 + 2) * 3", "((1 + 2) * 3)"),
            ("not event.a == 1", "((not event.a) == 1)"),
            ("- - 1", "1"),
            ("-event.a * 2", "((-event.a) * 2)"),
            ("+1", "(+1)"),
            (
                "event.a >= 1 or event.b <= 2 and event.c != 3 or event.d > 4",
                "(((event.a >= 1) or ((event.b <= 2) and (event.c != 3))) or (event.d > 4))",
            ),
        ],
    );
}

#[test]
fn literals() {
    assert_cases(
        p,
        &[
            ("null", "null"),
            (
                "[1, 2.5, \"s\", true, false, null,]",
                r#"[1, 2.5, "s", true, false, null]"#,
            ),
            ("[]", "[]"),
            ("{}", "{}"),
            (
                r#"{ "a": 1, "b": {"c": [1,],}, }"#,
                r#"{"a": 1, "b": {"c": [1]}}"#,
            ),
            ("-9223372036854775808", "-9223372036854775808"),
            ("9223372036854775808", "9223372036854775808"),
            ("-1.5", "-1.5"),
            ("1_000", "1000"),
        ],
    );
}

#[test]
fn paths() {
    assert_cases(
        p,
        &[
            ("event", "event"),
            ("event.a.b", "event.a.b"),
            (r#"event["k"]["a b"]"#, "event.k.a b"),
            ("event[0]", "event[0]"),
            ("event[event.k]", "event[event.k]"),
            ("args.delay", "args.delay"),
            ("event.`strange-name`", "event.strange-name"),
            ("args", "args"),
        ],
    );
}

#[test]
fn interpolation() {
    assert_cases(
        p,
        &[
            (r#""plain""#, r#""plain""#),
            (
                r#""a #{event.x + 1} b #{"in #{args.y}"}""#,
                r#"interp("a " #{(event.x + 1)} " b " #{interp("in " #{args.y})})"#,
            ),
            (
                "\"\"\"\n  #{event}\n\"\"\"",
                r#"interp("  " #{event} "\n")"#,
            ),
        ],
    );
    assert_cases(
        err,
        &[
            (
                r##""#{}""##,
                "e:1:2: You have an interpolation without content.",
            ),
            (
                r##""#{1 2}""##,
                "e:1:6: expected `}` closing the interpolation, found `2`",
            ),
        ],
    );
}

#[test]
fn nanos_functions() {
    assert_cases(
        p,
        &[
            ("nanos::from_millis(50)", "nanos::from_millis(50)"),
            ("nanos::from_seconds(1)", "nanos::from_seconds(1)"),
            ("nanos::from_micros(1)", "nanos::from_micros(1)"),
            ("nanos::from_nanos(1)", "nanos::from_nanos(1)"),
            ("std::time::nanos::from_millis(2)", "nanos::from_millis(2)"),
        ],
    );
    assert_cases(
        err,
        &[
            (
                "nanos::from_hours(1)",
                "e:1:1: Call to undefined function nanos::from_hours",
            ),
            (
                "snot::badger(event)",
                "e:1:1: Call to undefined function snot::badger",
            ),
            ("len(event)", "e:1:1: Call to undefined function ::len"),
            (
                "nanos::from_millis(1, 2)",
                "e:1:1: `nanos::from_millis` takes 1 argument, got 2",
            ),
            (
                "nanos::from_millis",
                "e:1:1: The constant nanos::from_millis (absolute path) is not defined.",
            ),
        ],
    );
}

#[test]
fn script_constructs_are_expressions_too() {
    // Troy's expressions are the script language's: what the Troy subset refused parses now.
    assert_eq!(p("$meta"), "$.meta");
    assert_eq!(p("state.x"), "state.x");
    assert_eq!(p("event[1:2]"), "event[1:2]");
    assert_eq!(p("1 % 2"), "(1 % 2)");
    assert_eq!(p("true xor false"), "(true xor false)");
    assert_eq!(p("1 >> 2 >>> 3 << 4"), "(((1 >> 2) >>> 3) << 4)");
    assert_eq!(p("1 & 2 ^ 3"), "((1 & 2) ^ 3)");
    for src in [
        "match event of case _ => 1 end",
        "patch event of insert \"a\" => 1 end",
        "merge event of {} end",
        "for event of case (k, v) => v end",
        "present event.a",
        "absent event.a",
        "<<1, 2:4/little>>",
    ] {
        assert!(parse_expr(src, "e").is_ok(), "{src}");
    }
    assert!(matches!(
        parse_expr("$", "e").map(|e| e.kind),
        Ok(ExprKind::Path(PathRoot::Meta, _))
    ));
    assert!(err("1 | 2").contains("extractor"));
}

#[test]
fn syntax_errors() {
    assert_eq!(err("foo"), "e:1:1: Unknown local variable: `foo`");
    assert!(err("`x`").contains("Unknown local variable: `x`"));
    assert_cases(
        err,
        &[
            (
                "1 +",
                "e:1:4: expected an expression, found the end of the input",
            ),
            ("(1", "e:1:3: expected `)`, found the end of the input"),
            ("[1 2]", "e:1:4: expected `]`, found `2`"),
            (
                "{a: 1}",
                "e:1:2: record keys must be strings: write `a` in double quotes",
            ),
            (r#"{"a" 1}"#, "e:1:6: expected `:`, found `1`"),
            (
                "1 2",
                "e:1:3: expected the end of the expression, found `2`",
            ),
            (
                "event.",
                "e:1:7: expected a field name, found the end of the input",
            ),
        ],
    );
    // too small for i64: kept as a unary minus, which fails when evaluated
    assert_eq!(p("-18446744073709551615"), "(-18446744073709551615)");
}

#[test]
fn positions() {
    let e = parse_expr("event.a +\n  2", "e").expect("parses");
    assert_eq!(
        (e.pos.line, e.pos.column),
        (1, 9),
        "a binary expression sits at its operator"
    );
    let ExprKind::Binary(a, rest) = &e.kind else {
        panic!("binary expected");
    };
    let b = &rest[0].rhs;
    assert_eq!((a.pos.line, a.pos.column), (1, 1));
    assert_eq!((b.pos.line, b.pos.column), (2, 3));
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let src = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    assert!(err(&src).contains("nested too deeply"));
    let src = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    assert!(err(&src).contains("nested too deeply"));
    let src = "not ".repeat(5000) + "true";
    assert!(err(&src).contains("nested too deeply"));
    let ok = format!("{}1{}", "(".repeat(50), ")".repeat(50));
    assert_eq!(p(&ok), "1");
}
