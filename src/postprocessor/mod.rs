//! Postprocessors: frame or transform an encoded event before the sink gets it.
//!
//! They work in place on the sink's batch buffer, so the common chain (`separate`) costs one
//! pushed byte per event and no allocation.

mod api;
mod compress;
mod framing;
mod gelf_chunking;
mod rechunk;
mod streaming_compress;
#[cfg(test)]
mod test_support;

pub use api::{Chunks, Postprocessor};

use api::{replace, Processed};

use crate::preprocessor::{
    compression::{with_single_format_names, Algorithm, Compression, SINGLE_FORMAT_NAMES},
    PostprocessorError, ProcessorConfigError, ProcessorKind, SeparateSettings,
};
use base64::Engine;
use tremor_value::Value;

/// The names of all postprocessors, for error messages: Tremor 0.13's, then the older names
/// still accepted (`textual-length-prefix` of 0.12, the single-format compressors of 0.11).
pub const NAMES: &[&str] = &with_single_format_names::<11, 17>([
    "separate",
    "base64",
    "length-prefixed",
    "textual-length-prefixed",
    "ingest-ns",
    "compress",
    "streaming-compress",
    "chunk",
    "collect",
    "gelf-chunking",
    "textual-length-prefix",
]);

/// Creates the postprocessor `name` with its `config` record.
///
/// # Errors
/// When no postprocessor has this name or its config is invalid.
pub fn lookup(
    name: &str,
    config: &Value<'_>,
) -> Result<Box<dyn Postprocessor>, ProcessorConfigError> {
    match name {
        "separate" => Ok(Box::new(Separate(
            SeparateSettings::from_config(config)?.separator,
        ))),
        "base64" => Ok(Box::new(Base64Encode::default())),
        "length-prefixed" => Ok(Box::new(framing::LengthPrefixed)),
        "textual-length-prefixed" | "textual-length-prefix" => {
            Ok(Box::new(framing::TextualLengthPrefixed))
        }
        "ingest-ns" => Ok(Box::new(framing::IngestNs)),
        "compress" => Ok(Box::new(compress::Compress::new(Compression::from_config(
            "compress", config,
        )?))),
        "streaming-compress" => Ok(Box::new(
            streaming_compress::StreamingCompress::from_config(config)?,
        )),
        "chunk" => Ok(Box::new(rechunk::Chunk::from_config(config)?)),
        "collect" => Ok(Box::new(rechunk::Collect::from_config(config)?)),
        "gelf-chunking" => Ok(Box::new(gelf_chunking::GelfChunking::from_config(config)?)),
        legacy => {
            match Algorithm::from_name(legacy).filter(|_| SINGLE_FORMAT_NAMES.contains(&legacy)) {
                Some(algorithm) => Ok(Box::new(compress::Compress::new(Compression::with_level(
                    "compress",
                    algorithm,
                    config.get("level"),
                )?))),
                None => Err(ProcessorConfigError::Unknown {
                    kind: ProcessorKind::Post,
                    name: legacy.to_string(),
                    known: NAMES,
                }),
            }
        }
    }
}

/// Runs `chain` on the event that starts at `start` in `buf` and calls `chunk_end` with the
/// end (in `buf`) of each chunk it became: one, unless a postprocessor splits or merges
/// events, so none, one or several.
///
/// # Errors
/// When one of them fails.
pub fn process_event(
    chain: &mut [Box<dyn Postprocessor>],
    buf: &mut Vec<u8>,
    start: usize,
    ingest_ns: u64,
    mut chunk_end: impl FnMut(usize),
) -> Processed {
    // The common chains change each event in place.
    let in_place = chain.iter().take_while(|p| !p.splits()).count();
    let (simple, splitting) = chain.split_at_mut(in_place);
    for post in simple {
        post.process(buf, start, ingest_ns)?;
    }
    if splitting.is_empty() {
        chunk_end(buf.len());
        return Ok(());
    }
    let mut chunks = Chunks::default();
    chunks.push(&buf[start..]);
    let chunks = run_through(splitting, chunks, ingest_ns)?;
    buf.truncate(start);
    buf.extend_from_slice(&chunks.data);
    chunks.ends.iter().for_each(|e| chunk_end(start + e));
    Ok(())
}

/// Ends the output of `chain` (see [`Postprocessor::finish`]): what each postprocessor
/// appends goes through the ones after it, as an event's bytes would. Appends the chunks to
/// `out`.
///
/// # Errors
/// When one of them fails.
pub fn finish_chain(chain: &mut [Box<dyn Postprocessor>], out: &mut Chunks) -> Processed {
    for i in 0..chain.len() {
        let (finishing, later) = chain[i..].split_at_mut(1);
        let mut last = Chunks::default();
        finishing[0].finish_chunks(&mut last)?;
        if !last.ends.is_empty() {
            let last = run_through(later, last, 0)?;
            last.iter().for_each(|chunk| out.push(chunk));
        }
    }
    Ok(())
}

/// Every chunk of `chunks` through each of `chain` in turn.
fn run_through(
    chain: &mut [Box<dyn Postprocessor>],
    mut chunks: Chunks,
    ingest_ns: u64,
) -> Result<Chunks, PostprocessorError> {
    for post in chain {
        let mut next = Chunks::default();
        for chunk in chunks.iter() {
            post.split(chunk, ingest_ns, &mut next)?;
        }
        chunks = next;
    }
    Ok(chunks)
}

struct Separate(u8);

impl Postprocessor for Separate {
    fn process(&mut self, buf: &mut Vec<u8>, _start: usize, _ingest_ns: u64) -> Processed {
        buf.push(self.0);
        Ok(())
    }
}

#[derive(Default)]
struct Base64Encode {
    scratch: String,
}

impl Postprocessor for Base64Encode {
    fn process(&mut self, buf: &mut Vec<u8>, start: usize, _ingest_ns: u64) -> Processed {
        self.scratch.clear();
        base64::engine::general_purpose::STANDARD.encode_string(&buf[start..], &mut self.scratch);
        replace(buf, start, self.scratch.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{frame, read_back};
    use super::*;

    #[test]
    fn chain_in_place() {
        let mut buf = b"prefix|".to_vec();
        let start = buf.len();
        buf.extend_from_slice(b"hello");
        lookup("base64", &Value::object())
            .expect("known")
            .process(&mut buf, start, 0)
            .expect("ok");
        lookup("separate", &Value::object())
            .expect("known")
            .process(&mut buf, start, 0)
            .expect("ok");
        assert_eq!(buf, b"prefix|aGVsbG8=\n".to_vec());
    }

    #[test]
    fn length_prefixed_frames_each_event_in_place() {
        // Tremor's `length-prefixed`: a u64, big-endian.
        assert_eq!(
            frame("length-prefixed", &[b"hello", b"", b"ab"], 0),
            b"\0\0\0\0\0\0\0\x05hello\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02ab".to_vec()
        );
    }

    #[test]
    fn length_prefixed_round_trips_through_the_preprocessor() {
        let events: [&[u8]; 3] = [b"first", b"", &[7; 300]];
        let framed = frame("length-prefixed", &events, 0);
        assert_eq!(read_back("length-prefixed", &framed, 7), events);
    }

    #[test]
    fn unknown_postprocessor() {
        let err = lookup("zip", &Value::object()).err().expect("unknown");
        assert_eq!(
            err.to_string(),
            "unknown postprocessor `zip` (known: separate, base64, length-prefixed, \
             textual-length-prefixed, ingest-ns, compress, streaming-compress, chunk, collect, \
             gelf-chunking, textual-length-prefix, gzip, zlib, \
             xz2, snappy, lz4, zstd)"
        );
        assert!(
            lookup("br", &Value::object()).is_err(),
            "brotli has no single-format name"
        );
    }
}
