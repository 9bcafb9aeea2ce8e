//! `streaming-compress`: every event of a sink goes into ONE compressed stream (Tremor 0.13's
//! postprocessor of that name, config `{"algorithm": NAME, "level": N}`); the stream's trailer
//! is written when the sink's input ends or it stops, so `xz -d` reads the whole output file.

use super::api::{replace, Postprocessor, Processed};
use crate::preprocessor::{compression::check_keys, PostprocessorError, ProcessorConfigError};
use std::io::{self, Write};
use tremor_value::Value;

const NAME: &str = "streaming-compress";

/// The formats Tremor streams (xz2, zstd) and the two deflate containers, with the level each
/// is created with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xz2(u32),
    Zstd(i32),
    Gzip,
    Zlib,
}

impl Format {
    fn from_config(config: &Value<'_>) -> Result<Self, ProcessorConfigError> {
        check_keys(NAME, config, &["algorithm", "level"], "algorithm, level")?;
        let algorithm = config.get("algorithm");
        let level = config.get("level");
        let bad = |field, expected, found: Option<&Value<'_>>| ProcessorConfigError::BadField {
            processor: NAME,
            field,
            expected,
            found: found.map(ToString::to_string),
        };
        let level_in = |range: std::ops::RangeInclusive<i64>, expected, default: i64| {
            level.map_or(Ok(default), |v| {
                v.as_i64()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| bad("level", expected, Some(v)))
            })
        };
        let no_level = || match level {
            Some(v) => Err(bad(
                "level",
                "absent: only xz2 and zstd have levels",
                Some(v),
            )),
            None => Ok(()),
        };
        // Tremor's defaults: xz2 level 6 (liblzma's preset), zstd level 3 (zstd's default).
        match algorithm.and_then(Value::as_str) {
            Some("xz2") => {
                let level = level_in(0..=9, "an integer from 0 to 9 (xz2)", 6)?;
                Ok(Self::Xz2(u32::try_from(level).unwrap_or(6)))
            }
            Some("zstd") => {
                let level = level_in(-7..=22, "an integer from -7 to 22 (zstd)", 3)?;
                Ok(Self::Zstd(i32::try_from(level).unwrap_or(3)))
            }
            Some("gzip") => no_level().map(|()| Self::Gzip),
            Some("zlib") => no_level().map(|()| Self::Zlib),
            _ => Err(bad("algorithm", "one of xz2, zstd, gzip, zlib", algorithm)),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Xz2(_) => "xz2",
            Self::Zstd(_) => "zstd",
            Self::Gzip => "gzip",
            Self::Zlib => "zlib",
        }
    }

    fn encoder(self) -> io::Result<Encoder> {
        Ok(match self {
            Self::Xz2(level) => Encoder::Xz2(xz2::write::XzEncoder::new(Vec::new(), level)),
            Self::Zstd(level) => Encoder::Zstd(zstd::Encoder::new(Vec::new(), level)?),
            Self::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                Vec::new(),
                flate2::Compression::default(),
            )),
            Self::Zlib => Encoder::Zlib(flate2::write::ZlibEncoder::new(
                Vec::new(),
                flate2::Compression::default(),
            )),
        })
    }
}

/// An open compressed stream writing into memory; what it has written so far is taken out
/// after every event.
enum Encoder {
    Xz2(xz2::write::XzEncoder<Vec<u8>>),
    Zstd(zstd::Encoder<'static, Vec<u8>>),
    Gzip(flate2::write::GzEncoder<Vec<u8>>),
    Zlib(flate2::write::ZlibEncoder<Vec<u8>>),
}

impl Encoder {
    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Self::Xz2(e) => e,
            Self::Zstd(e) => e,
            Self::Gzip(e) => e,
            Self::Zlib(e) => e,
        }
    }

    fn written(&mut self) -> &mut Vec<u8> {
        match self {
            Self::Xz2(e) => e.get_mut(),
            Self::Zstd(e) => e.get_mut(),
            Self::Gzip(e) => e.get_mut(),
            Self::Zlib(e) => e.get_mut(),
        }
    }

    /// Ends the stream; returns what was not taken out yet plus the trailer.
    fn finish(self) -> io::Result<Vec<u8>> {
        match self {
            Self::Xz2(e) => e.finish(),
            Self::Zstd(e) => e.finish(),
            Self::Gzip(e) => e.finish(),
            Self::Zlib(e) => e.finish(),
        }
    }
}

pub(super) struct StreamingCompress {
    format: Format,
    /// The open stream; the first event after a finish starts a new one.
    encoder: Option<Encoder>,
}

impl StreamingCompress {
    pub(super) fn from_config(config: &Value<'_>) -> Result<Self, ProcessorConfigError> {
        Ok(Self {
            format: Format::from_config(config)?,
            encoder: None,
        })
    }

    fn error(&self, e: &io::Error) -> PostprocessorError {
        PostprocessorError::Compress {
            algorithm: self.format.name(),
            reason: e.to_string(),
        }
    }
}

impl Postprocessor for StreamingCompress {
    fn process(&mut self, buf: &mut Vec<u8>, start: usize, _ingest_ns: u64) -> Processed {
        let encoder = match &mut self.encoder {
            Some(encoder) => encoder,
            None => {
                let encoder = self.format.encoder().map_err(|e| self.error(&e))?;
                self.encoder.insert(encoder)
            }
        };
        let written = encoder.writer().write_all(&buf[start..]);
        if let Err(e) = written {
            return Err(self.error(&e));
        }
        let out = encoder.written();
        replace(buf, start, out);
        out.clear();
        Ok(())
    }

    fn finish(&mut self, buf: &mut Vec<u8>) -> Processed {
        if let Some(encoder) = self.encoder.take() {
            let rest = encoder.finish().map_err(|e| self.error(&e))?;
            buf.extend_from_slice(&rest);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::postprocessor::{finish_chain, lookup, Chunks};
    use crate::preprocessor::compression::Algorithm;
    use tremor_value::{literal, Value};

    /// Runs `events` through one `streaming-compress` instance of `config` as a sink does,
    /// then ends the stream.
    fn stream(config: &Value<'_>, events: &[&[u8]]) -> Vec<u8> {
        let mut chain = vec![lookup("streaming-compress", config).expect("valid config")];
        let mut out = Vec::new();
        for event in events {
            let start = out.len();
            out.extend_from_slice(event);
            for post in &mut chain {
                post.process(&mut out, start, 0).expect("compresses");
            }
        }
        finish(&mut chain, &mut out);
        out
    }

    fn finish(chain: &mut [Box<dyn crate::postprocessor::Postprocessor>], out: &mut Vec<u8>) {
        let mut last = Chunks::default();
        finish_chain(chain, &mut last).expect("finishes");
        out.extend_from_slice(&last.data);
    }

    #[test]
    fn all_events_make_one_stream_of_each_format() {
        let events: Vec<Vec<u8>> = (0..50)
            .map(|i| format!("{{\"n\":{i}}}\n").into_bytes())
            .collect();
        let events: Vec<&[u8]> = events.iter().map(Vec::as_slice).collect();
        let whole = events.concat();
        for (algorithm, format) in [
            ("xz2", Algorithm::Xz2),
            ("zstd", Algorithm::Zstd),
            ("gzip", Algorithm::Gzip),
            ("zlib", Algorithm::Zlib),
        ] {
            let out = stream(&literal!({ "algorithm": algorithm }), &events);
            assert_eq!(
                format.decompress(&out).expect("one valid stream"),
                whole,
                "{algorithm}"
            );
        }
    }

    #[test]
    fn xz2_uses_tremors_default_preset() {
        // Tremor's encoder: liblzma's easy encoder at preset 6 with a CRC64 check, the same
        // stream `xz -6` writes for the whole input at once.
        let events: [&[u8]; 3] = [b"{\"a\":1}\n", b"{\"b\":2}\n", b"{\"c\":3}\n"];
        let mut whole = Vec::new();
        let mut e = xz2::write::XzEncoder::new(&mut whole, 6);
        std::io::Write::write_all(&mut e, &events.concat()).expect("in memory");
        e.finish().expect("in memory");
        assert_eq!(stream(&literal!({"algorithm": "xz2"}), &events), whole);
    }

    #[test]
    fn a_new_stream_starts_after_a_finish_and_finishing_twice_adds_nothing() {
        let config = literal!({"algorithm": "zstd", "level": 1});
        let mut chain = vec![lookup("streaming-compress", &config).expect("valid config")];
        let mut out = b"hello".to_vec();
        chain[0].process(&mut out, 0, 0).expect("compresses");
        finish(&mut chain, &mut out);
        let first = out.len();
        finish(&mut chain, &mut out);
        assert_eq!(out.len(), first);
        let start = out.len();
        out.extend_from_slice(b" again");
        chain[0].process(&mut out, start, 0).expect("compresses");
        finish(&mut chain, &mut out);
        assert_eq!(
            Algorithm::Zstd.decompress(&out).expect("two frames"),
            b"hello again"
        );
    }

    #[test]
    fn config_is_checked_when_planning() {
        for bad in [
            literal!({}),
            literal!({"algorithm": "snappy"}),
            literal!({"algorithm": "xz2", "level": 10}),
            literal!({"algorithm": "zstd", "level": 23}),
            literal!({"algorithm": "gzip", "level": 1}),
            literal!({"algorithm": "xz2", "speed": 1}),
        ] {
            assert!(lookup("streaming-compress", &bad).is_err(), "{bad}");
        }
        assert!(lookup(
            "streaming-compress",
            &literal!({"algorithm": "zstd", "level": -7})
        )
        .is_ok());
    }
}
