//! Starting, waiting for and killing the processes of a test.

use super::spec::ProcessSpec;
use std::{
    ffi::OsString,
    fs::File,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The environment every process of a test gets.
pub(super) struct Env {
    tremor_path: Option<OsString>,
    exe: PathBuf,
}

impl Env {
    pub(super) fn new(tremor_path: Option<OsString>) -> Self {
        Self {
            tremor_path,
            exe: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("tremor")),
        }
    }

    fn command(&self, cmd: &str, dir: &Path) -> Command {
        let program = if cmd == "tremor" {
            self.exe.clone()
        } else {
            PathBuf::from(cmd)
        };
        let mut c = Command::new(program);
        c.current_dir(dir);
        if let Some(p) = &self.tremor_path {
            c.env("TREMOR_PATH", p);
        }
        // TREMOR_PLUGIN_PATH is inherited as is: the processes see the same plugins.
        c
    }
}

/// The deployment files of a test: `config.troy` when there is one, else every `*.troy`
/// directly in `dir` (any case), by name, as Tremor's runner passes them. (Tremor passes every
/// `*.troy` even beside a `config.troy`; this suite keeps the deployments of its
/// before-processes next to `config.troy`, and no Tremor test directory has two.)
pub(super) fn deployment_files(dir: &Path) -> Vec<OsString> {
    if dir.join("config.troy").is_file() {
        return vec!["config.troy".into()];
    }
    troy_files(dir)
}

/// Every `*.troy` directly in `dir` (any case), by name.
pub(super) fn troy_files(dir: &Path) -> Vec<OsString> {
    let mut files: Vec<OsString> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name())
                .filter(|name| {
                    Path::new(name)
                        .extension()
                        .is_some_and(|ext| ext.eq_ignore_ascii_case("troy"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Runs the deployment of the test in `dir`; returns its exit code. A file named `stdin` in
/// the test directory becomes its standard input.
pub(super) fn run_deployment(dir: &Path, env: &Env, timeout: Duration) -> Result<i32, String> {
    let out = File::create(dir.join("fg.out.log")).map_err(|e| format!("fg.out.log: {e}"))?;
    let err = File::create(dir.join("fg.err.log")).map_err(|e| format!("fg.err.log: {e}"))?;
    let stdin = match File::open(dir.join("stdin")) {
        Ok(file) => Stdio::from(file),
        Err(_) => Stdio::null(),
    };
    let mut child = env
        .command("tremor", dir)
        .args(["server", "run", "-n", "--debug-connectors"])
        .args(deployment_files(dir))
        .stdin(stdin)
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start tremor: {e}"))?;
    wait(&mut child, timeout)
        .ok_or_else(|| format!("deployment did not stop within {} s", timeout.as_secs()))
}

/// Waits up to `timeout`; kills the child and returns `None` when it is still running then.
fn wait(child: &mut Child, timeout: Duration) -> Option<i32> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status.code().unwrap_or(-1)),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// The working directory of a spec's process: its `dir` relative to the test directory.
fn workdir(dir: &Path, spec: &ProcessSpec) -> PathBuf {
    spec.dir
        .as_deref()
        .map_or_else(|| dir.to_path_buf(), |d| dir.join(d))
}

/// Starts the process of `spec` with its stdout and stderr going to `{stage}.out.{index}.log`
/// and `{stage}.err.{index}.log` in `dir` (Tremor's names), also reachable as
/// `{short}.{index}.out.log` / `.err.log` (this runner's earlier names, which tests use).
fn spawn_logged(
    dir: &Path,
    spec: &ProcessSpec,
    env: &Env,
    (stage, short, index): (&str, &str, usize),
) -> Result<Child, String> {
    let log = |kind: &str| -> Result<File, String> {
        let name = dir.join(format!("{stage}.{kind}.{index}.log"));
        let file = File::create(&name).map_err(|e| format!("{}: {e}", name.display()))?;
        let alias = dir.join(format!("{short}.{index}.{kind}.log"));
        let _ = std::fs::remove_file(&alias);
        std::fs::hard_link(&name, &alias).map_err(|e| format!("{}: {e}", alias.display()))?;
        Ok(file)
    };
    let workdir = workdir(dir, spec);
    env.command(&spec.cmd, &workdir)
        .args(&spec.args)
        .envs(&spec.env)
        .stdin(Stdio::null())
        .stdout(log("out")?)
        .stderr(log("err")?)
        .spawn()
        .map_err(|e| format!("cannot start in {}: {e}", workdir.display()))
}

/// Starts a before-process and waits for its `await` conditions.
pub(super) fn start_before(
    dir: &Path,
    spec: &ProcessSpec,
    index: usize,
    env: &Env,
) -> Result<Child, String> {
    let started = Instant::now();
    let mut child = spawn_logged(dir, spec, env, ("before", "bg", index))?;
    if let Err(e) = super::wait::await_conditions(spec, &mut child, &workdir(dir, spec), started) {
        kill_all(&mut vec![child], Duration::ZERO);
        return Err(e);
    }
    Ok(child)
}

/// Runs an after-process to completion (bounded by `timeout`).
pub(super) fn run_after(
    dir: &Path,
    spec: &ProcessSpec,
    index: usize,
    env: &Env,
    timeout: Duration,
) -> Result<(), String> {
    let mut child = spawn_logged(dir, spec, env, ("after", "after", index))?;
    wait(&mut child, timeout)
        .map(|_| ())
        .ok_or_else(|| "timed out".to_string())
}

/// Stops the before-processes: each gets `grace` to exit on its own (after-processes usually
/// stop them, e.g. with SIGQUIT, and a second signal would cut their drain short), then
/// SIGTERM so it can clean up, then SIGKILL.
pub(super) fn kill_all(children: &mut Vec<Child>, grace: Duration) {
    let deadline = Instant::now() + grace;
    for child in children.iter_mut() {
        while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // One that exited is reaped already: its pid may be reused.
        if !matches!(child.try_wait(), Ok(None)) {
            continue;
        }
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: kill(2) on a child we started and have not reaped yet, so the pid is ours.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
    }
    for mut child in children.drain(..) {
        if wait(&mut child, Duration::from_secs(5)).is_none() {
            log::warn!("a before-process ignored SIGTERM and was killed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn troy_files_are_every_troy_file_by_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["b.troy", "a.TROY", "config.troy", "notes.txt", "lib.tremor"] {
            std::fs::write(dir.path().join(name), "").expect("write");
        }
        std::fs::create_dir(dir.path().join("sub.troy")).expect("mkdir");
        assert_eq!(troy_files(dir.path()), ["a.TROY", "b.troy", "config.troy"]);
        assert_eq!(deployment_files(dir.path()), ["config.troy"]);
        std::fs::remove_file(dir.path().join("config.troy")).expect("rm");
        assert_eq!(deployment_files(dir.path()), ["a.TROY", "b.troy"]);
    }
}
