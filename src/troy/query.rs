//! Pipeline bodies, planned: the statements of a `define pipeline` once `create pipeline` gives
//! its arguments, and a query file (`.trickle`) that `tremor run` takes as a pipeline of its own.

use super::ast::{ArgDecl, Ident, OperatorCreate, PipelineDef, ScriptCreate, WithArg};
use super::def_parser::parse_query;
use super::error::{Pos, TroyError};
use super::plan::{NodeKind, NodePlan, Nodes, OperatorPlan, PipelinePlan, ScriptPlan, SelectPlan};
use crate::ports::{ERR, IN, OUT};
use crate::script::fold::eval_const;
use crate::script::fold::fold;
use std::collections::{HashMap, HashSet};
use tremor_value::{StaticNode, Value};

/// The planned body of a pipeline: its ports, statements and nodes.
pub(crate) struct BodyPlan {
    /// The input ports (`from`), `in` by default.
    pub(crate) from_ports: Vec<String>,
    /// The output ports (`into`), `out` and `err` by default.
    pub(crate) into_ports: Vec<String>,
    /// The `select` statements with `args` substituted and constants folded.
    pub(crate) selects: Vec<SelectPlan>,
    /// The streams and scripts.
    pub(crate) nodes: Nodes,
}

/// Where one side of a `select` goes: a node and its port, or a port of the pipeline.
struct Side<'a> {
    node: Option<usize>,
    port: String,
    /// The pipeline port to check, when it is one.
    pipeline_port: Option<&'a Ident>,
}

/// Resolves `name[/sub_port]`: a node (whose port is `sub_port`, else `default_port`) or a port
/// of the pipeline.
fn side<'a>(
    name: &'a Ident,
    sub_port: Option<&Ident>,
    node_index: &HashMap<&str, usize>,
    default_port: &str,
    def_file: &str,
) -> Result<Side<'a>, TroyError> {
    match (node_index.get(name.name.as_str()), sub_port) {
        (Some(&i), port) => Ok(Side {
            node: Some(i),
            port: port.map_or_else(|| default_port.to_string(), |p| p.name.clone()),
            pipeline_port: None,
        }),
        (None, Some(p)) => Err(TroyError::at(
            def_file,
            p.pos,
            format!(
                "`{}` is not a stream or script of this pipeline, so it has no port `{}`",
                name.name, p.name
            ),
        )),
        (None, None) => Ok(Side {
            node: None,
            port: name.name.clone(),
            pipeline_port: Some(name),
        }),
    }
}

/// The nodes of `def`, refusing a name given twice or one that is also a port of the pipeline.
fn nodes(
    def: &PipelineDef,
    ports: &[&[String]],
    args: &Value<'static>,
    def_file: &str,
) -> Result<Nodes, TroyError> {
    let mut seen = HashSet::new();
    let mut list = Vec::new();
    let named = def.streams.iter().map(|s| (s, Created::Stream));
    let scripts = def
        .script_creates
        .iter()
        .map(|c| (&c.alias, Created::Script(c)));
    let operators = def
        .operator_creates
        .iter()
        .map(|c| (&c.alias, Created::Operator(c)));
    for (name, create) in named.chain(scripts).chain(operators) {
        if !seen.insert(name.name.as_str()) || ports.iter().any(|p| p.contains(&name.name)) {
            return Err(TroyError::at(
                def_file,
                name.pos,
                format!(
                    "`{}` is already a port, stream or script of pipeline `{}`",
                    name.name, def.name.name
                ),
            ));
        }
        let kind = match create {
            Created::Stream => NodeKind::Stream,
            Created::Script(c) => NodeKind::Script(script(def, c, args, def_file)?),
            Created::Operator(c) => NodeKind::Operator(operator(def, c, args, def_file)?),
        };
        list.push(NodePlan {
            name: name.name.clone(),
            kind,
        });
    }
    Ok(Nodes(list))
}

/// The statement that creates a node.
enum Created<'a> {
    Stream,
    Script(&'a ScriptCreate),
    Operator(&'a OperatorCreate),
}

/// The `kind` definition (script, operator) named `wanted` among `defs`.
fn definition<'d, T>(
    kind: &str,
    defs: &'d [T],
    name: impl Fn(&T) -> &Ident,
    wanted: &Ident,
    def_file: &str,
) -> Result<&'d T, TroyError> {
    defs.iter()
        .find(|d| name(d).name == wanted.name)
        .ok_or_else(|| {
            TroyError::at(
                def_file,
                wanted.pos,
                format!("no {kind} definition `{}` in this pipeline", wanted.name),
            )
        })
}

/// The `args` of a script or operator instance: each declared argument's value from the
/// `with` of `create`, else its default (expressions may read the pipeline's `args`).
fn instance_args(
    (kind, def_name): (&str, &Ident),
    declared: &[ArgDecl],
    (with, create_pos): (&[WithArg], Pos),
    pipeline_args: &Value<'static>,
    def_file: &str,
) -> Result<Value<'static>, TroyError> {
    let at = |pos, msg: String| TroyError::at(def_file, pos, msg);
    let eval = |e: &crate::script::expr::Expr| {
        eval_const(e, pipeline_args).map_err(|e| at(e.pos, e.message))
    };
    if let Some(w) = with
        .iter()
        .find(|w| !declared.iter().any(|a| a.name.name == w.name.name))
    {
        return Err(at(
            w.name.pos,
            format!(
                "{kind} `{}` has no argument `{}`",
                def_name.name, w.name.name
            ),
        ));
    }
    let mut fields = Vec::with_capacity(declared.len());
    for decl in declared {
        let given = with.iter().find(|w| w.name.name == decl.name.name);
        let value = match (given, &decl.default) {
            (Some(w), _) => eval(&w.value)?,
            (None, Some(default)) => eval(default)?,
            (None, None) => {
                return Err(at(
                    create_pos,
                    format!(
                        "missing argument `{}` for {kind} `{}`: it has no default, so give it \
                         with `with {} = ... end`",
                        decl.name.name, def_name.name, decl.name.name
                    ),
                ))
            }
        };
        fields.push((decl.name.name.clone(), value));
    }
    Ok(Value::from_iter(fields))
}

/// Plans `create operator`: finds the definition, evaluates its `with` record with its `args`
/// (the definition's defaults and the `with` of `create`) and builds it once to report an
/// unknown operator or a config it refuses now, at the definition.
fn operator(
    def: &PipelineDef,
    create: &OperatorCreate,
    pipeline_args: &Value<'static>,
    def_file: &str,
) -> Result<OperatorPlan, TroyError> {
    let wanted = create.from.as_ref().unwrap_or(&create.alias);
    let at = |pos, msg: String| TroyError::at(def_file, pos, msg);
    let op_def = definition("operator", &def.operators, |o| &o.name, wanted, def_file)?;
    let args = instance_args(
        ("operator", &op_def.name),
        &op_def.args,
        (&create.with, create.pos),
        pipeline_args,
        def_file,
    )?;
    let config = match &op_def.with {
        None => None,
        Some(with) => {
            let mut fields = Vec::with_capacity(with.len());
            for w in with {
                let value = eval_const(&w.value, &args).map_err(|e| at(e.pos, e.message))?;
                fields.push((w.name.name.clone(), value));
            }
            Some(Value::from_iter(fields))
        }
    };
    crate::operator::build(&op_def.kind.name, &create.alias.name, config.as_ref())
        .map_err(|e| at(op_def.pos, e.to_string()))?;
    Ok(OperatorPlan {
        kind: op_def.kind.name.clone(),
        config,
    })
}

/// Plans `create script`: finds the definition, resolves its arguments (expressions may read
/// the pipeline's `args`) and compiles it once to report its errors now.
fn script(
    def: &PipelineDef,
    create: &ScriptCreate,
    pipeline_args: &Value<'static>,
    def_file: &str,
) -> Result<ScriptPlan, TroyError> {
    let wanted = create.from.as_ref().unwrap_or(&create.alias);
    let at = |pos, msg: String| TroyError::at(def_file, pos, msg);
    let eval = |e: &crate::script::expr::Expr| {
        eval_const(e, pipeline_args).map_err(|e| at(e.pos, e.message))
    };
    let script_def = definition("script", &def.scripts, |s| &s.name, wanted, def_file)?;
    let args = instance_args(
        ("script", &script_def.name),
        &script_def.args,
        (&create.with, create.pos),
        pipeline_args,
        def_file,
    )?;
    let state = match &script_def.state {
        Some(e) => eval(e)?,
        None => Value::null(),
    };
    crate::script::Script::compile(&script_def.source, def_file, &args)
        .map_err(|e| at(e.pos, e.message))?;
    Ok(ScriptPlan {
        file: def_file.to_string(),
        source: script_def.source.clone(),
        args,
        state,
    })
}

/// Plans the body of `def` with `args` substituted; errors point into `def_file`, the file that
/// holds the definition.
pub(crate) fn plan_body(
    def: &PipelineDef,
    args: &Value<'static>,
    def_file: &str,
) -> Result<BodyPlan, TroyError> {
    let names = |ports: &[super::ast::Ident]| -> Vec<String> {
        ports.iter().map(|p| p.name.clone()).collect()
    };
    let from_ports = def
        .from_ports
        .as_deref()
        .map_or_else(|| vec![IN.to_string()], names);
    let into_ports = def
        .into_ports
        .as_deref()
        .map_or_else(|| vec![OUT.to_string(), ERR.to_string()], names);
    let (from_set, into_set): (HashSet<&String>, HashSet<&String>) =
        (from_ports.iter().collect(), into_ports.iter().collect());
    let eval_err = |e: crate::script::eval::EvalError| TroyError::at(def_file, e.pos, e.message);
    let nodes = nodes(def, &[&from_ports, &into_ports], args, def_file)?;
    let node_index: HashMap<&str, usize> = nodes
        .0
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    let windows = super::windows::plan_windows(&def.windows, args, def_file)?;
    let mut selects = Vec::with_capacity(def.selects.len());
    for s in &def.selects {
        let [from, into] = [
            (&s.from_port, s.from_sub_port.as_ref(), OUT),
            (&s.into_port, s.into_sub_port.as_ref(), IN),
        ]
        .map(|(name, port, default)| side(name, port, &node_index, default, def_file));
        let (from, into) = (from?, into?);
        if let (Some(i), Some(port)) = (into.node, s.into_sub_port.as_ref()) {
            if matches!(nodes.0[i].kind, NodeKind::Script(_)) && port.name != IN {
                return Err(TroyError::at(
                    def_file,
                    port.pos,
                    format!(
                        "script `{}` reads only its `in` port (`script from {}` per port is not \
                         supported)",
                        s.into_port.name, port.name
                    ),
                ));
            }
        }
        for (port, declared, known, dir, clause) in [
            (from.pipeline_port, &from_ports, &from_set, "input", "from"),
            (into.pipeline_port, &into_ports, &into_set, "output", "into"),
        ] {
            let Some(port) = port else { continue };
            if !known.contains(&port.name) {
                return Err(TroyError::at(
                    def_file,
                    port.pos,
                    format!(
                        "pipeline `{}` has no {dir} port `{}` ({dir} ports: {}; declare \
                         ports with `{clause} PORT, ...` before `pipeline`)",
                        def.name.name,
                        port.name,
                        declared.join(", ")
                    ),
                ));
            }
        }
        let mut target = fold(&s.target, args).map_err(eval_err)?;
        let parts = super::windows::plan_select_parts(s, &mut target, &windows, args, def_file)?;
        let filter = match &s.filter {
            Some(f) => {
                let f = fold(f, args).map_err(eval_err)?;
                if let Some(v) = f.as_literal() {
                    if !matches!(v, Value::Static(StaticNode::Bool(_))) {
                        return Err(TroyError::at(
                            def_file,
                            f.pos,
                            format!("`where` must be a boolean, got {}", v.value_type_name()),
                        ));
                    }
                }
                Some(f)
            }
            None => None,
        };
        selects.push(SelectPlan {
            target,
            from_port: from.port,
            from_node: from.node,
            filter,
            into_port: into.port,
            into_node: into.node,
            pos: s.pos,
            windows: parts.windows,
            group_by: parts.group_by,
            having: parts.having,
            aggregates: parts.aggregates,
            source: s.source.clone(),
            fns: s.fns.clone(),
        });
    }
    Ok(BodyPlan {
        from_ports,
        into_ports,
        selects,
        nodes,
    })
}

/// Parses and plans the query file `file` (text `src`) as the pipeline `alias` reading `in` and
/// writing `out` and `err`, for `tremor run`.
///
/// # Errors
/// When the query does not parse, uses an unsupported construct or a port a query does not have.
pub fn plan_query(src: &str, file: &str, alias: &str) -> Result<PipelinePlan, TroyError> {
    let def = parse_query(src, file, alias)?;
    let args = Value::object();
    let body = plan_body(&def, &args, file)?;
    Ok(PipelinePlan {
        alias: alias.to_string(),
        from_ports: body.from_ports,
        into_ports: body.into_ports,
        selects: body.selects,
        nodes: body.nodes,
        args,
        metrics_interval_s: def.metrics_interval_s,
        pos: def.pos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_a_pipeline_body() {
        let plan = plan_query(
            "select event.a from in where event.b into out;\nselect 1 from in into err;\n",
            "q.trickle",
            "q",
        )
        .expect("plans");
        assert_eq!(plan.alias, "q");
        assert_eq!(plan.into_ports, ["out", "err"]);
        assert_eq!(plan.selects.len(), 2);
        assert_eq!(plan.selects[1].into_port, "err");
    }

    #[test]
    fn operators_are_planned_with_their_config_and_args() {
        let plan = plan_query(
            "define operator b from generic::batch args n = 2 with count = args.n end;\n\
             create operator b2 from b with n = 3 end;\n\
             define operator c from generic::counter;\ncreate operator c;\n\
             select event from in into b2;\nselect event from b2 into c;\n\
             select event from c into out;\n",
            "q.trickle",
            "q",
        )
        .expect("plans");
        let kinds: Vec<_> = plan.nodes.0.iter().map(|n| (&n.name, &n.kind)).collect();
        let config = tremor_value::literal!({"count": 3});
        assert!(
            matches!(kinds[0], (name, NodeKind::Operator(OperatorPlan { kind, config: Some(c) }))
                if name == "b2" && kind == "generic::batch" && *c == config),
            "{kinds:?}"
        );
        assert!(
            matches!(
                kinds[1],
                (_, NodeKind::Operator(OperatorPlan { config: None, .. }))
            ),
            "{kinds:?}"
        );
    }

    #[test]
    fn operator_errors_are_tremors_at_the_definition() {
        let cases = [
            (
                "define operator o from op::unknown with read_count = 1 end;\n\
                 create operator o;\nselect event from in into o;\n",
                "q.trickle:1:1: Unknown operator: op::unknown",
            ),
            (
                "select event from in into out;\n  define operator o from generic::batch;\n\
                 create operator o;\n",
                "q.trickle:2:3: Operator config for o is missing",
            ),
            (
                "define operator o from generic::batch with timeout = 1 end;\n\
                 create operator o;\nselect event from in into o;\n",
                "q.trickle:1:1: missing field `count`",
            ),
            (
                "create operator o;\nselect event from in into o;\n",
                "q.trickle:1:17: no operator definition `o` in this pipeline",
            ),
            (
                "define operator o from generic::counter;\ncreate operator o with x = 1 end;\n\
                 select event from in into o;\n",
                "q.trickle:2:24: operator `o` has no argument `x`",
            ),
        ];
        for (src, expected) in cases {
            let e = plan_query(src, "q.trickle", "q").expect_err(expected);
            assert!(e.to_string().starts_with(expected), "{e}");
        }
    }

    #[test]
    fn query_errors_name_the_file_and_place() {
        let e = plan_query("select event from in into nowhere;", "q.trickle", "q")
            .expect_err("unknown port");
        assert!(
            e.to_string()
                .starts_with("q.trickle:1:27: pipeline `q` has no output port `nowhere`"),
            "{e}"
        );
        let e = plan_query("select event from in into out;\nend;", "q.trickle", "q")
            .expect_err("a stray end");
        assert!(e.to_string().starts_with("q.trickle:2:1: "), "{e}");
        let e = plan_query("define window w from tumbling end;", "q.trickle", "q")
            .expect_err("neither size nor interval");
        assert!(
            e.to_string().starts_with(
                "q.trickle:1:1: Bad window configuration, either `size`, `interval`, or `state` \
                 is required."
            ),
            "{e}"
        );
    }
}
