//! An in-process harness for the managers: fake connector, source and sink parts (the
//! internal traits of [`super::parts`]) that record every call and answer from a script, and
//! the far ends of every channel a manager talks on, so a test can drive one manager and watch
//! what it does without a deployment, a plugin or a socket.

use super::{
    manager::ConnectorManager,
    msg::{ConnectorMsg, DataMsg, Route, SinkMsg, SourceMsg, WorldMsg},
    parts::{ConnectorPart, Lifecycle, SinkPart, SourcePart},
    reconnect::Reconnect,
    sink::{Encoding, SinkManager, SinkSetup},
    source::{Decoding, SourceManager, SourceSetup},
};
use crate::{
    event::{ConnectorId, Event, EventPayload, Origin},
    rt::{self, Receiver, Sender},
};
use async_trait::async_trait;
use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};
use tremor_pdk::{CodecRequirement, ConnectorError, SinkBatch, SinkReplies, SourceReply};
use tremor_value::Value;

/// How long a test waits for something that should happen.
const PATIENCE: Duration = Duration::from_secs(5);
/// How long a test waits to be sure that something does not happen.
pub(crate) const QUIET: Duration = Duration::from_millis(100);

/// The id of the source connector in the harness's wiring.
pub(crate) const SOURCE_ID: ConnectorId = ConnectorId(0);
/// The id of the sink connector in the harness's wiring.
pub(crate) const SINK_ID: ConnectorId = ConnectorId(1);

/// A call a manager made on a fake part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Call {
    Connect(u64),
    Lifecycle(Lifecycle),
    Ack {
        stream: u64,
        pull_id: u64,
    },
    Fail {
        stream: u64,
        pull_id: u64,
    },
    /// `on_batch`, with each event's chunks as text.
    Batch(Vec<String>),
    Flush,
}

/// The calls made so far, shared between a fake part and the test.
#[derive(Clone, Default)]
pub(crate) struct Calls(Arc<Mutex<Vec<Call>>>);

impl Calls {
    fn push(&self, call: Call) {
        self.0.lock().expect("a test thread panicked").push(call);
    }

    /// Everything recorded so far.
    pub(crate) fn all(&self) -> Vec<Call> {
        self.0.lock().expect("a test thread panicked").clone()
    }

    /// Waits until `call` has been recorded `times` times; panics after a while.
    pub(crate) async fn wait_for(&self, call: &Call, times: usize) {
        let deadline = std::time::Instant::now() + PATIENCE;
        while self.all().iter().filter(|c| *c == call).count() < times {
            assert!(
                std::time::Instant::now() < deadline,
                "waited in vain for {call:?} x{times}; calls: {:?}",
                self.all()
            );
            rt::sleep(Duration::from_millis(2)).await;
        }
    }
}

/// Answers handed out in order by a fake; when none is left the fake uses its default.
pub(crate) struct Script<T>(Arc<Mutex<VecDeque<T>>>);

impl<T> Clone for Script<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> Script<T> {
    pub(crate) fn new(answers: impl IntoIterator<Item = T>) -> Self {
        Self(Arc::new(Mutex::new(answers.into_iter().collect())))
    }
    fn next(&self) -> Option<T> {
        self.0.lock().expect("a test thread panicked").pop_front()
    }
}

/// A connector whose `connect` answers from a script (then `Ok(true)`), and whose lifecycle
/// calls answer from another (then `Ok(())`).
pub(crate) struct FakeConnector {
    pub(crate) calls: Calls,
    pub(crate) connects: Script<Result<bool, ConnectorError>>,
    pub(crate) lifecycles: Script<Result<(), ConnectorError>>,
}

#[async_trait]
impl ConnectorPart for FakeConnector {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::STRUCTURED
    }
    fn create_source(&mut self) -> Result<Option<Box<dyn SourcePart>>, ConnectorError> {
        Ok(None)
    }
    fn create_sink(&mut self) -> Result<Option<Box<dyn SinkPart>>, ConnectorError> {
        Ok(None)
    }
    async fn connect(&mut self, attempt: u64) -> Result<bool, ConnectorError> {
        self.calls.push(Call::Connect(attempt));
        self.connects.next().unwrap_or(Ok(true))
    }
    async fn lifecycle(&mut self, step: Lifecycle) -> Result<(), ConnectorError> {
        self.calls.push(Call::Lifecycle(step));
        self.lifecycles.next().unwrap_or(Ok(()))
    }
}

/// A source whose `pull` waits for the next reply the test sends.
pub(crate) struct FakeSource {
    pub(crate) calls: Calls,
    pub(crate) replies: Receiver<Result<SourceReply, ConnectorError>>,
}

#[async_trait]
impl SourcePart for FakeSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply, ConnectorError> {
        // Dropped by the manager when a control message wins the race; the reply stays queued.
        match self.replies.recv().await {
            Ok(reply) => reply,
            Err(_) => Ok(SourceReply::Finished),
        }
    }
    fn ack(&mut self, stream: u64, pull_id: u64) -> Result<(), ConnectorError> {
        self.calls.push(Call::Ack { stream, pull_id });
        Ok(())
    }
    fn fail(&mut self, stream: u64, pull_id: u64) -> Result<(), ConnectorError> {
        self.calls.push(Call::Fail { stream, pull_id });
        Ok(())
    }
}

/// A sink that records each batch and answers from a script (then: all delivered).
pub(crate) struct FakeSink {
    pub(crate) calls: Calls,
    pub(crate) replies: Script<Result<SinkReplies, ConnectorError>>,
}

#[async_trait]
impl SinkPart for FakeSink {
    async fn on_batch<'a>(
        &'a mut self,
        batch: SinkBatch<'a>,
    ) -> Result<SinkReplies, ConnectorError> {
        let events = batch
            .iter()
            .map(|e| {
                e.chunks()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<String>()
            })
            .collect();
        self.calls.push(Call::Batch(events));
        self.replies
            .next()
            .unwrap_or_else(|| Ok(SinkReplies::ack_all()))
    }
    async fn flush(&mut self) -> Result<(), ConnectorError> {
        self.calls.push(Call::Flush);
        Ok(())
    }
}

/// Waits for the next message on `rx`; panics when none comes.
pub(crate) async fn next<T>(rx: &Receiver<T>) -> T {
    match rt::timeout(PATIENCE, rx.recv()).await {
        Some(Ok(msg)) => msg,
        Some(Err(_)) => panic!("the channel closed"),
        None => panic!("nothing arrived within {PATIENCE:?}"),
    }
}

/// Asserts that nothing arrives on `rx` for a while.
pub(crate) async fn quiet<T: std::fmt::Debug>(rx: &Receiver<T>) {
    if let Some(Ok(msg)) = rt::timeout(QUIET, rx.recv()).await {
        panic!("expected nothing, got {msg:?}");
    }
}

/// The payloads of the next `Events` message on `rx`, as compact JSON.
pub(crate) async fn next_events(rx: &Receiver<DataMsg>) -> Vec<String> {
    match next(rx).await {
        DataMsg::Events { events, .. } => events
            .iter()
            .map(|e| tremor_value::to_json(e.payload.value()))
            .collect(),
        DataMsg::Drained => panic!("expected events, got Drained"),
    }
}

/// An event from the harness's source (stream 0), as a sink receives it.
pub(crate) fn event(id: u64, pull_id: u64, value: &str, transactional: bool) -> Event {
    Event {
        id,
        ingest_ns: 1,
        origin: Some(Origin {
            source: SOURCE_ID,
            stream: 0,
            pull_id,
        }),
        transactional,
        meta: None,
        payload: EventPayload::from_value(Value::from(value.to_string())),
        is_batch: false,
        trail: Vec::new(),
    }
}

/// The test's side of a source manager.
pub(crate) struct SourceProbe {
    pub(crate) calls: Calls,
    /// Feeds the fake source's `pull`.
    pub(crate) replies: Sender<Result<SourceReply, ConnectorError>>,
    /// The manager's inbox.
    pub(crate) ctrl: Sender<SourceMsg>,
    /// What it tells its connector manager.
    pub(crate) connector: Receiver<ConnectorMsg>,
    /// Its `out` and `err` ports.
    pub(crate) out: Receiver<DataMsg>,
    pub(crate) err: Receiver<DataMsg>,
}

/// A source manager (id [`SOURCE_ID`]) over a [`FakeSource`], with `out` and `err` routed to
/// the probe. It waits for `downstream_sinks` to report ready before it pulls.
pub(crate) fn source(
    decoding: Decoding,
    downstream_sinks: HashSet<ConnectorId>,
) -> (SourceManager, SourceProbe) {
    let calls = Calls::default();
    let (replies_tx, replies_rx) = rt::unbounded();
    let (ctrl_tx, ctrl_rx) = rt::unbounded();
    let (connector_tx, connector_rx) = rt::unbounded();
    let (out_tx, out_rx) = rt::bounded(64);
    let (err_tx, err_rx) = rt::bounded(64);
    let route = |tx, target: &str| Route {
        tx,
        port: crate::ports::IN,
        target: target.into(),
    };
    let manager = SourceManager::new(SourceSetup {
        alias: "test::source".into(),
        id: SOURCE_ID,
        part: Box::new(FakeSource {
            calls: calls.clone(),
            replies: replies_rx,
        }),
        decoding,
        out: vec![route(out_tx, crate::ports::OUT)],
        err: vec![route(err_tx, crate::ports::ERR)],
        downstream_sinks,
        ctrl: ctrl_rx,
        connector: connector_tx,
    });
    let probe = SourceProbe {
        calls,
        replies: replies_tx,
        ctrl: ctrl_tx,
        connector: connector_rx,
        out: out_rx,
        err: err_rx,
    };
    (manager, probe)
}

/// The test's side of a sink manager.
pub(crate) struct SinkProbe {
    /// The inbox of pipeline instance 0, for the reports of events with a trail.
    pub(crate) reports: Receiver<super::msg::Report>,
    pub(crate) calls: Calls,
    /// Its data queue.
    pub(crate) data: Sender<DataMsg>,
    /// The manager's inbox.
    pub(crate) ctrl: Sender<SinkMsg>,
    /// What it tells its connector manager.
    pub(crate) connector: Receiver<ConnectorMsg>,
    /// What it tells the world.
    pub(crate) world: Receiver<WorldMsg>,
    /// The inbox of the source ([`SOURCE_ID`]) that feeds it: acks, fails, readiness.
    pub(crate) source: Receiver<SourceMsg>,
    /// How many events it dropped.
    pub(crate) dropped: Arc<std::sync::atomic::AtomicU64>,
}

/// A sink manager (id [`SINK_ID`], structured encoding) over a [`FakeSink`] answering from
/// `replies`, fed by `upstream_links` links from the source [`SOURCE_ID`]. Pass
/// `source_inbox` to wire it to a real source manager instead of the probe.
pub(crate) fn sink(
    replies: Script<Result<SinkReplies, ConnectorError>>,
    upstream_links: usize,
    source_inbox: Option<Sender<SourceMsg>>,
) -> (SinkManager, SinkProbe) {
    let calls = Calls::default();
    let (data_tx, data_rx) = rt::bounded(64);
    let (ctrl_tx, ctrl_rx) = rt::unbounded();
    let (connector_tx, connector_rx) = rt::unbounded();
    let (world_tx, world_rx) = rt::unbounded();
    let (probe_source_tx, probe_source_rx) = rt::unbounded();
    let (report_tx, report_rx) = rt::unbounded();
    let source_tx = source_inbox.unwrap_or(probe_source_tx);
    let dropped: Arc<std::sync::atomic::AtomicU64> = Arc::default();
    let manager = SinkManager::new(SinkSetup {
        alias: "test::sink".into(),
        id: SINK_ID,
        part: Box::new(FakeSink {
            calls: calls.clone(),
            replies,
        }),
        encoding: Encoding::Structured,
        data: data_rx,
        upstream_links,
        ctrl: ctrl_rx,
        connector: connector_tx,
        world: world_tx,
        sources: Arc::new(HashMap::from([(SOURCE_ID, source_tx.clone())])),
        reports: Arc::new(vec![report_tx]),
        upstream_sources: vec![source_tx],
        dropped: dropped.clone(),
    });
    let probe = SinkProbe {
        dropped,
        calls,
        data: data_tx,
        ctrl: ctrl_tx,
        connector: connector_rx,
        world: world_rx,
        source: probe_source_rx,
        reports: report_rx,
    };
    (manager, probe)
}

/// The test's side of a connector manager.
pub(crate) struct ConnectorProbe {
    pub(crate) calls: Calls,
    /// The manager's inbox.
    pub(crate) ctrl: Sender<ConnectorMsg>,
    /// What it tells its source and sink managers.
    pub(crate) source: Receiver<SourceMsg>,
    pub(crate) sink: Receiver<SinkMsg>,
}

/// A connector manager over a [`FakeConnector`] whose connects answer from `connects`, with
/// stand-ins for its source and sink managers (their inboxes go to the probe).
pub(crate) fn connector(
    connects: Script<Result<bool, ConnectorError>>,
    reconnect: Reconnect,
) -> (ConnectorManager, ConnectorProbe) {
    connector_with_lifecycles(connects, Script::new([]), reconnect)
}

/// Like [`connector`], the fake's lifecycle calls answering from `lifecycles`.
pub(crate) fn connector_with_lifecycles(
    connects: Script<Result<bool, ConnectorError>>,
    lifecycles: Script<Result<(), ConnectorError>>,
    reconnect: Reconnect,
) -> (ConnectorManager, ConnectorProbe) {
    let calls = Calls::default();
    let (ctrl_tx, ctrl_rx) = rt::unbounded();
    let (source_tx, source_rx) = rt::unbounded();
    let (sink_tx, sink_rx) = rt::unbounded();
    let manager = ConnectorManager::new(
        "test::connector".into(),
        Box::new(FakeConnector {
            calls: calls.clone(),
            connects,
            lifecycles,
        }),
        ctrl_rx,
        reconnect,
        Some((source_tx, rt::spawn("stand-in source", async {}))),
        Some((sink_tx, rt::spawn("stand-in sink", async {}))),
    );
    let probe = ConnectorProbe {
        calls,
        ctrl: ctrl_tx,
        source: source_rx,
        sink: sink_rx,
    };
    (manager, probe)
}
