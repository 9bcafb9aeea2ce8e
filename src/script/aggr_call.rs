//! Aggregate function calls (`aggr::stats::count()`) inside a `select`: the parser replaces
//! each by a hidden local that the select fills with the function's result when its window
//! closes, and records the call (function and argument expressions) in the scope, so that the
//! select can feed the arguments of every event of the window to the function.

pub use super::aggregate_call::AggregateCall;
use super::cursor::Parser;
use super::error::{Pos, SourceError};
use super::expr::{Expr, ExprKind, PathRoot};
use super::stdlib::AggrFunction;

/// The hidden local of the `n`th aggregate call: not a name a script can write.
fn hidden_name(n: usize) -> String {
    format!("aggr#{n}")
}

impl Parser<'_> {
    /// The call of the aggregate function `function` with `args` inside a select, as the
    /// hidden local it becomes; `None` outside a select (where the name is then unknown, as
    /// in Tremor's scripts).
    pub(crate) fn aggregate_call(
        &mut self,
        function: &'static AggrFunction,
        args: Vec<Expr>,
        pos: Pos,
    ) -> Result<Option<Expr>, SourceError> {
        let Some(scope) = self.scope.as_deref() else {
            return Ok(None);
        };
        let Some(calls) = scope.aggregates.as_ref() else {
            return Ok(None);
        };
        if args.len() < function.min_arity || args.len() > function.max_arity {
            return Err(self.err(
                pos,
                format!(
                    "Bad arity for function {}/{}..={} but was called with {} arguments",
                    function.tremor_name(),
                    function.min_arity,
                    function.max_arity,
                    args.len()
                ),
            ));
        }
        let aggregate_slots: Vec<usize> = calls.iter().map(|c| c.slot).collect();
        let mut nested = None;
        for arg in &args {
            arg.walk(&mut |e| {
                if let ExprKind::Path(PathRoot::Local(slot), _) = e.kind {
                    if nested.is_none() && aggregate_slots.contains(&slot) {
                        nested = Some(e.pos);
                    }
                }
            });
        }
        if let Some(inner) = nested {
            return Err(self.err(inner, "Aggregates can not be called inside of aggregates"));
        }
        let scope = self.scope.as_deref_mut().expect("checked above");
        let n = scope.aggregates.as_ref().map_or(0, Vec::len);
        let slot = scope.local(&hidden_name(n));
        if let Some(calls) = scope.aggregates.as_mut() {
            calls.push(AggregateCall {
                function,
                args,
                slot,
                pos,
            });
        }
        Ok(Some(Expr {
            kind: ExprKind::Path(PathRoot::Local(slot), Vec::new()),
            pos,
        }))
    }
}
