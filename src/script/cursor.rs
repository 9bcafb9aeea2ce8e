//! The token cursor both front ends parse with: the Troy statement parser
//! (`crate::troy::parser`) and the expression parser ([`super::expr_parser`]) add their methods
//! to [`Parser`], so a Troy file and the expressions inside it are read by one cursor.

use super::error::{Callout, Pos, SourceError};
use super::expected::Start;
use super::expr::Expr;
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
    /// Where the next expression starts (what may start it, for Tremor's syntax errors).
    pub(crate) start: Start,
    /// While a script is parsed: the first unknown name or function, reported when the whole
    /// script has parsed (Tremor finds syntax errors before it resolves names). `None` while
    /// names are reported at once (Troy expressions).
    pub(crate) unresolved: Option<Option<SourceError>>,
}

impl<'f> Parser<'f> {
    /// A parser over tokens that end with [`Tok::Eof`].
    pub(crate) fn new(toks: Vec<Token>, file: &'f str) -> Self {
        Self {
            toks,
            idx: 0,
            file,
            scope: None,
            start: Start::Complex,
            unresolved: None,
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

    /// A name that does not resolve: an error now, or, while a script is parsed, a `null`
    /// standing in for it and the error once the script has parsed.
    pub(crate) fn unresolved(&mut self, error: SourceError, pos: Pos) -> Result<Expr, SourceError> {
        match &mut self.unresolved {
            None => Err(error),
            Some(first) => {
                first.get_or_insert(error);
                Ok(Expr::literal(tremor_value::Value::null(), pos))
            }
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
    /// Tremor's syntax error: "Found the token `x` but expected one of `a`, `b`" (each of
    /// `expected` already in backticks or in words).
    pub(crate) fn found_but_expected(&self, expected: &[&str]) -> SourceError {
        let t = self.peek();
        let found = match &t.tok {
            Tok::Eof => "Found the end of the input".to_string(),
            other => format!("Found the token `{}`", tremor_text(other)),
        };
        let msg = match expected {
            [one] => format!("{found} but expected {one}"),
            many => format!("{found} but expected one of {}", many.join(", ")),
        };
        let callout = Callout {
            width: (t.tok != Tok::Eof).then(|| tremor_text(&t.tok).chars().count().max(1)),
            until: None,
            hint: syntax_hint(&t.tok, expected),
            lines_before: 2,
            lines_after: 2,
            ..Callout::default()
        };
        self.err(t.pos, msg).with_callout(callout)
    }

    /// As [`Self::found_but_expected`] for a list of grammar tokens (written without backticks).
    pub(crate) fn found_but_expected_tokens(&self, tokens: &[&str]) -> SourceError {
        let quoted = super::expected::quoted(tokens);
        let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
        self.found_but_expected(&quoted)
    }
}

/// A token as Tremor's parser names it: a string by its opening quote, a word as written.
fn tremor_text(tok: &Tok) -> String {
    match tok {
        Tok::Ident(s) => s.clone(),
        Tok::Quoted(s) => format!("`{s}`"),
        Tok::Int(i) => i.to_string(),
        Tok::Float(f) => f.to_string(),
        Tok::Str(_) => "\"".to_string(),
        Tok::Punct(p) => (*p).to_string(),
        Tok::Extractor(_) => "<extractor>".to_string(),
        Tok::Bad(text) => text.clone(),
        Tok::Eof => String::new(),
    }
}

/// Tremor's `NOTE:` for a token that does not fit, from the token and what was expected.
fn syntax_hint(tok: &Tok, expected: &[&str]) -> Option<String> {
    let text = tremor_text(tok);
    let wants_name = expected.contains(&"`<ident>`");
    match tok {
        Tok::Eof => None,
        Tok::Ident(w) if w == "default" || w == "case" => {
            Some("You might have a trailing `;` in the prior statement".into())
        }
        Tok::Str(_) if wants_name => Some(
            "Did you mean to quote an ident? If so use ` (a back tick) not \" (a quote).".into(),
        ),
        Tok::Ident(w) if wants_name && super::expected::is_keyword(w) => Some(format!(
            "It looks like you tried to use '{w}' as an ident, consider quoting it as `{w}` to make it an identifier."
        )),
        Tok::Punct("-") if expected.contains(&"`(`") => {
            Some("Try wrapping this expression in parentheses `(` ... `)`".into())
        }
        _ => {
            let (_, closest) = expected
                .iter()
                .map(|option| (edit_distance(&text, option), *option))
                .filter(|(distance, _)| *distance <= 3)
                .min()?;
            if closest == "`\"`" || closest == "`\"\"\"`" {
                Some("Did you mean to use a string?".into())
            } else {
                Some(format!("Did you mean to use {closest}?"))
            }
        }
    }
}

/// The Damerau-Levenshtein distance (insertions, deletions, substitutions and swaps of
/// neighbours) Tremor ranks its suggestions by.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![(0..=b.len()).collect::<Vec<_>>()];
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (rows[i - 1][j] + 1)
                .min(row[j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(rows[i - 2][j - 2] + 1);
            }
        }
        rows.push(row);
    }
    rows[a.len()][b.len()]
}
