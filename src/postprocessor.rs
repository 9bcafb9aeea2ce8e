//! Postprocessors: frame or transform an encoded event before the sink gets it.
//!
//! They work in place on the sink's batch buffer, so the common chain (`separate`) costs one
//! pushed byte per event and no allocation.

use crate::{errors::Error, preprocessor::SeparateSettings};
use base64::Engine;
use tremor_value::Value;

/// A postprocessor instance (one per sink).
pub trait Postprocessor: Send {
    /// Transforms `buf[start..]` (one encoded event) in place.
    fn process(&mut self, buf: &mut Vec<u8>, start: usize) -> Result<(), String>;
}

/// The names of all postprocessors, for error messages.
pub const NAMES: &[&str] = &["separate", "base64"];

/// Creates the postprocessor `name` with its `config` record.
pub fn lookup(name: &str, config: &Value<'_>) -> Result<Box<dyn Postprocessor>, Error> {
    match name {
        "separate" => Ok(Box::new(Separate(SeparateSettings::from_config(config)?.separator))),
        "base64" => Ok(Box::new(Base64Encode::default())),
        other => Err(Error::Deploy(format!(
            "unknown postprocessor `{other}` (known: {})",
            NAMES.join(", ")
        ))),
    }
}

struct Separate(u8);

impl Postprocessor for Separate {
    fn process(&mut self, buf: &mut Vec<u8>, _start: usize) -> Result<(), String> {
        buf.push(self.0);
        Ok(())
    }
}

#[derive(Default)]
struct Base64Encode {
    scratch: String,
}

impl Postprocessor for Base64Encode {
    fn process(&mut self, buf: &mut Vec<u8>, start: usize) -> Result<(), String> {
        self.scratch.clear();
        base64::engine::general_purpose::STANDARD.encode_string(&buf[start..], &mut self.scratch);
        buf.truncate(start);
        buf.extend_from_slice(self.scratch.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_in_place() {
        let mut buf = b"prefix|".to_vec();
        let start = buf.len();
        buf.extend_from_slice(b"hello");
        lookup("base64", &Value::object()).expect("known").process(&mut buf, start).expect("ok");
        lookup("separate", &Value::object()).expect("known").process(&mut buf, start).expect("ok");
        assert_eq!(buf, b"prefix|aGVsbG8=\n".to_vec());
    }

    #[test]
    fn unknown_postprocessor() {
        assert!(lookup("zip", &Value::object()).is_err());
    }
}
