//! Expressions that start with a word or a sigil: paths (`event`, `$`, `state`, `args`,
//! locals, constants), calls, `present` / `absent`, and the keyword expressions `match`, `for`,
//! `patch`, `merge`, `recur`; plus the segments that may follow any path.

use super::callee::UNDEFINED_FUNCTION;
use super::cursor::Parser;
use super::error::{Pos, SourceError};
use super::expr::{Expr, ExprKind, PatchOp, PathRoot, Segment, UnOp};
use super::lexer::Tok;
use tremor_value::{StaticNode, Value};

impl Parser<'_> {
    /// An expression starting with the word `w` (at the cursor).
    pub(crate) fn word_expr(
        &mut self,
        w: &str,
        pos: Pos,
        depth: usize,
    ) -> Result<Expr, SourceError> {
        let lit = match w {
            "true" => Some(Value::Static(StaticNode::Bool(true))),
            "false" => Some(Value::Static(StaticNode::Bool(false))),
            "null" => Some(Value::null()),
            _ => None,
        };
        if let Some(v) = lit {
            self.next();
            return Ok(Expr::literal(v, pos));
        }
        let root = match w {
            "event" => PathRoot::Event,
            "args" => PathRoot::Args,
            "state" => PathRoot::State,
            "present" | "absent" => {
                self.next();
                let present = self.path_for_presence(depth)?;
                if w == "present" {
                    return Ok(present);
                }
                return Ok(Expr {
                    kind: ExprKind::Unary(UnOp::Not, Box::new(present)),
                    pos,
                });
            }
            "match" => {
                self.next();
                let m = self.match_of(pos, depth, |p, _| p.expr(), ",")?;
                return self.then_segments(
                    Expr {
                        kind: ExprKind::Match(Box::new(m)),
                        pos,
                    },
                    depth,
                );
            }
            "for" => {
                self.next();
                let c = self.for_of(pos, depth, |p, _| p.expr(), ",")?;
                return Ok(Expr {
                    kind: ExprKind::For(Box::new(c)),
                    pos,
                });
            }
            "patch" => {
                self.next();
                return self.patch(pos);
            }
            "merge" => {
                self.next();
                let target = self.expr()?;
                self.expect_kw("of")?;
                let value = self.expr()?;
                self.expect_kw("end")?;
                return Ok(Expr {
                    kind: ExprKind::Merge(Box::new(target), Box::new(value)),
                    pos,
                });
            }
            "recur" => {
                self.next();
                self.expect_punct("(")?;
                let args = self.items_until(")", |p, _| p.expr())?;
                return Ok(Expr {
                    kind: ExprKind::Recur(args),
                    pos,
                });
            }
            _ if matches!(self.peek_at(1).tok, Tok::Punct("::" | "(")) => {
                return self.call_or_const(pos, depth);
            }
            _ => match self.local_root(w) {
                Some(root) => root,
                None => match self.constant(w) {
                    Some(v) => {
                        self.next();
                        let lit = Expr::literal(v, pos);
                        return self.then_segments(lit, depth);
                    }
                    None => {
                        let error = self.unknown_name(w, pos);
                        self.next();
                        self.segments(depth)?;
                        return self.unresolved(error, pos);
                    }
                },
            },
        };
        self.next();
        let segs = self.segments(depth)?;
        Ok(Expr {
            kind: ExprKind::Path(root, segs),
            pos,
        })
    }

    /// The local `name`. In a script, as in Tremor, a name that is no constant and was never
    /// assigned is a local all the same: reading it fails when it runs (a `case` never taken
    /// may name one).
    pub(crate) fn local_root(&mut self, name: &str) -> Option<PathRoot> {
        if let Some(slot) = self.scope.as_ref().and_then(|s| s.existing_local(name)) {
            return Some(PathRoot::Local(slot));
        }
        if self.unresolved.is_some() && self.constant(name).is_none() {
            let scope = self.scope.get_or_insert_with(Box::default);
            return Some(PathRoot::Local(scope.local(name)));
        }
        None
    }

    /// The value of the constant `name` in scope.
    fn constant(&self, name: &str) -> Option<Value<'static>> {
        self.scope
            .as_ref()
            .and_then(|s| s.resolve(name, |s, n| s.consts.get(n).cloned()))
    }

    /// `$`, `$name...`: the metadata.
    pub(crate) fn meta_path(&mut self, pos: Pos, depth: usize) -> Result<Expr, SourceError> {
        self.next();
        let mut segs = Vec::new();
        match &self.peek().tok {
            // A reserved word after `$` is not a field name: `$` at the end of a script body
            // followed by `end` is the metadata root, not the field `$end` (as in Tremor, a
            // reserved word as a field needs backticks).
            Tok::Ident(n) if !super::expected::is_keyword(n) => {
                segs.push(Segment::Field(n.clone()));
                self.next();
            }
            Tok::Quoted(n) => {
                segs.push(Segment::Field(n.clone()));
                self.next();
            }
            _ => {}
        }
        segs.extend(self.segments(depth)?);
        Ok(Expr {
            kind: ExprKind::Path(PathRoot::Meta, segs),
            pos,
        })
    }

    /// What `present` tests: a path, a constant (always present), an unknown local (never) or
    /// a computed path (present when it can be read).
    fn path_for_presence(&mut self, depth: usize) -> Result<Expr, SourceError> {
        let pos = self.pos();
        if let Tok::Ident(w) = &self.peek().tok {
            let local = self
                .scope
                .as_ref()
                .and_then(|s| s.existing_local(w))
                .is_some();
            let konst = self
                .scope
                .as_ref()
                .and_then(|s| s.resolve(w, |s, n| s.consts.get(n).cloned()))
                .is_some();
            let reserved = matches!(w.as_str(), "event" | "state" | "args");
            if !local
                && !konst
                && !reserved
                && !matches!(self.peek_at(1).tok, Tok::Punct("::" | "("))
            {
                self.next();
                self.segments(depth)?;
                return Ok(Expr::literal(Value::from(false), pos));
            }
        }
        let e = if self.is_punct("$") {
            self.meta_path(pos, depth)?
        } else {
            match self.peek().tok.clone() {
                Tok::Ident(w) => self.word_expr(&w, pos, depth)?,
                _ => {
                    return Err(self.found_but_expected(&[
                        "`$`",
                        "`<ident>`",
                        "`event`",
                        "`state`",
                        "`args`",
                    ]))
                }
            }
        };
        Ok(match e.kind {
            ExprKind::Path(root, segs) => Expr {
                kind: ExprKind::Present(root, segs),
                pos,
            },
            ExprKind::Literal(_) => Expr::literal(Value::from(true), pos),
            _ => Expr {
                kind: ExprKind::Exists(Box::new(e)),
                pos,
            },
        })
    }

    /// The name after a `.` (a reserved word is accepted, as Troy's `event.from` needs).
    fn field_name(&mut self) -> Result<String, SourceError> {
        match &self.peek().tok {
            Tok::Ident(n) | Tok::Quoted(n) => {
                let name = n.clone();
                self.next();
                Ok(name)
            }
            Tok::Eof => Err(self.unexpected("a field name")),
            _ => Err(self.found_but_expected_tokens(&["<ident>"])),
        }
    }

    /// `.name`, `[expr]` and `[start:end]` after a path.
    pub(crate) fn segments(&mut self, depth: usize) -> Result<Vec<Segment>, SourceError> {
        let mut segs = Vec::new();
        loop {
            if self.eat_punct(".") {
                segs.push(Segment::Field(self.field_name()?));
            } else if self.eat_punct("[") {
                let key = self.binary(0, depth + 1)?;
                if self.eat_punct(":") {
                    let end = self.binary(0, depth + 1)?;
                    self.expect_punct("]")?;
                    segs.push(Segment::Range(Box::new(key), Box::new(end)));
                    continue;
                }
                self.expect_punct("]")?;
                match key.as_literal().and_then(Value::as_str) {
                    Some(name) => segs.push(Segment::Field(name.to_string())),
                    None => segs.push(Segment::Index(Box::new(key))),
                }
            } else {
                return Ok(segs);
            }
        }
    }

    /// `base` followed by segments, if any.
    pub(crate) fn then_segments(&mut self, base: Expr, depth: usize) -> Result<Expr, SourceError> {
        if !(self.is_punct(".") || self.is_punct("[")) {
            return Ok(base);
        }
        let pos = base.pos;
        let segs = self.segments(depth)?;
        Ok(Expr {
            kind: ExprKind::Access(Box::new(base), segs),
            pos,
        })
    }

    /// `a::b(args)`, `f(args)` or `m::CONST`.
    fn call_or_const(&mut self, pos: Pos, depth: usize) -> Result<Expr, SourceError> {
        let mut path = vec![self.ident("a function name")?.name];
        while self.eat_punct("::") {
            path.push(self.ident("a function name")?.name);
        }
        let full = path.join("::");
        if !self.is_punct("(") {
            let konst = self
                .scope
                .as_ref()
                .and_then(|s| s.resolve(&full, |s, n| s.consts.get(n).cloned()));
            let konst = konst.or_else(|| {
                let unaliased = self
                    .scope
                    .as_ref()
                    .map_or(full.clone(), |s| s.unalias(&full));
                [
                    unaliased.clone(),
                    format!("std::{unaliased}"),
                    format!("tremor::{unaliased}"),
                ]
                .iter()
                .find_map(|p| super::stdlib::lookup_const(p))
            });
            return match konst {
                Some(v) => self.then_segments(Expr::literal(v, pos), depth),
                None if self.scope.is_some() => {
                    let msg = format!("The constant {full} (absolute path) is not defined.");
                    let width = full.chars().count();
                    Err(self.err(pos, msg).with_callout(super::error::Callout {
                        width: Some(width),
                        ..super::error::Callout::default()
                    }))
                }
                None => Err(self.unexpected(&format!("`(` after `{full}`"))),
            };
        }
        self.next();
        let args = self.items_until(")", |p, _| p.binary(0, depth + 1))?;
        let call = match self.resolve_call(&path, args, pos) {
            Err(e) if e.message.starts_with(UNDEFINED_FUNCTION) => self.unresolved(e, pos)?,
            call => call?,
        };
        self.then_segments(call, depth)
    }

    /// A key of a patch operation: a string literal (possibly interpolated), as in Tremor.
    fn patch_key(&mut self) -> Result<Expr, SourceError> {
        if !matches!(self.peek().tok, Tok::Str(_)) {
            return Err(self.found_but_expected(&["`\"`", "`\"\"\"`"]));
        }
        self.expr()
    }

    /// `patch TARGET of OPS end`.
    fn patch(&mut self, pos: Pos) -> Result<Expr, SourceError> {
        let target = self.expr()?;
        self.expect_kw("of")?;
        let mut ops = Vec::new();
        loop {
            let at = self.pos();
            let word = self.word().map(str::to_string);
            let op = match word.as_deref() {
                Some("insert" | "upsert" | "update") => {
                    self.next();
                    let key = self.patch_key()?;
                    self.expect_punct("=>")?;
                    let value = self.expr()?;
                    match word.as_deref() {
                        Some("insert") => PatchOp::Insert(key, value, at),
                        Some("upsert") => PatchOp::Upsert(key, value),
                        _ => PatchOp::Update(key, value, at),
                    }
                }
                Some("erase") => {
                    self.next();
                    PatchOp::Erase(self.patch_key()?)
                }
                Some("merge" | "default") => {
                    self.next();
                    let key = if self.eat_punct("=>") {
                        None
                    } else {
                        let k = self.patch_key()?;
                        self.expect_punct("=>")?;
                        Some(k)
                    };
                    let value = self.expr()?;
                    if word.as_deref() == Some("merge") {
                        PatchOp::Merge(key, value, at)
                    } else {
                        PatchOp::Default(key, value, at)
                    }
                }
                Some("copy" | "move") => {
                    self.next();
                    let from = self.patch_key()?;
                    self.expect_punct("=>")?;
                    let to = self.patch_key()?;
                    if word.as_deref() == Some("copy") {
                        PatchOp::Copy(from, to, at)
                    } else {
                        PatchOp::Move(from, to, at)
                    }
                }
                _ => {
                    return Err(self.found_but_expected(&[
                        "`copy`",
                        "`default`",
                        "`erase`",
                        "`insert`",
                        "`merge`",
                        "`move`",
                        "`update`",
                        "`upsert`",
                    ]))
                }
            };
            ops.push(op);
            if !self.eat_punct(";") {
                self.expect_kw("end")?;
                break;
            }
            if self.eat_kw("end") {
                break;
            }
        }
        let patch = super::expr::Patch { target, ops };
        Ok(Expr {
            kind: ExprKind::Patch(Box::new(patch)),
            pos,
        })
    }
}
