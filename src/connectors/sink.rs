//! The sink manager: takes events from the sink's queue, encodes and postprocesses them into
//! one reusable buffer, hands them to the connector's sink part in batches, and routes the
//! delivery replies back to transactional sources.

use super::{
    metrics::PortCounters,
    msg::{
        send_report, ConnectorMsg, DataMsg, Delivery as Reported, Report, ReportInboxes, SinkMsg,
        SourceMsg, WorldMsg,
    },
    parts::{LateReplies, SinkPart},
};
use crate::{
    codec::Codec,
    event::{ConnectorId, Event},
    postprocessor::{finish_chain, process_event, Chunks, Postprocessor},
    rt::{self, Receiver, Sender},
};
use abi_stable::std_types::{RSlice, RStr};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};
use tremor_pdk::{
    CbAction, ConnectorError, ErrorKind, EventAck, SinkBatch, SinkEvent, SinkReplies,
};

/// How a sink turns events into bytes.
pub(crate) enum Encoding {
    /// The deployment's codec and postprocessors.
    Bytes {
        codec: Box<dyn Codec>,
        postprocessors: Vec<Box<dyn Postprocessor>>,
    },
    /// Structured connectors: one compact JSON document per event.
    Structured,
}

/// The reusable buffers of a batch (see `tremor_pdk::SinkBatch`).
#[derive(Default)]
struct BatchBuffers {
    data: Vec<u8>,
    chunk_ends: Vec<u32>,
    meta: Vec<u8>,
    events: Vec<SinkEvent<'static>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Holding,
    Delivering,
    Failed,
}

pub(crate) struct SinkManager {
    alias: Arc<str>,
    sink: Box<dyn SinkPart>,
    data: Receiver<DataMsg>,
    ctrl: Receiver<SinkMsg>,
    connector: Sender<ConnectorMsg>,
    world: Sender<WorldMsg>,
    encoding: Encoding,
    /// Links feeding this sink; it is drained when every one of them sent `Drained`.
    upstream_links: usize,
    /// Control channels of transactional sources, by source id, for acks and fails.
    sources: SourceInboxes,
    /// Pipelines' inboxes for the reports of events that passed operators wanting them.
    reports: ReportInboxes,
    /// This sink's connector, as the sources know it.
    sink_id: ConnectorId,
    /// Sources that feed this sink (directly or through pipelines): told when it is ready.
    upstream_sources: Vec<Sender<SourceMsg>>,
    /// What the sources were last told.
    announced_ready: bool,
    /// The sink asked for a pause through its circuit breaker.
    cb_open: bool,
    warned_failed: bool,
    buffers: BatchBuffers,
    /// Events that arrived before the connector was connected, or whose delivery hit a lost
    /// connection: delivered (again) once it is back.
    pending: std::collections::VecDeque<(&'static str, Vec<Event>)>,
    /// Events this sink dropped: failed writes, events reaching it after its connector failed,
    /// events still held when it stopped. The world reads it for the end summary.
    dropped: Arc<AtomicU64>,
    /// Events per port, for the runtime's metrics.
    counters: Arc<PortCounters>,
    /// Batches written to a sink part with a window above 1 whose replies have not come yet,
    /// oldest first (see [`SinkPart::window`]).
    in_flight: std::collections::VecDeque<InFlight>,
    /// A message taken from `data` while gathering a batch that could not join it (another
    /// port, or `Drained`): handled before the next receive.
    lookahead: Option<DataMsg>,
}

/// The most events a windowed sink's batch gathers from messages already queued (see
/// [`SinkManager::gather`]).
const GATHER_LIMIT: usize = 1024;

/// Events to write again after a reconnect, with their port.
type Kept = (&'static str, Vec<Event>);

/// What happened to a batch.
enum Delivery {
    /// Written (its replies routed, or to be routed when they come), or failed for good.
    Done,
    /// The connection broke: keep these batches (this one, and those in flight before it
    /// that broke too), in order, for after the reconnect.
    Retry(Vec<Kept>),
}

/// A batch handed to the sink part, for routing its replies.
struct Written {
    port: &'static str,
    events: Vec<Event>,
    /// The event (index into `events`) of each entry of the batch.
    sources: Vec<usize>,
    /// Events that could not be encoded (not in the batch).
    failed: Vec<usize>,
    /// When it was handed over (none when nothing of it was).
    started: Option<std::time::Instant>,
}

/// A batch whose replies have not come yet.
struct InFlight {
    written: Written,
    replies: LateReplies,
}

enum Step {
    Ctrl(Option<SinkMsg>),
    Data(Option<DataMsg>),
    Replied(Result<SinkReplies, ConnectorError>),
}

/// The inboxes of every source of the deployment that has a source part, by connector: where
/// sinks send acks, fails and readiness.
pub(crate) type SourceInboxes = Arc<HashMap<ConnectorId, Sender<SourceMsg>>>;

/// Everything a sink manager is made of: the part it drives, how it encodes, where its events
/// come from and whom it reports to.
pub(crate) struct SinkSetup {
    /// `flow::alias`, for logs.
    pub(crate) alias: Arc<str>,
    /// Its connector, as the sources know it.
    pub(crate) id: ConnectorId,
    /// The connector's sink part.
    pub(crate) part: Box<dyn SinkPart>,
    /// How events become bytes.
    pub(crate) encoding: Encoding,
    /// Its data queue, fed by `upstream_links` links.
    pub(crate) data: Receiver<DataMsg>,
    /// Links feeding `data`; it has drained when each of them sent `Drained`.
    pub(crate) upstream_links: usize,
    /// Its inbox from the connector manager.
    pub(crate) ctrl: Receiver<SinkMsg>,
    /// Its connector manager's inbox.
    pub(crate) connector: Sender<ConnectorMsg>,
    /// Where it reports that it has drained.
    pub(crate) world: Sender<WorldMsg>,
    /// Every source's inbox, for acks and fails of transactional events.
    pub(crate) sources: SourceInboxes,
    /// Every pipeline's inbox for delivery reports (events with a trail of operators).
    pub(crate) reports: ReportInboxes,
    /// The sources that feed it: told whenever it becomes ready or stops being ready.
    pub(crate) upstream_sources: Vec<Sender<SourceMsg>>,
    /// Where it counts the events it dropped (see [`SinkManager`]'s `dropped`).
    pub(crate) dropped: Arc<AtomicU64>,
}

impl SinkManager {
    pub(crate) fn new(setup: SinkSetup) -> Self {
        let SinkSetup {
            alias,
            id,
            part,
            encoding,
            data,
            upstream_links,
            ctrl,
            connector,
            world,
            sources,
            reports,
            upstream_sources,
            dropped,
        } = setup;
        Self {
            alias,
            sink: part,
            data,
            ctrl,
            connector,
            world,
            encoding,
            upstream_links,
            sources,
            reports,
            sink_id: id,
            upstream_sources,
            announced_ready: false,
            cb_open: false,
            warned_failed: false,
            buffers: BatchBuffers::default(),
            pending: std::collections::VecDeque::new(),
            dropped,
            counters: Arc::default(),
            in_flight: std::collections::VecDeque::new(),
            lookahead: None,
        }
    }

    /// For a sink part with a window (one in a helper process, where crossing costs per
    /// batch, not per event), appends to `events` the events of messages for the same `port`
    /// that are already queued, up to [`GATHER_LIMIT`]: a sink that fell behind catches up in
    /// fewer, larger batches, and one that keeps up sees no added latency (nothing is waited
    /// for). In-process sinks keep one batch per message.
    fn gather(&mut self, port: &'static str, events: &mut Vec<Event>) {
        if self.sink.window() <= 1 {
            return;
        }
        while events.len() < GATHER_LIMIT && self.lookahead.is_none() {
            match self.data.try_recv() {
                Ok(DataMsg::Events {
                    port: next,
                    events: more,
                }) if next == port => {
                    self.counters.add_in(more.len());
                    events.extend(more);
                }
                Ok(other) => self.lookahead = Some(other),
                Err(_) => break,
            }
        }
    }

    /// Counts the events of its ports into `counters` (shared with the connector's source
    /// manager and its metrics reporter) instead of counters of its own.
    pub(crate) fn count_into(mut self, counters: Arc<PortCounters>) -> Self {
        self.counters = counters;
        self
    }

    fn count_dropped(&self, events: usize) {
        self.dropped.fetch_add(events as u64, Ordering::Relaxed);
    }

    /// Tells the sources feeding this sink whether it can take events now.
    fn announce(&mut self, ready: bool) {
        if ready == self.announced_ready {
            return;
        }
        self.announced_ready = ready;
        for tx in &self.upstream_sources {
            let _ = tx.try_send(SourceMsg::SinkReady {
                sink: self.sink_id,
                ready,
            });
        }
    }

    /// Delivers queued events until the queue is empty or the connection breaks again (then
    /// returns what to write again, before the rest of the queue).
    async fn deliver_pending(&mut self) -> Vec<Kept> {
        while let Some((port, events)) = self.pending.pop_front() {
            if let Delivery::Retry(kept) = self.deliver(port, events).await {
                return kept;
            }
        }
        Vec::new()
    }

    /// Waits for the replies of every batch in flight, oldest first, and routes them; returns
    /// the batches whose connection broke, in order.
    async fn settle(&mut self) -> Vec<Kept> {
        let mut kept = Vec::new();
        while let Some(InFlight { written, replies }) = self.in_flight.pop_front() {
            let replied = replies.await;
            kept.extend(self.complete(written, replied));
        }
        kept
    }

    /// Keeps batches whose connection broke for after the reconnect, ahead of what is queued
    /// (a failed connector fails them instead), and holds while it is gone.
    fn keep(&mut self, phase: &mut Phase, kept: Vec<Kept>) {
        if kept.is_empty() {
            return;
        }
        if *phase == Phase::Failed {
            for (_, events) in kept {
                self.reject(&events);
            }
            return;
        }
        for batch in kept.into_iter().rev() {
            self.pending.push_front(batch);
        }
        if *phase == Phase::Delivering {
            *phase = Phase::Holding;
            self.announce(false);
        }
    }

    pub(crate) async fn run(mut self) {
        let mut phase = Phase::Holding;
        let mut drained_links = 0;
        let mut data_open = true;
        if self.upstream_links == 0 {
            self.report_drained();
        }
        loop {
            // While holding, events wait in the channel (bounded: that is the backpressure).
            // Replies of batches in flight are routed as they come, in any phase.
            let holding = phase == Phase::Holding || !data_open;
            if !holding {
                if let Some(msg) = self.lookahead.take() {
                    self.on_data(&mut phase, &mut drained_links, msg).await;
                    continue;
                }
            }
            let (ctrl, data, in_flight) = (&self.ctrl, &self.data, &mut self.in_flight);
            let replied = async {
                match in_flight.front_mut() {
                    Some(oldest) => Step::Replied((&mut oldest.replies).await),
                    None => std::future::pending().await,
                }
            };
            let step = rt::race(async { Step::Ctrl(ctrl.recv().await.ok()) }, async {
                if holding {
                    replied.await
                } else {
                    rt::race(async { Step::Data(data.recv().await.ok()) }, replied).await
                }
            })
            .await;
            if matches!(step, Step::Ctrl(_)) {
                // Every change of phase starts from a sink with nothing in flight.
                let kept = self.settle().await;
                self.keep(&mut phase, kept);
            }
            match step {
                Step::Replied(replied) => {
                    if let Some(InFlight { written, .. }) = self.in_flight.pop_front() {
                        let mut kept: Vec<Kept> =
                            self.complete(written, replied).into_iter().collect();
                        if !kept.is_empty() {
                            kept.extend(self.settle().await);
                        }
                        self.keep(&mut phase, kept);
                    }
                }
                Step::Ctrl(None | Some(SinkMsg::Stop)) => break,
                Step::Ctrl(Some(SinkMsg::Start)) => {
                    if phase != Phase::Failed {
                        phase = Phase::Delivering;
                        let kept = self.deliver_pending().await;
                        if kept.is_empty() {
                            let ready = !self.cb_open;
                            self.announce(ready);
                        } else {
                            self.keep(&mut phase, kept);
                        }
                    }
                }
                Step::Ctrl(Some(SinkMsg::Pause)) => {
                    if phase == Phase::Delivering {
                        phase = Phase::Holding;
                        self.announce(false);
                    }
                }
                Step::Ctrl(Some(SinkMsg::Fail)) => {
                    phase = Phase::Failed;
                    let pending: Vec<_> = self.pending.drain(..).collect();
                    for (_, events) in pending {
                        self.reject(&events);
                    }
                    // A sink that gave up must not hold back the other sinks its sources
                    // feed: what reaches it from now on is dropped and failed.
                    self.announce(true);
                }
                Step::Data(None) => data_open = false,
                Step::Data(Some(msg)) => self.on_data(&mut phase, &mut drained_links, msg).await,
            }
        }
        if let Some(DataMsg::Events { port, events }) = self.lookahead.take() {
            self.pending.push_back((port, events));
        }
        let kept = self.settle().await;
        self.keep(&mut phase, kept);
        if phase == Phase::Delivering {
            self.finish_postprocessors().await;
        }
        self.flush().await;
        // What still waits in the queue of a sink that was not connected (it does not read its
        // queue then) is as undelivered as what it held. (A delivering sink's queue is empty
        // after its drain, but for what a pipeline's tick emitted after it: not counted.)
        if phase == Phase::Holding {
            while let Ok(msg) = self.data.try_recv() {
                if let DataMsg::Events { port, events } = msg {
                    self.pending.push_back((port, events));
                }
            }
        }
        let held: usize = self.pending.iter().map(|(_, events)| events.len()).sum();
        if held > 0 {
            log::warn!(
                "[{}] stopped with {held} event(s) never delivered (held while it was not connected, or still queued when it stopped)",
                self.alias
            );
            self.count_dropped(held);
        }
        log::debug!("[{}] sink manager stopped", self.alias);
    }

    /// Handles a message of the data queue.
    async fn on_data(&mut self, phase: &mut Phase, drained_links: &mut usize, msg: DataMsg) {
        match msg {
            DataMsg::Events { port, mut events } => {
                self.counters.add_in(events.len());
                match *phase {
                    Phase::Delivering => {
                        self.gather(port, &mut events);
                        if let Delivery::Retry(kept) = self.deliver(port, events).await {
                            self.keep(phase, kept);
                        }
                    }
                    Phase::Holding => self.pending.push_back((port, events)),
                    Phase::Failed => self.reject(&events),
                }
            }
            DataMsg::Drained => {
                *drained_links += 1;
                if *drained_links == self.upstream_links {
                    let kept = self.settle().await;
                    self.keep(phase, kept);
                    if *phase == Phase::Delivering {
                        self.finish_postprocessors().await;
                    }
                    self.flush().await;
                    self.report_drained();
                }
            }
        }
    }

    fn report_drained(&self) {
        let _ = self.world.try_send(WorldMsg::SinkDrained(self.sink_id));
    }

    async fn flush(&mut self) {
        if let Err(e) = self.sink.flush().await {
            log::error!("[{}] sink flush failed: {e}", self.alias);
        }
    }

    /// Writes what the postprocessors hold back until the output ends (a compressed stream's
    /// trailer) as one last chunk, when the input has ended or the sink stops.
    async fn finish_postprocessors(&mut self) {
        let Encoding::Bytes { postprocessors, .. } = &mut self.encoding else {
            return;
        };
        let mut last = Chunks::default();
        if let Err(e) = finish_chain(postprocessors, &mut last) {
            log::error!("[{}] cannot finish the postprocessors: {e}", self.alias);
            return;
        }
        if last.ends.is_empty() {
            return;
        }
        let chunk_ends: Vec<u32> = last.ends.iter().map(|&e| offset(e)).collect();
        let trailer = [SinkEvent {
            port: RStr::from_str("in"),
            event_id: 0,
            stream: 0,
            ingest_ns: 0,
            chunks_start: 0,
            chunks_end: offset(chunk_ends.len()),
            meta_start: 0,
            meta_end: 0,
        }];
        let batch = SinkBatch {
            data: RSlice::from_slice(&last.data),
            chunk_ends: RSlice::from_slice(&chunk_ends),
            meta: RSlice::from_slice(&[]),
            events: RSlice::from_slice(&trailer),
        };
        if let Err(e) = self.sink.on_batch(batch).await {
            on_error(&self.alias, &self.connector, e);
        }
    }

    fn reject(&mut self, events: &[Event]) {
        self.count_dropped(events.len());
        if self.warned_failed {
            log::debug!(
                "[{}] connector failed: dropping {} event(s)",
                self.alias,
                events.len()
            );
        } else {
            log::warn!(
                "[{}] connector failed: dropping (and failing) every event that reaches it",
                self.alias
            );
            self.warned_failed = true;
        }
        self.report(events, &SinkReplies::fail_all(), None);
    }

    /// Encodes `events` into the batch buffers and hands them to the sink part: waits for the
    /// replies, or, with a window above 1, only once that many batches are in flight (for
    /// those of the oldest).
    async fn deliver(&mut self, port: &'static str, events: Vec<Event>) -> Delivery {
        let b = &mut self.buffers;
        b.data.clear();
        b.chunk_ends.clear();
        b.meta.clear();
        b.events.clear();
        let mut sources = Vec::with_capacity(events.len());
        let mut failed = Vec::new();
        for (i, event) in events.iter().enumerate() {
            let start = b.data.len();
            let chunks_start = b.chunk_ends.len();
            if let Err(e) = encode(&mut self.encoding, event, &mut b.data, &mut b.chunk_ends) {
                log::error!("[{}] cannot encode event {}: {e}", self.alias, event.id);
                b.data.truncate(start);
                b.chunk_ends.truncate(chunks_start);
                failed.push(i);
                continue;
            }
            let meta_start = b.meta.len();
            if let Some(meta) = &event.meta {
                meta.write_json(&mut b.meta);
            }
            b.events.push(SinkEvent {
                port: RStr::from_str(port),
                event_id: event.id,
                stream: event.origin.map_or(0, |o| o.stream),
                ingest_ns: event.ingest_ns,
                chunks_start: offset(chunks_start),
                chunks_end: offset(b.chunk_ends.len()),
                meta_start: offset(meta_start),
                meta_end: offset(b.meta.len()),
            });
            sources.push(i);
        }
        let mut written = Written {
            port,
            events,
            sources,
            failed,
            started: None,
        };
        if b.events.is_empty() {
            let kept = self.complete(written, Ok(SinkReplies::ack_all()));
            return kept.map_or(Delivery::Done, |k| Delivery::Retry(vec![k]));
        }
        let batch = SinkBatch {
            data: RSlice::from_slice(&b.data),
            chunk_ends: RSlice::from_slice(&b.chunk_ends),
            meta: RSlice::from_slice(&b.meta),
            events: RSlice::from_slice(&b.events),
        };
        written.started = Some(std::time::Instant::now());
        let window = self.sink.window();
        if window <= 1 {
            let replied = self.sink.on_batch(batch).await;
            let kept = self.complete(written, replied);
            return kept.map_or(Delivery::Done, |k| Delivery::Retry(vec![k]));
        }
        let replies = self
            .sink
            .start_batch(batch)
            .unwrap_or_else(|e| Box::pin(std::future::ready(Err(e))));
        self.in_flight.push_back(InFlight { written, replies });
        while self.in_flight.len() >= window {
            let Some(InFlight { written, replies }) = self.in_flight.pop_front() else {
                break;
            };
            let replied = replies.await;
            if let Some(kept) = self.complete(written, replied) {
                let mut kept = vec![kept];
                kept.extend(self.settle().await);
                return Delivery::Retry(kept);
            }
        }
        Delivery::Done
    }

    /// Routes the replies of a written batch: what is dropped, acks and fails to transactional
    /// sources, circuit-breaker changes. A lost connection returns the batch to write again.
    fn complete(
        &mut self,
        written: Written,
        replied: Result<SinkReplies, ConnectorError>,
    ) -> Option<Kept> {
        let Written {
            port,
            events,
            sources,
            failed,
            started,
        } = written;
        let took_ns = started.and_then(|s| u64::try_from(s.elapsed().as_nanos()).ok());
        let replies = match replied {
            Ok(replies) => replies,
            Err(e) if e.kind == ErrorKind::CONNECTION => {
                log::warn!(
                    "[{}] connection lost while writing {} event(s); they are kept for after the reconnect: {e}",
                    self.alias,
                    events.len()
                );
                let _ = self.connector.try_send(ConnectorMsg::ConnectionLost);
                return Some((port, events));
            }
            Err(e) => {
                on_error(&self.alias, &self.connector, e);
                SinkReplies::fail_all()
            }
        };
        // A fail of a transactional event goes back to its source, which owns what happens
        // next (Tremor's cb fails events on purpose): not dropped here. Nor is a REJECTED one:
        // the sink answered it with an error event of its own.
        let lost = failed.len()
            + (0..sources.len())
                .filter(|&i| replies.ack_of(i) == EventAck::FAIL)
                .filter(|&i| sources.get(i).is_none_or(|&e| !events[e].transactional))
                .count();
        if lost > 0 {
            self.dropped.fetch_add(lost as u64, Ordering::Relaxed);
        }
        if events.iter().any(|e| e.transactional) {
            // Map batch indices back to event indices, then add the encoding failures.
            let mut full = SinkReplies {
                all: replies.all,
                exceptions: Default::default(),
            };
            for r in replies.exceptions.iter() {
                if let Some(&i) = sources.get(r.index as usize) {
                    full.push(i, r.ack, r.cb);
                }
            }
            for i in failed {
                full.push(i, EventAck::FAIL, tremor_pdk::CbAction::NONE);
            }
            self.report(&events, &full, took_ns);
        }
        self.circuit_breaker(&replies, &events, &sources);
        None
    }

    /// Applies the circuit-breaker changes the sink asked for, in order: sources see an
    /// open followed by a close as a pause and a resume. A change while handling an event
    /// that passed operators wanting reports goes back through them instead (they decide
    /// what the sources see, e.g. `qos::roundrobin` only skips this output).
    fn circuit_breaker(&mut self, replies: &SinkReplies, events: &[Event], sources: &[usize]) {
        for r in replies.exceptions.iter() {
            let cb = r.cb;
            let tracked = sources
                .get(r.index as usize)
                .and_then(|&i| events.get(i))
                .filter(|e| !e.trail.is_empty());
            if let Some(event) = tracked.filter(|_| cb == CbAction::OPEN || cb == CbAction::CLOSE) {
                let delivery = if cb == CbAction::OPEN {
                    Reported::Trigger
                } else {
                    Reported::Restore
                };
                send_report(&self.reports, report_of(event, delivery, None));
            } else if cb == CbAction::OPEN {
                log::info!(
                    "[{}] circuit breaker open: sources feeding it pause",
                    self.alias
                );
                self.cb_open = true;
                self.announce(false);
            } else if cb == CbAction::CLOSE {
                if self.cb_open {
                    log::info!("[{}] circuit breaker closed: sources resume", self.alias);
                }
                self.cb_open = false;
                self.announce(true);
            }
        }
    }

    /// Sends acks (highest pull id per stream) and fails (lowest) to transactional sources;
    /// events that passed operators wanting reports get one each, sent back through those
    /// operators' pipelines with the time the sink took (`took_ns`).
    fn report(&self, events: &[Event], replies: &SinkReplies, took_ns: Option<u64>) {
        let mut acks: HashMap<(ConnectorId, u64), u64> = HashMap::new();
        let mut fails: HashMap<(ConnectorId, u64), u64> = HashMap::new();
        for (i, event) in events.iter().enumerate() {
            if !event.trail.is_empty() {
                let delivery = match replies.ack_of(i) {
                    EventAck::ACK => Reported::Ack,
                    EventAck::FAIL | EventAck::REJECTED => Reported::Fail,
                    _ => continue,
                };
                send_report(&self.reports, report_of(event, delivery, took_ns));
                continue;
            }
            let Some(origin) = event.origin.filter(|_| event.transactional) else {
                continue;
            };
            let key = (origin.source, origin.stream);
            match replies.ack_of(i) {
                EventAck::ACK => {
                    let e = acks.entry(key).or_insert(origin.pull_id);
                    *e = (*e).max(origin.pull_id);
                }
                EventAck::FAIL | EventAck::REJECTED => {
                    let e = fails.entry(key).or_insert(origin.pull_id);
                    *e = (*e).min(origin.pull_id);
                }
                _ => {}
            }
        }
        for ((source, stream), pull_id) in acks {
            if let Some(tx) = self.sources.get(&source) {
                let _ = tx.try_send(SourceMsg::Ack { stream, pull_id });
            }
        }
        for ((source, stream), pull_id) in fails {
            if let Some(tx) = self.sources.get(&source) {
                let _ = tx.try_send(SourceMsg::Fail { stream, pull_id });
            }
        }
    }
}

/// The report of `delivery` for `event`, which passed operators wanting reports.
fn report_of(event: &Event, delivery: Reported, time_ns: Option<u64>) -> Report {
    Report {
        delivery,
        ingest_ns: event.ingest_ns,
        time_ns,
        origin: event.origin,
        trail: event.trail.clone(),
        decided_by: None,
    }
}

/// Logs a sink error and tells the connector manager when it needs to act.
fn on_error(alias: &str, connector: &Sender<ConnectorMsg>, error: ConnectorError) {
    log::error!("[{alias}] sink error: {error}");
    // An error writing one batch (a bad event, a full disk) does not end the connector; a
    // panic does.
    if error.kind == ErrorKind::PANIC {
        let _ = connector.try_send(ConnectorMsg::PartFailed(error));
    }
}

fn offset(n: usize) -> u32 {
    // Batches are bounded far below 4 GiB by the queue sizes.
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Appends `event`'s bytes to `out` and where each of its chunks ends to `chunk_ends`. A
/// batch event (`generic::batch`) is encoded element by element, as Tremor's sinks do.
fn encode(
    encoding: &mut Encoding,
    event: &Event,
    out: &mut Vec<u8>,
    chunk_ends: &mut Vec<u32>,
) -> Result<(), String> {
    let value = event.payload.value();
    match value.as_array().filter(|_| event.is_batch) {
        Some(elements) => elements
            .iter()
            .try_for_each(|v| encode_value(encoding, v, event.ingest_ns, out, chunk_ends)),
        None => encode_value(encoding, value, event.ingest_ns, out, chunk_ends),
    }
}

/// Appends the bytes of one value (see [`encode`]).
fn encode_value(
    encoding: &mut Encoding,
    value: &tremor_value::Value<'_>,
    ingest_ns: u64,
    out: &mut Vec<u8>,
    chunk_ends: &mut Vec<u32>,
) -> Result<(), String> {
    let start = out.len();
    match encoding {
        Encoding::Structured => {
            tremor_value::write_json(value, out);
            chunk_ends.push(offset(out.len()));
        }
        Encoding::Bytes {
            codec,
            postprocessors,
        } => {
            codec.encode(value, out)?;
            process_event(postprocessors, out, start, ingest_ns, |end| {
                chunk_ends.push(offset(end));
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::{
        harness::{self, event, Call, Script, SINK_ID, SOURCE_ID},
        source::Decoding,
    };
    use std::collections::HashSet;
    use tremor_pdk::{SourceBatch, SourceReply};

    async fn send<T>(tx: &Sender<T>, msg: T) {
        tx.send(msg).await.expect("the manager is running");
    }

    fn events(values: &[(u64, &str)], transactional: bool) -> DataMsg {
        DataMsg::Events {
            port: crate::ports::IN,
            events: values
                .iter()
                .enumerate()
                .map(|(i, (pull_id, v))| event(i as u64 + 1, *pull_id, v, transactional))
                .collect(),
        }
    }

    fn batch(values: &[&str]) -> Call {
        Call::Batch(values.iter().map(|v| format!("\"{v}\"")).collect())
    }

    async fn expect_ready(rx: &Receiver<SourceMsg>, expected: bool) {
        match harness::next(rx).await {
            SourceMsg::SinkReady { sink, ready } => {
                assert_eq!((sink, ready), (SINK_ID, expected));
            }
            other => panic!("expected SinkReady({expected}), got {other:?}"),
        }
    }

    #[test]
    fn holds_events_until_started_and_while_paused() {
        rt::block_on(async {
            let (manager, probe) = harness::sink(Script::new([]), 1, None);
            let task = rt::spawn("sink", manager.run());
            send(&probe.data, events(&[(1, "a")], false)).await;
            rt::sleep(harness::QUIET).await;
            assert!(probe.calls.all().is_empty(), "not started: nothing written");

            send(&probe.ctrl, SinkMsg::Start).await;
            expect_ready(&probe.source, true).await;
            probe.calls.wait_for(&batch(&["a"]), 1).await;

            send(&probe.ctrl, SinkMsg::Pause).await;
            expect_ready(&probe.source, false).await;
            send(&probe.data, events(&[(2, "b")], false)).await;
            rt::sleep(harness::QUIET).await;
            assert_eq!(probe.calls.all(), [batch(&["a"])]);

            send(&probe.ctrl, SinkMsg::Start).await;
            expect_ready(&probe.source, true).await;
            probe.calls.wait_for(&batch(&["b"]), 1).await;
            send(&probe.ctrl, SinkMsg::Stop).await;
            task.await;
            assert_eq!(
                probe.calls.all(),
                [batch(&["a"]), batch(&["b"]), Call::Flush]
            );
        });
    }

    #[test]
    fn acks_and_fails_go_to_the_sources_of_transactional_events() {
        rt::block_on(async {
            let mut replies = SinkReplies::ack_all();
            replies.push(1, EventAck::FAIL, CbAction::NONE);
            let (manager, probe) = harness::sink(Script::new([Ok(replies)]), 1, None);
            let task = rt::spawn("sink", manager.run());
            send(&probe.ctrl, SinkMsg::Start).await;
            expect_ready(&probe.source, true).await;
            send(&probe.data, events(&[(1, "a"), (2, "b"), (3, "c")], true)).await;
            // The highest delivered pull is acked, the lowest failed one failed.
            let mut reports = Vec::new();
            for _ in 0..2 {
                match harness::next(&probe.source).await {
                    SourceMsg::Ack { stream, pull_id } => reports.push(("ack", stream, pull_id)),
                    SourceMsg::Fail { stream, pull_id } => reports.push(("fail", stream, pull_id)),
                    other => panic!("unexpected {other:?}"),
                }
            }
            reports.sort_unstable();
            assert_eq!(reports, [("ack", 0, 3), ("fail", 0, 2)]);
            // Events that were not transactional are not reported.
            send(&probe.data, events(&[(4, "d")], false)).await;
            probe.calls.wait_for(&batch(&["d"]), 1).await;
            harness::quiet(&probe.source).await;
            send(&probe.ctrl, SinkMsg::Stop).await;
            task.await;
            // The fail went back to its source: not a drop.
            assert_eq!(probe.dropped.load(Ordering::Relaxed), 0);
        });
    }

    #[test]
    fn a_lost_connection_keeps_the_batch_and_resends_it_after_the_reconnect() {
        rt::block_on(async {
            let lost = Err(ConnectorError::connection("broken pipe"));
            let (manager, probe) = harness::sink(Script::new([lost]), 1, None);
            let task = rt::spawn("sink", manager.run());
            send(&probe.ctrl, SinkMsg::Start).await;
            expect_ready(&probe.source, true).await;
            send(&probe.data, events(&[(1, "a"), (1, "b")], true)).await;
            assert!(matches!(
                harness::next(&probe.connector).await,
                ConnectorMsg::ConnectionLost
            ));
            expect_ready(&probe.source, false).await;
            // Held, not failed: no delivery report, nothing written again yet.
            send(&probe.data, events(&[(2, "c")], true)).await;
            harness::quiet(&probe.source).await;
            assert_eq!(probe.calls.all(), [batch(&["a", "b"])]);

            // The connector manager reconnected and starts the sink again.
            send(&probe.ctrl, SinkMsg::Start).await;
            probe.calls.wait_for(&batch(&["c"]), 1).await;
            assert_eq!(
                probe.calls.all(),
                [batch(&["a", "b"]), batch(&["a", "b"]), batch(&["c"])]
            );
            let mut seen = Vec::new();
            while seen.len() < 3 {
                match harness::next(&probe.source).await {
                    SourceMsg::Ack { pull_id, .. } => seen.push(pull_id),
                    SourceMsg::SinkReady { ready: true, .. } => seen.push(0),
                    other => panic!("unexpected {other:?}"),
                }
            }
            seen.sort_unstable();
            assert_eq!(seen, [0, 1, 2]);
            send(&probe.ctrl, SinkMsg::Stop).await;
            task.await;
        });
    }

    /// Where the test sends a started batch's replies.
    type ReplyTo = Sender<Result<SinkReplies, ConnectorError>>;

    /// A sink with a window of 2 whose replies the test sends, batch by batch.
    #[derive(Clone, Default)]
    struct PipelinedSink {
        started: Arc<std::sync::Mutex<Vec<(String, ReplyTo)>>>,
    }

    impl PipelinedSink {
        /// The first value of each batch started so far.
        fn started(&self) -> Vec<String> {
            let started = self.started.lock().expect("no test thread panicked");
            started.iter().map(|(first, _)| first.clone()).collect()
        }

        /// Waits until `n` batches were started.
        async fn wait_started(&self, n: usize) {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while self.started().len() < n {
                assert!(std::time::Instant::now() < deadline, "{:?}", self.started());
                rt::sleep(std::time::Duration::from_millis(2)).await;
            }
        }

        /// Waits until `n` batches were started, then answers the `i`th.
        async fn reply(&self, n: usize, i: usize, reply: Result<SinkReplies, ConnectorError>) {
            self.wait_started(n).await;
            let tx = self.started.lock().expect("no test thread panicked")[i]
                .1
                .clone();
            tx.send(reply)
                .await
                .expect("the batch waits for its replies");
        }
    }

    #[async_trait::async_trait]
    impl SinkPart for PipelinedSink {
        async fn on_batch<'a>(
            &'a mut self,
            _batch: SinkBatch<'a>,
        ) -> Result<SinkReplies, ConnectorError> {
            unreachable!("a sink with a window gets start_batch")
        }
        async fn flush(&mut self) -> Result<(), ConnectorError> {
            Ok(())
        }
        fn window(&self) -> usize {
            2
        }
        fn start_batch(&mut self, batch: SinkBatch<'_>) -> Result<LateReplies, ConnectorError> {
            let first = batch.iter().next().map(|e| {
                e.chunks()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect()
            });
            let (tx, rx) = rt::bounded(1);
            self.started
                .lock()
                .expect("no test thread panicked")
                .push((first.unwrap_or_default(), tx));
            Ok(Box::pin(async move {
                rx.recv()
                    .await
                    .unwrap_or_else(|_| Err(ConnectorError::other("gone")))
            }))
        }
    }

    async fn expect_ack(rx: &Receiver<SourceMsg>, expected: u64) {
        match harness::next(rx).await {
            SourceMsg::Ack { pull_id, .. } => assert_eq!(pull_id, expected),
            other => panic!("expected the ack of pull {expected}, got {other:?}"),
        }
    }

    #[test]
    fn a_sink_with_a_window_gets_batches_before_earlier_replies_and_keeps_their_order() {
        rt::block_on(async {
            let (mut manager, probe) = harness::sink(Script::new([]), 1, None);
            let sink = PipelinedSink::default();
            manager.sink = Box::new(sink.clone());
            let task = rt::spawn("sink", manager.run());
            send(&probe.ctrl, SinkMsg::Start).await;
            expect_ready(&probe.source, true).await;
            // Each message is sent once the one before it was taken (queued messages would
            // go out as one batch: see the next test).
            for (pull_id, value) in [(1, "a"), (2, "b")] {
                send(&probe.data, events(&[(pull_id, value)], true)).await;
                sink.wait_started(pull_id as usize).await;
            }
            send(&probe.data, events(&[(3, "c")], true)).await;
            // b goes out before a's replies came; c waits for them (a window of 2).
            sink.reply(2, 0, Ok(SinkReplies::ack_all())).await;
            expect_ack(&probe.source, 1).await;
            // The connection breaks under b: b and c (in flight after it) are kept, in order.
            sink.reply(3, 1, Err(ConnectorError::connection("broken pipe")))
                .await;
            sink.reply(3, 2, Err(ConnectorError::connection("broken pipe")))
                .await;
            assert!(matches!(
                harness::next(&probe.connector).await,
                ConnectorMsg::ConnectionLost
            ));
            expect_ready(&probe.source, false).await;
            send(&probe.ctrl, SinkMsg::Start).await;
            sink.reply(5, 3, Ok(SinkReplies::ack_all())).await;
            expect_ack(&probe.source, 2).await;
            // What was queued is out: ready again, with c still in flight.
            expect_ready(&probe.source, true).await;
            // A reply that comes while nothing else happens is routed at once.
            sink.reply(5, 4, Ok(SinkReplies::ack_all())).await;
            expect_ack(&probe.source, 3).await;
            assert_eq!(
                sink.started(),
                ["\"a\"", "\"b\"", "\"c\"", "\"b\"", "\"c\""]
            );
            send(&probe.ctrl, SinkMsg::Stop).await;
            task.await;
            assert_eq!(probe.dropped.load(Ordering::Relaxed), 0);
        });
    }

    #[test]
    fn a_sink_with_a_window_takes_what_queued_behind_a_full_window_as_one_batch() {
        rt::block_on(async {
            let (mut manager, probe) = harness::sink(Script::new([]), 1, None);
            let sink = PipelinedSink::default();
            manager.sink = Box::new(sink.clone());
            let task = rt::spawn("sink", manager.run());
            send(&probe.ctrl, SinkMsg::Start).await;
            expect_ready(&probe.source, true).await;
            send(&probe.data, events(&[(1, "a")], true)).await;
            sink.wait_started(1).await;
            send(&probe.data, events(&[(2, "b")], true)).await;
            sink.wait_started(2).await;
            // The window (2) is full: c and d wait in the queue until a's replies come, then
            // cross as one batch, acked as any batch is (the highest pull of the stream).
            send(&probe.data, events(&[(3, "c")], true)).await;
            send(&probe.data, events(&[(4, "d")], true)).await;
            sink.reply(2, 0, Ok(SinkReplies::ack_all())).await;
            expect_ack(&probe.source, 1).await;
            sink.reply(3, 1, Ok(SinkReplies::ack_all())).await;
            expect_ack(&probe.source, 2).await;
            sink.reply(3, 2, Ok(SinkReplies::ack_all())).await;
            expect_ack(&probe.source, 4).await;
            assert_eq!(sink.started(), ["\"a\"", "\"b\"", "\"c\""]);
            send(&probe.ctrl, SinkMsg::Stop).await;
            task.await;
            assert_eq!(probe.dropped.load(Ordering::Relaxed), 0);
        });
    }

    #[test]
    fn drains_once_every_link_has_and_then_flushes() {
        rt::block_on(async {
            let (manager, probe) = harness::sink(Script::new([]), 2, None);
            let task = rt::spawn("sink", manager.run());
            send(&probe.ctrl, SinkMsg::Start).await;
            send(&probe.data, events(&[(1, "a")], false)).await;
            send(&probe.data, DataMsg::Drained).await;
            probe.calls.wait_for(&batch(&["a"]), 1).await;
            harness::quiet(&probe.world).await;
            send(&probe.data, DataMsg::Drained).await;
            match harness::next(&probe.world).await {
                WorldMsg::SinkDrained(id) => assert_eq!(id, SINK_ID),
                other => panic!("unexpected {other:?}"),
            }
            assert_eq!(probe.calls.all(), [batch(&["a"]), Call::Flush]);
            send(&probe.ctrl, SinkMsg::Stop).await;
            task.await;
        });
    }

    #[test]
    fn a_failed_connector_fails_what_reaches_it_and_stops_holding_sources_back() {
        rt::block_on(async {
            let (manager, probe) = harness::sink(Script::new([]), 1, None);
            let task = rt::spawn("sink", manager.run());
            send(&probe.ctrl, SinkMsg::Fail).await;
            expect_ready(&probe.source, true).await;
            send(&probe.data, events(&[(5, "a")], true)).await;
            assert!(matches!(
                harness::next(&probe.source).await,
                SourceMsg::Fail {
                    stream: 0,
                    pull_id: 5
                }
            ));
            send(&probe.ctrl, SinkMsg::Stop).await;
            task.await;
            assert_eq!(probe.calls.all(), [Call::Flush]);
            assert_eq!(probe.dropped.load(Ordering::Relaxed), 1);
        });
    }

    #[test]
    fn events_with_a_trail_report_through_their_pipeline_instead_of_to_the_source() {
        rt::block_on(async {
            let mut replies = SinkReplies::ack_all();
            replies.push(1, EventAck::FAIL, CbAction::OPEN);
            let (manager, probe) = harness::sink(Script::new([Ok(replies)]), 1, None);
            let task = rt::spawn("sink", manager.run());
            send(&probe.ctrl, SinkMsg::Start).await;
            expect_ready(&probe.source, true).await;
            let mut msg = events(&[(1, "a"), (2, "b")], true);
            if let DataMsg::Events { events, .. } = &mut msg {
                for e in events {
                    e.trail.push(crate::event::Hop {
                        pipeline: 0,
                        node: 3,
                        port: "out",
                    });
                }
            }
            send(&probe.data, msg).await;
            let mut seen = Vec::new();
            for _ in 0..3 {
                let report = harness::next(&probe.reports).await;
                assert_eq!(report.trail.len(), 1);
                seen.push((report.delivery, report.origin.map(|o| o.pull_id)));
            }
            seen.sort_by_key(|(d, _)| format!("{d:?}"));
            assert_eq!(
                seen,
                [
                    (Reported::Ack, Some(1)),
                    (Reported::Fail, Some(2)),
                    (Reported::Trigger, Some(2))
                ]
            );
            // Neither an ack nor a pause went to the source directly.
            harness::quiet(&probe.source).await;
            send(&probe.ctrl, SinkMsg::Stop).await;
            task.await;
        });
    }

    #[test]
    fn a_batch_event_is_encoded_element_by_element() {
        let mut batch = event(1, 0, "unused", false);
        batch.payload =
            crate::event::EventPayload::from_value(tremor_value::literal!([1, {"a": 2}]));
        for (is_batch, chunks) in [
            (true, vec!["1", r#"{"a":2}"#]),
            (false, vec![r#"[1,{"a":2}]"#]),
        ] {
            batch.is_batch = is_batch;
            let (mut data, mut ends) = (Vec::new(), Vec::new());
            encode(&mut Encoding::Structured, &batch, &mut data, &mut ends).expect("encodes");
            let mut start = 0;
            let written: Vec<String> = ends
                .iter()
                .map(|&end| {
                    let chunk = String::from_utf8_lossy(&data[start..end as usize]).to_string();
                    start = end as usize;
                    chunk
                })
                .collect();
            assert_eq!(written, chunks, "is_batch: {is_batch}");
        }
    }

    #[test]
    fn counts_what_it_drops_for_the_end_summary() {
        rt::block_on(async {
            let mut one_failed = SinkReplies::ack_all();
            one_failed.push(0, EventAck::FAIL, CbAction::NONE);
            let full = Err(ConnectorError::new(
                ErrorKind::IO,
                "no space left on device",
            ));
            let lost = Err(ConnectorError::connection("broken pipe"));
            let script = Script::new([Ok(one_failed), full, lost]);
            let (manager, probe) = harness::sink(script, 1, None);
            let counters = Arc::new(PortCounters::default());
            let task = rt::spawn("sink", manager.count_into(counters.clone()).run());
            send(&probe.ctrl, SinkMsg::Start).await;
            expect_ready(&probe.source, true).await;
            send(&probe.data, events(&[(1, "a"), (2, "b")], false)).await;
            probe.calls.wait_for(&batch(&["a", "b"]), 1).await;
            send(&probe.data, events(&[(3, "c"), (4, "d"), (5, "e")], false)).await;
            probe.calls.wait_for(&batch(&["c", "d", "e"]), 1).await;
            // Kept for after a reconnect that never comes: dropped at the stop.
            send(&probe.data, events(&[(6, "f")], false)).await;
            assert!(matches!(
                harness::next(&probe.connector).await,
                ConnectorMsg::ConnectionLost
            ));
            send(&probe.ctrl, SinkMsg::Stop).await;
            task.await;
            assert_eq!(probe.dropped.load(Ordering::Relaxed), 1 + 3 + 1);
            // What reached it, delivered or not, for the metrics.
            assert_eq!(counters.input.load(Ordering::Relaxed), 6);
        });
    }

    #[test]
    fn events_still_queued_at_a_stop_before_it_ever_connected_count_as_dropped() {
        rt::block_on(async {
            let (manager, probe) = harness::sink(Script::new([]), 1, None);
            let task = rt::spawn("sink", manager.run());
            // Never started (its connector never connected): the events wait in its queue.
            send(&probe.data, events(&[(1, "a"), (2, "b")], false)).await;
            send(&probe.data, events(&[(3, "c")], false)).await;
            send(&probe.ctrl, SinkMsg::Stop).await;
            task.await;
            assert_eq!(probe.dropped.load(Ordering::Relaxed), 3);
            assert!(probe
                .calls
                .all()
                .iter()
                .all(|c| !matches!(c, Call::Batch(_))));
        });
    }

    /// Source manager → (the test, standing in for a pipeline) → sink manager → ack back to
    /// the source part.
    #[test]
    fn a_delivered_transactional_pull_is_acked_on_the_source_part() {
        rt::block_on(async {
            let (source, source_probe) =
                harness::source(Decoding::Structured, HashSet::from([SINK_ID]));
            let (sink, sink_probe) =
                harness::sink(Script::new([]), 1, Some(source_probe.ctrl.clone()));
            let source_task = rt::spawn("source", source.run());
            let sink_task = rt::spawn("sink", sink.run());
            send(&source_probe.ctrl, SourceMsg::Start).await;
            send(&sink_probe.ctrl, SinkMsg::Start).await;
            let docs = vec![b"1".to_vec().into(), b"2".to_vec().into()];
            let reply = SourceReply::Data(SourceBatch::json(9, docs).transactional());
            send(&source_probe.replies, Ok(reply)).await;
            let msg = harness::next(&source_probe.out).await;
            if let DataMsg::Events { events, .. } = &msg {
                let origin = events[0].origin.expect("from a source");
                assert_eq!((origin.source, origin.stream), (SOURCE_ID, 9));
            }
            send(&sink_probe.data, msg).await;
            source_probe
                .calls
                .wait_for(
                    &Call::Ack {
                        stream: 9,
                        pull_id: 0,
                    },
                    1,
                )
                .await;
            send(&sink_probe.ctrl, SinkMsg::Stop).await;
            send(&source_probe.ctrl, SourceMsg::Stop).await;
            sink_task.await;
            source_task.await;
            assert_eq!(
                sink_probe.calls.all(),
                [Call::Batch(vec!["1".into(), "2".into()]), Call::Flush]
            );
        });
    }
}
