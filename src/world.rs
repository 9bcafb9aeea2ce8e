//! The world: turns a deployment plan into running actors, waits for a stop request or a
//! signal, and shuts everything down (gracefully: drain, flush, stop).

use crate::isolation::{self, Isolation};
use crate::{
    codec,
    connectors::{
        intern_port,
        manager::ConnectorManager,
        metrics,
        msg::{ConnectorMsg, DataMsg, ReportInboxes, Route, SourceMsg},
        parts::{ConnectorPart, SinkPart, SourcePart},
        reconnect::Reconnect,
        registry::Registry,
        restart,
        sink::{Encoding, SinkManager, SinkSetup, SourceInboxes},
        source::{Decoding, SourceManager, SourceSetup},
        State,
    },
    errors::{Error, Result},
    event::ConnectorId,
    pipeline::{Contraflow, Pipeline},
    postprocessor, preprocessor,
    rt::{self, JoinHandle, Receiver, Sender},
    topology::{ConnectorShape, NodeId, Target, Topology},
    troy::plan::{ConnectorPlan, FlowPlan, Plan},
};
use std::{
    collections::{HashMap, HashSet},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};
use tremor_pdk::CodecRequirement;
use tremor_value::Value;

pub use crate::connectors::msg::WorldMsg;

/// Size of the queue in front of each pipeline and sink, in batches (backpressure bound).
const QUEUE_BATCHES: usize = 64;
/// How long a graceful stop waits for sinks to drain.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a stop waits for a connector to finish.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// The exit code of `tremor server run` when a sink dropped events (a failed write, a connector
/// that failed or never connected) and the deployment would otherwise have ended with 0.
pub const EXIT_EVENTS_DROPPED: i32 = 3;

/// The exit code of `tremor server run` when the deployment cannot do anything: every connector
/// with a source part failed to start (as for a deployment that does not plan).
pub const EXIT_DEPLOYMENT_FAILED: i32 = 1;

/// A connector instance that was created but not started.
struct Created {
    name: String,
    connector: Box<dyn ConnectorPart>,
    ctrl: (Sender<ConnectorMsg>, Receiver<ConnectorMsg>),
    source: Option<Box<dyn SourcePart>>,
    sink: Option<Box<dyn SinkPart>>,
    requirement: CodecRequirement,
    reconnect: Reconnect,
    /// The sink's input ports, when the connector declares them.
    input_ports: Option<Vec<&'static str>>,
    /// Builds a fresh instance when this one fails (restart per the reconnect policy).
    rebuild: restart::Rebuild,
    /// How often its port counts are reported to the metrics connectors (`None`, `0`: never).
    metrics_interval_s: Option<u64>,
}

impl Created {
    fn shape(&self) -> ConnectorShape {
        ConnectorShape {
            has_source: self.source.is_some(),
            has_sink: self.sink.is_some(),
            input_ports: self.input_ports.clone(),
        }
    }
}

/// The codecs and processors of one connector, built before anything is spawned so that a
/// bad one fails the deployment with nothing running.
struct Codecs {
    decoding: Option<Decoding>,
    encoding: Option<Encoding>,
}

impl Codecs {
    fn build(cp: &ConnectorPlan, created: &Created) -> Result<Self> {
        let decoding = match created.source {
            Some(_) => Some(decoding(cp, created.requirement)?),
            None => None,
        };
        let encoding = match created.sink {
            Some(_) => Some(encoding(cp, created.requirement)?),
            None => None,
        };
        Ok(Self { decoding, encoding })
    }
}

/// A running connector, as the world keeps it.
struct Running {
    name: String,
    ctrl: Sender<ConnectorMsg>,
    handle: JoinHandle<State>,
    /// What its sink dropped (connectors with a sink part).
    dropped: Option<Arc<AtomicU64>>,
}

/// How a connector ended, for the summary at the end of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorOutcome {
    /// `flow::alias`.
    pub name: String,
    /// Its final state; `None` when it did not stop in time.
    pub state: Option<State>,
    /// Events its sink dropped.
    pub dropped: u64,
}

/// A running deployment.
pub struct World {
    world_rx: Receiver<WorldMsg>,
    world_tx: Sender<WorldMsg>,
    connectors: Vec<Running>,
    sinks: usize,
    pipelines: Vec<JoinHandle<()>>,
    exit_nonzero_on_drops: bool,
    /// Connectors with a source part that have not failed to start: when none is left, no
    /// event can ever flow and the deployment has failed (instead of running on idle).
    startable_sources: HashSet<String>,
    /// Connectors with a source part that may still produce (not finished, not quarantined,
    /// not failed to start): when none is left the world says so, once.
    live_sources: HashSet<String>,
}

impl World {
    /// Creates every connector and pipeline of `plan` and starts them. Fails (and starts
    /// nothing) when a connector type is unknown, a connector refuses its config, a link
    /// cannot carry events or a codec or processor cannot be built.
    pub fn start(plan: &Plan, registry: &Registry) -> Result<Self> {
        let (world_tx, world_rx) = rt::unbounded();
        let mut created = Vec::new();
        for flow in &plan.flows {
            for cp in &flow.connectors {
                let c = create_connector(registry, flow, cp, &world_tx)
                    .map_err(|e| e.at(flow.at(cp.pos)))?;
                created.push(c);
            }
        }
        let shapes: Vec<ConnectorShape> = created.iter().map(Created::shape).collect();
        let topology = Topology::build(plan, &shapes)?;
        let codecs = topology
            .connectors
            .iter()
            .zip(&created)
            .map(|(node, c)| {
                let flow = &plan.flows[node.flow];
                let cp = &flow.connectors[node.index];
                Codecs::build(cp, c).map_err(|e| e.at(flow.at(cp.pos)))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut world = Self {
            world_rx,
            world_tx,
            connectors: Vec::new(),
            sinks: 0,
            pipelines: Vec::new(),
            exit_nonzero_on_drops: true,
            startable_sources: HashSet::new(),
            live_sources: HashSet::new(),
        };
        world.spawn(plan, &topology, created, codecs);
        Ok(world)
    }

    /// Whether a run in which a sink dropped events ends with [`EXIT_EVENTS_DROPPED`] instead
    /// of 0 (the default; `tremor server run --allow-dropped-events` turns it off).
    #[must_use]
    pub fn exit_nonzero_on_drops(mut self, on: bool) -> Self {
        self.exit_nonzero_on_drops = on;
        self
    }

    /// A sender for stop requests (used by the signal handler).
    pub fn sender(&self) -> Sender<WorldMsg> {
        self.world_tx.clone()
    }

    /// Makes the channels `topology` calls for and spawns every actor on them. `created` and
    /// `codecs` are in connector id order.
    fn spawn(
        &mut self,
        plan: &Plan,
        topology: &Topology,
        created: Vec<Created>,
        codecs: Vec<Codecs>,
    ) {
        // Data channels: one per receiver (pipeline or sink part).
        let pipeline_channels: Vec<(Sender<DataMsg>, Receiver<DataMsg>)> = topology
            .pipelines
            .iter()
            .map(|_| rt::bounded(QUEUE_BATCHES))
            .collect();
        let sink_channels: Vec<Option<(Sender<DataMsg>, Receiver<DataMsg>)>> = topology
            .connectors
            .iter()
            .map(|c| c.sink.as_ref().map(|_| rt::bounded(QUEUE_BATCHES)))
            .collect();
        let routes = |targets: &[Target]| -> Vec<Route> {
            targets
                .iter()
                .map(|t| {
                    let inbox = match t.node {
                        NodeId::Pipeline(id) => &pipeline_channels[id.index()].0,
                        NodeId::Connector(id) => {
                            &sink_channels[id.index()]
                                .as_ref()
                                .expect("topology sends only to connectors with a sink part")
                                .0
                        }
                    };
                    Route {
                        tx: inbox.clone(),
                        port: intern_port(&t.port),
                        target: t.name.clone(),
                    }
                })
                .collect()
        };
        let pipeline_outputs: Vec<HashMap<&'static str, Vec<Route>>> = topology
            .pipelines
            .iter()
            .map(|p| {
                p.outputs
                    .iter()
                    .map(|o| (intern_port(&o.port), routes(&o.targets)))
                    .collect()
            })
            .collect();
        let mut source_routes: Vec<Option<(Vec<Route>, Vec<Route>)>> = topology
            .connectors
            .iter()
            .map(|c| c.source.as_ref().map(|s| (routes(&s.out), routes(&s.err))))
            .collect();
        // From here on only the routes hold senders: a receiver sees its channel close once
        // every sender feeding it is gone.
        let pipeline_rx = pipeline_channels.into_iter().map(|(_, rx)| rx);
        let mut sink_rx: Vec<Option<Receiver<DataMsg>>> = sink_channels
            .into_iter()
            .map(|c| c.map(|(_, rx)| rx))
            .collect();

        // Control channels of sources first: sinks and pipelines report acks and readiness to
        // them.
        let mut source_ctrl: Vec<Option<(Sender<SourceMsg>, Receiver<SourceMsg>)>> = topology
            .connectors
            .iter()
            .map(|c| c.source.as_ref().map(|_| rt::unbounded()))
            .collect();
        let source_inboxes: SourceInboxes = Arc::new(
            topology
                .connectors
                .iter()
                .zip(&source_ctrl)
                .filter_map(|(c, ctrl)| ctrl.as_ref().map(|(tx, _)| (c.id, tx.clone())))
                .collect(),
        );
        // Delivery reports of events that passed operators wanting them: sinks to pipelines,
        // pipelines to earlier pipelines (see pipeline::contraflow).
        let (report_tx, report_rx): (Vec<_>, Vec<_>) =
            topology.pipelines.iter().map(|_| rt::unbounded()).unzip();
        let report_inboxes: ReportInboxes = Arc::new(report_tx);
        let held_sources = crate::pipeline::upstream_sources(topology);
        for (((node, rx), outputs), reports) in topology
            .pipelines
            .iter()
            .zip(pipeline_rx)
            .zip(pipeline_outputs)
            .zip(report_rx)
        {
            let p = &plan.flows[node.flow].pipelines[node.index];
            let contraflow = Contraflow {
                instance: node.id.0,
                reports,
                pipelines: report_inboxes.clone(),
                sources: source_inboxes.clone(),
                upstream_sources: held_sources[node.id.index()]
                    .iter()
                    .filter_map(|source| source_inboxes.get(source).cloned())
                    .collect(),
            };
            let pipeline = Pipeline::new(
                node.name.clone(),
                p,
                rx,
                outputs,
                node.upstream_links,
                contraflow,
            );
            self.pipelines
                .push(rt::spawn(format!("pipeline {}", node.name), pipeline.run()));
        }

        for ((node, c), codecs) in topology.connectors.iter().zip(created).zip(codecs) {
            let alias: Arc<str> = Arc::from(node.name.as_str());
            let (ctrl_tx, ctrl_rx) = c.ctrl;
            let parts = restart::prepare(c.rebuild, &c.reconnect, c.source, c.sink);
            let counters = Arc::new(metrics::PortCounters::default());
            if let Some(seconds) = c.metrics_interval_s.filter(|s| *s > 0) {
                let ports = metrics::Ports {
                    source: parts.source.is_some() && node.source.is_some(),
                    sink: parts.sink.is_some() && node.sink.is_some(),
                };
                metrics::spawn_reporter(
                    alias.clone(),
                    ports,
                    &counters,
                    Duration::from_secs(seconds),
                );
            }
            let source = match (parts.source, &node.source) {
                (Some(part), Some(wiring)) => {
                    let (tx, rx) = source_ctrl[node.id.index()].take().expect("made above");
                    let (out, err) = source_routes[node.id.index()].take().unwrap_or_default();
                    let manager = SourceManager::new(SourceSetup {
                        alias: alias.clone(),
                        id: node.id,
                        part,
                        decoding: codecs.decoding.expect("built for every source part"),
                        out,
                        err,
                        downstream_sinks: wiring.downstream_sinks.iter().copied().collect(),
                        ctrl: rx,
                        connector: ctrl_tx.clone(),
                    })
                    .count_into(counters.clone());
                    Some((tx, rt::spawn(format!("source {alias}"), manager.run())))
                }
                _ => None,
            };
            let mut dropped = None;
            let sink = match (parts.sink, &node.sink) {
                (Some(part), Some(wiring)) => {
                    let (tx, rx) = rt::unbounded();
                    let counter = Arc::new(AtomicU64::new(0));
                    dropped = Some(counter.clone());
                    let manager = SinkManager::new(SinkSetup {
                        alias: alias.clone(),
                        id: node.id,
                        part,
                        encoding: codecs.encoding.expect("built for every sink part"),
                        data: sink_rx[node.id.index()]
                            .take()
                            .expect("every sink got a channel above"),
                        upstream_links: wiring.upstream_links,
                        ctrl: rx,
                        connector: ctrl_tx.clone(),
                        world: self.world_tx.clone(),
                        sources: source_inboxes.clone(),
                        reports: report_inboxes.clone(),
                        upstream_sources: wiring
                            .upstream_sources
                            .iter()
                            .filter_map(|source| source_inboxes.get(source).cloned())
                            .collect(),
                        dropped: counter,
                    })
                    .count_into(counters.clone());
                    self.sinks += 1;
                    Some((tx, rt::spawn(format!("sink {alias}"), manager.run())))
                }
                _ => None,
            };
            if source.is_some() {
                self.startable_sources.insert(alias.to_string());
                self.live_sources.insert(alias.to_string());
            }
            let manager = ConnectorManager::new(
                alias.clone(),
                c.connector,
                ctrl_rx,
                c.reconnect,
                source,
                sink,
            )
            .report_start_failure_to(self.world_tx.clone())
            .restart_with(parts.restarter);
            let handle = rt::spawn(format!("connector {alias}"), manager.run());
            self.connectors.push(Running {
                name: c.name,
                ctrl: ctrl_tx,
                handle,
                dropped,
            });
        }
    }

    /// Runs until a stop request or a signal, then shuts down. Returns the exit code.
    pub async fn run(mut self) -> i32 {
        let mut drained: HashSet<ConnectorId> = HashSet::new();
        let (exit_code, graceful) = loop {
            match self.world_rx.recv().await {
                Ok(WorldMsg::Stop {
                    exit_code,
                    delay_ns,
                    graceful,
                    by,
                }) => {
                    log::info!(
                        "stop requested by {by}: exit code {exit_code}, delay {delay_ns} ns, graceful {graceful}"
                    );
                    if delay_ns > 0 {
                        rt::sleep(Duration::from_nanos(delay_ns)).await;
                    }
                    break (exit_code, graceful);
                }
                Ok(WorldMsg::Signal(sig)) => {
                    let name = signal_hook::low_level::signal_name(sig).unwrap_or("?");
                    log::info!("signal {sig} received: stopping gracefully ({name})");
                    break (0, true);
                }
                Ok(WorldMsg::SinkDrained(alias)) => {
                    drained.insert(alias);
                }
                Ok(WorldMsg::SourceIdle { connector, why }) => {
                    self.source_idle(&connector, &why);
                }
                Ok(WorldMsg::StartFailed { connector, reason }) => {
                    // A connector that fails alone leaves the rest running, as in Tremor; only
                    // a deployment none of whose sources can start is given up.
                    let was_source = self.startable_sources.remove(&connector);
                    if was_source && self.startable_sources.is_empty() {
                        log::error!(
                            "deployment failed: no source can start (the last, {connector}: {reason}); stopping"
                        );
                        break (EXIT_DEPLOYMENT_FAILED, true);
                    }
                    self.source_idle(&connector, &reason);
                }
                Err(_) => break (0, false),
            }
        };
        let exit_nonzero_on_drops = self.exit_nonzero_on_drops;
        let outcomes = self.shutdown(graceful, drained).await;
        let dropped = summarize(&outcomes);
        if dropped > 0 && exit_code == 0 && exit_nonzero_on_drops {
            log::error!(
                "exiting with {EXIT_EVENTS_DROPPED}: {dropped} event(s) were dropped \
                 (pass --allow-dropped-events to exit with 0 anyway)"
            );
            return EXIT_EVENTS_DROPPED;
        }
        exit_code
    }

    /// Notes that `connector`'s source produces nothing more; when it was the last one, says
    /// once that the deployment now runs idle. (Tremor keeps such a deployment running; so do
    /// we: a sink may still be fed by nothing, but an operator must not have to guess.)
    fn source_idle(&mut self, connector: &str, why: &str) {
        if self.live_sources.remove(connector) && self.live_sources.is_empty() {
            log::warn!(
                "every source of the deployment has finished or failed (the last, {connector}: {why}): \
                 no more events will come in; it keeps running until stopped by a signal or an `exit` connector"
            );
        }
    }

    async fn shutdown(
        mut self,
        graceful: bool,
        mut drained: HashSet<ConnectorId>,
    ) -> Vec<ConnectorOutcome> {
        if graceful {
            for Running { ctrl: tx, .. } in &self.connectors {
                let _ = tx.send(ConnectorMsg::Drain).await;
            }
            let deadline = std::time::Instant::now() + DRAIN_TIMEOUT;
            while drained.len() < self.sinks {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                match rt::timeout(left, self.world_rx.recv()).await {
                    Some(Ok(WorldMsg::SinkDrained(alias))) => {
                        drained.insert(alias);
                    }
                    Some(Ok(WorldMsg::Signal(_))) => {
                        log::warn!("second signal: stopping without waiting for the drain");
                        break;
                    }
                    Some(Ok(
                        WorldMsg::Stop { .. }
                        | WorldMsg::StartFailed { .. }
                        | WorldMsg::SourceIdle { .. },
                    )) => {}
                    Some(Err(_)) | None => {
                        log::warn!(
                            "drain timed out after {} s: {} of {} sinks drained",
                            DRAIN_TIMEOUT.as_secs(),
                            drained.len(),
                            self.sinks
                        );
                        break;
                    }
                }
            }
        }
        for Running { ctrl: tx, .. } in &self.connectors {
            let _ = tx.send(ConnectorMsg::Stop).await;
        }
        let mut ended = Vec::with_capacity(self.connectors.len());
        for running in self.connectors.drain(..) {
            let state = rt::timeout(STOP_TIMEOUT, running.handle).await;
            match state {
                Some(state) => log::debug!("[{}] ended {state}", running.name),
                None => log::warn!("[{}] did not stop in time", running.name),
            }
            ended.push((running.name, state, running.dropped));
        }
        for handle in self.pipelines.drain(..) {
            let _ = rt::timeout(Duration::from_secs(1), handle).await;
        }
        log::info!("all connectors stopped");
        // Read the counters only now: every sink manager has stopped (or timed out).
        ended
            .into_iter()
            .map(|(name, state, dropped)| ConnectorOutcome {
                name,
                state,
                dropped: dropped.map_or(0, |d| d.load(Ordering::Relaxed)),
            })
            .collect()
    }
}

/// Logs one line per connector that failed (an error it could not recover from, or its reconnect
/// policy gave up: it is quarantined until the process restarts), did not stop, or dropped
/// events; returns how many events were dropped in all.
fn summarize(outcomes: &[ConnectorOutcome]) -> u64 {
    let mut dropped = 0;
    for o in outcomes {
        dropped += o.dropped;
        let how = match o.state {
            Some(State::Failed) => "failed (quarantined: no more retries)",
            None => "did not stop in time",
            Some(_) if o.dropped > 0 => "could not deliver everything",
            Some(_) => continue,
        };
        log::error!(
            "summary: [{}] {how}; {} event(s) dropped",
            o.name,
            o.dropped
        );
    }
    if dropped > 0 {
        log::error!("summary: {dropped} event(s) dropped in all");
    }
    dropped
}

/// A connector's refusal to be built: a config error is placed at the deployment's `config`
/// record (when the definition has one; else the caller places it at the `create`), without
/// the position inside the JSON text that serde names (the runtime wrote that text, the user
/// did not).
fn config_error(name: &str, cp: &ConnectorPlan, mut error: tremor_pdk::ConnectorError) -> Error {
    let is_config = error.kind == tremor_pdk::ErrorKind::CONFIG;
    if is_config {
        error.message = without_json_position(&error.message).into();
    }
    let at = cp.config_at.clone().filter(|_| is_config);
    let error = Error::Connector {
        alias: name.to_string(),
        error,
    };
    match at {
        Some(at) => error.at(at),
        None => error,
    }
}

/// `message` without a trailing ` at line N column M` (serde_json's position).
fn without_json_position(message: &str) -> &str {
    let Some((head, tail)) = message.rsplit_once(" at line ") else {
        return message;
    };
    let is_position = tail.split_once(" column ").is_some_and(|(line, column)| {
        [line, column]
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    });
    if is_position {
        head
    } else {
        message
    }
}

fn create_connector(
    registry: &Registry,
    flow: &FlowPlan,
    cp: &ConnectorPlan,
    world_tx: &Sender<WorldMsg>,
) -> Result<Created> {
    let Some(ty) = registry.get(&cp.connector_type) else {
        return Err(Error::UnknownConnectorType {
            name: cp.connector_type.clone(),
            alias: cp.alias.clone(),
        });
    };
    let name = format!("{}::{}", flow.name, cp.alias);
    let reconnect = Reconnect::from_value(&cp.reconnect)
        .map_err(|e| Error::Deploy(format!("connector `{name}`: {e}")))?;
    let isolation = Isolation::from_value(&cp.isolation)
        .map_err(|e| Error::Deploy(format!("connector `{name}`: {e}")))?;
    let (ctrl_tx, ctrl_rx) = rt::unbounded();
    let codec_in_config = ty.codec_in_config() && cp.codec.is_some();
    let config = tremor_value::to_json(&config_with_codec(cp, codec_in_config));
    let mut connector = isolation::instantiate(
        ty,
        isolation,
        &name,
        world_tx.clone(),
        ctrl_tx.clone(),
        &config,
    )
    .map_err(|error| config_error(&name, cp, error))?;
    let requirement = connector.codec_requirement();
    warn_if_codec_ignored(&name, flow, cp, requirement, codec_in_config);
    let part_error = |error| Error::Connector {
        alias: name.clone(),
        error,
    };
    let source = connector.create_source().map_err(part_error)?;
    let sink = connector.create_sink().map_err(part_error)?;
    log::debug!(
        "[{name}] created from {} ({}): source {}, sink {}",
        ty.name(),
        ty.origin,
        source.is_some(),
        sink.is_some()
    );
    let rebuild = restart::rebuild_from(
        ty.clone(),
        isolation,
        name.clone(),
        world_tx.clone(),
        ctrl_tx.clone(),
        config.clone(),
    );
    Ok(Created {
        name,
        connector,
        ctrl: (ctrl_tx, ctrl_rx),
        source,
        sink,
        requirement,
        reconnect,
        input_ports: ty.input_ports(),
        rebuild,
        metrics_interval_s: cp.metrics_interval_s,
    })
}

fn decoding(cp: &ConnectorPlan, requirement: CodecRequirement) -> Result<Decoding> {
    if requirement.kind == CodecRequirement::KIND_STRUCTURED {
        return Ok(Decoding::Structured);
    }
    let codec = codec_for(cp, requirement)?;
    let preprocessors = cp
        .preprocessors
        .iter()
        .map(|p| preprocessor::lookup(&p.name, &p.config))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Deploy(format!("connector `{}`: {e}", cp.alias)))?;
    Ok(Decoding::Bytes {
        codec,
        preprocessors: Arc::new(preprocessors),
    })
}

fn encoding(cp: &ConnectorPlan, requirement: CodecRequirement) -> Result<Encoding> {
    if requirement.kind == CodecRequirement::KIND_STRUCTURED {
        return Ok(Encoding::Structured);
    }
    let codec = codec_for(cp, requirement)?;
    let postprocessors = cp
        .postprocessors
        .iter()
        .map(|p| postprocessor::lookup(&p.name, &p.config))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Deploy(format!("connector `{}`: {e}", cp.alias)))?;
    Ok(Encoding::Bytes {
        codec,
        postprocessors,
    })
}

fn codec_for(cp: &ConnectorPlan, requirement: CodecRequirement) -> Result<Box<dyn codec::Codec>> {
    let in_connector =
        |e: codec::CodecError| Error::Deploy(format!("connector `{}`: {e}", cp.alias));
    match (&cp.codec, requirement.kind) {
        (Some(named), _) => codec::lookup(&named.name, &named.config).map_err(in_connector),
        (None, CodecRequirement::KIND_OPTIONAL) => codec::lookup(
            requirement.default_codec.as_str(),
            &tremor_value::Value::object(),
        )
        .map_err(in_connector),
        (None, _) => Err(Error::Deploy(format!(
            "connector `{}` of type `{}` needs a codec (add `codec = \"json\"` or another of: {})",
            cp.alias,
            cp.connector_type,
            codec::NAMES.join(", ")
        ))),
    }
}

/// The connector's `config` record, with the connector-level codec under `codec` when the
/// connector takes it there (pdk's `codec_in_config`: http's body codec, as in Tremor 0.12) and
/// the record does not set `codec` itself.
fn config_with_codec(cp: &ConnectorPlan, codec_in_config: bool) -> Value<'static> {
    let mut config = cp.config.clone();
    if let Some(codec) = cp.codec.as_ref().filter(|_| codec_in_config) {
        if config.get("codec").is_none() {
            let mut named = Value::object();
            // Both inserts go into records: they cannot fail.
            let _ = named.insert("name", codec.name.clone());
            let _ = named.insert("config", codec.config.clone());
            let _ = config.insert("codec", named);
        } else {
            log::warn!(
                "connector `{}`: its codec `{}` is ignored, its config sets `codec` itself",
                cp.alias,
                codec.name
            );
        }
    }
    config
}

/// Warns when a structured connector was given a codec or processors it ignores. A warning,
/// not an error: deployments written for Tremor sometimes name one anyway.
fn warn_if_codec_ignored(
    name: &str,
    flow: &FlowPlan,
    cp: &ConnectorPlan,
    requirement: CodecRequirement,
    codec_in_config: bool,
) {
    let codec_ignored = cp.codec.is_some() && !codec_in_config;
    if requirement.kind == CodecRequirement::KIND_STRUCTURED
        && (codec_ignored || !cp.preprocessors.is_empty() || !cp.postprocessors.is_empty())
    {
        log::warn!(
            "[{name}] connectors of type `{}` exchange structured values: the codec and processors configured at {} are ignored",
            cp.connector_type,
            flow.at(cp.pos)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::troy::{plan::NamedConfig, Pos};
    use tremor_pdk::ConnectorError;

    #[test]
    fn the_connector_level_codec_goes_into_the_config_of_connectors_that_take_it() {
        let mut cp = ConnectorPlan::new("web", "http_server", Pos::new(1, 1));
        let _ = cp.config.insert("url", "http://127.0.0.1:1/");
        cp.codec = Some(NamedConfig {
            name: "string".into(),
            config: Value::object(),
        });
        let config =
            |cp: &ConnectorPlan, takes: bool| tremor_value::to_json(&config_with_codec(cp, takes));
        assert_eq!(
            config(&cp, true),
            r#"{"url":"http://127.0.0.1:1/","codec":{"name":"string","config":{}}}"#
        );
        assert_eq!(config(&cp, false), r#"{"url":"http://127.0.0.1:1/"}"#);
        // The config's own `codec` stays.
        let _ = cp.config.insert("codec", "binary");
        assert_eq!(
            config(&cp, true),
            r#"{"url":"http://127.0.0.1:1/","codec":"binary"}"#
        );
        #[cfg(all(feature = "connector-http-server", feature = "connector-http-client"))]
        {
            let registry = crate::connectors::registry::Registry::with_builtins();
            let takes = |ty: &str| registry.get(ty).is_some_and(|t| t.codec_in_config());
            assert!(takes("http_server") && takes("http_client"));
            assert!(!takes("file") && !takes("metronome"));
        }
    }

    #[test]
    fn config_errors_point_at_the_config_record_without_the_json_position() {
        assert_eq!(
            without_json_position("unknown field `x` at line 1 column 15"),
            "unknown field `x`"
        );
        for kept in [
            "no position",
            "at line one column 2",
            "x at line 1 column ",
            "x at line 1",
        ] {
            assert_eq!(without_json_position(kept), kept);
        }
        let mut cp = ConnectorPlan::new("f", "file", Pos::new(8, 3));
        let bad = || {
            ConnectorError::config("invalid file config: missing field `path` at line 1 column 15")
        };
        let plain = config_error("main::f", &cp, bad()).to_string();
        assert_eq!(
            plain, "connector `main::f`: config error: invalid file config: missing field `path`",
            "without a config record the caller places it at the create statement"
        );
        cp.config_at = Some("config.troy:6:14".into());
        assert_eq!(
            config_error("main::f", &cp, bad()).to_string(),
            "config.troy:6:14: connector `main::f`: config error: invalid file config: missing field `path`"
        );
        let io = config_error("main::f", &cp, ConnectorError::io("at line 1 column 2")).to_string();
        assert_eq!(
            io, "connector `main::f`: io error: at line 1 column 2",
            "only config errors move"
        );
    }
}
