//! The runtime's side of an isolated connector: the helper process, the channel to it, and
//! the proxies that stand for the connector and its parts in the managers.
//!
//! One reader thread per helper takes every frame off the channel: replies go to the call
//! waiting for them (by request id), host-service calls of the connector (log, connection
//! lost, stop request, metrics) are served on the spot. When the channel ends without the
//! runtime having closed it, the helper died: the reader tells the connector manager
//! (`PartFailed`, which restarts or quarantines the connector per its reconnect policy), then
//! fails every call still waiting — except a pending `pull`, which never completes (its
//! failure is the one the reader reported; the source manager drops it when told to pause).

use super::{
    spawn,
    wire::{self, to_helper, to_host, Frame, Incoming, Ready},
};
use crate::{
    connectors::{
        msg::ConnectorMsg,
        parts::{ConnectorPart, LateReplies, Lifecycle, SinkPart, SourcePart},
    },
    rt::{self, Receiver, Sender},
};
use async_trait::async_trait;
use std::{
    collections::HashMap,
    io::BufReader,
    os::unix::net::UnixStream,
    process::{Child, ExitStatus},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        mpsc, Arc, Mutex, PoisonError,
    },
    time::{Duration, Instant},
};
use tremor_pdk::{
    CodecRequirement, ConnectorContext, ConnectorError, ErrorKind, LogLevel, SinkBatch,
    SinkReplies, SourceReply,
};

/// How long a helper may take to build its connector instance.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a helper whose channel was closed gets to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(5);

type Reply = Result<Incoming, ConnectorError>;

/// The calls waiting for a reply, and why the helper is gone once it is.
#[derive(Default)]
struct Pending {
    waiting: HashMap<u64, Sender<Reply>>,
    dead: Option<ConnectorError>,
}

/// What the reader thread and the proxies share.
struct Shared {
    alias: Arc<str>,
    pid: u32,
    writer: Mutex<UnixStream>,
    pending: Mutex<Pending>,
    next_id: AtomicU64,
    /// The runtime closed the channel on purpose: the helper's exit is not a failure.
    closing: AtomicBool,
    /// The source's batches, in pull order, as the helper pushes them (see [`SourceProxy`]).
    pulled: Sender<Incoming>,
}

impl Shared {
    fn write(&self, frame: Frame) -> std::io::Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        wire::write_frame(&mut *writer, frame)
    }

    /// Closes the channel on purpose: the helper exits, and that is not a failure.
    fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        let writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = writer.shutdown(std::net::Shutdown::Both);
    }

    fn dead(&self) -> Option<ConnectorError> {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .dead
            .clone()
    }

    /// Sends a request; its reply arrives on the receiver.
    fn request(
        &self,
        tag: u8,
        payload: usize,
        fill: impl FnOnce(&mut Frame),
    ) -> Result<Receiver<Reply>, ConnectorError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = rt::bounded(1);
        {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(dead) = &pending.dead {
                return Err(dead.clone());
            }
            pending.waiting.insert(id, tx);
        }
        let mut frame = Frame::with_capacity(tag, id, payload);
        fill(&mut frame);
        if let Err(e) = self.write(frame) {
            self.forget(id);
            return Err(self.dead().unwrap_or_else(|| {
                ConnectorError::other(format!("cannot reach helper process {}: {e}", self.pid))
            }));
        }
        Ok(rx)
    }

    fn forget(&self, id: u64) {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .waiting
            .remove(&id);
    }

    /// Sends a request and waits for its reply.
    async fn call(
        &self,
        tag: u8,
        payload: usize,
        fill: impl FnOnce(&mut Frame),
    ) -> Result<Incoming, ConnectorError> {
        let rx = self.request(tag, payload, fill)?;
        self.wait(&rx).await
    }

    async fn wait(&self, rx: &Receiver<Reply>) -> Result<Incoming, ConnectorError> {
        match rx.recv().await {
            Ok(reply) => reply,
            Err(_) => Err(self
                .dead()
                .unwrap_or_else(|| ConnectorError::other("the helper process is gone"))),
        }
    }

    /// Sends a notice (no reply). A failure to write means the helper is gone, which the
    /// reader reports.
    fn notify(&self, tag: u8, fill: impl FnOnce(&mut Frame)) {
        let mut frame = Frame::new(tag, 0);
        fill(&mut frame);
        let _ = self.write(frame);
    }

    fn malformed(&self, e: &wire::WireError) -> ConnectorError {
        ConnectorError::other(format!(
            "helper process {} sent a reply this runtime cannot read: {e}",
            self.pid
        ))
    }
}

/// The channel to one helper process; the proxies of one connector instance share it. Dropping
/// the last one closes the channel, and the helper exits.
pub(crate) struct Link {
    shared: Arc<Shared>,
    ready: Ready,
    pulled: Receiver<Incoming>,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.shared.close();
    }
}

/// Starts a helper for the connector `alias`, hands it `config` and returns its proxy once the
/// helper has built the instance.
pub(crate) fn start(
    helper: spawn::HelperCommand,
    ctx: ConnectorContext,
    ctrl: Sender<ConnectorMsg>,
    config: &str,
) -> Result<ConnectorProxy, ConnectorError> {
    let alias: Arc<str> = Arc::from(ctx.alias().as_str());
    let started = spawn::spawn(helper)?;
    let pid = started.child.id();
    let reader = started
        .socket
        .try_clone()
        .map_err(|e| ConnectorError::io(format!("cannot share the helper's channel: {e}")))?;
    let (pulled_tx, pulled) = rt::unbounded();
    let shared = Arc::new(Shared {
        alias: alias.clone(),
        pid,
        writer: Mutex::new(started.socket),
        pending: Mutex::default(),
        next_id: AtomicU64::new(1),
        closing: AtomicBool::new(false),
        pulled: pulled_tx,
    });
    forward_stderr(&alias, pid, started.stderr);
    let (ready_tx, ready_rx) = mpsc::channel();
    let reader_shared = shared.clone();
    let child = started.child;
    std::thread::Builder::new()
        .name(format!("helper {pid}"))
        .spawn(move || read_loop(reader_shared, reader, child, ctx, ctrl, ready_tx))
        .map_err(|e| ConnectorError::io(format!("cannot start the helper's reader: {e}")))?;
    let mut init = Frame::new(to_helper::INIT, 0);
    init.str(config).u8(LogLevel::from(log::max_level()).0);
    let ready = match shared.write(init) {
        Ok(()) => ready_rx.recv_timeout(READY_TIMEOUT).unwrap_or_else(|_| {
            Err(ConnectorError::other(format!(
                "helper process {pid} did not build the connector within {READY_TIMEOUT:?}"
            )))
        }),
        Err(e) => Err(ConnectorError::io(format!(
            "cannot send the config to helper process {pid}: {e}"
        ))),
    };
    let ready = match ready {
        Ok(ready) => ready,
        Err(e) => {
            // Whatever the helper is doing, it is of no use: it exits once the channel closes.
            shared.close();
            return Err(e);
        }
    };
    Ok(ConnectorProxy {
        link: Arc::new(Link {
            shared,
            ready,
            pulled,
        }),
        source_taken: false,
        sink_taken: false,
    })
}

/// Forwards what the helper writes to stderr (a message of the allocator, of an abort) to the
/// log, naming the connector.
fn forward_stderr(alias: &Arc<str>, pid: u32, stderr: Option<std::process::ChildStderr>) {
    let Some(stderr) = stderr else { return };
    let alias = alias.clone();
    let _ = std::thread::Builder::new()
        .name(format!("helper {pid} stderr"))
        .spawn(move || {
            use std::io::BufRead;
            for line in BufReader::new(stderr).lines() {
                match line {
                    Ok(line) => log::warn!("[{alias}] helper process {pid}: {line}"),
                    Err(_) => break,
                }
            }
        });
}

type ReadyTx = mpsc::Sender<Result<Ready, ConnectorError>>;

fn read_loop(
    shared: Arc<Shared>,
    socket: UnixStream,
    child: Child,
    ctx: ConnectorContext,
    ctrl: Sender<ConnectorMsg>,
    ready_tx: ReadyTx,
) {
    let mut reader = BufReader::with_capacity(wire::READ_BUFFER, socket);
    let mut ready_tx = Some(ready_tx);
    let ended = loop {
        let mut frame = match wire::read_frame(&mut reader) {
            Ok(Some(frame)) => frame,
            Ok(None) => break None,
            Err(e) => break Some(e.to_string()),
        };
        if let Err(e) = serve(&shared, &mut frame, &ctx, &ctrl, &mut ready_tx) {
            break Some(e.to_string());
        }
    };
    let status = reap(child, shared.closing.load(Ordering::SeqCst));
    if shared.closing.load(Ordering::SeqCst) {
        log::debug!(
            "[{}] helper process {} ended: {}",
            shared.alias,
            shared.pid,
            describe(status.as_ref())
        );
        return;
    }
    let mut why = format!(
        "helper process {} died: {}",
        shared.pid,
        describe(status.as_ref())
    );
    if let Some(e) = ended {
        why.push_str(&format!(" (channel: {e})"));
    }
    // Of kind `io`: the sink manager fails back the batch it was writing and leaves the
    // connector's failure to the report below (a `panic` there would be a second one).
    let error = ConnectorError::io(why);
    let waiting = {
        let mut pending = shared
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        pending.dead = Some(error.clone());
        std::mem::take(&mut pending.waiting)
    };
    match ready_tx {
        // It died building the instance: that is the constructor's failure.
        Some(tx) => {
            let _ = tx.send(Err(error));
        }
        None => {
            // First the one failure report, then the waiting calls (so that their errors,
            // should a manager escalate them, arrive as stale reports of the same failure).
            let _ = ctrl.try_send(ConnectorMsg::PartFailed(error.clone()));
            for (_, tx) in waiting {
                let _ = tx.try_send(Err(error.clone()));
            }
        }
    }
}

/// Handles one frame from the helper.
fn serve(
    shared: &Shared,
    frame: &mut Incoming,
    ctx: &ConnectorContext,
    ctrl: &Sender<ConnectorMsg>,
    ready_tx: &mut Option<ReadyTx>,
) -> Result<(), wire::WireError> {
    match frame.tag {
        to_host::READY => {
            let ready = wire::get_ready(frame)?;
            if ready.is_err() {
                // The constructor failed and the helper exits: that is the error, not a death.
                shared.closing.store(true, Ordering::SeqCst);
            }
            if let Some(tx) = ready_tx.take() {
                let _ = tx.send(ready);
            }
        }
        to_host::PULLED => {
            let _ = shared
                .pulled
                .try_send(std::mem::replace(frame, Incoming::empty()));
        }
        to_host::DONE | to_host::REPLIES => {
            let waiter = shared
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .waiting
                .remove(&frame.id);
            if let Some(tx) = waiter {
                let reply = std::mem::replace(frame, Incoming::empty());
                // The caller may have given up on it (a dropped future): then it is dropped.
                let _ = tx.try_send(Ok(reply));
            }
        }
        to_host::PART_ERROR => {
            let error = frame.error()?;
            log::error!("[{}] source error: {error}", shared.alias);
            let msg = if error.kind == ErrorKind::CONNECTION {
                ConnectorMsg::ConnectionLost
            } else {
                ConnectorMsg::PartFailed(error)
            };
            let _ = ctrl.try_send(msg);
        }
        to_host::LOG => {
            let level = LogLevel(frame.u8()?);
            let target = frame.string()?;
            let message = frame.string()?;
            ctx.log(level, &target, &message);
        }
        to_host::CONNECTION_LOST => ctx.connection_lost(),
        to_host::REQUEST_STOP => {
            let code = frame.u32()? as i32;
            let delay_ns = frame.u64()?;
            let graceful = frame.bool()?;
            ctx.request_stop(code, delay_ns, graceful);
        }
        to_host::TAKE_METRICS => {
            let records = ctx.take_metrics();
            let mut reply = Frame::new(to_helper::METRICS, frame.id);
            reply.u32(u32::try_from(records.len()).unwrap_or(u32::MAX));
            for r in &records {
                reply.bytes(r);
            }
            let _ = shared.write(reply);
        }
        to_host::PUBLISH_METRIC => {
            ctx.publish_metric(frame.bytes()?.to_vec());
        }
        _ => return Err(wire::WireError::Malformed("unknown frame from the helper")),
    }
    Ok(())
}

/// Waits for the helper to exit (it does once its channel is closed, or has died); kills it
/// when it takes longer than [`EXIT_GRACE`].
fn reap(mut child: Child, closing: bool) -> Option<ExitStatus> {
    let deadline = Instant::now() + EXIT_GRACE;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(if closing { 10 } else { 2 }))
            }
            Ok(None) => {
                let _ = child.kill();
                return child.wait().ok();
            }
            Err(_) => return None,
        }
    }
}

/// How a helper ended, in words: `killed by signal 11 (SIGSEGV)`, `exited with code 1`.
pub(crate) fn describe(status: Option<&ExitStatus>) -> String {
    use std::os::unix::process::ExitStatusExt;
    let Some(status) = status else {
        return "its exit status is unknown".to_string();
    };
    if let Some(signal) = status.signal() {
        return format!("killed by signal {signal} ({})", signal_name(signal));
    }
    match status.code() {
        Some(code) => format!("exited with code {code}"),
        None => status.to_string(),
    }
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGKILL => "SIGKILL",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGHUP => "SIGHUP",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGSYS => "SIGSYS",
        libc::SIGXCPU => "SIGXCPU",
        libc::SIGXFSZ => "SIGXFSZ",
        _ => "another signal",
    }
}

/// The connector as the connector manager sees it.
pub(crate) struct ConnectorProxy {
    link: Arc<Link>,
    source_taken: bool,
    sink_taken: bool,
}

impl ConnectorProxy {
    /// The helper's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.link.shared.pid
    }
}

#[async_trait]
impl ConnectorPart for ConnectorProxy {
    fn codec_requirement(&self) -> CodecRequirement {
        self.link.ready.requirement()
    }

    fn create_source(&mut self) -> Result<Option<Box<dyn SourcePart>>, ConnectorError> {
        if !self.link.ready.has_source || std::mem::replace(&mut self.source_taken, true) {
            return Ok(None);
        }
        Ok(Some(Box::new(SourceProxy::new(self.link.clone()))))
    }

    fn create_sink(&mut self) -> Result<Option<Box<dyn SinkPart>>, ConnectorError> {
        if !self.link.ready.has_sink || std::mem::replace(&mut self.sink_taken, true) {
            return Ok(None);
        }
        Ok(Some(Box::new(SinkProxy {
            link: self.link.clone(),
        })))
    }

    async fn connect(&mut self, attempt: u64) -> Result<bool, ConnectorError> {
        let shared = &self.link.shared;
        let mut reply = shared
            .call(to_helper::CONNECT, 8, |f| {
                f.u64(attempt);
            })
            .await?;
        reply
            .result(|i| i.bool())
            .map_err(|e| shared.malformed(&e))?
    }

    async fn lifecycle(&mut self, step: Lifecycle) -> Result<(), ConnectorError> {
        let shared = &self.link.shared;
        if step == Lifecycle::Stop && shared.dead().is_some() {
            // Nothing is left to stop; the death was reported when it happened.
            return Ok(());
        }
        let mut reply = shared
            .call(to_helper::LIFECYCLE, 1, |f| {
                f.u8(wire::lifecycle_code(step));
            })
            .await?;
        reply.result(|_| Ok(())).map_err(|e| shared.malformed(&e))?
    }
}

/// The source part as the source manager sees it.
///
/// The helper pulls ahead: after a batch that says the runtime will want the next one at once
/// ([`wire::pulls_on`]) it makes the next pull right away and pushes its batch, up to the limit
/// this proxy granted ([`wire::READ_AHEAD`] beyond the runtime's pull). So `pull(N)` usually
/// finds batch N already here, and tells the helper anything only to ask for a pull it is not
/// making (after "nothing now", at the start) or to extend the grant, once every half window:
/// the round trip between the processes is off the path of every batch, and a notice crosses
/// once per few batches. At most [`wire::READ_AHEAD`] batches are read ahead (what a stop
/// discards, as a stop discards what a connector has not handed out).
struct SourceProxy {
    link: Arc<Link>,
    /// The pull the helper was asked for last: a pull whose future was dropped before its
    /// batch came is asked for once, and the batch waits in the channel for the next call.
    asked: Option<u64>,
    /// The highest pull id granted to the helper.
    limit: u64,
    /// The pull whose batch was handed out last, if the helper pulls on after it.
    pulling_on_after: Option<u64>,
}

impl SourceProxy {
    fn new(link: Arc<Link>) -> Self {
        Self {
            link,
            asked: None,
            limit: 0,
            pulling_on_after: None,
        }
    }

    /// Tells the helper what pull `pull_id` needs: the pull itself when the helper is not
    /// making it, or more room ahead when half of it is used up.
    fn ask(&mut self, pull_id: u64) {
        let coming = self.pulling_on_after == pull_id.checked_sub(1) && pull_id <= self.limit;
        let ask = !coming && self.asked != Some(pull_id);
        if ask || (coming && self.limit < pull_id + wire::READ_AHEAD / 2) {
            self.limit = pull_id + wire::READ_AHEAD;
            self.link.shared.notify(to_helper::PULL, |f| {
                f.u64(pull_id).u64(pull_id + wire::READ_AHEAD);
            });
        }
        if ask {
            self.asked = Some(pull_id);
        }
    }
}

#[async_trait]
impl SourcePart for SourceProxy {
    async fn pull(&mut self, pull_id: u64) -> Result<SourceReply, ConnectorError> {
        self.ask(pull_id);
        loop {
            // A dead helper pushes nothing more: the pull never completes, and the failure is
            // the one the reader reported.
            let Ok(mut frame) = self.link.pulled.recv().await else {
                return std::future::pending().await;
            };
            if frame.id < pull_id {
                continue;
            }
            let reply = frame
                .result(wire::get_source_reply)
                .map_err(|e| self.link.shared.malformed(&e))?;
            self.pulling_on_after = wire::pulls_on(&reply).then_some(pull_id);
            return reply;
        }
    }

    fn ack(&mut self, stream: u64, pull_id: u64) -> Result<(), ConnectorError> {
        self.link.shared.notify(to_helper::ACK, |f| {
            f.u64(stream).u64(pull_id);
        });
        Ok(())
    }

    fn fail(&mut self, stream: u64, pull_id: u64) -> Result<(), ConnectorError> {
        self.link.shared.notify(to_helper::FAIL, |f| {
            f.u64(stream).u64(pull_id);
        });
        Ok(())
    }
}

/// The sink part as the sink manager sees it.
///
/// Batches are pipelined: the manager hands up to [`SINK_WINDOW`] batches over
/// ([`SinkPart::start_batch`]) before it waits for the replies of the oldest, so the sink's
/// queue does not wait one round trip between the processes per batch. The helper writes them
/// one after the other, in order, and replies to each; the reader thread hands each reply to
/// its batch. The helper's death fails every batch in flight (the reader fails every waiting
/// call), and the manager routes those failures back to the sources, oldest first.
struct SinkProxy {
    link: Arc<Link>,
}

/// How many batches an isolated sink may have in flight.
const SINK_WINDOW: usize = 8;

impl SinkProxy {
    fn send(&self, batch: &SinkBatch<'_>) -> Result<Receiver<Reply>, ConnectorError> {
        self.link
            .shared
            .request(to_helper::BATCH, wire::sink_batch_size(batch), |f| {
                wire::put_sink_batch(f, batch)
            })
    }
}

/// The replies of the batch whose reply arrives on `rx`.
async fn sink_replies(
    shared: &Shared,
    rx: &Receiver<Reply>,
) -> Result<SinkReplies, ConnectorError> {
    let mut reply = shared.wait(rx).await?;
    reply
        .result(wire::get_sink_replies)
        .map_err(|e| shared.malformed(&e))?
}

#[async_trait]
impl SinkPart for SinkProxy {
    async fn on_batch<'a>(
        &'a mut self,
        batch: SinkBatch<'a>,
    ) -> Result<SinkReplies, ConnectorError> {
        let rx = self.send(&batch)?;
        sink_replies(&self.link.shared, &rx).await
    }

    fn window(&self) -> usize {
        SINK_WINDOW
    }

    fn start_batch(&mut self, batch: SinkBatch<'_>) -> Result<LateReplies, ConnectorError> {
        let rx = self.send(&batch)?;
        let link = self.link.clone();
        Ok(Box::pin(
            async move { sink_replies(&link.shared, &rx).await },
        ))
    }

    async fn flush(&mut self) -> Result<(), ConnectorError> {
        let shared = &self.link.shared;
        let mut reply = shared.call(to_helper::FLUSH, 0, |_| {}).await?;
        reply.result(|_| Ok(())).map_err(|e| shared.malformed(&e))?
    }
}
