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
        }
    }

    /// A source error of the front end, placed in `source`.
    #[must_use]
    pub fn from_source(e: &SourceError, source: &str) -> Self {
        let pos = e.pos.unwrap_or(Pos::new(1, 1));
        Self::new(&e.file, source, pos, tremor_wording(&e.message))
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
        writeln!(f, "Error: ")?;
        writeln!(f, "{:>5} | {}", self.pos.line, self.line_text)?;
        let pad = " ".repeat(self.pos.column.saturating_sub(1) as usize);
        write!(
            f,
            "      | {pad}{} {}",
            "^".repeat(self.width),
            self.message
        )
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
