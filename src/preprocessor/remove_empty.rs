//! `remove-empty`: drops empty chunks, e.g. the blank lines `separate` yields, before a codec
//! would fail on them.

use super::api::{Chunks, Preprocessor, Processed};
use abi_stable::std_types::RVec;

pub(super) struct RemoveEmpty;

impl Preprocessor for RemoveEmpty {
    fn process(&mut self, data: RVec<u8>, out: &mut Chunks) -> Processed {
        if !data.is_empty() {
            out.push(data);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::preprocessor::test_support::{default_preprocessor, run, strings};

    #[test]
    fn drops_empty_chunks_only() {
        let mut p = default_preprocessor("remove-empty");
        let (out, errors) = run(&mut *p, &[b"", b"a", b"", b" ", b"", b"bc"]);
        assert_eq!(out, ["a", " ", "bc"]);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn removes_blank_lines_after_separate() {
        let mut separate = default_preprocessor("separate");
        let mut remove = default_preprocessor("remove-empty");
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
