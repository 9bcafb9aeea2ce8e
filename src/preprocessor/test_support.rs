//! Helpers for the preprocessors' tests: an instance by name, chunks as text, and a whole
//! stream run through one instance.

use super::{lookup, Preprocessor};
use abi_stable::std_types::RVec;
use tremor_value::Value;

/// An instance of the preprocessor `name` with `config`, which must be valid.
pub(super) fn preprocessor(name: &str, config: &Value<'_>) -> Box<dyn Preprocessor> {
    lookup(name, config).expect("known, valid config")()
}

/// [`preprocessor`] with an empty config.
pub(super) fn default_preprocessor(name: &str) -> Box<dyn Preprocessor> {
    preprocessor(name, &Value::object())
}

/// Chunks as lossy strings, for assertions.
pub(super) fn strings(chunks: &[RVec<u8>]) -> Vec<String> {
    chunks
        .iter()
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect()
}

/// Feeds `chunks` in order, then ends the stream; returns the chunks out and the messages
/// of every error.
pub(super) fn run(p: &mut dyn Preprocessor, chunks: &[&[u8]]) -> (Vec<String>, Vec<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for chunk in chunks {
        if let Err(e) = p.process(chunk.to_vec().into(), &mut out) {
            errors.push(e.to_string());
        }
    }
    if let Err(e) = p.finish(&mut out) {
        errors.push(e.to_string());
    }
    (strings(&out), errors)
}

/// Feeds one chunk read at `at_ns` to `p`: the chunks out and the error message, if any.
pub(super) fn feed_at(
    p: &mut dyn Preprocessor,
    at_ns: u64,
    chunk: Vec<u8>,
) -> (Vec<String>, Option<String>) {
    let mut out = Vec::new();
    let mut ingest_ns = at_ns;
    let err = p
        .process_at(chunk.into(), &mut out, &mut ingest_ns)
        .err()
        .map(|e| e.to_string());
    (strings(&out), err)
}
