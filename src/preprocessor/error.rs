//! Errors of naming or configuring a preprocessor or postprocessor (found when planning).

use std::fmt;

/// Which chain a processor belongs to, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessorKind {
    /// Applied to incoming bytes.
    Pre,
    /// Applied to outgoing bytes.
    Post,
}

impl ProcessorKind {
    fn word(self) -> &'static str {
        match self {
            Self::Pre => "preprocessor",
            Self::Post => "postprocessor",
        }
    }
}

/// A processor that cannot be created as configured. `Display` gives the message users see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessorConfigError {
    /// No processor of this kind has this name.
    Unknown {
        /// Pre- or postprocessor.
        kind: ProcessorKind,
        /// The name as written.
        name: String,
        /// The names of this kind, for the message.
        known: &'static [&'static str],
    },
    /// A config field has the wrong type or range.
    BadField {
        /// The processor's name.
        processor: &'static str,
        /// The field's name.
        field: &'static str,
        /// What it must be, in words.
        expected: &'static str,
        /// The value as written, when the message shows it.
        found: Option<String>,
    },
    /// The config has a key the processor does not know.
    UnknownKey {
        /// The processor's name.
        processor: &'static str,
        /// The key as written.
        key: String,
        /// The keys it knows, comma-separated.
        known: &'static str,
    },
}

impl fmt::Display for ProcessorConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown { kind, name, known } => write!(
                f,
                "unknown {} `{name}` (known: {})",
                kind.word(),
                known.join(", ")
            ),
            Self::BadField {
                processor,
                field,
                expected,
                found,
            } => {
                write!(f, "{processor}: `{field}` must be {expected}")?;
                match found {
                    Some(found) => write!(f, ", not {found}"),
                    None => Ok(()),
                }
            }
            Self::UnknownKey {
                processor,
                key,
                known,
            } => write!(
                f,
                "{processor}: unknown config key `{key}` (known: {known})"
            ),
        }
    }
}

impl std::error::Error for ProcessorConfigError {}
