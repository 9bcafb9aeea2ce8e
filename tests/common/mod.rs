//! What the process-level tests (`cli.rs`, `plugins.rs`) share: running the `tremor` binary
//! with a time limit, and the deployments they run.

// Each test binary includes this module and uses a part of it.
#![allow(dead_code)]

use std::{
    path::Path,
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

/// How long any `tremor` process of a test may run before it is killed.
pub const PROCESS_LIMIT: Duration = Duration::from_secs(60);

/// The `tremor` binary of this build, logging at `info`, with no stdin and captured output.
pub fn tremor() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tremor"));
    c.env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Waits for `child` for at most [`PROCESS_LIMIT`]; then kills it and fails the test with what
/// it wrote to stderr.
pub fn finish(mut child: Child) -> Output {
    let deadline = Instant::now() + PROCESS_LIMIT;
    while child.try_wait().expect("waitable").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "the process did not end within {PROCESS_LIMIT:?}:\n{}",
                text(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// Runs `command` to its end (see [`finish`]).
pub fn run(command: &mut Command) -> Output {
    finish(command.spawn().expect("tremor starts"))
}

/// Output bytes as text, for assertions and failure messages.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes `troy` as `config.troy` into `dir`.
pub fn write_config(dir: &Path, troy: &str) {
    std::fs::write(dir.join("config.troy"), troy).expect("write config.troy");
}

/// A flow `main` in which metronome ticks (every `interval_ns`: a number, or any expression
/// that evaluates to one) go through the pipeline statement `select` (`... from in into out`)
/// to the connector `sink`, created from `sink_definition` (a `define connector sink ...;`
/// statement).
pub fn ticks_into(
    interval_ns: impl std::fmt::Display,
    select: &str,
    sink_definition: &str,
) -> String {
    format!(
        r#"
define flow main
flow
  define connector ticks from metronome with config = {{"interval": {interval_ns}}} end;
  {sink_definition}
  define pipeline main
  pipeline
    {select};
  end;
  create connector ticks;
  create connector sink;
  create pipeline main;
  connect /connector/ticks to /pipeline/main;
  connect /pipeline/main to /connector/sink;
end;
deploy flow main;
"#
    )
}

/// A flow `main` that copies the events of connector `input` (created from
/// `input_definition`, a `define connector input ...;` statement) as sorted JSON lines to the
/// file `output_path`, until the event `"exit"` arrives, which ends the process with code 0.
pub fn copy_until_exit(input_definition: &str, output_path: &str) -> String {
    let flow = flow_until_exit(
        "main",
        input_definition,
        r#"select event from in where event != "exit""#,
        r#"event == "exit""#,
        ("json-sorted", output_path),
    );
    format!("{flow}\ndeploy flow main;\n")
}

/// A flow `name` (its definition, not deployed): the events of connector `input` (created
/// from `input_definition`, a `define connector input ...;` statement) go through the pipeline
/// statement `select` (`select ... from in [where ...]`) to the file `output.1` as lines in
/// codec `output.0`; the first event for which `exit_when` holds ends the process with code 0.
pub fn flow_until_exit(
    name: &str,
    input_definition: &str,
    select: &str,
    exit_when: &str,
    (codec, path): (&str, &str),
) -> String {
    format!(
        r#"
define flow {name}
flow
  {input_definition}
  define connector output from file
  with
    codec = "{codec}",
    postprocessors = ["separate"],
    config = {{"path": "{path}", "mode": "truncate"}}
  end;
  define connector exit from exit;
  define pipeline main
  into out, exit
  pipeline
    {select} into out;
    select {{"exit": 0}} from in where {exit_when} into exit;
  end;
  create connector input;
  create connector output;
  create connector exit;
  create pipeline main;
  connect /connector/input to /pipeline/main;
  connect /pipeline/main/out to /connector/output;
  connect /pipeline/main/exit to /connector/exit;
end;
"#
    )
}

/// The first directory of the path list in environment variable `var` (set by ci/test.sh for
/// the dynamic build: `TREMOR_PLUGIN_PATH`, `TREMOR_TEST_PLUGIN_FIXTURES`).
pub fn dir_from_env(var: &str) -> std::path::PathBuf {
    let value = std::env::var_os(var)
        .unwrap_or_else(|| panic!("{var} is not set: run ci/test.sh, which builds the plugins"));
    let first = std::env::split_paths(&value)
        .next()
        .unwrap_or_else(|| panic!("{var} is empty"));
    assert!(
        first.is_dir(),
        "{var}={} is not a directory",
        first.display()
    );
    first
}

/// The directory with every connector built as a plugin (ci/build-plugins.sh).
pub fn good_plugins() -> std::path::PathBuf {
    dir_from_env("TREMOR_PLUGIN_PATH")
}

/// The directory with the misbehaving and broken plugin fixtures.
pub fn fixtures() -> std::path::PathBuf {
    dir_from_env("TREMOR_TEST_PLUGIN_FIXTURES")
}
