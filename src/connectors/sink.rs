//! The sink manager: takes events from the sink's queue, encodes and postprocesses them into
//! one reusable buffer, hands them to the connector's sink part in batches, and routes the
//! delivery replies back to transactional sources.

use super::{manager::ConnectorMsg, source::SourceMsg, DataMsg};
use crate::{
    codec::Codec,
    event::Event,
    postprocessor::Postprocessor,
    rt::{self, Receiver, Sender},
    world::WorldMsg,
};
use abi_stable::std_types::{RSlice, RStr};
use std::{collections::HashMap, sync::Arc};
use tremor_pdk::{
    ConnectorError, ErrorKind, EventAck, RawSinkBox, SinkBatch, SinkEvent, SinkReplies,
};

/// Control messages for a sink manager.
#[derive(Debug)]
pub(crate) enum SinkMsg {
    /// Connected: deliver (queued events first).
    Start,
    /// Hold events (connection lost).
    Pause,
    /// The connector failed: drop what arrives, failing transactional events.
    Fail,
    /// Flush and stop.
    Stop,
}

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
    /// Index into the pending events of each entry in `events`.
    sources: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Holding,
    Delivering,
    Failed,
}

pub(crate) struct SinkManager {
    alias: Arc<str>,
    sink: RawSinkBox,
    data: Receiver<DataMsg>,
    ctrl: Receiver<SinkMsg>,
    connector: Sender<ConnectorMsg>,
    world: Sender<WorldMsg>,
    encoding: Encoding,
    /// Links feeding this sink; it is drained when every one of them sent `Drained`.
    upstream_links: usize,
    /// Control channels of transactional sources, by source id, for acks and fails.
    sources: Arc<HashMap<u64, Sender<SourceMsg>>>,
    buffers: BatchBuffers,
    pending: Vec<(&'static str, Vec<Event>)>,
}

enum Step {
    Ctrl(Option<SinkMsg>),
    Data(Option<DataMsg>),
}

impl SinkManager {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        alias: Arc<str>,
        sink: RawSinkBox,
        data: Receiver<DataMsg>,
        ctrl: Receiver<SinkMsg>,
        connector: Sender<ConnectorMsg>,
        world: Sender<WorldMsg>,
        encoding: Encoding,
        upstream_links: usize,
        sources: Arc<HashMap<u64, Sender<SourceMsg>>>,
    ) -> Self {
        Self {
            alias,
            sink,
            data,
            ctrl,
            connector,
            world,
            encoding,
            upstream_links,
            sources,
            buffers: BatchBuffers::default(),
            pending: Vec::new(),
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
            let step = if phase == Phase::Holding || !data_open {
                Step::Ctrl(self.ctrl.recv().await.ok())
            } else {
                let (ctrl, data) = (&self.ctrl, &self.data);
                rt::race(async { Step::Ctrl(ctrl.recv().await.ok()) }, async {
                    Step::Data(data.recv().await.ok())
                })
                .await
            };
            match step {
                Step::Ctrl(None | Some(SinkMsg::Stop)) => break,
                Step::Ctrl(Some(SinkMsg::Start)) => {
                    if phase != Phase::Failed {
                        phase = Phase::Delivering;
                        let pending = std::mem::take(&mut self.pending);
                        for (port, events) in pending {
                            self.deliver(port, events).await;
                        }
                    }
                }
                Step::Ctrl(Some(SinkMsg::Pause)) => {
                    if phase == Phase::Delivering {
                        phase = Phase::Holding;
                    }
                }
                Step::Ctrl(Some(SinkMsg::Fail)) => phase = Phase::Failed,
                Step::Data(None) => data_open = false,
                Step::Data(Some(DataMsg::Events { port, events })) => match phase {
                    Phase::Delivering => self.deliver(port, events).await,
                    Phase::Holding => self.pending.push((port, events)),
                    Phase::Failed => self.reject(&events),
                },
                Step::Data(Some(DataMsg::Drained)) => {
                    drained_links += 1;
                    if drained_links == self.upstream_links {
                        self.flush().await;
                        self.report_drained();
                    }
                }
            }
        }
        self.flush().await;
        log::debug!("[{}] sink manager stopped", self.alias);
    }

    fn report_drained(&self) {
        let _ = self
            .world
            .try_send(WorldMsg::SinkDrained(self.alias.to_string()));
    }

    async fn flush(&mut self) {
        if let Err(e) = self.sink.flush().await.into_result() {
            log::error!("[{}] sink flush failed: {e}", self.alias);
        }
    }

    fn reject(&self, events: &[Event]) {
        log::warn!(
            "[{}] connector failed: dropping {} event(s)",
            self.alias,
            events.len()
        );
        self.report(events, &SinkReplies::fail_all());
    }

    async fn deliver(&mut self, port: &'static str, events: Vec<Event>) {
        let b = &mut self.buffers;
        b.data.clear();
        b.chunk_ends.clear();
        b.meta.clear();
        b.events.clear();
        b.sources.clear();
        let mut failed = Vec::new();
        for (i, event) in events.iter().enumerate() {
            let start = b.data.len();
            let chunks_start = b.chunk_ends.len();
            if let Err(e) = encode(&mut self.encoding, event, &mut b.data, start) {
                log::error!("[{}] cannot encode event {}: {e}", self.alias, event.id);
                b.data.truncate(start);
                failed.push(i);
                continue;
            }
            b.chunk_ends.push(offset(b.data.len()));
            let meta_start = b.meta.len();
            if let Some(meta) = &event.meta {
                b.meta.extend_from_slice(meta.as_bytes());
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
            b.sources.push(i);
        }
        let replies = if b.events.is_empty() {
            SinkReplies::ack_all()
        } else {
            let batch = SinkBatch {
                data: RSlice::from_slice(&b.data),
                chunk_ends: RSlice::from_slice(&b.chunk_ends),
                meta: RSlice::from_slice(&b.meta),
                events: RSlice::from_slice(&b.events),
            };
            match self.sink.on_batch(batch).await.into_result() {
                Ok(replies) => replies,
                Err(e) => {
                    on_error(&self.alias, &self.connector, e);
                    SinkReplies::fail_all()
                }
            }
        };
        if events.iter().any(|e| e.transactional) {
            // Map batch indices back to event indices, then add the encoding failures.
            let mut full = SinkReplies {
                all: replies.all,
                exceptions: Default::default(),
            };
            for r in replies.exceptions.iter() {
                if let Some(&i) = b.sources.get(r.index as usize) {
                    full.push(i, r.ack, r.cb);
                }
            }
            for i in failed {
                full.push(i, EventAck::FAIL, tremor_pdk::CbAction::NONE);
            }
            self.report(&events, &full);
        }
    }

    /// Sends acks (highest pull id per stream) and fails (lowest) to transactional sources.
    fn report(&self, events: &[Event], replies: &SinkReplies) {
        let mut acks: HashMap<(u64, u64), u64> = HashMap::new();
        let mut fails: HashMap<(u64, u64), u64> = HashMap::new();
        for (i, event) in events.iter().enumerate() {
            let Some(origin) = event.origin.filter(|_| event.transactional) else {
                continue;
            };
            let key = (origin.source, origin.stream);
            match replies.ack_of(i) {
                EventAck::ACK => {
                    let e = acks.entry(key).or_insert(origin.pull_id);
                    *e = (*e).max(origin.pull_id);
                }
                EventAck::FAIL => {
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

/// Logs a sink error and tells the connector manager when it needs to act.
fn on_error(alias: &str, connector: &Sender<ConnectorMsg>, error: ConnectorError) {
    log::error!("[{alias}] sink error: {error}");
    let msg = if error.kind == ErrorKind::CONNECTION {
        ConnectorMsg::ConnectionLost
    } else if error.kind == ErrorKind::PANIC {
        ConnectorMsg::PartFailed(error)
    } else {
        // An error writing one batch (a bad event, a full disk) does not end the connector.
        return;
    };
    let _ = connector.try_send(msg);
}

fn offset(n: usize) -> u32 {
    // Batches are bounded far below 4 GiB by the queue sizes.
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn encode(
    encoding: &mut Encoding,
    event: &Event,
    out: &mut Vec<u8>,
    start: usize,
) -> Result<(), String> {
    match encoding {
        Encoding::Structured => {
            tremor_value::write_json(event.payload.value(), out);
            Ok(())
        }
        Encoding::Bytes {
            codec,
            postprocessors,
        } => {
            codec.encode(event.payload.value(), out)?;
            for pp in postprocessors.iter_mut() {
                pp.process(out, start)?;
            }
            Ok(())
        }
    }
}
