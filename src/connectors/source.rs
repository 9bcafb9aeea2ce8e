//! The source manager: pulls batches from a connector's source part, runs preprocessors and
//! the codec per stream, and sends events on `out` and errors on `err`.

use super::{
    metrics::PortCounters,
    msg::{send_drained, send_events, ConnectorMsg, Route, SourceMsg},
    parts::SourcePart,
};
use crate::{
    codec::Codec,
    event::{now_ns, ConnectorId, Event, EventPayload, Meta, Origin},
    preprocessor::{Factory, Preprocessor},
    rt::{self, Receiver, Sender},
};
use abi_stable::std_types::RVec;
use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};
use tremor_pdk::{
    ConnectorError, ErrorKind, PayloadFormat, SourceBatch, SourceReply, StructuredEvent,
};
use tremor_value::{literal, JsonParser, Value};

/// How a source turns chunks into events.
pub(crate) enum Decoding {
    /// Preprocessors and codec from the deployment (byte connectors).
    Bytes {
        codec: Box<dyn Codec>,
        preprocessors: Arc<Vec<Factory>>,
    },
    /// Structured connectors: chunks are JSON documents.
    Structured,
}

struct Stream {
    preprocessors: Vec<Box<dyn Preprocessor>>,
    codec: Box<dyn Codec>,
}

pub(crate) struct SourceManager {
    alias: Arc<str>,
    uid: ConnectorId,
    source: Box<dyn SourcePart>,
    ctrl: Receiver<SourceMsg>,
    connector: Sender<ConnectorMsg>,
    decoding: Decoding,
    out: Vec<Route>,
    err: Vec<Route>,
    streams: HashMap<u64, Stream>,
    json: JsonParser,
    next_pull_id: u64,
    next_event_id: u64,
    warned_unrouted_errors: bool,
    /// The connector is connected and running (Start without a later Pause).
    started: bool,
    /// The source finished or drained: it is never pulled again.
    finished: bool,
    /// Sinks downstream that are not ready yet (circuit breaker).
    unready_sinks: HashSet<ConnectorId>,
    /// Operators, `(pipeline instance, node)`, that asked this source to stop pulling.
    held_by_operators: HashSet<(u32, u32)>,
    /// The connector was paused because a sink downstream stopped being ready.
    paused_for_sinks: bool,
    /// Events per port, for the runtime's metrics.
    counters: Arc<PortCounters>,
}

enum Step {
    Ctrl(Option<SourceMsg>),
    Pulled(Result<SourceReply, ConnectorError>),
}

/// Everything a source manager is made of: the part it drives, how it decodes, where its
/// events go and whom it talks to.
pub(crate) struct SourceSetup {
    /// `flow::alias`, for logs and error events.
    pub(crate) alias: Arc<str>,
    /// Its connector, as events' origins and the sinks' readiness reports name it.
    pub(crate) id: ConnectorId,
    /// The connector's source part.
    pub(crate) part: Box<dyn SourcePart>,
    /// How chunks become events.
    pub(crate) decoding: Decoding,
    /// Routes of the `out` port.
    pub(crate) out: Vec<Route>,
    /// Routes of the `err` port.
    pub(crate) err: Vec<Route>,
    /// The sinks it feeds: it pulls only once each has said it is ready.
    pub(crate) downstream_sinks: HashSet<ConnectorId>,
    /// Its inbox (connector manager, sinks' acks and readiness).
    pub(crate) ctrl: Receiver<SourceMsg>,
    /// Its connector manager's inbox.
    pub(crate) connector: Sender<ConnectorMsg>,
}

impl SourceManager {
    pub(crate) fn new(setup: SourceSetup) -> Self {
        let SourceSetup {
            alias,
            id,
            part,
            decoding,
            out,
            err,
            downstream_sinks,
            ctrl,
            connector,
        } = setup;
        Self {
            alias,
            uid: id,
            source: part,
            ctrl,
            connector,
            decoding,
            out,
            err,
            streams: HashMap::new(),
            json: JsonParser::new(),
            next_pull_id: 0,
            next_event_id: 0,
            warned_unrouted_errors: false,
            started: false,
            finished: false,
            unready_sinks: downstream_sinks,
            held_by_operators: HashSet::new(),
            paused_for_sinks: false,
            counters: Arc::default(),
        }
    }

    /// Counts the events of its ports into `counters` (shared with the connector's sink
    /// manager and its metrics reporter) instead of counters of its own.
    pub(crate) fn count_into(mut self, counters: Arc<PortCounters>) -> Self {
        self.counters = counters;
        self
    }

    fn can_pull(&self) -> bool {
        self.started && !self.finished && !self.blocked()
    }

    pub(crate) async fn run(mut self) {
        let mut drained = false;
        loop {
            let step = if self.can_pull() {
                let pull_id = self.next_pull_id;
                let ctrl = &self.ctrl;
                let source = &mut self.source;
                rt::race(async { Step::Ctrl(ctrl.recv().await.ok()) }, async {
                    Step::Pulled(source.pull(pull_id).await)
                })
                .await
            } else {
                Step::Ctrl(self.ctrl.recv().await.ok())
            };
            match step {
                Step::Pulled(reply) => {
                    self.next_pull_id += 1;
                    self.handle_reply(reply).await;
                }
                Step::Ctrl(None | Some(SourceMsg::Stop)) => break,
                Step::Ctrl(Some(SourceMsg::Start)) => self.started = true,
                Step::Ctrl(Some(SourceMsg::Pause)) => self.started = false,
                Step::Ctrl(Some(SourceMsg::SinkReady { sink, ready })) => {
                    let changed = if ready {
                        self.unready_sinks.remove(&sink)
                    } else {
                        self.unready_sinks.insert(sink)
                    };
                    if changed {
                        log::debug!(
                            "[{}] downstream sink {sink} {}; {} sink(s) not ready",
                            self.alias,
                            if ready { "ready" } else { "not ready" },
                            self.unready_sinks.len()
                        );
                        self.pause_or_resume_for_sinks();
                    }
                }
                Step::Ctrl(Some(SourceMsg::OperatorHold { operator, held })) => {
                    let changed = if held {
                        self.held_by_operators.insert(operator)
                    } else {
                        self.held_by_operators.remove(&operator)
                    };
                    if changed {
                        log::debug!(
                            "[{}] {} by operator {operator:?} (pipeline, node)",
                            self.alias,
                            if held { "held" } else { "released" },
                        );
                        self.pause_or_resume_for_sinks();
                    }
                }
                Step::Ctrl(Some(SourceMsg::Drain)) => {
                    if !drained {
                        self.drain().await;
                        drained = true;
                    }
                    self.finished = true;
                }
                Step::Ctrl(Some(SourceMsg::Ack { stream, pull_id })) => {
                    if let Err(e) = self.source.ack(stream, pull_id) {
                        self.part_failed(e);
                    }
                }
                Step::Ctrl(Some(SourceMsg::Fail { stream, pull_id })) => {
                    if let Err(e) = self.source.fail(stream, pull_id) {
                        self.part_failed(e);
                    }
                }
            }
        }
        if !drained {
            // Nothing more will come from here: receivers waiting for a drain must not wait
            // for us.
            send_drained(&self.out).await;
            send_drained(&self.err).await;
        }
        log::debug!("[{}] source manager stopped", self.alias);
    }

    /// Whether a sink downstream is not ready or a pipeline's operator holds this source.
    fn blocked(&self) -> bool {
        !self.unready_sinks.is_empty() || !self.held_by_operators.is_empty()
    }

    /// A running connector whose sinks stop being ready is paused (its `on_pause` runs), and
    /// resumed once they are all ready again: that is the circuit breaker seen from a source.
    fn pause_or_resume_for_sinks(&mut self) {
        if self.finished {
            return;
        }
        let blocked = self.blocked();
        let msg = if blocked && self.started && !self.paused_for_sinks {
            self.paused_for_sinks = true;
            ConnectorMsg::Pause
        } else if !blocked && self.paused_for_sinks {
            self.paused_for_sinks = false;
            ConnectorMsg::Resume
        } else {
            return;
        };
        let _ = self.connector.try_send(msg);
    }

    fn part_failed(&mut self, error: ConnectorError) {
        log::error!("[{}] source error: {error}", self.alias);
        let msg = if error.kind == ErrorKind::CONNECTION {
            ConnectorMsg::ConnectionLost
        } else {
            ConnectorMsg::PartFailed(error)
        };
        let _ = self.connector.try_send(msg);
    }

    async fn handle_reply(&mut self, reply: Result<SourceReply, ConnectorError>) {
        let pull_id = self.next_pull_id - 1;
        let reply = match reply {
            Ok(reply) => reply,
            Err(e) => {
                // Pulling again at once would spin on a broken source; the connector
                // manager decides (reconnect or fail) and starts us again.
                self.started = false;
                self.part_failed(e);
                return;
            }
        };
        match reply {
            SourceReply::Data(batch) => self.on_batch(batch, pull_id).await,
            SourceReply::EndStream { stream } => self.end_stream(stream, pull_id).await,
            SourceReply::StreamFail { stream, reason } => {
                log::warn!("[{}] stream {stream} failed: {reason}", self.alias);
                self.streams.remove(&stream);
            }
            SourceReply::Empty { wait_ms } => {
                self.idle(Duration::from_millis(wait_ms)).await;
            }
            SourceReply::Finished => {
                log::debug!("[{}] source finished", self.alias);
                self.finished = true;
                let _ = self.connector.try_send(ConnectorMsg::SourceFinished);
            }
            SourceReply::Error { stream, message } => {
                let origin = Origin {
                    source: self.uid,
                    stream,
                    pull_id,
                };
                self.emit(Vec::new(), vec![message.into_string()], origin)
                    .await;
            }
            SourceReply::Structured {
                stream,
                port,
                events,
                transactional,
            } => {
                let origin = Origin {
                    source: self.uid,
                    stream,
                    pull_id,
                };
                self.on_structured(origin, &port, events, transactional)
                    .await;
            }
            other => {
                log::warn!("[{}] ignoring unknown source reply {other:?}", self.alias);
                self.idle(Duration::from_millis(100)).await;
            }
        }
    }

    /// Waits a little, but leaves early when a control message is pending.
    async fn idle(&mut self, wait: Duration) {
        let ctrl = &self.ctrl;
        rt::race(rt::sleep(wait), async {
            while ctrl.is_empty() {
                rt::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
    }

    async fn on_batch(&mut self, batch: SourceBatch, pull_id: u64) {
        let ingest_ns = now_ns();
        let meta: Option<Meta> = batch
            .meta
            .into_option()
            .map(|m| Meta::Json(Arc::from(m.as_str())));
        let origin = Origin {
            source: self.uid,
            stream: batch.stream,
            pull_id,
        };
        let mut events = Vec::with_capacity(batch.chunks.len());
        let mut errors = Vec::new();
        let mut ctx = EventCtx {
            origin,
            ingest_ns,
            meta,
            transactional: batch.transactional,
            next_event_id: self.next_event_id,
        };
        if batch.format == PayloadFormat::JSON || matches!(self.decoding, Decoding::Structured) {
            for chunk in batch.chunks {
                let parser = &mut self.json;
                match EventPayload::try_new(chunk, |b| parser.parse(b)) {
                    Ok(payload) => events.push(ctx.event(payload)),
                    Err(e) => errors.push(e.to_string()),
                }
            }
        } else if let Decoding::Bytes {
            codec,
            preprocessors,
        } = &self.decoding
        {
            let stream = self.streams.entry(batch.stream).or_insert_with(|| Stream {
                preprocessors: preprocessors.iter().map(|f| f()).collect(),
                codec: codec.boxed_clone(),
            });
            if stream.preprocessors.is_empty() {
                for chunk in batch.chunks {
                    decode(
                        stream.codec.as_mut(),
                        chunk,
                        &mut ctx,
                        &mut events,
                        &mut errors,
                    );
                }
            } else {
                let mut chunks: Vec<RVec<u8>> = batch.chunks.into_iter().collect();
                preprocess(
                    &mut stream.preprocessors,
                    &mut chunks,
                    false,
                    &mut errors,
                    &mut ctx.ingest_ns,
                );
                for chunk in chunks {
                    decode(
                        stream.codec.as_mut(),
                        chunk,
                        &mut ctx,
                        &mut events,
                        &mut errors,
                    );
                }
            }
        }
        if batch.end_of_stream {
            self.flush_stream(batch.stream, &mut ctx, &mut events, &mut errors);
        }
        self.next_event_id = ctx.next_event_id;
        if ctx.transactional && !errors.is_empty() {
            // Part of this pull never became an event: it cannot be delivered.
            if let Err(e) = self.source.fail(origin.stream, pull_id) {
                self.part_failed(e);
            }
        }
        self.emit(events, errors, origin).await;
    }

    async fn end_stream(&mut self, stream: u64, pull_id: u64) {
        let origin = Origin {
            source: self.uid,
            stream,
            pull_id,
        };
        let mut ctx = EventCtx {
            origin,
            ingest_ns: now_ns(),
            meta: None,
            transactional: false,
            next_event_id: self.next_event_id,
        };
        let (mut events, mut errors) = (Vec::new(), Vec::new());
        self.flush_stream(stream, &mut ctx, &mut events, &mut errors);
        self.next_event_id = ctx.next_event_id;
        self.emit(events, errors, origin).await;
    }

    /// Runs the stream's preprocessors' `finish` and forgets the stream.
    fn flush_stream(
        &mut self,
        stream: u64,
        ctx: &mut EventCtx,
        events: &mut Vec<Event>,
        errors: &mut Vec<String>,
    ) {
        if let Some(mut state) = self.streams.remove(&stream) {
            let mut chunks = Vec::new();
            preprocess(
                &mut state.preprocessors,
                &mut chunks,
                true,
                errors,
                &mut ctx.ingest_ns,
            );
            for chunk in chunks {
                decode(state.codec.as_mut(), chunk, ctx, events, errors);
            }
        }
    }

    async fn emit(&mut self, events: Vec<Event>, errors: Vec<String>, origin: Origin) {
        self.counters.add_out(events.len());
        self.counters.add_err(errors.len());
        if !events.is_empty() {
            send_events(&self.out, events).await;
        }
        if errors.is_empty() {
            return;
        }
        if self.err.is_empty() {
            if !self.warned_unrouted_errors {
                log::warn!(
                    "[{}] errors while reading and no `err` port connected; logging them instead",
                    self.alias
                );
                self.warned_unrouted_errors = true;
            }
            for e in &errors {
                log::error!("[{}] {e}", self.alias);
            }
            return;
        }
        let ingest_ns = now_ns();
        let error_events = errors
            .into_iter()
            .map(|error| {
                let value = literal!({
                    "error": error,
                    "source": self.alias.to_string(),
                    "stream_id": origin.stream,
                    "pull_id": origin.pull_id,
                });
                self.next_event_id += 1;
                Event {
                    id: self.next_event_id,
                    ingest_ns,
                    origin: Some(origin),
                    transactional: false,
                    meta: None,
                    payload: EventPayload::from_value(value),
                    is_batch: false,
                    trail: Vec::new(),
                }
            })
            .collect();
        send_events(&self.err, error_events).await;
    }

    /// Events a structured connector finished itself (payload and metadata as MessagePack,
    /// which can hold binary), for its `out` or `err` port.
    async fn on_structured(
        &mut self,
        origin: Origin,
        port: &str,
        events: RVec<StructuredEvent>,
        transactional: bool,
    ) {
        let mut ctx = EventCtx {
            origin,
            ingest_ns: now_ns(),
            meta: None,
            transactional,
            next_event_id: self.next_event_id,
        };
        let mut decoded = Vec::with_capacity(events.len());
        let mut errors = Vec::new();
        // One decoder for the whole reply: nothing is looked up by name per event.
        let mut msgpack = match crate::codec::lookup("msgpack", &Value::null()) {
            Ok(codec) => Some(codec),
            Err(e) => {
                errors.push(format!("structured events: {e}"));
                None
            }
        };
        for event in events {
            let Some(codec) = msgpack.as_deref_mut() else {
                break;
            };
            match decode_structured(codec, event, ctx.ingest_ns) {
                Ok((payload, meta)) => {
                    ctx.meta = meta;
                    decoded.push(ctx.event(payload));
                }
                Err(e) => errors.push(format!("structured event: {e}")),
            }
        }
        self.next_event_id = ctx.next_event_id;
        // Events that reach no port are lost: a transactional source must hear so, or it
        // waits for their delivery forever.
        let undelivered = match port {
            "out" => false,
            "err" => self.err.is_empty() && !decoded.is_empty(),
            _ => !decoded.is_empty(),
        };
        if transactional && (!errors.is_empty() || undelivered) {
            if let Err(e) = self.source.fail(origin.stream, origin.pull_id) {
                self.part_failed(e);
            }
        }
        match port {
            "out" => self.emit(decoded, errors, origin).await,
            "err" => {
                self.emit(Vec::new(), errors, origin).await;
                self.counters.add_err(decoded.len());
                if self.err.is_empty() {
                    for event in &decoded {
                        let mut meta = Vec::new();
                        if let Some(m) = &event.meta {
                            m.write_json(&mut meta);
                        }
                        log::error!(
                            "[{}] error event, no `err` port connected: {} (metadata {})",
                            self.alias,
                            tremor_value::to_json(event.payload.value()),
                            String::from_utf8_lossy(&meta)
                        );
                    }
                } else if !decoded.is_empty() {
                    send_events(&self.err, decoded).await;
                }
            }
            other => {
                log::error!(
                    "[{}] {} event(s) for port `{other}`, which a source does not have (only `out` and `err`)",
                    self.alias,
                    decoded.len()
                );
                self.emit(Vec::new(), errors, origin).await;
            }
        }
    }

    /// A graceful stop ends at a record boundary: what a stream's preprocessors still buffer is
    /// the start of a record whose rest was never read, so it is dropped, not decoded (decoding
    /// it would report a false error, e.g. half a JSON line). A real end of stream (`EndStream`,
    /// `end_of_stream`) still flushes it: there the last unterminated record is complete.
    async fn drain(&mut self) {
        if !self.streams.is_empty() {
            log::debug!(
                "[{}] stopping: dropping the unfinished records of {} open stream(s)",
                self.alias,
                self.streams.len()
            );
            self.streams.clear();
        }
        send_drained(&self.out).await;
        send_drained(&self.err).await;
        log::debug!("[{}] source drained", self.alias);
    }
}

/// What every event of one batch shares.
struct EventCtx {
    origin: Origin,
    ingest_ns: u64,
    meta: Option<Meta>,
    transactional: bool,
    /// The last event id handed out; written back to the manager afterwards.
    next_event_id: u64,
}

impl EventCtx {
    fn event(&mut self, payload: EventPayload) -> Event {
        self.next_event_id += 1;
        Event {
            id: self.next_event_id,
            ingest_ns: self.ingest_ns,
            origin: Some(self.origin),
            transactional: self.transactional,
            meta: self.meta.clone(),
            payload,
            is_batch: false,
            trail: Vec::new(),
        }
    }
}

/// The payload and metadata of a structured event (MessagePack; metadata nil or absent: none).
fn decode_structured(
    msgpack: &mut dyn Codec,
    event: StructuredEvent,
    ingest_ns: u64,
) -> Result<(EventPayload, Option<Meta>), String> {
    const MSGPACK_NIL: u8 = 0xc0;
    let payload = msgpack
        .decode(event.payload, ingest_ns)
        .map_err(|e| format!("payload: {e}"))?
        .ok_or("no payload")?;
    let meta = match event.meta.as_slice() {
        [] | [MSGPACK_NIL] => None,
        _ => {
            let meta = msgpack
                .decode(event.meta, ingest_ns)
                .map_err(|e| format!("metadata: {e}"))?
                .ok_or("no metadata")?;
            Some(Meta::from(meta.value().clone_static()))
        }
    };
    Ok((payload, meta))
}

fn decode(
    codec: &mut dyn Codec,
    chunk: RVec<u8>,
    ctx: &mut EventCtx,
    events: &mut Vec<Event>,
    errors: &mut Vec<String>,
) {
    match codec.decode(chunk, ctx.ingest_ns) {
        Ok(Some(payload)) => events.push(ctx.event(payload)),
        Ok(None) => {}
        Err(e) => errors.push(format!("{} codec: {e}", codec.name())),
    }
}

/// Runs `chunks` through the chain in place; with `finish`, flushes every stage first-to-last.
/// A stage may set the ingest time of what it read (`ingest-ns`).
fn preprocess(
    chain: &mut [Box<dyn Preprocessor>],
    chunks: &mut Vec<RVec<u8>>,
    finish: bool,
    errors: &mut Vec<String>,
    ingest_ns: &mut u64,
) {
    for stage in chain.iter_mut() {
        let mut next = Vec::with_capacity(chunks.len());
        for chunk in chunks.drain(..) {
            if let Err(e) = stage.process_at(chunk, &mut next, ingest_ns) {
                errors.push(e.to_string());
            }
        }
        if finish {
            if let Err(e) = stage.finish(&mut next) {
                errors.push(e.to_string());
            }
        }
        *chunks = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::{
        harness::{self, Call, SINK_ID},
        msg::DataMsg,
    };
    use std::sync::atomic::{AtomicU64, Ordering};
    use tremor_value::Value;

    fn json_batch(docs: &[&str]) -> Result<SourceReply, ConnectorError> {
        let docs = docs.iter().map(|d| d.as_bytes().to_vec().into()).collect();
        Ok(SourceReply::Data(SourceBatch::json(0, docs)))
    }

    async fn send<T>(tx: &Sender<T>, msg: T) {
        tx.send(msg).await.expect("the manager is running");
    }

    async fn expect_drained(rx: &Receiver<DataMsg>) {
        assert!(matches!(harness::next(rx).await, DataMsg::Drained));
    }

    #[test]
    fn pulls_only_while_started_and_not_paused() {
        rt::block_on(async {
            let (manager, probe) = harness::source(Decoding::Structured, HashSet::new());
            let task = rt::spawn("source", manager.run());
            // Not started yet: the reply waits in the fake source.
            send(&probe.replies, json_batch(&["1"])).await;
            harness::quiet(&probe.out).await;
            send(&probe.ctrl, SourceMsg::Start).await;
            assert_eq!(harness::next_events(&probe.out).await, ["1"]);

            send(&probe.ctrl, SourceMsg::Pause).await;
            // Control messages are handled in order: once this ack reached the part, so has
            // the pause.
            send(
                &probe.ctrl,
                SourceMsg::Ack {
                    stream: 0,
                    pull_id: 0,
                },
            )
            .await;
            let handled = Call::Ack {
                stream: 0,
                pull_id: 0,
            };
            probe.calls.wait_for(&handled, 1).await;
            send(&probe.replies, json_batch(&["2"])).await;
            harness::quiet(&probe.out).await;
            assert_eq!(probe.replies.len(), 1, "paused: nothing was pulled");

            send(&probe.ctrl, SourceMsg::Start).await;
            assert_eq!(harness::next_events(&probe.out).await, ["2"]);
            send(&probe.ctrl, SourceMsg::Stop).await;
            task.await;
            // A stop without a drain still releases whoever waits for this source.
            expect_drained(&probe.out).await;
            expect_drained(&probe.err).await;
        });
    }

    #[test]
    fn waits_for_its_sinks_and_pauses_the_connector_when_one_is_not_ready() {
        rt::block_on(async {
            let (manager, probe) = harness::source(Decoding::Structured, HashSet::from([SINK_ID]));
            let task = rt::spawn("source", manager.run());
            send(&probe.ctrl, SourceMsg::Start).await;
            send(&probe.replies, json_batch(&["1"])).await;
            harness::quiet(&probe.out).await;
            let ready = |ready| SourceMsg::SinkReady {
                sink: SINK_ID,
                ready,
            };
            send(&probe.ctrl, ready(true)).await;
            assert_eq!(harness::next_events(&probe.out).await, ["1"]);

            send(&probe.ctrl, ready(false)).await;
            assert!(matches!(
                harness::next(&probe.connector).await,
                ConnectorMsg::Pause
            ));
            send(&probe.replies, json_batch(&["2"])).await;
            harness::quiet(&probe.out).await;
            send(&probe.ctrl, ready(true)).await;
            assert!(matches!(
                harness::next(&probe.connector).await,
                ConnectorMsg::Resume
            ));
            assert_eq!(harness::next_events(&probe.out).await, ["2"]);
            send(&probe.ctrl, SourceMsg::Stop).await;
            task.await;
        });
    }

    #[test]
    fn delivery_reports_reach_the_source_part() {
        rt::block_on(async {
            let (manager, probe) = harness::source(Decoding::Structured, HashSet::new());
            let task = rt::spawn("source", manager.run());
            send(
                &probe.ctrl,
                SourceMsg::Ack {
                    stream: 3,
                    pull_id: 7,
                },
            )
            .await;
            send(
                &probe.ctrl,
                SourceMsg::Fail {
                    stream: 4,
                    pull_id: 8,
                },
            )
            .await;
            send(&probe.ctrl, SourceMsg::Stop).await;
            task.await;
            assert_eq!(
                probe.calls.all(),
                [
                    Call::Ack {
                        stream: 3,
                        pull_id: 7
                    },
                    Call::Fail {
                        stream: 4,
                        pull_id: 8
                    }
                ]
            );
        });
    }

    #[test]
    fn a_pull_error_stops_pulling_and_reports_a_lost_connection() {
        rt::block_on(async {
            let (manager, probe) = harness::source(Decoding::Structured, HashSet::new());
            let task = rt::spawn("source", manager.run());
            send(&probe.ctrl, SourceMsg::Start).await;
            send(&probe.replies, Err(ConnectorError::connection("reset"))).await;
            assert!(matches!(
                harness::next(&probe.connector).await,
                ConnectorMsg::ConnectionLost
            ));
            send(&probe.replies, json_batch(&["1"])).await;
            harness::quiet(&probe.out).await;
            // After the reconnect the connector manager starts it again.
            send(&probe.ctrl, SourceMsg::Start).await;
            assert_eq!(harness::next_events(&probe.out).await, ["1"]);
            send(&probe.ctrl, SourceMsg::Stop).await;
            task.await;
        });
    }

    fn json_lines() -> Decoding {
        let codec = crate::codec::lookup("json", &Value::object()).expect("known");
        let separate = crate::preprocessor::lookup("separate", &Value::object()).expect("known");
        Decoding::Bytes {
            codec,
            preprocessors: Arc::new(vec![separate]),
        }
    }

    /// A started source manager decoding JSON lines, fed two chunks: the first gives the
    /// records `whole`, the second ends in a record whose newline has not arrived.
    async fn fed_json_lines(
        chunks: [&[u8]; 2],
        whole: &[&str],
    ) -> (rt::JoinHandle<()>, harness::SourceProbe) {
        let (manager, probe) = harness::source(json_lines(), HashSet::new());
        let task = rt::spawn("source", manager.run());
        send(&probe.ctrl, SourceMsg::Start).await;
        for (i, bytes) in chunks.into_iter().enumerate() {
            let batch = SourceBatch::bytes(0, vec![bytes.to_vec().into()]);
            send(&probe.replies, Ok(SourceReply::Data(batch))).await;
            if i == 0 {
                assert_eq!(harness::next_events(&probe.out).await, whole);
            }
        }
        harness::quiet(&probe.out).await;
        (task, probe)
    }

    #[test]
    fn drain_stops_at_a_record_boundary_then_reports_drained() {
        rt::block_on(async {
            let (task, probe) = fed_json_lines([b"1\n2\n{\"a\"", b":3"], &["1", "2"]).await;

            // The half-read `{"a":3` is neither decoded nor reported as an error.
            send(&probe.ctrl, SourceMsg::Drain).await;
            expect_drained(&probe.out).await;
            expect_drained(&probe.err).await;
            // Drained: it never pulls again.
            send(&probe.replies, json_batch(&["4"])).await;
            harness::quiet(&probe.out).await;
            send(&probe.ctrl, SourceMsg::Stop).await;
            task.await;
            harness::quiet(&probe.out).await;
            harness::quiet(&probe.err).await;
        });
    }

    #[test]
    fn end_of_stream_decodes_the_last_unterminated_record() {
        rt::block_on(async {
            let (task, probe) = fed_json_lines([b"1\n{\"a\"", b":3}"], &["1"]).await;
            send(&probe.replies, Ok(SourceReply::EndStream { stream: 0 })).await;
            assert_eq!(harness::next_events(&probe.out).await, [r#"{"a":3}"#]);
            send(&probe.ctrl, SourceMsg::Drain).await;
            expect_drained(&probe.out).await;
            expect_drained(&probe.err).await;
            send(&probe.ctrl, SourceMsg::Stop).await;
            task.await;
            harness::quiet(&probe.err).await;
        });
    }

    #[test]
    fn counts_the_events_of_out_and_err_for_the_metrics() {
        rt::block_on(async {
            let counters = Arc::new(PortCounters::default());
            let (manager, probe) = harness::source(Decoding::Structured, HashSet::new());
            let task = rt::spawn("source", manager.count_into(counters.clone()).run());
            send(&probe.ctrl, SourceMsg::Start).await;
            send(&probe.replies, json_batch(&["1", "2", "3"])).await;
            assert_eq!(harness::next_events(&probe.out).await, ["1", "2", "3"]);
            let refused = SourceReply::Error {
                stream: 0,
                message: "exit code out of range".into(),
            };
            send(&probe.replies, Ok(refused)).await;
            harness::next(&probe.err).await;
            send(&probe.replies, json_batch(&["4"])).await;
            assert_eq!(harness::next_events(&probe.out).await, ["4"]);
            send(&probe.ctrl, SourceMsg::Stop).await;
            task.await;
            let count = |c: &AtomicU64| c.load(Ordering::Relaxed);
            assert_eq!(count(&counters.out), 4);
            assert_eq!(count(&counters.err), 1);
        });
    }

    #[test]
    fn structured_events_reach_their_port_with_binary_metadata() {
        use serde_json::json;
        use tremor_pdk::{Binary, StructuredEvent};
        #[derive(serde::Serialize)]
        struct KvOk<'a> {
            ok: Binary<'a>,
        }
        let structured =
            |port: &str, event: StructuredEvent| Ok(SourceReply::structured(0, port, vec![event]));
        let reply = StructuredEvent::new(&json!("v"), &KvOk { ok: Binary(b"k") }).expect("encodes");
        let error = StructuredEvent::new(&(), &json!({"error": "e"})).expect("encodes");
        let broken = StructuredEvent {
            payload: vec![0xc1].into(),
            meta: RVec::new(),
        };
        rt::block_on(async {
            let (manager, probe) = harness::source(Decoding::Structured, HashSet::new());
            let task = rt::spawn("source", manager.run());
            send(&probe.ctrl, SourceMsg::Start).await;
            for (port, event) in [("out", reply), ("err", error), ("out", broken)] {
                send(&probe.replies, structured(port, event)).await;
            }
            let DataMsg::Events { events, .. } = harness::next(&probe.out).await else {
                panic!("events expected on out");
            };
            let meta = events[0].meta.as_ref().map(Meta::to_value);
            assert_eq!(tremor_value::to_json(events[0].payload.value()), r#""v""#);
            assert_eq!(meta, Some(literal!({"ok": Value::bytes(&b"k"[..])})));
            let DataMsg::Events { events, .. } = harness::next(&probe.err).await else {
                panic!("events expected on err");
            };
            assert_eq!(tremor_value::to_json(events[0].payload.value()), "null");
            assert_eq!(
                events[0].meta.as_ref().map(Meta::to_value),
                Some(literal!({"error": "e"}))
            );
            // An event that does not decode is an error record on `err`, nothing on `out`.
            let DataMsg::Events { events, .. } = harness::next(&probe.err).await else {
                panic!("an error record expected on err");
            };
            let record = events[0].payload.value();
            assert!(
                record
                    .get("error")
                    .and_then(Value::as_str)
                    .is_some_and(|e| e.starts_with("structured event: payload")),
                "{record:?}"
            );
            harness::quiet(&probe.out).await;
            send(&probe.ctrl, SourceMsg::Stop).await;
            task.await;
        });
    }

    #[test]
    fn transactional_structured_events_that_reach_no_port_are_failed_back() {
        use serde_json::json;
        use tremor_pdk::StructuredEvent;
        let event = || StructuredEvent::new(&json!("v"), &()).expect("encodes");
        rt::block_on(async {
            let (manager, probe) = harness::source(Decoding::Structured, HashSet::new());
            let task = rt::spawn("source", manager.run());
            send(&probe.ctrl, SourceMsg::Start).await;
            for stream in [1, 2] {
                let port = if stream == 1 { "nope" } else { "out" };
                let reply = SourceReply::Structured {
                    stream,
                    port: port.into(),
                    events: vec![event()].into(),
                    transactional: true,
                };
                send(&probe.replies, Ok(reply)).await;
            }
            // The second reply's event arrives; by then the first one was handled.
            let DataMsg::Events { events, .. } = harness::next(&probe.out).await else {
                panic!("events expected on out");
            };
            assert_eq!(events.len(), 1);
            send(&probe.ctrl, SourceMsg::Stop).await;
            task.await;
            let failed: Vec<u64> = probe
                .calls
                .all()
                .into_iter()
                .filter_map(|call| match call {
                    Call::Fail { stream, .. } => Some(stream),
                    _ => None,
                })
                .collect();
            assert_eq!(
                failed,
                [1],
                "only the events for an unknown port are failed"
            );
        });
    }

    #[test]
    fn chain_splits_then_decodes_per_stage() {
        let mut chain: Vec<Box<dyn Preprocessor>> = vec![
            crate::preprocessor::lookup("base64", &Value::object()).expect("known")(),
            crate::preprocessor::lookup("separate", &Value::object()).expect("known")(),
        ];
        // "a\nb" base64-encoded, then a chunk that is no base64 at all.
        let mut chunks: Vec<RVec<u8>> = vec![b"YQpi".to_vec().into(), b"!!".to_vec().into()];
        let mut errors = Vec::new();
        preprocess(&mut chain, &mut chunks, false, &mut errors, &mut 0);
        assert_eq!(chunks, vec![RVec::from(b"a".to_vec())]);
        assert_eq!(errors.len(), 1);
        let mut rest = Vec::new();
        preprocess(&mut chain, &mut rest, true, &mut errors, &mut 0);
        assert_eq!(rest, vec![RVec::from(b"b".to_vec())]);
    }
}
