//! The connector manager: owns a connector instance's control plane and walks it through its
//! lifecycle (Initializing → Running ⇄ Paused → Draining → Stopped, or Failed), reconnecting
//! per policy.
//!
//! A connector that fails while running (an error or caught panic in `pull`, a panic in
//! `on_batch`, a failing start/pause/resume) is stopped and replaced by a fresh instance built
//! from the same config, after the pause its reconnect policy gives; when the policy has no
//! retry left it is quarantined (state Failed) with one error line naming it, the number of
//! failures and the last error. Its source and sink managers pause meanwhile: events that
//! arrive are held and go to the fresh instance; the batch that failed was failed back to
//! transactional sources by the sink manager.

use super::parts::{ConnectorPart, Lifecycle};
use super::{
    msg::{ConnectorMsg, SinkMsg, SourceMsg, WorldMsg},
    reconnect::Reconnect,
    restart::Restarter,
    State,
};
use crate::rt::{self, JoinHandle, Receiver, Sender};
use std::{collections::VecDeque, sync::Arc, time::Duration};
use tremor_pdk::ConnectorError;

/// A spawned source or sink manager: its inbox and its task.
pub(crate) type PartHandle<M> = (Sender<M>, JoinHandle<()>);

pub(crate) struct ConnectorManager {
    alias: Arc<str>,
    connector: Box<dyn ConnectorPart>,
    ctrl: Receiver<ConnectorMsg>,
    reconnect: Reconnect,
    source: Option<PartHandle<SourceMsg>>,
    sink: Option<PartHandle<SinkMsg>>,
    state: State,
    /// Control messages taken off the channel while connecting, handled next.
    deferred: VecDeque<ConnectorMsg>,
    /// Told when the connector cannot start at all: the deployment then fails instead of
    /// running on without it.
    world: Option<Sender<WorldMsg>>,
    /// The connector ran once (its first connect and start succeeded).
    started_once: bool,
    /// Builds fresh instances after failures; `None`: a failure is final.
    restarter: Option<Restarter>,
    /// Failures so far (each one restarted the connector, or quarantined it).
    failures: u64,
    /// A drain came while it was connecting: it goes on connecting so that its sink can
    /// still deliver what it holds, but its source is not started again.
    draining: bool,
}

/// How a connect sequence ended.
enum Connect {
    Connected,
    /// The reconnect policy gave up; why the last attempt failed.
    GaveUp(String),
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
            Ok(
                ConnectorMsg::ConnectionLost
                | ConnectorMsg::Pause
                | ConnectorMsg::Resume
                | ConnectorMsg::SourceFinished,
            ) => {}
            Err(_) => return Err(ConnectorMsg::Stop),
        }
    }
}

/// How long a part gets to finish after `Stop` before it is abandoned.
const PART_STOP_TIMEOUT: Duration = Duration::from_secs(5);

impl ConnectorManager {
    /// A manager for `connector` (named `alias` in logs) that reads `ctrl`, reconnects per
    /// `reconnect` and drives the already spawned managers of its parts.
    pub(crate) fn new(
        alias: Arc<str>,
        connector: Box<dyn ConnectorPart>,
        ctrl: Receiver<ConnectorMsg>,
        reconnect: Reconnect,
        source: Option<PartHandle<SourceMsg>>,
        sink: Option<PartHandle<SinkMsg>>,
    ) -> Self {
        Self {
            alias,
            connector,
            ctrl,
            reconnect,
            source,
            sink,
            state: State::Initializing,
            deferred: VecDeque::new(),
            world: None,
            started_once: false,
            restarter: None,
            failures: 0,
            draining: false,
        }
    }

    /// Restarts the connector with fresh instances from `restarter` after failures, per its
    /// reconnect policy (without one, the first failure is final).
    pub(crate) fn restart_with(mut self, restarter: Option<Restarter>) -> Self {
        self.restarter = restarter;
        self
    }

    /// Reports to `world` when the connector fails before it ever ran (see
    /// [`WorldMsg::StartFailed`]).
    pub(crate) fn report_start_failure_to(mut self, world: Sender<WorldMsg>) -> Self {
        self.world = Some(world);
        self
    }

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
            let mut drain_came = false;
            let outcome = {
                let (connector, ctrl) = (&mut self.connector, &self.ctrl);
                let mut connecting = std::pin::pin!(connector.connect(attempt));
                loop {
                    let raced =
                        rt::race(async { Ok(connecting.as_mut().await) }, interruption(ctrl)).await;
                    // A drain does not cut the attempt short (a helper process would make it
                    // anyway): it is handled once the attempt ends.
                    match raced {
                        Err(ConnectorMsg::Drain) => drain_came = true,
                        other => break other,
                    }
                }
            };
            if drain_came {
                self.drain_while_connecting().await;
            }
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
                return Connect::GaveUp(why);
            };
            log::warn!(
                "[{}] connecting failed (attempt {attempt}): {why}; retrying in {} ms",
                self.alias,
                pause.as_millis()
            );
            let retry_at = std::time::Instant::now() + pause;
            loop {
                let left = retry_at.saturating_duration_since(std::time::Instant::now());
                let waited = rt::race(
                    async {
                        rt::sleep(left).await;
                        Ok(())
                    },
                    interruption(&self.ctrl),
                )
                .await;
                match waited {
                    Ok(()) => break,
                    Err(ConnectorMsg::Drain) => self.drain_while_connecting().await,
                    Err(msg) => {
                        self.deferred.push_back(msg);
                        return Connect::Interrupted;
                    }
                }
            }
            attempt += 1;
        }
    }

    /// A drain while connecting: the source drains now (it produces nothing more), and the
    /// connector goes on connecting, so that what its sink holds can still be delivered
    /// until the deployment's drain ends (or its timeout stops everything). Giving up on
    /// connecting here would only make the drain wait its whole timeout for nothing.
    async fn drain_while_connecting(&mut self) {
        if self.draining {
            return;
        }
        log::info!(
            "[{}] draining while connecting: its source stops; it goes on connecting for what its sink holds",
            self.alias
        );
        self.draining = true;
        self.set_state(State::Draining);
        self.tell_parts(Some(SourceMsg::Drain), None).await;
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
        self.fail_quietly(why).await;
    }

    async fn fail_quietly(&mut self, why: &str) {
        if self.started_once {
            self.report_idle(format!("quarantined: {why}"));
        } else {
            if let Some(world) = &self.world {
                let _ = world.try_send(WorldMsg::StartFailed {
                    connector: self.alias.to_string(),
                    reason: why.to_string(),
                });
            }
        }
        self.set_state(State::Failed);
        self.tell_parts(Some(SourceMsg::Stop), Some(SinkMsg::Fail))
            .await;
    }

    /// Tells the world that this connector's source produces nothing more.
    fn report_idle(&self, why: String) {
        if let (Some(world), true) = (&self.world, self.source.is_some()) {
            let _ = world.try_send(WorldMsg::SourceIdle {
                connector: self.alias.to_string(),
                why,
            });
        }
    }

    /// The running instance failed: restart a fresh one after the policy's pause, or
    /// quarantine the connector when the policy has no retry left.
    async fn recover(&mut self, why: String) {
        self.failures += 1;
        let pause = self
            .restarter
            .as_ref()
            .and_then(|_| self.reconnect.pause_before(self.failures));
        let Some(pause) = pause else {
            log::error!(
                "[{}] quarantined after {} failure(s), no retry left per its reconnect policy; last error: {why}",
                self.alias,
                self.failures
            );
            self.fail_quietly(&why).await;
            return;
        };
        log::warn!(
            "[{}] failed ({} failure(s) so far): {why}; restarting a fresh instance in {} ms",
            self.alias,
            self.failures,
            pause.as_millis()
        );
        self.set_state(State::Paused);
        self.tell_parts(Some(SourceMsg::Pause), Some(SinkMsg::Pause))
            .await;
        // The failed instance's stop hook; it may well fail too.
        if let Err(e) = self.connector.lifecycle(Lifecycle::Stop).await {
            log::debug!("[{}] stopping the failed instance: {e}", self.alias);
        }
        if !self.wait_unless_stopped(pause).await {
            return;
        }
        let fresh = match &mut self.restarter {
            Some(restarter) => restarter.restart(),
            None => return,
        };
        match fresh {
            Ok(connector) => self.connector = connector,
            Err(e) => {
                log::error!(
                    "[{}] quarantined after {} failure(s): a fresh instance could not be built ({e}); last error: {why}",
                    self.alias,
                    self.failures
                );
                self.fail_quietly(&why).await;
                return;
            }
        }
        self.start().await;
    }

    /// Waits `pause`; `false` when a stop or drain came first (kept for the main loop). Failure
    /// reports of the old instance that arrive meanwhile are stale and dropped.
    async fn wait_unless_stopped(&mut self, pause: Duration) -> bool {
        let deadline = std::time::Instant::now() + pause;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return true;
            }
            match rt::timeout(left, self.ctrl.recv()).await {
                None => return true,
                Some(Ok(msg @ (ConnectorMsg::Stop | ConnectorMsg::Drain))) => {
                    self.deferred.push_back(msg);
                    return false;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) => {
                    self.deferred.push_back(ConnectorMsg::Stop);
                    return false;
                }
            }
        }
    }

    async fn start(&mut self) {
        match self.connect().await {
            Connect::Connected => {}
            Connect::GaveUp(why) => {
                self.fail(&format!("could not connect: {why}")).await;
                return;
            }
            // The stop (or failure) that interrupted us is handled by the main loop.
            Connect::Interrupted => return,
        }
        if let Err(e) = self.connector.lifecycle(Lifecycle::Start).await {
            if self.started_once {
                // A restarted instance that cannot start is one more failure.
                self.deferred
                    .push_front(ConnectorMsg::PartFailed(ConnectorError::new(
                        e.kind,
                        format!("start failed: {e}"),
                    )));
            } else {
                self.fail(&format!("start failed: {e}")).await;
            }
            return;
        }
        self.started_once = true;
        if self.draining {
            // Its source drained while it was connecting; only the sink has work left.
            self.lifecycle(Lifecycle::Drain).await;
            self.tell_parts(None, Some(SinkMsg::Start)).await;
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
                        self.recover(e.to_string()).await;
                    }
                }
                ConnectorMsg::SourceFinished => self.report_idle("its source finished".into()),
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
            if matches!(step, Lifecycle::Pause | Lifecycle::Resume) {
                // The instance is in an unknown state: handled like any failure, next.
                self.deferred.push_front(ConnectorMsg::PartFailed(e));
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::harness::{self, Call, Script};
    use tremor_pdk::ConnectorError;
    use tremor_value::literal;

    async fn send(tx: &Sender<ConnectorMsg>, msg: ConnectorMsg) {
        tx.send(msg).await.expect("the manager is running");
    }

    fn retry(max_retries: u64) -> Reconnect {
        Reconnect::from_value(&literal!({"retry": {
            "interval_ms": 1, "growth_rate": 1, "max_retries": max_retries, "randomized": false
        }}))
        .expect("a valid policy")
    }

    async fn expect_source(probe: &harness::ConnectorProbe, want: &str) {
        let got = harness::next(&probe.source).await;
        assert_eq!(format!("{got:?}"), want);
    }

    async fn expect_sink(probe: &harness::ConnectorProbe, want: &str) {
        let got = harness::next(&probe.sink).await;
        assert_eq!(format!("{got:?}"), want);
    }

    #[test]
    fn failed_connects_are_retried_per_policy_and_a_lost_connection_reconnects() {
        rt::block_on(async {
            let connects = Script::new([Err(ConnectorError::connection("refused")), Ok(false)]);
            let (manager, probe) = harness::connector(connects, retry(5));
            let task = rt::spawn("connector", manager.run());
            expect_source(&probe, "Start").await;
            expect_sink(&probe, "Start").await;
            assert_eq!(
                probe.calls.all(),
                [
                    Call::Connect(1),
                    Call::Connect(2),
                    Call::Connect(3),
                    Call::Lifecycle(Lifecycle::Start)
                ]
            );

            send(&probe.ctrl, ConnectorMsg::ConnectionLost).await;
            expect_source(&probe, "Pause").await;
            expect_sink(&probe, "Pause").await;
            expect_source(&probe, "Start").await;
            expect_sink(&probe, "Start").await;
            assert_eq!(
                probe.calls.all()[4..],
                [Call::Connect(1), Call::Lifecycle(Lifecycle::Start)]
            );

            send(&probe.ctrl, ConnectorMsg::Stop).await;
            assert_eq!(task.await, State::Stopped);
            expect_source(&probe, "Stop").await;
            expect_sink(&probe, "Stop").await;
            assert_eq!(
                probe.calls.all().last(),
                Some(&Call::Lifecycle(Lifecycle::Stop))
            );
        });
    }

    #[test]
    fn a_connector_that_cannot_connect_fails_when_the_policy_gives_up() {
        rt::block_on(async {
            let refused = || Err(ConnectorError::connection("refused"));
            let (manager, probe) =
                harness::connector(Script::new([refused(), refused(), refused()]), retry(2));
            let task = rt::spawn("connector", manager.run());
            expect_source(&probe, "Stop").await;
            expect_sink(&probe, "Fail").await;
            // Failed parts are not started; a later loss report changes nothing.
            send(&probe.ctrl, ConnectorMsg::ConnectionLost).await;
            send(&probe.ctrl, ConnectorMsg::Stop).await;
            assert_eq!(task.await, State::Failed);
            assert_eq!(
                probe.calls.all(),
                [
                    Call::Connect(1),
                    Call::Connect(2),
                    Call::Connect(3),
                    Call::Lifecycle(Lifecycle::Stop)
                ]
            );
        });
    }

    #[test]
    fn only_a_failure_before_the_first_start_is_reported_to_the_world() {
        rt::block_on(async {
            let refused = || Err(ConnectorError::connection("port in use"));
            let (manager, probe) = harness::connector(Script::new([refused()]), retry(0));
            let (world_tx, world_rx) = rt::unbounded();
            let task = rt::spawn("connector", manager.report_start_failure_to(world_tx).run());
            match harness::next(&world_rx).await {
                WorldMsg::StartFailed { connector, reason } => {
                    assert!(reason.ends_with("port in use"), "{connector}: {reason}");
                }
                other => panic!("unexpected {other:?}"),
            }
            send(&probe.ctrl, ConnectorMsg::Stop).await;
            assert_eq!(task.await, State::Failed);

            // Failing after it ran is not a start failure.
            let (manager, probe) = harness::connector(Script::new([]), retry(0));
            let (world_tx, world_rx) = rt::unbounded();
            let task = rt::spawn("connector", manager.report_start_failure_to(world_tx).run());
            expect_source(&probe, "Start").await;
            let panic = ConnectorError::new(tremor_pdk::ErrorKind::PANIC, "boom");
            send(&probe.ctrl, ConnectorMsg::PartFailed(panic)).await;
            expect_source(&probe, "Stop").await;
            send(&probe.ctrl, ConnectorMsg::Stop).await;
            assert_eq!(task.await, State::Failed);
            // The world only hears that its source is idle (quarantined), no start failure.
            match harness::next(&world_rx).await {
                WorldMsg::SourceIdle { why, .. } => {
                    assert!(why.starts_with("quarantined"), "{why}")
                }
                other => panic!("unexpected {other:?}"),
            }
            harness::quiet(&world_rx).await;
        });
    }

    #[test]
    fn a_failed_part_fails_the_connector_for_good() {
        rt::block_on(async {
            let (manager, probe) = harness::connector(Script::new([]), retry(5));
            let task = rt::spawn("connector", manager.run());
            expect_source(&probe, "Start").await;
            expect_sink(&probe, "Start").await;
            let panic = ConnectorError::new(tremor_pdk::ErrorKind::PANIC, "boom");
            send(&probe.ctrl, ConnectorMsg::PartFailed(panic)).await;
            expect_source(&probe, "Stop").await;
            expect_sink(&probe, "Fail").await;
            // Failed is final: no reconnect on a later loss report.
            send(&probe.ctrl, ConnectorMsg::ConnectionLost).await;
            send(&probe.ctrl, ConnectorMsg::Stop).await;
            assert_eq!(task.await, State::Failed);
            assert_eq!(
                probe.calls.all(),
                [
                    Call::Connect(1),
                    Call::Lifecycle(Lifecycle::Start),
                    Call::Lifecycle(Lifecycle::Stop)
                ]
            );
        });
    }

    #[test]
    fn a_stop_does_not_wait_for_the_pause_between_connect_attempts() {
        rt::block_on(async {
            let policy = Reconnect::from_value(&literal!({"retry": {
                "interval_ms": 60_000, "randomized": false
            }}))
            .expect("a valid policy");
            let refused = Script::new([Err(ConnectorError::connection("refused"))]);
            let (manager, probe) = harness::connector(refused, policy);
            let task = rt::spawn("connector", manager.run());
            probe.calls.wait_for(&Call::Connect(1), 1).await;
            send(&probe.ctrl, ConnectorMsg::Stop).await;
            let state = rt::timeout(Duration::from_secs(5), task).await;
            assert_eq!(state, Some(State::Stopped));
            assert_eq!(
                probe.calls.all(),
                [Call::Connect(1), Call::Lifecycle(Lifecycle::Stop)]
            );
        });
    }

    #[test]
    fn a_drain_while_connecting_drains_the_source_and_goes_on_connecting_for_the_sink() {
        rt::block_on(async {
            let policy = Reconnect::from_value(&literal!({"retry": {
                "interval_ms": 300, "randomized": false
            }}))
            .expect("a valid policy");
            let refused = Script::new([Err(ConnectorError::connection("refused"))]);
            let (manager, probe) = harness::connector(refused, policy);
            let task = rt::spawn("connector", manager.run());
            probe.calls.wait_for(&Call::Connect(1), 1).await;
            send(&probe.ctrl, ConnectorMsg::Drain).await;
            expect_source(&probe, "Drain").await;
            // The second attempt still comes, and only the sink is started: what it holds
            // can be delivered; the drained source is not started again.
            expect_sink(&probe, "Start").await;
            assert_eq!(
                probe.calls.all(),
                [
                    Call::Connect(1),
                    Call::Connect(2),
                    Call::Lifecycle(Lifecycle::Start),
                    Call::Lifecycle(Lifecycle::Drain)
                ]
            );
            send(&probe.ctrl, ConnectorMsg::Stop).await;
            assert_eq!(task.await, State::Stopped);
            expect_source(&probe, "Stop").await;
            expect_sink(&probe, "Stop").await;
        });
    }

    #[test]
    fn pause_resume_and_drain_reach_the_connector_and_its_source() {
        rt::block_on(async {
            let (manager, probe) = harness::connector(Script::new([]), Reconnect::None);
            let task = rt::spawn("connector", manager.run());
            expect_source(&probe, "Start").await;
            expect_sink(&probe, "Start").await;
            send(&probe.ctrl, ConnectorMsg::Pause).await;
            expect_source(&probe, "Pause").await;
            send(&probe.ctrl, ConnectorMsg::Resume).await;
            expect_source(&probe, "Start").await;
            send(&probe.ctrl, ConnectorMsg::Drain).await;
            expect_source(&probe, "Drain").await;
            send(&probe.ctrl, ConnectorMsg::Stop).await;
            assert_eq!(task.await, State::Stopped);
            // The sink hears of neither pause nor drain: it drains when its links do.
            expect_sink(&probe, "Stop").await;
            let lifecycle: Vec<Call> = probe.calls.all().into_iter().skip(1).collect();
            assert_eq!(
                lifecycle,
                [
                    Call::Lifecycle(Lifecycle::Start),
                    Call::Lifecycle(Lifecycle::Pause),
                    Call::Lifecycle(Lifecycle::Resume),
                    Call::Lifecycle(Lifecycle::Drain),
                    Call::Lifecycle(Lifecycle::Stop)
                ]
            );
        });
    }

    /// A restarter whose fresh instances are fake connectors recording into `calls`, counting
    /// the rebuilds in `rebuilt`.
    fn fresh_instances(
        calls: harness::Calls,
        rebuilt: Arc<std::sync::atomic::AtomicUsize>,
    ) -> crate::connectors::restart::Restarter {
        use crate::connectors::restart::{Rebuilt, Restarter};
        Restarter {
            rebuild: Box::new(move || {
                rebuilt.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(Rebuilt {
                    connector: Box::new(harness::FakeConnector {
                        calls: calls.clone(),
                        connects: Script::new([]),
                        lifecycles: Script::new([]),
                    }),
                    source: None,
                    sink: None,
                })
            }),
            source: None,
            sink: None,
        }
    }

    #[test]
    fn a_failed_instance_is_replaced_per_policy_then_quarantined() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        rt::block_on(async {
            let (manager, probe) = harness::connector(Script::new([]), retry(2));
            let rebuilt = Arc::new(AtomicUsize::new(0));
            let restarter = fresh_instances(probe.calls.clone(), rebuilt.clone());
            let task = rt::spawn("connector", manager.restart_with(Some(restarter)).run());
            expect_source(&probe, "Start").await;
            expect_sink(&probe, "Start").await;
            for failure in 1..=2 {
                let panic = ConnectorError::new(tremor_pdk::ErrorKind::PANIC, "boom");
                send(&probe.ctrl, ConnectorMsg::PartFailed(panic)).await;
                // Parts wait while a fresh instance connects and starts, then go on.
                expect_source(&probe, "Pause").await;
                expect_sink(&probe, "Pause").await;
                expect_source(&probe, "Start").await;
                expect_sink(&probe, "Start").await;
                assert_eq!(rebuilt.load(Ordering::SeqCst), failure);
            }
            let panic = ConnectorError::new(tremor_pdk::ErrorKind::PANIC, "boom");
            send(&probe.ctrl, ConnectorMsg::PartFailed(panic)).await;
            // The policy allows two retries: the third failure quarantines it.
            expect_source(&probe, "Stop").await;
            expect_sink(&probe, "Fail").await;
            send(&probe.ctrl, ConnectorMsg::Stop).await;
            assert_eq!(task.await, State::Failed);
            assert_eq!(rebuilt.load(Ordering::SeqCst), 2);
            let start_and_stop = [
                Call::Connect(1),
                Call::Lifecycle(Lifecycle::Start),
                Call::Lifecycle(Lifecycle::Stop),
            ];
            // Each failed instance is stopped; each fresh one connects and starts.
            let expected: Vec<Call> = start_and_stop.iter().cycle().take(9).cloned().collect();
            assert_eq!(probe.calls.all(), expected);
        });
    }

    #[test]
    fn a_failing_pause_restarts_the_connector_with_a_fresh_instance() {
        use crate::connectors::harness::Calls;
        rt::block_on(async {
            // The first instance starts, then its `on_pause` fails.
            let lifecycles = Script::new([Ok(()), Err(ConnectorError::other("pause broke"))]);
            let (manager, probe) =
                harness::connector_with_lifecycles(Script::new([]), lifecycles, retry(1));
            let fresh = Calls::default();
            let restarter = fresh_instances(fresh.clone(), Arc::default());
            let task = rt::spawn("connector", manager.restart_with(Some(restarter)).run());
            expect_source(&probe, "Start").await;
            expect_sink(&probe, "Start").await;
            send(&probe.ctrl, ConnectorMsg::Pause).await;
            expect_source(&probe, "Pause").await;
            // The failure: both parts wait, a fresh instance connects and starts, they go on.
            expect_source(&probe, "Pause").await;
            expect_sink(&probe, "Pause").await;
            expect_source(&probe, "Start").await;
            expect_sink(&probe, "Start").await;
            assert_eq!(
                fresh.all(),
                [Call::Connect(1), Call::Lifecycle(Lifecycle::Start)]
            );
            assert_eq!(
                probe.calls.all(),
                [
                    Call::Connect(1),
                    Call::Lifecycle(Lifecycle::Start),
                    Call::Lifecycle(Lifecycle::Pause),
                    Call::Lifecycle(Lifecycle::Stop)
                ]
            );
            send(&probe.ctrl, ConnectorMsg::Stop).await;
            assert_eq!(task.await, State::Stopped);
        });
    }
}
