//! Expression syntax trees (re-exported by Troy's `ast`) and the walks over them.
//!
//! Expressions are evaluated directly from this tree by [`super::eval`]; the planner substitutes
//! `args` and folds constants ([`super::fold`]) before a pipeline runs them.

use super::error::Pos;
pub use super::nodes::{
    BytesKind, BytesPart, Callee, Case, Comprehension, ElemTest, Expr, ExprKind, Extract,
    FieldTest, ForCase, InterpPart, Literal, Match, Operation, Patch, PatchOp, PathRoot, Pattern,
    Segment,
};
pub use super::operators::{BinOp, Func, UnOp};
use tremor_value::Value;

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

    /// The first place (if any) the expression depends on more than literals and `args`:
    /// the event, metadata, state, locals or a function call (which may be impure).
    #[must_use]
    pub fn find_runtime(&self) -> Option<Pos> {
        let mut found = None;
        self.walk(&mut |e| {
            if found.is_none() {
                let runtime = match &e.kind {
                    ExprKind::Path(r, _) | ExprKind::Present(r, _) => *r != PathRoot::Args,
                    ExprKind::Invoke(..) | ExprKind::Recur(_) => true,
                    _ => false,
                };
                if runtime {
                    found = Some(e.pos);
                }
            }
        });
        found
    }

    /// The first place (if any) the expression reads something a constant cannot: the event,
    /// metadata, state, locals or a script function (standard functions are fine).
    #[must_use]
    pub fn find_non_const(&self) -> Option<Pos> {
        let mut found = None;
        self.walk(&mut |e| {
            let runtime = match &e.kind {
                ExprKind::Path(r, _) | ExprKind::Present(r, _) => *r != PathRoot::Args,
                ExprKind::Recur(_) => true,
                _ => false,
            };
            if runtime && found.is_none() {
                found = Some(e.pos);
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
            ExprKind::Array(items)
            | ExprKind::Call(_, items)
            | ExprKind::Invoke(_, items)
            | ExprKind::Recur(items) => {
                for i in items {
                    i.walk(f);
                }
            }
            ExprKind::Access(base, segs) => {
                base.walk(f);
                walk_segments(segs, f);
            }
            ExprKind::Path(_, segs) | ExprKind::Present(_, segs) => walk_segments(segs, f),
            ExprKind::Match(m) => m.walk(f),
            ExprKind::For(c) => c.walk_with(f, &mut |e, f| e.walk(f)),
            ExprKind::Patch(p) => p.walk(f),
            ExprKind::Merge(a, b) => {
                a.walk(f);
                b.walk(f);
            }
            ExprKind::Bytes(parts) => {
                for p in parts {
                    p.data.walk(f);
                }
            }
            ExprKind::Interp(parts) => {
                for p in parts {
                    if let InterpPart::Expr(e) = p {
                        e.walk(f);
                    }
                }
            }
            ExprKind::Unary(_, e) | ExprKind::Exists(e) => e.walk(f),
            ExprKind::Binary(first, rest) => {
                first.walk(f);
                for step in rest {
                    step.rhs.walk(f);
                }
            }
        }
    }
}

pub(crate) fn walk_segments(segs: &[Segment], f: &mut dyn FnMut(&Expr)) {
    for s in segs {
        match s {
            Segment::Field(_) => {}
            Segment::Index(e) => e.walk(f),
            Segment::Range(a, b) => {
                a.walk(f);
                b.walk(f);
            }
        }
    }
}

impl<B> Match<B> {
    /// Calls `f` on the target, the patterns' and guards' expressions (not the bodies', whose
    /// type may not be [`Expr`]).
    pub(crate) fn walk_heads(&self, f: &mut dyn FnMut(&Expr)) {
        self.target.walk(f);
        for c in &self.cases {
            c.pattern.walk(f);
            if let Some(g) = &c.guard {
                g.walk(f);
            }
        }
    }
}

impl Match<Expr> {
    pub(crate) fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        self.walk_heads(f);
        for c in &self.cases {
            c.body.iter().for_each(|e| e.walk(f));
        }
    }
}

/// Walks one body item of a `match` / `for`, calling the visitor on its expressions.
pub(crate) type BodyWalker<'w, B> = dyn FnMut(&B, &mut dyn FnMut(&Expr)) + 'w;

impl<B> Comprehension<B> {
    /// Calls `f` on every expression; `body` walks one body item.
    pub(crate) fn walk_with(&self, f: &mut dyn FnMut(&Expr), body: &mut BodyWalker<'_, B>) {
        self.target.walk(f);
        if let Some(i) = &self.initial {
            i.walk(f);
        }
        for c in &self.cases {
            if let Some(g) = &c.guard {
                g.walk(f);
            }
            c.body.iter().for_each(|b| body(b, f));
        }
    }
}

impl Patch {
    pub(crate) fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        self.target.walk(f);
        for op in &self.ops {
            match op {
                PatchOp::Insert(k, v, _)
                | PatchOp::Upsert(k, v)
                | PatchOp::Update(k, v, _)
                | PatchOp::Copy(k, v, _)
                | PatchOp::Move(k, v, _) => {
                    k.walk(f);
                    v.walk(f);
                }
                PatchOp::Erase(k) => k.walk(f),
                PatchOp::Merge(k, v, _) | PatchOp::Default(k, v, _) => {
                    if let Some(k) = k {
                        k.walk(f);
                    }
                    v.walk(f);
                }
            }
        }
    }
}

impl Pattern {
    pub(crate) fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        match self {
            Pattern::Any | Pattern::Extract(_) => {}
            Pattern::Expr(e) => e.walk(f),
            Pattern::Record(tests) => tests.iter().for_each(|t| t.walk(f)),
            Pattern::Array(items) | Pattern::Tuple { items, .. } => {
                items.iter().for_each(|t| t.walk(f));
            }
            Pattern::Assign(_, p) => p.walk(f),
        }
    }
}

impl FieldTest {
    fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        match self {
            FieldTest::Cmp(_, _, e) => e.walk(f),
            FieldTest::Nested(_, p) => p.walk(f),
            FieldTest::Present(_) | FieldTest::Absent(_) | FieldTest::Extract(..) => {}
        }
    }
}

impl ElemTest {
    fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        match self {
            ElemTest::Expr(e) => e.walk(f),
            ElemTest::Record(tests) => tests.iter().for_each(|t| t.walk(f)),
            ElemTest::Any | ElemTest::Extract(_) | ElemTest::Rebind(..) => {}
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
