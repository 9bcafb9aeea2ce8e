//! The error of a pattern that does not compile, and the escapes `kv` and `dissect` patterns
//! share (a leaf module, so the extractors and the dispatch in `extractors` do not import each
//! other).

use std::fmt;

/// A pattern that does not compile, or an unknown kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractorError {
    message: String,
}

impl ExtractorError {
    pub(crate) fn new(message: impl fmt::Display) -> Self {
        Self {
            message: message.to_string(),
        }
    }
}

impl fmt::Display for ExtractorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExtractorError {}

/// `\\`, `\n`, `\t`, `\r` in `kv` separators and `dissect` literals (Tremor's messages).
pub(crate) fn unescape(s: &str) -> Result<String, ExtractorError> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => {
                return Err(ExtractorError::new(format!(
                    "Invalid escape sequence \\'{other}' is not valid."
                )))
            }
            None => {
                return Err(ExtractorError::new(
                    "Unterminated escape at the end of line or of a delimiter %{ can't be escaped",
                ))
            }
        }
    }
    Ok(out)
}
