//! Turns Troy source text into tokens.
//!
//! Keywords are not told apart from identifiers here: the parser decides by context, so that a
//! word like `in` or `out` can be a port name and `` `select` `` (backticks) is always a name.
//! String literals keep their `#{...}` interpolations as nested token lists, which the parser reads
//! as expressions; the positions inside them are real file positions.

use super::error::{Callout, Pos, SourceError};

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
    /// Text Tremor's lexer gives back as a token no rule accepts (`:::`, `#!`, a `>` or `<`
    /// ending the input), so that the parser names it in "Found the token … but expected …".
    Bad(String),
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
            Tok::Bad(text) => format!("`{text}`"),
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
const UNTERMINATED_STRING: &str =
    "It looks like you forgot to terminate a string with a closing '\"'";
const UNTERMINATED_HEREDOC: &str =
    "It looks like you forgot to terminate a here doc with with a closing '\"\"\"'";
const TAILING_HEREDOC: &str = "It looks like you have characters tailing the here doc opening, it needs to be followed by a newline";
const UNTERMINATED_INTERPOLATION: &str =
    "It looks like you forgot to terminate a string interpolation with a closing '}'";
const END_OF_STREAM: &str = "An unexpected end of stream was found";
/// Tremor's hint for a `#{` that does not make an interpolation.
const LITERAL_INTERPOLATION_HINT: &str =
    "Did you mean to write a literal '#{'? Escape it as '\\#{'.";

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

    /// An error Tremor underlines `width` characters wide.
    fn err_wide(&self, pos: Pos, width: usize, msg: impl Into<String>) -> SourceError {
        self.err(pos, msg).with_callout(Callout::lexer(width))
    }

    /// An error about the token that started at character `start` (at `pos`) and is not
    /// finished: Tremor underlines it to the end of its line.
    fn unfinished(&self, pos: Pos, start: usize, msg: &str) -> SourceError {
        let width = self.chars[start..]
            .iter()
            .take_while(|c| **c != '\n')
            .count();
        self.err_wide(pos, width, msg)
    }

    /// How many characters the cursor has passed since `pos` on the same line.
    fn since(&self, pos: Pos) -> usize {
        if self.line == pos.line {
            (self.column - pos.column) as usize
        } else {
            1
        }
    }

    fn skip_trivia(&mut self) {
        while let Some(c) = self.peek(0) {
            if c == '#' && self.starts_bad_directive() {
                break;
            } else if c == '#' {
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
        } else if let Some(bad) = self.bad_token(c) {
            bad
        } else {
            self.punct(pos, c)?
        };
        Ok(Token { tok, pos })
    }

    /// `#!` starts a token (which no rule accepts) unless it is a `#!config ` directive.
    fn starts_bad_directive(&self) -> bool {
        self.peek(1) == Some('!')
            && !"config "
                .chars()
                .enumerate()
                .all(|(i, c)| self.peek(2 + i) == Some(c))
    }

    /// The texts Tremor's lexer turns into a token of their own that no rule accepts: `#!`,
    /// three or more colons, and a `>` or `<` that is the last character of the input.
    fn bad_token(&mut self, c: char) -> Option<Tok> {
        let len = match c {
            '#' => 2,
            ':' => {
                let colons = (0..).take_while(|i| self.peek(*i) == Some(':')).count();
                if colons < 3 {
                    return None;
                }
                colons
            }
            '>' | '<' if self.peek(1).is_none() => 1,
            _ => return None,
        };
        let text: String = (0..len).filter_map(|_| self.bump()).collect();
        Some(Tok::Bad(text))
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
        let start = self.idx;
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                Some('|') => return Ok(Tok::Extractor(s)),
                // As in Tremor, the only escapes are `\|`, `\\` and a line break.
                Some('\\') => match self.peek(0) {
                    Some(c @ ('|' | '\\')) => {
                        self.bump();
                        s.push(c);
                    }
                    // A backslash at the end of a line continues the pattern on the next
                    // line, without the line break and the indentation.
                    Some('\n') => {
                        while matches!(self.peek(0), Some('\n' | ' ' | '\t' | '\r')) {
                            self.bump();
                        }
                    }
                    Some(other) => {
                        let at = self.pos();
                        let mut e = self.err_wide(
                            at,
                            1,
                            format!("An unexpected escape code '{other}' was found"),
                        );
                        // Tremor prints the line up to the escaped character.
                        e.callout.line_ends = Some(at.column + 1);
                        return Err(e);
                    }
                    None => return Err(self.unterminated_extractor(pos, start)),
                },
                Some('\n') | None => return Err(self.unterminated_extractor(pos, start)),
                Some(c) => s.push(c),
            }
        }
    }

    fn unterminated_extractor(&self, pos: Pos, start: usize) -> SourceError {
        let msg = "It looks like you forgot to terminate an extractor with a closing '|'";
        self.unfinished(pos, start, msg)
    }

    fn backtick(&mut self, pos: Pos) -> Result<Tok, SourceError> {
        let start = self.idx;
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                Some('`') => break,
                end @ (Some('\n') | None) => {
                    let msg = "It looks like you forgot to terminate an ident with a closing '`'";
                    let mut e = self.unfinished(pos, start, msg);
                    if end.is_none() {
                        // Tremor's span of an ident the input ends in stops a character short.
                        e.callout.width = e.callout.width.map(|w| w.saturating_sub(1).max(1));
                    }
                    return Err(e);
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
        // Tremor reads letters and digits after `0x` as the literal and then judges it.
        let hex_digit = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let invalid_hex = "An invalid hexadecimal";
        if self.peek(0) == Some('0') && matches!(self.peek(1), Some('x' | 'X')) {
            self.bump();
            self.bump();
            let digits = self.take_while(hex_digit);
            if digits.is_empty() {
                // Tremor's span of an empty hex literal reaches one character past the `x`.
                let width = 2 + usize::from(self.peek(0).is_some());
                return Err(self.err_wide(pos, width, invalid_hex));
            }
            let digits: String = digits.chars().filter(|c| *c != '_').collect();
            return u64::from_str_radix(&digits, 16)
                .map(Tok::Int)
                .map_err(|_| self.err_wide(pos, self.since(pos), invalid_hex));
        }
        let mut text = self.take_while(|c| c.is_ascii_digit() || c == '_');
        if self.peek(0) == Some('x') {
            // `7x0`: a hex literal with a prefix other than `0`.
            self.bump();
            self.take_while(hex_digit);
            return Err(self.err_wide(pos, self.since(pos), invalid_hex));
        }
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
            } else if is_float && self.peek(0) == Some('e') {
                // Tremor's span takes the `e` and the character after it, if there is one.
                let width = self.since(pos) + if self.peek(1).is_some() { 2 } else { 0 };
                return Err(self.err_wide(pos, width, "An invalid float literal"));
            }
        }
        if let Some(c) = self.peek(0).filter(|c| is_ident_start(*c)) {
            let msg = format!("An unexpected character '{c}' was found");
            // Tremor underlines a float up to the character, and the character after an integer.
            return Err(if is_float {
                self.err_wide(pos, self.since(pos), msg)
            } else {
                self.err_wide(self.pos(), 1, msg)
            });
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
        let start = self.idx;
        let heredoc = self.peek(1) == Some('"') && self.peek(2) == Some('"');
        if heredoc {
            for _ in 0..3 {
                self.bump();
            }
            // As in Tremor, the text starts on the line after the opening quotes.
            while matches!(self.peek(0), Some(' ' | '\t' | '\r')) {
                self.bump();
            }
            match self.bump() {
                Some('\n') => {}
                None => return Err(self.err_wide(pos, 2, UNTERMINATED_HEREDOC)),
                Some(_) => return Err(self.err_wide(pos, 3, TAILING_HEREDOC)),
            }
        } else {
            self.bump();
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            let here = self.pos();
            let c = match self.peek(0) {
                None if heredoc => return Err(self.heredoc_at_end()),
                // A string (not a heredoc) ends on its line, as in Tremor.
                None | Some('\n') if !heredoc => {
                    return Err(self.unfinished(pos, start, UNTERMINATED_STRING))
                }
                None => return Err(self.unfinished(pos, start, UNTERMINATED_STRING)),
                Some(c) => c,
            };
            if c == '"' && (!heredoc || (self.peek(1) == Some('"') && self.peek(2) == Some('"'))) {
                for _ in 0..if heredoc { 3 } else { 1 } {
                    self.bump();
                }
                break;
            }
            if c == '\\' {
                self.bump();
                let escaped = self.escape(here).map_err(|mut e| {
                    if e.message == END_OF_STREAM {
                        // Tremor prints the line up to the string it could not finish.
                        e.callout.line_ends = Some(pos.column);
                    }
                    e
                })?;
                lit.push(escaped);
            } else if c == '#' && self.peek(1) == Some('{') {
                self.bump();
                self.bump();
                if !lit.is_empty() {
                    parts.push(StrPart::Lit(std::mem::take(&mut lit)));
                }
                let opened = heredoc.then_some(pos.line);
                parts.push(StrPart::Interp(self.interpolation(here, opened)?));
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

    /// A heredoc the input ends in: Tremor underlines its last line.
    fn heredoc_at_end(&self) -> SourceError {
        let mut end = self.chars.len();
        if self.chars.last() == Some(&'\n') {
            end -= 1;
        }
        let width = self.chars[..end]
            .iter()
            .rev()
            .take_while(|c| **c != '\n')
            .count();
        let line = self.line - u32::from(self.column == 1 && self.line > 1);
        self.err_wide(Pos::new(line, 1), width, UNTERMINATED_HEREDOC)
    }

    /// The escape whose backslash is at `pos` (the cursor is after the backslash).
    fn escape(&mut self, pos: Pos) -> Result<char, SourceError> {
        let c = match self.peek(0) {
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
                self.bump();
                let hi = self.hex4(pos)?;
                if (0xD800..0xDC00).contains(&hi) {
                    // A high surrogate must be followed by `\u` and a low one, as in JSON.
                    if self.peek(0) != Some('\\') || self.peek(1) != Some('u') {
                        return Err(self.bad_utf8(pos));
                    }
                    self.bump();
                    self.bump();
                    let lo = self.hex4(pos)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.bad_utf8(pos));
                    }
                    let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    return char::from_u32(code).ok_or_else(|| self.bad_utf8(pos));
                }
                return char::from_u32(hi).ok_or_else(|| self.bad_utf8(pos));
            }
            Some(other) => {
                return Err(self.err_wide(
                    pos,
                    2,
                    format!("An unexpected escape code '{other}' was found"),
                ));
            }
            None => {
                return Err(self.err_wide(self.pos(), 1, END_OF_STREAM));
            }
        };
        self.bump();
        Ok(c)
    }

    /// A bad `\u` escape at `pos`, underlined up to the character that made it bad.
    fn bad_utf8(&self, pos: Pos) -> SourceError {
        self.err_wide(pos, self.since(pos), BAD_UTF8)
    }

    fn hex4(&mut self, pos: Pos) -> Result<u32, SourceError> {
        let mut v = 0;
        for _ in 0..4 {
            let d = self
                .bump()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.bad_utf8(pos))?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    /// Lexes up to the `}` closing the `#{` at `start` (braces of records inside are
    /// balanced); `heredoc` is the line of the heredoc it is in, if it is in one.
    fn interpolation(
        &mut self,
        start: Pos,
        heredoc: Option<u32>,
    ) -> Result<Vec<Token>, SourceError> {
        if self.interpolations >= MAX_INTERPOLATION_DEPTH {
            return Err(self.err(start, "string interpolations nested too deeply"));
        }
        self.interpolations += 1;
        let toks = self.interpolation_tokens(start);
        self.interpolations -= 1;
        toks.map_err(|e| self.in_interpolation(e, start, heredoc))
    }

    /// An error inside the interpolation at `start` as Tremor reports it: a string it leaves
    /// open leaves the interpolation open (in a heredoc the string itself is reported), and
    /// a heredoc it leaves open in a heredoc leaves the interpolation's line open.
    fn in_interpolation(&self, e: SourceError, start: Pos, heredoc: Option<u32>) -> SourceError {
        let unclosed = |width: usize| {
            let mut callout = Callout::lexer(width);
            callout.hint = Some(LITERAL_INTERPOLATION_HINT.to_string());
            self.err(start, UNTERMINATED_INTERPOLATION)
                .with_callout(callout)
        };
        match (e.message.as_str(), heredoc) {
            (UNTERMINATED_STRING, None) => unclosed(2),
            (UNTERMINATED_HEREDOC | TAILING_HEREDOC, Some(opened)) => {
                let line: usize = self
                    .chars
                    .split(|c| *c == '\n')
                    .nth(start.line as usize - 1)
                    .map_or(1, <[char]>::len);
                let mut e = unclosed(line);
                e.pos = Some(Pos::new(start.line, 1));
                e.callout.lines_before = (start.line - opened) as usize;
                e
            }
            _ => e,
        }
    }

    fn interpolation_tokens(&mut self, start: Pos) -> Result<Vec<Token>, SourceError> {
        let mut depth = 0usize;
        let mut toks = Vec::new();
        loop {
            let t = self.next_token()?;
            match t.tok {
                Tok::Punct("{") => depth += 1,
                Tok::Punct("}") if depth == 0 => {
                    if toks.is_empty() {
                        let mut callout = Callout::lexer(self.since(start));
                        callout.hint = Some(LITERAL_INTERPOLATION_HINT.to_string());
                        let msg = "You have an interpolation without content.";
                        return Err(self.err(start, msg).with_callout(callout));
                    }
                    toks.push(Token {
                        tok: Tok::Eof,
                        pos: t.pos,
                    });
                    return Ok(toks);
                }
                Tok::Punct("}") => depth -= 1,
                Tok::Eof => {
                    return Err(self
                        .err(start, UNTERMINATED_INTERPOLATION)
                        .with_callout(Callout {
                            hint: Some(LITERAL_INTERPOLATION_HINT.to_string()),
                            ..Callout::lexer(2)
                        }))
                }
                _ => {}
            }
            toks.push(t);
        }
    }
}

#[cfg(test)]
#[path = "lexer_tests.rs"]
mod tests;
