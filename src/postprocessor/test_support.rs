//! Helpers for the postprocessors' tests: events framed as a sink frames them, and read back
//! through the matching preprocessor.

use super::{finish_chain, lookup, process_event, Chunks};
use tremor_value::Value;

/// Appends each of `events` to one buffer and runs one instance of `name` (empty config) on
/// it in place at `ingest_ns`, as a sink does; returns the buffer.
pub(super) fn frame(name: &str, events: &[&[u8]], ingest_ns: u64) -> Vec<u8> {
    let mut post = lookup(name, &Value::object()).expect("known");
    let mut buf = Vec::new();
    for event in events {
        let start = buf.len();
        buf.extend_from_slice(event);
        post.process(&mut buf, start, ingest_ns).expect("ok");
    }
    buf
}

/// Reads `framed` through the preprocessor `name` in chunks of `chunk_len` bytes, then ends
/// the stream (which must leave nothing over); returns the chunks it made.
pub(super) fn read_back(name: &str, framed: &[u8], chunk_len: usize) -> Vec<Vec<u8>> {
    let mut pre = crate::preprocessor::lookup(name, &Value::object()).expect("known")();
    let mut out = Vec::new();
    for chunk in framed.chunks(chunk_len) {
        pre.process(chunk.to_vec().into(), &mut out)
            .expect("reads back");
    }
    pre.finish(&mut out).expect("nothing left over");
    out.into_iter().map(|c| c.to_vec()).collect()
}

/// The chunks `events` become in a chain of `name` with `config`, the stream's end
/// included.
pub(super) fn chunks_of(
    name: &str,
    config: &Value<'_>,
    events: &[&[u8]],
    ingest_ns: u64,
) -> Vec<Vec<u8>> {
    let mut chain = vec![lookup(name, config).expect("valid config")];
    let mut buf = Vec::new();
    let mut ends = Vec::new();
    for event in events {
        let start = buf.len();
        buf.extend_from_slice(event);
        process_event(&mut chain, &mut buf, start, ingest_ns, |e| ends.push(e)).expect("processes");
    }
    let mut chunks = Chunks { data: buf, ends };
    let mut last = Chunks::default();
    finish_chain(&mut chain, &mut last).expect("finishes");
    last.iter().for_each(|c| chunks.push(c));
    chunks.iter().map(<[u8]>::to_vec).collect()
}
