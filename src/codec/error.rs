//! What can go wrong with a codec: naming or configuring it (found when planning), decoding
//! or encoding one event (reported on the `err` port).

use std::fmt;

/// A codec error. `Display` gives the message users see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// No codec has this name.
    Unknown {
        /// The name as written.
        name: String,
    },
    /// The json codec's `mode` is neither `compact` nor `sorted`.
    UnknownMode {
        /// The codec as named.
        codec: String,
        /// The mode as written.
        mode: String,
    },
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown { name } => write!(
                f,
                "unknown codec `{name}` (known: {})",
                super::NAMES.join(", ")
            ),
            Self::UnknownMode { codec, mode } => write!(
                f,
                "codec `{codec}`: unknown mode `{mode}` (expected `compact` or `sorted`)"
            ),
        }
    }
}

impl std::error::Error for CodecError {}
