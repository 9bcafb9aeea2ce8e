//! The connector manager: owns a connector instance's control plane and walks it through its
//! lifecycle (Initializing → Running ⇄ Paused → Draining → Stopped, or Failed), reconnecting
//! per policy.

use super::parts::{ConnectorPart, Lifecycle};
use super::{reconnect::Reconnect, sink::SinkMsg, source::SourceMsg, State};
use crate::rt::{self, JoinHandle, Receiver, Sender};
use std::{sync::Arc, time::Duration};
use tremor_pdk::ConnectorError;

/// Control messages for a connector manager.
#[derive(Debug)]
pub enum ConnectorMsg {
    /// The connector (or one of its parts) reported a lost connection: reconnect.
    ConnectionLost,
    /// A part failed beyond repair (a panic, an unrecoverable error).
    PartFailed(ConnectorError),
    /// Pause data flow. (Sent by the circuit breaker and operators; not wired yet.)
    #[allow(dead_code)]
    Pause,
    /// Resume after a pause.
    #[allow(dead_code)]
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

    /// Connects, retrying per policy. Returns false when the policy gave up.
    async fn connect(&mut self) -> bool {
        let mut attempt = 1;
        loop {
            let outcome = self.connector.connect(attempt).await;
            let why = match outcome {
                Ok(true) => {
                    if attempt > 1 {
                        log::info!("[{}] connected after {attempt} attempts", self.alias);
                    }
                    return true;
                }
                Ok(false) => "the connector is not ready".to_string(),
                Err(e) => e.to_string(),
            };
            let Some(pause) = self.reconnect.pause_before(attempt) else {
                log::error!(
                    "[{}] connecting failed (attempt {attempt}): {why}; giving up per reconnect policy",
                    self.alias
                );
                return false;
            };
            log::warn!(
                "[{}] connecting failed (attempt {attempt}): {why}; retrying in {} ms",
                self.alias,
                pause.as_millis()
            );
            // A stop during the pause wins over the retry.
            if let Some(Ok(ConnectorMsg::Stop | ConnectorMsg::Drain)) =
                rt::timeout(pause, self.ctrl.recv()).await
            {
                return false;
            }
            attempt += 1;
        }
    }

    async fn fail(&mut self, why: &str) {
        log::error!("[{}] connector failed: {why}", self.alias);
        self.set_state(State::Failed);
        self.tell_parts(Some(SourceMsg::Stop), Some(SinkMsg::Fail))
            .await;
    }

    async fn start(&mut self) {
        if !self.connect().await {
            self.fail("could not connect").await;
            return;
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
        while let Ok(msg) = self.ctrl.recv().await {
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
                        self.lifecycle(Lifecycle::Pause).await;
                        self.set_state(State::Paused);
                        self.tell_parts(Some(SourceMsg::Pause), None).await;
                    }
                }
                ConnectorMsg::Resume => {
                    if self.state == State::Paused {
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
