//! `match` and `for` heads and cases, shared by expressions (expression bodies) and
//! statements (statement bodies): `match T of case P [when G] => BODY ... end` and
//! `for T of case (k, v) [when G] => BODY ... [into I [use OP]] end`.

use super::cursor::Parser;
use super::error::{Pos, SourceError};
use super::expr::{Case, Comprehension, Expr, ForCase, Match};
use super::lexer::Tok;

impl Parser<'_> {
    /// The cases of a `match` or match function, up to and including `end`.
    pub(crate) fn cases<B>(
        &mut self,
        depth: usize,
        body: &mut dyn FnMut(&mut Self, usize) -> Result<B, SourceError>,
        sep: &str,
    ) -> Result<Vec<Case<B>>, SourceError> {
        self.cases_of(depth, body, sep, false)
    }

    /// As [`Self::cases`]; in a match function (`args`) `case (a, b)` is a tuple pattern of the
    /// arguments.
    pub(crate) fn cases_of<B>(
        &mut self,
        depth: usize,
        body: &mut dyn FnMut(&mut Self, usize) -> Result<B, SourceError>,
        sep: &str,
        args: bool,
    ) -> Result<Vec<Case<B>>, SourceError> {
        let mut cases = Vec::new();
        loop {
            let pattern = if self.eat_kw("case") {
                if args && self.eat_punct("(") {
                    let (mut items, open) = self.elem_tests(")", depth + 1)?;
                    for (slot, item) in items.iter_mut().enumerate() {
                        if let super::expr::ElemTest::Extract(x) = item {
                            *item = super::expr::ElemTest::Rebind(slot, x.clone());
                        }
                    }
                    super::expr::Pattern::Tuple { items, open }
                } else {
                    self.pattern(depth + 1)?
                }
            } else if self.eat_kw("default") {
                super::expr::Pattern::Any
            } else if self.eat_kw("end") {
                return Ok(cases);
            } else {
                return Err(self.found_but_expected(&["`case`", "`default`", "`end`"]));
            };
            let (guard, items) = self.guarded_body(depth, body, sep, false)?;
            cases.push(Case {
                pattern,
                guard,
                body: items,
            });
        }
    }

    /// A case's `[when GUARD] => BODY [SEP BODY …]`, up to the end of its block (in a `for`,
    /// also up to `into`).
    fn guarded_body<B>(
        &mut self,
        depth: usize,
        body: &mut dyn FnMut(&mut Self, usize) -> Result<B, SourceError>,
        sep: &str,
        stop_at_into: bool,
    ) -> Result<(Option<Expr>, Vec<B>), SourceError> {
        let guard = if self.eat_kw("when") {
            Some(self.expr()?)
        } else {
            None
        };
        self.expect_punct("=>")?;
        let mut items = vec![body(self, depth + 1)?];
        while self.eat_punct(sep) || (sep == "," && self.eat_punct(";")) {
            if self.at_block_end() || (stop_at_into && self.is_kw("into")) {
                break;
            }
            items.push(body(self, depth + 1)?);
        }
        Ok((guard, items))
    }

    /// After `match`: `TARGET of CASES end`.
    pub(crate) fn match_of<B>(
        &mut self,
        pos: Pos,
        depth: usize,
        mut body: impl FnMut(&mut Self, usize) -> Result<B, SourceError>,
        sep: &str,
    ) -> Result<Match<B>, SourceError> {
        let target = self.expr()?;
        self.expect_kw("of")?;
        let cases = self.cases(depth, &mut body, sep)?;
        Ok(Match { target, cases, pos })
    }

    /// After `for`: `TARGET of case (k, v) ... [into INITIAL [use OP]] end`.
    pub(crate) fn for_of<B>(
        &mut self,
        pos: Pos,
        depth: usize,
        mut body: impl FnMut(&mut Self, usize) -> Result<B, SourceError>,
        sep: &str,
    ) -> Result<Comprehension<B>, SourceError> {
        let target = self.expr()?;
        self.expect_kw("of")?;
        let mut cases = Vec::new();
        while self.eat_kw("case") {
            self.expect_punct("(")?;
            let k = self.ident("`<ident>`")?.name;
            self.expect_punct(",")?;
            let v = self.ident("`<ident>`")?.name;
            self.expect_punct(")")?;
            let scope = self
                .scope
                .as_mut()
                .ok_or_else(|| SourceError::at(self.file, pos, "`for` needs a script"))?;
            let (key, value) = (scope.local(&k), scope.local(&v));
            let (guard, items) = self.guarded_body(depth, &mut body, sep, true)?;
            cases.push(ForCase {
                key,
                value,
                guard,
                body: items,
            });
        }
        let (initial, fold) = if self.eat_kw("into") {
            let initial = self.expr()?;
            let fold = if self.eat_kw("use") {
                Some(self.fold_operator()?)
            } else {
                None
            };
            (Some(initial), fold)
        } else {
            (None, None)
        };
        self.expect_kw("end")?;
        Ok(Comprehension {
            target,
            cases,
            initial,
            fold,
            pos,
        })
    }
    /// The operator after `into ... use`.
    fn fold_operator(&mut self) -> Result<super::expr::BinOp, SourceError> {
        use super::expr::BinOp;
        let op = match &self.peek().tok {
            Tok::Punct("+") => BinOp::Add,
            Tok::Punct("-") => BinOp::Sub,
            Tok::Punct("*") => BinOp::Mul,
            Tok::Punct("/") => BinOp::Div,
            Tok::Punct("%") => BinOp::Mod,
            Tok::Punct("&") => BinOp::BitAnd,
            Tok::Punct("^") => BinOp::BitXor,
            Tok::Punct("<<") => BinOp::Shl,
            Tok::Punct(">>") => BinOp::Shr,
            Tok::Punct(">>>") => BinOp::UShr,
            Tok::Ident(w) if w == "and" => BinOp::And,
            Tok::Ident(w) if w == "or" => BinOp::Or,
            Tok::Ident(w) if w == "xor" => BinOp::Xor,
            _ => return Err(self.found_but_expected_tokens(super::expected::FOLD_OPERATOR)),
        };
        self.next();
        Ok(op)
    }
}
