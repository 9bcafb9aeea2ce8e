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

/// Runs the deployment of the test in `dir`; returns its exit code.
pub(super) fn run_deployment(dir: &Path, env: &Env, timeout: Duration) -> Result<i32, String> {
    let out = File::create(dir.join("fg.out.log")).map_err(|e| format!("fg.out.log: {e}"))?;
    let err = File::create(dir.join("fg.err.log")).map_err(|e| format!("fg.err.log: {e}"))?;
    let mut child = env
        .command("tremor", dir)
        .args(["server", "run", "-n", "--debug-connectors", "config.troy"])
        .stdin(Stdio::null())
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

fn spec_command(dir: &Path, spec: &ProcessSpec, env: &Env) -> Command {
    let workdir = spec
        .dir
        .as_deref()
        .map_or_else(|| dir.to_path_buf(), |d| dir.join(d));
    let mut c = env.command(&spec.cmd, &workdir);
    c.args(&spec.args).envs(&spec.env).stdin(Stdio::null());
    c
}

/// Starts the process of `spec` with its stdout and stderr going to `{log_name}.out.log` and
/// `{log_name}.err.log` in `dir`.
fn spawn_logged(
    dir: &Path,
    spec: &ProcessSpec,
    env: &Env,
    log_name: &str,
) -> Result<Child, String> {
    let log = |kind: &str| {
        File::create(dir.join(format!("{log_name}.{kind}.log"))).map_err(|e| e.to_string())
    };
    spec_command(dir, spec, env)
        .stdout(log("out")?)
        .stderr(log("err")?)
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))
}

/// Starts a before-process and waits for its `await` conditions.
pub(super) fn start_before(
    dir: &Path,
    spec: &ProcessSpec,
    index: usize,
    env: &Env,
) -> Result<Child, String> {
    let mut child = spawn_logged(dir, spec, env, &format!("bg.{index}"))?;
    let max = Duration::from_secs(spec.max_await_secs.unwrap_or(15));
    let started = Instant::now();
    for ms in spec.await_.wait_for_ms.iter().filter_map(|m| m.as_u64()) {
        std::thread::sleep(Duration::from_millis(ms).min(max));
    }
    for port in spec.await_.port_open.iter().filter_map(|p| p.as_u64()) {
        loop {
            let addr =
                std::net::SocketAddr::from(([127, 0, 0, 1], u16::try_from(port).unwrap_or(0)));
            if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                break;
            }
            if started.elapsed() > max {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "port {port} did not open within {} s",
                    max.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
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
    let mut child = spawn_logged(dir, spec, env, &format!("after.{index}"))?;
    wait(&mut child, timeout)
        .map(|_| ())
        .ok_or_else(|| "timed out".to_string())
}

/// Stops the before-processes: SIGTERM first so they can clean up, then SIGKILL.
pub(super) fn kill_all(children: &mut Vec<Child>) {
    for child in children.iter_mut() {
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
