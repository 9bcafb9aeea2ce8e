//! Patterns of `case`: `_`, expressions, record `%{...}`, array `%[...]` and tuple `%(...)`
//! patterns, extractors `~ kind|...|`, and `name = PATTERN` assignments.

use super::cursor::Parser;
use super::error::{Callout, SourceError};
use super::expr::{BinOp, ElemTest, Extract, FieldTest, Pattern};
use super::lexer::Tok;

impl Parser<'_> {
    /// The pattern after `case`.
    pub(crate) fn pattern(&mut self, depth: usize) -> Result<Pattern, SourceError> {
        if self.is_kw("_") {
            self.next();
            return Ok(Pattern::Any);
        }
        if let (Tok::Ident(name) | Tok::Quoted(name), Tok::Punct("=")) =
            (&self.peek().tok, &self.peek_at(1).tok)
        {
            let name = name.clone();
            let pos = self.pos();
            self.next();
            self.next();
            let scope = self.scope.as_mut().ok_or_else(|| {
                SourceError::at(self.file, pos, "patterns that assign need a script")
            })?;
            let slot = scope.local(&name);
            return Ok(Pattern::Assign(slot, Box::new(self.pattern(depth + 1)?)));
        }
        if self.is_punct("~") {
            return self.extract().map(Pattern::Extract);
        }
        if self.is_punct("%") {
            return self.structural(depth);
        }
        self.expr().map(Pattern::Expr)
    }

    /// `%{`, `%[` or `%(` patterns.
    fn structural(&mut self, depth: usize) -> Result<Pattern, SourceError> {
        self.next();
        if self.eat_punct("{") {
            return self.record_tests(depth).map(Pattern::Record);
        }
        if self.eat_punct("[") {
            return self
                .elem_tests("]", depth)
                .map(|(items, _)| Pattern::Array(items));
        }
        if self.eat_punct("(") {
            return self
                .elem_tests(")", depth)
                .map(|(items, open)| Pattern::Tuple { items, open });
        }
        Err(self.found_but_expected(&["`%{`", "`%[`", "`%(`"]))
    }

    /// `~ kind|pattern|`.
    fn extract(&mut self) -> Result<Extract, SourceError> {
        let pos = self.expect_punct("~")?;
        self.extractor_after_tilde(pos)
    }

    fn extractor_after_tilde(&mut self, pos: super::error::Pos) -> Result<Extract, SourceError> {
        let kind_pos = self.pos();
        let kind = self.ident("`<ident>`")?.name;
        match self.next().tok {
            Tok::Extractor(pattern) => {
                let compiled = super::extractors::compile(&kind, &pattern).map_err(|e| {
                    // Tremor's parser refuses it, under `kind|pattern|`, with the lines around.
                    let callout = Callout {
                        width: Some(kind.chars().count() + pattern.chars().count() + 2),
                        until: None,
                        hint: None,
                        lines_before: 2,
                        lines_after: 2,
                        ..Callout::default()
                    };
                    let msg = format!("Invalid tilde predicate pattern: {e}");
                    self.err(kind_pos, msg).with_callout(callout)
                })?;
                Ok(Extract {
                    kind,
                    pattern,
                    pos,
                    compiled: std::sync::Arc::new(compiled),
                })
            }
            other => Err(self.err(
                pos,
                format!(
                    "Found the token {} but expected `<extractor>`",
                    other.describe()
                ),
            )),
        }
    }

    /// The tests of a record pattern after `%{`, through `}`.
    fn record_tests(&mut self, depth: usize) -> Result<Vec<FieldTest>, SourceError> {
        self.items_until("}", |p, _| p.field_test(depth))
    }

    fn field_test(&mut self, depth: usize) -> Result<FieldTest, SourceError> {
        if self.eat_kw("present") {
            return Ok(FieldTest::Present(self.ident("`<ident>`")?.name));
        }
        if self.eat_kw("absent") {
            return Ok(FieldTest::Absent(self.ident("`<ident>`")?.name));
        }
        let mut key = self.ident("`<ident>`")?.name;
        if self.eat_punct("=") {
            // `name = key ~= extractor`: the result is bound under `name` (read from the key).
            key = self.ident("`<ident>`")?.name;
        }
        let op = match &self.peek().tok {
            Tok::Punct("~=") => None,
            Tok::Punct("==") => Some(BinOp::Eq),
            Tok::Punct("!=") => Some(BinOp::Ne),
            Tok::Punct("<") => Some(BinOp::Lt),
            Tok::Punct("<=") => Some(BinOp::Le),
            Tok::Punct(">") => Some(BinOp::Gt),
            Tok::Punct(">=") => Some(BinOp::Ge),
            _ => {
                return Err(self
                    .found_but_expected(&["`~=`", "`==`", "`!=`", "`<`", "`<=`", "`>`", "`>=`"]))
            }
        };
        let pos = self.next().pos;
        if let Some(op) = op {
            return Ok(FieldTest::Cmp(key, op, self.expr()?));
        }
        if self.is_punct("%") {
            return Ok(FieldTest::Nested(
                key,
                Box::new(self.structural(depth + 1)?),
            ));
        }
        Ok(FieldTest::Extract(key, self.extractor_after_tilde(pos)?))
    }

    /// The tests of an array or tuple pattern through `close`; whether it ends with `...`.
    pub(crate) fn elem_tests(
        &mut self,
        close: &str,
        depth: usize,
    ) -> Result<(Vec<ElemTest>, bool), SourceError> {
        let mut open = false;
        let items = self.items_until(close, |p, _| {
            if p.is_punct(".") {
                p.next();
                p.expect_punct(".")?;
                p.expect_punct(".")?;
                open = true;
                return Ok(ElemTest::Any);
            }
            p.elem_test(depth)
        })?;
        let mut items = items;
        if open {
            items.pop();
        }
        Ok((items, open))
    }

    fn elem_test(&mut self, depth: usize) -> Result<ElemTest, SourceError> {
        if self.is_kw("_") {
            self.next();
            return Ok(ElemTest::Any);
        }
        if self.is_punct("~") {
            return self.extract().map(ElemTest::Extract);
        }
        if self.is_punct("%") && self.peek_at(1).tok == Tok::Punct("{") {
            self.next();
            self.next();
            return self.record_tests(depth + 1).map(ElemTest::Record);
        }
        self.expr().map(ElemTest::Expr)
    }
}
