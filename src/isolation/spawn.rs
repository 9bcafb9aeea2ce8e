//! Starting a helper process: `tremor plugin-host ...` (this very executable), its end of a
//! socketpair as file descriptor [`HELPER_FD`], stdin and stdout shared with the runtime,
//! stderr piped to the runtime's log.
//!
//! The helper gets `PR_SET_PDEATHSIG(SIGKILL)` before it runs anything: it dies with the
//! runtime, whatever way the runtime ends. Linux sends that signal when the *thread* that
//! forked the helper ends, so every helper is forked by one thread that lives as long as the
//! process ([`spawn`] hands the command to it).

use std::{
    io,
    os::unix::{io::AsRawFd, net::UnixStream, process::CommandExt},
    path::PathBuf,
    process::{Child, ChildStderr, Command, Stdio},
    sync::{mpsc, Mutex, OnceLock, PoisonError},
};
use tremor_pdk::ConnectorError;

/// The helper's end of the channel, as file descriptor number.
pub(crate) const HELPER_FD: i32 = 3;

/// What a helper is started with.
#[derive(Debug, Clone)]
pub(crate) struct HelperCommand {
    /// The connector instance (`flow::alias`), for its log lines.
    pub(crate) alias: String,
    /// The connector type.
    pub(crate) connector_type: String,
    /// The plugin file with its sha256; `None` for a builtin connector of this executable.
    pub(crate) plugin: Option<(PathBuf, String)>,
    /// The address-space limit in MiB.
    pub(crate) max_memory_mb: Option<u64>,
}

impl HelperCommand {
    /// The arguments after the executable.
    pub(crate) fn args(&self) -> Vec<String> {
        let mut args = vec![
            "plugin-host".to_string(),
            "--alias".to_string(),
            self.alias.clone(),
            "--type".to_string(),
            self.connector_type.clone(),
        ];
        if let Some((path, sha256)) = &self.plugin {
            args.extend([
                "--plugin".to_string(),
                path.display().to_string(),
                "--sha256".to_string(),
                sha256.clone(),
            ]);
        }
        if let Some(mb) = self.max_memory_mb {
            args.extend(["--max-memory-mb".to_string(), mb.to_string()]);
        }
        args
    }
}

/// A started helper.
pub(crate) struct Started {
    pub(crate) child: Child,
    /// The runtime's end of the channel.
    pub(crate) socket: UnixStream,
    pub(crate) stderr: Option<ChildStderr>,
}

type Request = (HelperCommand, mpsc::Sender<io::Result<Started>>);

/// Starts a helper from the process's spawning thread.
pub(crate) fn spawn(helper: HelperCommand) -> Result<Started, ConnectorError> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<Request>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Request>();
        let thread = std::thread::Builder::new()
            .name("helper spawner".into())
            .spawn(move || {
                for (helper, reply) in rx {
                    let _ = reply.send(spawn_here(&helper));
                }
            });
        if let Err(e) = thread {
            log::error!("cannot start the helper spawner thread: {e}");
        }
        Mutex::new(tx)
    });
    let (reply_tx, reply_rx) = mpsc::channel();
    let sent = spawner
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .send((helper.clone(), reply_tx));
    let started = match sent {
        Ok(()) => reply_rx
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("the helper spawner thread is gone"))),
        Err(_) => Err(io::Error::other("the helper spawner thread is gone")),
    };
    started.map_err(|e| {
        ConnectorError::io(format!(
            "cannot start a helper process for {}: {e}",
            helper.alias
        ))
    })
}

/// The socket buffer each end asks for: room for the batches either side keeps in flight
/// (the sink's window and the source's read-ahead), so that a writer — a task of the
/// runtime's or the helper's executor — does not block on a full channel while its peer is
/// busy. The kernel caps it (`net.core.wmem_max`/`rmem_max`); smaller is slower, not wrong.
const SOCKET_BUFFER: libc::c_int = 4 << 20;

fn enlarge_buffers(socket: &UnixStream) {
    for option in [libc::SO_SNDBUF, libc::SO_RCVBUF] {
        // SAFETY: setsockopt reads `size_of::<c_int>()` bytes from a live local value; the
        // descriptor is owned by `socket` for the whole call.
        unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::SOL_SOCKET,
                option,
                std::ptr::from_ref(&SOCKET_BUFFER).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
}

fn spawn_here(helper: &HelperCommand) -> io::Result<Started> {
    let exe = std::env::current_exe()?;
    let (socket, helper_end) = UnixStream::pair()?;
    for end in [&socket, &helper_end] {
        enlarge_buffers(end);
    }
    let fd = helper_end.as_raw_fd();
    let parent = std::process::id();
    let mut command = Command::new(exe);
    command
        .args(helper.args())
        .stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped());
    if helper.max_memory_mb.is_some() {
        // mimalloc (the helper's and the plugin's) reserves 1 GiB of address space per arena
        // up front; under RLIMIT_AS that reservation alone would exhaust a modest limit. With
        // none it maps segments as it needs them, and the limit counts memory in use.
        command.env("MIMALLOC_ARENA_RESERVE", "0");
    }
    // SAFETY: the closure runs in the forked child before exec and calls only
    // async-signal-safe functions (dup2, fcntl, prctl, getppid) on values copied into it.
    unsafe {
        command.pre_exec(move || {
            if libc::dup2(fd, HELPER_FD) < 0 || libc::fcntl(HELPER_FD, libc::F_SETFD, 0) < 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) < 0 {
                return Err(io::Error::last_os_error());
            }
            // The runtime may have died between fork and prctl: then nothing would kill us.
            if libc::getppid() != parent as libc::pid_t {
                return Err(io::Error::other("the runtime is gone"));
            }
            Ok(())
        });
    }
    let mut child = command.spawn()?;
    drop(helper_end);
    let stderr = child.stderr.take();
    Ok(Started {
        child,
        socket,
        stderr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_names_the_instance_the_file_and_the_limit() {
        let helper = HelperCommand {
            alias: "f::c".into(),
            connector_type: "crash".into(),
            plugin: Some((PathBuf::from("/p/libx.so"), "ab".into())),
            max_memory_mb: Some(64),
        };
        assert_eq!(
            helper.args().join(" "),
            "plugin-host --alias f::c --type crash --plugin /p/libx.so --sha256 ab --max-memory-mb 64"
        );
    }
}
