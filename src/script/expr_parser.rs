//! The expression part of the parser: a precedence-climbing parser over the same token cursor.
//!
//! Precedence, loosest first (as in Tremor): `or`, `and`, `== !=`, `< <= > >=`, `+ -`, `* /`,
//! then the prefix operators `not`, `-`, `+`, which bind tighter than any binary operator
//! (`not a == b` is `(not a) == b`). Binary operators are left-associative.

use super::cursor::Parser;
use super::error::SourceError;
use super::expected::{word_token, Start};
use super::expr::{BinOp, Expr, ExprKind, InterpPart, Operation, UnOp};
use super::lexer::{lex, StrPart, Tok};
use tremor_value::{StaticNode, Value};

/// Deeper nesting than this is refused, so that hostile input cannot overflow the stack while
/// parsing or evaluating.
const MAX_DEPTH: usize = 300;

/// Parses one expression from text (the whole text must be the expression).
///
/// # Errors
/// On syntax errors and constructs outside the subset.
pub fn parse_expr(src: &str, file: &str) -> Result<Expr, SourceError> {
    let mut p = Parser::new(lex(src, file)?, file);
    // Comprehensions and patterns bind locals even inside a single expression.
    p.scope = Some(Box::default());
    let e = p.expr()?;
    if p.peek().tok != Tok::Eof {
        return Err(p.unexpected("the end of the expression"));
    }
    Ok(e)
}

impl Parser<'_> {
    /// Parses an expression.
    pub(crate) fn expr(&mut self) -> Result<Expr, SourceError> {
        self.binary(0, 0)
    }

    /// Precedence climbing: a run of operators of one level becomes one flat
    /// [`ExprKind::Binary`] chain, built in this loop, so the recursion depth is bounded by the
    /// number of precedence levels (and brackets), never by the length of a chain.
    pub(crate) fn binary(&mut self, min_bp: u8, depth: usize) -> Result<Expr, SourceError> {
        if depth > MAX_DEPTH {
            return Err(self.err(self.pos(), "expression nested too deeply"));
        }
        let mut lhs = self.unary(depth + 1)?;
        // The level of the chain `lhs` is, when this loop built it (a bracketed chain is an
        // operand, never extended).
        let mut chain_bp = None;
        while let Some((op, bp)) = self.infix_op()? {
            if bp < min_bp {
                break;
            }
            let pos = self.next().pos;
            self.start = Start::Operand;
            let rhs = self.binary(bp + 1, depth + 1)?;
            let step = Operation { op, pos, rhs };
            match &mut lhs.kind {
                ExprKind::Binary(_, rest) if chain_bp == Some(bp) => rest.push(step),
                _ => {
                    lhs = Expr {
                        kind: ExprKind::Binary(Box::new(lhs), vec![step]),
                        pos,
                    };
                    chain_bp = Some(bp);
                }
            }
        }
        Ok(lhs)
    }

    /// The binary operator at the cursor and its binding power, if there is one.
    fn infix_op(&self) -> Result<Option<(BinOp, u8)>, SourceError> {
        let op = match &self.peek().tok {
            Tok::Ident(w) if w == "or" => BinOp::Or,
            Tok::Ident(w) if w == "and" => BinOp::And,
            Tok::Ident(w) if w == "xor" => BinOp::Xor,
            Tok::Punct("^") => BinOp::BitXor,
            Tok::Punct("&") => BinOp::BitAnd,
            Tok::Punct("<<") => BinOp::Shl,
            Tok::Punct(">>") => BinOp::Shr,
            Tok::Punct(">>>") => BinOp::UShr,
            Tok::Punct("%") => BinOp::Mod,
            Tok::Punct("==") => BinOp::Eq,
            Tok::Punct("!=") => BinOp::Ne,
            Tok::Punct("<") => BinOp::Lt,
            Tok::Punct("<=") => BinOp::Le,
            Tok::Punct(">") => BinOp::Gt,
            Tok::Punct(">=") => BinOp::Ge,
            Tok::Punct("+") => BinOp::Add,
            Tok::Punct("-") => BinOp::Sub,
            Tok::Punct("*") => BinOp::Mul,
            Tok::Punct("/") => BinOp::Div,
            _ => return Ok(None),
        };
        Ok(Some((op, op.binding_power())))
    }

    pub(crate) fn unary(&mut self, depth: usize) -> Result<Expr, SourceError> {
        if depth > MAX_DEPTH {
            return Err(self.err(self.pos(), "expression nested too deeply"));
        }
        let pos = self.pos();
        let start = std::mem::replace(&mut self.start, Start::Complex);
        let op = if self.eat_kw("not") {
            UnOp::Not
        } else if self.eat_punct("-") {
            UnOp::Neg
        } else if self.eat_punct("+") {
            UnOp::Plus
        } else if self.eat_punct("!") {
            UnOp::BitNot
        } else {
            if !self.can_start(start) {
                return Err(self.found_but_expected_tokens(&start.tokens()));
            }
            return self.primary(depth + 1);
        };
        self.start = if matches!(op, UnOp::Not | UnOp::BitNot) {
            Start::UnaryOperand
        } else {
            Start::Operand
        };
        let operand = self.unary(depth + 1)?;
        if op == UnOp::Neg {
            // Fold `-literal` so that `-9223372036854775808` is the smallest i64, not an overflow.
            let folded = match operand.as_literal() {
                Some(Value::Static(StaticNode::I64(i))) => i.checked_neg().map(Value::from),
                Some(Value::Static(StaticNode::U64(u))) if *u == 1 << 63 => {
                    Some(Value::from(i64::MIN))
                }
                Some(Value::Static(StaticNode::F64(f))) => Some(Value::Static(StaticNode::F64(-f))),
                _ => None,
            };
            if let Some(v) = folded {
                return Ok(Expr::literal(v, pos));
            }
        }
        Ok(Expr {
            kind: ExprKind::Unary(op, Box::new(operand)),
            pos,
        })
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, SourceError> {
        let t = self.peek().clone();
        let pos = t.pos;
        match t.tok {
            Tok::Int(i) => {
                self.next();
                let v = i64::try_from(i).map_or(Value::Static(StaticNode::U64(i)), Value::from);
                Ok(Expr::literal(v, pos))
            }
            Tok::Float(f) => {
                self.next();
                Ok(Expr::literal(Value::Static(StaticNode::F64(f)), pos))
            }
            Tok::Str(parts) => {
                self.next();
                self.string(parts, pos, depth)
            }
            Tok::Punct("(") => {
                self.next();
                let e = self.binary(0, depth + 1)?;
                self.expect_punct(")")?;
                self.then_segments(e, depth)
            }
            Tok::Punct("[") => {
                self.next();
                let items = self.items_until("]", |p, _| p.binary(0, depth + 1))?;
                let e = Expr {
                    kind: ExprKind::Array(items),
                    pos,
                };
                self.then_segments(e, depth)
            }
            Tok::Punct("{") => {
                self.next();
                let e = self.record(pos, depth)?;
                self.then_segments(e, depth)
            }
            Tok::Punct("$") => self.meta_path(pos, depth),
            Tok::Punct("<<") => {
                self.next();
                self.bytes(pos, depth)
            }
            Tok::Ident(w) => self.word_expr(&w, pos, depth),
            Tok::Quoted(w) => {
                let root = self.local_root(&w);
                self.next();
                let segments = self.segments(depth)?;
                match root {
                    Some(root) => Ok(Expr {
                        kind: ExprKind::Path(root, segments),
                        pos,
                    }),
                    None => Err(self.unknown_name(&w, pos)),
                }
            }
            _ => Err(self.unexpected("an expression")),
        }
    }

    /// Whether the token at the cursor may start an expression where `start` says it is (as
    /// Tremor's grammar decides: e.g. `drop` may start a statement but not a `when` guard).
    /// The end of the input is left to the expression parser's own error.
    fn can_start(&self, start: Start) -> bool {
        let token = match &self.peek().tok {
            Tok::Eof => return true,
            Tok::Ident(w) => word_token(w),
            Tok::Quoted(_) => "<ident>",
            Tok::Int(_) => "int",
            Tok::Float(_) => "float",
            Tok::Str(_) => "\"",
            Tok::Punct(p) => p,
            Tok::Extractor(_) | Tok::Bad(_) => return false,
        };
        start.tokens().contains(&token)
    }

    pub(crate) fn unknown_name(&self, name: &str, pos: super::error::Pos) -> SourceError {
        self.err(
            pos,
            // Tremor's wording; the name may also be a construct of a part of the language that
            // is not supported in this position (e.g. `group` outside a windowed select).
            format!("Unknown local variable: `{name}`"),
        )
    }

    /// The items of a list after its opening bracket, up to `close`: separated by commas, a
    /// trailing comma allowed. `item` parses one, seeing the ones before it.
    pub(crate) fn items_until<T>(
        &mut self,
        close: &str,
        mut item: impl FnMut(&mut Self, &[T]) -> Result<T, SourceError>,
    ) -> Result<Vec<T>, SourceError> {
        let mut items = Vec::new();
        while !self.eat_punct(close) {
            let next = item(self, &items)?;
            items.push(next);
            if !self.eat_punct(",") {
                self.expect_punct(close)?;
                break;
            }
        }
        Ok(items)
    }

    fn record(&mut self, pos: super::error::Pos, depth: usize) -> Result<Expr, SourceError> {
        // As in Tremor, a repeated key is allowed: the last one wins.
        let fields = self.items_until("}", |p, _| p.record_field(depth))?;
        Ok(Expr {
            kind: ExprKind::Record(fields),
            pos,
        })
    }

    /// One `"key": value` of a record.
    fn record_field(&mut self, depth: usize) -> Result<(Expr, Expr), SourceError> {
        let kt = self.peek().clone();
        let key = match kt.tok {
            Tok::Str(parts) => {
                self.next();
                self.string(parts, kt.pos, depth)?
            }
            Tok::Ident(_) | Tok::Quoted(_) => {
                return Err(self.err(
                    kt.pos,
                    format!(
                        "record keys must be strings: write {} in double quotes",
                        kt.tok.describe()
                    ),
                ));
            }
            _ => return Err(self.unexpected("a string key or `}`")),
        };
        self.expect_punct(":")?;
        let value = self.binary(0, depth + 1)?;
        Ok((key, value))
    }

    fn string(
        &mut self,
        parts: Vec<StrPart>,
        pos: super::error::Pos,
        depth: usize,
    ) -> Result<Expr, SourceError> {
        if let [StrPart::Lit(s)] = &parts[..] {
            return Ok(Expr::literal(Value::from(s.clone()), pos));
        }
        let mut out = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                StrPart::Lit(s) => out.push(InterpPart::Lit(s)),
                StrPart::Interp(toks) => {
                    // (The lexer refuses an interpolation without content.)
                    // The interpolation sees the script's names (and may declare locals).
                    let mut sub = Parser::new(toks, self.file);
                    sub.scope = self.scope.take();
                    sub.unresolved = self.unresolved.take();
                    let e = sub.binary(0, depth + 1);
                    self.scope = sub.scope.take();
                    self.unresolved = sub.unresolved.take();
                    let e = e?;
                    if sub.peek().tok != Tok::Eof {
                        return Err(sub.unexpected("`}` closing the interpolation"));
                    }
                    out.push(InterpPart::Expr(e));
                }
            }
        }
        Ok(Expr {
            kind: ExprKind::Interp(out),
            pos,
        })
    }
}

#[cfg(test)]
#[path = "expr_parser_tests.rs"]
mod tests;
