//! `tremor test integration`: runs test directories in Tremor's layout.
//!
//! A test is a directory with `config.troy` and `assert.yaml` (and optionally `tags.yaml`,
//! `before.yaml`, `after.yaml` and data). The deployment runs as
//! `tremor server run -n --debug-connectors config.troy` inside the test directory; its output
//! is captured to `fg.out.log` / `fg.err.log`; then the exit status and the asserts are checked.

mod process;
pub mod spec;

use spec::{AssertSpec, FileAssert, ProcessSpecs};
use std::{
    path::{Path, PathBuf},
    time::Duration,
};

/// What to run and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// A test directory, or a directory of them.
    pub path: PathBuf,
    /// Run only tests with one of these tags (all when empty).
    pub includes: Vec<String>,
    /// Skip tests with one of these tags.
    pub excludes: Vec<String>,
    /// Per-test limit for the deployment.
    pub timeout: Duration,
}

/// Prints a line to stdout; a closed stdout (`| head`) is not worth a panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Runs the tests; prints a line per test and `N passed, M failed`. Returns the exit code.
pub fn run(options: &Options) -> i32 {
    let tests = match discover(&options.path) {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            eprintln!(
                "no test directory (with config.troy) under {}",
                options.path.display()
            );
            return 1;
        }
        Err(e) => {
            eprintln!("cannot read {}: {e}", options.path.display());
            return 1;
        }
    };
    let tremor_path = tremor_path_for(&options.path);
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for dir in &tests {
        let name = dir
            .strip_prefix(&options.path)
            .ok()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(dir)
            .display()
            .to_string();
        match selected(dir, options) {
            Ok(false) => {
                skipped += 1;
                continue;
            }
            Ok(true) => {}
            Err(e) => {
                say!("test {name} ... FAILED\n    {e}");
                failed += 1;
                continue;
            }
        }
        let started = std::time::Instant::now();
        let failures = run_one(dir, &tremor_path, options.timeout);
        let secs = started.elapsed().as_secs_f64();
        if failures.is_empty() {
            say!("test {name} ... ok ({secs:.2} s)");
            passed += 1;
        } else {
            say!("test {name} ... FAILED ({secs:.2} s)");
            for f in &failures {
                for line in f.lines() {
                    say!("    {line}");
                }
            }
            failed += 1;
        }
    }
    if skipped > 0 {
        say!("{passed} passed, {failed} failed, {skipped} skipped");
    } else {
        say!("{passed} passed, {failed} failed");
    }
    i32::from(failed > 0)
}

/// Test directories at or below `path`, sorted.
fn discover(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.join("config.troy").is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for dir in entries {
        // `lib/` holds module files, not tests.
        if dir.file_name().is_some_and(|n| n == "lib") {
            continue;
        }
        found.extend(discover(&dir)?);
    }
    Ok(found)
}

/// `TREMOR_PATH` from the environment, else the nearest `lib/` at or above `path`.
fn tremor_path_for(path: &Path) -> Option<std::ffi::OsString> {
    if let Some(p) = std::env::var_os("TREMOR_PATH") {
        return Some(p);
    }
    let start = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    start
        .ancestors()
        .map(|dir| dir.join("lib"))
        .find(|lib| lib.is_dir())
        .map(PathBuf::into_os_string)
}

fn selected(dir: &Path, options: &Options) -> Result<bool, String> {
    let tags: Vec<String> = spec::read_optional(&dir.join("tags.yaml"))?.unwrap_or_default();
    if options.excludes.iter().any(|t| tags.contains(t)) {
        return Ok(false);
    }
    Ok(options.includes.is_empty() || options.includes.iter().any(|t| tags.contains(t)))
}

fn run_one(dir: &Path, tremor_path: &Option<std::ffi::OsString>, timeout: Duration) -> Vec<String> {
    let spec: AssertSpec = match spec::read_optional(&dir.join("assert.yaml")) {
        Ok(Some(spec)) => spec,
        Ok(None) => AssertSpec::default(),
        Err(e) => return vec![e],
    };
    let before = match spec::read_optional::<ProcessSpecs>(&dir.join("before.yaml")) {
        Ok(b) => b.map(ProcessSpecs::into_vec).unwrap_or_default(),
        Err(e) => return vec![e],
    };
    let after = match spec::read_optional::<ProcessSpecs>(&dir.join("after.yaml")) {
        Ok(a) => a.map(ProcessSpecs::into_vec).unwrap_or_default(),
        Err(e) => return vec![e],
    };
    let env = process::Env::new(tremor_path.clone());
    let mut background = Vec::new();
    for (i, p) in before.iter().enumerate() {
        match process::start_before(dir, p, i, &env) {
            Ok(child) => background.push(child),
            Err(e) => {
                process::kill_all(&mut background);
                return vec![format!("before process {}: {e}", p.cmd)];
            }
        }
    }
    let outcome = process::run_deployment(dir, &env, timeout);
    for (i, p) in after.iter().enumerate() {
        if let Err(e) = process::run_after(dir, p, i, &env, timeout) {
            log::warn!("after process {}: {e}", p.cmd);
        }
    }
    process::kill_all(&mut background);
    let mut failures = Vec::new();
    match outcome {
        Ok(status) if status == spec.status => {}
        Ok(status) => failures.push(format!(
            "exit status {status}, expected {} (see fg.err.log:\n{})",
            spec.status,
            tail(&dir.join("fg.err.log"), 15)
        )),
        Err(e) => failures.push(e),
    }
    for a in &spec.asserts {
        failures.extend(check(dir, a));
    }
    failures
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn check(dir: &Path, a: &FileAssert) -> Vec<String> {
    let file = match a.source.as_str() {
        "STDOUT" => dir.join("fg.out.log"),
        "STDERR" => dir.join("fg.err.log"),
        other => dir.join(other),
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => return vec![format!("{}: cannot read: {e}", a.source)],
    };
    let mut failures = Vec::new();
    for needle in &a.contains {
        if !text.lines().any(|l| l.contains(needle.as_str())) {
            failures.push(format!("{}: no line contains {needle:?}", a.source));
        }
    }
    for needle in &a.doesnt_contain {
        if let Some(line) = text.lines().find(|l| l.contains(needle.as_str())) {
            failures.push(format!(
                "{}: unexpected {needle:?} in line {line:?}",
                a.source
            ));
        }
    }
    if let Some(expected) = &a.equals_file {
        match std::fs::read_to_string(dir.join(expected)) {
            Ok(want) if want == text => {}
            Ok(want) => failures.push(format!(
                "{} differs from {expected}:\n{}",
                a.source,
                diff(&want, &text)
            )),
            Err(e) => failures.push(format!("{expected}: cannot read: {e}")),
        }
    }
    failures
}

/// The first differing lines, enough to see what went wrong.
fn diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let mut out = Vec::new();
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b {
            out.push(format!(
                "line {}: expected {:?}",
                i + 1,
                a.copied().unwrap_or("<none>")
            ));
            out.push(format!(
                "line {}:      got {:?}",
                i + 1,
                b.copied().unwrap_or("<none>")
            ));
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

    #[test]
    fn checks_contains_doesnt_contain_and_equals_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("out.log"), "alpha\nbeta\n").expect("write");
        std::fs::write(dir.path().join("expected.log"), "alpha\nbeta\n").expect("write");
        std::fs::write(dir.path().join("other.log"), "alpha\ngamma\n").expect("write");
        let ok = FileAssert {
            source: "out.log".into(),
            contains: vec!["lph".into()],
            doesnt_contain: vec!["delta".into()],
            equals_file: Some("expected.log".into()),
        };
        assert!(check(dir.path(), &ok).is_empty());
        let bad = FileAssert {
            source: "out.log".into(),
            contains: vec!["zeta".into()],
            doesnt_contain: vec!["beta".into()],
            equals_file: Some("other.log".into()),
        };
        let failures = check(dir.path(), &bad);
        assert_eq!(failures.len(), 3, "{failures:?}");
        assert!(failures[2].contains("line 2"), "{failures:?}");
    }

    #[test]
    fn discovers_nested_tests_but_not_lib() {
        let dir = tempfile::tempdir().expect("tempdir");
        for d in ["b", "a/x", "lib", "a/y"] {
            std::fs::create_dir_all(dir.path().join(d)).expect("mkdir");
        }
        for d in ["b", "a/x", "a/y", "lib"] {
            std::fs::write(dir.path().join(d).join("config.troy"), "").expect("write");
        }
        let found = discover(dir.path()).expect("readable");
        let names: Vec<_> = found
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path())
                    .expect("below")
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["a/x", "a/y", "b"]);
    }
}
