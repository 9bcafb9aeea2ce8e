//! The token cursor both front ends parse with: the Troy statement parser
//! (`crate::troy::parser`) and the expression parser ([`super::expr_parser`]) add their methods
//! to [`Parser`], so a Troy file and the expressions inside it are read by one cursor.

use super::error::{Pos, SourceError};
use super::lexer::{Tok, Token};
use super::scope::Scope;

/// Words of Tremor's languages that start constructs outside the subset. Meeting one where a
/// statement or an expression should start gives "unsupported construct" rather than a syntax error.
pub(crate) const UNSUPPORTED_WORDS: &[&str] = &[
    "let",
    "match",
    "patch",
    "merge",
    "for",
    "fn",
    "const",
    "mod",
    "intrinsic",
    "script",
    "operator",
    "window",
    "state",
    "emit",
    "drop",
    "present",
    "absent",
    "group",
    "having",
    "recur",
    "stream",
    "case",
    "of",
    "when",
    "default",
    "xor",
    "window",
    "tumbling",
    "sliding",
    "insert",
    "upsert",
    "update",
    "erase",
    "copy",
    "move",
];

/// A cursor over tokens. Shared with the expression parser, which adds its methods to it.
pub(crate) struct Parser<'f> {
    pub(crate) toks: Vec<Token>,
    pub(crate) idx: usize,
    pub(crate) file: &'f str,
    /// The names a script has declared so far (locals, constants, functions); `None` while
    /// parsing a Troy expression, where only `event`, `args` and literals exist.
    pub(crate) scope: Option<Box<Scope>>,
}

impl<'f> Parser<'f> {
    /// A parser over tokens that end with [`Tok::Eof`].
    pub(crate) fn new(toks: Vec<Token>, file: &'f str) -> Self {
        Self {
            toks,
            idx: 0,
            file,
            scope: None,
        }
    }

    pub(crate) fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    pub(crate) fn peek_at(&self, n: usize) -> &Token {
        const EOF: &Token = &Token {
            tok: Tok::Eof,
            pos: Pos { line: 0, column: 0 },
        };
        // Past the end, repeat the lexer's own Eof (which has a real position).
        self.toks
            .get(self.idx + n)
            .or_else(|| self.toks.last())
            .unwrap_or(EOF)
    }

    pub(crate) fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.idx < self.toks.len() {
            self.idx += 1;
        }
        t
    }

    pub(crate) fn pos(&self) -> Pos {
        self.peek().pos
    }

    pub(crate) fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(s) if s == kw)
    }

    pub(crate) fn eat_kw(&mut self, kw: &str) -> bool {
        self.advance_if(self.is_kw(kw))
    }

    pub(crate) fn expect_kw(&mut self, kw: &str) -> Result<Pos, SourceError> {
        self.expect_next(self.is_kw(kw), kw)
    }

    pub(crate) fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek().tok, Tok::Punct(q) if q == p)
    }

    pub(crate) fn eat_punct(&mut self, p: &str) -> bool {
        self.advance_if(self.is_punct(p))
    }

    pub(crate) fn expect_punct(&mut self, p: &str) -> Result<Pos, SourceError> {
        self.expect_next(self.is_punct(p), p)
    }

    /// Steps over the next token when it is the one `wanted`; says whether it did.
    pub(crate) fn advance_if(&mut self, wanted: bool) -> bool {
        if wanted {
            self.idx += 1;
        }
        wanted
    }

    /// Steps over the next token, which must be the one `wanted` (written `text`); returns
    /// where it was.
    fn expect_next(&mut self, wanted: bool, text: &str) -> Result<Pos, SourceError> {
        let pos = self.pos();
        if self.advance_if(wanted) {
            Ok(pos)
        } else {
            Err(self.unexpected(&format!("`{text}`")))
        }
    }

    pub(crate) fn err(&self, pos: Pos, msg: impl Into<String>) -> SourceError {
        SourceError::at(self.file, pos, msg)
    }

    pub(crate) fn unexpected(&self, expected: &str) -> SourceError {
        let t = self.peek();
        self.err(
            t.pos,
            format!("expected {expected}, found {}", t.tok.describe()),
        )
    }

    pub(crate) fn unsupported(&self, pos: Pos, construct: &str) -> SourceError {
        self.err(
            pos,
            format!("unsupported construct `{construct}` (outside the supported Troy subset)"),
        )
    }

    /// The bare word at the cursor, if it is one.
    pub(crate) fn word(&self) -> Option<&str> {
        match &self.peek().tok {
            Tok::Ident(s) => Some(s),
            _ => None,
        }
    }

    /// The error for a statement that is not one of `allowed`.
    pub(crate) fn bad_statement(&self, allowed: &str) -> SourceError {
        match self.word() {
            Some(w) if UNSUPPORTED_WORDS.contains(&w) => self.unsupported(self.pos(), w),
            _ => self.unexpected(allowed),
        }
    }
}

impl Parser<'_> {
    /// Tremor's syntax error: "Found the token `x` but expected one of `a`, `b`".
    pub(crate) fn found_but_expected(&self, expected: &[&str]) -> SourceError {
        let t = self.peek();
        let found = match &t.tok {
            Tok::Eof => "Found the end of the input".to_string(),
            other => format!("Found the token {}", other.describe()),
        };
        let msg = match expected {
            [one] => format!("{found} but expected {one}"),
            many => format!("{found} but expected one of {}", many.join(", ")),
        };
        self.err(t.pos, msg)
    }
}
