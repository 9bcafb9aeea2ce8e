//! Postprocessors that put a header in front of each event: `length-prefixed` (the length as
//! 8 big-endian bytes), `textual-length-prefixed` (`<decimal length> <event>`) and `ingest-ns`
//! (the event's ingest time as 8 big-endian bytes). The preprocessors of the same names read
//! them back.

use super::api::{prepend, Postprocessor, Processed};
use crate::preprocessor::PostprocessorError;

/// Writes `n` in decimal into `digits`, returning the used tail (no allocation per event).
fn decimal(mut n: usize, digits: &mut [u8; 20]) -> &[u8] {
    let mut i = digits.len();
    loop {
        i -= 1;
        // n % 10 < 10 always fits a u8.
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &digits[i..];
        }
    }
}

/// Prepends an 8-byte big-endian length (Tremor's `length-prefixed` framing, read back by the
/// preprocessor of the same name).
pub(super) struct LengthPrefixed;

impl Postprocessor for LengthPrefixed {
    fn process(&mut self, buf: &mut Vec<u8>, start: usize, _ingest_ns: u64) -> Processed {
        let len = buf.len().saturating_sub(start);
        let header =
            u64::try_from(len).map_err(|_| PostprocessorError::TooLongForLengthPrefix { len })?;
        prepend(buf, start, header.to_be_bytes());
        Ok(())
    }
}

pub(super) struct TextualLengthPrefixed;

impl Postprocessor for TextualLengthPrefixed {
    fn process(&mut self, buf: &mut Vec<u8>, start: usize, _ingest_ns: u64) -> Processed {
        let mut digits = [0; 20];
        let len = decimal(buf.len() - start, &mut digits);
        prepend(buf, start, len.iter().copied().chain([b' ']));
        Ok(())
    }
}

pub(super) struct IngestNs;

impl Postprocessor for IngestNs {
    fn process(&mut self, buf: &mut Vec<u8>, start: usize, ingest_ns: u64) -> Processed {
        prepend(buf, start, ingest_ns.to_be_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::postprocessor::test_support::{frame, read_back};
    use crate::preprocessor::lookup;
    use abi_stable::std_types::RVec;
    use tremor_value::Value;

    #[test]
    fn textual_length_prefix_as_tremor_writes_it() {
        // Tremor's own test: [1, 2, 3] becomes "3 \u{1}\u{2}\u{3}".
        assert_eq!(
            frame("textual-length-prefixed", &[&[1, 2, 3]], 0),
            b"3 \x01\x02\x03"
        );
        let long = vec![b'x'; 1234];
        let framed = frame("textual-length-prefix", &[b"", &long], 0);
        assert_eq!(&framed[..7], b"0 1234 ");
        assert_eq!(
            read_back("textual-length-prefixed", &framed, framed.len()),
            [Vec::new(), long]
        );
    }

    #[test]
    fn ingest_ns_round_trips_through_the_preprocessor() {
        let framed = frame("ingest-ns", &[b"89"], 42);
        assert_eq!(framed, [0, 0, 0, 0, 0, 0, 0, 42, b'8', b'9']);
        let mut pre = lookup("ingest-ns", &Value::object()).expect("ok")();
        let (mut out, mut ingest_ns) = (Vec::new(), 0);
        pre.process_at(framed.into(), &mut out, &mut ingest_ns)
            .expect("reads back");
        assert_eq!(ingest_ns, 42);
        assert_eq!(out, vec![RVec::from(&b"89"[..])]);
    }
}
