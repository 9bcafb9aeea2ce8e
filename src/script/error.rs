//! Where an error in a source file (a script, a Troy deployment or module) is and what it says:
//! [`Pos`] and [`SourceError`], shared by every stage of both front ends (a leaf module, so the
//! stages import it and not each other or their parent).

use std::fmt;

/// A position in a source file; line and column are 1-based, columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// The line, starting at 1.
    pub line: u32,
    /// The column in characters, starting at 1.
    pub column: u32,
}

impl Pos {
    /// A position from its line and column.
    #[must_use]
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// An error in a source file: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// The file as named to the loader (or the module file's path).
    pub file: String,
    /// Where in the file, when the error has a place (a missing file has none).
    pub pos: Option<Pos>,
    /// What is wrong, in words.
    pub message: String,
    /// How Tremor underlines and explains it, when it is more than the token at `pos`.
    pub callout: Box<Callout>,
}

/// The parts of Tremor's error rendering beyond the message: how wide the carets are, the
/// `NOTE:` line under them and which neighbouring lines are shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Callout {
    /// How many characters the carets cover (`None`: the token at the position).
    pub width: Option<usize>,
    /// Where the underlined text ends: the carets cover what comes before the token here,
    /// without trailing blanks (for an error about a whole expression).
    pub until: Option<Pos>,
    /// Tremor's hint, printed as `NOTE: …` under the carets.
    pub hint: Option<String>,
    /// How many lines before the error's line are shown too (Tremor shows two for the errors
    /// of its lexer and parser).
    pub lines_before: usize,
    /// The column the error's line is shown up to (not including it): where Tremor's lexer
    /// stopped reading, when it prints the line from its tokens.
    pub line_ends: Option<u32>,
    /// How many lines after it are shown too (Tremor shows two for the parser's errors; the
    /// lexer has not read them).
    pub lines_after: usize,
}

impl SourceError {
    /// An error at a position of a file.
    pub fn at(file: &str, pos: Pos, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            pos: Some(pos),
            message: message.into(),
            callout: Box::default(),
        }
    }

    /// An error about a whole file.
    pub fn in_file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            pos: None,
            message: message.into(),
            callout: Box::default(),
        }
    }
}

impl Callout {
    /// The callout of an error of Tremor's lexer: `width` carets, the lines before shown.
    #[must_use]
    pub fn lexer(width: usize) -> Self {
        Self {
            width: Some(width.max(1)),
            until: None,
            line_ends: None,
            hint: None,
            lines_before: 2,
            lines_after: 0,
        }
    }
}

impl SourceError {
    /// The same error with Tremor's callout.
    #[must_use]
    pub fn with_callout(mut self, callout: Callout) -> Self {
        self.callout = Box::new(callout);
        self
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(pos) => write!(
                f,
                "{}:{}:{}: {}",
                self.file, pos.line, pos.column, self.message
            ),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for SourceError {}
