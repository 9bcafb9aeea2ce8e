//! Windows and grouping in pipelines, up to the plan: `define window NAME from tumbling with
//! size = N | interval = NANOS [, max_groups = N] [script ...] end;`, the window list of a
//! `select … from PORT[w1, w2, …]`, `group by` (`set(…)`, `each(…)`, expressions) and the
//! checks Tremor makes on a windowed select's target. The runtime is in `crate::pipeline`.

use super::ast::{Expr, ExprKind, Ident, PathRoot, Segment, WithArg};
use super::embedded::cut_in_place;
use super::error::{Pos, TroyError};
use super::plan::{GroupBy, ScriptPlan, WindowKind, WindowPlan};
use crate::script::cursor::Parser;
use crate::script::fold::eval_const;
use crate::script::scope::Scope;
use tremor_value::Value;

/// The local slot of `group` in a select's expressions.
pub const GROUP_SLOT: usize = 0;
/// The local slot of `window` in a select's expressions.
pub const WINDOW_SLOT: usize = 1;

pub use super::ast::WindowDef;

/// The scope a select's expressions are parsed in: `group` and `window` are locals the
/// select fills, and aggregate calls are collected.
pub(crate) fn select_scope() -> Box<Scope> {
    let mut scope = Box::<Scope>::default();
    let group = scope.local("group");
    let window = scope.local("window");
    debug_assert_eq!((group, window), (GROUP_SLOT, WINDOW_SLOT));
    scope.aggregates = Some(Vec::new());
    scope
}

impl Parser<'_> {
    /// After `define window`.
    pub(crate) fn window_def(&mut self, pos: Pos) -> Result<WindowDef, TroyError> {
        let name = self.ident("a window name")?;
        self.expect_kw("from")?;
        let kind = self.ident("`tumbling` or `sliding`")?;
        let mut with = Vec::new();
        if self.eat_kw("with") {
            // Tremor's window settings have no `end` of their own: the definition's closes them.
            loop {
                let name = self.ident("a window setting")?;
                self.expect_punct("=")?;
                let value = self.expr()?;
                with.push(WithArg { name, value });
                if !self.eat_punct(",") {
                    break;
                }
            }
        }
        let state = if self.eat_kw("state") {
            Some(self.expr()?)
        } else {
            None
        };
        let tick_script = crate::script::lexer::Tok::Ident("from".into());
        if self.is_kw("script") && self.peek_at(1).tok == tick_script {
            return Err(self.unsupported(self.pos(), "script from tick (a window's tick script)"));
        }
        let script =
            if self.eat_kw("script") {
                let start = self.pos();
                let outer = self.scope.replace(Box::default());
                let parsed = self.script();
                self.scope = outer;
                parsed?;
                let end = self.pos();
                Some(cut_in_place(start, end).ok_or_else(|| {
                    self.err(pos, "the text of this window's script is not at hand")
                })?)
            } else {
                None
            };
        self.expect_kw("end")?;
        self.end_stmt()?;
        Ok(WindowDef {
            name,
            kind,
            with,
            state,
            script,
            pos,
        })
    }

    /// `[w1, w2, ...]` after a select's input port, or nothing.
    pub(crate) fn window_list(&mut self) -> Result<Vec<Ident>, TroyError> {
        let mut windows = Vec::new();
        if self.eat_punct("[") {
            loop {
                let mut w = self.ident("a window name")?;
                // `module::window`: the window's own name is the last part, as in Tremor.
                while self.eat_punct("::") {
                    w = self.ident("a window name")?;
                }
                windows.push(w);
                if !self.eat_punct(",") {
                    break;
                }
            }
            self.expect_punct("]")?;
        }
        Ok(windows)
    }

    /// `group by GROUP`, or nothing.
    pub(crate) fn group_by_clause(&mut self) -> Result<Option<GroupBy>, TroyError> {
        if !self.eat_kw("group") {
            return Ok(None);
        }
        self.expect_kw("by")?;
        self.group_by().map(Some)
    }

    fn group_by(&mut self) -> Result<GroupBy, TroyError> {
        let opens = matches!(self.peek_at(1).tok, crate::script::lexer::Tok::Punct("("));
        if opens && self.eat_kw("set") {
            self.expect_punct("(")?;
            let mut items = vec![self.group_by()?];
            while self.eat_punct(",") {
                items.push(self.group_by()?);
            }
            self.expect_punct(")")?;
            Ok(GroupBy::Set(items))
        } else if opens && self.eat_kw("each") {
            self.expect_punct("(")?;
            let e = self.expr()?;
            self.expect_punct(")")?;
            Ok(GroupBy::Each(e))
        } else {
            Ok(GroupBy::Expr(self.expr()?))
        }
    }
}

/// Plans the window definitions of a pipeline body, with the pipeline's `args`.
///
/// # Errors
/// Tremor's errors for bad settings, and a window defined twice.
pub(crate) fn plan_windows(
    defs: &[WindowDef],
    args: &Value<'static>,
    file: &str,
) -> Result<Vec<WindowPlan>, TroyError> {
    let mut plans: Vec<WindowPlan> = Vec::with_capacity(defs.len());
    for def in defs {
        if plans.iter().any(|p| p.name == def.name.name) {
            return Err(TroyError::at(
                file,
                def.name.pos,
                format!("window `{}` is defined twice", def.name.name),
            ));
        }
        plans.push(plan_window(def, args, file)?);
    }
    Ok(plans)
}

fn plan_window(
    def: &WindowDef,
    args: &Value<'static>,
    file: &str,
) -> Result<WindowPlan, TroyError> {
    let at = |pos, msg: &str| TroyError::at(file, pos, msg.to_string());
    match def.kind.name.as_str() {
        "tumbling" => {}
        "sliding" => return Err(at(def.kind.pos, "Sliding windows are not yet implemented")),
        _ => return Err(at(def.kind.pos, "expected `tumbling` or `sliding`")),
    }
    let setting = |key: &str| -> Result<Option<Value<'static>>, TroyError> {
        def.with
            .iter()
            .find(|w| w.name.name == key)
            .map(|w| eval_const(&w.value, args).map_err(|e| at(e.pos, &e.message)))
            .transpose()
    };
    let max_groups = setting("max_groups")?
        .and_then(|v| v.as_usize())
        .unwrap_or(usize::MAX);
    let interval = setting("interval")?.and_then(|v| v.as_u64());
    let size = setting("size")?.and_then(|v| v.as_u64());
    let state = def
        .state
        .as_ref()
        .map(|e| eval_const(e, args).map_err(|e| at(e.pos, &e.message)))
        .transpose()?;
    let kind =
        match (interval, size, &state) {
            (Some(ns), None, None) => WindowKind::Time(ns),
            (None, Some(n), None) => WindowKind::Count(n),
            (None, None, Some(_)) if def.script.is_none() => {
                return Err(at(def.pos, "Script is required for `state` type windows"))
            }
            (None, None, Some(_)) => WindowKind::State,
            (None, None, None) => {
                return Err(at(
                    def.pos,
                    "Bad window configuration, either `size`, `interval`, or `state` is required.",
                ))
            }
            _ => return Err(at(
                def.pos,
                "Bad window configuration, only one of `size`, `interval`, or `state` is allowed.",
            )),
        };
    let script = match &def.script {
        Some(source) => {
            crate::script::Script::compile(source, file, args)
                .map_err(|e| at(e.pos, &e.message))?;
            Some(ScriptPlan {
                file: file.to_string(),
                source: source.clone(),
                args: args.clone(),
                state: Value::null(),
            })
        }
        None => None,
    };
    Ok(WindowPlan {
        name: def.name.name.clone(),
        kind,
        max_groups,
        script,
        state: state.unwrap_or_else(Value::null),
    })
}

/// The windows a select names, looked up in the body's definitions.
pub(crate) fn select_windows(
    names: &[Ident],
    defined: &[WindowPlan],
    file: &str,
) -> Result<Vec<WindowPlan>, TroyError> {
    names
        .iter()
        .map(|n| {
            defined
                .iter()
                .find(|w| w.name == n.name)
                .cloned()
                .ok_or_else(|| TroyError::at(file, n.pos, format!("Unknown window: `{}`", n.name)))
        })
        .collect()
}

/// Every expression a `group by` evaluates, in order (what a windowed target may read as
/// `group[i]`).
fn group_exprs(group_by: &GroupBy, into: &mut Vec<Expr>) {
    match group_by {
        GroupBy::Expr(e) | GroupBy::Each(e) => into.push(e.clone()),
        GroupBy::Set(items) => items.iter().for_each(|g| group_exprs(g, into)),
    }
}

/// The debug form of `e` without its positions: equal for the same expression written twice.
fn shape(e: &Expr) -> String {
    let text = format!("{e:?}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find("pos: Pos {") {
        out.push_str(&rest[..i]);
        rest = rest[i..].split_once('}').map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}

/// Prepares a windowed select's target as Tremor does: an expression that is also a `group by`
/// expression reads `group[i]` instead; any other use of `event` or `$` outside an aggregate
/// is an error, since the output stands for the whole window, not one event.
///
/// # Errors
/// Tremor's "References to `event` or `$` are not allowed in this context".
pub(crate) fn windowed_target(
    target: &mut Expr,
    group_by: Option<&GroupBy>,
    file: &str,
) -> Result<(), TroyError> {
    let mut exprs = Vec::new();
    if let Some(g) = group_by {
        group_exprs(g, &mut exprs);
    }
    let shapes: Vec<String> = exprs.iter().map(shape).collect();
    rewrite(target, &shapes);
    let found = target
        .find_root(PathRoot::Event)
        .or_else(|| target.find_root(PathRoot::Meta));
    match found {
        Some(pos) => Err(TroyError::at(
            file,
            pos,
            "References to `event` or `$` are not allowed in this context. Here you operate in \
             the whole window, not a single event. You need to wrap this reference in an \
             aggregate function (e.g. aggr::win::last(...)) or use it in the group by clause \
             of this query.",
        )),
        None => Ok(()),
    }
}

/// Replaces the subexpressions of `e` shaped as the `i`th group expression by `group[i]`.
fn rewrite(e: &mut Expr, shapes: &[String]) {
    if shapes.is_empty() {
        return;
    }
    let here = shape(e);
    if let Some(i) = shapes.iter().position(|s| *s == here) {
        let index = Expr::literal(Value::from(i as u64), e.pos);
        e.kind = ExprKind::Path(
            PathRoot::Local(GROUP_SLOT),
            vec![Segment::Index(Box::new(index))],
        );
        return;
    }
    match &mut e.kind {
        ExprKind::Record(fields) => fields.iter_mut().for_each(|(k, v)| {
            rewrite(k, shapes);
            rewrite(v, shapes);
        }),
        ExprKind::Array(items) | ExprKind::Call(_, items) | ExprKind::Invoke(_, items) => {
            items.iter_mut().for_each(|i| rewrite(i, shapes));
        }
        ExprKind::Unary(_, inner) => rewrite(inner, shapes),
        ExprKind::Binary(first, rest) => {
            rewrite(first, shapes);
            rest.iter_mut().for_each(|op| rewrite(&mut op.rhs, shapes));
        }
        ExprKind::Interp(parts) => parts.iter_mut().for_each(|p| {
            if let crate::script::expr::InterpPart::Expr(inner) = p {
                rewrite(inner, shapes);
            }
        }),
        ExprKind::Access(base, _) => rewrite(base, shapes),
        // Other constructs keep their event references, which the check then reports.
        _ => {}
    }
}

/// What a select adds to a plain one: its windows, grouping, `having` and aggregates.
pub(crate) struct SelectParts {
    pub(crate) windows: Vec<WindowPlan>,
    pub(crate) group_by: Option<GroupBy>,
    pub(crate) having: Option<Expr>,
    pub(crate) aggregates: Vec<super::plan::AggregatePlan>,
}

/// Plans the windows, grouping, `having` and aggregates of `select` (whose folded target is
/// `target`, prepared here for windows) with the pipeline's `args`.
///
/// # Errors
/// An unknown window, aggregates without a window, event references in a windowed target, and
/// constant parts that fail to evaluate.
pub(crate) fn plan_select_parts(
    select: &super::ast::Select,
    target: &mut Expr,
    defined: &[WindowPlan],
    args: &Value<'static>,
    file: &str,
) -> Result<SelectParts, TroyError> {
    let fold = |e: &Expr| {
        crate::script::fold::fold(e, args).map_err(|e| TroyError::at(file, e.pos, e.message))
    };
    fn fold_group(
        g: &GroupBy,
        fold: &dyn Fn(&Expr) -> Result<Expr, TroyError>,
    ) -> Result<GroupBy, TroyError> {
        Ok(match g {
            GroupBy::Expr(e) => GroupBy::Expr(fold(e)?),
            GroupBy::Each(e) => GroupBy::Each(fold(e)?),
            GroupBy::Set(items) => GroupBy::Set(
                items
                    .iter()
                    .map(|i| fold_group(i, fold))
                    .collect::<Result<_, _>>()?,
            ),
        })
    }
    let windows = select_windows(&select.windows, defined, file)?;
    let slots: Vec<usize> = select.aggregates.iter().map(|a| a.slot).collect();
    let mut per_event: Vec<Expr> = select.filter.iter().cloned().collect();
    if let Some(g) = &select.group_by {
        group_exprs(g, &mut per_event);
    }
    if let Some(pos) = per_event.iter().find_map(|e| aggregate_in(e, &slots)) {
        return Err(aggregate_not_here(file, pos));
    }
    let group_by = select
        .group_by
        .as_ref()
        .map(|g| fold_group(g, &fold))
        .transpose()?;
    if windows.is_empty() {
        if let Some(call) = select.aggregates.first() {
            return Err(TroyError::at(
                file,
                call.pos,
                format!(
                    "the aggregate function {} needs a window: `select ... from PORT[WINDOW]`",
                    call.function.name
                ),
            ));
        }
    } else {
        windowed_target(target, group_by.as_ref(), file)?;
    }
    let having = select.having.as_ref().map(fold).transpose()?;
    let aggregates = select
        .aggregates
        .iter()
        .map(|call| {
            Ok(super::plan::AggregatePlan {
                args: call.args.iter().map(fold).collect::<Result<_, _>>()?,
                ..call.clone()
            })
        })
        .collect::<Result<_, TroyError>>()?;
    Ok(SelectParts {
        windows,
        group_by,
        having,
        aggregates,
    })
}

/// Where `e` calls one of the aggregates (whose results are the locals `slots`), if it does.
fn aggregate_in(e: &Expr, slots: &[usize]) -> Option<Pos> {
    let mut found = None;
    e.walk(&mut |x| {
        if let ExprKind::Path(PathRoot::Local(slot), _) = x.kind {
            if found.is_none() && slots.contains(&slot) {
                found = Some(x.pos);
            }
        }
    });
    found
}

fn aggregate_not_here(file: &str, pos: Pos) -> TroyError {
    TroyError::at(
        file,
        pos,
        "aggregate functions are only allowed in a select's target and `having` (they stand for \
         the whole window, `where` and `group by` see one event)",
    )
}

#[cfg(test)]
mod tests {
    use crate::troy::plan_query;

    fn plan_err(src: &str) -> String {
        plan_query(src, "q.trickle", "q")
            .map(|_| String::new())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn windows_group_by_and_having_plan() {
        let plan = plan_query(
            "define window w from tumbling with size = 2, max_groups = 3 end;\n\
             define window t from tumbling with interval = 10 script event.t end;\n\
             select {\"g\": event.g, \"n\": aggr::stats::count()} from in[w, t] \
             where true group by set(event.g, each(event.ks)) into out having event.n > 1;",
            "q.trickle",
            "q",
        )
        .expect("plans");
        let s = &plan.selects[0];
        assert_eq!(s.windows.len(), 2);
        assert_eq!(s.windows[0].max_groups, 3);
        assert!(s.windows[1].script.is_some());
        assert_eq!(s.aggregates.len(), 1);
        assert!(s.having.is_some());
        // `event.g` is a group-by expression: the target reads it as `group[0]`.
        assert!(s
            .target
            .find_root(crate::script::expr::PathRoot::Event)
            .is_none());
    }

    #[test]
    fn tremors_window_errors() {
        let cases = [
            (
                "select aggr::stats::count() from in into out;",
                "q.trickle:1:8: the aggregate function aggr::stats::count needs a window",
            ),
            (
                "define window w from tumbling with size = 2 end;\n\
                 select event.x from in[w] into out;",
                "q.trickle:2:8: References to `event` or `$` are not allowed in this context",
            ),
            (
                "define window w from tumbling with size = 2, interval = 3 end;",
                "q.trickle:1:1: Bad window configuration, only one of",
            ),
            (
                "define window w from sliding with size = 2 end;",
                "q.trickle:1:22: Sliding windows are not yet implemented",
            ),
            (
                "select event from in[nope] into out;",
                "q.trickle:1:22: Unknown window: `nope`",
            ),
            (
                "define window w from tumbling with size = 2 end;\n\
                 select aggr::stats::sum(aggr::stats::count()) from in[w] into out;",
                "q.trickle:2:25: Aggregates can not be called inside of aggregates",
            ),
            (
                "define window w from tumbling with size = 2 end;\n\
                 select 1 from in[w] where aggr::stats::count() > 1 into out;",
                "q.trickle:2:27: aggregate functions are only allowed in a select's target",
            ),
            (
                "select event from in having true into out;",
                "q.trickle:1:22: expected `into`",
            ),
        ];
        for (src, want) in cases {
            let got = plan_err(src);
            assert!(got.starts_with(want), "{src}\n  got: {got}\n want: {want}");
        }
    }
}
