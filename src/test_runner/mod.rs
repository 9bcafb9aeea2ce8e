//! `tremor test integration`: runs test directories in Tremor's layout, as Tremor's runner
//! (tremor-cli/src/test) does.
//!
//! A test is a directory with `config.troy` (or other `*.troy` files and an `assert.yaml`), and
//! optionally `assert.yaml`, `tags.yaml`, `before.yaml`, `after.yaml`, a `stdin` file and data.
//! The deployment runs as `tremor server run -n --debug-connectors *.troy` inside the test
//! directory; its output is captured to `fg.out.log` / `fg.err.log`; then the exit status and
//! the asserts are checked. Keys the runner does not know are warnings (Tremor ignores them);
//! with `--strict` they fail the test.

mod check;
mod process;
pub mod spec;
mod wait;

use spec::{AssertSpec, ProcessSpec, ProcessSpecs, Stage, Tags};
use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// What to run and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// A test directory, or a directory of them.
    pub path: PathBuf,
    /// Run only tests with one of these tags (all when empty).
    pub includes: Vec<String>,
    /// Skip tests with one of these tags (unless one of `includes` names them too).
    pub excludes: Vec<String>,
    /// Per-test limit for the deployment.
    pub timeout: Duration,
    /// Fail a test whose files carry keys the runner does not know (by default they are
    /// reported as warnings and ignored, as Tremor ignores them).
    pub strict: bool,
}

/// How long before-processes may take to exit on their own once the after-processes ran.
const AFTER_GRACE: Duration = Duration::from_secs(10);

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
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for dir in &tests {
        let name = dir
            .strip_prefix(&options.path)
            .ok()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(dir)
            .display()
            .to_string();
        let started = Instant::now();
        let (files, warnings) = TestFiles::load(dir);
        let failures = match files {
            Err(e) => vec![e],
            Ok(_) if options.strict && !warnings.is_empty() => {
                warnings.iter().map(|w| format!("{w} (--strict)")).collect()
            }
            Ok(files) => {
                if !selected(&tags_of(&options.path, dir, &files.tags), options) {
                    skipped += 1;
                    continue;
                }
                run_one(
                    dir,
                    &files,
                    tremor_path_for(&options.path, dir),
                    options.timeout,
                )
            }
        };
        let secs = started.elapsed().as_secs_f64();
        let verdict = if failures.is_empty() { "ok" } else { "FAILED" };
        say!("test {name} ... {verdict} ({secs:.2} s)");
        if !options.strict {
            for w in &warnings {
                say!("    WARNING: {w} (ignored, as Tremor does; --strict makes it an error)");
            }
        }
        for line in failures.iter().flat_map(|f| f.lines()) {
            say!("    {line}");
        }
        if failures.is_empty() {
            passed += 1;
        } else {
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

/// The parsed files of one test directory.
#[derive(Default)]
struct TestFiles {
    assert: AssertSpec,
    before: Vec<ProcessSpec>,
    after: Vec<ProcessSpec>,
    tags: Vec<String>,
}

impl TestFiles {
    /// Reads the files of `dir`. The warnings name each key no field claimed (and a
    /// `tags.yaml` that is no list, which Tremor ignores too), with its file.
    fn load(dir: &Path) -> (Result<Self, String>, Vec<String>) {
        let mut warnings = Vec::new();
        let files = Self::parse(dir, &mut warnings);
        (files, warnings)
    }

    fn parse(dir: &Path, warnings: &mut Vec<String>) -> Result<Self, String> {
        let mut unknown = |file: &str, keys: Vec<String>| {
            warnings.extend(
                keys.into_iter()
                    .map(|k| format!("{file}: unknown key `{k}`")),
            );
        };
        let mut processes = Vec::new();
        for (file, stage) in [("before.yaml", Stage::Before), ("after.yaml", Stage::After)] {
            let specs = spec::read_optional::<ProcessSpecs>(&dir.join(file))?
                .map(|s| s.0)
                .unwrap_or_default();
            for (i, s) in specs.iter().enumerate() {
                unknown(file, s.unknown_keys(i, stage));
            }
            processes.push(specs);
        }
        let assert: AssertSpec = spec::read_optional(&dir.join("assert.yaml"))?.unwrap_or_default();
        unknown("assert.yaml", assert.unknown_keys());
        let after = processes.pop().unwrap_or_default();
        let before = processes.pop().unwrap_or_default();
        // Tremor ignores a tags.yaml it cannot read; so does this runner, with a warning.
        let tags = match spec::read_optional::<Tags>(&dir.join("tags.yaml")) {
            Ok(tags) => tags.map(|t| t.0).unwrap_or_default(),
            Err(e) => {
                warnings.push(e);
                Vec::new()
            }
        };
        Ok(Self {
            assert,
            before,
            after,
            tags,
        })
    }
}

/// Runs one test whose files are read; returns its failures.
fn run_one(
    dir: &Path,
    files: &TestFiles,
    tremor_path: Option<OsString>,
    timeout: Duration,
) -> Vec<String> {
    let env = process::Env::new(tremor_path);
    let mut background = Vec::new();
    for (i, p) in files.before.iter().enumerate() {
        match process::start_before(dir, p, i, &env) {
            Ok(child) => background.push(child),
            Err(e) => {
                process::kill_all(&mut background, Duration::ZERO);
                run_after(dir, files, &env, timeout);
                // Its own words say most (e.g. what a test needs and how to create it).
                let said = tail(&dir.join(format!("before.err.{i}.log")), 5);
                return vec![format!("before process {} ({}): {e}\n{said}", i, p.cmd)
                    .trim_end()
                    .to_string()];
            }
        }
    }
    let outcome = process::run_deployment(dir, &env, timeout);
    run_after(dir, files, &env, timeout);
    // After-processes usually stop the before-processes; give those time to drain.
    let grace = if files.after.is_empty() {
        Duration::ZERO
    } else {
        AFTER_GRACE
    };
    process::kill_all(&mut background, grace);
    let spec = &files.assert;
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
        failures.extend(check::check(dir, a));
    }
    failures
}

/// Runs the after-processes (also when a before-process failed, as Tremor does, so they can
/// clean up).
fn run_after(dir: &Path, files: &TestFiles, env: &process::Env, timeout: Duration) {
    for (i, p) in files.after.iter().enumerate() {
        if let Err(e) = process::run_after(dir, p, i, env, timeout) {
            log::warn!("after process {}: {e}", p.cmd);
        }
    }
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Whether a test with `tags` runs, by Tremor's rule: a tag named by `--includes` runs it
/// (even when another is excluded); else a tag named by `--excludes` skips it; else it runs
/// unless `--includes` named something.
fn selected(tags: &[String], options: &Options) -> bool {
    let named = |list: &[String]| list.iter().any(|t| tags.contains(t));
    named(&options.includes) || !named(&options.excludes) && options.includes.is_empty()
}

/// A test's tags as Tremor resolves them: those of every `tags.yaml` from the root given on
/// the command line down to the test directory, and the test directory's name.
fn tags_of(root: &Path, dir: &Path, own: &[String]) -> Vec<String> {
    let mut tags = own.to_vec();
    if let Ok(below) = dir.strip_prefix(root) {
        let mut at = dir.to_path_buf();
        for _ in below.components() {
            at.pop();
            let parent: Option<Tags> = spec::read_optional(&at.join("tags.yaml")).ok().flatten();
            tags.extend(parent.map(|t| t.0).unwrap_or_default());
        }
    }
    if let Some(name) = dir.file_name() {
        tags.push(name.to_string_lossy().into_owned());
    }
    tags
}

/// Test directories at or below `path`, sorted: a directory with `config.troy`, or with
/// `assert.yaml` and some other `*.troy` file. A test's subdirectories (e.g. the `before/` of
/// a before-process's own deployment) are not tests.
fn discover(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let is_test = path.join("config.troy").is_file()
        || path.join("assert.yaml").is_file() && !process::troy_files(path).is_empty();
    if is_test {
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

/// The module search path of a test, as Tremor builds it: `TREMOR_PATH` from the environment,
/// then the nearest `lib/` at or above the given path, then the test directory's own `lib/`.
fn tremor_path_for(root: &Path, test_dir: &Path) -> Option<OsString> {
    let start = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let suite_lib = start
        .ancestors()
        .map(|dir| dir.join("lib"))
        .find(|lib| lib.is_dir());
    let own_lib = Some(test_dir.join("lib")).filter(|lib| lib.is_dir());
    let parts: Vec<PathBuf> = std::env::var_os("TREMOR_PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(suite_lib)
        .chain(own_lib)
        .collect();
    if parts.is_empty() {
        return None;
    }
    std::env::join_paths(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, files: &[&str]) {
        for f in files {
            let path = root.join(f);
            std::fs::create_dir_all(path.parent().expect("in a dir")).expect("mkdir");
            std::fs::write(path, "").expect("write");
        }
    }

    fn relative(root: &Path, found: &[PathBuf]) -> Vec<String> {
        found
            .iter()
            .map(|p| p.strip_prefix(root).expect("below").display().to_string())
            .collect()
    }

    #[test]
    fn discovers_nested_tests_but_not_lib_nor_inside_a_test() {
        let dir = tempfile::tempdir().expect("tempdir");
        touch(
            dir.path(),
            &[
                "b/config.troy",
                "b/before/config.troy",
                "a/x/config.troy",
                "a/y/config.troy",
                "lib/config.troy",
                "c/main.troy",
                "c/assert.yaml",
                "d/just.troy",
            ],
        );
        let found = discover(dir.path()).expect("readable");
        assert_eq!(relative(dir.path(), &found), ["a/x", "a/y", "b", "c"]);
    }

    #[test]
    fn tags_follow_tremors_rules() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("suite/t1")).expect("mkdir");
        std::fs::write(root.join("suite/tags.yaml"), "[\"net\"]").expect("write");
        let tags = tags_of(root, &root.join("suite/t1"), &["own".into()]);
        assert_eq!(tags, ["own", "net", "t1"]);
        let options = |includes: &[&str], excludes: &[&str]| Options {
            path: root.to_path_buf(),
            includes: includes.iter().map(|s| s.to_string()).collect(),
            excludes: excludes.iter().map(|s| s.to_string()).collect(),
            timeout: Duration::from_secs(1),
            strict: false,
        };
        assert!(selected(&tags, &options(&[], &[])));
        assert!(selected(&tags, &options(&["t1"], &[])));
        assert!(!selected(&tags, &options(&["other"], &[])));
        assert!(!selected(&tags, &options(&[], &["net"])));
        assert!(
            selected(&tags, &options(&["own"], &["net"])),
            "include wins"
        );
        assert!(selected(&tags, &options(&[], &["other"])));
    }

    #[test]
    fn unknown_keys_are_warnings_naming_file_and_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = [
            (
                "assert.yaml",
                "status: 0\nasserts:\n  - source: x\n    containz: [a]\n",
            ),
            (
                "before.yaml",
                "- cmd: sh\n  await:\n    port-closed: [\"1\"]\n",
            ),
            ("after.yaml", "cmd: sh\nextra: 1\n"),
            ("tags.yaml", "not: a list\n"),
        ];
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        let (loaded, warnings) = TestFiles::load(dir.path());
        assert!(loaded.is_ok());
        assert_eq!(warnings.len(), 4, "{warnings:?}");
        assert!(warnings.contains(&"before.yaml: unknown key `[0].await.port-closed`".into()));
        assert!(warnings.contains(&"after.yaml: unknown key `[0].extra`".into()));
        assert!(warnings.contains(&"assert.yaml: unknown key `asserts[0].containz`".into()));
        assert!(
            warnings.iter().any(|w| w.contains("tags.yaml")),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_failed_before_process_is_reported_with_what_it_said() {
        let dir = tempfile::tempdir().expect("tempdir");
        let before = "- cmd: sh\n  args: [\"-c\", \"echo first >&2; echo run make-certs >&2; exit 1\"]\n  await:\n    status: [\"0\"]\n";
        std::fs::write(dir.path().join("before.yaml"), before).expect("write");
        std::fs::write(dir.path().join("config.troy"), "").expect("write");
        let (files, _) = TestFiles::load(dir.path());
        let failures = run_one(
            dir.path(),
            &files.expect("readable"),
            None,
            Duration::from_secs(5),
        );
        assert_eq!(
            failures,
            ["before process 0 (sh): exited with 1, expected status 0\nfirst\nrun make-certs"]
        );
    }
}
