//! `decompress`: each chunk is one compressed message (Tremor's preprocessor of that name).
//! With `{"algorithm": NAME}` it reads that format; without, or with `"autodetect"`, it
//! recognizes the format by its magic bytes (brotli has none: name it) and passes anything
//! else through unchanged.

use super::{
    api::{Chunks, Preprocessor, Processed},
    compression::{check_keys, Algorithm},
    error::{PreprocessorError, ProcessorConfigError},
};
use abi_stable::std_types::RVec;
use tremor_value::Value;

pub(super) struct Decompress {
    /// `None`: detect per chunk.
    algorithm: Option<Algorithm>,
}

impl Decompress {
    pub(super) fn fixed(algorithm: Algorithm) -> Self {
        Self {
            algorithm: Some(algorithm),
        }
    }

    /// Reads `algorithm` (default `autodetect`).
    pub(super) fn algorithm_from_config(
        config: &Value<'_>,
    ) -> Result<Option<Algorithm>, ProcessorConfigError> {
        const NAME: &str = "decompress";
        check_keys(NAME, config, &["algorithm"], "algorithm")?;
        match config.get("algorithm") {
            None => Ok(None),
            Some(v) => match v.as_str() {
                Some("autodetect") => Some(None),
                Some(name) => Algorithm::from_name(name).map(Some),
                None => None,
            }
            .ok_or_else(|| ProcessorConfigError::BadField {
                processor: NAME,
                field: "algorithm",
                expected: "one of autodetect, gzip, zlib, xz2, snappy, lz4, zstd, br",
                found: Some(v.to_string()),
            }),
        }
    }

    pub(super) fn new(algorithm: Option<Algorithm>) -> Self {
        Self { algorithm }
    }
}

impl Preprocessor for Decompress {
    fn process(&mut self, data: RVec<u8>, out: &mut Chunks) -> Processed {
        let Some(algorithm) = self.algorithm.or_else(|| Algorithm::detect(&data)) else {
            out.push(data);
            return Ok(());
        };
        let decompressed =
            algorithm
                .decompress(&data)
                .map_err(|error| PreprocessorError::Decompress {
                    algorithm: algorithm.name(),
                    error,
                })?;
        out.push(RVec::from(decompressed));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::preprocessor::{lookup, test_support};
    use tremor_value::{literal, Value};

    /// The chunks `chunk` becomes, or the first error (of the config or of processing).
    fn run(name: &str, config: &Value<'_>, chunk: &[u8]) -> Result<Vec<String>, String> {
        let mut p = lookup(name, config).map_err(|e| e.to_string())?();
        let (out, errors) = test_support::run(&mut *p, &[chunk]);
        errors.into_iter().next().map_or(Ok(out), Err)
    }

    /// `printf 'hello tremor\n' | gzip -n`
    const GZIP: &[u8] = &[
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9,
        0x57, 0x28, 0x29, 0x4a, 0xcd, 0xcd, 0x2f, 0xe2, 0x02, 0x00, 0xed, 0x69, 0xc8, 0x78, 0x0d,
        0x00, 0x00, 0x00,
    ];

    #[test]
    fn autodetects_and_passes_plain_data_through() {
        let hello = vec!["hello tremor\n".to_string()];
        assert_eq!(run("decompress", &Value::object(), GZIP), Ok(hello.clone()));
        assert_eq!(
            run("decompress", &literal!({"algorithm": "autodetect"}), GZIP),
            Ok(hello.clone())
        );
        assert_eq!(
            run("decompress", &literal!({"algorithm": "gzip"}), GZIP),
            Ok(hello.clone())
        );
        // Tremor 0.11's names of the single-format preprocessors.
        assert_eq!(run("gzip", &Value::object(), GZIP), Ok(hello));
        assert_eq!(
            run("decompress", &Value::object(), b"{\"plain\":1}"),
            Ok(vec!["{\"plain\":1}".to_string()])
        );
    }

    #[test]
    fn a_wrong_format_is_an_error_naming_it() {
        let err = run("decompress", &literal!({"algorithm": "zstd"}), GZIP).expect_err("not zstd");
        assert!(
            err.starts_with("decompress: not a valid zstd message"),
            "{err}"
        );
        let err = run("decompress", &literal!({"algorithm": "rar"}), GZIP).expect_err("unknown");
        assert!(err.contains("one of autodetect, gzip"), "{err}");
        let err = run("decompress", &literal!({"algo": "gzip"}), GZIP).expect_err("unknown key");
        assert!(err.contains("unknown config key `algo`"), "{err}");
    }
}
