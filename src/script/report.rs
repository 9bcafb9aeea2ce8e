//! Errors of scripts as Tremor prints them:
//!
//! ```text
//! Error:
//!     1 | 42 >> 64
//!       | ^^^^^^^^ RHS value is larger than or equal to the number of bits in LHS value
//! ```
//!
//! The offending line is kept in the error, so it displays without the source at hand.

use super::error::{Pos, SourceError};
use std::fmt;

/// A compile or run-time error of a script, with the source line it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// The file the script came from (as given to [`super::Script::compile`]).
    pub file: String,
    /// Where the error is (line and column, 1-based).
    pub pos: Pos,
    /// Tremor's wording of the error.
    pub message: String,
    /// The source line at `pos` (empty when unknown).
    pub line_text: String,
    /// How many characters the carets cover.
    pub width: usize,
    /// The hint and the neighbouring lines Tremor prints with the error.
    pub around: Box<Around>,
}

/// What Tremor prints around an error's line and carets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Around {
    /// Tremor's hint, printed as `NOTE: …` under the carets.
    pub hint: Option<String>,
    /// The lines shown before the error's line (Tremor shows two for syntax errors).
    pub lines_before: Vec<String>,
    /// The lines shown after the carets.
    pub lines_after: Vec<String>,
    /// Where the carets start, when the error spans lines: Tremor shows all its lines and
    /// underlines the last one from its start.
    pub carets_at: Option<Pos>,
}

impl ScriptError {
    /// An error at `pos` of `source`; the carets cover the token there.
    #[must_use]
    pub fn new(file: &str, source: &str, pos: Pos, message: impl Into<String>) -> Self {
        let line_text = source
            .lines()
            .nth(pos.line.saturating_sub(1) as usize)
            .unwrap_or_default()
            .to_string();
        let rest: String = line_text
            .chars()
            .skip(pos.column.saturating_sub(1) as usize)
            .collect();
        let width = token_width(&rest);
        Self {
            file: file.to_string(),
            pos,
            message: message.into(),
            line_text,
            width,
            around: Box::default(),
        }
    }

    /// For "Trying to access a non existing … key `k`": the carets moved under the segment
    /// of the path that names `k` (`.k` or `["k"]`), as Tremor underlines it.
    #[must_use]
    pub fn under_missing_key(mut self) -> Self {
        let key = self
            .message
            .strip_prefix("Trying to access a non existing ")
            .and_then(|rest| rest.split_once(" key `"))
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(key, _)| key.to_string());
        let Some(key) = key else {
            return self;
        };
        let line: Vec<char> = self.line_text.chars().collect();
        let from = (self.pos.column as usize).saturating_sub(1);
        let dotted: Vec<char> = format!(".{key}").chars().collect();
        let bracketed: Vec<char> = format!("[\"{key}\"]").chars().collect();
        let ends_name = |end: usize| {
            line.get(end)
                .is_none_or(|c| !(c.is_alphanumeric() || *c == '_'))
        };
        for at in from..line.len() {
            let (column, width) = if line[at..].starts_with(&dotted) && ends_name(at + dotted.len())
            {
                (at + 2, key.chars().count())
            } else if line[at..].starts_with(&bracketed) {
                // Tremor underlines the string inside the brackets.
                (at + 2, bracketed.len() - 2)
            } else {
                continue;
            };
            if let Ok(column) = u32::try_from(column) {
                self.pos.column = column;
                self.width = width;
            }
            break;
        }
        self
    }

    /// A source error of the front end of the script `file`, whose text is `source`; an error
    /// in a module the script uses is shown in that module's text.
    #[must_use]
    pub fn from_source_in(e: &SourceError, file: &str, source: &str) -> Self {
        if e.file != file {
            if let Ok(text) = std::fs::read_to_string(&e.file) {
                return Self::from_source(e, &text);
            }
        }
        Self::from_source(e, source)
    }

    /// A source error of the front end, placed in `source`.
    #[must_use]
    pub fn from_source(e: &SourceError, source: &str) -> Self {
        let pos = e.pos.unwrap_or(Pos::new(1, 1));
        let mut error = Self::new(&e.file, source, pos, tremor_wording(&e.message));
        if let Some(width) = e.callout.width {
            error.width = width;
        }
        if let Some(end) = e.callout.line_ends {
            let shown = end.saturating_sub(1) as usize;
            error.line_text = error.line_text.chars().take(shown).collect();
        }
        if let Some(until) = e.callout.until {
            let lines: Vec<&str> = source.lines().collect();
            let (from, last) = if until.line > pos.line && until.column > 1 {
                // Spanning lines: all of them, the carets under the last from its start.
                let first = pos.line.saturating_sub(1) as usize;
                let last =
                    (until.line.saturating_sub(1) as usize).min(lines.len().saturating_sub(1));
                error.around.lines_before = lines[first.min(last)..last]
                    .iter()
                    .map(|l| as_tremor_prints(l))
                    .collect();
                error.line_text = lines
                    .get(last)
                    .map(|l| as_tremor_prints(l))
                    .unwrap_or_default();
                error.around.carets_at = Some(Pos::new(until.line, 1));
                (0, until.column.saturating_sub(1) as usize)
            } else if until.line == pos.line {
                let skip = pos.column.saturating_sub(1) as usize;
                (skip, until.column.saturating_sub(pos.column) as usize)
            } else {
                (pos.column.saturating_sub(1) as usize, usize::MAX)
            };
            let text: String = error.line_text.chars().skip(from).take(last).collect();
            error.width = text.trim_end().chars().count().max(1);
        }
        error.around.hint.clone_from(&e.callout.hint);
        let line = pos.line.saturating_sub(1) as usize;
        let lines: Vec<&str> = source.lines().collect();
        let last_line = lines.len().min(line + 1);
        if e.callout.lines_before > 0 {
            let first = line.saturating_sub(e.callout.lines_before).min(last_line);
            error.around.lines_before = lines[first..line.min(last_line)]
                .iter()
                .map(|l| as_tremor_prints(l))
                .collect();
            error.line_text = as_tremor_prints(&error.line_text);
        }
        if e.callout.lines_after > 0 {
            let last = (line + e.callout.lines_after + 1).min(lines.len());
            error.around.lines_after = lines[last_line.min(last)..last]
                .iter()
                .map(|l| as_tremor_prints(l))
                .collect();
        }
        error
    }

    /// `file:line:column: message` on one line (what deployments print first).
    #[must_use]
    pub fn located(&self) -> String {
        format!(
            "{}:{}:{}: {}",
            self.file, self.pos.line, self.pos.column, self.message
        )
    }
}

/// A source line as Tremor prints it back from its tokens: a comment is its `#`s (one, or
/// two or three for doc comments) and a space before the text.
fn as_tremor_prints(line: &str) -> String {
    let mut in_string = false;
    let mut escaped = false;
    for (at, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            // `#!` is a token of its own in Tremor and `#{` opens an interpolation (of a
            // heredoc's line), neither is a comment.
            '#' if !in_string && !line[at..].starts_with("#!") && !line[at..].starts_with("#{") => {
                let (code, comment) = line.split_at(at);
                let text = if let Some(doc) = comment.strip_prefix("###") {
                    format!("### {doc}")
                } else if let Some(doc) = comment.strip_prefix("##") {
                    format!("## {doc}")
                } else {
                    format!("# {}", comment.trim_start_matches('#'))
                };
                return format!("{code}{text}");
            }
            _ => {}
        }
    }
    line.to_string()
}

/// The shared cursor says "expected X, found Y" (Troy's wording); scripts say it Tremor's way:
/// "Found the token `Y` but expected X".
fn tremor_wording(message: &str) -> String {
    let Some((expected, found)) = message
        .strip_prefix("expected ")
        .and_then(|rest| rest.rsplit_once(", found "))
    else {
        return message.to_string();
    };
    if found.starts_with('`') {
        format!("Found the token {found} but expected {expected}")
    } else {
        format!("Found {found} but expected {expected}")
    }
}

/// The width of the token at the start of `rest` (at least 1).
fn token_width(rest: &str) -> usize {
    let mut chars = rest.chars();
    match chars.next() {
        // A string: through its closing quote.
        Some('"') => {
            let mut escaped = false;
            let inside = chars
                .take_while(|c| {
                    let open = escaped || *c != '"';
                    escaped = !escaped && *c == '\\';
                    open
                })
                .count();
            (inside + 2).min(rest.chars().count())
        }
        Some(c) if c.is_alphanumeric() || c == '_' => {
            1 + chars
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .count()
        }
        Some(_) => 1 + chars.take_while(|c| "=<>!&|^%*+-/:~".contains(*c)).count(),
        None => 1,
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let carets = self.around.carets_at.unwrap_or(self.pos);
        let line = carets.line as usize;
        let first = line - self.around.lines_before.len().min(line);
        writeln!(f, "Error: ")?;
        for (n, text) in self.around.lines_before.iter().enumerate() {
            writeln!(f, "{:>5} | {text}", first + n)?;
        }
        writeln!(f, "{:>5} | {}", carets.line, self.line_text)?;
        let pad = " ".repeat(carets.column.saturating_sub(1) as usize);
        write!(
            f,
            "      | {pad}{} {}",
            "^".repeat(self.width),
            self.message
        )?;
        if let Some(hint) = &self.around.hint {
            let under = " ".repeat(self.width);
            write!(f, "\n      | {pad}{under} NOTE: {hint}")?;
        }
        for (n, text) in self.around.lines_after.iter().enumerate() {
            write!(f, "\n{:>5} | {text}", line + 1 + n)?;
        }
        Ok(())
    }
}

impl std::error::Error for ScriptError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_tremor() {
        let e = ScriptError::new(
            "s.tremor",
            "use ;",
            Pos::new(1, 5),
            "Found the token `;` but expected `<ident>`",
        );
        assert_eq!(
            e.to_string(),
            "Error: \n    1 | use ;\n      |     ^ Found the token `;` but expected `<ident>`"
        );
        assert_eq!(
            e.located(),
            "s.tremor:1:5: Found the token `;` but expected `<ident>`"
        );
        let e = SourceError::at("s", Pos::new(1, 5), "expected `<ident>`, found `;`");
        assert_eq!(
            ScriptError::from_source(&e, "use ;").message,
            "Found the token `;` but expected `<ident>`"
        );
        let e = ScriptError::new("s", "x\nevent.a >> 1", Pos::new(2, 9), "m");
        assert!(e
            .to_string()
            .ends_with("    2 | event.a >> 1\n      |         ^^ m"));
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod error_tests;
