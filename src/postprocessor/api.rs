//! What every postprocessor implements (a leaf module: the postprocessors import it, not their
//! parent, which lists them).

use crate::preprocessor::PostprocessorError;

/// A postprocessor instance (one per sink).
pub trait Postprocessor: Send {
    /// Transforms `buf[start..]` (one encoded event, ingested at `ingest_ns`) in place.
    fn process(
        &mut self,
        buf: &mut Vec<u8>,
        start: usize,
        ingest_ns: u64,
    ) -> Result<(), PostprocessorError>;
}
