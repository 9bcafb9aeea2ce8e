//! The world: turns a deployment plan into running actors, waits for a stop request or a
//! signal, and shuts everything down (gracefully: drain, flush, stop).

use crate::{
    codec,
    connectors::{
        host, intern_port,
        manager::{ConnectorManager, ConnectorMsg},
        parts::{ConnectorPart, SinkPart, SourcePart},
        reconnect::Reconnect,
        registry::Registry,
        sink::{Encoding, SinkManager},
        source::{Decoding, SourceManager},
        DataMsg, Route, State,
    },
    errors::{Error, Result},
    pipeline::Pipeline,
    postprocessor, preprocessor,
    rt::{self, JoinHandle, Receiver, Sender},
    troy::plan::{ConnectorPlan, EndpointKind, FlowPlan, Plan},
};
use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};
use tremor_pdk::CodecRequirement;

/// Messages to the world.
#[derive(Debug)]
pub enum WorldMsg {
    /// Stop the runtime (from the exit connector, or any connector via its context).
    Stop {
        /// The process exit code.
        exit_code: i32,
        /// Wait this long first, in ns.
        delay_ns: u64,
        /// Drain before stopping.
        graceful: bool,
        /// Who asked, for the log.
        by: String,
    },
    /// SIGINT / SIGTERM arrived.
    Signal(i32),
    /// A sink has received `Drained` on all its links and flushed.
    SinkDrained(String),
}

/// Size of the queue in front of each pipeline and sink, in batches (backpressure bound).
const QUEUE_BATCHES: usize = 64;
/// How long a graceful stop waits for sinks to drain.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a stop waits for a connector to finish.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A connector instance that was created but not started.
struct Created {
    name: String,
    plan_index: (usize, usize),
    connector: Box<dyn ConnectorPart>,
    ctrl: (Sender<ConnectorMsg>, Receiver<ConnectorMsg>),
    source: Option<Box<dyn SourcePart>>,
    sink: Option<Box<dyn SinkPart>>,
    requirement: CodecRequirement,
    reconnect: Reconnect,
    /// The sink's input ports, when the connector declares them.
    input_ports: Option<Vec<&'static str>>,
}

/// A running deployment.
pub struct World {
    world_rx: Receiver<WorldMsg>,
    world_tx: Sender<WorldMsg>,
    connectors: Vec<(String, Sender<ConnectorMsg>, JoinHandle<State>)>,
    sinks: usize,
    pipelines: Vec<JoinHandle<()>>,
}

impl World {
    /// Creates every connector and pipeline of `plan` and starts them. Fails (and starts
    /// nothing) when a connector type is unknown or a connector refuses its config.
    pub fn start(plan: &Plan, registry: &Registry) -> Result<Self> {
        let (world_tx, world_rx) = rt::unbounded();
        let mut created = Vec::new();
        for (fi, flow) in plan.flows.iter().enumerate() {
            for (ci, cp) in flow.connectors.iter().enumerate() {
                created.push(create_connector(registry, flow, cp, (fi, ci), &world_tx)?);
            }
        }
        let mut world = Self {
            world_rx,
            world_tx,
            connectors: Vec::new(),
            sinks: 0,
            pipelines: Vec::new(),
        };
        world.wire(plan, created)?;
        Ok(world)
    }

    /// A sender for stop requests (used by the signal handler).
    pub fn sender(&self) -> Sender<WorldMsg> {
        self.world_tx.clone()
    }

    /// Builds channels and routes for every link, then spawns all actors.
    fn wire(&mut self, plan: &Plan, created: Vec<Created>) -> Result<()> {
        // Data channels: one per pipeline and per sink, keyed by (flow index, alias).
        let mut pipeline_rx = HashMap::new();
        let mut inbox: HashMap<(usize, &str, EndpointKind), Sender<DataMsg>> = HashMap::new();
        let mut sink_rx = HashMap::new();
        for (fi, flow) in plan.flows.iter().enumerate() {
            for p in &flow.pipelines {
                let (tx, rx) = rt::bounded(QUEUE_BATCHES);
                inbox.insert((fi, p.alias.as_str(), EndpointKind::Pipeline), tx);
                pipeline_rx.insert((fi, p.alias.as_str()), rx);
            }
        }
        for c in &created {
            if c.sink.is_some() {
                let (fi, ci) = c.plan_index;
                let alias = plan.flows[fi].connectors[ci].alias.as_str();
                let (tx, rx) = rt::bounded(QUEUE_BATCHES);
                inbox.insert((fi, alias, EndpointKind::Connector), tx);
                sink_rx.insert((fi, alias), rx);
            }
        }
        // Routes out of every node, and the number of links into every node.
        let mut routes: HashMap<(usize, &str, EndpointKind, &str), Vec<Route>> = HashMap::new();
        let mut upstream: HashMap<(usize, &str, EndpointKind), usize> = HashMap::new();
        for (fi, flow) in plan.flows.iter().enumerate() {
            for link in &flow.links {
                let (from, to) = (&link.from, &link.to);
                validate_link(flow, &created, fi, link)?;
                let Some(tx) = inbox.get(&(fi, to.alias.as_str(), to.kind)) else {
                    return Err(Error::Deploy(format!(
                        "{}:{}: `{}` cannot receive events (a connector without a sink part)",
                        link.pos.line, link.pos.column, to.alias
                    )));
                };
                routes
                    .entry((fi, from.alias.as_str(), from.kind, from.port.as_str()))
                    .or_default()
                    .push(Route {
                        tx: tx.clone(),
                        port: intern_port(&to.port),
                        target: format!("{}/{}", flow.name, to.alias),
                    });
                *upstream
                    .entry((fi, to.alias.as_str(), to.kind))
                    .or_default() += 1;
            }
        }
        drop(inbox);
        // Pipelines.
        for (fi, flow) in plan.flows.iter().enumerate() {
            for p in &flow.pipelines {
                let mut outputs = HashMap::new();
                for port in &p.into_ports {
                    if let Some(r) = routes.remove(&(
                        fi,
                        p.alias.as_str(),
                        EndpointKind::Pipeline,
                        port.as_str(),
                    )) {
                        outputs.insert(intern_port(port), r);
                    }
                }
                let rx = pipeline_rx
                    .remove(&(fi, p.alias.as_str()))
                    .expect("every pipeline got a channel above");
                let links = upstream
                    .get(&(fi, p.alias.as_str(), EndpointKind::Pipeline))
                    .copied()
                    .unwrap_or(0);
                let name = format!("{}::{}", flow.name, p.alias);
                let pipeline = Pipeline::new(name.clone(), p, rx, outputs, links);
                self.pipelines
                    .push(rt::spawn(format!("pipeline {name}"), pipeline.run()));
            }
        }
        // Connectors: control channels of sources first (sinks report acks to them).
        let mut source_ctrl = HashMap::new();
        let mut source_txs = HashMap::new();
        for (uid, c) in created.iter().enumerate() {
            if c.source.is_some() {
                let (tx, rx) = rt::unbounded();
                source_txs.insert(uid as u64, tx.clone());
                source_ctrl.insert(uid, (tx, rx));
            }
        }
        let source_txs = Arc::new(source_txs);
        // Circuit breaker: which sinks every source feeds, through any number of pipelines.
        let uid_of: HashMap<(usize, &str), u64> = created
            .iter()
            .enumerate()
            .map(|(uid, c)| {
                let (fi, ci) = c.plan_index;
                (
                    (fi, plan.flows[fi].connectors[ci].alias.as_str()),
                    uid as u64,
                )
            })
            .collect();
        let mut downstream: HashMap<u64, HashSet<u64>> = HashMap::new();
        for (fi, flow) in plan.flows.iter().enumerate() {
            for cp in &flow.connectors {
                let sinks = downstream_sinks(flow, &cp.alias)
                    .into_iter()
                    .filter_map(|alias| uid_of.get(&(fi, alias)).copied())
                    .collect();
                if let Some(uid) = uid_of.get(&(fi, cp.alias.as_str())) {
                    downstream.insert(*uid, sinks);
                }
            }
        }
        for (uid, c) in created.into_iter().enumerate() {
            let (fi, ci) = c.plan_index;
            let flow = &plan.flows[fi];
            let cp = &flow.connectors[ci];
            let alias: Arc<str> = Arc::from(c.name.as_str());
            let (ctrl_tx, ctrl_rx) = c.ctrl;
            let source = match c.source {
                Some(source) => {
                    let (tx, rx) = source_ctrl.remove(&uid).expect("made above");
                    let key = |port| (fi, cp.alias.as_str(), EndpointKind::Connector, port);
                    let out = routes.remove(&key("out")).unwrap_or_default();
                    let err = routes.remove(&key("err")).unwrap_or_default();
                    let decoding = decoding(cp, c.requirement)?;
                    let manager = SourceManager::new(
                        alias.clone(),
                        uid as u64,
                        source,
                        rx,
                        ctrl_tx.clone(),
                        decoding,
                        out,
                        err,
                        downstream.get(&(uid as u64)).cloned().unwrap_or_default(),
                    );
                    Some((tx, rt::spawn(format!("source {alias}"), manager.run())))
                }
                None => None,
            };
            let sink = match c.sink {
                Some(sink) => {
                    let (tx, rx) = rt::unbounded();
                    let data = sink_rx
                        .remove(&(fi, cp.alias.as_str()))
                        .expect("every sink got a channel above");
                    let links = upstream
                        .get(&(fi, cp.alias.as_str(), EndpointKind::Connector))
                        .copied()
                        .unwrap_or(0);
                    let manager = SinkManager::new(
                        alias.clone(),
                        sink,
                        data,
                        rx,
                        ctrl_tx.clone(),
                        self.world_tx.clone(),
                        encoding(cp, c.requirement)?,
                        links,
                        source_txs.clone(),
                        uid as u64,
                        downstream
                            .iter()
                            .filter(|(_, sinks)| sinks.contains(&(uid as u64)))
                            .filter_map(|(source, _)| source_txs.get(source).cloned())
                            .collect(),
                    );
                    self.sinks += 1;
                    Some((tx, rt::spawn(format!("sink {alias}"), manager.run())))
                }
                None => None,
            };
            let manager = ConnectorManager {
                alias: alias.clone(),
                connector: c.connector,
                ctrl: ctrl_rx,
                reconnect: c.reconnect,
                source,
                sink,
                state: State::Initializing,
                deferred: Default::default(),
            };
            let handle = rt::spawn(format!("connector {alias}"), manager.run());
            self.connectors.push((c.name, ctrl_tx, handle));
        }
        Ok(())
    }

    /// Runs until a stop request or a signal, then shuts down. Returns the exit code.
    pub async fn run(self) -> i32 {
        let mut drained: HashSet<String> = HashSet::new();
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
                    log::info!("signal {sig} received: stopping gracefully");
                    break (0, true);
                }
                Ok(WorldMsg::SinkDrained(alias)) => {
                    drained.insert(alias);
                }
                Err(_) => break (0, false),
            }
        };
        self.shutdown(graceful, drained).await;
        exit_code
    }

    async fn shutdown(mut self, graceful: bool, mut drained: HashSet<String>) {
        if graceful {
            for (_, tx, _) in &self.connectors {
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
                    Some(Ok(WorldMsg::Stop { .. })) => {}
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
        for (_, tx, _) in &self.connectors {
            let _ = tx.send(ConnectorMsg::Stop).await;
        }
        for (name, _, handle) in self.connectors.drain(..) {
            match rt::timeout(STOP_TIMEOUT, handle).await {
                Some(state) => log::debug!("[{name}] ended {state}"),
                None => log::warn!("[{name}] did not stop in time"),
            }
        }
        for handle in self.pipelines.drain(..) {
            let _ = rt::timeout(Duration::from_secs(1), handle).await;
        }
        log::info!("all connectors stopped");
    }
}

/// The aliases of the connectors whose sink part receives events from connector `alias`,
/// directly or through pipelines.
fn downstream_sinks<'p>(flow: &'p FlowPlan, alias: &str) -> HashSet<&'p str> {
    let mut sinks = HashSet::new();
    let mut seen_pipelines: HashSet<&str> = HashSet::new();
    let mut frontier: Vec<(EndpointKind, &str)> = vec![(EndpointKind::Connector, alias)];
    while let Some((kind, from)) = frontier.pop() {
        for link in flow
            .links
            .iter()
            .filter(|l| l.from.kind == kind && l.from.alias == from)
        {
            let to = link.to.alias.as_str();
            match link.to.kind {
                EndpointKind::Connector => {
                    sinks.insert(to);
                }
                EndpointKind::Pipeline => {
                    if seen_pipelines.insert(to) {
                        frontier.push((EndpointKind::Pipeline, to));
                    }
                }
            }
        }
    }
    sinks
}

fn create_connector(
    registry: &Registry,
    flow: &FlowPlan,
    cp: &ConnectorPlan,
    plan_index: (usize, usize),
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
    let (ctrl_tx, ctrl_rx) = rt::unbounded();
    let ctx = host::context(&name, world_tx.clone(), ctrl_tx.clone());
    let config = tremor_value::to_json(&cp.config);
    let mut connector = ty
        .instantiate(ctx, &config)
        .map_err(|error| Error::Connector {
            alias: name.clone(),
            error,
        })?;
    let requirement = connector.codec_requirement();
    warn_if_codec_ignored(&name, cp, requirement);
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
    Ok(Created {
        name,
        plan_index,
        connector,
        ctrl: (ctrl_tx, ctrl_rx),
        source,
        sink,
        requirement,
        reconnect,
        input_ports: ty.input_ports(),
    })
}

fn validate_link(
    flow: &FlowPlan,
    created: &[Created],
    fi: usize,
    link: &crate::troy::plan::Link,
) -> Result<()> {
    let at = format!("{}:{}", link.pos.line, link.pos.column);
    let from = &link.from;
    match from.kind {
        EndpointKind::Connector => {
            let has_source = created.iter().any(|c| {
                c.plan_index.0 == fi
                    && flow.connectors[c.plan_index.1].alias == from.alias
                    && c.source.is_some()
            });
            if !has_source {
                return Err(Error::Deploy(format!(
                    "{at}: connector `{}` produces no events (it has no source part)",
                    from.alias
                )));
            }
            if from.port != "out" && from.port != "err" {
                return Err(Error::Deploy(format!(
                    "{at}: connector `{}` has no output port `{}` (ports: out, err)",
                    from.alias, from.port
                )));
            }
        }
        EndpointKind::Pipeline => {
            let p = flow.pipelines.iter().find(|p| p.alias == from.alias);
            if let Some(p) = p {
                if !p.into_ports.contains(&from.port) {
                    return Err(Error::Deploy(format!(
                        "{at}: pipeline `{}` has no output port `{}` (ports: {})",
                        from.alias,
                        from.port,
                        p.into_ports.join(", ")
                    )));
                }
            }
        }
    }
    let to = &link.to;
    if to.kind == EndpointKind::Connector {
        let ports = created
            .iter()
            .find(|c| c.plan_index.0 == fi && flow.connectors[c.plan_index.1].alias == to.alias)
            .and_then(|c| c.input_ports.as_ref());
        if let Some(ports) = ports {
            if !ports.iter().any(|p| *p == to.port) {
                return Err(Error::Deploy(format!(
                    "{at}: connector `{}` has no input port `{}` (ports: {})",
                    to.alias,
                    to.port,
                    ports.join(", ")
                )));
            }
        }
    }
    Ok(())
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
        (None, CodecRequirement::KIND_OPTIONAL) => {
            codec::lookup(requirement.default_codec.as_str(), &tremor_value::Value::object())
                .map_err(in_connector)
        }
        (None, _) => Err(Error::Deploy(format!(
            "{}:{}: connector `{}` of type `{}` needs a codec (add `codec = \"json\"` or another of: {})",
            cp.pos.line,
            cp.pos.column,
            cp.alias,
            cp.connector_type,
            codec::NAMES.join(", ")
        ))),
    }
}

/// Warns when a structured connector was given a codec it ignores. A warning, not an error:
/// deployments written for Tremor sometimes name one anyway.
fn warn_if_codec_ignored(name: &str, cp: &ConnectorPlan, requirement: CodecRequirement) {
    if requirement.kind == CodecRequirement::KIND_STRUCTURED
        && (cp.codec.is_some() || !cp.preprocessors.is_empty() || !cp.postprocessors.is_empty())
    {
        log::warn!(
            "[{name}] connectors of type `{}` exchange structured values: the codec and processors configured at {}:{} are ignored",
            cp.connector_type, cp.pos.line, cp.pos.column
        );
    }
}
