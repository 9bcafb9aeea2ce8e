//! Evaluating a `select`'s expressions with everything Tremor lets them read: the event, its
//! metadata `$`, the pipeline's `args`, and the locals a select provides (`group`, `window`
//! and the results of its aggregate calls).

use crate::script::eval::{Ctx, EvalError};
use crate::script::expr::{Expr, ExprKind, PathRoot};
use crate::script::ops;
use crate::script::scope::FnDef;
use crate::script::ScriptError;
use crate::troy::plan::{GroupBy, SelectPlan};
use tremor_value::{StaticNode, Value};

/// What a select's expression reads besides constants.
#[derive(Clone, Copy)]
pub(super) struct Reads<'a, 'v> {
    /// `event`.
    pub(super) event: &'a Value<'v>,
    /// `$`.
    pub(super) meta: &'a Value<'v>,
    /// `args`.
    pub(super) args: &'a Value<'v>,
    /// `group`, `window` and aggregate results, by slot.
    pub(super) locals: &'a [Value<'v>],
    /// What `system::ingest_ns()` gives.
    pub(super) ingest_ns: u64,
    /// What `win::cardinality()` gives: how many groups the select has open.
    pub(super) cardinality: usize,
    /// The functions the pipeline's `use`s loaded.
    pub(super) fns: &'a [FnDef],
}

impl<'a, 'v> Reads<'a, 'v> {
    /// The value of `expr`.
    pub(super) fn eval(&self, expr: &'a Expr) -> Result<Value<'static>, EvalError> {
        let mut ctx = Ctx::new(self.event, self.meta, self.args);
        ctx.meta = self.meta;
        // `state` is not a select's: it reads as null, as in Tremor.
        ctx.state = &NULL;
        ctx.locals = self.locals;
        ctx.ingest_ns = self.ingest_ns;
        ctx.cardinality = self.cardinality;
        ctx.fns = self.fns;
        Ok(ctx.eval(expr)?.into_static())
    }

    /// The value of the boolean `clause` (`where`, `having`), named in the error otherwise.
    pub(super) fn test(&self, expr: &'a Expr, clause: &str) -> Result<bool, EvalError> {
        match self.eval(expr)? {
            Value::Static(StaticNode::Bool(b)) => Ok(b),
            other => Err(EvalError {
                message: format!(
                    "`{clause}` must evaluate to a boolean, got {}",
                    ops::type_name(&other)
                ),
                pos: expr.pos,
            }),
        }
    }
}

static NULL: Value<'static> = Value::Static(StaticNode::Null);

/// A runtime error of a select as Tremor shows it: the statement's line with carets under the
/// failing part, when the text of its file (`source`) is at hand; else `line:column: message`.
pub(super) fn shown(source: Option<&str>, e: &EvalError) -> String {
    match source {
        Some(text) => ScriptError::new("", text, e.pos, e.message.clone())
            .under_missing_key()
            .to_string(),
        None => e.to_string(),
    }
}

/// Whether `expr` reads the metadata `$` (so that it is worth decoding per event).
pub(super) fn reads_meta(expr: &Expr) -> bool {
    let mut found = false;
    expr.walk(&mut |e| {
        if let ExprKind::Path(PathRoot::Meta, _) | ExprKind::Present(PathRoot::Meta, _) = e.kind {
            found = true;
        }
    });
    found
}

/// Whether any expression of `select` reads `$`.
pub(super) fn select_reads_meta(select: &SelectPlan) -> bool {
    let group_exprs = |g: &GroupBy| {
        let mut found = false;
        visit_group_by(g, &mut |e| found |= reads_meta(e));
        found
    };
    [
        Some(&select.target),
        select.filter.as_ref(),
        select.having.as_ref(),
    ]
    .into_iter()
    .flatten()
    .chain(select.aggregates.iter().flat_map(|a| a.args.iter()))
    .any(reads_meta)
        || select.group_by.as_ref().is_some_and(group_exprs)
}

fn visit_group_by(g: &GroupBy, f: &mut dyn FnMut(&Expr)) {
    match g {
        GroupBy::Expr(e) | GroupBy::Each(e) => f(e),
        GroupBy::Set(items) => items.iter().for_each(|i| visit_group_by(i, f)),
    }
}
