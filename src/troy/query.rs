//! Pipeline bodies, planned: the statements of a `define pipeline` once `create pipeline` gives
//! its arguments, and a query file (`.trickle`) that `tremor run` takes as a pipeline of its own.

use super::ast::PipelineDef;
use super::def_parser::parse_query;
use super::error::TroyError;
use super::plan::{PipelinePlan, SelectPlan};
use crate::ports::{ERR, IN, OUT};
use crate::script::fold::fold;
use std::collections::HashSet;
use tremor_value::{StaticNode, Value};

/// The planned body of a pipeline: its output ports and statements.
pub(crate) struct BodyPlan {
    /// The output ports (`into`), `out` and `err` by default.
    pub(crate) into_ports: Vec<String>,
    /// The `select` statements with `args` substituted and constants folded.
    pub(crate) selects: Vec<SelectPlan>,
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
    let mut selects = Vec::with_capacity(def.selects.len());
    for s in &def.selects {
        for (port, declared, known, dir, clause) in [
            (&s.from_port, &from_ports, &from_set, "input", "from"),
            (&s.into_port, &into_ports, &into_set, "output", "into"),
        ] {
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
        let target = fold(&s.target, args).map_err(eval_err)?;
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
            from_port: s.from_port.name.clone(),
            filter,
            into_port: s.into_port.name.clone(),
            pos: s.pos,
        });
    }
    Ok(BodyPlan {
        into_ports,
        selects,
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
        into_ports: body.into_ports,
        selects: body.selects,
        args,
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
        let e = plan_query("define window w from tumbling;", "q.trickle", "q")
            .expect_err("unsupported");
        assert!(e.to_string().contains("define window"), "{e}");
    }
}
