//! Process isolation (`isolation = "process"`), in the build without builtin connectors: a
//! plugin that takes its whole process down (segfault, abort, unbounded allocation under
//! `max_memory_mb`) fails alone, is restarted in a fresh helper per its reconnect policy and
//! quarantined after its retries, while the other flows deliver everything; no helper outlives
//! the runtime.
//!
//! Needs the plugins of `ci/build-plugins.sh` (`TREMOR_PLUGIN_PATH`) and the fixtures of
//! `ci/build-plugins.sh --fixtures` (`TREMOR_TEST_PLUGIN_FIXTURES`), as `tests/plugins.rs`.
#![cfg(feature = "dynamic-plugins")]

mod common;

use common::{copy_until_exit, fixtures, flow_until_exit, good_plugins, text, write_config};
use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    time::{Duration, Instant},
};

/// `tremor ARGS --plugin-path PLUGINS --plugin-path FIXTURES` in `dir`, with no ambient
/// plugin path and with `env` set.
fn tremor_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = common::tremor();
    c.args(args)
        .arg("--plugin-path")
        .arg(good_plugins())
        .arg("--plugin-path")
        .arg(fixtures())
        .current_dir(dir)
        .env_remove("TREMOR_PLUGIN_PATH")
        .env_remove("TREMOR_ISOLATE_ALL");
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// Runs `troy` as `config.troy` in a fresh directory (returned, with the output) and waits
/// until no helper process started there is left.
fn run_deployment(troy: &str, env: &[(&str, &str)]) -> (tempfile::TempDir, Output) {
    let work = tempfile::tempdir().expect("work dir");
    write_config(work.path(), troy);
    let out = common::run(&mut tremor_in(
        work.path(),
        &["server", "run", "--allow-dropped-events", "config.troy"],
        env,
    ));
    assert_no_helper_left(work.path(), &text(&out.stderr));
    (work, out)
}

/// The processes whose working directory is `dir` and that are helpers (`plugin-host`).
fn helpers_in(dir: &Path) -> Vec<u32> {
    let dir = dir.canonicalize().expect("work dir");
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let proc_dir = PathBuf::from(format!("/proc/{pid}"));
            let cmdline = std::fs::read(proc_dir.join("cmdline")).unwrap_or_default();
            let is_helper = cmdline.split(|b| *b == 0).nth(1) == Some(b"plugin-host");
            is_helper && std::fs::read_link(proc_dir.join("cwd")).is_ok_and(|cwd| cwd == dir)
        })
        .collect()
}

/// Fails when a helper started in `dir` is still there 3 s after its runtime ended.
fn assert_no_helper_left(dir: &Path, log: &str) {
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut left = helpers_in(dir);
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        left = helpers_in(dir);
    }
    assert!(left.is_empty(), "helper processes left: {left:?}\n{log}");
}

/// Flow `bad`: the `crash` fixture (config `crash_config`, isolated with `isolation`, two
/// retries 10 ms apart) writes its events to `bad.json`. Flow `good`: metronome ticks every
/// 100 ms to `good.json`; its 16th tick ends the process.
fn crash_flows(crash_config: &str, isolation: &str) -> String {
    let crash = format!(
        r#"define connector input from crash
  with
    reconnect = {{"retry": {{"interval_ms": 10, "growth_rate": 1, "max_retries": 2, "randomized": false}}}},
    isolation = {isolation},
    config = {crash_config}
  end;"#
    );
    let bad = flow_until_exit(
        "bad",
        &crash,
        "select event from in",
        "false",
        ("json", "bad.json"),
    );
    let good = flow_until_exit(
        "good",
        r#"define connector input from metronome with config = {"interval": 100000000} end;"#,
        "select event.id from in",
        "event.id == 15",
        ("json", "good.json"),
    );
    format!("{bad}\n{good}\ndeploy flow bad;\ndeploy flow good;\n")
}

fn lines_with<'a>(log: &'a str, fragments: &[&str]) -> Vec<&'a str> {
    log.lines()
        .filter(|l| fragments.iter().all(|f| l.contains(f)))
        .collect()
}

#[test]
fn a_crashing_isolated_plugin_fails_alone_is_restarted_in_fresh_helpers_then_quarantined() {
    for (how, isolation, death) in [
        ("segfault", r#""process""#, "killed by signal 11 (SIGSEGV)"),
        ("abort", r#""process""#, "killed by signal 6 (SIGABRT)"),
        (
            "allocate",
            r#"{"process": {"max_memory_mb": 256}}"#,
            "killed by signal 6 (SIGABRT)",
        ),
    ] {
        let config = format!(r#"{{"crash": "{how}", "after": 3}}"#);
        let (work, out) = run_deployment(&crash_flows(&config, isolation), &[]);
        let log = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{how}: the runtime survives:\n{log}"
        );
        // The other flow delivered every tick.
        let good = std::fs::read_to_string(work.path().join("good.json")).expect("good.json");
        let ticks: Vec<&str> = good.lines().collect();
        let expected: Vec<String> = (0..=15).map(|i| i.to_string()).collect();
        assert_eq!(ticks, expected, "{how}:\n{log}");
        // Three helpers (the first and two fresh ones), three events each before the crash.
        let bad = std::fs::read_to_string(work.path().join("bad.json")).expect("bad.json");
        let expected: Vec<String> = (0..3)
            .flat_map(|_| (0..3).map(|n| format!(r#"{{"instance":1,"n":{n}}}"#)))
            .collect();
        assert_eq!(bad.lines().collect::<Vec<_>>(), expected, "{how}:\n{log}");
        let helpers = lines_with(
            &log,
            &["[bad::input] isolated: helper process", "`crash` from"],
        );
        assert_eq!(helpers.len(), 3, "{how}:\n{log}");
        let restarts = lines_with(
            &log,
            &[
                "[bad::input] failed (",
                death,
                "restarting a fresh instance in 10 ms",
            ],
        );
        assert_eq!(restarts.len(), 2, "{how}:\n{log}");
        let quarantined = lines_with(
            &log,
            &[
                "[bad::input] quarantined after 3 failure(s), no retry left per its reconnect policy; last error: io error: helper process",
                death,
            ],
        );
        assert_eq!(quarantined.len(), 1, "{how}:\n{log}");
        if how == "allocate" {
            // The helper's stderr reaches the log under the connector's alias.
            assert!(
                !lines_with(
                    &log,
                    &["[bad::input] helper process", "memory allocation of"]
                )
                .is_empty(),
                "{log}"
            );
        }
    }
}

#[test]
fn every_connector_runs_isolated_with_tremor_isolate_all() {
    let input = r#"define connector input from file
  with codec = "json", preprocessors = ["separate"], config = {"path": "in.json", "mode": "read"} end;"#;
    let work = tempfile::tempdir().expect("work dir");
    write_config(work.path(), &copy_until_exit(input, "out.json"));
    std::fs::write(
        work.path().join("in.json"),
        "{\"b\": 1, \"a\": [true]}\n\"exit\"\n",
    )
    .expect("write");
    let out = common::run(&mut tremor_in(
        work.path(),
        &["server", "run", "config.troy"],
        &[("TREMOR_ISOLATE_ALL", "1")],
    ));
    let log = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{log}");
    let written = std::fs::read_to_string(work.path().join("out.json")).expect("output");
    assert_eq!(written, "{\"a\":[true],\"b\":1}\n", "{log}");
    for (alias, ty) in [("input", "file"), ("output", "file"), ("exit", "exit")] {
        assert_eq!(
            lines_with(
                &log,
                &[
                    &format!("[main::{alias}] isolated: helper process"),
                    &format!("`{ty}`")
                ]
            )
            .len(),
            1,
            "{alias}:\n{log}"
        );
    }
    // The exit plugin's log line crossed from its helper to the runtime's logger.
    assert!(log.contains("[main::exit] exit requested"), "{log}");
    assert_no_helper_left(work.path(), &log);
}

#[test]
fn plugins_list_shows_a_runtimes_isolated_connectors_and_its_helpers_die_with_it() {
    let work = tempfile::tempdir().expect("work dir");
    let troy = common::ticks_into(
        10_000_000,
        "select event from in into out",
        r#"define connector sink from null with isolation = {"process": {"max_memory_mb": 512}} end;"#,
    )
    .replace(
        r#"from metronome with config"#,
        r#"from metronome with isolation = "process", config"#,
    );
    write_config(work.path(), &troy);
    let log_path = work.path().join("stderr.log");
    let mut runtime = tremor_in(work.path(), &["server", "run", "config.troy"], &[])
        .stderr(std::fs::File::create(&log_path).expect("log file"))
        .spawn()
        .expect("tremor starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut log = String::new();
    while Instant::now() < deadline && lines_with(&log, &["isolated: helper process"]).len() < 2 {
        std::thread::sleep(Duration::from_millis(50));
        log = std::fs::read_to_string(&log_path).unwrap_or_default();
    }
    let pid_of = |alias: &str| -> String {
        let line = lines_with(&log, &[&format!("[{alias}] isolated: helper process ")])
            .first()
            .copied()
            .unwrap_or_else(|| panic!("{alias} not isolated:\n{log}"));
        let rest = line.split("helper process ").nth(1).expect("pid follows");
        rest.split_whitespace().next().expect("pid").to_string()
    };
    let (ticks, sink) = (pid_of("main::ticks"), pid_of("main::sink"));
    let runtime_pid = runtime.id().to_string();
    let listed = common::run(
        common::tremor()
            .args(["plugins", "list", "--pid", &runtime_pid])
            .env_remove("TREMOR_PLUGIN_PATH"),
    );
    let stdout = text(&listed.stdout);
    let row = |alias: &str, helper: &str, ty: &str, max: &str| {
        stdout.lines().any(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            cells.len() == 6
                && cells[..5] == [runtime_pid.as_str(), helper, alias, ty, max]
                && cells[5].ends_with(&format!("libtremor_connector_{ty}.so"))
        })
    };
    assert!(
        row("main::ticks", &ticks, "metronome", "-"),
        "{stdout}\n{log}"
    );
    assert!(row("main::sink", &sink, "null", "512"), "{stdout}\n{log}");
    // Killed without a chance to clean up, the runtime still takes its helpers with it.
    runtime.kill().expect("kill");
    let _ = runtime.wait();
    assert_no_helper_left(work.path(), &log);
}

#[test]
fn an_isolated_constructor_that_fails_or_panics_fails_the_deployment_with_its_message() {
    for (config, expected) in [
        (
            r#"{"panic_in": "new"}"#,
            "connector `f::bad`: panic error: connector panicked: misbehave: deliberate panic in New",
        ),
        (
            r#"{"error_in": "new"}"#,
            "misbehave: deliberate error in New",
        ),
    ] {
        let troy = format!(
            "define flow f\nflow\n  define connector bad from misbehave with isolation = \"process\", config = {config} end;\n  create connector bad;\nend;\ndeploy flow f;\n"
        );
        let (_work, out) = run_deployment(&troy, &[]);
        let log = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{config}:\n{log}");
        assert!(log.contains(expected), "{config}:\n{log}");
        assert!(!log.contains("died"), "{config}: not a crash:\n{log}");
    }
}
