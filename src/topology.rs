//! The shape of a deployment, computed before anything runs: which node sends to which (and on
//! which ports), how many links feed each receiver, and which sinks every source feeds (the
//! circuit-breaker graph). A pure function of the plan and of what each created connector
//! offers (a source part, a sink part, its input ports): no channel, task or codec is made
//! here, so the wiring can be checked by unit tests. [`crate::world`] turns the result into
//! channels and actors.

use crate::{
    errors::{Error, Result},
    ports::{ERR, OUT},
    troy::plan::{EndpointKind, FlowPlan, Link, Plan},
};
use std::collections::{BTreeSet, HashMap};

pub use crate::event::ConnectorId;

/// What a created connector offers, beyond its plan: the facts topology needs from the
/// connector instance itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectorShape {
    /// It has a source part (it can send events).
    pub has_source: bool,
    /// It has a sink part (it can receive events).
    pub has_sink: bool,
    /// The sink's input ports, when the connector declares them (`None`: any port).
    pub input_ports: Option<Vec<&'static str>>,
}

/// A pipeline instance of the deployment: its position among all pipelines of the plan, flow by
/// flow in `create` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PipelineId(pub u32);

impl PipelineId {
    /// The position in the plan's pipeline list.
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A node of the deployment graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeId {
    /// A connector instance (as a receiver: its sink part; as a sender: its source part).
    Connector(ConnectorId),
    /// A pipeline instance.
    Pipeline(PipelineId),
}

/// Where one link delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The receiving node.
    pub node: NodeId,
    /// Its input port.
    pub port: String,
    /// `flow/alias`, for messages.
    pub name: String,
}

/// The outgoing links of one output port, in `connect` order (the order events are copied in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The sender's output port.
    pub port: String,
    /// Who receives what is sent there.
    pub targets: Vec<Target>,
}

/// A connector instance and its place in the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorNode {
    /// Its id (its position in the plan).
    pub id: ConnectorId,
    /// Index of its flow in [`Plan::flows`].
    pub flow: usize,
    /// Index in its flow's [`FlowPlan::connectors`].
    pub index: usize,
    /// `flow::alias`, the name logs use.
    pub name: String,
    /// The source side, when it has a source part.
    pub source: Option<SourceNode>,
    /// The sink side, when it has a sink part.
    pub sink: Option<SinkNode>,
}

/// The wiring of a source part.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceNode {
    /// Links out of `out`.
    pub out: Vec<Target>,
    /// Links out of `err`.
    pub err: Vec<Target>,
    /// The sinks it feeds, directly or through any number of pipelines: it pulls only while
    /// all of them are ready (the circuit breaker).
    pub downstream_sinks: BTreeSet<ConnectorId>,
}

/// The wiring of a sink part.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SinkNode {
    /// Links into it; it has drained when every one of them has.
    pub upstream_links: usize,
    /// The sources that feed it (the reverse of [`SourceNode::downstream_sinks`]): told when
    /// it becomes ready or stops being ready.
    pub upstream_sources: BTreeSet<ConnectorId>,
}

/// A pipeline instance and its place in the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineNode {
    /// Its id.
    pub id: PipelineId,
    /// Index of its flow in [`Plan::flows`].
    pub flow: usize,
    /// Index in its flow's [`FlowPlan::pipelines`].
    pub index: usize,
    /// `flow::alias`, the name logs use.
    pub name: String,
    /// Its connected output ports, in the order it declares them.
    pub outputs: Vec<Output>,
    /// Links into it; it has drained when every one of them has.
    pub upstream_links: usize,
}

/// The whole deployment graph. Connectors are indexed by [`ConnectorId`], pipelines by
/// [`PipelineId`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Topology {
    /// Every connector instance, in id order.
    pub connectors: Vec<ConnectorNode>,
    /// Every pipeline instance, in id order.
    pub pipelines: Vec<PipelineNode>,
}

impl Topology {
    /// Computes the graph of `plan`. `shapes` describes each connector, in id order (flow by
    /// flow, in `create` order). Fails on the first link that cannot carry events: from a
    /// connector without a source part or an output port other than `out`/`err`, from a
    /// pipeline port it does not declare, to a connector without a sink part or to an input
    /// port the connector does not declare.
    pub fn build(plan: &Plan, shapes: &[ConnectorShape]) -> Result<Self> {
        let mut topology = Self::default();
        let mut ids: HashMap<(usize, EndpointKind, &str), NodeId> = HashMap::new();
        for (fi, flow) in plan.flows.iter().enumerate() {
            for (ci, cp) in flow.connectors.iter().enumerate() {
                let id = ConnectorId(next_id(topology.connectors.len())?);
                let shape = shapes.get(id.index()).ok_or_else(|| {
                    Error::Deploy(format!("connector `{}`: no instance was created", cp.alias))
                })?;
                ids.insert(
                    (fi, EndpointKind::Connector, &cp.alias),
                    NodeId::Connector(id),
                );
                topology.connectors.push(ConnectorNode {
                    id,
                    flow: fi,
                    index: ci,
                    name: format!("{}::{}", flow.name, cp.alias),
                    source: shape.has_source.then(SourceNode::default),
                    sink: shape.has_sink.then(SinkNode::default),
                });
            }
            for (pi, p) in flow.pipelines.iter().enumerate() {
                let id = PipelineId(next_id(topology.pipelines.len())?);
                ids.insert((fi, EndpointKind::Pipeline, &p.alias), NodeId::Pipeline(id));
                topology.pipelines.push(PipelineNode {
                    id,
                    flow: fi,
                    index: pi,
                    name: format!("{}::{}", flow.name, p.alias),
                    outputs: Vec::new(),
                    upstream_links: 0,
                });
            }
        }
        // Links: validated and recorded in `connect` order.
        let mut pipeline_outputs: HashMap<(PipelineId, &str), Vec<Target>> = HashMap::new();
        for (fi, flow) in plan.flows.iter().enumerate() {
            for link in &flow.links {
                let from = node(&ids, fi, flow, link, true)?;
                let to = node(&ids, fi, flow, link, false)?;
                topology.check_link(flow, link, from, to, shapes)?;
                let target = Target {
                    node: to,
                    port: link.to.port.clone(),
                    name: format!("{}/{}", flow.name, link.to.alias),
                };
                match from {
                    NodeId::Connector(id) => {
                        let source = topology.connectors[id.index()]
                            .source
                            .as_mut()
                            .expect("check_link: the sender has a source part");
                        if link.from.port == ERR {
                            source.err.push(target);
                        } else {
                            source.out.push(target);
                        }
                    }
                    NodeId::Pipeline(id) => pipeline_outputs
                        .entry((id, link.from.port.as_str()))
                        .or_default()
                        .push(target),
                }
                match to {
                    NodeId::Connector(id) => {
                        topology.connectors[id.index()]
                            .sink
                            .as_mut()
                            .expect("check_link: the receiver has a sink part")
                            .upstream_links += 1;
                    }
                    NodeId::Pipeline(id) => topology.pipelines[id.index()].upstream_links += 1,
                }
            }
        }
        for node in &mut topology.pipelines {
            let plan = &plan.flows[node.flow].pipelines[node.index];
            for port in &plan.into_ports {
                if let Some(targets) = pipeline_outputs.remove(&(node.id, port.as_str())) {
                    node.outputs.push(Output {
                        port: port.clone(),
                        targets,
                    });
                }
            }
        }
        topology.circuit_breaker_graph();
        Ok(topology)
    }

    /// Fills in which sinks every source feeds and, the other way round, which sources feed
    /// every sink.
    fn circuit_breaker_graph(&mut self) {
        for i in 0..self.connectors.len() {
            let id = self.connectors[i].id;
            if self.connectors[i].source.is_none() {
                continue;
            }
            let sinks = self.downstream_sinks(id);
            for sink in &sinks {
                if let Some(node) = self.connectors[sink.index()].sink.as_mut() {
                    node.upstream_sources.insert(id);
                }
            }
            if let Some(source) = self.connectors[i].source.as_mut() {
                source.downstream_sinks = sinks;
            }
        }
    }

    /// The connectors whose sink part receives events from `source`, directly or through
    /// pipelines.
    fn downstream_sinks(&self, source: ConnectorId) -> BTreeSet<ConnectorId> {
        let mut sinks = BTreeSet::new();
        let mut seen: BTreeSet<PipelineId> = BTreeSet::new();
        let mut frontier: Vec<&Target> = match &self.connectors[source.index()].source {
            Some(s) => s.out.iter().chain(&s.err).collect(),
            None => Vec::new(),
        };
        while let Some(target) = frontier.pop() {
            match target.node {
                NodeId::Connector(id) => {
                    sinks.insert(id);
                }
                NodeId::Pipeline(id) => {
                    if seen.insert(id) {
                        frontier.extend(
                            self.pipelines[id.index()]
                                .outputs
                                .iter()
                                .flat_map(|o| &o.targets),
                        );
                    }
                }
            }
        }
        sinks
    }

    /// The same checks, with the same messages, as links always had.
    fn check_link(
        &self,
        flow: &FlowPlan,
        link: &Link,
        from: NodeId,
        to: NodeId,
        shapes: &[ConnectorShape],
    ) -> Result<()> {
        let at = flow.at(link.pos);
        let (from_ep, to_ep) = (&link.from, &link.to);
        match from {
            NodeId::Connector(id) => {
                if self.connectors[id.index()].source.is_none() {
                    return Err(Error::Deploy(format!(
                        "{at}: connector `{}` produces no events (it has no source part)",
                        from_ep.alias
                    )));
                }
                if from_ep.port != OUT && from_ep.port != ERR {
                    return Err(Error::Deploy(format!(
                        "{at}: connector `{}` has no output port `{}` (ports: {OUT}, {ERR})",
                        from_ep.alias, from_ep.port
                    )));
                }
            }
            NodeId::Pipeline(id) => {
                let p = &flow.pipelines[self.pipelines[id.index()].index];
                if !p.into_ports.contains(&from_ep.port) {
                    return Err(Error::Deploy(format!(
                        "{at}: pipeline `{}` has no output port `{}` (ports: {})",
                        from_ep.alias,
                        from_ep.port,
                        p.into_ports.join(", ")
                    )));
                }
            }
        }
        if let NodeId::Pipeline(id) = to {
            // Tremor 0.13 refuses an undeclared input port when it deploys the link (0.12
            // accepted it and dropped each event arriving there with an error).
            let p = &flow.pipelines[self.pipelines[id.index()].index];
            if !p.from_ports.contains(&to_ep.port) {
                return Err(Error::Deploy(format!(
                    "{at}: pipeline `{}` has no input port `{}` (ports: {})",
                    to_ep.alias,
                    to_ep.port,
                    p.from_ports.join(", ")
                )));
            }
        }
        if let NodeId::Connector(id) = to {
            if let Some(ports) = &shapes[id.index()].input_ports {
                if !ports.iter().any(|p| *p == to_ep.port) {
                    return Err(Error::Deploy(format!(
                        "{at}: connector `{}` has no input port `{}` (ports: {})",
                        to_ep.alias,
                        to_ep.port,
                        ports.join(", ")
                    )));
                }
            }
            if self.connectors[id.index()].sink.is_none() {
                return Err(Error::Deploy(format!(
                    "{at}: `{}` cannot receive events (a connector without a sink part)",
                    to_ep.alias
                )));
            }
        }
        Ok(())
    }
}

/// The node a link's sending (`from`) or receiving side names.
fn node(
    ids: &HashMap<(usize, EndpointKind, &str), NodeId>,
    flow_index: usize,
    flow: &FlowPlan,
    link: &Link,
    from: bool,
) -> Result<NodeId> {
    let ep = if from { &link.from } else { &link.to };
    ids.get(&(flow_index, ep.kind, ep.alias.as_str()))
        .copied()
        .ok_or_else(|| {
            // The planner resolves every alias; this guards plans built by other means.
            Error::Deploy(format!(
                "{}: no {} `{}` in this flow",
                flow.at(link.pos),
                match ep.kind {
                    EndpointKind::Connector => "connector",
                    EndpointKind::Pipeline => "pipeline",
                },
                ep.alias
            ))
        })
}

fn next_id(count: usize) -> Result<u32> {
    u32::try_from(count).map_err(|_| Error::Deploy("too many instances in one deployment".into()))
}

#[cfg(test)]
#[path = "topology_tests.rs"]
mod tests;
