//! Statements: what a script (or a case of a top-level `match` / `for`) is a list of. Unlike
//! expressions they may change the event, metadata, state and locals, and end the script
//! (`emit`, `drop`).

use super::error::Pos;
use super::expr::{Comprehension, Expr, Match, PathRoot, Segment};

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    /// An expression; the last one's value is what the script emits.
    Expr(Expr),
    /// `let PATH = VALUE`.
    Let(Box<Target>, Box<Stmt>),
    /// `emit [VALUE] [=> "port"]`; no value emits the event itself.
    Emit {
        /// What is emitted (`None`: the event as the script left it).
        value: Option<Expr>,
        /// The port (`None`: `out`).
        port: Option<String>,
    },
    /// `drop`.
    Drop,
    /// A `match` whose cases are statements.
    Match(Box<Match<Stmt>>),
    /// A `for` whose cases are statements.
    For(Box<Comprehension<Stmt>>),
}

/// Where `let` writes: a root and a path under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// `event`, `$`, `state` or a local (`args` cannot be written).
    pub root: PathRoot,
    /// The fields / indexes below the root (empty: replace the root).
    pub segments: Vec<Segment>,
    /// Where the path starts.
    pub pos: Pos,
}

impl Stmt {
    /// Calls `f` on every expression in the statement.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        match self {
            Stmt::Expr(e) => e.walk(f),
            Stmt::Let(t, v) => {
                super::expr::walk_segments(&t.segments, f);
                v.walk(f);
            }
            Stmt::Emit { value, .. } => {
                if let Some(v) = value {
                    v.walk(f);
                }
            }
            Stmt::Drop => {}
            Stmt::Match(m) => {
                m.walk_heads(f);
                for c in &m.cases {
                    c.body.iter().for_each(|s| s.walk(f));
                }
            }
            Stmt::For(c) => c.walk_with(f, &mut |s, f| s.walk(f)),
        }
    }

    /// Whether the statement only computes a value (no `let`, `emit`, `drop` inside), so it can
    /// run as an expression that borrows the event instead of copying it.
    #[must_use]
    pub fn is_pure(&self) -> bool {
        match self {
            Stmt::Expr(_) => true,
            Stmt::Let(..) | Stmt::Emit { .. } | Stmt::Drop => false,
            Stmt::Match(m) => m.cases.iter().all(|c| c.body.iter().all(Stmt::is_pure)),
            Stmt::For(c) => c.cases.iter().all(|c| c.body.iter().all(Stmt::is_pure)),
        }
    }
}
