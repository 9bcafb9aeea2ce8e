//! What every preprocessor implements (a leaf module: the preprocessors import it, not their
//! parent, which lists them).

use super::error::PreprocessorError;
use abi_stable::std_types::RVec;

/// A preprocessor instance (per stream).
pub trait Preprocessor: Send {
    /// Processes one chunk, appending the resulting chunks to `out`. On `Err` the chunks
    /// already appended are still valid; the error describes what was dropped.
    fn process(&mut self, data: RVec<u8>, out: &mut Vec<RVec<u8>>)
        -> Result<(), PreprocessorError>;

    /// [`Preprocessor::process`] for a chunk read at `ingest_ns`, which a stage may change
    /// (`ingest-ns` sets it from the chunk); the events made from this read get the final
    /// value. The other stages keep this default.
    fn process_at(
        &mut self,
        data: RVec<u8>,
        out: &mut Vec<RVec<u8>>,
        _ingest_ns: &mut u64,
    ) -> Result<(), PreprocessorError> {
        self.process(data, out)
    }

    /// The stream ended: append whatever is still buffered.
    fn finish(&mut self, out: &mut Vec<RVec<u8>>) -> Result<(), PreprocessorError>;
}
