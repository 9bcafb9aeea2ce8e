//! `remove-empty`: drops empty chunks, e.g. the blank lines `separate` yields, before a codec
//! would fail on them.

use super::{api::Preprocessor, error::PreprocessorError};
use abi_stable::std_types::RVec;

pub(super) struct RemoveEmpty;

impl Preprocessor for RemoveEmpty {
    fn process(
        &mut self,
        data: RVec<u8>,
        out: &mut Vec<RVec<u8>>,
    ) -> Result<(), PreprocessorError> {
        if !data.is_empty() {
            out.push(data);
        }
        Ok(())
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
    fn drops_empty_chunks_only() {
        let mut p = lookup("remove-empty", &Value::object()).expect("known")();
        let mut out = Vec::new();
        for chunk in [&b""[..], b"a", b"", b" ", b"", b"bc"] {
            p.process(chunk.to_vec().into(), &mut out).expect("ok");
        }
        p.finish(&mut out).expect("ok");
        assert_eq!(strings(&out), ["a", " ", "bc"]);
    }

    #[test]
    fn removes_blank_lines_after_separate() {
        let mut separate = lookup("separate", &Value::object()).expect("known")();
        let mut remove = lookup("remove-empty", &Value::object()).expect("known")();
        let mut lines = Vec::new();
        separate
            .process(b"a\n\n\nb\n".to_vec().into(), &mut lines)
            .expect("ok");
        let mut out = Vec::new();
        for line in lines {
            remove.process(line, &mut out).expect("ok");
        }
        assert_eq!(strings(&out), ["a", "b"]);
    }
}
