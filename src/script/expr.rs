//! Expression syntax trees (re-exported by [`super::ast`]).
//!
//! Expressions are evaluated directly from this tree by [`super::eval`]; the planner substitutes
//! `args` and folds constants ([`super::fold`]) before a pipeline runs them.

use super::error::Pos;
use std::fmt;
use tremor_value::Value;

/// An expression and where it starts (for operators: where the operator is).
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Its position, used in evaluation errors.
    pub pos: Pos,
}

/// A constant value.
#[derive(Clone, PartialEq)]
pub struct Literal(pub Value<'static>);

impl fmt::Debug for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Literal({:?})", &self.0)
    }
}

/// The kinds of expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A constant (also what constant folding produces).
    Literal(Literal),
    /// `{ key: value, ... }`; keys are string expressions (literal or interpolated).
    Record(Vec<(Expr, Expr)>),
    /// `[a, b, ...]`.
    Array(Vec<Expr>),
    /// `event...` or `args...` followed by field or index accesses.
    Path(PathRoot, Vec<Segment>),
    /// An interpolated string `"a #{b} c"`.
    Interp(Vec<InterpPart>),
    /// `not x`, `-x`, `+x`.
    Unary(UnOp, Box<Expr>),
    /// `a OP b OP c ...`: operators of one precedence level, applied left to right. A chain is
    /// kept flat (the first operand, then each operator with its right operand) so that a
    /// 100,000-term `1 + 1 + ...` is a loop when folded, evaluated or dropped, not a tree as deep as
    /// the chain is long (which overflows the stack). Its position is its first operator's.
    Binary(Box<Expr>, Vec<Operation>),
    /// A call of a builtin function, resolved when parsed.
    Call(Func, Vec<Expr>),
}

/// One step of a [`ExprKind::Binary`] chain: the operator, where it is, and its right operand.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The operator.
    pub op: BinOp,
    /// Where the operator is (errors of this step point here).
    pub pos: Pos,
    /// The right operand.
    pub rhs: Expr,
}

impl BinOp {
    /// How tightly the operator binds: operators of one level form one chain.
    #[must_use]
    pub fn binding_power(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne => 3,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
        }
    }
}

/// What a path starts at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathRoot {
    /// The current event.
    Event,
    /// The arguments of the enclosing definition.
    Args,
}

impl fmt::Display for PathRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathRoot::Event => "event",
            PathRoot::Args => "args",
        })
    }
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.name` or `["name"]`.
    Field(String),
    /// `[expr]` with a key or index only known when evaluated.
    Index(Box<Expr>),
}

/// One part of an interpolated string.
#[derive(Debug, Clone, PartialEq)]
pub enum InterpPart {
    /// Literal text.
    Lit(String),
    /// `#{expr}`: strings are inserted as they are, other values as compact JSON.
    Expr(Expr),
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `not`
    Not,
    /// `-`
    Neg,
    /// `+`
    Plus,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl fmt::Display for BinOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        })
    }
}

/// The builtin functions of the subset (`nanos::...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `nanos::from_nanos(n)` = n
    FromNanos,
    /// `nanos::from_micros(n)` = n * 1 000
    FromMicros,
    /// `nanos::from_millis(n)` = n * 1 000 000
    FromMillis,
    /// `nanos::from_seconds(n)` = n * 1 000 000 000
    FromSeconds,
}

impl Func {
    /// The function for a name inside the `nanos` module.
    #[must_use]
    pub fn nanos(name: &str) -> Option<Self> {
        match name {
            "from_nanos" => Some(Func::FromNanos),
            "from_micros" => Some(Func::FromMicros),
            "from_millis" => Some(Func::FromMillis),
            "from_seconds" => Some(Func::FromSeconds),
            _ => None,
        }
    }

    /// How many nanoseconds one unit of the argument is.
    #[must_use]
    pub fn factor(self) -> i64 {
        match self {
            Func::FromNanos => 1,
            Func::FromMicros => 1_000,
            Func::FromMillis => 1_000_000,
            Func::FromSeconds => 1_000_000_000,
        }
    }
}

impl fmt::Display for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Func::FromNanos => "nanos::from_nanos",
            Func::FromMicros => "nanos::from_micros",
            Func::FromMillis => "nanos::from_millis",
            Func::FromSeconds => "nanos::from_seconds",
        })
    }
}

impl Expr {
    /// A constant expression.
    #[must_use]
    pub fn literal(value: Value<'static>, pos: Pos) -> Self {
        Self {
            kind: ExprKind::Literal(Literal(value)),
            pos,
        }
    }

    /// True for the bare `event`: the runtime can forward the event without evaluating (copying) it.
    #[must_use]
    pub fn is_event(&self) -> bool {
        matches!(&self.kind, ExprKind::Path(PathRoot::Event, segs) if segs.is_empty())
    }

    /// The constant value, when the expression is one.
    #[must_use]
    pub fn as_literal(&self) -> Option<&Value<'static>> {
        match &self.kind {
            ExprKind::Literal(Literal(v)) => Some(v),
            _ => None,
        }
    }

    /// The first place (if any) the expression reads a path with the given root.
    #[must_use]
    pub fn find_root(&self, root: PathRoot) -> Option<Pos> {
        let mut found = None;
        self.walk(&mut |e| {
            if found.is_none() {
                if let ExprKind::Path(r, _) = &e.kind {
                    if *r == root {
                        found = Some(e.pos);
                    }
                }
            }
        });
        found
    }

    /// Calls `f` on this expression and every expression inside it, parents first.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Literal(_) => {}
            ExprKind::Record(fields) => {
                for (k, v) in fields {
                    k.walk(f);
                    v.walk(f);
                }
            }
            ExprKind::Array(items) | ExprKind::Call(_, items) => {
                for i in items {
                    i.walk(f);
                }
            }
            ExprKind::Path(_, segs) => {
                for s in segs {
                    if let Segment::Index(e) = s {
                        e.walk(f);
                    }
                }
            }
            ExprKind::Interp(parts) => {
                for p in parts {
                    if let InterpPart::Expr(e) = p {
                        e.walk(f);
                    }
                }
            }
            ExprKind::Unary(_, e) => e.walk(f),
            ExprKind::Binary(first, rest) => {
                first.walk(f);
                for step in rest {
                    step.rhs.walk(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_value::StaticNode;

    fn ev(segs: Vec<Segment>) -> Expr {
        Expr {
            kind: ExprKind::Path(PathRoot::Event, segs),
            pos: Pos::new(1, 1),
        }
    }

    #[test]
    fn bare_event_is_event() {
        assert!(ev(vec![]).is_event());
        assert!(!ev(vec![Segment::Field("a".into())]).is_event());
        assert!(!Expr::literal(Value::Static(StaticNode::Null), Pos::new(1, 1)).is_event());
    }

    #[test]
    fn find_root_looks_inside() {
        let inner = ev(vec![]);
        let e = Expr {
            kind: ExprKind::Binary(
                Box::new(Expr::literal(
                    Value::Static(StaticNode::I64(1)),
                    Pos::new(1, 1),
                )),
                vec![Operation {
                    op: BinOp::Add,
                    pos: Pos::new(1, 3),
                    rhs: Expr {
                        kind: ExprKind::Array(vec![inner]),
                        pos: Pos::new(1, 5),
                    },
                }],
            ),
            pos: Pos::new(1, 3),
        };
        assert_eq!(e.find_root(PathRoot::Event), Some(Pos::new(1, 1)));
        assert_eq!(e.find_root(PathRoot::Args), None);
    }

    #[test]
    fn names() {
        assert_eq!(Func::nanos("from_millis"), Some(Func::FromMillis));
        assert_eq!(Func::nanos("from_hours"), None);
        assert_eq!(Func::FromSeconds.factor(), 1_000_000_000);
        assert_eq!(Func::FromMicros.to_string(), "nanos::from_micros");
        assert_eq!(BinOp::Le.to_string(), "<=");
        let lit = Literal(Value::Static(StaticNode::Bool(true)));
        assert_eq!(format!("{lit:?}"), "Literal(true)");
    }
}
