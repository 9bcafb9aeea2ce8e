//! `separate`: splits chunks at a separator byte, keeping a partial line until its rest
//! arrives.

use super::{
    api::{Chunks, Preprocessor, Processed},
    error::{PreprocessorError, ProcessorConfigError},
};
use abi_stable::std_types::RVec;
use tremor_value::Value;

/// Settings of `separate` (shared with the postprocessor of the same name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeparateSettings {
    /// The byte that ends a line (`separator`, default `"\n"`).
    pub separator: u8,
    /// Lines longer than this many bytes are dropped with an error (`max_length`; 0 = no limit).
    pub max_length: usize,
    /// Keep a partial line until the rest arrives (`buffered`, default true).
    pub buffered: bool,
}

impl SeparateSettings {
    /// Reads the settings from a `config` record.
    ///
    /// # Errors
    /// When a field has the wrong type or range.
    pub fn from_config(config: &Value<'_>) -> Result<Self, ProcessorConfigError> {
        let bad = |field, expected| ProcessorConfigError::BadField {
            processor: "separate",
            field,
            expected,
            found: None,
        };
        let separator = match config.get("separator") {
            None => b'\n',
            Some(v) => match v.as_str().map(str::as_bytes) {
                Some([b]) => *b,
                _ => return Err(bad("separator", "a string of one byte")),
            },
        };
        let max_length = match config.get("max_length") {
            None => 0,
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| bad("max_length", "a non-negative integer"))?,
        };
        let buffered = match config.get("buffered") {
            None => true,
            Some(v) => v.as_bool().ok_or_else(|| bad("buffered", "a bool"))?,
        };
        Ok(Self {
            separator,
            max_length,
            buffered,
        })
    }
}

pub(super) struct Separate {
    settings: SeparateSettings,
    partial: Vec<u8>,
    /// The line being read already passed `max_length` and was reported: its bytes are thrown
    /// away up to the next separator, so memory stays bounded by the limit however long the
    /// line gets.
    skipping: bool,
}

impl Separate {
    pub(super) fn new(settings: SeparateSettings) -> Self {
        Self {
            settings,
            partial: Vec::new(),
            skipping: false,
        }
    }

    /// Keeps `rest` (the start of a line with no separator yet), or cuts the line off as soon
    /// as it is known to be too long.
    fn buffer(&mut self, rest: &[u8], dropped: &mut usize) {
        let max = self.settings.max_length;
        if self.skipping {
            return;
        }
        if max > 0 && self.partial.len() + rest.len() > max {
            *dropped += 1;
            self.skipping = true;
            self.partial = Vec::new();
        } else {
            self.partial.extend_from_slice(rest);
        }
    }

    fn emit(&self, line: RVec<u8>, out: &mut Vec<RVec<u8>>, dropped: &mut usize) {
        if self.settings.max_length > 0 && line.len() > self.settings.max_length {
            *dropped += 1;
        } else {
            out.push(line);
        }
    }

    fn dropped_error(&self, dropped: usize) -> Result<(), PreprocessorError> {
        if dropped == 0 {
            Ok(())
        } else {
            Err(PreprocessorError::LinesTooLong {
                dropped,
                max_length: self.settings.max_length,
            })
        }
    }
}

impl Preprocessor for Separate {
    fn process(&mut self, data: RVec<u8>, out: &mut Chunks) -> Processed {
        let mut dropped = 0;
        let mut start = 0;
        for end in memchr::memchr_iter(self.settings.separator, &data) {
            let line = &data[start..end];
            if std::mem::take(&mut self.skipping) {
                // The end of a line that was cut off (and reported) earlier.
                start = end + 1;
                continue;
            }
            let line = if self.partial.is_empty() {
                RVec::from(line)
            } else {
                self.partial.extend_from_slice(line);
                RVec::from(std::mem::take(&mut self.partial))
            };
            self.emit(line, out, &mut dropped);
            start = end + 1;
        }
        let rest = &data[start..];
        if self.settings.buffered {
            self.buffer(rest, &mut dropped);
        } else if !rest.is_empty() {
            self.emit(RVec::from(rest), out, &mut dropped);
        }
        self.dropped_error(dropped)
    }

    fn finish(&mut self, out: &mut Chunks) -> Processed {
        let mut dropped = 0;
        self.skipping = false;
        if !self.partial.is_empty() {
            let line = RVec::from(std::mem::take(&mut self.partial));
            self.emit(line, out, &mut dropped);
        }
        self.dropped_error(dropped)
    }
}

#[cfg(test)]
mod tests {
    use crate::preprocessor::{
        lookup,
        test_support::{preprocessor, strings},
        Preprocessor,
    };
    use tremor_value::Value;

    fn separate(config: Value<'static>) -> Box<dyn Preprocessor> {
        preprocessor("separate", &config)
    }

    #[test]
    fn separate_keeps_partial_lines_across_reads() {
        let mut p = separate(Value::object());
        let mut out = Vec::new();
        p.process(b"one\ntw".to_vec().into(), &mut out).expect("ok");
        p.process(b"o\n\nthr".to_vec().into(), &mut out)
            .expect("ok");
        assert_eq!(strings(&out), ["one", "two", ""]);
        out.clear();
        p.finish(&mut out).expect("ok");
        assert_eq!(strings(&out), ["thr"]);
    }

    #[test]
    fn separate_options() {
        let mut p = separate(
            tremor_value::literal!({"separator": "|", "buffered": false, "max_length": 3}),
        );
        let mut out = Vec::new();
        let err = p
            .process(b"ab|toolong|c".to_vec().into(), &mut out)
            .expect_err("a line was too long");
        assert!(err.to_string().contains("max_length 3"), "{err}");
        assert_eq!(strings(&out), ["ab", "c"]);
        assert!(lookup("separate", &tremor_value::literal!({"separator": "ab"})).is_err());
    }

    #[test]
    fn a_line_over_max_length_is_cut_off_as_it_arrives() {
        let mut p = separate(tremor_value::literal!({"max_length": 8}));
        let mut out = Vec::new();
        p.process(b"ok\n12345".to_vec().into(), &mut out)
            .expect("within the limit so far");
        let err = p
            .process(b"6789".to_vec().into(), &mut out)
            .expect_err("cut off before its separator arrives");
        assert!(err.to_string().contains("max_length 8"), "{err}");
        // the rest of the long line is skipped without buffering or a second report
        for _ in 0..1000 {
            p.process(vec![b'x'; 1000].into(), &mut out)
                .expect("skipped quietly");
        }
        p.process(b"xx\nnext\nla".to_vec().into(), &mut out)
            .expect("the long line ends");
        assert_eq!(strings(&out), ["ok", "next"]);
        out.clear();
        p.finish(&mut out).expect("ok");
        assert_eq!(strings(&out), ["la"]);
        // a cut-off line still being skipped at the end of the stream leaves nothing behind
        p.process(vec![b'y'; 20].into(), &mut out)
            .expect_err("too long");
        out.clear();
        p.finish(&mut out).expect("already reported");
        assert!(out.is_empty());
        p.process(b"z\n".to_vec().into(), &mut out).expect("ok");
        assert_eq!(strings(&out), ["z"]);
    }
}
