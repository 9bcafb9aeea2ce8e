//! The source manager: pulls batches from a connector's source part, runs preprocessors and
//! the codec per stream, and sends events on `out` and errors on `err`.

use super::{manager::ConnectorMsg, parts::SourcePart, send_drained, send_events, Route};
use crate::{
    codec::Codec,
    event::{now_ns, Event, EventPayload, Origin},
    preprocessor::{Factory, Preprocessor},
    rt::{self, Receiver, Sender},
};
use abi_stable::std_types::RVec;
use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};
use tremor_pdk::{ConnectorError, ErrorKind, PayloadFormat, SourceBatch, SourceReply};
use tremor_value::{literal, JsonParser};

/// Control messages for a source manager.
#[derive(Debug)]
pub(crate) enum SourceMsg {
    /// The connector is connected: start (or resume) pulling.
    Start,
    /// Stop pulling for now (connection lost, circuit breaker, operator).
    Pause,
    /// Stop pulling for good, flush every stream, tell downstream it is drained.
    Drain,
    /// Stop at once.
    Stop,
    /// Delivery report for a transactional pull.
    Ack { stream: u64, pull_id: u64 },
    /// Failed delivery for a transactional pull.
    Fail { stream: u64, pull_id: u64 },
    /// A sink downstream of this source became ready (connected, circuit breaker closed) or
    /// stopped being ready. The source pulls only while every sink downstream is ready.
    SinkReady { sink: u64, ready: bool },
}

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
    uid: u64,
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
    unready_sinks: HashSet<u64>,
    /// The connector was paused because a sink downstream stopped being ready.
    paused_for_sinks: bool,
}

enum Step {
    Ctrl(Option<SourceMsg>),
    Pulled(Result<SourceReply, ConnectorError>),
}

impl SourceManager {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        alias: Arc<str>,
        uid: u64,
        source: Box<dyn SourcePart>,
        ctrl: Receiver<SourceMsg>,
        connector: Sender<ConnectorMsg>,
        decoding: Decoding,
        out: Vec<Route>,
        err: Vec<Route>,
        downstream_sinks: HashSet<u64>,
    ) -> Self {
        Self {
            alias,
            uid,
            source,
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
            paused_for_sinks: false,
        }
    }

    fn can_pull(&self) -> bool {
        self.started && !self.finished && self.unready_sinks.is_empty()
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

    /// A running connector whose sinks stop being ready is paused (its `on_pause` runs), and
    /// resumed once they are all ready again: that is the circuit breaker seen from a source.
    fn pause_or_resume_for_sinks(&mut self) {
        if self.finished {
            return;
        }
        let blocked = !self.unready_sinks.is_empty();
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
        let meta: Option<Arc<str>> = batch.meta.into_option().map(|m| Arc::from(m.as_str()));
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
                preprocess(&mut stream.preprocessors, &mut chunks, false, &mut errors);
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
            preprocess(&mut state.preprocessors, &mut chunks, true, errors);
            for chunk in chunks {
                decode(state.codec.as_mut(), chunk, ctx, events, errors);
            }
        }
    }

    async fn emit(&mut self, events: Vec<Event>, errors: Vec<String>, origin: Origin) {
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
                }
            })
            .collect();
        send_events(&self.err, error_events).await;
    }

    async fn drain(&mut self) {
        let streams: Vec<u64> = self.streams.keys().copied().collect();
        for stream in streams {
            self.end_stream(stream, self.next_pull_id).await;
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
    meta: Option<Arc<str>>,
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
        }
    }
}

fn decode(
    codec: &mut dyn Codec,
    chunk: RVec<u8>,
    ctx: &mut EventCtx,
    events: &mut Vec<Event>,
    errors: &mut Vec<String>,
) {
    match codec.decode(chunk) {
        Ok(Some(payload)) => events.push(ctx.event(payload)),
        Ok(None) => {}
        Err(e) => errors.push(format!("{} codec: {e}", codec.name())),
    }
}

/// Runs `chunks` through the chain in place; with `finish`, flushes every stage first-to-last.
fn preprocess(
    chain: &mut [Box<dyn Preprocessor>],
    chunks: &mut Vec<RVec<u8>>,
    finish: bool,
    errors: &mut Vec<String>,
) {
    for stage in chain.iter_mut() {
        let mut next = Vec::with_capacity(chunks.len());
        for chunk in chunks.drain(..) {
            if let Err(e) = stage.process(chunk, &mut next) {
                errors.push(e);
            }
        }
        if finish {
            if let Err(e) = stage.finish(&mut next) {
                errors.push(e);
            }
        }
        *chunks = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_value::Value;

    #[test]
    fn chain_splits_then_decodes_per_stage() {
        let mut chain: Vec<Box<dyn Preprocessor>> = vec![
            crate::preprocessor::lookup("base64", &Value::object()).expect("known")(),
            crate::preprocessor::lookup("separate", &Value::object()).expect("known")(),
        ];
        // "a\nb" base64-encoded, then a chunk that is no base64 at all.
        let mut chunks: Vec<RVec<u8>> = vec![b"YQpi".to_vec().into(), b"!!".to_vec().into()];
        let mut errors = Vec::new();
        preprocess(&mut chain, &mut chunks, false, &mut errors);
        assert_eq!(chunks, vec![RVec::from(b"a".to_vec())]);
        assert_eq!(errors.len(), 1);
        let mut rest = Vec::new();
        preprocess(&mut chain, &mut rest, true, &mut errors);
        assert_eq!(rest, vec![RVec::from(b"b".to_vec())]);
    }
}
