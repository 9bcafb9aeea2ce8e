//! `base64`: decodes each chunk (surrounding whitespace ignored).

use super::{
    api::{Chunks, Preprocessor, Processed},
    error::PreprocessorError,
};
use abi_stable::std_types::RVec;
use base64::Engine;

pub(super) struct Base64Decode;

impl Preprocessor for Base64Decode {
    fn process(&mut self, data: RVec<u8>, out: &mut Chunks) -> Processed {
        let trimmed = data.as_slice().trim_ascii();
        base64::engine::general_purpose::STANDARD
            .decode(trimmed)
            .map(|decoded| out.push(decoded.into()))
            .map_err(PreprocessorError::Base64)
    }
}

#[cfg(test)]
mod tests {
    use crate::preprocessor::test_support::{default_preprocessor, run};

    #[test]
    fn base64_decodes_and_reports_garbage() {
        let (out, errors) = run(
            &mut *default_preprocessor("base64"),
            &[b"aGVsbG8=\n", b"!!"],
        );
        assert_eq!(out, ["hello"]);
        assert_eq!(errors.len(), 1, "the garbage chunk: {errors:?}");
    }
}
