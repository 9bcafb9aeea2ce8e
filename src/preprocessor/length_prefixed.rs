//! `length-prefixed`: frames are an 8-byte big-endian length followed by that many bytes
//! (Tremor's framing, a `u64` in 0.12 and 0.13; the postprocessor of the same name writes it).
//!
//! Reads deliver arbitrary pieces of the byte stream, so a frame may be split across chunks
//! and a chunk may hold several frames: the partial frame is kept per stream.

use super::{
    api::{Chunks, Preprocessor, Processed},
    error::{PreprocessorError, ProcessorConfigError},
};
use abi_stable::std_types::RVec;
use tremor_value::Value;

/// The size of the length header.
const HEADER: usize = 8;

/// The most we reserve up front for a frame body. The length comes from the peer: a forged
/// header must not make us allocate gigabytes before any data arrived.
const MAX_PREALLOCATED: usize = 64 * 1024;

/// Reads `max_length` (frame bodies longer than this many bytes are skipped with an error;
/// 0, the default, means no limit) and rejects unknown keys.
pub(super) fn max_length_from_config(config: &Value<'_>) -> Result<usize, ProcessorConfigError> {
    const NAME: &str = "length-prefixed";
    if let Some(record) = config.as_object() {
        if let Some(key) = record.keys().find(|k| &***k != "max_length") {
            return Err(ProcessorConfigError::UnknownKey {
                processor: NAME,
                key: key.to_string(),
                known: "max_length",
            });
        }
    }
    match config.get("max_length") {
        None => Ok(0),
        Some(v) => v.as_usize().ok_or_else(|| ProcessorConfigError::BadField {
            processor: NAME,
            field: "max_length",
            expected: "a non-negative integer",
            found: Some(v.to_string()),
        }),
    }
}

/// The length a header announces; one beyond memory (only on 32-bit targets) counts as
/// `usize::MAX`, which `max_length` then refuses.
fn frame_len(header: [u8; HEADER]) -> usize {
    usize::try_from(u64::from_be_bytes(header)).unwrap_or(usize::MAX)
}

/// A frame whose header has been read.
struct Frame {
    /// The length its header announced.
    len: usize,
    /// The body bytes received so far (left empty when `skip`).
    body: Vec<u8>,
    /// How many body bytes were received.
    received: usize,
    /// The frame exceeds `max_length`: its bytes are counted, not kept, so that the stream
    /// stays in step and the next frame is read correctly.
    skip: bool,
}

pub(super) struct LengthPrefixed {
    max_length: usize,
    /// The first bytes of a header whose rest has not arrived yet.
    header: Vec<u8>,
    /// The frame being read, once its header is complete.
    frame: Option<Frame>,
}

impl LengthPrefixed {
    pub(super) fn new(max_length: usize) -> Self {
        Self {
            max_length,
            header: Vec::with_capacity(HEADER),
            frame: None,
        }
    }

    fn too_long(&self, len: usize) -> bool {
        self.max_length > 0 && len > self.max_length
    }

    /// Starts the frame announced by a complete header.
    fn start_frame(&mut self, header: [u8; HEADER], skipped: &mut Vec<usize>) {
        let len = frame_len(header);
        let skip = self.too_long(len);
        if skip {
            skipped.push(len);
        }
        let body = if skip {
            Vec::new()
        } else {
            Vec::with_capacity(len.min(MAX_PREALLOCATED))
        };
        self.frame = Some(Frame {
            len,
            body,
            received: 0,
            skip,
        });
    }

    fn skipped_error(&self, skipped: Vec<usize>) -> Result<(), PreprocessorError> {
        if skipped.is_empty() {
            return Ok(());
        }
        Err(PreprocessorError::FramesTooLong {
            lengths: skipped,
            max_length: self.max_length,
        })
    }
}

impl Preprocessor for LengthPrefixed {
    fn process(&mut self, data: RVec<u8>, out: &mut Chunks) -> Processed {
        let mut input = data.as_slice();
        let mut skipped = Vec::new();
        loop {
            if let Some(frame) = &mut self.frame {
                let take = (frame.len - frame.received).min(input.len());
                if !frame.skip {
                    frame.body.extend_from_slice(&input[..take]);
                }
                frame.received += take;
                input = &input[take..];
                if frame.received < frame.len {
                    break;
                }
                if let Some(frame) = self.frame.take().filter(|f| !f.skip) {
                    out.push(RVec::from(frame.body));
                }
                continue;
            }
            // Whole frames inside this chunk go straight out, without passing through `self`.
            if self.header.is_empty() {
                if let Some((header, rest)) = input.split_first_chunk::<HEADER>() {
                    let len = frame_len(*header);
                    if rest.len() >= len && !self.too_long(len) {
                        let (body, rest) = rest.split_at(len);
                        out.push(RVec::from(body));
                        input = rest;
                        continue;
                    }
                }
            }
            let take = (HEADER - self.header.len()).min(input.len());
            self.header.extend_from_slice(&input[..take]);
            input = &input[take..];
            let Ok(header) = <[u8; HEADER]>::try_from(self.header.as_slice()) else {
                // The input is used up inside a header.
                break;
            };
            self.header.clear();
            self.start_frame(header, &mut skipped);
        }
        self.skipped_error(skipped)
    }

    fn finish(&mut self, _out: &mut Chunks) -> Processed {
        let header = std::mem::take(&mut self.header);
        match self.frame.take() {
            Some(frame) if !frame.skip => Err(PreprocessorError::EndedInFrame {
                received: frame.received,
                len: frame.len,
            }),
            // Already reported when its header arrived.
            Some(_) => Ok(()),
            None if !header.is_empty() => Err(PreprocessorError::EndedInHeader {
                received: header.len(),
                header: HEADER,
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::preprocessor::{
        lookup,
        test_support::{preprocessor, run, strings},
        Preprocessor,
    };
    use tremor_value::{literal, Value};

    fn framed(messages: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for m in messages {
            let len = u64::try_from(m.len()).expect("short test message");
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(m.as_bytes());
        }
        out
    }

    fn length_prefixed(config: &Value<'_>) -> Box<dyn Preprocessor> {
        preprocessor("length-prefixed", config)
    }

    #[test]
    fn several_frames_in_one_chunk() {
        let data = framed(&["one", "", "three"]);
        let (frames, errors) = run(&mut *length_prefixed(&Value::object()), &[&data]);
        assert_eq!(frames, ["one", "", "three"]);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn frames_split_at_every_position() {
        let data = framed(&["hello", "", "world!"]);
        for cut in 0..=data.len() {
            for cut2 in cut..=data.len() {
                let chunks = [&data[..cut], &data[cut..cut2], &data[cut2..]];
                let (frames, errors) = run(&mut *length_prefixed(&Value::object()), &chunks);
                assert_eq!(frames, ["hello", "", "world!"], "cuts at {cut}, {cut2}");
                assert!(errors.is_empty(), "{errors:?}");
            }
        }
    }

    #[test]
    fn byte_by_byte() {
        let data = framed(&["ab", "cde"]);
        let chunks: Vec<&[u8]> = data.chunks(1).collect();
        let (frames, errors) = run(&mut *length_prefixed(&Value::object()), &chunks);
        assert_eq!(frames, ["ab", "cde"]);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn partial_frames_at_the_end_of_the_stream_are_errors() {
        let data = framed(&["complete", "cut off"]);
        let (frames, errors) = run(
            &mut *length_prefixed(&Value::object()),
            &[&data[..data.len() - 2]],
        );
        assert_eq!(frames, ["complete"]);
        assert_eq!(
            errors,
            ["length-prefixed: the stream ended inside a frame (5 of 7 bytes received); dropped it"]
        );
        let (frames, errors) = run(&mut *length_prefixed(&Value::object()), &[&[0, 0]]);
        assert!(frames.is_empty());
        assert!(
            errors[0].contains("inside a length header (2 of 8 bytes"),
            "{errors:?}"
        );
    }

    #[test]
    fn state_is_kept_per_instance() {
        let factory = lookup("length-prefixed", &Value::object()).expect("valid");
        let (mut a, mut b) = (factory(), factory());
        let data = framed(&["for a"]);
        let mut out = Vec::new();
        a.process(data[..6].to_vec().into(), &mut out).expect("ok");
        b.process(framed(&["for b"]).into(), &mut out).expect("ok");
        a.process(data[6..].to_vec().into(), &mut out).expect("ok");
        assert_eq!(strings(&out), ["for b", "for a"]);
    }

    #[test]
    fn frames_over_max_length_are_skipped_and_the_stream_stays_in_step() {
        let mut p = length_prefixed(&literal!({"max_length": 4}));
        let data = framed(&["ok", "too long", "fine"]);
        let (frames, errors) = run(&mut *p, &[&data[..9], &data[9..]]);
        assert_eq!(frames, ["ok", "fine"]);
        assert_eq!(
            errors,
            ["length-prefixed: dropped 1 frame(s) longer than max_length 4 (lengths: 8)"]
        );
    }

    #[test]
    fn config_errors() {
        let err = lookup("length-prefixed", &literal!({"max_len": 4}))
            .err()
            .expect("unknown key");
        assert!(
            err.to_string().contains("unknown config key `max_len`"),
            "{err}"
        );
        let err = lookup("length-prefixed", &literal!({"max_length": -1}))
            .err()
            .expect("negative");
        assert!(err.to_string().contains("`max_length` must be"), "{err}");
    }
}
