//! `base64`: decodes each chunk (surrounding whitespace ignored).

use super::{api::Preprocessor, error::PreprocessorError};
use abi_stable::std_types::RVec;
use base64::Engine;

pub(super) struct Base64Decode;

impl Preprocessor for Base64Decode {
    fn process(
        &mut self,
        data: RVec<u8>,
        out: &mut Vec<RVec<u8>>,
    ) -> Result<(), PreprocessorError> {
        let trimmed = data.as_slice().trim_ascii();
        base64::engine::general_purpose::STANDARD
            .decode(trimmed)
            .map(|decoded| out.push(decoded.into()))
            .map_err(PreprocessorError::Base64)
    }

    fn finish(&mut self, _out: &mut Vec<RVec<u8>>) -> Result<(), PreprocessorError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::preprocessor::{lookup, strings};
    use tremor_value::Value;

    #[test]
    fn base64_decodes_and_reports_garbage() {
        let mut p = lookup("base64", &Value::object()).expect("known")();
        let mut out = Vec::new();
        p.process(b"aGVsbG8=\n".to_vec().into(), &mut out)
            .expect("ok");
        assert_eq!(strings(&out), ["hello"]);
        assert!(p.process(b"!!".to_vec().into(), &mut out).is_err());
    }
}
