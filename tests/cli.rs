//! The command line end to end: the integration-test runner's tag filters, failure exit code and
//! timeout, `server run -p`, and graceful shutdown on SIGINT / SIGTERM / SIGQUIT / SIGHUP. Each
//! test works in its own temp dir and bounds every process it starts. In a build without builtin
//! connectors the deployments find their connectors through `TREMOR_PLUGIN_PATH` (set by
//! `ci/test.sh`).

mod common;

use common::{copy_until_exit, finish, run, text, ticks_into, tremor, write_config};
use std::{
    io::Read,
    path::Path,
    process::{Output, Stdio},
    time::{Duration, Instant},
};

/// Ends on its own: the first metronome tick becomes an exit request.
fn exits() -> String {
    ticks_into(
        10_000_000,
        r#"select {"exit": 0} from in into out"#,
        "define connector sink from exit;",
    )
}

/// Runs until it is stopped: metronome ticks written to `ticks.log`.
fn runs_forever() -> String {
    ticks_into(
        10_000_000,
        "select event.id from in into out",
        r#"define connector sink from file
  with
    codec = "json",
    postprocessors = ["separate"],
    config = {"path": "ticks.log", "mode": "truncate"}
  end;"#,
    )
}

/// A test directory of the suite at `root`.
fn add_test(root: &Path, name: &str, troy: &str, assert_yaml: &str, tags: &[&str]) {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).expect("test dir");
    std::fs::write(dir.join("config.troy"), troy).expect("config.troy");
    std::fs::write(dir.join("assert.yaml"), assert_yaml).expect("assert.yaml");
    let tags: String = tags.iter().map(|t| format!("- {t}\n")).collect();
    std::fs::write(dir.join("tags.yaml"), tags).expect("tags.yaml");
}

/// A suite with one passing, one failing and one hanging test, each with its own tag.
fn suite() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("suite dir");
    add_test(root.path(), "passes", &exits(), "status: 0\n", &["fast"]);
    add_test(root.path(), "fails", &exits(), "status: 3\n", &["broken"]);
    add_test(
        root.path(),
        "hangs",
        &runs_forever(),
        "status: 0\n",
        &["slow"],
    );
    root
}

/// Runs the suite at `root` with `args`, checks the exit code and returns stdout.
fn run_suite(root: &Path, args: &[&str], expected_code: i32) -> String {
    let out = run(tremor().args(["test", "integration"]).arg(root).args(args));
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(expected_code),
        "{stdout}{}",
        text(&out.stderr)
    );
    stdout
}

#[test]
fn tags_select_tests_and_a_failure_sets_the_exit_code() {
    let root = suite();

    let stdout = run_suite(root.path(), &["-e", "broken", "-e", "slow"], 0);
    assert!(stdout.contains("test passes ... ok"), "{stdout}");
    assert!(!stdout.contains("test fails"), "{stdout}");
    assert!(stdout.contains("1 passed, 0 failed, 2 skipped"), "{stdout}");

    let stdout = run_suite(root.path(), &["-i", "broken"], 1);
    assert!(stdout.contains("test fails ... FAILED"), "{stdout}");
    assert!(stdout.contains("0 passed, 1 failed, 2 skipped"), "{stdout}");
}

#[test]
fn a_deployment_that_does_not_stop_is_killed_at_the_timeout() {
    let root = suite();
    let stdout = run_suite(root.path(), &["-i", "slow", "--timeout", "2"], 1);
    assert!(
        stdout.contains("deployment did not stop within 2 s"),
        "{stdout}"
    );
}

#[test]
fn server_run_writes_its_pid_file() {
    let work = tempfile::tempdir().expect("work dir");
    write_config(work.path(), &exits());
    let child = tremor()
        .args(["server", "run", "-n", "-p", "tremor.pid", "config.troy"])
        .current_dir(work.path())
        .spawn()
        .expect("tremor starts");
    let pid = child.id();
    let out = finish(child);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(work.path().join("tremor.pid")).expect("pid file");
    assert_eq!(written.trim(), pid.to_string());
}

/// Starts a deployment that runs until stopped, waits for its first ticks, sends `signal`.
fn stopped_by(signal: libc::c_int) -> (Output, String) {
    let work = tempfile::tempdir().expect("work dir");
    write_config(work.path(), &runs_forever());
    let mut child = tremor()
        .args(["server", "run", "config.troy"])
        .current_dir(work.path())
        .spawn()
        .expect("tremor starts");
    let ticks = work.path().join("ticks.log");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(&ticks).map_or(0, |t| t.lines().count()) < 3 {
        if Instant::now() > deadline || child.try_wait().expect("waitable").is_some() {
            let _ = child.kill();
            let mut err = String::new();
            let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut err));
            panic!("the deployment wrote no ticks:\n{err}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
    // SAFETY: kill(2) on the pid of our own child, which has not been reaped yet.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "signal sent");
    let out = finish(child);
    let written = std::fs::read_to_string(&ticks).expect("ticks");
    (out, written)
}

#[test]
fn every_stop_signal_stops_gracefully_with_every_event_written() {
    // SIGQUIT drains as in Tremor (its tests stop deployments with it); SIGHUP too.
    for (signal, number) in [
        (libc::SIGINT, 2),
        (libc::SIGTERM, 15),
        (libc::SIGQUIT, 3),
        (libc::SIGHUP, 1),
    ] {
        let (out, ticks) = stopped_by(signal);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "signal {number}:\n{stderr}");
        assert!(
            stderr.contains(&format!("signal {number} received: stopping gracefully")),
            "{stderr}"
        );
        assert!(stderr.contains("all connectors stopped"), "{stderr}");
        // Flushed on the way out: every tick is a whole line, numbered from 0 without gaps.
        let ids: Vec<u64> = ticks
            .lines()
            .map(|l| l.parse().expect("a whole number per line"))
            .collect();
        assert!(ids.len() >= 3, "{ticks}");
        assert!(ids.iter().copied().eq(0..ids.len() as u64), "{ticks}");
    }
}

#[test]
fn stdin_lines_become_events() {
    use std::io::Write;
    let work = tempfile::tempdir().expect("work dir");
    let stdin_json = r#"define connector input from stdio
  with
    codec = "json",
    preprocessors = ["separate"]
  end;"#;
    write_config(work.path(), &copy_until_exit(stdin_json, "out.log"));
    let mut child = tremor()
        .args(["server", "run", "config.troy"])
        .current_dir(work.path())
        .stdin(Stdio::piped())
        .spawn()
        .expect("tremor starts");
    // Written in two pieces that split a line: the separate preprocessor joins them.
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"{\"b\": 2, \"a\"").expect("write");
    stdin.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(100));
    stdin.write_all(b": 1}\n\"exit\"\n").expect("write");
    drop(stdin);
    let out = finish(child);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(work.path().join("out.log")).expect("out.log");
    assert_eq!(written, "{\"a\":1,\"b\":2}\n");
}
