//! `compress`: each encoded event becomes one compressed message (Tremor's postprocessor of
//! that name, config `{"algorithm": NAME, "level": N}`); the `decompress` preprocessor
//! reads it back.

use super::api::{replace, Postprocessor, Processed};
use crate::preprocessor::{compression::Compression, PostprocessorError};

pub(super) struct Compress {
    compression: Compression,
    /// Reused between events: compressing allocates only while this grows.
    scratch: Vec<u8>,
}

impl Compress {
    pub(super) fn new(compression: Compression) -> Self {
        Self {
            compression,
            scratch: Vec::new(),
        }
    }
}

impl Postprocessor for Compress {
    fn process(&mut self, buf: &mut Vec<u8>, start: usize, _ingest_ns: u64) -> Processed {
        self.scratch.clear();
        self.compression
            .compress_into(&buf[start..], &mut self.scratch)
            .map_err(|e| PostprocessorError::Compress {
                algorithm: self.compression.algorithm.name(),
                reason: e.to_string(),
            })?;
        replace(buf, start, &self.scratch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::postprocessor::lookup;
    use abi_stable::std_types::RVec;
    use tremor_value::{literal, Value};

    #[test]
    fn every_algorithm_round_trips_through_decompress() {
        let event = br#"{"measurement":"cpu","fields":{"load":0.5}}"#.repeat(20);
        for algorithm in ["gzip", "zlib", "xz2", "snappy", "lz4", "zstd"] {
            let mut post =
                lookup("compress", &literal!({ "algorithm": algorithm })).expect("valid config");
            let mut buf = b"earlier event".to_vec();
            let start = buf.len();
            buf.extend_from_slice(&event);
            post.process(&mut buf, start, 0).expect("compresses");
            assert_eq!(&buf[..start], b"earlier event", "{algorithm}");
            assert!(
                buf.len() - start < event.len(),
                "{algorithm} shrinks repetitive data"
            );
            let mut pre =
                crate::preprocessor::lookup("decompress", &Value::object()).expect("autodetect")();
            let mut out = Vec::new();
            pre.process(buf[start..].to_vec().into(), &mut out)
                .expect("decompresses");
            assert_eq!(out, vec![RVec::from(event.clone())], "{algorithm}");
        }
    }

    #[test]
    fn config_is_checked_when_planning() {
        let err = lookup("compress", &Value::object())
            .err()
            .expect("no algorithm");
        assert!(
            err.to_string().contains("`algorithm` must be given"),
            "{err}"
        );
        assert!(lookup("compress", &literal!({"algorithm": "zstd", "level": 22})).is_ok());
        // Tremor 0.11's single-format names.
        assert!(lookup("xz2", &Value::object()).is_ok());
        assert!(lookup("gzip", &literal!({"level": 3})).is_err());
    }
}
