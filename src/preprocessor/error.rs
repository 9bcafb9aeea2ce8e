//! Errors of pre- and postprocessors: naming or configuring one (found when planning) and
//! processing a chunk or an event (reported on the `err` port).

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

/// A chunk a preprocessor could not (fully) process. The chunks it did produce are kept;
/// `Display` says what was dropped (err-port events carry the message).
#[derive(Debug)]
pub enum PreprocessorError {
    /// `base64`: a chunk is not base64.
    Base64(base64::DecodeError),
    /// `separate`: lines longer than `max_length` were dropped.
    LinesTooLong {
        /// How many lines were dropped.
        dropped: usize,
        /// The configured limit, in bytes.
        max_length: usize,
    },
    /// `length-prefixed`: frames longer than `max_length` were skipped.
    FramesTooLong {
        /// The announced lengths of the skipped frames.
        lengths: Vec<usize>,
        /// The configured limit, in bytes.
        max_length: usize,
    },
    /// `length-prefixed`: the stream ended inside a frame body.
    EndedInFrame {
        /// Body bytes received.
        received: usize,
        /// The length the header announced.
        len: usize,
    },
    /// `length-prefixed`: the stream ended inside a length header.
    EndedInHeader {
        /// Header bytes received.
        received: usize,
        /// The header size.
        header: usize,
    },
    /// `decompress`: a chunk is not a valid compressed message.
    Decompress {
        /// The format it was read as.
        algorithm: &'static str,
        /// What the decoder said.
        error: std::io::Error,
    },
    /// `ingest-ns`: a chunk is shorter than the 8-byte timestamp that must start it.
    TooShortForIngestNs {
        /// The chunk's size in bytes.
        len: usize,
    },
    /// `textual-length-prefixed`: a frame does not start with a decimal length and a space.
    BadTextualLength {
        /// The bytes where the length should be (lossy text, at most a few bytes).
        prefix: String,
    },
    /// `gelf-chunking`: a datagram with the chunk magic but no complete chunk header.
    GelfHeader {
        /// The datagram's size in bytes.
        len: usize,
    },
    /// `gelf-chunking`: a chunk that does not fit its message.
    GelfChunk {
        /// The GELF message id.
        id: u64,
        /// What is wrong, in words.
        reason: &'static str,
    },
    /// `gelf-chunking`: the stream ended with messages still missing chunks.
    GelfIncomplete {
        /// How many messages were dropped.
        messages: usize,
    },
    /// `textual-length-prefixed`: the stream ended inside a frame.
    EndedInTextualFrame {
        /// Bytes received after the last complete frame.
        received: usize,
    },
}

impl fmt::Display for PreprocessorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Base64(e) => write!(f, "base64: {e}"),
            Self::LinesTooLong {
                dropped,
                max_length,
            } => write!(
                f,
                "separate: dropped {dropped} line(s) longer than max_length {max_length}"
            ),
            Self::FramesTooLong {
                lengths,
                max_length,
            } => {
                write!(
                    f,
                    "length-prefixed: dropped {} frame(s) longer than max_length {max_length} \
                     (lengths: ",
                    lengths.len()
                )?;
                for (i, len) in lengths.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{len}")?;
                }
                f.write_str(")")
            }
            Self::EndedInFrame { received, len } => write!(
                f,
                "length-prefixed: the stream ended inside a frame ({received} of {len} bytes \
                 received); dropped it"
            ),
            Self::EndedInHeader { received, header } => write!(
                f,
                "length-prefixed: the stream ended inside a length header ({received} of \
                 {header} bytes received); dropped it"
            ),
            Self::Decompress { algorithm, error } => {
                write!(f, "decompress: not a valid {algorithm} message: {error}")
            }
            Self::TooShortForIngestNs { len } => write!(
                f,
                "ingest-ns: a chunk of {len} byte(s) cannot start with an 8-byte timestamp"
            ),
            Self::BadTextualLength { prefix } => write!(
                f,
                "textual-length-prefixed: expected a decimal length and a space, found \
                 `{prefix}`; dropped the bytes up to the next space"
            ),
            Self::GelfHeader { len } => write!(
                f,
                "gelf-chunking: a chunk of {len} byte(s) is shorter than its 12-byte header"
            ),
            Self::GelfChunk { id, reason } => {
                write!(f, "gelf-chunking: message {id:#018x}: {reason}")
            }
            Self::GelfIncomplete { messages } => write!(
                f,
                "gelf-chunking: the stream ended with {messages} incomplete message(s); dropped them"
            ),
            Self::EndedInTextualFrame { received } => write!(
                f,
                "textual-length-prefixed: the stream ended inside a frame ({received} byte(s) \
                 left); dropped them"
            ),
        }
    }
}

impl std::error::Error for PreprocessorError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Base64(e) => Some(e),
            Self::Decompress { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// What a postprocessor could not do with one encoded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostprocessorError {
    /// `length-prefixed`: the event does not fit the 8-byte length.
    TooLongForLengthPrefix {
        /// The event's size in bytes.
        len: usize,
    },
    /// `compress`: the encoder failed (it writes to memory, so this is not expected).
    Compress {
        /// The format.
        algorithm: &'static str,
        /// What the encoder said.
        reason: String,
    },
    /// `gelf-chunking`: the event needs more than GELF's 128 chunks.
    TooManyGelfChunks {
        /// The chunks it would need.
        chunks: usize,
    },
}

impl fmt::Display for PostprocessorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLongForLengthPrefix { len } => write!(
                f,
                "length-prefixed: an event of {len} bytes does not fit an 8-byte length \
                 (at most {} bytes)",
                u64::MAX
            ),
            Self::Compress { algorithm, reason } => {
                write!(f, "compress: {algorithm} failed: {reason}")
            }
            Self::TooManyGelfChunks { chunks } => write!(
                f,
                "gelf-chunking: the event needs {chunks} chunks, GELF allows at most 128"
            ),
        }
    }
}

impl std::error::Error for PostprocessorError {}

/// The sink's encode step reports errors as text (one message per failed event).
impl From<PostprocessorError> for String {
    fn from(e: PostprocessorError) -> Self {
        e.to_string()
    }
}
