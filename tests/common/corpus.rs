//! The corpus harness `tests/script_corpus.rs` and `tests/query_corpus.rs` share: every case
//! directory of a corpus is run through `tremor run` with the binary of this build.
//!
//! A case is a directory holding
//! - the program: `query.trickle` or `script.tremor`,
//! - `in`: the input (one JSON event per line unless `flags` choose another decoder),
//! - `out`: the expected output, byte for byte,
//! - optional `flags`: more arguments for `tremor run`, separated by white space,
//! - optional `status`: the expected exit code (default 0),
//! - optional `stderr`: lines that must each occur in what the run writes to stderr,
//! - optional module files (`NAME.tremor`), found through `TREMOR_PATH`, which is the case
//!   directory.

use std::{
    io::Read,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// A blow-up guard per case, not a performance claim: a case takes milliseconds.
const CASE_LIMIT: Duration = Duration::from_secs(20);

struct Ran {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn program_of(case: &Path) -> Option<PathBuf> {
    ["query.trickle", "script.tremor"]
        .iter()
        .map(|name| case.join(name))
        .find(|p| p.is_file())
}

fn read_or_empty(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn run_case(case: &Path, program: &Path) -> Result<Ran, String> {
    let flags = read_or_empty(&case.join("flags"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_tremor"))
        .arg("run")
        .arg(program.file_name().expect("a program file has a name"))
        .args(["-i", "in"])
        .args(flags.split_whitespace())
        .current_dir(case)
        // Module files (`use NAME;`) may sit beside the program.
        .env("TREMOR_PATH", case)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start tremor: {e}"))?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > CASE_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("did not finish within {CASE_LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Ok(Ran {
        status: status.code(),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}

/// A line diff good enough to see what went wrong: every line that differs, with its number.
fn diff(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut text = String::new();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            text.push_str(&format!(
                "  line {}:\n    expected: {}\n    actual:   {}\n",
                i + 1,
                x.unwrap_or(&"<none>"),
                y.unwrap_or(&"<none>")
            ));
        }
    }
    if text.is_empty() && expected != actual {
        text.push_str("  (the line ends differ)\n");
    }
    text
}

fn check_case(case: &Path) -> Result<(), String> {
    let program = program_of(case).ok_or("no query.trickle or script.tremor")?;
    let ran = run_case(case, &program)?;
    let mut problems = String::new();
    let status: i32 = read_or_empty(&case.join("status"))
        .trim()
        .parse()
        .unwrap_or(0);
    if ran.status != Some(status) {
        problems.push_str(&format!(
            "exit status {:?}, expected {status}\n",
            ran.status
        ));
    }
    let expected = read_or_empty(&case.join("out"));
    if ran.stdout != expected {
        problems.push_str(&format!(
            "output differs:\n{}",
            diff(&expected, &ran.stdout)
        ));
    }
    for wanted in read_or_empty(&case.join("stderr"))
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        if !ran.stderr.contains(wanted) {
            problems.push_str(&format!("stderr lacks `{wanted}`\n"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{problems}stderr was:\n{}", ran.stderr))
    }
}

/// Runs every case under `corpus` (relative to the package root) and fails with the
/// differences of every failing case.
pub fn run_corpus(corpus: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(corpus);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{corpus}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        match check_case(case) {
            Ok(()) => println!("ok   {name}"),
            Err(why) => {
                println!("FAIL {name}");
                failures.push(format!("--- {name}\n{why}"));
            }
        }
    }
    println!("{} cases, {} failed", cases.len(), failures.len());
    assert!(!cases.is_empty(), "no case in {}", root.display());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
