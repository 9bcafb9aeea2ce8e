//! The connector manager: owns a connector instance's control plane and walks it through its
//! lifecycle (Initializing → Running ⇄ Paused → Draining → Stopped, or Failed), reconnecting
//! per policy.

use super::parts::{ConnectorPart, Lifecycle};
use super::{reconnect::Reconnect, sink::SinkMsg, source::SourceMsg, State};
use crate::rt::{self, JoinHandle, Receiver, Sender};
use std::{collections::VecDeque, sync::Arc, time::Duration};
use tremor_pdk::ConnectorError;

/// Control messages for a connector manager.
#[derive(Debug)]
pub enum ConnectorMsg {
    /// The connector (or one of its parts) reported a lost connection: reconnect.
    ConnectionLost,
    /// A part failed beyond repair (a panic, an unrecoverable error).
    PartFailed(ConnectorError),
    /// Pause data flow (the circuit breaker: a sink downstream is not ready).
    Pause,
    /// Resume after a pause.
    Resume,
    /// Graceful stop, first step: stop reading, let in-flight events through.
    Drain,
    /// Final step: stop everything and release resources.
    Stop,
}

pub(crate) struct ConnectorManager {
    pub(crate) alias: Arc<str>,
    pub(crate) connector: Box<dyn ConnectorPart>,
    pub(crate) ctrl: Receiver<ConnectorMsg>,
    pub(crate) reconnect: Reconnect,
    pub(crate) source: Option<(Sender<SourceMsg>, JoinHandle<()>)>,
    pub(crate) sink: Option<(Sender<SinkMsg>, JoinHandle<()>)>,
    pub(crate) state: State,
    /// Control messages taken off the channel while connecting, handled next.
    pub(crate) deferred: VecDeque<ConnectorMsg>,
}

/// How a connect sequence ended.
enum Connect {
    Connected,
    /// The reconnect policy gave up.
    GaveUp,
    /// A stop, drain or failure arrived first (kept in `deferred`).
    Interrupted,
}

/// Waits for a control message that must interrupt connecting (stop, drain, a failure).
async fn interruption<T>(ctrl: &Receiver<ConnectorMsg>) -> Result<T, ConnectorMsg> {
    loop {
        match ctrl.recv().await {
            Ok(msg @ (ConnectorMsg::Stop | ConnectorMsg::Drain | ConnectorMsg::PartFailed(_))) => {
                return Err(msg)
            }
            Ok(ConnectorMsg::ConnectionLost | ConnectorMsg::Pause | ConnectorMsg::Resume) => {}
            Err(_) => return Err(ConnectorMsg::Stop),
        }
    }
}

/// How long a part gets to finish after `Stop` before it is abandoned.
const PART_STOP_TIMEOUT: Duration = Duration::from_secs(5);

impl ConnectorManager {
    fn set_state(&mut self, state: State) {
        if self.state != state {
            log::debug!("[{}] {} -> {}", self.alias, self.state, state);
            self.state = state;
        }
    }

    async fn tell_parts(&mut self, source: Option<SourceMsg>, sink: Option<SinkMsg>) {
        if let (Some((tx, _)), Some(msg)) = (&self.source, source) {
            let _ = tx.send(msg).await;
        }
        if let (Some((tx, _)), Some(msg)) = (&self.sink, sink) {
            let _ = tx.send(msg).await;
        }
    }

    /// Connects, retrying per policy.
    ///
    /// Both the connect call and the pause between attempts race the control channel: a
    /// connect to an unreachable host must not hold up a stop. Messages that end the attempt
    /// are kept for the main loop; loss reports and pause/resume requests that arrive while
    /// connecting are stale and dropped.
    async fn connect(&mut self) -> Connect {
        let mut attempt = 1;
        loop {
            let outcome = {
                let (connector, ctrl) = (&mut self.connector, &self.ctrl);
                rt::race(
                    async { Ok(connector.connect(attempt).await) },
                    interruption(ctrl),
                )
                .await
            };
            let why = match outcome {
                Err(msg) => {
                    self.deferred.push_back(msg);
                    return Connect::Interrupted;
                }
                Ok(Ok(true)) => {
                    if attempt > 1 {
                        log::info!("[{}] connected after {attempt} attempts", self.alias);
                    }
                    self.drop_stale_messages();
                    return Connect::Connected;
                }
                Ok(Ok(false)) => "the connector is not ready".to_string(),
                Ok(Err(e)) => e.to_string(),
            };
            let Some(pause) = self.reconnect.pause_before(attempt) else {
                log::error!(
                    "[{}] connecting failed (attempt {attempt}): {why}; giving up per reconnect policy",
                    self.alias
                );
                return Connect::GaveUp;
            };
            log::warn!(
                "[{}] connecting failed (attempt {attempt}): {why}; retrying in {} ms",
                self.alias,
                pause.as_millis()
            );
            let waited = rt::race(
                async {
                    rt::sleep(pause).await;
                    Ok(())
                },
                interruption(&self.ctrl),
            )
            .await;
            if let Err(msg) = waited {
                self.deferred.push_back(msg);
                return Connect::Interrupted;
            }
            attempt += 1;
        }
    }

    /// After a (re)connect, loss reports queued before it are about the old connection.
    fn drop_stale_messages(&mut self) {
        while let Ok(msg) = self.ctrl.try_recv() {
            if !matches!(msg, ConnectorMsg::ConnectionLost) {
                self.deferred.push_back(msg);
            }
        }
    }

    async fn fail(&mut self, why: &str) {
        log::error!("[{}] connector failed: {why}", self.alias);
        self.set_state(State::Failed);
        self.tell_parts(Some(SourceMsg::Stop), Some(SinkMsg::Fail))
            .await;
    }

    async fn start(&mut self) {
        match self.connect().await {
            Connect::Connected => {}
            Connect::GaveUp => {
                self.fail("could not connect").await;
                return;
            }
            // The stop (or failure) that interrupted us is handled by the main loop.
            Connect::Interrupted => return,
        }
        if let Err(e) = self.connector.lifecycle(Lifecycle::Start).await {
            self.fail(&format!("start failed: {e}")).await;
            return;
        }
        self.set_state(State::Running);
        self.tell_parts(Some(SourceMsg::Start), Some(SinkMsg::Start))
            .await;
    }

    pub(crate) async fn run(mut self) -> State {
        self.start().await;
        loop {
            let msg = match self.deferred.pop_front() {
                Some(msg) => msg,
                None => match self.ctrl.recv().await {
                    Ok(msg) => msg,
                    Err(_) => break,
                },
            };
            match msg {
                ConnectorMsg::ConnectionLost => {
                    if matches!(self.state, State::Running | State::Paused) {
                        log::warn!("[{}] connection lost, reconnecting", self.alias);
                        self.set_state(State::Paused);
                        self.tell_parts(Some(SourceMsg::Pause), Some(SinkMsg::Pause))
                            .await;
                        self.start().await;
                    }
                }
                ConnectorMsg::PartFailed(e) => {
                    if self.state != State::Failed {
                        self.fail(&e.to_string()).await;
                    }
                }
                ConnectorMsg::Pause => {
                    if self.state == State::Running {
                        // Info, not debug: "why does nothing flow?" is answered here. Every
                        // start shows one pause/resume pair: sources wait for their sinks.
                        log::info!(
                            "[{}] paused: waiting until the sinks it feeds are ready (circuit breaker)",
                            self.alias
                        );
                        self.lifecycle(Lifecycle::Pause).await;
                        self.set_state(State::Paused);
                        self.tell_parts(Some(SourceMsg::Pause), None).await;
                    }
                }
                ConnectorMsg::Resume => {
                    if self.state == State::Paused {
                        log::info!("[{}] resumed: the sinks it feeds are ready", self.alias);
                        self.lifecycle(Lifecycle::Resume).await;
                        self.set_state(State::Running);
                        self.tell_parts(Some(SourceMsg::Start), None).await;
                    }
                }
                ConnectorMsg::Drain => {
                    if self.state != State::Failed {
                        self.lifecycle(Lifecycle::Drain).await;
                        self.set_state(State::Draining);
                    }
                    self.tell_parts(Some(SourceMsg::Drain), None).await;
                }
                ConnectorMsg::Stop => break,
            }
        }
        self.stop().await
    }

    async fn lifecycle(&mut self, step: Lifecycle) {
        if let Err(e) = self.connector.lifecycle(step).await {
            log::error!("[{}] {step:?} failed: {e}", self.alias);
        }
    }

    async fn stop(mut self) -> State {
        self.tell_parts(Some(SourceMsg::Stop), Some(SinkMsg::Stop))
            .await;
        let parts = [
            ("source", self.source.take().map(|(_, handle)| handle)),
            ("sink", self.sink.take().map(|(_, handle)| handle)),
        ];
        for (name, handle) in parts {
            if let Some(handle) = handle {
                if rt::timeout(PART_STOP_TIMEOUT, handle).await.is_none() {
                    log::warn!(
                        "[{}] {name} did not stop in time; abandoning it",
                        self.alias
                    );
                }
            }
        }
        self.lifecycle(Lifecycle::Stop).await;
        if self.state != State::Failed {
            self.set_state(State::Stopped);
        }
        self.state
    }
}
