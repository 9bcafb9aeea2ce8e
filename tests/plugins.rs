//! Plugin loading and isolation, in the build without builtin connectors.
//!
//! Needs the plugins built by `ci/build-plugins.sh` (directory in `TREMOR_PLUGIN_PATH`) and
//! the fixtures built by `ci/build-plugins.sh --fixtures` (directory in
//! `TREMOR_TEST_PLUGIN_FIXTURES`); `ci/test.sh` builds both and sets the variables.
#![cfg(feature = "dynamic-plugins")]

mod common;

use common::{copy_until_exit, fixtures, flow_until_exit, good_plugins, text, write_config};
use std::{
    path::{Path, PathBuf},
    process::Output,
};

/// Fragments of the run-time failure messages, asserted on real output below and shown in the
/// plugin guide's table (`the_plugin_guide_shows_the_run_time_failure_lines`).
const RESTARTING: &str = "restarting a fresh instance in";
const QUARANTINED: &str = "quarantined after";
const NO_RETRY_LEFT: &str = "failure(s), no retry left per its reconnect policy; last error:";
const CONNECT_RETRY: &str = "connecting failed (attempt";
const IDLE: &str = "every source of the deployment has finished or failed";

/// A scratch directory next to the plugins, so plugin files can be hard-linked into it.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir_in(good_plugins().parent().expect("plugins dir has a parent"))
        .expect("scratch dir")
}

fn link(from: &Path, to_dir: &Path, name: &str) {
    let to = to_dir.join(name);
    std::fs::hard_link(from, &to)
        .or_else(|_| std::fs::copy(from, &to).map(|_| ()))
        .expect("link a plugin file");
}

/// Runs the tremor binary in `dir` with no ambient plugin path (see [`common::finish`]).
fn tremor(args: &[&str], dir: &Path) -> Output {
    common::run(
        common::tremor()
            .args(args)
            .current_dir(dir)
            .env_remove("TREMOR_PLUGIN_PATH"),
    )
}

/// Runs `tremor server run --plugin-path PLUGINS --allow-dropped-events config.troy` on `troy`
/// in a fresh directory, which is returned for the files the deployment wrote. (A failing sink
/// drops the events it was given, which makes a run exit 3 unless allowed; these tests are
/// about the process surviving, so exit code 0 means "it survived and ended cleanly".)
fn run_deployment(plugins: &Path, troy: &str) -> (tempfile::TempDir, Output) {
    let work = tempfile::tempdir().expect("work dir");
    write_config(work.path(), troy);
    let plugin_path = plugins.display().to_string();
    let out = tremor(
        &[
            "server",
            "run",
            "--plugin-path",
            &plugin_path,
            "--allow-dropped-events",
            "config.troy",
        ],
        work.path(),
    );
    (work, out)
}

/// Links the fixture plugin `file_name` into `to_dir`, under its own name.
fn link_fixture(file_name: &str, to_dir: &Path) {
    link(&fixtures().join(file_name), to_dir, file_name);
}

/// Links every plugin of [`good_plugins`] into `to_dir`, under its own name.
fn link_good_plugins(to_dir: &Path) {
    for file in plugin_files(&good_plugins()) {
        let name = file
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        link(&file, to_dir, &name);
    }
}

fn plugin_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "so"))
        .collect();
    files.sort();
    files
}

#[test]
fn plugins_list_shows_every_connector_with_its_file() {
    let dir = good_plugins();
    let plugin_path = dir.display().to_string();
    let out = tremor(&["plugins", "list", "--plugin-path", &plugin_path], &dir);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let files = plugin_files(&dir);
    assert!(
        files.len() >= 6,
        "expected the connector plugins in {}",
        dir.display()
    );
    for file in files {
        let shown = file.display().to_string();
        assert!(stdout.contains(&shown), "{shown} missing from:\n{stdout}");
    }
    for ty in ["bench", "exit", "file", "metronome", "null", "stdio"] {
        assert!(
            stdout.lines().any(|l| l.starts_with(&format!("{ty} "))),
            "type {ty} missing from:\n{stdout}"
        );
    }
    assert!(stdout.contains("sha256 "), "{stdout}");
}

#[test]
fn bad_plugins_are_named_and_skipped_and_good_ones_still_run() {
    let zoo = scratch();
    link_good_plugins(zoo.path());
    // A second file providing `file`: sorts after the original, so the original is kept.
    link(
        &good_plugins().join("libtremor_connector_file.so"),
        zoo.path(),
        "libtremor_connector_file_again.so",
    );
    std::fs::write(
        zoo.path().join("libtremor_connector_garbage.so"),
        (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect::<Vec<_>>(),
    )
    .expect("write garbage");
    link_fixture("libtremor_test_not_a_plugin.so", zoo.path());
    link_fixture("libtremor_test_old_interface.so", zoo.path());
    let zoo_path = zoo.path().display().to_string();

    let out = tremor(&["plugins", "list", "--plugin-path", &zoo_path], zoo.path());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("libtremor_connector_garbage.so: not a loadable shared library"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "libtremor_test_not_a_plugin.so: a shared library, but not a tremor connector plugin"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "libtremor_test_old_interface.so: built against tremor-pdk 9.9.9; this runtime accepts {}.x",
            tremor_pdk::INTERFACE_VERSION
                .rsplit_once('.')
                .map_or("", |(minor, _)| minor)
        )),
        "{stderr}"
    );
    let dup = stderr
        .lines()
        .find(|l| l.contains("connector type `file` is provided twice"))
        .unwrap_or_else(|| panic!("no duplicate warning in:\n{stderr}"));
    assert!(
        dup.contains("libtremor_connector_file.so")
            && dup.contains("libtremor_connector_file_again.so"),
        "both origins must be named: {dup}"
    );
    assert!(stdout.contains("libtremor_connector_file.so"), "{stdout}");

    // The deployment still runs with the good plugins from the same directory.
    let work = tempfile::tempdir().expect("work dir");
    let file_json = r#"define connector input from file
  with codec = "json", preprocessors = ["separate"], config = {"path": "in.json", "mode": "read"} end;"#;
    write_config(work.path(), &copy_until_exit(file_json, "out.json"));
    std::fs::write(
        work.path().join("in.json"),
        "{\"b\": 1, \"a\": [true]}\n\"exit\"\n",
    )
    .expect("write");
    let out = tremor(
        &["server", "run", "--plugin-path", &zoo_path, "config.troy"],
        work.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(work.path().join("out.json")).expect("output written");
    assert_eq!(written, "{\"a\":[true],\"b\":1}\n");
    // `log` calls inside the exit plugin reach the host's logger through the bridge.
    assert!(
        text(&out.stderr).contains("[main::exit] exit requested"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn plugin_directories_writable_by_others_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch();
    link(
        &good_plugins().join("libtremor_connector_null.so"),
        dir.path(),
        "libtremor_connector_null.so",
    );
    let path = dir.path().display().to_string();
    // Writable by everyone, or by the group only: either could swap the code we run.
    for (mode, who) in [(0o777, "other users"), (0o770, "its group")] {
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).expect("chmod");
        let out = tremor(&["plugins", "list", "--plugin-path", &path], dir.path());
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(
            stderr.contains(&format!(
                "plugin directory {path}: refused: {path} is writable by {who}"
            )),
            "{stderr}"
        );
        assert!(
            !stdout.contains("null "),
            "nothing may load from there:\n{stdout}"
        );
    }
}

/// Two flows: `bad` feeds the misbehaving connector, `good` writes metronome ticks to a file
/// and ends the deployment after the fifth tick.
fn two_flows(misbehave_config: &str) -> String {
    let good = flow_until_exit(
        "good",
        r#"define connector input from metronome with config = {"interval": 10000000} end;"#,
        "select event.id from in",
        "event.id == 5",
        ("json", "good.json"),
    );
    format!(
        r#"
define flow bad
flow
  define connector ticks from metronome with config = {{"interval": 5000000}} end;
  define connector bad from misbehave with config = {misbehave_config} end;
  define pipeline fwd
  pipeline
    select event from in into out;
  end;
  create connector ticks;
  create connector bad;
  create pipeline fwd;
  create pipeline back from fwd;
  connect /connector/ticks to /pipeline/fwd;
  connect /pipeline/fwd to /connector/bad;
  connect /connector/bad to /pipeline/back;
  connect /pipeline/back to /connector/bad;
end;
{good}
deploy flow bad;
deploy flow good;
"#
    )
}

#[test]
fn a_panicking_or_failing_plugin_fails_alone() {
    let plugins = scratch();
    link_good_plugins(plugins.path());
    link_fixture("libtremor_test_plugin_misbehave.so", plugins.path());
    for (config, expect) in [
        (r#"{"panic_in": "connect"}"#, "deliberate panic in Connect"),
        (r#"{"panic_in": "pull"}"#, "deliberate panic in Pull"),
        (r#"{"panic_in": "on_batch"}"#, "deliberate panic in OnBatch"),
        (r#"{"error_in": "connect"}"#, "deliberate error in Connect"),
        (r#"{"error_in": "pull"}"#, "deliberate error in Pull"),
        (r#"{"error_in": "on_batch"}"#, "deliberate error in OnBatch"),
    ] {
        let (work, out) = run_deployment(plugins.path(), &two_flows(config));
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{config}: the process must survive:\n{stderr}"
        );
        assert!(
            stderr
                .lines()
                .any(|l| l.contains("[bad::bad]") && l.contains(expect)),
            "{config}: the error must be logged with the connector alias:\n{stderr}"
        );
        let good = std::fs::read_to_string(work.path().join("good.json")).expect("good flow wrote");
        for id in 0..=5 {
            assert!(
                good.lines().any(|l| l == id.to_string()),
                "{config}: tick {id} missing:\n{good}"
            );
        }
    }
}

#[test]
fn a_panicking_or_failing_constructor_fails_the_deployment_with_a_message() {
    let plugins = scratch();
    link_fixture("libtremor_test_plugin_misbehave.so", plugins.path());
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
        let troy = format!("define flow f\nflow\n  define connector bad from misbehave with config = {config} end;\n  create connector bad;\nend;\ndeploy flow f;\n");
        let (_work, out) = run_deployment(plugins.path(), &troy);
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{config}: a clean exit 1, not a crash:\n{stderr}"
        );
        assert!(stderr.contains(expected), "{config}:\n{stderr}");
        assert!(stderr.contains("connector `f::bad`"), "{config}:\n{stderr}");
    }
}

/// A flow whose `flaky` connector (configured with `flaky_config`, reconnect policy: two
/// retries 10 ms apart) writes its events to `out.json`; a second flow ends the process after
/// its fifth metronome tick, 100 ms apart.
fn flaky_flows(flaky_config: &str) -> String {
    let clock = flow_until_exit(
        "clock",
        r#"define connector input from metronome with config = {"interval": 100000000} end;"#,
        "select event.id from in",
        "event.id == 5",
        ("json", "ticks.json"),
    );
    format!(
        r#"
define flow f
flow
  define connector flaky from flaky
  with
    reconnect = {{"retry": {{"interval_ms": 10, "growth_rate": 1, "max_retries": 2, "randomized": false}}}},
    config = {flaky_config}
  end;
  define connector output from file
  with
    codec = "json", postprocessors = ["separate"], config = {{"path": "out.json", "mode": "truncate"}}
  end;
  define pipeline fwd
  pipeline
    select event from in into out;
  end;
  create connector flaky;
  create connector output;
  create pipeline fwd;
  connect /connector/flaky to /pipeline/fwd;
  connect /pipeline/fwd to /connector/output;
end;
{clock}
deploy flow f;
deploy flow clock;
"#
    )
}

fn flaky_plugins() -> tempfile::TempDir {
    let plugins = scratch();
    link_good_plugins(plugins.path());
    link_fixture("libtremor_test_plugin_flaky.so", plugins.path());
    plugins
}

#[test]
fn a_plugin_that_panics_is_restarted_fresh_per_policy_then_quarantined_with_one_line() {
    let plugins = flaky_plugins();
    let (work, out) = run_deployment(plugins.path(), &flaky_flows(r#"{"panic_after": 3}"#));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Three instances (the first and two restarts), three events each.
    let written = std::fs::read_to_string(work.path().join("out.json")).expect("output");
    let expected: Vec<String> = (1..=3)
        .flat_map(|i| (0..3).map(move |n| format!("{{\"instance\":{i},\"n\":{n}}}")))
        .collect();
    assert_eq!(written.lines().collect::<Vec<_>>(), expected, "{stderr}");
    // The plugin's panics reach the log as the runtime's error lines, not as the plugin's
    // own standard library printing `thread '…' panicked at …` to stderr.
    assert!(
        !stderr.contains("panicked at tests/plugins/flaky"),
        "{stderr}"
    );
    let restarts: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("[f::flaky] failed (") && l.contains(&format!("{RESTARTING} 10 ms")))
        .collect();
    assert_eq!(restarts.len(), 2, "{stderr}");
    let quarantined: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(&format!("[f::flaky] {QUARANTINED} 3 {NO_RETRY_LEFT}")))
        .collect();
    assert_eq!(quarantined.len(), 1, "{stderr}");
    assert!(
        quarantined[0].contains("last error: panic error: connector panicked: flaky: deliberate panic in instance 3 after 3 events"),
        "{}",
        quarantined[0]
    );
}

#[test]
fn a_plugin_that_fails_its_first_connect_runs_after_a_retry() {
    let plugins = flaky_plugins();
    let (work, out) = run_deployment(
        plugins.path(),
        &flaky_flows(r#"{"fail_connects": 1, "count": 3}"#),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let written = std::fs::read_to_string(work.path().join("out.json")).expect("output");
    assert_eq!(
        written.lines().collect::<Vec<_>>(),
        [
            r#"{"instance":1,"n":0}"#,
            r#"{"instance":1,"n":1}"#,
            r#"{"instance":1,"n":2}"#
        ],
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("[f::flaky] {CONNECT_RETRY} 1): connection error: flaky: deliberate failure of connect 1")),
        "{stderr}"
    );
    assert!(
        stderr.contains("[f::flaky] connected after 2 attempts"),
        "{stderr}"
    );
}

#[test]
fn a_deployment_whose_sources_all_finished_or_were_quarantined_says_so_once() {
    let plugins = flaky_plugins();
    // One source finishes after two events, the other is quarantined at its first panic;
    // nothing stops the process, so the test kills it once the log says it runs idle.
    let troy = r#"
define flow f
flow
  define connector done from flaky with config = {"count": 2} end;
  define connector broken from flaky with config = {"panic_after": 1} end;
  define connector output from file
  with
    codec = "json", postprocessors = ["separate"], config = {"path": "out.json", "mode": "truncate"}
  end;
  define pipeline fwd
  pipeline
    select event from in into out;
  end;
  create connector done;
  create connector broken;
  create connector output;
  create pipeline fwd;
  connect /connector/done to /pipeline/fwd;
  connect /connector/broken to /pipeline/fwd;
  connect /pipeline/fwd to /connector/output;
end;
deploy flow f;
"#;
    let work = tempfile::tempdir().expect("work dir");
    write_config(work.path(), troy);
    let log = work.path().join("stderr.log");
    let plugin_path = plugins.path().display().to_string();
    let mut child = common::tremor()
        .args([
            "server",
            "run",
            "--plugin-path",
            &plugin_path,
            "config.troy",
        ])
        .current_dir(work.path())
        .env_remove("TREMOR_PLUGIN_PATH")
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("tremor starts");
    let idle = IDLE;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut stderr = String::new();
    while std::time::Instant::now() < deadline && !stderr.contains(idle) {
        std::thread::sleep(std::time::Duration::from_millis(50));
        stderr = std::fs::read_to_string(&log).unwrap_or_default();
    }
    // Still running: an idle deployment is not ended for the operator.
    let still_running = child.try_wait().expect("waitable").is_none();
    let _ = child.kill();
    let _ = child.wait();
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(still_running, "{stderr}");
    assert_eq!(stderr.matches(idle).count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("[f::broken] {QUARANTINED} 1 {NO_RETRY_LEFT}")),
        "{stderr}"
    );
}

#[test]
fn the_plugin_guide_shows_the_run_time_failure_lines() {
    let guide =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/plugins.md"))
            .expect("docs/plugins.md");
    for fragment in [
        format!("[FLOW::ALIAS] failed (N failure(s) so far): ERROR; {RESTARTING} MS ms"),
        format!("[FLOW::ALIAS] {QUARANTINED} N {NO_RETRY_LEFT} ERROR"),
        format!("[FLOW::ALIAS] {CONNECT_RETRY} N): ERROR; retrying in MS ms"),
        format!("{IDLE} (the last, FLOW::ALIAS: WHY)"),
    ] {
        assert!(
            guide.contains(&fragment),
            "docs/plugins.md does not show `{fragment}`"
        );
    }
}
