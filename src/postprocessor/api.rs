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

    /// Whether it turns one chunk into any number of chunks (`chunk`, `collect`,
    /// `gelf-chunking`): then the sink runs it through [`Postprocessor::split`].
    fn splits(&self) -> bool {
        false
    }

    /// Appends the chunks `data` becomes to `out` (by default the one [`process`] makes).
    ///
    /// [`process`]: Postprocessor::process
    fn split(&mut self, data: &[u8], ingest_ns: u64, out: &mut Chunks) -> Processed {
        let start = out.data.len();
        out.data.extend_from_slice(data);
        self.process(&mut out.data, start, ingest_ns)?;
        out.end_chunk();
        Ok(())
    }

    /// Appends the chunks that end the output to `out` (by default what [`finish`] appends,
    /// as one chunk).
    ///
    /// [`finish`]: Postprocessor::finish
    fn finish_chunks(&mut self, out: &mut Chunks) -> Processed {
        let start = out.data.len();
        self.finish(&mut out.data)?;
        if out.data.len() > start {
            out.end_chunk();
        }
        Ok(())
    }
}

/// A postprocessor that turns each chunk into any number of chunks, holding bytes back
/// across events (`chunk`, `collect`, `gelf-chunking`).
pub(super) trait Splitter: Send {
    /// See [`Postprocessor::split`].
    fn split_chunk(&mut self, data: &[u8], ingest_ns: u64, out: &mut Chunks) -> Processed;

    /// See [`Postprocessor::finish_chunks`]; by default nothing is held back.
    fn finish_held(&mut self, _out: &mut Chunks) -> Processed {
        Ok(())
    }
}

impl<T: Splitter> Postprocessor for T {
    /// The chunks back to back in place, for a caller that does not keep chunk boundaries
    /// (the sink goes through [`Postprocessor::split`]).
    fn process(&mut self, buf: &mut Vec<u8>, start: usize, ingest_ns: u64) -> Processed {
        let mut out = Chunks::default();
        self.split_chunk(&buf[start..], ingest_ns, &mut out)?;
        buf.truncate(start);
        buf.extend_from_slice(&out.data);
        Ok(())
    }

    fn splits(&self) -> bool {
        true
    }

    fn split(&mut self, data: &[u8], ingest_ns: u64, out: &mut Chunks) -> Processed {
        self.split_chunk(data, ingest_ns, out)
    }

    fn finish_chunks(&mut self, out: &mut Chunks) -> Processed {
        self.finish_held(out)
    }
}

/// Chunks back to back: what a splitting postprocessor makes of its input.
#[derive(Default)]
pub struct Chunks {
    /// Their bytes.
    pub data: Vec<u8>,
    /// Where each ends in `data`.
    pub ends: Vec<usize>,
}

impl Chunks {
    /// Ends a chunk at the end of `data`.
    pub fn end_chunk(&mut self) {
        self.ends.push(self.data.len());
    }

    /// Moves `held` out as one chunk, unless it is empty.
    pub fn push_held(&mut self, held: &mut Vec<u8>) {
        if !held.is_empty() {
            self.push(held);
            held.clear();
        }
    }

    /// Appends `chunk` as one chunk.
    pub fn push(&mut self, chunk: &[u8]) {
        self.data.extend_from_slice(chunk);
        self.end_chunk();
    }

    /// The chunks, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(s, &e)| &self.data[s..e])
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
