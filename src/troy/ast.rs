//! The syntax tree of Troy files; the expression types live in [`crate::script::expr`] and are
//! re-exported here.
//!
//! Statements keep the positions of their names so that the planner can point at the exact word
//! that is wrong.

use super::error::Pos;
pub use crate::script::expr::{
    BinOp, Expr, ExprKind, Func, InterpPart, Literal, Operation, PathRoot, Segment, UnOp,
};
use std::fmt;
use std::sync::Arc;

/// A name as written, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name (without backticks).
    pub name: String,
    /// Where it starts.
    pub pos: Pos,
}

/// The statements of one file (a deployment file or a module file), grouped by kind.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct File {
    /// Top-level `use` statements.
    pub uses: Vec<Use>,
    /// Top-level connector definitions.
    pub connectors: Vec<ConnectorDef>,
    /// Top-level pipeline definitions.
    pub pipelines: Vec<PipelineDef>,
    /// `define flow` statements.
    pub flows: Vec<FlowDef>,
    /// `deploy flow` statements, in order.
    pub deploys: Vec<Deploy>,
}

/// `use a::b [as c];`
#[derive(Debug, Clone, PartialEq)]
pub struct Use {
    /// The module path as written.
    pub path: Vec<Ident>,
    /// The name the module is known by: the `as` name, else the last path segment.
    pub alias: Ident,
    /// Where the statement starts.
    pub pos: Pos,
}

/// `NAME [= default]` in an `args` list.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgDecl {
    /// The argument name.
    pub name: Ident,
    /// Its default; an argument without one must be given on `create`.
    pub default: Option<Expr>,
}

/// `NAME = EXPR` in a `with` block.
#[derive(Debug, Clone, PartialEq)]
pub struct WithArg {
    /// The key.
    pub name: Ident,
    /// Its value.
    pub value: Expr,
}

/// The settings a connector definition's `with` block may contain.
pub const CONNECTOR_WITH_KEYS: &[&str] = &[
    "codec",
    "preprocessors",
    "postprocessors",
    "config",
    "reconnect",
    "metrics_interval_s",
    "isolation",
];

/// `define connector NAME from TYPE [args ...] [with ... end];`
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorDef {
    /// The definition's name.
    pub name: Ident,
    /// The connector type after `from`.
    pub connector_type: Ident,
    /// Declared arguments.
    pub args: Vec<ArgDecl>,
    /// The `with` settings (codec, config, ...).
    pub with: Vec<WithArg>,
    /// Where the statement starts.
    pub pos: Pos,
}

/// `define pipeline NAME [from ...] [into ...] [args ...] pipeline ... end;`
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineDef {
    /// The definition's name.
    pub name: Ident,
    /// `#!config metrics_interval_s = N` in its body: report its port counts every N seconds.
    pub metrics_interval_s: Option<u64>,
    /// Declared input ports; `None` means the default (`in`).
    pub from_ports: Option<Vec<Ident>>,
    /// Declared output ports; `None` means the default (`out`, `err`).
    pub into_ports: Option<Vec<Ident>>,
    /// Declared arguments.
    pub args: Vec<ArgDecl>,
    /// The `select` statements of the body.
    pub selects: Vec<Select>,
    /// `create stream NAME;` statements of the body.
    pub streams: Vec<Ident>,
    /// `define script` statements of the body.
    pub scripts: Vec<ScriptDef>,
    /// `create script` statements of the body, in order.
    pub script_creates: Vec<ScriptCreate>,
    /// `define operator` statements of the body.
    pub operators: Vec<OperatorDef>,
    /// `create operator` statements of the body, in order.
    pub operator_creates: Vec<OperatorCreate>,
    /// `define window` statements of the body.
    pub windows: Vec<WindowDef>,
    /// Where the statement starts.
    pub pos: Pos,
}

impl PipelineDef {
    /// A definition named `name` at `pos` with default ports, no arguments and an empty body,
    /// for the parser to fill in.
    #[must_use]
    pub fn new(name: Ident, pos: Pos) -> Self {
        Self {
            name,
            metrics_interval_s: None,
            from_ports: None,
            into_ports: None,
            args: Vec::new(),
            selects: Vec::new(),
            streams: Vec::new(),
            scripts: Vec::new(),
            script_creates: Vec::new(),
            operators: Vec::new(),
            windows: Vec::new(),
            operator_creates: Vec::new(),
            pos,
        }
    }
}

/// `define script NAME [args ...] [state EXPR] script BODY end;` inside a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptDef {
    /// The definition's name.
    pub name: Ident,
    /// Declared arguments (`args.NAME` in the body).
    pub args: Vec<ArgDecl>,
    /// The initial `state` of each instance; `null` when not given.
    pub state: Option<Expr>,
    /// The body as text, placed where it is in its file (what precedes it blanked out), so
    /// that compiling it reports the file's own lines and columns.
    pub source: std::sync::Arc<str>,
    /// Where the statement starts.
    pub pos: Pos,
}

/// `define operator NAME from MODULE::TYPE [args ...] [with KEY = EXPR, ... end];`
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorDef {
    /// The definition's name.
    pub name: Ident,
    /// The builtin operator, `MODULE::TYPE` (placed at `MODULE`).
    pub kind: Ident,
    /// Declared arguments (`args.NAME` in the `with` values).
    pub args: Vec<ArgDecl>,
    /// The operator's config; `None` without `with`.
    pub with: Option<Vec<WithArg>>,
    /// Where the statement starts.
    pub pos: Pos,
}

/// `create operator ALIAS [from DEFINITION] [with NAME = EXPR, ... end];`
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorCreate {
    /// The instance's name, which `select`s use.
    pub alias: Ident,
    /// The definition (the alias itself when not given).
    pub from: Option<Ident>,
    /// Argument values.
    pub with: Vec<WithArg>,
    /// Where the statement starts.
    pub pos: Pos,
}

/// `create script ALIAS [from DEFINITION] [with NAME = EXPR, ... end];`
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptCreate {
    /// The instance's name, which `select`s use.
    pub alias: Ident,
    /// The definition (the alias itself when not given).
    pub from: Option<Ident>,
    /// Argument values.
    pub with: Vec<WithArg>,
    /// Where the statement starts.
    pub pos: Pos,
}

/// `select EXPR from NODE[/PORT] [where EXPR] into NODE[/PORT];`
///
/// A node is one of the pipeline's own ports (`in`, `out`, `err`, ...) or a stream or script
/// created in the body; the port after `/` is one of that node's ports.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// The expression that builds the output event.
    pub target: Expr,
    /// The node it reads: an input port of the pipeline, or a stream or script.
    pub from_port: Ident,
    /// The port of that node after `/` (a script's `out` when not given).
    pub from_sub_port: Option<Ident>,
    /// The filter, if any.
    pub filter: Option<Expr>,
    /// The node it writes: an output port of the pipeline, or a stream or script.
    pub into_port: Ident,
    /// The port of that node after `/` (a script's `in` when not given).
    pub into_sub_port: Option<Ident>,
    /// Where the statement starts.
    pub pos: Pos,
    /// `[w1, w2, ...]` after the port: the windows, by name.
    pub windows: Vec<Ident>,
    /// `group by ...`.
    pub group_by: Option<GroupBy>,
    /// `having EXPR` (after `into`).
    pub having: Option<Expr>,
    /// The aggregate calls of the target and `having`.
    pub aggregates: Vec<crate::script::aggr_call::AggregateCall>,
    /// The text of the file that holds the statement (shared), to show its runtime errors on
    /// their line; `None` when parsed without the source at hand.
    pub source: Option<std::sync::Arc<str>>,
    /// The functions its expressions may call: those the pipeline's `use`s loaded.
    pub fns: std::sync::Arc<[crate::script::scope::FnDef]>,
}

/// Whether a `create` or a `connect` endpoint is about a connector or a pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A connector.
    Connector,
    /// A pipeline.
    Pipeline,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Connector => "connector",
            Kind::Pipeline => "pipeline",
        })
    }
}

/// A reference to a definition: `NAME` or `MODULE::NAME`.
#[derive(Debug, Clone, PartialEq)]
pub struct DefRef {
    /// The module path (empty for a definition of the same flow or file).
    pub module: Vec<Ident>,
    /// The definition's name.
    pub name: Ident,
}

impl fmt::Display for DefRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.module {
            write!(f, "{}::", m.name)?;
        }
        f.write_str(&self.name.name)
    }
}

/// `create connector|pipeline ALIAS [from DEF] [with ... end];`
#[derive(Debug, Clone, PartialEq)]
pub struct Create {
    /// Connector or pipeline.
    pub kind: Kind,
    /// The instance's alias.
    pub alias: Ident,
    /// The definition; `None` means the definition named like the alias.
    pub from: Option<DefRef>,
    /// Argument values.
    pub with: Vec<WithArg>,
    /// Where the statement starts.
    pub pos: Pos,
}

/// `/connector/A[/PORT]` or `/pipeline/A[/PORT]`.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointRef {
    /// Connector or pipeline.
    pub kind: Kind,
    /// The alias of the instance.
    pub alias: Ident,
    /// The port, when given.
    pub port: Option<Ident>,
    /// Where the endpoint starts (its first `/`).
    pub pos: Pos,
}

/// `connect FROM to TO;`
#[derive(Debug, Clone, PartialEq)]
pub struct Connect {
    /// The sending side.
    pub from: EndpointRef,
    /// The receiving side.
    pub to: EndpointRef,
    /// Where the statement starts.
    pub pos: Pos,
}

/// `define flow NAME [args ...] flow ... end;`
#[derive(Debug, Clone, PartialEq)]
pub struct FlowDef {
    /// The flow's name.
    pub name: Ident,
    /// Declared arguments (`define flow NAME args a, b = 1 flow`), which `args.NAME` reads in
    /// the `with` of its `create` statements.
    pub args: Vec<ArgDecl>,
    /// `use` statements inside the flow.
    pub uses: Vec<Use>,
    /// Connector definitions inside the flow.
    pub connectors: Vec<ConnectorDef>,
    /// Pipeline definitions inside the flow.
    pub pipelines: Vec<PipelineDef>,
    /// `create` statements, in order.
    pub creates: Vec<Create>,
    /// `connect` statements, in order.
    pub connects: Vec<Connect>,
    /// Where the statement starts.
    pub pos: Pos,
}

/// `deploy flow ALIAS [from [MODULE::]FLOW] [with NAME = EXPR, ... end];`
#[derive(Debug, Clone, PartialEq)]
pub struct Deploy {
    /// The name of the running flow.
    pub alias: Ident,
    /// The flow definition (the alias itself when no `from` is given).
    pub flow: DefRef,
    /// The flow's argument values.
    pub with: Vec<WithArg>,
    /// Where the statement starts.
    pub pos: Pos,
}

/// `define window NAME from KIND [with K = EXPR, ...] [script BODY] end;`
#[derive(Debug, Clone, PartialEq)]
pub struct WindowDef {
    /// The window's name.
    pub name: Ident,
    /// `tumbling` (or `sliding`, which Tremor refuses too).
    pub kind: Ident,
    /// The settings: `size`, `interval`, `max_groups`, `emit_empty_windows`.
    pub with: Vec<WithArg>,
    /// `state EXPR`: a state window's initial state.
    pub state: Option<Expr>,
    /// The embedded script, placed where it is in its file.
    pub script: Option<Arc<str>>,
    /// Where the statement starts.
    pub pos: Pos,
}

/// `group by EXPR`, `set(...)` and `each(...)`, nested.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupBy {
    /// One dimension: the expression's value.
    Expr(Expr),
    /// Several dimensions, one per item, in order.
    Set(Vec<GroupBy>),
    /// One group per element of the array the expression gives.
    Each(Expr),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Kind::Pipeline.to_string(), "pipeline");
        assert_eq!(Kind::Connector.to_string(), "connector");
        let d = DefRef {
            module: vec![Ident {
                name: "m".into(),
                pos: Pos::new(1, 1),
            }],
            name: Ident {
                name: "d".into(),
                pos: Pos::new(1, 4),
            },
        };
        assert_eq!(d.to_string(), "m::d");
    }
}
