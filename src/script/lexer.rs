//! Turns Troy source text into tokens.
//!
//! Keywords are not told apart from identifiers here: the parser decides by context, so that a
//! word like `in` or `out` can be a port name and `` `select` `` (backticks) is always a name.
//! String literals keep their `#{...}` interpolations as nested token lists, which the parser reads
//! as expressions; the positions inside them are real file positions.

use super::error::{Pos, SourceError};

/// One part of a string literal.
#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    /// Literal text, escapes already decoded.
    Lit(String),
    /// The tokens of a `#{...}` interpolation, ending with an [`Tok::Eof`] at the closing `}`.
    Interp(Vec<Token>),
}

/// The kind and payload of a token.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A bare word: identifier or keyword.
    Ident(String),
    /// A name in backticks; never a keyword.
    Quoted(String),
    /// An integer literal (the sign is a separate token).
    Int(u64),
    /// A float literal.
    Float(f64),
    /// A string or heredoc literal.
    Str(Vec<StrPart>),
    /// Punctuation or an operator symbol.
    Punct(&'static str),
    /// The `|...|` of an extractor, escapes of `|` decoded.
    Extractor(String),
    /// The end of the input (or of an interpolation).
    Eof,
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What the token is.
    pub tok: Tok,
    /// Where its first character is.
    pub pos: Pos,
}

impl Tok {
    /// How the token reads in an error message.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) | Tok::Quoted(s) => format!("`{s}`"),
            Tok::Int(i) => format!("`{i}`"),
            Tok::Float(f) => format!("`{f}`"),
            Tok::Str(_) => "a string".to_string(),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::Extractor(_) => "`<extractor>`".to_string(),
            Tok::Eof => "the end of the input".to_string(),
        }
    }
}

/// Symbols, longest first so that `::` wins over `:`. Several are only lexed so that the parser can
/// name them as unsupported instead of reporting a stray character.
const PUNCTS: &[&str] = &[
    ">>>", "::", "==", "!=", "~=", "<=", ">=", "=>", "<<", ">>", ";", ",", ":", ".", "(", ")", "[",
    "]", "{", "}", "/", "=", "<", ">", "+", "-", "*", "%", "$", "&", "|", "^", "!", "~", "@", "?",
];

/// Tremor's message for a bad `\u` escape.
const BAD_UTF8: &str = "An invalid UTF8 escape sequence was found";

/// Lexes a whole file; the last token is always [`Tok::Eof`].
///
/// # Errors
/// On a character that starts no token, an unterminated string or backtick name, a bad escape or
/// an integer literal too large for 64 bits.
pub fn lex(src: &str, file: &str) -> Result<Vec<Token>, SourceError> {
    let mut lexer = Lexer {
        chars: src.chars().collect(),
        idx: 0,
        line: 1,
        column: 1,
        file,
        interpolations: 0,
    };
    if lexer.peek(0) == Some('\u{feff}') {
        lexer.idx = 1;
    }
    let mut out = Vec::new();
    loop {
        let t = lexer.next_token()?;
        let eof = t.tok == Tok::Eof;
        out.push(t);
        if eof {
            return Ok(out);
        }
    }
}

struct Lexer<'f> {
    chars: Vec<char>,
    idx: usize,
    line: u32,
    column: u32,
    file: &'f str,
    /// How many `#{` interpolations enclose the cursor: each is a recursion (string inside
    /// interpolation inside string ...), so their nesting is limited like brackets are.
    interpolations: usize,
}

/// Interpolations nested deeper than this are refused (the parser allows far less nesting of
/// expressions anyway); without a limit `"#{"#{"#{...` overflows the stack while lexing.
const MAX_INTERPOLATION_DEPTH: usize = 64;

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Lexer<'_> {
    fn pos(&self) -> Pos {
        Pos::new(self.line, self.column)
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.idx + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.idx).copied()?;
        self.idx += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn err(&self, pos: Pos, msg: impl Into<String>) -> SourceError {
        SourceError::at(self.file, pos, msg)
    }

    fn skip_trivia(&mut self) {
        while let Some(c) = self.peek(0) {
            if c == '#' {
                while let Some(c) = self.peek(0) {
                    if c == '\n' {
                        break;
                    }
                    self.bump();
                }
            } else if c.is_whitespace() {
                self.bump();
            } else {
                break;
            }
        }
    }

    fn next_token(&mut self) -> Result<Token, SourceError> {
        self.skip_trivia();
        let pos = self.pos();
        let Some(c) = self.peek(0) else {
            return Ok(Token { tok: Tok::Eof, pos });
        };
        let tok = if is_ident_start(c) {
            let mut s = String::new();
            while let Some(c) = self.peek(0).filter(|c| is_ident_continue(*c)) {
                s.push(c);
                self.bump();
            }
            Tok::Ident(s)
        } else if c.is_ascii_digit() {
            self.number(pos)?
        } else if c == '`' {
            self.backtick(pos)?
        } else if c == '"' {
            self.string(pos)?
        } else if c == '|' {
            self.extractor(pos)?
        } else {
            self.punct(pos, c)?
        };
        Ok(Token { tok, pos })
    }

    fn punct(&mut self, pos: Pos, c: char) -> Result<Tok, SourceError> {
        for p in PUNCTS {
            let matches = p
                .chars()
                .enumerate()
                .all(|(i, pc)| self.peek(i) == Some(pc));
            if matches {
                for _ in 0..p.chars().count() {
                    self.bump();
                }
                return Ok(Tok::Punct(p));
            }
        }
        Err(self.err(pos, format!("An unexpected character '{c}' was found")))
    }

    /// `|...|` after an extractor's kind: the text up to the next `|` not escaped as `\|`.
    fn extractor(&mut self, pos: Pos) -> Result<Tok, SourceError> {
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                Some('|') => return Ok(Tok::Extractor(s)),
                Some('\\') if self.peek(0) == Some('|') => {
                    self.bump();
                    s.push('|');
                }
                // A backslash at the end of a line continues the pattern on the next line,
                // without the line break and the indentation.
                Some('\\') if self.peek(0) == Some('\n') => {
                    while matches!(self.peek(0), Some('\n' | ' ' | '\t' | '\r')) {
                        self.bump();
                    }
                }
                Some(c) => s.push(c),
                None => {
                    return Err(self.err(
                        pos,
                        "It looks like you forgot to terminate an extractor with a closing '|'",
                    ))
                }
            }
        }
    }

    fn backtick(&mut self, pos: Pos) -> Result<Tok, SourceError> {
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                Some('`') => break,
                Some('\n') | None => {
                    return Err(self.err(
                        pos,
                        "It looks like you forgot to terminate an ident with a closing '`'",
                    ));
                }
                Some(c) => s.push(c),
            }
        }
        if s.is_empty() {
            return Err(self.err(pos, "empty backtick identifier"));
        }
        Ok(Tok::Quoted(s))
    }

    fn number(&mut self, pos: Pos) -> Result<Tok, SourceError> {
        if self.peek(0) == Some('0') && matches!(self.peek(1), Some('x' | 'X')) {
            self.bump();
            self.bump();
            let digits = self.take_while(|c| c.is_ascii_hexdigit() || c == '_');
            let digits: String = digits.chars().filter(|c| *c != '_').collect();
            return u64::from_str_radix(&digits, 16)
                .map(Tok::Int)
                .map_err(|_| self.err(pos, "An invalid hexadecimal"));
        }
        let mut text = self.take_while(|c| c.is_ascii_digit() || c == '_');
        let mut is_float = false;
        // `1.x` is not a float: only a digit after the dot makes one.
        if self.peek(0) == Some('.') && self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            is_float = true;
            self.bump();
            text.push('.');
            text.push_str(&self.take_while(|c| c.is_ascii_digit() || c == '_'));
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            let sign = usize::from(matches!(self.peek(1), Some('+' | '-')));
            if self.peek(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                is_float = true;
                text.push('e');
                self.bump();
                if sign == 1 {
                    text.extend(self.bump());
                }
                text.push_str(&self.take_while(|c| c.is_ascii_digit()));
            }
        }
        if self.peek(0).is_some_and(is_ident_start) {
            let c = self.peek(0).unwrap_or_default();
            return Err(self.err(
                self.pos(),
                format!("An unexpected character '{c}' was found"),
            ));
        }
        let text: String = text.chars().filter(|c| *c != '_').collect();
        if is_float {
            text.parse::<f64>()
                .map(Tok::Float)
                .map_err(|_| self.err(pos, "An invalid float literal"))
        } else {
            text.parse::<u64>()
                .map(Tok::Int)
                .map_err(|_| self.err(pos, "An invalid integer literal"))
        }
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek(0).filter(|c| f(*c)) {
            s.push(c);
            self.bump();
        }
        s
    }

    fn string(&mut self, pos: Pos) -> Result<Tok, SourceError> {
        let heredoc = self.peek(1) == Some('"') && self.peek(2) == Some('"');
        if heredoc {
            for _ in 0..3 {
                self.bump();
            }
            // As in Tremor, the text starts on the line after the opening quotes.
            while matches!(self.peek(0), Some(' ' | '\t' | '\r')) {
                self.bump();
            }
            if self.bump() != Some('\n') {
                return Err(self.err(
                    pos,
                    "It looks like you have characters tailing the here doc opening, it needs to be followed by a newline",
                ));
            }
        } else {
            self.bump();
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            let here = self.pos();
            let Some(c) = self.peek(0) else {
                let what = if heredoc {
                    "It looks like you forgot to terminate a here doc with with a closing '\"\"\"'"
                } else {
                    "It looks like you forgot to terminate a string with a closing '\"'"
                };
                return Err(self.err(pos, what));
            };
            if c == '"' && (!heredoc || (self.peek(1) == Some('"') && self.peek(2) == Some('"'))) {
                for _ in 0..if heredoc { 3 } else { 1 } {
                    self.bump();
                }
                break;
            }
            if c == '\\' {
                self.bump();
                lit.push(self.escape(here)?);
            } else if c == '#' && self.peek(1) == Some('{') {
                self.bump();
                self.bump();
                if !lit.is_empty() {
                    parts.push(StrPart::Lit(std::mem::take(&mut lit)));
                }
                parts.push(StrPart::Interp(self.interpolation(here)?));
            } else {
                self.bump();
                lit.push(c);
            }
        }
        if !lit.is_empty() || parts.is_empty() {
            parts.push(StrPart::Lit(lit));
        }
        Ok(Tok::Str(parts))
    }

    fn escape(&mut self, pos: Pos) -> Result<char, SourceError> {
        let c = match self.bump() {
            Some('"') => '"',
            Some('\\') => '\\',
            Some('/') => '/',
            Some('#') => '#',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let hi = self.hex4(pos)?;
                if (0xD800..0xDC00).contains(&hi) {
                    // A high surrogate must be followed by `\u` and a low one, as in JSON.
                    if self.bump() != Some('\\') || self.bump() != Some('u') {
                        return Err(self.err(pos, BAD_UTF8));
                    }
                    let lo = self.hex4(pos)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.err(pos, BAD_UTF8));
                    }
                    let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    return char::from_u32(code).ok_or_else(|| self.err(pos, BAD_UTF8));
                }
                return char::from_u32(hi).ok_or_else(|| self.err(pos, BAD_UTF8));
            }
            Some(other) => {
                return Err(self.err(
                    pos,
                    format!("An unexpected escape code '{other}' was found"),
                ));
            }
            None => {
                return Err(self.err(
                    pos,
                    "It looks like you forgot to terminate a string with a closing '\"'",
                ))
            }
        };
        Ok(c)
    }

    fn hex4(&mut self, pos: Pos) -> Result<u32, SourceError> {
        let mut v = 0;
        for _ in 0..4 {
            let d = self
                .bump()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.err(pos, BAD_UTF8))?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    /// Lexes up to the `}` closing a `#{` (braces of records inside are balanced).
    fn interpolation(&mut self, start: Pos) -> Result<Vec<Token>, SourceError> {
        if self.interpolations >= MAX_INTERPOLATION_DEPTH {
            return Err(self.err(start, "string interpolations nested too deeply"));
        }
        self.interpolations += 1;
        let toks = self.interpolation_tokens(start);
        self.interpolations -= 1;
        toks
    }

    fn interpolation_tokens(&mut self, start: Pos) -> Result<Vec<Token>, SourceError> {
        let mut depth = 0usize;
        let mut toks = Vec::new();
        loop {
            let t = self.next_token()?;
            match t.tok {
                Tok::Punct("{") => depth += 1,
                Tok::Punct("}") if depth == 0 => {
                    toks.push(Token {
                        tok: Tok::Eof,
                        pos: t.pos,
                    });
                    return Ok(toks);
                }
                Tok::Punct("}") => depth -= 1,
                Tok::Eof => return Err(self.err(start, "It looks like you forgot to terminate a string interpolation with a closing '}'")),
                _ => {}
            }
            toks.push(t);
        }
    }
}

#[cfg(test)]
#[path = "lexer_tests.rs"]
mod tests;
