//! `textual-length-prefixed`: frames are a decimal length, one ASCII whitespace byte, then
//! that many bytes (`5 hello`), as in RFC 6587's octet counting for syslog over TCP. The
//! postprocessor of the same name writes it (with a space).
//!
//! Frames may be split across chunks and a chunk may hold several: the partial frame is kept
//! per stream.

use super::{
    api::{Chunks, Preprocessor, Processed},
    error::PreprocessorError,
};
use abi_stable::std_types::RVec;

/// A u32 length has at most 10 digits; a longer prefix without a space is not a length.
const MAX_DIGITS: usize = 10;

#[derive(Default)]
pub(super) struct TextualLengthPrefixed {
    /// Bytes of an incomplete frame (its prefix, maybe part of its body).
    buffer: Vec<u8>,
}

/// What the front of `input` holds.
enum Front {
    /// A whole frame: its body's range and where the next frame starts.
    Frame(std::ops::Range<usize>, usize),
    /// Not enough bytes yet.
    Incomplete,
    /// Not a length: skip this many bytes.
    Bad(usize),
}

fn front(input: &[u8]) -> Front {
    let Some(space) = input
        .iter()
        .take(MAX_DIGITS + 1)
        .position(u8::is_ascii_whitespace)
    else {
        return if input.len() > MAX_DIGITS {
            Front::Bad(input.len())
        } else {
            Front::Incomplete
        };
    };
    let digits = &input[..space];
    let len = std::str::from_utf8(digits)
        .ok()
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse::<u32>().ok());
    let Some(len) = len else {
        return Front::Bad(space + 1);
    };
    // A u32 always fits a usize on the targets we build for.
    let start = space + 1;
    let end = start + len as usize;
    if input.len() < end {
        Front::Incomplete
    } else {
        Front::Frame(start..end, end)
    }
}

/// Splits the frames off the front of `input`; returns how many bytes were used.
fn split(input: &[u8], out: &mut Vec<RVec<u8>>, bad: &mut Option<PreprocessorError>) -> usize {
    let mut used = 0;
    loop {
        match front(&input[used..]) {
            Front::Frame(body, next) => {
                out.push(RVec::from(&input[used + body.start..used + body.end]));
                used += next;
            }
            Front::Incomplete => return used,
            Front::Bad(skip) => {
                let shown = &input[used..used + skip.min(MAX_DIGITS + 1)];
                bad.get_or_insert_with(|| PreprocessorError::BadTextualLength {
                    prefix: String::from_utf8_lossy(shown).trim_end().to_string(),
                });
                used += skip;
            }
        }
    }
}

impl Preprocessor for TextualLengthPrefixed {
    fn process(&mut self, data: RVec<u8>, out: &mut Chunks) -> Processed {
        let mut bad = None;
        if self.buffer.is_empty() {
            // Whole frames go straight from the chunk; only a partial tail is kept.
            let used = split(&data, out, &mut bad);
            self.buffer.extend_from_slice(&data[used..]);
        } else {
            self.buffer.extend_from_slice(&data);
            let used = split(&self.buffer, out, &mut bad);
            self.buffer.drain(..used);
        }
        bad.map_or(Ok(()), Err)
    }

    fn finish(&mut self, _out: &mut Chunks) -> Processed {
        let received = std::mem::take(&mut self.buffer).len();
        if received == 0 {
            Ok(())
        } else {
            Err(PreprocessorError::EndedInTextualFrame { received })
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::preprocessor::{
        test_support::{default_preprocessor, run},
        Preprocessor,
    };

    fn textual() -> Box<dyn Preprocessor> {
        default_preprocessor("textual-length-prefixed")
    }

    #[test]
    fn reads_rfc6587_octet_counted_frames() {
        // RFC 6587 3.4.1: "MSG-LEN SP SYSLOG-MSG", here two RFC 5424 messages.
        let frames = b"37 <34>1 2003-10-11T22:14:15.003Z host -16 <165>1 - - - - -";
        let (out, errors) = run(textual().as_mut(), &[frames]);
        assert_eq!(
            out,
            ["<34>1 2003-10-11T22:14:15.003Z host -", "<165>1 - - - - -"]
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn frames_split_anywhere_across_chunks() {
        let stream = b"5 hello0 3 abc12 twelve bytes";
        for cut in 0..stream.len() {
            let (a, b) = stream.split_at(cut);
            let (out, errors) = run(textual().as_mut(), &[a, b]);
            assert_eq!(out, ["hello", "", "abc", "twelve bytes"], "cut at {cut}");
            assert!(errors.is_empty(), "{errors:?}");
        }
        // The 0.12 name reads the same framing.
        let mut p = default_preprocessor("textual-length-prefix");
        assert_eq!(run(p.as_mut(), &[b"2 ok"]).0, ["ok"]);
    }

    #[test]
    fn garbage_is_reported_and_skipped() {
        let (out, errors) = run(textual().as_mut(), &[b"x1 3 abc"]);
        assert_eq!(out, ["abc"]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("found `x1`"), "{errors:?}");
        let (out, errors) = run(textual().as_mut(), &[b"5 abc"]);
        assert!(out.is_empty());
        assert!(
            errors[0].contains("ended inside a frame (5 byte(s)"),
            "{errors:?}"
        );
    }
}
