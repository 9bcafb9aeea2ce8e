//! Preprocessors: turn the byte chunks a source reads into the chunks a codec decodes.
//!
//! One chain per stream, so a partial line of one connection never mixes with another's.

mod api;
mod base64;
pub(crate) mod compression;
mod decompress;
mod error;
mod gelf_chunking;
mod ingest_ns;
mod length_prefixed;
mod remove_empty;
mod separate;
#[cfg(test)]
mod test_support;
mod textual_length_prefixed;

pub use api::Preprocessor;
pub use error::{PostprocessorError, PreprocessorError, ProcessorConfigError, ProcessorKind};
pub use separate::SeparateSettings;

use tremor_value::Value;

/// A preprocessor's name and config, instantiable per stream.
pub type Factory = Box<dyn Fn() -> Box<dyn Preprocessor> + Send + Sync>;

/// The names of all preprocessors, for error messages: Tremor 0.13's, then the older names
/// still accepted (`textual-length-prefix` of 0.12, the single-format decompressors of 0.11).
pub const NAMES: &[&str] = &compression::with_single_format_names::<9, 15>([
    "separate",
    "base64",
    "length-prefixed",
    "textual-length-prefixed",
    "remove-empty",
    "ingest-ns",
    "decompress",
    "gelf-chunking",
    "textual-length-prefix",
]);

/// Checks `name`/`config` and returns a factory for per-stream instances.
///
/// # Errors
/// When no preprocessor has this name or its config is invalid.
pub fn lookup(name: &str, config: &Value<'_>) -> Result<Factory, ProcessorConfigError> {
    match name {
        "separate" => {
            let settings = SeparateSettings::from_config(config)?;
            Ok(Box::new(move || {
                Box::new(separate::Separate::new(settings))
            }))
        }
        "base64" => Ok(Box::new(|| Box::new(base64::Base64Decode))),
        "length-prefixed" => {
            let max_length = length_prefixed::max_length_from_config(config)?;
            Ok(Box::new(move || {
                Box::new(length_prefixed::LengthPrefixed::new(max_length))
            }))
        }
        "remove-empty" => Ok(Box::new(|| Box::new(remove_empty::RemoveEmpty))),
        "textual-length-prefixed" | "textual-length-prefix" => Ok(Box::new(|| {
            Box::<textual_length_prefixed::TextualLengthPrefixed>::default()
        })),
        "ingest-ns" => Ok(Box::new(|| Box::new(ingest_ns::IngestNs))),
        "gelf-chunking" => Ok(Box::new(|| Box::<gelf_chunking::GelfChunking>::default())),
        "decompress" => {
            let algorithm = decompress::Decompress::algorithm_from_config(config)?;
            Ok(Box::new(move || {
                Box::new(decompress::Decompress::new(algorithm))
            }))
        }
        legacy => {
            match compression::Algorithm::from_name(legacy)
                .filter(|_| compression::SINGLE_FORMAT_NAMES.contains(&legacy))
            {
                Some(algorithm) => Ok(Box::new(move || {
                    Box::new(decompress::Decompress::fixed(algorithm))
                })),
                None => Err(ProcessorConfigError::Unknown {
                    kind: ProcessorKind::Pre,
                    name: legacy.to_string(),
                    known: NAMES,
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_is_known() {
        for name in NAMES {
            assert!(lookup(name, &Value::object()).is_ok(), "{name}");
        }
    }

    #[test]
    fn unknown_preprocessor() {
        let err = lookup("gzip2", &Value::object()).err().expect("unknown");
        assert!(err.to_string().contains("unknown preprocessor `gzip2`"));
        assert!(err.to_string().contains("length-prefixed"), "{err}");
        assert!(
            err.to_string().ends_with(
                "gelf-chunking, textual-length-prefix, gzip, zlib, xz2, snappy, lz4, zstd)"
            ),
            "{err}"
        );
        assert!(
            lookup("br", &Value::object()).is_err(),
            "brotli has no single-format name"
        );
    }
}
