//! Resolving a call when the script is compiled: script functions first, then the `nanos::`
//! shorthands Troy files use, then the standard library (`std::` and `tremor::` paths; a
//! path written without its root is looked up under both).

use super::cursor::Parser;
use super::error::{Pos, SourceError};
use super::expr::{Callee, Expr, ExprKind, Func};
use super::stdlib;

/// The standard-library function at `path` (`std::string::len`, `string::len`).
#[must_use]
pub fn std_function(path: &str) -> Option<Callee> {
    [
        path.to_string(),
        format!("std::{path}"),
        format!("tremor::{path}"),
    ]
    .iter()
    .find_map(|p| stdlib::lookup(p))
    .map(Callee::Std)
}

/// How Tremor's message for a call of no function starts.
pub(crate) const UNDEFINED_FUNCTION: &str = "Call to undefined function ";

impl Parser<'_> {
    /// The call of `path` with `args`, resolved.
    pub(crate) fn resolve_call(
        &mut self,
        path: &[String],
        args: Vec<Expr>,
        pos: Pos,
    ) -> Result<Expr, SourceError> {
        let full = path.join("::");
        let script_fn = self
            .scope
            .as_ref()
            .and_then(|s| s.resolve(&full, |s, n| s.fn_names.get(n).copied()));
        if let Some(index) = script_fn {
            let f = &self.scope.as_ref().expect("found in the scope").fns[index];
            let fits = args.len() == f.arity || (f.open && args.len() >= f.arity);
            if !fits {
                return Err(self.err(
                    pos,
                    format!(
                        "Bad arity for function {full}/{} but was called with {} arguments",
                        f.arity,
                        args.len()
                    ),
                ));
            }
            return Ok(Expr {
                kind: ExprKind::Invoke(Callee::Script(index), args),
                pos,
            });
        }
        let names: Vec<&str> = path.iter().map(String::as_str).collect();
        if let ["nanos", f] | ["std", "time", "nanos", f] = names[..] {
            if let Some(func) = Func::nanos(f) {
                if args.len() != 1 {
                    return Err(self.err(
                        pos,
                        format!("`{func}` takes 1 argument, got {}", args.len()),
                    ));
                }
                return Ok(Expr {
                    kind: ExprKind::Call(func, args),
                    pos,
                });
            }
        }
        let full = self
            .scope
            .as_ref()
            .map_or(full.clone(), |s| s.unalias(&full));
        if let Some(function) = stdlib::lookup_aggr(&full) {
            if let Some(local) = self.aggregate_call(function, args.clone(), pos)? {
                return Ok(local);
            }
        }
        match std_function(&full) {
            Some(Callee::Std(f)) if args.len() < f.min_arity || args.len() > f.max_arity => {
                Err(self.err(
                    pos,
                    format!(
                        "Bad arity for function {}/{}..={} but was called with {} arguments",
                        f.tremor_name(),
                        f.min_arity,
                        f.max_arity,
                        args.len()
                    ),
                ))
            }
            Some(callee) => Ok(Expr {
                kind: ExprKind::Invoke(callee, args),
                pos,
            }),
            // Tremor names a function of no module `::f`.
            // Tremor underlines the whole call (the cursor is after it).
            None => {
                let shown = if full.contains("::") {
                    full
                } else {
                    format!("::{full}")
                };
                let callout = super::error::Callout {
                    until: Some(self.pos()),
                    lines_before: 2,
                    lines_after: 2,
                    ..super::error::Callout::default()
                };
                Err(self
                    .err(pos, format!("{UNDEFINED_FUNCTION}{shown}"))
                    .with_callout(callout))
            }
        }
    }
}
