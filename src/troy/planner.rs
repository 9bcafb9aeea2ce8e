//! Turns a parsed deployment file into a [`Plan`].
//!
//! Every flow defined in the file is planned (deployed or not, so that mistakes surface at once);
//! each `deploy flow` then takes a copy under its alias. Definitions are looked up in the flow
//! first, then at the top of the file, or in a `use`d module for `MODULE::NAME`. Errors inside a
//! definition point into the file that defines it, errors in a `create` into the deployment file.

use super::ast::{
    ArgDecl, Connect, ConnectorDef, Create, EndpointRef, File, FlowDef, Ident, Kind, PipelineDef,
    WithArg, CONNECTOR_WITH_KEYS,
};
use super::error::{Pos, TroyError};
use super::modules::{check_unique, check_unique_definitions, Loader, Module};
use super::plan::{ConnectorPlan, Endpoint, EndpointKind, FlowPlan, Link, PipelinePlan, Plan};
use super::query::plan_body;
use super::settings;
use crate::ports::{IN, OUT};
use crate::script::eval::EvalError;
use crate::script::fold::eval_const;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use tremor_value::Value;

/// Plans every `deploy flow` of `file` (named `file_name` in errors), loading modules with `loader`.
///
/// # Errors
/// On anything that does not resolve: unknown definitions, modules, flows or aliases, duplicate
/// names, missing or unknown arguments, and invalid connector settings.
pub fn plan_file(file: &File, file_name: &str, loader: &mut Loader) -> Result<Plan, TroyError> {
    check_unique_definitions(file_name, &file.connectors, &file.pipelines)?;
    check_unique(file_name, "flow", file.flows.iter().map(|d| &d.name))?;
    let mut modules = Vec::new();
    for u in &file.uses {
        if let Some(m) = loader.load(u, file_name)? {
            modules.push((u.alias.name.clone(), m));
        }
    }
    let mut planned = HashMap::new();
    for flow in &file.flows {
        let plan = plan_flow(flow, file, file_name, &modules, loader)?;
        planned.insert(flow.name.name.as_str(), plan);
    }
    let mut deployed: HashMap<&str, Pos> = HashMap::new();
    let mut flows = Vec::new();
    for d in &file.deploys {
        if let Some(first) = deployed.insert(&d.alias.name, d.alias.pos) {
            return Err(TroyError::at(
                file_name,
                d.alias.pos,
                format!(
                    "flow `{}` is already deployed under this name (at {first}); \
                     use `deploy flow OTHER_NAME from {}` to run it twice",
                    d.alias.name, d.flow.name
                ),
            ));
        }
        let Some(plan) = planned.get(d.flow.name.as_str()) else {
            let known: Vec<&str> = file.flows.iter().map(|f| f.name.name.as_str()).collect();
            let known = if known.is_empty() {
                "no flow is defined".to_string()
            } else {
                format!("defined flows: {}", known.join(", "))
            };
            return Err(TroyError::at(
                file_name,
                d.flow.pos,
                format!("unknown flow `{}` ({known})", d.flow.name),
            ));
        };
        let mut plan = plan.clone();
        plan.name.clone_from(&d.alias.name);
        flows.push(plan);
    }
    Ok(Plan { flows })
}

/// What a flow can see: its own and the file's definitions, and the modules in scope.
struct Scope<'a> {
    file: &'a str,
    /// `(alias, module)`; later entries shadow earlier ones.
    modules: Vec<(String, Rc<Module>)>,
    /// Definitions by name: the file's, overridden by the flow's own.
    connectors: HashMap<&'a str, &'a ConnectorDef>,
    pipelines: HashMap<&'a str, &'a PipelineDef>,
}

fn eval_err(file: &str) -> impl Fn(EvalError) -> TroyError + '_ {
    move |e| TroyError::at(file, e.pos, e.message)
}

fn plan_flow(
    flow: &FlowDef,
    file: &File,
    file_name: &str,
    base_modules: &[(String, Rc<Module>)],
    loader: &mut Loader,
) -> Result<FlowPlan, TroyError> {
    check_unique_definitions(file_name, &flow.connectors, &flow.pipelines)?;
    let mut modules = base_modules.to_vec();
    for u in &flow.uses {
        if let Some(m) = loader.load(u, file_name)? {
            modules.push((u.alias.name.clone(), m));
        }
    }
    let scope = Scope {
        file: file_name,
        modules,
        connectors: (file.connectors.iter().chain(&flow.connectors))
            .map(|d| (d.name.name.as_str(), d))
            .collect(),
        pipelines: (file.pipelines.iter().chain(&flow.pipelines))
            .map(|d| (d.name.name.as_str(), d))
            .collect(),
    };
    let mut plan = FlowPlan {
        name: flow.name.name.clone(),
        file: file_name.to_string(),
        connectors: Vec::new(),
        pipelines: Vec::new(),
        links: Vec::new(),
    };
    let mut created: HashMap<(Kind, &str), Pos> = HashMap::new();
    for c in &flow.creates {
        if let Some(first) = created.insert((c.kind, &c.alias.name), c.alias.pos) {
            return Err(TroyError::at(
                file_name,
                c.alias.pos,
                format!(
                    "duplicate {} alias `{}` (already created at {first})",
                    c.kind, c.alias.name
                ),
            ));
        }
        match c.kind {
            Kind::Connector => plan.connectors.push(scope.connector(c)?),
            Kind::Pipeline => plan.pipelines.push(scope.pipeline(c)?),
        }
    }
    for conn in &flow.connects {
        plan.links
            .push(link(conn, &created, &flow.name.name, file_name)?);
    }
    Ok(plan)
}

fn link(
    conn: &Connect,
    created: &HashMap<(Kind, &str), Pos>,
    flow: &str,
    file: &str,
) -> Result<Link, TroyError> {
    if conn.from.kind == Kind::Connector && conn.to.kind == Kind::Connector {
        return Err(TroyError::at(
            file,
            conn.pos,
            "cannot connect a connector directly to a connector: connect both to a pipeline \
             (e.g. `pipelines::passthrough`)",
        ));
    }
    let endpoint = |e: &EndpointRef, default_port: &str| {
        if !created.contains_key(&(e.kind, e.alias.name.as_str())) {
            let other = match e.kind {
                Kind::Connector => Kind::Pipeline,
                Kind::Pipeline => Kind::Connector,
            };
            let hint = if created.contains_key(&(other, e.alias.name.as_str())) {
                format!(" (`{}` is a {other})", e.alias.name)
            } else {
                String::new()
            };
            return Err(TroyError::at(
                file,
                e.alias.pos,
                format!(
                    "unknown {} `{}`: no `create {} {};` in flow `{flow}`{hint}",
                    e.kind, e.alias.name, e.kind, e.alias.name
                ),
            ));
        }
        Ok(Endpoint {
            kind: match e.kind {
                Kind::Connector => EndpointKind::Connector,
                Kind::Pipeline => EndpointKind::Pipeline,
            },
            alias: e.alias.name.clone(),
            port: e
                .port
                .as_ref()
                .map_or_else(|| default_port.to_string(), |p| p.name.clone()),
        })
    };
    Ok(Link {
        from: endpoint(&conn.from, OUT)?,
        to: endpoint(&conn.to, IN)?,
        pos: conn.pos,
    })
}

impl Scope<'_> {
    fn err(&self, pos: Pos, msg: impl Into<String>) -> TroyError {
        TroyError::at(self.file, pos, msg)
    }

    /// The module a `MODULE::` prefix names: a `use` alias or a full `use` path.
    fn module(&self, path: &[Ident]) -> Result<&Module, TroyError> {
        let wanted: Vec<&str> = path.iter().map(|i| i.name.as_str()).collect();
        let wanted = wanted.join("::");
        let found = self
            .modules
            .iter()
            .rev()
            .find(|(alias, m)| *alias == wanted || m.name == wanted);
        if let Some((_, m)) = found {
            return Ok(m);
        }
        let hint = match wanted.as_str() {
            "connectors" | "pipelines" => format!("add `use tremor::{wanted};`"),
            _ => format!("add `use {wanted};` to the flow or the file"),
        };
        let pos = path.first().map_or(Pos::default(), |i| i.pos);
        Err(self.err(pos, format!("unknown module `{wanted}`: {hint}")))
    }

    /// The definition a `create` names, and the file it is written in.
    fn find<'s, T>(
        &'s self,
        c: &Create,
        local: &'s HashMap<&'s str, &'s T>,
        in_module: impl Fn(&'s Module, &str) -> Option<&'s T>,
    ) -> Result<(&'s T, &'s str), TroyError> {
        let (module, name) = match &c.from {
            None => (&[][..], &c.alias),
            Some(r) => (&r.module[..], &r.name),
        };
        if module.is_empty() {
            if let Some(d) = local.get(name.name.as_str()) {
                return Ok((*d, self.file));
            }
            let hint = if c.from.is_none() {
                format!(
                    " (`create {kind} {alias};` uses the definition named `{alias}`; \
                     name another with `from`)",
                    kind = c.kind,
                    alias = name.name
                )
            } else {
                String::new()
            };
            return Err(self.err(
                name.pos,
                format!("unknown {} definition `{}`{hint}", c.kind, name.name),
            ));
        }
        let m = self.module(module)?;
        match in_module(m, &name.name) {
            Some(d) => Ok((d, m.file.as_str())),
            None => Err(self.err(
                name.pos,
                format!(
                    "module `{}` has no {} definition `{}`",
                    m.name, c.kind, name.name
                ),
            )),
        }
    }

    /// The argument record of a `create`: its `with` values over the definition's defaults.
    fn args(
        &self,
        c: &Create,
        decls: &[ArgDecl],
        def_name: &str,
        def_file: &str,
    ) -> Result<Value<'static>, TroyError> {
        let declared_names: HashSet<&str> = decls.iter().map(|d| d.name.name.as_str()).collect();
        for w in &c.with {
            if !declared_names.contains(w.name.name.as_str()) {
                let declared: Vec<&str> = decls.iter().map(|d| d.name.name.as_str()).collect();
                let declared = if declared.is_empty() {
                    "it declares no arguments".to_string()
                } else {
                    format!("declared: {}", declared.join(", "))
                };
                return Err(self.err(
                    w.name.pos,
                    format!(
                        "unknown argument `{}` for {} definition `{def_name}` ({declared})",
                        w.name.name, c.kind
                    ),
                ));
            }
        }
        let empty = Value::object();
        let given: HashMap<&str, &WithArg> =
            c.with.iter().map(|w| (w.name.name.as_str(), w)).collect();
        let mut fields = Vec::with_capacity(decls.len());
        for d in decls {
            let v = if let Some(w) = given.get(d.name.name.as_str()) {
                eval_const(&w.value, &empty).map_err(eval_err(self.file))?
            } else if let Some(default) = &d.default {
                eval_const(default, &empty).map_err(eval_err(def_file))?
            } else {
                return Err(self.err(
                    c.pos,
                    format!(
                        "missing argument `{}` for {} definition `{def_name}`: it has no \
                         default, so give it with `with {} = ... end`",
                        d.name.name, c.kind, d.name.name
                    ),
                ));
            };
            fields.push((d.name.name.clone(), v));
        }
        Ok(Value::from_iter(fields))
    }

    fn connector(&self, c: &Create) -> Result<ConnectorPlan, TroyError> {
        let (def, def_file) = self.find(c, &self.connectors, |m, n| m.connector(n))?;
        let args = self.args(c, &def.args, &def.name.name, def_file)?;
        let mut p = ConnectorPlan::new(&c.alias.name, &def.connector_type.name, c.pos);
        for w in &def.with {
            let v = eval_const(&w.value, &args).map_err(eval_err(def_file))?;
            let key = w.name.name.as_str();
            if !CONNECTOR_WITH_KEYS.contains(&key) {
                return Err(TroyError::at(
                    def_file,
                    w.name.pos,
                    format!(
                        "unknown connector setting `{key}` (allowed: {})",
                        CONNECTOR_WITH_KEYS.join(", ")
                    ),
                ));
            }
            settings::apply(&mut p, key, v)
                .map_err(|msg| TroyError::at(def_file, w.value.pos, msg))?;
            if key == "config" {
                p.config_at = Some(format!(
                    "{def_file}:{}:{}",
                    w.value.pos.line, w.value.pos.column
                ));
            }
        }
        Ok(p)
    }

    fn pipeline(&self, c: &Create) -> Result<PipelinePlan, TroyError> {
        let (def, def_file) = self.find(c, &self.pipelines, |m, n| m.pipeline(n))?;
        let args = self.args(c, &def.args, &def.name.name, def_file)?;
        let body = plan_body(def, &args, def_file)?;
        Ok(PipelinePlan {
            alias: c.alias.name.clone(),
            into_ports: body.into_ports,
            selects: body.selects,
            args,
            pos: c.pos,
        })
    }
}

#[cfg(test)]
#[path = "planner_tests.rs"]
mod tests;
