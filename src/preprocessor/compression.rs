//! The compression formats Tremor's `compress` postprocessor writes and its `decompress`
//! preprocessor reads (each event is one whole compressed message), in one place so both
//! directions agree on names, container formats and levels.
//!
//! Container formats, as Tremor uses them: gzip (RFC 1952), zlib (RFC 1950), xz (`.xz`
//! container), snappy *framed* format, lz4 *frame* format, zstd frames, brotli (RFC 7932).

use super::error::ProcessorConfigError;
use std::io::{self, Read, Write};
use tremor_value::Value;

/// Tremor 0.11's single-format processor names (`gzip` for `decompress`/`compress` with
/// that algorithm), still accepted by both processor kinds; brotli never had one.
pub(crate) const SINGLE_FORMAT_NAMES: [&str; 6] = ["gzip", "zlib", "xz2", "snappy", "lz4", "zstd"];

/// `names` followed by [`SINGLE_FORMAT_NAMES`], for a processor kind's list of names
/// (`N` must be their sum: checked when compiling).
pub(crate) const fn with_single_format_names<const A: usize, const N: usize>(
    names: [&'static str; A],
) -> [&'static str; N] {
    assert!(
        N == A + SINGLE_FORMAT_NAMES.len(),
        "N must count both lists"
    );
    let mut all = [""; N];
    let mut i = 0;
    while i < N {
        all[i] = if i < A {
            names[i]
        } else {
            SINGLE_FORMAT_NAMES[i - A]
        };
        i += 1;
    }
    all
}

/// A compression algorithm, by Tremor's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `gzip`
    Gzip,
    /// `zlib`
    Zlib,
    /// `xz2`: the xz container with LZMA2.
    Xz2,
    /// `snappy`: the framed format (`sNaPpY` stream identifier).
    Snappy,
    /// `lz4`: the lz4 frame format.
    Lz4,
    /// `zstd`
    Zstd,
    /// `br`: brotli (no magic bytes: never autodetected, as in Tremor).
    Brotli,
}

impl Algorithm {
    /// The algorithm named `name`, as Tremor spells it.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "gzip" => Self::Gzip,
            "zlib" => Self::Zlib,
            "xz2" => Self::Xz2,
            "snappy" => Self::Snappy,
            "lz4" => Self::Lz4,
            "zstd" => Self::Zstd,
            "br" => Self::Brotli,
            _ => return None,
        })
    }

    /// Tremor's name of the algorithm.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Gzip => "gzip",
            Self::Zlib => "zlib",
            Self::Xz2 => "xz2",
            Self::Snappy => "snappy",
            Self::Lz4 => "lz4",
            Self::Zstd => "zstd",
            Self::Brotli => "br",
        }
    }

    /// Recognizes a compressed message by its first bytes (the magic numbers Tremor's
    /// `decompress` checks); `None` for anything else, which then passes unchanged.
    #[must_use]
    pub fn detect(data: &[u8]) -> Option<Self> {
        match data {
            [0x1f, 0x8b, ..] => Some(Self::Gzip),
            // CMF 0x78 (deflate, 32K window) with the FLG bytes of the four levels.
            [0x78, 0x01 | 0x5e | 0x9c | 0xda, ..] => Some(Self::Zlib),
            [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Some(Self::Xz2),
            // The stream identifier chunk (type 0xff) that starts every framed snappy stream.
            [0xff, ..] => Some(Self::Snappy),
            [0x04, 0x22, 0x4d, 0x18, ..] => Some(Self::Lz4),
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Self::Zstd),
            _ => None,
        }
    }

    /// Decompresses one whole message.
    ///
    /// # Errors
    /// When `data` is not a valid message of this format.
    pub fn decompress(self, data: &[u8]) -> io::Result<Vec<u8>> {
        // Compressed text usually shrinks 3-10x; start there and let it grow.
        let mut out = Vec::with_capacity(data.len().saturating_mul(4));
        match self {
            // Concatenated members are one file to `gzip -d`; read them all.
            Self::Gzip => flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out)?,
            Self::Zlib => flate2::read::ZlibDecoder::new(data).read_to_end(&mut out)?,
            Self::Xz2 => xz2::read::XzDecoder::new_multi_decoder(data).read_to_end(&mut out)?,
            Self::Snappy => snap::read::FrameDecoder::new(data).read_to_end(&mut out)?,
            Self::Lz4 => lz4_flex::frame::FrameDecoder::new(data).read_to_end(&mut out)?,
            Self::Zstd => {
                zstd::stream::copy_decode(data, &mut out)?;
                0
            }
            Self::Brotli => {
                brotli::BrotliDecompress(&mut &data[..], &mut out)?;
                0
            }
        };
        Ok(out)
    }
}

/// An algorithm with its level, as the `compress` postprocessor is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compression {
    /// The format.
    pub algorithm: Algorithm,
    /// The level where the algorithm has one (xz2: 0-9, default 9; zstd: -7..=22, default 0
    /// = zstd's default; lz4: accepted for Tremor's configs, see `compress`).
    level: i32,
}

impl Compression {
    /// Reads `{"algorithm": NAME, "level": N}` (Tremor's `compress` config).
    ///
    /// # Errors
    /// When the algorithm is missing or unknown, or the level is out of range or given to an
    /// algorithm without levels (gzip, zlib, snappy), as in Tremor.
    pub fn from_config(
        processor: &'static str,
        config: &Value<'_>,
    ) -> Result<Self, ProcessorConfigError> {
        check_keys(
            processor,
            config,
            &["algorithm", "level"],
            "algorithm, level",
        )?;
        let algorithm = match config.get("algorithm") {
            Some(v) => v.as_str().and_then(Algorithm::from_name).ok_or_else(|| {
                ProcessorConfigError::BadField {
                    processor,
                    field: "algorithm",
                    expected: "one of gzip, zlib, xz2, snappy, lz4, zstd, br",
                    found: Some(v.to_string()),
                }
            })?,
            None => {
                return Err(ProcessorConfigError::BadField {
                    processor,
                    field: "algorithm",
                    expected: "given (one of gzip, zlib, xz2, snappy, lz4, zstd, br)",
                    found: None,
                })
            }
        };
        Self::with_level(processor, algorithm, config.get("level"))
    }

    /// `algorithm` with the optional `level` value checked.
    ///
    /// # Errors
    /// See [`Compression::from_config`].
    pub fn with_level(
        processor: &'static str,
        algorithm: Algorithm,
        level: Option<&Value<'_>>,
    ) -> Result<Self, ProcessorConfigError> {
        let (range, expected, default): (std::ops::RangeInclusive<i64>, &'static str, i32) =
            match algorithm {
                Algorithm::Xz2 => (0..=9, "an integer from 0 to 9 (xz2)", 9),
                Algorithm::Zstd => (-7..=22, "an integer from -7 to 22 (zstd)", 0),
                Algorithm::Lz4 => (0..=i64::from(i32::MAX), "a non-negative integer (lz4)", 4),
                Algorithm::Gzip | Algorithm::Zlib | Algorithm::Snappy | Algorithm::Brotli => {
                    if let Some(v) = level {
                        return Err(ProcessorConfigError::BadField {
                            processor,
                            field: "level",
                            expected: "absent: only xz2, zstd and lz4 have levels",
                            found: Some(v.to_string()),
                        });
                    }
                    (0..=0, "", 0)
                }
            };
        let level = match level {
            None => default,
            Some(v) => v
                .as_i64()
                .filter(|n| range.contains(n))
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| ProcessorConfigError::BadField {
                    processor,
                    field: "level",
                    expected,
                    found: Some(v.to_string()),
                })?,
        };
        Ok(Self { algorithm, level })
    }

    /// Appends the compressed form of `data` to `out` (one whole message).
    ///
    /// # Errors
    /// Only when the underlying encoder fails (writing to memory does not).
    pub fn compress_into(&self, data: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        match self.algorithm {
            Algorithm::Gzip => {
                let mut e = flate2::write::GzEncoder::new(out, flate2::Compression::default());
                e.write_all(data)?;
                e.finish()?;
            }
            Algorithm::Zlib => {
                let mut e = flate2::write::ZlibEncoder::new(out, flate2::Compression::default());
                e.write_all(data)?;
                e.finish()?;
            }
            Algorithm::Xz2 => {
                // `level` is range-checked to 0..=9 when configured.
                let level = u32::try_from(self.level).unwrap_or(9);
                let mut e = xz2::write::XzEncoder::new(out, level);
                e.write_all(data)?;
                e.finish()?;
            }
            Algorithm::Snappy => {
                let mut e = snap::write::FrameEncoder::new(out);
                e.write_all(data)?;
                e.into_inner().map_err(|e| e.into_error())?;
            }
            Algorithm::Lz4 => {
                // lz4_flex has one (fast) level; the frame is what every lz4 reader reads.
                let mut e = lz4_flex::frame::FrameEncoder::new(out);
                e.write_all(data)?;
                e.finish().map_err(io::Error::other)?;
            }
            Algorithm::Zstd => zstd::stream::copy_encode(data, out, self.level)?,
            Algorithm::Brotli => {
                // Tremor's parameters: the crate's defaults (quality 11, window 22).
                let params = brotli::enc::BrotliEncoderParams::default();
                brotli::BrotliCompress(&mut &data[..], out, &params)?;
            }
        }
        Ok(())
    }
}

/// Rejects config keys outside `allowed` (`known` lists them for the message).
pub(crate) fn check_keys(
    processor: &'static str,
    config: &Value<'_>,
    allowed: &[&str],
    known: &'static str,
) -> Result<(), ProcessorConfigError> {
    if let Some(record) = config.as_object() {
        if let Some(key) = record.keys().find(|k| !allowed.contains(&&***k)) {
            return Err(ProcessorConfigError::UnknownKey {
                processor,
                key: key.to_string(),
                known,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_value::literal;

    /// `printf 'hello tremor\n' | TOOL` on this machine (gzip 1.12 `-n`, xz 5.4.1, zstd
    /// 1.5.4, lz4 1.9.4, python zlib), as hex; each decodes to that line.
    const HELLO: &[u8] = b"hello tremor\n";

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    pub(crate) fn reference(algorithm: Algorithm) -> Vec<u8> {
        unhex(match algorithm {
            Algorithm::Gzip => GZIP_HEX,
            Algorithm::Zlib => ZLIB_HEX,
            Algorithm::Xz2 => XZ_HEX,
            Algorithm::Snappy => SNAPPY_HEX,
            Algorithm::Lz4 => LZ4_HEX,
            Algorithm::Zstd => ZSTD_HEX,
            Algorithm::Brotli => BROTLI_HEX,
        })
    }

    const GZIP_HEX: &str = "1f8b0800000000000003cb48cdc9c95728294acdcd2fe20200ed69c8780d000000";
    const ZLIB_HEX: &str = "789ccb48cdc9c95728294acdcd2fe20200239404d8";
    const XZ_HEX: &str = "fd377a585a000004e6d6b4460200210116000000742fe5a301000c68656c6c6f207472656d6f720a0000000038d8cab1ebfe60980001250d7119c4b61fb6f37d010000000004595a";
    const ZSTD_HEX: &str = "28b52ffd240d69000068656c6c6f207472656d6f720a9cd523ea";
    /// `brotli -c` 1.0.9 (quality 11 stores a message this short uncompressed).
    const BROTLI_HEX: &str = "0f068068656c6c6f207472656d6f720a03";
    const LZ4_HEX: &str = "04224d186440a70d00008068656c6c6f207472656d6f720a00000000c3c20c6c";
    // Built by hand from the framing format spec (stream identifier, then one uncompressed
    // chunk with its masked CRC-32C): no snappy tool here.
    const SNAPPY_HEX: &str = "ff060000734e615070590111000002f516ed68656c6c6f207472656d6f720a";

    const ALL: [Algorithm; 7] = [
        Algorithm::Gzip,
        Algorithm::Zlib,
        Algorithm::Xz2,
        Algorithm::Snappy,
        Algorithm::Lz4,
        Algorithm::Zstd,
        Algorithm::Brotli,
    ];

    /// What autodetection must find: brotli has no magic bytes.
    fn detected(algorithm: Algorithm) -> Option<Algorithm> {
        (algorithm != Algorithm::Brotli).then_some(algorithm)
    }

    #[test]
    fn decodes_what_the_reference_tools_wrote() {
        for algorithm in ALL {
            let data = reference(algorithm);
            assert_eq!(
                Algorithm::detect(&data),
                detected(algorithm),
                "{algorithm:?}"
            );
            let out = algorithm
                .decompress(&data)
                .unwrap_or_else(|e| panic!("{algorithm:?}: {e}"));
            assert_eq!(out, HELLO, "{algorithm:?}");
        }
    }

    #[test]
    fn round_trips_every_algorithm() {
        let data: Vec<u8> = (0..20_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        for algorithm in ALL {
            let c = Compression::with_level("compress", algorithm, None).expect("default");
            let mut out = b"prefix".to_vec();
            c.compress_into(&data, &mut out).expect("compresses");
            let compressed = &out[6..];
            assert_eq!(
                Algorithm::detect(compressed),
                detected(algorithm),
                "{algorithm:?}"
            );
            assert_eq!(algorithm.decompress(compressed).expect("valid"), data);
        }
    }

    #[test]
    fn levels_follow_tremor() {
        let ok = |c: Value<'static>| Compression::from_config("compress", &c);
        assert_eq!(ok(literal!({"algorithm": "xz2"})).map(|c| c.level), Ok(9));
        assert!(ok(literal!({"algorithm": "xz2", "level": 10})).is_err());
        assert!(ok(literal!({"algorithm": "zstd", "level": -7})).is_ok());
        assert!(ok(literal!({"algorithm": "zstd", "level": 23})).is_err());
        assert!(ok(literal!({"algorithm": "lz4", "level": 1})).is_ok());
        let err = ok(literal!({"algorithm": "gzip", "level": 1})).expect_err("no levels");
        assert!(err.to_string().contains("only xz2, zstd and lz4"), "{err}");
        assert!(ok(literal!({"algorithm": "br"})).is_ok());
        assert!(ok(literal!({"algorithm": "br", "level": 5})).is_err());
        let err = ok(literal!({"algorithm": "rar"})).expect_err("unsupported");
        assert!(
            err.to_string().contains("`algorithm` must be one of"),
            "{err}"
        );
        assert!(ok(literal!({})).is_err());
        assert!(ok(literal!({"algorithm": "gzip", "lvl": 1})).is_err());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for algorithm in ALL {
            let mut data = reference(algorithm);
            let cut = data.len() / 2;
            data.truncate(cut);
            assert!(algorithm.decompress(&data).is_err(), "{algorithm:?}");
        }
    }
}
