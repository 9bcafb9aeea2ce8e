//! The result of planning: every deployed flow with its connectors, pipelines and links, fully
//! resolved (definitions looked up, arguments substituted, defaults applied), so that the runtime
//! never needs to look at Troy syntax except the `select` / `where` expressions it evaluates.

use super::ast;
use super::error::Pos;
use std::fmt;
use std::sync::Arc;
use tremor_value::Value;

/// A whole deployment: one entry per `deploy flow` statement, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// The deployed flows.
    pub flows: Vec<FlowPlan>,
}

/// One deployed flow.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowPlan {
    /// The deployment alias (the flow's name unless `deploy flow ALIAS from NAME`).
    pub name: String,
    /// The file holding the flow's `create` and `connect` statements: the positions of its
    /// connectors and links are in this file.
    pub file: String,
    /// The created connectors, in `create` order.
    pub connectors: Vec<ConnectorPlan>,
    /// The created pipelines, in `create` order.
    pub pipelines: Vec<PipelinePlan>,
    /// The `connect` statements, in order.
    pub links: Vec<Link>,
}

impl FlowPlan {
    /// `FILE:LINE:COL` of `pos` in this flow's file, the prefix of every deployment error.
    #[must_use]
    pub fn at(&self, pos: Pos) -> String {
        format!("{}:{}:{}", self.file, pos.line, pos.column)
    }

    /// The connector created under `alias`.
    #[must_use]
    pub fn connector(&self, alias: &str) -> Option<&ConnectorPlan> {
        self.connectors.iter().find(|c| c.alias == alias)
    }

    /// The pipeline created under `alias`.
    #[must_use]
    pub fn pipeline(&self, alias: &str) -> Option<&PipelinePlan> {
        self.pipelines.iter().find(|p| p.alias == alias)
    }
}

/// A connector instance.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorPlan {
    /// The alias from `create connector ALIAS`.
    pub alias: String,
    /// The connector type from `define connector X from TYPE` (`file`, `stdio`, `exit`, ...).
    pub connector_type: String,
    /// The codec, when one is set.
    pub codec: Option<NamedConfig>,
    /// Preprocessors, applied in order to incoming bytes.
    pub preprocessors: Vec<NamedConfig>,
    /// Postprocessors, applied in order to outgoing bytes.
    pub postprocessors: Vec<NamedConfig>,
    /// The `config` record; an empty record when not given.
    pub config: Value<'static>,
    /// The `reconnect` setting as written, or the string `"none"` when not given.
    pub reconnect: Value<'static>,
    /// How often to emit metrics, in seconds, when set.
    pub metrics_interval_s: Option<u64>,
    /// The `isolation` setting as written (`"none"`, `"process"`, `{"process": {...}}`), or
    /// `"none"` when not given.
    pub isolation: Value<'static>,
    /// Where the `create` statement is.
    pub pos: Pos,
    /// `FILE:LINE:COL` of the `config` record's value (in the file of the connector's
    /// definition), where a connector's refusal of its config is reported; `None` when the
    /// definition sets no `config`.
    pub config_at: Option<String>,
}

impl ConnectorPlan {
    /// A connector created at `pos` with every setting at its default (no codec, no
    /// processors, an empty config, no reconnect, no metrics), for `with` to fill in.
    #[must_use]
    pub fn new(alias: impl Into<String>, connector_type: impl Into<String>, pos: Pos) -> Self {
        Self {
            alias: alias.into(),
            connector_type: connector_type.into(),
            codec: None,
            preprocessors: Vec::new(),
            postprocessors: Vec::new(),
            config: Value::object(),
            reconnect: Value::from("none"),
            metrics_interval_s: None,
            isolation: Value::from("none"),
            pos,
            config_at: None,
        }
    }
}

/// A codec or processor: `"json"` or `{"name": "json", "config": {...}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedConfig {
    /// Its name.
    pub name: String,
    /// Its configuration; an empty record when not given.
    pub config: Value<'static>,
}

/// A pipeline instance.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelinePlan {
    /// The alias from `create pipeline ALIAS`.
    pub alias: String,
    /// The input ports it declares (`from`); `["in"]` by default.
    pub from_ports: Vec<String>,
    /// The output ports it declares (`into`); `["out", "err"]` by default.
    pub into_ports: Vec<String>,
    /// Its `select` statements, in order, with `args` already substituted.
    pub selects: Vec<SelectPlan>,
    /// The streams and scripts its body creates, which `select`s connect.
    pub nodes: Nodes,
    /// The resolved argument record (defaults merged with the `with` of `create`).
    pub args: Value<'static>,
    /// How often to report its port counts, in seconds, when set (`#!config
    /// metrics_interval_s` in its definition).
    pub metrics_interval_s: Option<u64>,
    /// Where the `create` statement is.
    pub pos: Pos,
}

/// `select TARGET from PORT [where FILTER] into PORT;`
#[derive(Debug, Clone, PartialEq)]
pub struct SelectPlan {
    /// Builds the output event ([`ast::Expr::is_event`] when it is the event unchanged).
    pub target: ast::Expr,
    /// The input port whose events it reads (of the node `from_node`, else of the pipeline).
    pub from_port: String,
    /// The stream or script it reads from, by its index in [`PipelinePlan::nodes`]; `None`: an
    /// input port of the pipeline.
    pub from_node: Option<usize>,
    /// Events for which this is not `true` are skipped.
    pub filter: Option<ast::Expr>,
    /// The output port it sends to (of the node `into_node`, else of the pipeline).
    pub into_port: String,
    /// The stream or script it sends to, by its index in [`PipelinePlan::nodes`]; `None`: an
    /// output port of the pipeline.
    pub into_node: Option<usize>,
    /// Where the `select` is (in the file that defines the pipeline).
    pub pos: Pos,
    /// `from PORT[w1, w2, ...]`: the windows (tilt frames), smallest first.
    pub windows: Vec<WindowPlan>,
    /// `group by ...`.
    pub group_by: Option<GroupBy>,
    /// `having EXPR`: run on the output, which it reads as `event`.
    pub having: Option<ast::Expr>,
    /// The aggregate function calls of the target and `having`, in the order of the hidden
    /// locals they were replaced by (see [`crate::script::scope::Scope::aggregates`]).
    pub aggregates: Vec<AggregatePlan>,
    /// The text of the file that holds it (shared), to show its runtime errors on their line
    /// (as Tremor).
    pub source: Option<std::sync::Arc<str>>,
    /// The functions its expressions may call (from the pipeline's `use`s).
    pub fns: std::sync::Arc<[crate::script::scope::FnDef]>,
}

/// `define window NAME from tumbling with ... [script ...] end;`, planned.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowPlan {
    /// Its name, what the `window` path reads.
    pub name: String,
    /// When it closes.
    pub kind: WindowKind,
    /// The most groups a select using it keeps open at once (`max_groups`; unbounded when not
    /// given, as in Tremor).
    pub max_groups: usize,
    /// The embedded script: a count window adds what it returns instead of 1, a time window
    /// takes it as the event's time instead of `ingest_ns`, a state window closes when it
    /// returns `true` (or `[emit, include]`).
    pub script: Option<ScriptPlan>,
    /// A state window's initial `state` (null for the others).
    pub state: Value<'static>,
}

/// What closes a tumbling window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    /// `size = N`: after N events (or N of the script's weight).
    Count(u64),
    /// `interval = NANOS`: when an event (or a tick) comes NANOS after the window's first one.
    Time(u64),
    /// `state EXPR script ...`: when the script, which keeps `state`, says so.
    State,
}

pub use super::ast::GroupBy;

/// One aggregate function call of a select (`aggr::stats::count()`), with its arguments
/// planned.
pub use crate::script::aggr_call::AggregateCall as AggregatePlan;

/// A `connect` statement: events flow from one port to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The sending side.
    pub from: Endpoint,
    /// The receiving side.
    pub to: Endpoint,
    /// Where the `connect` statement is.
    pub pos: Pos,
}

/// Whether an endpoint is a connector or a pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointKind {
    /// A connector instance.
    Connector,
    /// A pipeline instance.
    Pipeline,
}

/// One side of a link, with its default port filled in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Connector or pipeline.
    pub kind: EndpointKind,
    /// The instance's alias.
    pub alias: String,
    /// The port: as written, else `out` when sending and `in` when receiving.
    pub port: String,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            EndpointKind::Connector => "connector",
            EndpointKind::Pipeline => "pipeline",
        };
        write!(f, "/{kind}/{}/{}", self.alias, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_display_and_lookup() {
        let e = Endpoint {
            kind: EndpointKind::Pipeline,
            alias: "main".into(),
            port: "exit".into(),
        };
        assert_eq!(e.to_string(), "/pipeline/main/exit");
        let flow = FlowPlan {
            name: "f".into(),
            file: "x.troy".into(),
            connectors: vec![ConnectorPlan {
                codec: Some(NamedConfig {
                    name: "json".into(),
                    config: Value::object(),
                }),
                ..ConnectorPlan::new("c", "exit", Pos::new(1, 1))
            }],
            pipelines: vec![],
            links: vec![],
        };
        assert!(flow.connector("c").is_some());
        assert!(flow.connector("d").is_none());
        assert!(flow.pipeline("c").is_none());
        let dbg = format!("{:?}", flow.connectors);
        assert!(dbg.contains(r#"reconnect: "none""#), "{dbg}");
        assert!(dbg.contains(r#"config: {}"#), "{dbg}");
    }
}

/// The streams and scripts a pipeline body creates, in `create` order; `select`s name them by
/// their index here.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Nodes(pub Vec<NodePlan>);

/// A stream or script of a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct NodePlan {
    /// Its name in the body.
    pub name: String,
    /// What it is.
    pub kind: NodeKind,
}

/// The kinds of nodes.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// `create stream NAME;`: passes every event on, whatever its port.
    Stream,
    /// `create script NAME ...;`: runs a script per event.
    Script(ScriptPlan),
    /// `create operator NAME ...;`: one of Tremor's builtin operators.
    Operator(OperatorPlan),
}

/// An operator instance: what each pipeline instance builds (checked once at plan time).
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorPlan {
    /// The builtin operator, `MODULE::TYPE`.
    pub kind: String,
    /// Its `with` record, `None` when the definition has no `with`.
    pub config: Option<Value<'static>>,
}

/// A script instance: what each pipeline instance compiles (checked once at plan time).
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptPlan {
    /// The file that defines it, for error messages.
    pub file: String,
    /// The body, placed where it is in that file.
    pub source: Arc<str>,
    /// Its `args`: the definition's defaults and the `with` of `create script`.
    pub args: Value<'static>,
    /// The `state` each instance starts with.
    pub state: Value<'static>,
}
