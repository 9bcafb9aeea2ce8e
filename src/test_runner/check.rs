//! The file-based asserts of `assert.yaml`, checked as Tremor's runner checks them.

use super::spec::FileAssert;
use std::path::{Path, PathBuf};

/// The file an assert reads: `STDOUT` / `STDERR` (any case) are the captured output of the
/// deployment, anything else is relative to the test directory.
fn source_path(dir: &Path, source: &str) -> PathBuf {
    if source.eq_ignore_ascii_case("stdout") {
        dir.join("fg.out.log")
    } else if source.eq_ignore_ascii_case("stderr") {
        dir.join("fg.err.log")
    } else {
        dir.join(source)
    }
}

/// The failures of one assert (empty when it holds).
pub(super) fn check(dir: &Path, a: &FileAssert) -> Vec<String> {
    let bytes = match std::fs::read(source_path(dir, &a.source)) {
        Ok(b) => b,
        Err(e) => return vec![format!("{}: cannot read: {e}", a.source)],
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut failures = Vec::new();
    // Needles are trimmed, as Tremor does: YAML block scalars bring trailing newlines.
    for needle in a.contains.iter().map(|n| n.trim()) {
        if !text.lines().any(|l| l.contains(needle)) {
            failures.push(format!("{}: no line contains {needle:?}", a.source));
        }
    }
    for needle in a.doesnt_contain.iter().map(|n| n.trim()) {
        if let Some(line) = text.lines().find(|l| l.contains(needle)) {
            failures.push(format!(
                "{}: unexpected {needle:?} in line {line:?}",
                a.source
            ));
        }
    }
    let comparisons: [(&Option<String>, Explain); 2] = [
        (&a.equals_file, text_difference),
        (&a.equals_file_binary, binary_difference),
    ];
    for (expected, explain) in comparisons {
        let Some(expected) = expected else { continue };
        match std::fs::read(dir.join(expected)) {
            Ok(want) if want == bytes => {}
            Ok(want) => failures.push(format!(
                "{} differs from {expected}{}",
                a.source,
                explain(&want, &bytes)
            )),
            Err(e) => failures.push(format!("{expected}: cannot read: {e}")),
        }
    }
    failures
}

/// Says how the output differs from what was expected.
type Explain = fn(&[u8], &[u8]) -> String;

/// The first differing lines of two texts.
fn text_difference(want: &[u8], got: &[u8]) -> String {
    let lossy = String::from_utf8_lossy;
    format!(":\n{}", diff(&lossy(want), &lossy(got)))
}

/// Where two byte strings first differ, and their lengths.
fn binary_difference(want: &[u8], got: &[u8]) -> String {
    let at = want
        .iter()
        .zip(got)
        .position(|(w, g)| w != g)
        .unwrap_or(want.len().min(got.len()));
    let around = |b: &[u8]| format!("{:02x?}", &b[at..b.len().min(at + 8)]);
    format!(
        " (binary): first difference at byte {at}: expected {} got {} ({} vs {} bytes)",
        around(want),
        around(got),
        want.len(),
        got.len()
    )
}

/// The first differing lines, enough to see what went wrong.
fn diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let mut out = Vec::new();
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b {
            for (label, line) in [("expected", a), ("     got", b)] {
                let line = line.copied().unwrap_or("<none>");
                out.push(format!("line {}: {label} {line:?}", i + 1));
            }
            if out.len() >= 10 {
                out.push("...".into());
                break;
            }
        }
    }
    if out.is_empty() {
        out.push("(trailing newline differs)".into());
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_assert(source: &str) -> FileAssert {
        FileAssert {
            source: source.into(),
            ..FileAssert::default()
        }
    }

    #[test]
    fn checks_contains_doesnt_contain_and_equals_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("out.log"), "alpha\nbeta\n").expect("write");
        std::fs::write(dir.path().join("expected.log"), "alpha\nbeta\n").expect("write");
        std::fs::write(dir.path().join("other.log"), "alpha\ngamma\n").expect("write");
        let ok = FileAssert {
            contains: vec!["lph\n".into()],
            doesnt_contain: vec!["delta".into()],
            equals_file: Some("expected.log".into()),
            ..file_assert("out.log")
        };
        assert!(check(dir.path(), &ok).is_empty());
        let bad = FileAssert {
            contains: vec!["zeta".into()],
            doesnt_contain: vec!["beta".into()],
            equals_file: Some("other.log".into()),
            ..file_assert("out.log")
        };
        let failures = check(dir.path(), &bad);
        assert_eq!(failures.len(), 3, "{failures:?}");
        assert!(failures[2].contains("line 2"), "{failures:?}");
    }

    #[test]
    fn equals_file_binary_compares_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out: &[u8] = &[0xfd, b'7', b'z', 0x00, 0xff, 0x10];
        std::fs::write(dir.path().join("out.xz"), out).expect("write");
        std::fs::write(dir.path().join("same.xz"), out).expect("write");
        std::fs::write(dir.path().join("other.xz"), [0xfd, b'7', b'z', 0x01]).expect("write");
        let same = FileAssert {
            equals_file_binary: Some("same.xz".into()),
            ..file_assert("out.xz")
        };
        assert!(check(dir.path(), &same).is_empty());
        let other = FileAssert {
            equals_file_binary: Some("other.xz".into()),
            ..file_assert("out.xz")
        };
        let failures = check(dir.path(), &other);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].contains("byte 3"), "{failures:?}");
        assert!(failures[0].contains("6 vs 4") || failures[0].contains("4 vs 6"));
        let missing = FileAssert {
            equals_file_binary: Some("nowhere.xz".into()),
            ..file_assert("out.xz")
        };
        assert!(check(dir.path(), &missing)[0].contains("nowhere.xz"));
    }

    #[test]
    fn stdout_and_stderr_in_any_case() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("fg.out.log"), "to out\n").expect("write");
        std::fs::write(dir.path().join("fg.err.log"), "to err\n").expect("write");
        for (source, needle) in [("STDOUT", "out"), ("stdout", "out"), ("Stderr", "err")] {
            let a = FileAssert {
                contains: vec![format!("to {needle}")],
                ..file_assert(source)
            };
            assert!(check(dir.path(), &a).is_empty(), "{source}");
        }
    }
}
