//! `gelf-chunking`: reassembles chunked GELF datagrams (Graylog's format: magic `0x1e 0x0f`,
//! an 8-byte message id, the chunk's sequence number and the chunk count, then the data).
//! A message is passed on once all its chunks arrived, in sequence order; chunks of a message
//! that stays incomplete for 5 to 10 seconds (by ingest time) are dropped, as in Tremor.
//! Datagrams without the chunk magic are whole messages and pass unchanged (plain JSON, or
//! gzip/zlib for a `decompress` after this stage).

use super::{
    api::{Chunks, Preprocessor, Processed},
    error::PreprocessorError,
};
use abi_stable::std_types::RVec;
use std::collections::HashMap;

/// Incomplete messages older than this (at least; at most twice) are dropped.
const EXPIRY_NS: u64 = 5_000_000_000;

/// GELF allows at most 128 chunks per message.
const MAX_CHUNKS: u8 = 128;

const MAGIC: [u8; 2] = [0x1e, 0x0f];

/// The chunks of one message received so far.
struct Partial {
    chunks: Vec<Option<Vec<u8>>>,
    received: usize,
    bytes: usize,
}

#[derive(Default)]
pub(super) struct GelfChunking {
    /// Messages started in the current period.
    current: HashMap<u64, Partial>,
    /// Messages started in the period before; dropped when the next period starts.
    previous: HashMap<u64, Partial>,
    /// When the current period started (ingest time).
    period_start_ns: u64,
}

impl GelfChunking {
    fn expire(&mut self, now_ns: u64) {
        if now_ns.saturating_sub(self.period_start_ns) > EXPIRY_NS {
            self.period_start_ns = now_ns;
            self.previous = std::mem::take(&mut self.current);
        }
    }

    /// Adds one chunk; returns the whole message once complete.
    fn add(
        &mut self,
        id: u64,
        seq: u8,
        count: u8,
        data: &[u8],
    ) -> Result<Option<Vec<u8>>, PreprocessorError> {
        let bad = |reason| PreprocessorError::GelfChunk { id, reason };
        if count == 0 || count > MAX_CHUNKS {
            return Err(bad("a chunk count of 0 or above 128"));
        }
        if seq >= count {
            return Err(bad("a sequence number beyond the chunk count"));
        }
        let mut partial = match self.previous.remove(&id) {
            Some(p) => p,
            None => self.current.remove(&id).unwrap_or_else(|| Partial {
                chunks: vec![None; usize::from(count)],
                received: 0,
                bytes: 0,
            }),
        };
        if partial.chunks.len() != usize::from(count) {
            return Err(bad(
                "chunks that disagree on the chunk count; dropped the message",
            ));
        }
        let slot = &mut partial.chunks[usize::from(seq)];
        if slot.is_some() {
            return Err(bad("a duplicate chunk; dropped the message"));
        }
        *slot = Some(data.to_vec());
        partial.received += 1;
        partial.bytes += data.len();
        if partial.received < partial.chunks.len() {
            self.current.insert(id, partial);
            return Ok(None);
        }
        let mut message = Vec::with_capacity(partial.bytes);
        for chunk in partial.chunks.into_iter().flatten() {
            message.extend_from_slice(&chunk);
        }
        Ok(Some(message))
    }
}

impl Preprocessor for GelfChunking {
    fn process(&mut self, data: RVec<u8>, out: &mut Chunks) -> Processed {
        self.process_at(data, out, &mut 0)
    }

    fn process_at(&mut self, data: RVec<u8>, out: &mut Chunks, ingest_ns: &mut u64) -> Processed {
        self.expire(*ingest_ns);
        match data.as_slice() {
            [m0, m1, rest @ ..] if [*m0, *m1] == MAGIC => {
                let Some((header, body)) = rest.split_first_chunk::<10>() else {
                    return Err(PreprocessorError::GelfHeader { len: data.len() });
                };
                let [id @ .., seq, count] = header;
                let id = u64::from_be_bytes(*id);
                if let Some(message) = self.add(id, *seq, *count, body)? {
                    out.push(RVec::from(message));
                }
                Ok(())
            }
            [] => Err(PreprocessorError::GelfHeader { len: 0 }),
            _ => {
                out.push(data);
                Ok(())
            }
        }
    }

    fn finish(&mut self, _out: &mut Chunks) -> Processed {
        let incomplete = self.current.len() + self.previous.len();
        self.current.clear();
        self.previous.clear();
        if incomplete == 0 {
            Ok(())
        } else {
            Err(PreprocessorError::GelfIncomplete {
                messages: incomplete,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::preprocessor::{
        test_support::{default_preprocessor, feed_at as feed},
        Preprocessor,
    };

    /// A chunk as GELF's spec lays it out.
    fn chunk(id: u64, seq: u8, count: u8, data: &[u8]) -> Vec<u8> {
        let mut c = vec![0x1e, 0x0f];
        c.extend_from_slice(&id.to_be_bytes());
        c.extend_from_slice(&[seq, count]);
        c.extend_from_slice(data);
        c
    }

    fn gelf() -> Box<dyn Preprocessor> {
        default_preprocessor("gelf-chunking")
    }

    #[test]
    fn reassembles_out_of_order_chunks_of_interleaved_messages() {
        let mut p = gelf();
        let msg = r#"{"version":"1.1","host":"example.org","short_message":"A short message"}"#;
        let (a, b) = msg.split_at(30);
        assert_eq!(
            feed(&mut *p, 0, chunk(7, 1, 2, b.as_bytes())),
            (vec![], None)
        );
        assert_eq!(feed(&mut *p, 0, chunk(9, 0, 2, b"other ")), (vec![], None));
        assert_eq!(
            feed(&mut *p, 0, chunk(7, 0, 2, a.as_bytes())),
            (vec![msg.to_string()], None)
        );
        assert_eq!(
            feed(&mut *p, 0, chunk(9, 1, 2, b"message")),
            (vec!["other message".to_string()], None)
        );
        // Unchunked datagrams pass as they are.
        assert_eq!(
            feed(&mut *p, 0, b"{\"a\":1}".to_vec()),
            (vec!["{\"a\":1}".to_string()], None)
        );
        let mut out = Vec::new();
        p.finish(&mut out).expect("nothing pending");
    }

    #[test]
    fn bad_and_stale_chunks() {
        let mut p = gelf();
        let (_, err) = feed(&mut *p, 0, chunk(1, 2, 2, b"x"));
        assert!(err.is_some_and(|e| e.contains("beyond the chunk count")));
        assert_eq!(feed(&mut *p, 0, chunk(1, 0, 2, b"x")).1, None);
        let (_, err) = feed(&mut *p, 0, chunk(1, 0, 2, b"x"));
        assert!(err.is_some_and(|e| e.contains("duplicate")));
        let (_, err) = feed(&mut *p, 0, vec![0x1e, 0x0f, 1]);
        assert!(err.is_some_and(|e| e.contains("3 byte(s)")));
        // A first chunk, then its second 11 s later: the first expired in between.
        assert_eq!(feed(&mut *p, 1_000, chunk(5, 0, 2, b"a")).1, None);
        assert_eq!(feed(&mut *p, 6_000_000_000, chunk(6, 0, 2, b"x")).1, None);
        assert_eq!(
            feed(&mut *p, 12_000_000_000, chunk(5, 1, 2, b"b")),
            (vec![], None)
        );
        let mut out = Vec::new();
        let err = p.finish(&mut out).expect_err("incomplete messages");
        assert!(err.to_string().contains("2 incomplete"), "{err}");
    }
}
