//! `ingest-ns`: each chunk starts with an 8-byte big-endian ingest timestamp (nanoseconds),
//! which becomes the event's ingest time; the rest is the payload. The postprocessor of the
//! same name writes this framing, so ingest times survive a hop between two runtimes.

use super::{
    api::{Chunks, Preprocessor, Processed},
    error::PreprocessorError,
};
use abi_stable::std_types::RVec;

pub(super) struct IngestNs;

impl Preprocessor for IngestNs {
    fn process(&mut self, data: RVec<u8>, out: &mut Chunks) -> Processed {
        self.process_at(data, out, &mut 0)
    }

    fn process_at(&mut self, data: RVec<u8>, out: &mut Chunks, ingest_ns: &mut u64) -> Processed {
        let Some((timestamp, payload)) = data.split_first_chunk::<8>() else {
            return Err(PreprocessorError::TooShortForIngestNs { len: data.len() });
        };
        *ingest_ns = u64::from_be_bytes(*timestamp);
        out.push(RVec::from(payload));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::preprocessor::test_support::{default_preprocessor, strings};

    #[test]
    fn takes_the_timestamp_off_the_front() {
        let mut p = default_preprocessor("ingest-ns");
        let mut out = Vec::new();
        let mut ingest_ns = 7;
        // Tremor's own example: 42 as a u64, then "89".
        p.process_at(
            vec![0, 0, 0, 0, 0, 0, 0, 42, b'8', b'9'].into(),
            &mut out,
            &mut ingest_ns,
        )
        .expect("ok");
        assert_eq!(strings(&out), ["89"]);
        assert_eq!(ingest_ns, 42);
        let err = p
            .process_at(vec![0; 7].into(), &mut out, &mut ingest_ns)
            .expect_err("too short");
        assert!(err.to_string().contains("7 byte(s)"), "{err}");
        assert_eq!(ingest_ns, 42);
    }
}
