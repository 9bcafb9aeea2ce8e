//! What every postprocessor implements (a leaf module: the postprocessors import it, not their
//! parent, which lists them).

use crate::preprocessor::PostprocessorError;

/// What [`Postprocessor::process`] returns.
pub type Processed = Result<(), PostprocessorError>;

/// A postprocessor instance (one per sink).
pub trait Postprocessor: Send {
    /// Transforms `buf[start..]` (one encoded event, ingested at `ingest_ns`) in place.
    fn process(&mut self, buf: &mut Vec<u8>, start: usize, ingest_ns: u64) -> Processed;

    /// Appends what ends the output so far to `buf` (a compressed stream's trailer), when the
    /// sink's input has ended or it stops. Most postprocessors keep no state across events.
    fn finish(&mut self, _buf: &mut Vec<u8>) -> Processed {
        Ok(())
    }
}

/// Puts `header` in front of the event that starts at `start`.
pub(super) fn prepend(buf: &mut Vec<u8>, start: usize, header: impl IntoIterator<Item = u8>) {
    buf.splice(start..start, header);
}

/// Replaces the event that starts at `start` with `transformed` (kept by the caller as a
/// scratch buffer reused between events).
pub(super) fn replace(buf: &mut Vec<u8>, start: usize, transformed: &[u8]) {
    buf.truncate(start);
    buf.extend_from_slice(transformed);
}
