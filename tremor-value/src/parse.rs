//! In-place JSON parsing with simd-json, building [`Value`]s straight from simd-json's tape.

use crate::{Cow, Object, StaticNode, Value};
use simd_json::{Buffers, Node, Tape};
use std::fmt;

/// A JSON parse error: what simd-json reported and where.
#[derive(Debug)]
pub struct Error {
    /// Byte offset into the input at which the error was detected.
    index: usize,
    /// The character at that offset, if simd-json reported one.
    character: Option<char>,
    /// simd-json's description of the error.
    message: String,
}

impl Error {
    /// Byte offset into the input at which the error was detected (0 when simd-json reports
    /// no position, for example for empty input).
    #[must_use]
    pub fn index(&self) -> usize {
        self.index
    }

    /// The character at [`Error::index`], if known.
    #[must_use]
    pub fn character(&self) -> Option<char> {
        self.character
    }

    /// simd-json's description of what went wrong (without the position).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Converts simd-json's error.
    fn from_simd(e: &simd_json::Error) -> Self {
        Self {
            index: e.index(),
            character: e.character(),
            message: format!("{:?}", e.error()),
        }
    }

    /// The tape did not have the shape simd-json promises (never expected to happen).
    #[cold]
    fn malformed_tape() -> Self {
        Self {
            index: 0,
            character: None,
            message: "InternalError (malformed simd-json tape)".to_string(),
        }
    }
}

impl fmt::Display for Error {
    /// `invalid JSON at byte <index>: <message>` plus the offending character if known,
    /// e.g. `invalid JSON at byte 7: ExpectedObjectKey (found '}')` for `{"a":1,}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid JSON at byte {}: {}", self.index, self.message)?;
        if let Some(c) = self.character {
            write!(f, " (found {c:?})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// A reusable JSON parser: keeps simd-json's scratch buffers and tape between calls, so
/// parsing a stream of documents does not allocate scratch space per document (only the
/// resulting [`Value`]'s arrays, records and the strings that need unescaping are allocated).
///
/// ```
/// let mut parser = tremor_value::JsonParser::new();
/// for line in [&br#"{"a":1}"#[..], &b"[true]\n"[..]] {
///     let mut buf = line.to_vec();
///     let v = parser.parse(&mut buf).expect("valid json");
///     assert!(v.is_object() || v.is_array());
/// }
/// ```
pub struct JsonParser {
    /// simd-json's stage 1/2 scratch space.
    buffers: Buffers,
    /// The node tape, kept empty between parses so its allocation can be reused.
    tape: Option<Tape<'static>>,
}

impl Default for JsonParser {
    /// Same as [`JsonParser::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for JsonParser {
    /// Prints only the type name; the buffers hold no meaningful state between parses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonParser").finish_non_exhaustive()
    }
}

impl JsonParser {
    /// A parser with empty buffers; they grow to fit the largest document seen.
    #[must_use]
    pub fn new() -> Self {
        Self {
            buffers: Buffers::default(),
            tape: None,
        }
    }

    /// Parses one JSON document in place. `input` is rewritten (escaped strings are unescaped
    /// inside it) and the returned value borrows its strings from it, so no string is copied.
    /// Leading and trailing whitespace (including a final newline) is accepted.
    ///
    /// # Errors
    /// [`Error`] if `input` is empty, not valid JSON or UTF-8, nested deeper than 1024 levels,
    /// or followed by anything but whitespace.
    pub fn parse<'v>(&mut self, input: &'v mut [u8]) -> Result<Value<'v>, Error> {
        let mut tape: Tape<'v> = match self.tape.take() {
            Some(t) => t.reset(),
            None => Tape(Vec::new()),
        };
        let res = match simd_json::fill_tape(input, &mut self.buffers, &mut tape) {
            Ok(()) => build(&tape.0),
            Err(e) => Err(Error::from_simd(&e)),
        };
        self.tape = Some(tape.reset());
        res
    }
}

/// Parses one JSON document in place, see [`JsonParser::parse`]. Use a [`JsonParser`] to
/// parse many documents without reallocating scratch buffers each time.
///
/// ```
/// let mut raw = br#"{"msg":"hi","n":[1,2.5]}"#.to_vec();
/// let v = tremor_value::parse_json(&mut raw).expect("valid json");
/// assert_eq!(v.get("msg").and_then(|m| m.as_str()), Some("hi"));
/// ```
///
/// # Errors
/// [`Error`] if `input` is not a single valid JSON document.
pub fn parse_json(input: &mut [u8]) -> Result<Value<'_>, Error> {
    JsonParser::new().parse(input)
}

/// Builds the value that the whole tape describes.
fn build<'v>(tape: &[Node<'v>]) -> Result<Value<'v>, Error> {
    let mut nodes = tape.iter();
    match build_value(&mut nodes) {
        Some(v) if nodes.next().is_none() => Ok(v),
        _ => Err(Error::malformed_tape()),
    }
}

/// Builds the value starting at the next node; `None` only for a malformed tape. (Recursion
/// depth is bounded by simd-json's nesting limit.)
fn build_value<'v>(nodes: &mut std::slice::Iter<'_, Node<'v>>) -> Option<Value<'v>> {
    Some(match nodes.next()? {
        Node::String(s) => Value::String(Cow::borrowed(s)),
        Node::Static(s) => Value::Static(convert_static(*s)),
        Node::Array { len, .. } => {
            let mut a = Vec::with_capacity(*len);
            for _ in 0..*len {
                a.push(build_value(nodes)?);
            }
            Value::Array(a)
        }
        Node::Object { len, .. } => {
            let mut o = Object::with_capacity(*len);
            for _ in 0..*len {
                let Node::String(k) = nodes.next()? else {
                    return None;
                };
                let v = build_value(nodes)?;
                // `insert` keeps JSON's "last duplicate key wins" semantics
                o.insert(Cow::borrowed(k), v);
            }
            Value::Object(Box::new(o))
        }
    })
}

/// Converts simd-json's scalar into ours. simd-json reports every non-negative integer as
/// `U64`; we keep `U64` for integers that do not fit an `i64` only.
fn convert_static(s: simd_json::StaticNode) -> StaticNode {
    match s {
        simd_json::StaticNode::Null => StaticNode::Null,
        simd_json::StaticNode::Bool(b) => StaticNode::Bool(b),
        simd_json::StaticNode::I64(i) => StaticNode::I64(i),
        simd_json::StaticNode::U64(u) => match i64::try_from(u) {
            Ok(i) => StaticNode::I64(i),
            Err(_) => StaticNode::U64(u),
        },
        simd_json::StaticNode::F64(f) => StaticNode::F64(f),
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
