//! Postprocessors that cut the output into chunks of their own size, across events (Tremor
//! 0.13's `chunk` and `collect`, config `{"max_bytes": N}`); what they hold back is written
//! when the sink's input ends or it stops.

use super::api::{Chunks, Processed, Splitter};
use crate::preprocessor::{compression::check_keys, ProcessorConfigError};
use tremor_value::Value;

/// `max_bytes` of `processor`'s config: a non-negative integer, or `None` when absent.
fn max_bytes(
    processor: &'static str,
    config: &Value<'_>,
) -> Result<Option<usize>, ProcessorConfigError> {
    check_keys(processor, config, &["max_bytes"], "max_bytes")?;
    config
        .get("max_bytes")
        .map(|v| {
            v.as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| ProcessorConfigError::BadField {
                    processor,
                    field: "max_bytes",
                    expected: "a non-negative integer",
                    found: Some(v.to_string()),
                })
        })
        .transpose()
}

/// `chunk`: packs whole events into chunks of at most `max_bytes`; a chunk goes out once the
/// next event would not fit (or fills it exactly). An event larger than `max_bytes` is
/// dropped with a warning, as in Tremor.
pub(super) struct Chunk {
    max_bytes: usize,
    held: Vec<u8>,
}

impl Chunk {
    pub(super) fn from_config(config: &Value<'_>) -> Result<Self, ProcessorConfigError> {
        let max_bytes = max_bytes("chunk", config)?
            .filter(|&n| n > 0)
            .ok_or_else(|| ProcessorConfigError::BadField {
                processor: "chunk",
                field: "max_bytes",
                expected: "a positive integer",
                found: config.get("max_bytes").map(ToString::to_string),
            })?;
        Ok(Self {
            max_bytes,
            held: Vec::new(),
        })
    }
}

impl Splitter for Chunk {
    fn split_chunk(&mut self, data: &[u8], _ingest_ns: u64, out: &mut Chunks) -> Processed {
        if data.len() > self.max_bytes {
            log::warn!(
                "[postprocessor::chunk] an event of {} bytes exceeds max_bytes {}: dropped",
                data.len(),
                self.max_bytes
            );
        } else {
            if self.held.len() + data.len() > self.max_bytes {
                out.push_held(&mut self.held);
            }
            self.held.extend_from_slice(data);
            if self.held.len() == self.max_bytes {
                out.push_held(&mut self.held);
            }
        }
        Ok(())
    }

    fn finish_held(&mut self, out: &mut Chunks) -> Processed {
        out.push_held(&mut self.held);
        Ok(())
    }
}

/// `collect`: merges events into one chunk until the next would pass `max_bytes` (no limit
/// when absent); an event larger than `max_bytes` goes out whole, on its own.
pub(super) struct Collect {
    max_bytes: Option<usize>,
    held: Vec<u8>,
}

impl Collect {
    pub(super) fn from_config(config: &Value<'_>) -> Result<Self, ProcessorConfigError> {
        Ok(Self {
            // Tremor's default 0 means no limit.
            max_bytes: max_bytes("collect", config)?.filter(|&n| n > 0),
            held: Vec::new(),
        })
    }
}

impl Splitter for Collect {
    fn split_chunk(&mut self, data: &[u8], _ingest_ns: u64, out: &mut Chunks) -> Processed {
        if self
            .max_bytes
            .is_some_and(|max| self.held.len() + data.len() > max)
        {
            out.push_held(&mut self.held);
        }
        self.held.extend_from_slice(data);
        Ok(())
    }

    fn finish_held(&mut self, out: &mut Chunks) -> Processed {
        out.push_held(&mut self.held);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::postprocessor::test_support::chunks_of;
    use crate::postprocessor::{finish_chain, lookup, process_event, Chunks};
    use tremor_value::{literal, Value};

    fn strings(chunks: &[Vec<u8>]) -> Vec<&str> {
        chunks
            .iter()
            .map(|c| std::str::from_utf8(c).expect("text"))
            .collect()
    }

    #[test]
    fn chunk_packs_whole_events_up_to_max_bytes() {
        let events: [&[u8]; 6] = [b"snot", b"badger", b"", b"ab", b"toolongtoolong", b"c"];
        let chunks = chunks_of("chunk", &literal!({"max_bytes": 6}), &events, 0);
        // "snot"+"badger" passes 6: "snot" goes; "badger" fills 6 exactly and goes; the
        // 14-byte event is dropped; "ab"+"c" go at the end.
        assert_eq!(strings(&chunks), ["snot", "badger", "abc"]);
    }

    #[test]
    fn collect_merges_events_until_max_bytes() {
        let events: [&[u8]; 4] = [b"snot", b"badger", b"x", b"wobblewobble"];
        let limited = chunks_of("collect", &literal!({"max_bytes": 7}), &events, 0);
        assert_eq!(strings(&limited), ["snot", "badgerx", "wobblewobble"]);
        let all = chunks_of("collect", &Value::object(), &events, 0);
        assert_eq!(strings(&all), ["snotbadgerxwobblewobble"]);
    }

    #[test]
    fn a_separator_after_collect_ends_each_merged_chunk() {
        let mut chain = vec![
            lookup("collect", &literal!({"max_bytes": 4})).expect("valid"),
            lookup("separate", &Value::object()).expect("valid"),
        ];
        let mut buf = Vec::new();
        let mut ends = Vec::new();
        for event in [&b"ab"[..], b"cd", b"ef"] {
            let start = buf.len();
            buf.extend_from_slice(event);
            process_event(&mut chain, &mut buf, start, 0, |e| ends.push(e)).expect("ok");
        }
        assert_eq!(
            (buf.as_slice(), ends.as_slice()),
            (&b"abcd\n"[..], &[5][..])
        );
        let mut last = Chunks::default();
        finish_chain(&mut chain, &mut last).expect("finishes");
        assert_eq!(last.data, b"ef\n");
    }

    #[test]
    fn config_is_checked_when_planning() {
        for (name, bad) in [
            ("chunk", literal!({})),
            ("chunk", literal!({"max_bytes": 0})),
            ("chunk", literal!({"max_bytes": 10, "other": 1})),
            ("collect", literal!({"max_bytes": -1})),
        ] {
            assert!(lookup(name, &bad).is_err(), "{name} {bad}");
        }
        assert!(lookup("collect", &literal!({"max_bytes": 0})).is_ok());
    }
}
