//! `gelf-chunking`: cuts each encoded event into GELF UDP chunks (Graylog's format, as Tremor
//! 0.13 writes it): magic `0x1e 0x0f`, an 8-byte big-endian message id, the chunk's sequence
//! number and the chunk count (one byte each), then up to `chunk_size - 12` bytes of the
//! event. Every event is chunked, even one that fits a single chunk; at most 128 chunks.

use super::api::{Chunks, Processed, Splitter};
use crate::preprocessor::{compression::check_keys, PostprocessorError, ProcessorConfigError};
use tremor_value::Value;

const MAGIC: [u8; 2] = [0x1e, 0x0f];
const HEADER_LEN: usize = 12;
const MAX_CHUNKS: usize = 128;
/// Tremor's chunk size (it reads no config).
const DEFAULT_CHUNK_SIZE: usize = 8192;

pub(super) struct GelfChunking {
    payload_per_chunk: usize,
    /// Events chunked so far: with the ingest time, it makes the message id unique.
    sequence: u64,
}

impl GelfChunking {
    pub(super) fn from_config(config: &Value<'_>) -> Result<Self, ProcessorConfigError> {
        check_keys("gelf-chunking", config, &["chunk_size"], "chunk_size")?;
        let chunk_size = match config.get("chunk_size") {
            None => DEFAULT_CHUNK_SIZE,
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .filter(|&n| n > HEADER_LEN)
                .ok_or_else(|| ProcessorConfigError::BadField {
                    processor: "gelf-chunking",
                    field: "chunk_size",
                    expected: "an integer above 12 (the chunk header's size)",
                    found: Some(v.to_string()),
                })?,
        };
        Ok(Self {
            payload_per_chunk: chunk_size - HEADER_LEN,
            sequence: 0,
        })
    }

    /// Tremor's id: the low 16 bits of the ingest time, then the event's sequence number.
    fn next_message_id(&mut self, ingest_ns: u64) -> u64 {
        let id = (ingest_ns & 0xffff) | (self.sequence << 16);
        self.sequence = self.sequence.wrapping_add(1);
        id
    }
}

impl Splitter for GelfChunking {
    fn split_chunk(&mut self, data: &[u8], ingest_ns: u64, out: &mut Chunks) -> Processed {
        let count = data.len().div_ceil(self.payload_per_chunk);
        let count_byte = u8::try_from(count)
            .ok()
            .filter(|_| count <= MAX_CHUNKS)
            .ok_or(PostprocessorError::TooManyGelfChunks { chunks: count })?;
        let id = self.next_message_id(ingest_ns).to_be_bytes();
        for (sequence, payload) in (0..=u8::MAX).zip(data.chunks(self.payload_per_chunk)) {
            out.data.extend_from_slice(&MAGIC);
            out.data.extend_from_slice(&id);
            out.data.extend_from_slice(&[sequence, count_byte]);
            out.push(payload);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::postprocessor::{lookup, test_support::chunks_of};
    use tremor_value::{literal, Value};

    #[test]
    fn chunks_carry_tremors_header() {
        let chunks = chunks_of(
            "gelf-chunking",
            &literal!({"chunk_size": 16}),
            &[b"0123456789", b"ab"],
            0x1234_5678,
        );
        let id = |sequence: u8| [0, 0, 0, 0, 0, sequence, 0x56, 0x78];
        let chunk = |event: u8, i: u8, n: u8, payload: &[u8]| {
            [&[0x1e, 0x0f][..], &id(event), &[i, n], payload].concat()
        };
        assert_eq!(
            chunks,
            [
                chunk(0, 0, 3, b"0123"),
                chunk(0, 1, 3, b"4567"),
                chunk(0, 2, 3, b"89"),
                chunk(1, 0, 1, b"ab"),
            ]
        );
    }

    #[test]
    fn round_trips_through_the_preprocessor() {
        let event = br#"{"version":"1.1","host":"h","short_message":"hello"}"#.repeat(40);
        let chunks = chunks_of("gelf-chunking", &Value::object(), &[&event], 7);
        assert_eq!(chunks.len(), 1, "fits Tremor's 8192-byte chunks");
        let small = chunks_of(
            "gelf-chunking",
            &literal!({"chunk_size": 100}),
            &[&event],
            7,
        );
        assert_eq!(small.len(), event.len().div_ceil(88));
        let mut pre =
            crate::preprocessor::lookup("gelf-chunking", &Value::object()).expect("known")();
        let mut out = Vec::new();
        // Any arrival order.
        for chunk in small.iter().rev() {
            pre.process(chunk.clone().into(), &mut out).expect("reads");
        }
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].to_vec(), event);
    }

    #[test]
    fn more_than_128_chunks_is_an_error_and_config_is_checked() {
        let mut post = lookup("gelf-chunking", &literal!({"chunk_size": 13})).expect("valid");
        let mut buf = vec![b'x'; 129];
        let err = post.process(&mut buf, 0, 0).expect_err("too many chunks");
        assert!(err.to_string().contains("129 chunks"), "{err}");
        assert!(lookup("gelf-chunking", &literal!({"chunk_size": 12})).is_err());
    }
}
