//! Plan-time work on expressions: substituting `args` and folding constants, so that per-event
//! evaluation only does what depends on the event.
//!
//! Every subexpression that does not read `event` is evaluated once, with the resolved arguments,
//! and replaced by its value. An error there (an unknown argument, `1 + "a"`) is a planning error
//! even if the subexpression would never have been reached at run time.

use super::eval::{eval, EvalError};
use super::expr::{Expr, ExprKind, InterpPart, Operation, PathRoot, Segment};
use tremor_value::Value;

/// Evaluates an expression that has no event to read (`config`, `with`, argument defaults).
///
/// # Errors
/// When the expression reads `event`, or its evaluation fails.
pub fn eval_const(expr: &Expr, args: &Value<'_>) -> Result<Value<'static>, EvalError> {
    if let Some(pos) = expr.find_root(PathRoot::Event) {
        return Err(EvalError {
            message: "`event` cannot be used here: there is no event when a deployment is planned"
                .to_string(),
            pos,
        });
    }
    eval(expr, &Value::null(), args)
}

/// Substitutes `args` and folds every event-independent subexpression into a constant.
///
/// # Errors
/// When an event-independent subexpression fails to evaluate.
pub fn fold(expr: &Expr, args: &Value<'_>) -> Result<Expr, EvalError> {
    if expr.find_runtime().is_none() {
        let v = eval(expr, &Value::null(), args)?;
        return Ok(Expr::literal(v, expr.pos));
    }
    let kind = match &expr.kind {
        ExprKind::Literal(_) => expr.kind.clone(),
        ExprKind::Record(fields) => ExprKind::Record(
            fields
                .iter()
                .map(|(k, v)| Ok((fold(k, args)?, fold(v, args)?)))
                .collect::<Result<_, EvalError>>()?,
        ),
        ExprKind::Array(items) => ExprKind::Array(fold_all(items, args)?),
        ExprKind::Call(f, items) => ExprKind::Call(*f, fold_all(items, args)?),
        ExprKind::Path(root, segs) => {
            let mut out = Vec::with_capacity(segs.len());
            for s in segs {
                out.push(match s {
                    Segment::Field(f) => Segment::Field(f.clone()),
                    Segment::Range(a, b) => {
                        Segment::Range(Box::new(fold(a, args)?), Box::new(fold(b, args)?))
                    }
                    Segment::Index(e) => {
                        let e = fold(e, args)?;
                        match e.as_literal().and_then(Value::as_str) {
                            Some(name) => Segment::Field(name.to_string()),
                            None => Segment::Index(Box::new(e)),
                        }
                    }
                });
            }
            ExprKind::Path(*root, out)
        }
        ExprKind::Interp(parts) => ExprKind::Interp(fold_interp(parts, args)?),
        ExprKind::Unary(op, e) => ExprKind::Unary(*op, Box::new(fold(e, args)?)),
        ExprKind::Binary(first, rest) => fold_chain(first, rest, args)?,
        // The script constructs are folded where their constant parts are literals already.
        _ => expr.kind.clone(),
    };
    Ok(Expr {
        kind,
        pos: expr.pos,
    })
}

/// Folds a chain that reads `event` somewhere: each operand on its own, and the constant prefix
/// before the first operand that reads `event` into one value, as the left-nested tree
/// `((a OP b) OP c) ...` it stands for would have folded.
fn fold_chain(first: &Expr, rest: &[Operation], args: &Value<'_>) -> Result<ExprKind, EvalError> {
    let first = fold(first, args)?;
    let mut folded = Vec::with_capacity(rest.len());
    for step in rest {
        folded.push(Operation {
            op: step.op,
            pos: step.pos,
            rhs: fold(&step.rhs, args)?,
        });
    }
    let constant_prefix = if first.as_literal().is_some() {
        folded
            .iter()
            .take_while(|step| step.rhs.as_literal().is_some())
            .count()
    } else {
        0
    };
    if constant_prefix == 0 {
        return Ok(ExprKind::Binary(Box::new(first), folded));
    }
    let tail = folded.split_off(constant_prefix);
    let pos = folded[0].pos;
    let prefix = Expr {
        kind: ExprKind::Binary(Box::new(first), folded),
        pos,
    };
    let value = eval(&prefix, &Value::null(), args)?;
    Ok(ExprKind::Binary(Box::new(Expr::literal(value, pos)), tail))
}

fn fold_all(items: &[Expr], args: &Value<'_>) -> Result<Vec<Expr>, EvalError> {
    items.iter().map(|i| fold(i, args)).collect()
}

/// Folds the parts of an interpolation, turning constant parts into text and merging neighbours.
fn fold_interp(parts: &[InterpPart], args: &Value<'_>) -> Result<Vec<InterpPart>, EvalError> {
    let mut out: Vec<InterpPart> = Vec::with_capacity(parts.len());
    for p in parts {
        let part = match p {
            InterpPart::Lit(s) => InterpPart::Lit(s.clone()),
            InterpPart::Expr(e) => {
                let e = fold(e, args)?;
                match e.as_literal() {
                    Some(Value::String(s)) => InterpPart::Lit(s.to_string()),
                    Some(v) => InterpPart::Lit(tremor_value::to_json(v)),
                    None => InterpPart::Expr(e),
                }
            }
        };
        match (out.last_mut(), part) {
            (Some(InterpPart::Lit(prev)), InterpPart::Lit(s)) => prev.push_str(&s),
            (_, part) => out.push(part),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::expr_parser::parse_expr;

    fn args() -> Value<'static> {
        Value::from_iter(vec![("delay", Value::from(50)), ("name", Value::from("x"))])
    }

    fn folded(src: &str) -> Expr {
        fold(&parse_expr(src, "t").expect("parses"), &args()).expect("folds")
    }

    #[test]
    fn constant_parts_become_literals() {
        let e = folded(r#"{"exit": 0, "delay": args.delay}"#);
        let v = e.as_literal().expect("whole record is constant");
        assert_eq!(tremor_value::to_json(v), r#"{"exit":0,"delay":50}"#);
        assert!(folded("1 + 2 * 3").as_literal().is_some());
    }

    #[test]
    fn event_parts_stay() {
        let e = folded(r#"{"a": event.a, "b": args.delay + 1}"#);
        let ExprKind::Record(fields) = &e.kind else {
            panic!("record expected: {e:?}");
        };
        assert!(fields[0].1.as_literal().is_none());
        assert_eq!(fields[1].1.as_literal(), Some(&Value::from(51)));
        let e = folded(r#"event[args.name]"#);
        assert_eq!(
            e.kind,
            ExprKind::Path(PathRoot::Event, vec![Segment::Field("x".into())])
        );
    }

    #[test]
    fn interpolation_merges_constant_text() {
        let e = folded(r#""a #{args.name} #{args.delay} #{event} b""#);
        let ExprKind::Interp(parts) = &e.kind else {
            panic!("interp expected: {e:?}");
        };
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], InterpPart::Lit("a x 50 ".into()));
        assert_eq!(parts[2], InterpPart::Lit(" b".into()));
    }

    #[test]
    fn errors() {
        let e = fold(
            &parse_expr("event.a + args.nope", "t").expect("parses"),
            &args(),
        );
        let err = e.expect_err("unknown argument");
        assert_eq!(err.message, "unknown argument `nope`");
        assert_eq!((err.pos.line, err.pos.column), (1, 11));
        let err = eval_const(&parse_expr("[1, event]", "t").expect("parses"), &args())
            .expect_err("event at plan time");
        assert!(err.message.contains("`event` cannot be used here"), "{err}");
        assert_eq!(err.pos.column, 5);
    }
}
