//! The helper's side: `tremor plugin-host`, which loads one connector type (a plugin file, or
//! a builtin of this executable) and serves one instance of it over the channel on file
//! descriptor [`super::spawn::HELPER_FD`].
//!
//! The main thread reads frames and hands them to one task per part (connector, source,
//! sink), each calling its part one call at a time, as the runtime's managers do. A
//! connector call whose caller gave up (a new request arrives first) is dropped, as the
//! runtime drops the future in-process; the sink writes every batch to the end, in order
//! (the runtime keeps several in flight); an `ack`, `fail` or grant that arrives during a
//! `pull` interrupts it and the same pull starts again after (the runtime still waits for
//! it). The source pulls ahead, up to what the runtime granted, and pushes each batch (see
//! `proxy::SourceProxy`).
//! Everything the connector asks of its host goes back over the channel; so does every log
//! record of the process. The helper exits when the channel closes, and dies with the
//! runtime (`PR_SET_PDEATHSIG`, set before it started).

use super::wire::{self, to_helper, to_host, Frame, Incoming, Ready};
use crate::{
    connectors::{
        parts::{ConnectorPart, SinkPart, SourcePart},
        registry::{ConnectorType, Registry},
    },
    rt::{self, Receiver, Sender},
};
use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RArc, RStr, RString, RVec},
};
use std::{
    collections::HashMap,
    io::BufReader,
    os::unix::{io::FromRawFd, net::UnixStream},
    path::PathBuf,
    sync::{
        atomic::{AtomicU64, Ordering},
        mpsc, Arc, Mutex, PoisonError,
    },
};
use tremor_pdk::{ConnectorContext, ConnectorError, HostServices, HostServices_TO, LogLevel};

/// `tremor plugin-host` (started by the runtime, not by people).
#[derive(clap::Args, Debug, Clone)]
pub struct PluginHostArgs {
    /// The connector instance (`flow::alias`).
    #[arg(long)]
    pub alias: String,
    /// The connector type.
    #[arg(long = "type")]
    pub connector_type: String,
    /// The plugin file (a builtin of this executable without it).
    #[arg(long)]
    pub plugin: Option<PathBuf>,
    /// The plugin file's sha256 as the runtime checked it.
    #[arg(long)]
    pub sha256: Option<String>,
    /// The address-space limit in MiB (`RLIMIT_AS`).
    #[arg(long = "max-memory-mb")]
    pub max_memory_mb: Option<u64>,
}

/// The channel's writing end, shared by the part tasks, the host services and the logger.
#[derive(Clone)]
struct Out(Arc<Mutex<UnixStream>>);

impl Out {
    fn send(&self, frame: Frame) {
        let mut w = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // A failed write means the runtime is gone; the reader sees the end and we exit.
        let _ = wire::write_frame(&mut *w, frame);
    }
}

/// Runs the helper; returns the process exit code.
pub fn run(args: &PluginHostArgs) -> i32 {
    ignore_terminal_signals();
    if let Some(mb) = args.max_memory_mb {
        if let Err(e) = limit_memory(mb) {
            eprintln!("cannot limit the address space to {mb} MiB: {e}");
            return 2;
        }
    }
    // SAFETY: the runtime passes the helper's end of a socketpair as this descriptor, and
    // nothing else in this process owns it.
    let socket = unsafe { UnixStream::from_raw_fd(super::spawn::HELPER_FD) };
    let reader = match socket.try_clone() {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "no channel to the runtime on fd {}: {e}",
                super::spawn::HELPER_FD
            );
            return 2;
        }
    };
    let out = Out(Arc::new(Mutex::new(socket)));
    let mut reader = BufReader::with_capacity(wire::READ_BUFFER, reader);
    let (config, max_level) = match wire::read_frame(&mut reader) {
        Ok(Some(mut init)) if init.tag == to_helper::INIT => match (init.string(), init.u8()) {
            (Ok(config), Ok(level)) => (config, LogLevel(level)),
            _ => return 2,
        },
        // The runtime went away before it sent the config.
        _ => return 0,
    };
    let _ = log::set_boxed_logger(Box::new(Forward(out.clone())));
    log::set_max_level(max_level.to_filter());
    let metrics = Arc::new(MetricsReplies::default());
    let built = build(args, &config, &out, max_level, &metrics);
    let (parts, ready) = match built {
        Ok((parts, ready)) => (Some(parts), Ok(ready)),
        Err(e) => (None, Err(e)),
    };
    let mut frame = Frame::new(to_host::READY, 0);
    wire::put_ready(&mut frame, &ready);
    out.send(frame);
    let Some(parts) = parts else {
        return 0;
    };
    let queues = Queues::spawn(parts, &out);
    loop {
        match wire::read_frame(&mut reader) {
            Ok(Some(frame)) => queues.dispatch(frame, &metrics),
            // The runtime closed the channel (or died): nothing more to do.
            Ok(None) | Err(_) => return 0,
        }
    }
}

/// A terminal's Ctrl-C (and the other stop signals a shell sends the whole process group) is
/// the runtime's to handle: it drains and stops its connectors, then closes our channel.
fn ignore_terminal_signals() {
    for signal in [libc::SIGINT, libc::SIGQUIT, libc::SIGHUP, libc::SIGTERM] {
        // SAFETY: setting a signal's disposition to SIG_IGN has no preconditions.
        unsafe {
            libc::signal(signal, libc::SIG_IGN);
        }
    }
}

fn limit_memory(mb: u64) -> std::io::Result<()> {
    let bytes = mb.saturating_mul(1 << 20) as libc::rlim_t;
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: bytes,
    };
    // SAFETY: a plain system call on a value owned by this frame.
    if unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// The instance's parts.
struct Parts {
    connector: Box<dyn ConnectorPart>,
    source: Option<Box<dyn SourcePart>>,
    sink: Option<Box<dyn SinkPart>>,
}

fn build(
    args: &PluginHostArgs,
    config: &str,
    out: &Out,
    max_level: LogLevel,
    metrics: &Arc<MetricsReplies>,
) -> Result<(Parts, Ready), ConnectorError> {
    let ty = connector_type(args)?;
    let host = HelperHost {
        alias: args.alias.as_str().into(),
        out: out.clone(),
        max_level,
        metrics: metrics.clone(),
    };
    let ctx = ConnectorContext::new(HostServices_TO::from_ptr(RArc::new(host), TD_Opaque));
    let mut connector = ty.instantiate(ctx, config)?;
    let requirement = connector.codec_requirement();
    let source = connector.create_source()?;
    let sink = connector.create_sink()?;
    let ready = Ready {
        codec_kind: requirement.kind,
        default_codec: requirement.default_codec.as_str().to_string(),
        has_source: source.is_some(),
        has_sink: sink.is_some(),
    };
    Ok((
        Parts {
            connector,
            source,
            sink,
        },
        ready,
    ))
}

/// The connector type to serve: the plugin file (checked again: it must still be the file
/// the runtime loaded) or the builtin.
fn connector_type(args: &PluginHostArgs) -> Result<ConnectorType, ConnectorError> {
    let ty = match &args.plugin {
        Some(path) => load_plugin(path, args.sha256.as_deref())?,
        None => Registry::with_builtins()
            .get(&args.connector_type)
            .cloned()
            .ok_or_else(|| {
                ConnectorError::config(format!(
                    "this executable has no builtin connector `{}`",
                    args.connector_type
                ))
            })?,
    };
    if ty.name() != args.connector_type {
        return Err(ConnectorError::config(format!(
            "expected connector type `{}`, the helper found `{}`",
            args.connector_type,
            ty.name()
        )));
    }
    Ok(ty)
}

#[cfg(feature = "dynamic-plugins")]
fn load_plugin(
    path: &std::path::Path,
    sha256: Option<&str>,
) -> Result<ConnectorType, ConnectorError> {
    use crate::connectors::registry::Origin;
    let ty = crate::connectors::loader::load_file(path).map_err(|e| {
        ConnectorError::config(format!("cannot load plugin {}: {e}", path.display()))
    })?;
    if let (Origin::Plugin { sha256: found, .. }, Some(expected)) = (&ty.origin, sha256) {
        if found != expected {
            return Err(ConnectorError::config(format!(
                "plugin {} changed since the runtime loaded it: sha256 {found}, expected {expected}",
                path.display()
            )));
        }
    }
    Ok(ty)
}

#[cfg(not(feature = "dynamic-plugins"))]
fn load_plugin(
    path: &std::path::Path,
    _sha256: Option<&str>,
) -> Result<ConnectorType, ConnectorError> {
    Err(ConnectorError::config(format!(
        "this executable cannot load plugins ({}): built without `dynamic-plugins`",
        path.display()
    )))
}

/// Every log record of the helper (its own, and a plugin's through its logging bridge) goes
/// to the runtime's logger.
struct Forward(Out);

impl log::Log for Forward {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }
    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let mut frame = Frame::new(to_host::LOG, 0);
            let message = record.args().to_string();
            wire::put_log(&mut frame, record.level().into(), record.target(), &message);
            self.0.send(frame);
        }
    }
    fn flush(&self) {}
}

/// Answers to `take_metrics` requests, by request id.
#[derive(Default)]
struct MetricsReplies {
    next_id: AtomicU64,
    waiting: Mutex<HashMap<u64, mpsc::Sender<RVec<RVec<u8>>>>>,
}

/// The host services of the instance in the helper: each one a message to the runtime.
#[derive(Clone)]
struct HelperHost {
    alias: Arc<str>,
    out: Out,
    max_level: LogLevel,
    metrics: Arc<MetricsReplies>,
}

impl HostServices for HelperHost {
    fn alias(&self) -> RString {
        RString::from(&*self.alias)
    }

    fn connection_lost(&self) {
        self.out.send(Frame::new(to_host::CONNECTION_LOST, 0));
    }

    fn request_stop(&self, exit_code: i32, delay_ns: u64, graceful: bool) {
        let mut frame = Frame::new(to_host::REQUEST_STOP, 0);
        frame
            .u32(exit_code as u32)
            .u64(delay_ns)
            .u8(u8::from(graceful));
        self.out.send(frame);
    }

    fn log(&self, level: LogLevel, target: RStr<'_>, message: RStr<'_>) {
        if level <= self.max_level {
            let mut frame = Frame::new(to_host::LOG, 0);
            wire::put_log(&mut frame, level, target.as_str(), message.as_str());
            self.out.send(frame);
        }
    }

    fn max_log_level(&self) -> LogLevel {
        self.max_level
    }

    fn now_ns(&self) -> u64 {
        crate::event::now_ns()
    }

    fn take_metrics(&self) -> RVec<RVec<u8>> {
        let id = self.metrics.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = mpsc::channel();
        self.metrics
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, tx);
        self.out.send(Frame::new(to_host::TAKE_METRICS, id));
        rx.recv().unwrap_or_default()
    }

    fn publish_metric(&self, record: RVec<u8>) -> bool {
        let mut frame = Frame::new(to_host::PUBLISH_METRIC, 0);
        frame.bytes(&record);
        self.out.send(frame);
        true
    }
}

/// The inboxes of the part tasks.
struct Queues {
    connector: Sender<Incoming>,
    source: Option<Sender<Incoming>>,
    sink: Option<Sender<Incoming>>,
}

impl Queues {
    fn spawn(parts: Parts, out: &Out) -> Self {
        let (connector, rx) = rt::unbounded();
        rt::spawn(
            "helper connector",
            serve_connector(parts.connector, rx, out.clone()),
        );
        let source = parts.source.map(|part| {
            let (tx, rx) = rt::unbounded();
            rt::spawn("helper source", serve_source(part, rx, out.clone()));
            tx
        });
        let sink = parts.sink.map(|part| {
            let (tx, rx) = rt::unbounded();
            rt::spawn("helper sink", serve_sink(part, rx, out.clone()));
            tx
        });
        Self {
            connector,
            source,
            sink,
        }
    }

    fn dispatch(&self, mut frame: Incoming, metrics: &MetricsReplies) {
        let queue = match frame.tag {
            to_helper::CONNECT | to_helper::LIFECYCLE => Some(&self.connector),
            to_helper::PULL | to_helper::ACK | to_helper::FAIL => self.source.as_ref(),
            to_helper::BATCH | to_helper::FLUSH => self.sink.as_ref(),
            to_helper::METRICS => {
                let waiter = metrics
                    .waiting
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&frame.id);
                if let Some(tx) = waiter {
                    let _ = tx.send(metrics_of(&mut frame).unwrap_or_default());
                }
                None
            }
            _ => None,
        };
        if let Some(queue) = queue {
            let _ = queue.try_send(frame);
        }
    }
}

fn metrics_of(frame: &mut Incoming) -> Result<RVec<RVec<u8>>, wire::WireError> {
    let n = frame.u32()? as usize;
    (0..n)
        .map(|_| Ok(RVec::from_slice(frame.bytes()?)))
        .collect()
}

/// What ended a wait: the call finished, or the next request came first.
enum Step<T> {
    Done(T),
    Next(Option<Incoming>),
}

/// Runs `call`, unless a request arrives on `rx` first (then the call is dropped).
async fn unless_next<T>(
    rx: &Receiver<Incoming>,
    call: impl std::future::Future<Output = T>,
) -> Step<T> {
    rt::race(async { Step::Done(call.await) }, async {
        Step::Next(rx.recv().await.ok())
    })
    .await
}

fn reply_unit(out: &Out, id: u64, r: &Result<(), ConnectorError>) {
    let mut frame = Frame::new(to_host::DONE, id);
    frame.result(r, |_, ()| {});
    out.send(frame);
}

async fn serve_connector(mut part: Box<dyn ConnectorPart>, rx: Receiver<Incoming>, out: Out) {
    let mut next = rx.recv().await.ok();
    while let Some(mut req) = next.take() {
        let id = req.id;
        match req.tag {
            to_helper::CONNECT => {
                let attempt = req.u64().unwrap_or(1);
                match unless_next(&rx, part.connect(attempt)).await {
                    Step::Done(r) => {
                        let mut frame = Frame::new(to_host::DONE, id);
                        frame.result(&r, |f, ok| {
                            f.u8(u8::from(*ok));
                        });
                        out.send(frame);
                    }
                    Step::Next(msg) => {
                        next = msg;
                        continue;
                    }
                }
            }
            _ => {
                let step = req.u8().map_err(|e| e.to_string());
                let step = step.and_then(|s| wire::lifecycle_of(s).map_err(|e| e.to_string()));
                match step {
                    Ok(step) => match unless_next(&rx, part.lifecycle(step)).await {
                        Step::Done(r) => reply_unit(&out, id, &r),
                        Step::Next(msg) => {
                            next = msg;
                            continue;
                        }
                    },
                    Err(e) => reply_unit(&out, id, &Err(ConnectorError::other(e))),
                }
            }
        }
        next = rx.recv().await.ok();
    }
}

/// Serves the source: pushes the batch of every pull the runtime asks for (`PULL N L`, frame
/// id N) and keeps pulling while the replies say the runtime will want more at once
/// ([`wire::pulls_on`]), up to the limit L the runtime granted (see `proxy::SourceProxy`). An
/// `ack`, `fail` or grant that arrives during a pull interrupts it; the same pull starts again
/// after.
async fn serve_source(mut part: Box<dyn SourcePart>, rx: Receiver<Incoming>, out: Out) {
    // The highest pull the runtime allows, and the next pull to make.
    let mut limit: Option<u64> = None;
    let mut next: Option<u64> = None;
    loop {
        let allowed = next.filter(|n| limit.is_some_and(|l| *n <= l));
        let msg = match allowed {
            Some(pull_id) => match unless_next(&rx, part.pull(pull_id)).await {
                Step::Done(reply) => {
                    let size = reply.as_ref().map_or(64, wire::source_reply_size);
                    let mut frame = Frame::with_capacity(to_host::PULLED, pull_id, size);
                    frame.result(&reply, wire::put_source_reply);
                    out.send(frame);
                    next = wire::pulls_on(&reply).then_some(pull_id + 1);
                    continue;
                }
                Step::Next(msg) => msg,
            },
            None => rx.recv().await.ok(),
        };
        let Some(mut msg) = msg else { return };
        match msg.tag {
            to_helper::PULL => {
                if let (Ok(pull_id), Ok(up_to)) = (msg.u64(), msg.u64()) {
                    limit = Some(limit.map_or(up_to, |l| l.max(up_to)));
                    // Unless it was pulled ahead (then `next` is beyond it already).
                    if next.is_none_or(|n| n < pull_id) {
                        next = Some(pull_id);
                    }
                }
            }
            tag => {
                let (Ok(stream), Ok(pull_id)) = (msg.u64(), msg.u64()) else {
                    continue;
                };
                let r = if tag == to_helper::ACK {
                    part.ack(stream, pull_id)
                } else {
                    part.fail(stream, pull_id)
                };
                if let Err(e) = r {
                    let mut frame = Frame::new(to_host::PART_ERROR, 0);
                    frame.error(&e);
                    out.send(frame);
                }
            }
        }
    }
}

/// Serves the sink: writes the batches in the order they come, each to the end (the runtime
/// keeps several in flight and gives none up), and replies to each; then `flush`.
async fn serve_sink(mut part: Box<dyn SinkPart>, rx: Receiver<Incoming>, out: Out) {
    while let Ok(mut req) = rx.recv().await {
        let id = req.id;
        if req.tag != to_helper::BATCH {
            reply_unit(&out, id, &part.flush().await);
            continue;
        }
        let replies = match wire::get_sink_batch(&mut req) {
            Ok(batch) => {
                let events = batch.events();
                part.on_batch(batch.batch(&events)).await
            }
            Err(e) => Err(ConnectorError::other(format!("unreadable batch: {e}"))),
        };
        let mut frame = Frame::new(to_host::REPLIES, id);
        frame.result(&replies, wire::put_sink_replies);
        out.send(frame);
    }
}
