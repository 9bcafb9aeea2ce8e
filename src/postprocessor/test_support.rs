//! Helpers for the postprocessors' tests: events framed as a sink frames them, and read back
//! through the matching preprocessor.

use super::lookup;
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
