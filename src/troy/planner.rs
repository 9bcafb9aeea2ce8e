//! Turns a parsed deployment file into a [`Plan`].
//!
//! Each `deploy flow` plans its flow under its alias with its own arguments (a flow's `args` are
//! read by the `with` of its `create` statements, as in Tremor); a flow of the file that nothing
//! deploys is planned with its defaults when it has them, so that its mistakes surface at once.
//! Definitions are looked up in the flow first, then at the top of the file that defines the flow
//! (the deployment file or, for `deploy flow A from MODULE::F`, the module), or in a `use`d module
//! for `MODULE::NAME`. Errors inside a definition point into the file that defines it, errors in
//! a `create` into the file of its flow.

use super::ast::{
    ArgDecl, Connect, ConnectorDef, Create, Deploy, EndpointRef, File, FlowDef, Ident, Kind,
    PipelineDef, WithArg, CONNECTOR_WITH_KEYS,
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
/// definitions, missing or unknown arguments, and invalid connector settings.
pub fn plan_file(file: &File, file_name: &str, loader: &mut Loader) -> Result<Plan, TroyError> {
    check_unique_definitions(file_name, &file.connectors, &file.pipelines)?;
    check_unique(file_name, "flow", file.flows.iter().map(|d| &d.name))?;
    let modules = load_all(&file.uses, file_name, loader)?;
    let home = Home {
        file,
        file_name,
        modules: &modules,
    };
    let deployed_here: HashSet<&str> = (file.deploys.iter())
        .filter(|d| d.flow.module.is_empty())
        .map(|d| d.flow.name.name.as_str())
        .collect();
    for flow in &file.flows {
        if !deployed_here.contains(flow.name.name.as_str())
            && flow.args.iter().all(|a| a.default.is_some())
        {
            let given = WithValues {
                with: &[],
                env: &Value::object(),
                file: file_name,
            };
            let args = resolve_args(&flow.args, given, file_name, |a| {
                missing_flow_arg(a, file_name, "")
            })?;
            plan_flow(flow, &home, &args, loader)?;
        }
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
                    d.alias.name, d.flow
                ),
            ));
        }
        let mut plan = if d.flow.module.is_empty() {
            let flow = local_flow(d, file, file_name)?;
            let args = deploy_args(d, flow, file_name, file_name)?;
            plan_flow(flow, &home, &args, loader)?
        } else {
            let m = find_module(&modules, &d.flow.module, file_name)?;
            let flow = m.flow(&d.flow.name.name).ok_or_else(|| {
                TroyError::at(
                    file_name,
                    d.flow.name.pos,
                    format!(
                        "module `{}` has no flow definition `{}`",
                        m.name, d.flow.name.name
                    ),
                )
            })?;
            let args = deploy_args(d, flow, file_name, &m.file)?;
            let module_modules = load_all(&m.ast.uses, &m.file, loader)?;
            let module_home = Home {
                file: &m.ast,
                file_name: &m.file,
                modules: &module_modules,
            };
            plan_flow(flow, &module_home, &args, loader)?
        };
        plan.name.clone_from(&d.alias.name);
        flows.push(plan);
    }
    Ok(Plan { flows })
}

/// The modules that `uses` (written in `file`) name, function modules left out.
fn load_all(
    uses: &[super::ast::Use],
    file: &str,
    loader: &mut Loader,
) -> Result<Vec<(String, Rc<Module>)>, TroyError> {
    let mut modules = Vec::new();
    for u in uses {
        if let Some(m) = loader.load(u, file)? {
            modules.push((u.alias.name.clone(), m));
        }
    }
    Ok(modules)
}

/// The flow of the deployment file that `deploy flow` names.
fn local_flow<'f>(d: &Deploy, file: &'f File, file_name: &str) -> Result<&'f FlowDef, TroyError> {
    if let Some(flow) = file.flows.iter().find(|f| f.name.name == d.flow.name.name) {
        return Ok(flow);
    }
    let known: Vec<&str> = file.flows.iter().map(|f| f.name.name.as_str()).collect();
    let known = if known.is_empty() {
        "no flow is defined".to_string()
    } else {
        format!("defined flows: {}", known.join(", "))
    };
    Err(TroyError::at(
        file_name,
        d.flow.name.pos,
        format!("unknown flow `{}` ({known})", d.flow.name.name),
    ))
}

/// The argument record of a deployed flow: the `with` of `deploy flow` (in `file_name`) over the
/// defaults of the flow (defined in `flow_file`), with Tremor's wording for mistakes.
fn deploy_args(
    d: &Deploy,
    flow: &FlowDef,
    file_name: &str,
    flow_file: &str,
) -> Result<Value<'static>, TroyError> {
    for w in &d.with {
        if !flow.args.iter().any(|a| a.name.name == w.name.name) {
            return Err(TroyError::at(
                file_name,
                w.name.pos,
                format!(
                    "Unknown argument: {} (flow `{}`: {})",
                    w.name.name,
                    flow.name.name,
                    declared(&flow.args)
                ),
            ));
        }
    }
    let given = WithValues {
        with: &d.with,
        env: &Value::object(),
        file: file_name,
    };
    resolve_args(&flow.args, given, flow_file, |a| {
        let hint = format!(
            " (`deploy flow {}` at {file_name}:{} gives none: add `with {} = ... end`)",
            d.alias.name, d.pos, a.name.name
        );
        missing_flow_arg(a, flow_file, &hint)
    })
}

/// Tremor's error for a flow argument without a value, at its declaration.
fn missing_flow_arg(a: &ArgDecl, flow_file: &str, hint: &str) -> TroyError {
    TroyError::at(
        flow_file,
        a.name.pos,
        format!("Missing required argument: {}{hint}", a.name.name),
    )
}

/// `declared: a, b` or `it declares no arguments`, for error messages.
fn declared(decls: &[ArgDecl]) -> String {
    if decls.is_empty() {
        return "it declares no arguments".to_string();
    }
    let names: Vec<&str> = decls.iter().map(|d| d.name.name.as_str()).collect();
    format!("declared: {}", names.join(", "))
}

/// The `with` of a `create` or `deploy` statement: its values, the `args` they may read (a
/// flow's, for a `create` inside it) and the file they are written in.
#[derive(Clone, Copy)]
struct WithValues<'a> {
    with: &'a [WithArg],
    env: &'a Value<'static>,
    file: &'a str,
}

/// The values of `decls`: given in `with` (which must only name declared arguments), else their
/// defaults (written in `def_file`); `missing` words the error for one without either.
fn resolve_args(
    decls: &[ArgDecl],
    given: WithValues<'_>,
    def_file: &str,
    missing: impl Fn(&ArgDecl) -> TroyError,
) -> Result<Value<'static>, TroyError> {
    let empty = Value::object();
    let by_name: HashMap<&str, &WithArg> = (given.with.iter())
        .map(|w| (w.name.name.as_str(), w))
        .collect();
    let mut fields = Vec::with_capacity(decls.len());
    for d in decls {
        let v = if let Some(w) = by_name.get(d.name.name.as_str()) {
            eval_const(&w.value, given.env).map_err(eval_err(given.file))?
        } else if let Some(default) = &d.default {
            eval_const(default, &empty).map_err(eval_err(def_file))?
        } else {
            return Err(missing(d));
        };
        fields.push((d.name.name.clone(), v));
    }
    Ok(Value::from_iter(fields))
}

/// The module a `MODULE::` prefix (written in `file`) names: a `use` alias or a full `use` path.
fn find_module<'m>(
    modules: &'m [(String, Rc<Module>)],
    path: &[Ident],
    file: &str,
) -> Result<&'m Module, TroyError> {
    let wanted: Vec<&str> = path.iter().map(|i| i.name.as_str()).collect();
    let wanted = wanted.join("::");
    let found = modules
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
    Err(TroyError::at(
        file,
        pos,
        format!("unknown module `{wanted}`: {hint}"),
    ))
}

/// The file a flow is defined in: its top-level definitions and the modules it uses.
struct Home<'a> {
    file: &'a File,
    file_name: &'a str,
    modules: &'a [(String, Rc<Module>)],
}

/// What a flow can see: its own and the file's definitions, and the modules in scope.
struct Scope<'a> {
    file: &'a str,
    /// `(alias, module)`; later entries shadow earlier ones.
    modules: Vec<(String, Rc<Module>)>,
    /// The flow's argument record, which the `with` of its `create` statements reads as `args`.
    flow_args: &'a Value<'static>,
    /// Definitions by name: the file's, overridden by the flow's own.
    connectors: HashMap<&'a str, &'a ConnectorDef>,
    pipelines: HashMap<&'a str, &'a PipelineDef>,
}

fn eval_err(file: &str) -> impl Fn(EvalError) -> TroyError + '_ {
    move |e| TroyError::at(file, e.pos, e.message)
}

/// Plans `flow`, defined in `home`, with the argument record `args`.
fn plan_flow(
    flow: &FlowDef,
    home: &Home<'_>,
    args: &Value<'static>,
    loader: &mut Loader,
) -> Result<FlowPlan, TroyError> {
    let (file, file_name) = (home.file, home.file_name);
    check_unique_definitions(file_name, &flow.connectors, &flow.pipelines)?;
    let mut modules = home.modules.to_vec();
    modules.extend(load_all(&flow.uses, file_name, loader)?);
    let scope = Scope {
        file: file_name,
        modules,
        flow_args: args,
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
        // A second `create` of an alias replaces the first, as in Tremor (whose deployments,
        // e.g. its `http` test, rely on it); the first is not created at all here.
        if let Some(first) = created.insert((c.kind, &c.alias.name), c.alias.pos) {
            log::warn!(
                "{file_name}:{}: {} alias `{}` created again (first at {first}); the later one is used",
                c.alias.pos,
                c.kind,
                c.alias.name
            );
            match c.kind {
                Kind::Connector => plan.connectors.retain(|p| p.alias != c.alias.name),
                Kind::Pipeline => plan.pipelines.retain(|p| p.alias != c.alias.name),
            }
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
        find_module(&self.modules, path, self.file)
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

    /// The argument record of a `create`: its `with` values (which read the flow's `args`) over
    /// the definition's defaults.
    fn args(
        &self,
        c: &Create,
        decls: &[ArgDecl],
        def_name: &str,
        def_file: &str,
    ) -> Result<Value<'static>, TroyError> {
        let declared_names: HashSet<&str> = decls.iter().map(|d| d.name.name.as_str()).collect();
        if let Some(w) = (c.with.iter()).find(|w| !declared_names.contains(w.name.name.as_str())) {
            return Err(self.err(
                w.name.pos,
                format!(
                    "unknown argument `{}` for {} definition `{def_name}` ({})",
                    w.name.name,
                    c.kind,
                    declared(decls)
                ),
            ));
        }
        let given = WithValues {
            with: &c.with,
            env: self.flow_args,
            file: self.file,
        };
        resolve_args(decls, given, def_file, |d| {
            self.err(
                c.pos,
                format!(
                    "missing argument `{}` for {} definition `{def_name}`: it has no \
                     default, so give it with `with {} = ... end`",
                    d.name.name, c.kind, d.name.name
                ),
            )
        })
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
            from_ports: body.from_ports,
            into_ports: body.into_ports,
            selects: body.selects,
            nodes: body.nodes,
            args,
            metrics_interval_s: def.metrics_interval_s,
            pos: c.pos,
        })
    }
}

#[cfg(test)]
#[path = "planner_tests.rs"]
mod tests;
