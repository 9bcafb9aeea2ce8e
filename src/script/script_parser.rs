//! The statement level of scripts: `let`, `emit`, `drop`, `const`, `fn`, `intrinsic`, `use`,
//! `mod`, and statement-level `match` / `for` (whose cases may contain statements).
//!
//! A script is statements separated by `;` (a trailing `;` is allowed). It ends at the end of
//! the input or, embedded in a Troy `define script`, at the `end` that closes it.

use super::cursor::Parser;
use super::error::{Callout, Pos, SourceError};
use super::expected::{after_operand, is_keyword, Start, LET_TARGET};
use super::expr::{Case, Comprehension, Expr, ExprKind, ForCase, Match, PathRoot};
use super::lexer::Tok;
use super::scope::FnDef;
use super::stmt::{Stmt, Target};

/// Deeper nesting of statements than this is refused (as for expressions).
const MAX_DEPTH: usize = 200;

/// A parsed script: its statements, how many local slots they use, and its functions.
#[derive(Debug)]
pub struct Parsed {
    /// The top-level statements, in order.
    pub body: Vec<Stmt>,
    /// How many local slots the top level uses.
    pub locals: usize,
    /// The names of the top level's local slots, by slot (for "non existing local" errors).
    pub local_names: Vec<String>,
    /// The script's functions.
    pub fns: Vec<FnDef>,
}

impl Parser<'_> {
    /// Parses a script body up to the end of the input or an `end` that closes nothing (which
    /// is not consumed).
    ///
    /// # Errors
    /// On syntax errors, unknown names and constants that fail to evaluate.
    pub fn script(&mut self) -> Result<Parsed, SourceError> {
        if self.scope.is_none() {
            self.scope = Some(Box::default());
        }
        let outer = self.unresolved.replace(None);
        let body = self.statements(0, true);
        let unresolved = std::mem::replace(&mut self.unresolved, outer).flatten();
        let body = body?;
        if let Some(e) = unresolved {
            return Err(e);
        }
        let scope = self.scope.take().unwrap_or_default();
        Ok(Parsed {
            body,
            locals: scope.locals.len(),
            local_names: scope.locals,
            fns: scope.fns,
        })
    }

    /// Statements separated by `;` until `end`, `case`, `default` or the end of the input.
    pub(crate) fn statements(&mut self, depth: usize, top: bool) -> Result<Vec<Stmt>, SourceError> {
        let mut out = Vec::new();
        loop {
            if self.at_block_end() {
                return Ok(out);
            }
            self.start = match (top, out.is_empty()) {
                (true, true) => Start::FirstStatement,
                (true, false) => Start::TopLevel,
                (false, _) => Start::Statement,
            };
            let start = self.idx;
            let stmt = if top {
                self.top_level(depth)?
                    .map(|s| self.folded(s, start))
                    .transpose()?
            } else {
                Some(self.stmt(depth)?)
            };
            out.extend(stmt);
            if !self.eat_punct(";") {
                if self.at_block_end() {
                    return Ok(out);
                }
                if top {
                    return Err(self.found_but_expected_tokens(&self.after_operand()));
                }
                return Err(self.found_but_expected(&["`;`"]));
            }
        }
    }

    pub(crate) fn at_block_end(&self) -> bool {
        self.peek().tok == Tok::Eof
            || self.is_kw("end")
            || self.is_kw("case")
            || self.is_kw("default")
    }

    /// A statement of the top level: declarations give `None`.
    fn top_level(&mut self, depth: usize) -> Result<Option<Stmt>, SourceError> {
        match self.word() {
            // A constant is also a value: a script of constants emits the last one.
            Some("const") => self.const_decl().map(|e| Some(Stmt::Expr(e))),
            Some("fn") => self.fn_decl(depth).map(|()| None),
            Some("intrinsic") => self.intrinsic_decl().map(|()| None),
            Some("use") => self.script_use(depth).map(|()| None),
            Some("mod") => self.mod_decl(depth).map(|()| None),
            _ => self.stmt(depth).map(Some),
        }
    }

    /// One statement.
    pub(crate) fn stmt(&mut self, depth: usize) -> Result<Stmt, SourceError> {
        if depth > MAX_DEPTH {
            return Err(self.err(self.pos(), "expression nested too deeply"));
        }
        if self.start < Start::Statement {
            self.start = Start::Statement;
        }
        match self.word() {
            Some("let") => {
                self.next();
                let target = self.let_target()?;
                self.expect_punct("=")?;
                self.start = Start::Statement;
                let value = self.stmt(depth + 1)?;
                Ok(Stmt::Let(Box::new(target), Box::new(value)))
            }
            Some("drop") => {
                self.next();
                Ok(Stmt::Drop)
            }
            Some("emit") => {
                self.next();
                self.start = Start::Complex;
                let value = if self.at_block_end() || self.is_punct(";") || self.is_punct("=>") {
                    None
                } else {
                    Some(self.expr()?)
                };
                let port = if self.eat_punct("=>") {
                    Some(self.port_name()?)
                } else {
                    None
                };
                Ok(Stmt::Emit { value, port })
            }
            Some("match") => {
                let pos = self.next().pos;
                let m = self.match_of(pos, depth, |p, d| p.stmt(d), ";")?;
                Ok(lower_match(m))
            }
            Some("for") => {
                let pos = self.next().pos;
                let c = self.for_of(pos, depth, |p, d| p.stmt(d), ";")?;
                Ok(lower_for(c))
            }
            _ => self.expr().map(Stmt::Expr),
        }
    }

    fn port_name(&mut self) -> Result<String, SourceError> {
        let pos = self.pos();
        let e = self.expr()?;
        match e.as_literal().and_then(|v| v.as_str()) {
            Some(s) => Ok(s.to_string()),
            None => Err(self.err(pos, "the port of `emit` must be a string literal")),
        }
    }

    /// A top-level expression of constants computed now, as Tremor folds it: its value, or
    /// its error as a compile error under the whole expression.
    fn folded(&self, stmt: Stmt, start: usize) -> Result<Stmt, SourceError> {
        let Stmt::Expr(e) = &stmt else {
            return Ok(stmt);
        };
        if !is_constant(e) || matches!(e.kind, ExprKind::Literal(_)) {
            return Ok(stmt);
        }
        match self.eval_now(e) {
            Ok(v) => Ok(Stmt::Expr(Expr::literal(v, e.pos))),
            Err(err) => {
                let message = folding_wording(&err.message);
                // Tremor underlines the segment of a path that fails, else the whole expression.
                let (pos, until) = match self.failing_segment(&err.message, start) {
                    Some(segment) => segment,
                    None if is_path_error(&err.message) => (err.pos, None),
                    // A binary literal's part that does not fit: Tremor underlines the part.
                    None if is_bytes_part_error(&err.message) => (err.pos, None),
                    None => {
                        let first = self.toks.get(start).map_or(err.pos, |t| t.pos);
                        (first, Some(self.pos()))
                    }
                };
                let callout = Callout {
                    until,
                    ..Callout::default()
                };
                Err(self.err(pos, message).with_callout(callout))
            }
        }
    }

    /// Where the path segment an error of a constant path names is, among the tokens of the
    /// statement that began at token `start`: the key after `.`, or a range's bounds (then
    /// also where the underline ends).
    fn failing_segment(&self, message: &str, start: usize) -> Option<(Pos, Option<Pos>)> {
        let toks = &self.toks[start..self.idx];
        if let Some(key) = message
            .split_once(" key `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(key, _)| key)
        {
            return toks
                .windows(2)
                .find_map(|pair| match (&pair[0].tok, &pair[1].tok) {
                    (Tok::Punct("."), Tok::Ident(k) | Tok::Quoted(k)) if k == key => {
                        Some((pair[1].pos, None))
                    }
                    _ => None,
                });
        }
        let ranged = message.contains("index range")
            || message.starts_with("A range's end")
            || message.starts_with("Type error: Expected array");
        if !ranged {
            return None;
        }
        let open = toks.iter().rposition(|t| t.tok == Tok::Punct("["))?;
        let close = open + toks[open..].iter().position(|t| t.tok == Tok::Punct("]"))?;
        Some((toks.get(open + 1)?.pos, Some(toks[close].pos)))
    }

    /// What Tremor expects after the operand that ends a top-level statement: an operator,
    /// `;`, and after a path or a bare name what continues those.
    fn after_operand(&self) -> Vec<&'static str> {
        let before = |n: usize| self.idx.checked_sub(n).and_then(|i| self.toks.get(i));
        let name = |t: Option<&super::lexer::Token>| match t.map(|t| &t.tok) {
            Some(Tok::Ident(w)) => !is_keyword(w),
            Some(Tok::Quoted(_)) => true,
            _ => false,
        };
        let last = before(1).map(|t| &t.tok);
        let path = name(before(1))
            || matches!(last, Some(Tok::Punct("]" | "}" | "$")))
            || matches!(last, Some(Tok::Ident(w)) if matches!(w.as_str(), "event" | "state" | "args" | "group" | "window"));
        let bare_name = name(before(1))
            && !matches!(
                before(2).map(|t| &t.tok),
                Some(Tok::Punct("." | "$" | "::"))
            );
        after_operand(path, bare_name)
    }

    /// `event.a`, `$x`, `state`, `name[...]` on the left of `let`.
    fn let_target(&mut self) -> Result<Target, SourceError> {
        let pos = self.pos();
        let root = if self.eat_punct("$") {
            PathRoot::Meta
        } else if self.eat_kw("event") {
            PathRoot::Event
        } else if self.eat_kw("state") {
            PathRoot::State
        } else if self.is_kw("args") {
            return Err(self.err(pos, "Can't assign to `args`: it is read-only"));
        } else if !matches!(&self.peek().tok, Tok::Quoted(_)) && self.word().is_none_or(is_keyword)
        {
            return Err(self.found_but_expected_tokens(LET_TARGET));
        } else {
            let name = self.ident("`<ident>`")?.name;
            let scope = self
                .scope
                .as_mut()
                .ok_or_else(|| SourceError::at(self.file, pos, format!("unknown name `{name}`")))?;
            PathRoot::Local(scope.local(&name))
        };
        // `$a.b` is the field `a` of the metadata, then `b`.
        let mut segments = Vec::new();
        if root == PathRoot::Meta {
            if let Tok::Ident(n) | Tok::Quoted(n) = &self.peek().tok {
                segments.push(super::expr::Segment::Field(n.clone()));
                self.next();
            }
        }
        segments.extend(self.segments(0)?);
        Ok(Target {
            root,
            segments,
            pos,
        })
    }
}

/// Tremor's wording for errors of paths into constants, which it finds while folding them
/// (at run time the same mistakes on the event read as the evaluator words them).
fn folding_wording(message: &str) -> String {
    let between = |text: &str, open: &str, close: &str| {
        let (_, rest) = text.split_once(open)?;
        rest.split_once(close).map(|(inside, _)| inside.to_string())
    };
    let conflict =
        |got: &str, expected: &str| format!("Conflicting types, got {got} but expected {expected}");
    if message.starts_with("Trying to access a non existing ") {
        if let Some(got) = between(message, "(the value is of type `", "`)") {
            return conflict(&got, "record");
        }
    } else if let Some(rest) = message.strip_prefix("The value of type `") {
        if let Some((got, _)) = rest.split_once("` cannot be indexed") {
            return conflict(got, "array");
        }
    } else if let Some(rest) = message.strip_prefix("Bad array index, got `") {
        if let Some((index, range)) = rest.split_once("` but expected an index in the range ") {
            return format!(
                "Array index out of bounds, got index {index} but expected an index in the range {range}"
            );
        }
    } else if let Some(rest) = message.strip_prefix("Type error: Expected ") {
        if let Some((expected, got)) = rest.split_once(", found ") {
            return conflict(got, expected);
        }
    }
    message.to_string()
}

/// Whether an error is one of a path (Tremor underlines the failing part, not the whole).
fn is_path_error(message: &str) -> bool {
    folding_wording(message) != message || message.contains("range")
}

/// Whether an error is one of a binary literal's part (see `bytes::encode_part`).
fn is_bytes_part_error(message: &str) -> bool {
    [
        "Not an unsigned integer: ",
        "Not an signed integer: ",
        "Not a long enough binary: ",
    ]
    .iter()
    .any(|p| message.starts_with(p))
}

/// Whether `e` is made of literals, operators and pure library calls only.
fn is_constant(e: &Expr) -> bool {
    let mut constant = true;
    e.walk(&mut |part| {
        constant &= match &part.kind {
            ExprKind::Invoke(super::nodes::Callee::Std(f), _) => f.is_pure(),
            ExprKind::Literal(_)
            | ExprKind::Record(_)
            | ExprKind::Array(_)
            | ExprKind::Interp(_)
            | ExprKind::Unary(..)
            | ExprKind::Binary(..)
            | ExprKind::Access(..)
            // Tremor folds a binary literal of literals (its errors are compile errors).
            | ExprKind::Bytes(_) => true,
            _ => false,
        };
    });
    constant
}

/// A statement-level `match` whose cases only compute values runs as an expression (which
/// borrows the event instead of copying what it binds).
pub(crate) fn lower_match(m: Match<Stmt>) -> Stmt {
    if !all_pure(m.cases.iter().map(|c| &c.body)) {
        return Stmt::Match(Box::new(m));
    }
    let pos = m.pos;
    let cases = m
        .cases
        .into_iter()
        .map(|c| Case {
            pattern: c.pattern,
            guard: c.guard,
            body: to_exprs(c.body),
        })
        .collect();
    Stmt::Expr(Expr {
        kind: ExprKind::Match(Box::new(Match {
            target: m.target,
            cases,
            pos,
        })),
        pos,
    })
}

/// As [`lower_match`], for `for`.
fn lower_for(c: Comprehension<Stmt>) -> Stmt {
    if !all_pure(c.cases.iter().map(|c| &c.body)) {
        return Stmt::For(Box::new(c));
    }
    let pos = c.pos;
    let cases = c
        .cases
        .into_iter()
        .map(|f| ForCase {
            key: f.key,
            value: f.value,
            guard: f.guard,
            body: to_exprs(f.body),
        })
        .collect();
    let comp = Comprehension {
        target: c.target,
        cases,
        initial: c.initial,
        fold: c.fold,
        pos,
    };
    Stmt::Expr(Expr {
        kind: ExprKind::For(Box::new(comp)),
        pos,
    })
}

/// Whether every body only computes values.
fn all_pure<'b>(mut bodies: impl Iterator<Item = &'b Vec<Stmt>>) -> bool {
    bodies.all(|b| b.iter().all(Stmt::is_pure))
}

/// The expressions of a pure body.
fn to_exprs(body: Vec<Stmt>) -> Vec<Expr> {
    body.into_iter().map(into_expr).collect()
}

/// The expression of a pure statement (see [`Stmt::is_pure`]).
fn into_expr(s: Stmt) -> Expr {
    match s {
        Stmt::Expr(e) => e,
        Stmt::Match(m) => match lower_match(*m) {
            Stmt::Expr(e) => e,
            _ => unreachable!("a pure match lowers to an expression"),
        },
        Stmt::For(c) => match lower_for(*c) {
            Stmt::Expr(e) => e,
            _ => unreachable!("a pure for lowers to an expression"),
        },
        Stmt::Let(..) | Stmt::Emit { .. } | Stmt::Drop => {
            unreachable!("only pure statements are lowered")
        }
    }
}
