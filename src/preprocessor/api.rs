//! What every preprocessor implements (a leaf module: the preprocessors import it, not their
//! parent, which lists them).

use super::error::PreprocessorError;
use abi_stable::std_types::RVec;

/// The chunks a stage appends its output to.
pub type Chunks = Vec<RVec<u8>>;

/// What a stage returns: on `Err` the chunks already appended are still valid; the error
/// describes what was dropped.
pub type Processed = Result<(), PreprocessorError>;

/// A preprocessor instance (per stream).
pub trait Preprocessor: Send {
    /// Processes one chunk, appending the resulting chunks to `out`.
    fn process(&mut self, data: RVec<u8>, out: &mut Chunks) -> Processed;

    /// [`Preprocessor::process`] for a chunk read at `ingest_ns`, which a stage may change
    /// (`ingest-ns` sets it from the chunk); the events made from this read get the final
    /// value. The other stages keep this default.
    fn process_at(&mut self, data: RVec<u8>, out: &mut Chunks, _ingest_ns: &mut u64) -> Processed {
        self.process(data, out)
    }

    /// The stream ended: append whatever is still buffered (by default nothing: most stages
    /// keep no state between chunks).
    fn finish(&mut self, _out: &mut Chunks) -> Processed {
        Ok(())
    }
}
