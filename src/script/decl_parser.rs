//! Declarations at the top of a script: `use` (standard modules and module files on
//! `TREMOR_PATH`), `const`, `fn` (with a body or match cases), `intrinsic` and `mod`.

use super::cursor::Parser;
use super::error::{Callout, Pos, SourceError};

/// How Tremor's message for modules that use each other starts.
const CYCLIC_USE: &str = " Cyclic dependency detected: ";
use super::expr::{Expr, ExprKind, Match, PathRoot};
use super::lexer::Tok;
use super::scope::{FnDef, Scope};
use super::script_parser::lower_match;
use super::stmt::Stmt;

impl Parser<'_> {
    /// `a::b::c` after `use`.
    fn module_path(&mut self) -> Result<Vec<String>, SourceError> {
        let mut path = vec![self.ident("`<ident>`")?.name];
        while self.eat_punct("::") {
            path.push(self.ident("`<ident>`")?.name);
        }
        Ok(path)
    }

    /// `use a::b [as c];`, `use std::{a, b};`. The standard library needs no `use`; another
    /// module is the file `a/b.tremor` on `TREMOR_PATH`, whose constants and functions become
    /// `c::NAME` (`b::NAME` without `as`).
    pub(crate) fn script_use(&mut self, depth: usize) -> Result<(), SourceError> {
        let pos = self.next().pos;
        self.use_tree(Vec::new(), pos, depth)
    }

    /// A name in a `use` path (a reserved word is not one); `expected` is what Tremor lists
    /// when it is missing.
    fn module_name(&mut self, expected: &[&str]) -> Result<String, SourceError> {
        match &self.peek().tok {
            Tok::Quoted(n) => {
                let name = n.clone();
                self.next();
                Ok(name)
            }
            Tok::Ident(n) if !super::expected::is_keyword(n) => {
                let name = n.clone();
                self.next();
                Ok(name)
            }
            _ => Err(self.found_but_expected_tokens(expected)),
        }
    }

    /// `a::b [as c]` or `a::{...}` after `use` (below `prefix`).
    ///
    /// # Errors
    /// Tremor's: a module not found on `TREMOR_PATH`, a cycle of modules, errors in a module.
    fn use_tree(&mut self, prefix: Vec<String>, pos: Pos, depth: usize) -> Result<(), SourceError> {
        let mut path = prefix;
        let path_pos = self.pos();
        path.push(self.module_name(&["<ident>"])?);
        while self.eat_punct("::") {
            if self.eat_punct("{") {
                // `use std::{array, string as s, integer::{signed}}`.
                let base = path.clone();
                self.items_until("}", |p, _| p.use_tree(base.clone(), pos, depth))?;
                return Ok(());
            }
            path.push(self.module_name(&["<ident>", "{"])?);
        }
        let alias = if self.eat_kw("as") {
            self.module_name(&["<ident>"])?
        } else {
            if !(self.is_punct(";")
                || self.is_punct(",")
                || self.is_punct("}")
                || self.at_block_end())
            {
                return Err(self.found_but_expected_tokens(&["::", ";", "as"]));
            }
            path.last().cloned().unwrap_or_default()
        };
        if matches!(path[0].as_str(), "std" | "tremor") {
            let scope = self.scope.get_or_insert_with(Box::default);
            scope.aliases.insert(alias, path.join("::"));
            return Ok(());
        }
        let dirs = std::env::var_os("TREMOR_PATH").unwrap_or_default();
        let segments: Vec<&str> = path.iter().map(String::as_str).collect();
        let found = super::module_path::find(std::env::split_paths(&dirs), &segments);
        let Some(file) = found else {
            // Tremor lists the directories one a line, under the module's path.
            let listed: String = std::env::split_paths(&dirs)
                .map(|d| format!("\n                         - {}", d.display()))
                .collect();
            let module = path.join("::");
            let msg = format!(
                "Module `{module}` not found or not readable error in module path: {listed}"
            );
            let callout = Callout {
                width: Some(module.chars().count()),
                until: None,
                hint: None,
                lines_before: 2,
                lines_after: 2,
                ..Callout::default()
            };
            return Err(self.err(path_pos, msg).with_callout(callout));
        };
        let text = std::fs::read_to_string(&file).map_err(|e| {
            self.err(
                pos,
                format!("Module `{}` not readable: {e}", path.join("::")),
            )
        })?;
        let name = file.display().to_string();
        let loading = &mut self.scope.get_or_insert_with(Box::default).loading;
        if loading.contains(&name) {
            let chain = loading.join(" -> ");
            let e = self.err(pos, format!("{CYCLIC_USE}{chain}"));
            return Err(self.at_use_statement(e, pos));
        }
        loading.push(name.clone());
        let toks = super::lexer::lex(&text, &name)?;
        let mut sub = Parser::new(toks, &name);
        sub.scope = self.scope.take();
        let scope = sub.scope.get_or_insert_with(Box::default);
        // A module used inside a module is a submodule of it (`foo::bar::X`).
        let mut inner = scope.module.clone();
        inner.push(alias);
        let outer_module = std::mem::replace(&mut scope.module, inner);
        let body = sub.statements(depth + 1, true);
        let scope = sub.scope.get_or_insert_with(Box::default);
        scope.module = outer_module;
        scope.loading.pop();
        let in_module = !scope.loading.is_empty();
        self.scope = sub.scope.take();
        match body {
            // As in Tremor, a cycle is reported at the `use` of the outermost module in it.
            Err(e) if in_module && e.message.starts_with(CYCLIC_USE) => {
                Err(self.at_use_statement(e, pos))
            }
            body => body.map(drop),
        }
    }

    /// `e`, moved to the `use` statement at `pos` (the cursor is at its end).
    fn at_use_statement(&self, mut e: SourceError, pos: Pos) -> SourceError {
        let end = self.pos();
        e.file = self.file.to_string();
        e.pos = Some(pos);
        e.callout = Box::new(Callout {
            width: (end.line == pos.line).then(|| (end.column - pos.column) as usize),
            ..Callout::default()
        });
        e
    }

    /// `const NAME = EXPR`: evaluated now, with no event.
    pub(crate) fn const_decl(&mut self) -> Result<Expr, SourceError> {
        let at = self.next().pos;
        let name = self.ident("`<ident>`")?;
        self.expect_punct("=")?;
        let e = self.expr()?;
        if let Some(pos) = e.find_non_const() {
            return Err(self.err(
                pos,
                "constants must be computable when the script is compiled",
            ));
        }
        let v = self
            .eval_now(&e)
            .map_err(|err| self.err(err.pos, err.message))?;
        let scope = self.scope.as_mut().expect("scripts have a scope");
        let full = scope.qualified(&name.name);
        if scope.consts.insert(full, v.clone()).is_some() {
            // Tremor underlines the whole declaration.
            let callout = Callout {
                until: Some(self.pos()),
                ..Callout::default()
            };
            let msg = format!("Can't define the const `{}` twice", name.name);
            return Err(self.err(at, msg).with_callout(callout));
        }
        Ok(Expr::literal(v, name.pos))
    }

    /// The value of an expression that needs no event, computed while the script compiles.
    pub(crate) fn eval_now(
        &self,
        e: &Expr,
    ) -> Result<tremor_value::Value<'static>, super::eval::EvalError> {
        let null = tremor_value::Value::null();
        let fns = self.scope.as_ref().map_or(&[][..], |s| &s.fns[..]);
        let ctx = super::eval::Ctx {
            fns,
            ..super::eval::Ctx::new(&null, &null, &null)
        };
        ctx.eval(e).map(super::eval::Val::into_static)
    }

    /// `(a, b[, ...])`: the argument names, and whether more may follow.
    fn fn_args(&mut self) -> Result<(Vec<String>, bool), SourceError> {
        self.expect_punct("(")?;
        let mut args = Vec::new();
        let mut open = false;
        while !self.eat_punct(")") {
            if self.eat_punct(".") {
                self.expect_punct(".")?;
                self.expect_punct(".")?;
                open = true;
            } else {
                args.push(self.ident("`<ident>`")?.name);
            }
            if !self.eat_punct(",") {
                self.expect_punct(")")?;
                break;
            }
        }
        Ok((args, open))
    }

    /// `fn NAME(args[, ...]) with BODY end` or `fn NAME(args) of case ... end`.
    pub(crate) fn fn_decl(&mut self, depth: usize) -> Result<(), SourceError> {
        let at = self.next().pos;
        let name = self.ident("`<ident>`")?;
        let (args, open) = self.fn_args()?;
        // Tremor reports a second definition under the whole of it, once it has read it.
        let scope = self.scope.as_ref().expect("scripts have a scope");
        let twice = scope.fn_names.contains_key(&scope.qualified(&name.name));
        let index = if twice {
            let fns = &mut self.scope_mut().fns;
            fns.push(FnDef {
                name: name.name.clone(),
                arity: args.len(),
                open,
                body: Vec::new(),
                locals: args.len(),
                local_names: Vec::new(),
            });
            fns.len() - 1
        } else {
            self.declare_fn(&name.name, name.pos, args.len(), open)?
        };
        let scope = self.scope.as_mut().expect("scripts have a scope");
        let outer_locals = std::mem::replace(&mut scope.locals, args.clone());
        let outer_fn = scope.current_fn.replace(index);
        let with = self.eat_kw("with");
        let body = if with {
            self.statements(depth + 1, false)
        } else if self.is_kw("of") {
            let pos = self.pos();
            self.match_fn_body(&args, pos, depth)
        } else {
            Err(self.found_but_expected(&["`of`", "`with`"]))
        };
        let scope = self.scope.as_mut().expect("scripts have a scope");
        let locals = std::mem::replace(&mut scope.locals, outer_locals);
        scope.current_fn = outer_fn;
        let body = body?;
        if let Some(at) = misplaced_recur(&body) {
            // Tremor: `recur` only as what a function returns (a tail call).
            let callout = Callout {
                until: self.after_call(at),
                lines_before: 2,
                lines_after: 2,
                ..Callout::default()
            };
            let msg = "Can not recur from this location";
            return Err(self.err(at, msg).with_callout(callout));
        }
        if with {
            self.expect_kw("end")?;
        }
        self.show_fn_around_its_unknown_calls(at);
        if twice {
            let callout = Callout {
                until: Some(self.pos()),
                ..Callout::default()
            };
            let msg = format!("Can't define the function `{}` twice", name.name);
            return Err(self.err(at, msg).with_callout(callout));
        }
        let scope = self.scope.as_mut().expect("scripts have a scope");
        scope.fns[index].body = body;
        scope.fns[index].locals = locals.len();
        scope.fns[index].local_names = locals;
        Ok(())
    }

    /// `of case (a, b) when ... => ... case _ => ... end`: a match on the tuple of arguments.
    fn match_fn_body(
        &mut self,
        args: &[String],
        pos: Pos,
        depth: usize,
    ) -> Result<Vec<Stmt>, SourceError> {
        // Reuse `match`: the target is the array of the arguments.
        let items = (0..args.len())
            .map(|slot| Expr {
                kind: ExprKind::Path(PathRoot::Local(slot), vec![]),
                pos,
            })
            .collect();
        let target = Expr {
            kind: ExprKind::Array(items),
            pos,
        };
        self.next();
        let cases = self.cases_of(depth, &mut |p, d| p.stmt(d), ";", true)?;
        Ok(vec![lower_match(Match { target, cases, pos })])
    }

    /// Where the token after the call that starts at `at` (`name(...)`) is.
    fn after_call(&self, at: Pos) -> Option<Pos> {
        let start = self.toks.iter().position(|t| t.pos == at)?;
        let mut depth = 0usize;
        for (i, t) in self.toks.iter().enumerate().skip(start) {
            match t.tok {
                Tok::Punct("(") => depth += 1,
                Tok::Punct(")") if depth == 1 => return self.toks.get(i + 1).map(|t| t.pos),
                Tok::Punct(")") => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        None
    }

    /// Tremor shows an unknown function called in a function's body with all of that function
    /// (from `at` to the cursor) and two lines around it.
    fn show_fn_around_its_unknown_calls(&mut self, at: Pos) {
        let end = self.pos().line;
        let Some(Some(e)) = &mut self.unresolved else {
            return;
        };
        let Some(pos) = e.pos.filter(|p| *p >= at && p.line <= end) else {
            return;
        };
        if e.message.starts_with(super::callee::UNDEFINED_FUNCTION) {
            e.callout.lines_before = (pos.line - at.line.saturating_sub(2).max(1)) as usize;
            e.callout.lines_after = (end + 2 - pos.line) as usize;
        }
    }

    fn scope_mut(&mut self) -> &mut Scope {
        self.scope.as_mut().expect("scripts have a scope")
    }

    fn declare_fn(
        &mut self,
        name: &str,
        pos: Pos,
        arity: usize,
        open: bool,
    ) -> Result<usize, SourceError> {
        let scope: &mut Scope = self.scope.as_mut().expect("scripts have a scope");
        let full = scope.qualified(name);
        if scope.fn_names.contains_key(&full) {
            return Err(SourceError::at(
                self.file,
                pos,
                format!("Can't define the function `{name}` twice"),
            ));
        }
        scope.fns.push(FnDef {
            name: full.clone(),
            arity,
            open,
            body: Vec::new(),
            locals: arity,
            local_names: Vec::new(),
        });
        let index = scope.fns.len() - 1;
        scope.fn_names.insert(full, index);
        Ok(index)
    }

    /// `intrinsic fn NAME(args) as module::name`: the standard library's function under a
    /// script name.
    pub(crate) fn intrinsic_decl(&mut self) -> Result<(), SourceError> {
        self.next();
        self.expect_kw("fn")?;
        let name = self.ident("`<ident>`")?;
        let (args, open) = self.fn_args()?;
        let arity = args.len();
        self.expect_kw("as")?;
        let target = self.module_path()?.join("::");
        let pos = name.pos;
        let callee = super::callee::std_function(&target)
            .ok_or_else(|| self.err(pos, format!("Call to undefined function {target}")))?;
        let index = self.declare_fn(&name.name, pos, arity, open)?;
        let args = (0..arity)
            .map(|slot| Expr {
                kind: ExprKind::Path(PathRoot::Local(slot), vec![]),
                pos,
            })
            .collect();
        let scope = self.scope.as_mut().expect("scripts have a scope");
        scope.fns[index].body = vec![Stmt::Expr(Expr {
            kind: ExprKind::Invoke(callee, args),
            pos,
        })];
        Ok(())
    }

    /// `mod NAME with STATEMENTS end`: declarations inside are named `NAME::...`.
    pub(crate) fn mod_decl(&mut self, depth: usize) -> Result<(), SourceError> {
        self.next();
        let name = self.ident("`<ident>`")?.name;
        self.expect_kw("with")?;
        self.scope
            .as_mut()
            .expect("scripts have a scope")
            .module
            .push(name);
        let body = self.statements(depth + 1, true);
        self.scope
            .as_mut()
            .expect("scripts have a scope")
            .module
            .pop();
        if body?.iter().any(|s| !matches!(s, Stmt::Expr(_))) {
            return Err(self.err(
                self.pos(),
                "modules may only declare constants and functions",
            ));
        }
        self.expect_kw("end")?;
        Ok(())
    }
}

/// The first `recur` of a function body that is not what the body returns (Tremor allows it
/// only as the last expression, also as the last of a `match` case there).
fn misplaced_recur(body: &[Stmt]) -> Option<Pos> {
    let (last, before) = body.split_last()?;
    before
        .iter()
        .find_map(|s| first_recur(&|f| s.walk(f)))
        .or_else(|| match last {
            Stmt::Expr(e) => misplaced_recur_in(e),
            Stmt::Match(m) => first_recur(&|f| m.walk_heads(f))
                .or_else(|| m.cases.iter().find_map(|c| misplaced_recur(&c.body))),
            other => first_recur(&|f| other.walk(f)),
        })
}

/// As [`misplaced_recur`] for the expression a body returns.
fn misplaced_recur_in(e: &Expr) -> Option<Pos> {
    match &e.kind {
        ExprKind::Recur(args) => args.iter().find_map(|a| first_recur(&|f| a.walk(f))),
        ExprKind::Match(m) => first_recur(&|f| m.walk_heads(f)).or_else(|| {
            m.cases.iter().find_map(|c| {
                let (last, before) = c.body.split_last()?;
                before
                    .iter()
                    .find_map(|b| first_recur(&|f| b.walk(f)))
                    .or_else(|| misplaced_recur_in(last))
            })
        }),
        _ => first_recur(&|f| e.walk(f)),
    }
}

/// A way to visit expressions (`Expr::walk`, `Stmt::walk`, `Match::walk_heads`).
type Visit<'a> = &'a dyn Fn(&mut dyn FnMut(&Expr));

/// Where the first `recur` among the expressions `walk` visits is.
fn first_recur(walk: Visit<'_>) -> Option<Pos> {
    let mut found = None;
    walk(&mut |e| {
        if found.is_none() && matches!(e.kind, ExprKind::Recur(_)) {
            found = Some(e.pos);
        }
    });
    found
}
