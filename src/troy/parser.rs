//! Recursive-descent parser for Troy statements (expressions are in [`crate::script::expr_parser`]).
//!
//! Every construct of Tremor's languages that is outside the subset is recognised by its leading
//! words and rejected with `Parser::unsupported`, so a user sees which construct to remove
//! instead of a generic "unexpected token".

use super::ast::{
    Connect, ConnectorDef, Create, DefRef, Deploy, EndpointRef, File, FlowDef, Ident, Kind,
    PipelineDef, Use,
};
use super::error::{Pos, TroyError};
use crate::script::cursor::Parser;
use crate::script::lexer::{lex, Tok};

/// Parses a whole file (deployment or module).
///
/// # Errors
/// On lexical and syntax errors and on constructs outside the subset, with their position.
pub fn parse_file(src: &str, file: &str) -> Result<File, TroyError> {
    let mut parsed = super::def_parser::with_source(src, || {
        let mut p = Parser::new(lex(src, file)?, file);
        p.file()
    })?;
    apply_config_directives(src, file, &mut parsed);
    Ok(parsed)
}

/// Tremor reads `#!config KEY = EXPR` lines at the top of a deployment and of a pipeline body;
/// of their keys its runtime uses a pipeline's `metrics_interval_s` (pipeline metrics) and `id`
/// (its name in the REST API). The lexer skips them as comments, so they are read here from the
/// text: a directive belongs to the pipeline definition that starts last before it. This runtime
/// uses `metrics_interval_s`; the others are only logged, so that a user looking for their
/// effect finds out why there is none.
fn apply_config_directives(src: &str, file: &str, parsed: &mut File) {
    let mut defs: Vec<&mut PipelineDef> = parsed
        .pipelines
        .iter_mut()
        .chain(parsed.flows.iter_mut().flat_map(|f| f.pipelines.iter_mut()))
        .collect();
    defs.sort_by_key(|d| d.pos);
    for (line, text) in (1..).zip(src.lines()) {
        let trimmed = text.trim_start();
        let Some(directive) = trimmed.strip_prefix("#!config") else {
            continue;
        };
        let (key, value) = directive.split_once('=').unwrap_or((directive, ""));
        let (key, value) = (key.trim(), value.trim());
        let column = text.len() - trimmed.len() + 1;
        let owner = defs.iter_mut().rev().find(|d| d.pos.line < line);
        match (owner, key) {
            (Some(def), "metrics_interval_s") => match value.parse::<u64>() {
                Ok(seconds) => def.metrics_interval_s = Some(seconds),
                Err(_) => log::warn!(
                    "{file}:{line}:{column}: ignoring `#!config metrics_interval_s = {value}`: \
                     pipeline `{}` reports no metrics (the interval must be a whole number of \
                     seconds)",
                    def.name.name
                ),
            },
            _ => log::debug!(
                "{file}:{line}:{column}: ignoring `#!config {key}`: this runtime uses only a \
                 pipeline's `metrics_interval_s`"
            ),
        }
    }
}

impl Parser<'_> {
    /// A name: a bare word or a backtick identifier.
    pub(crate) fn ident(&mut self, what: &str) -> Result<Ident, TroyError> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Ident(name) | Tok::Quoted(name) => {
                self.idx += 1;
                Ok(Ident { name, pos: t.pos })
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn file(&mut self) -> Result<File, TroyError> {
        let mut f = File::default();
        loop {
            let pos = self.pos();
            if self.peek().tok == Tok::Eof {
                return Ok(f);
            } else if self.eat_kw("use") {
                f.uses.extend(self.use_stmt(pos)?);
            } else if self.eat_kw("define") {
                if self.eat_kw("flow") {
                    f.flows.push(self.flow(pos)?);
                } else {
                    self.connector_or_pipeline_def(pos, &mut f.connectors, &mut f.pipelines)?;
                }
            } else if self.eat_kw("deploy") {
                f.deploys.push(self.deploy(pos)?);
            } else if self.is_kw("create") || self.is_kw("connect") {
                return Err(self.err(
                    pos,
                    "`create` and `connect` are only allowed inside `define flow ... end`",
                ));
            } else {
                return Err(self.bad_statement("`use`, `define` or `deploy`"));
            }
        }
    }

    /// After `define` (at `pos`), in a file or a flow: a connector or pipeline definition,
    /// pushed onto its list.
    fn connector_or_pipeline_def(
        &mut self,
        pos: Pos,
        connectors: &mut Vec<ConnectorDef>,
        pipelines: &mut Vec<PipelineDef>,
    ) -> Result<(), TroyError> {
        if self.eat_kw("connector") {
            connectors.push(self.connector_def(pos)?);
        } else if self.eat_kw("pipeline") {
            pipelines.push(self.pipeline_def(pos)?);
        } else {
            return Err(self.bad_define(pos));
        }
        Ok(())
    }

    /// `define X` where X is not allowed here: name the whole construct.
    pub(crate) fn bad_define(&self, pos: Pos) -> TroyError {
        match self.word() {
            Some(w) => self.unsupported(pos, &format!("define {w}")),
            None => self.unexpected("`flow`, `connector` or `pipeline`"),
        }
    }

    /// The `;` that ends a statement. Tremor's grammar separates statements by `;` rather than
    /// ending each, so the last one of a file, a flow or a pipeline body may go without.
    pub(crate) fn end_stmt(&mut self) -> Result<(), TroyError> {
        if self.eat_punct(";") || self.is_kw("end") || self.peek().tok == Tok::Eof {
            return Ok(());
        }
        self.expect_punct(";").map(|_| ())
    }

    /// After `use` (at `pos`): `a::b [as c];` (0.12 and 0.13) or a grouped import
    /// `a::{b, c as d, e::{f}};` (0.13), one [`Use`] per imported module. A grouped module's
    /// position is that of its own name, so errors point at the module that is wrong.
    pub(crate) fn use_stmt(&mut self, pos: Pos) -> Result<Vec<Use>, TroyError> {
        let mut uses = Vec::new();
        self.use_target(pos, Vec::new(), &mut uses)?;
        self.end_stmt()?;
        Ok(uses)
    }

    /// One use target below `prefix`: `a::b [as c]` or `a::{TARGET, ...}`.
    fn use_target(
        &mut self,
        pos: Pos,
        mut path: Vec<Ident>,
        uses: &mut Vec<Use>,
    ) -> Result<(), TroyError> {
        path.push(self.ident("a module name")?);
        while self.eat_punct("::") {
            if self.is_punct("{") {
                return self.use_group(path, uses);
            }
            path.push(self.ident("a module name or `{`")?);
        }
        let alias = if self.eat_kw("as") {
            self.ident("a module alias")?
        } else {
            path.last()
                .cloned()
                .ok_or_else(|| self.err(pos, "empty module path"))?
        };
        uses.push(Use { path, alias, pos });
        Ok(())
    }

    /// `{TARGET, ...}` after `prefix::`: at least one target, separated by commas.
    fn use_group(&mut self, prefix: Vec<Ident>, uses: &mut Vec<Use>) -> Result<(), TroyError> {
        self.expect_punct("{")?;
        loop {
            let pos = self.pos();
            self.use_target(pos, prefix.clone(), uses)?;
            if !self.eat_punct(",") {
                break;
            }
        }
        self.expect_punct("}").map(|_| ())
    }

    fn flow(&mut self, pos: Pos) -> Result<FlowDef, TroyError> {
        let name = self.ident("a flow name")?;
        let args = if self.eat_kw("args") {
            self.args_decl()?
        } else {
            Vec::new()
        };
        self.expect_kw("flow")?;
        let mut flow = FlowDef {
            name,
            args,
            uses: Vec::new(),
            connectors: Vec::new(),
            pipelines: Vec::new(),
            creates: Vec::new(),
            connects: Vec::new(),
            pos,
        };
        loop {
            let pos = self.pos();
            if self.eat_kw("end") {
                break;
            } else if self.eat_kw("use") {
                flow.uses.extend(self.use_stmt(pos)?);
            } else if self.eat_kw("define") {
                self.connector_or_pipeline_def(pos, &mut flow.connectors, &mut flow.pipelines)?;
            } else if self.eat_kw("create") {
                flow.creates.push(self.create(pos)?);
            } else if self.eat_kw("connect") {
                flow.connects.push(self.connect(pos)?);
            } else {
                return Err(self.bad_statement("`use`, `define`, `create`, `connect` or `end`"));
            }
        }
        self.end_stmt()?;
        Ok(flow)
    }

    fn kind(&mut self) -> Result<Kind, TroyError> {
        let pos = self.pos();
        match self.word() {
            Some("connector") => {
                self.idx += 1;
                Ok(Kind::Connector)
            }
            Some("pipeline") => {
                self.idx += 1;
                Ok(Kind::Pipeline)
            }
            Some(w) => {
                let w = w.to_string();
                Err(self.unsupported(pos, &w))
            }
            None => Err(self.unexpected("`connector` or `pipeline`")),
        }
    }

    fn create(&mut self, pos: Pos) -> Result<Create, TroyError> {
        let kind = match self.word() {
            Some("connector" | "pipeline") => self.kind()?,
            Some(w) => return Err(self.unsupported(pos, &format!("create {w}"))),
            None => return Err(self.unexpected("`connector` or `pipeline`")),
        };
        let alias = self.ident("an alias")?;
        let from = if self.eat_kw("from") {
            Some(self.def_ref(pos, "a definition name")?)
        } else {
            None
        };
        let with = self.with_clause()?;
        self.end_stmt()?;
        Ok(Create {
            kind,
            alias,
            from,
            with,
            pos,
        })
    }

    /// `NAME` or `MODULE::...::NAME` (after `from`), for the statement at `pos`.
    fn def_ref(&mut self, pos: Pos, what: &str) -> Result<DefRef, TroyError> {
        let mut path = vec![self.ident(what)?];
        while self.eat_punct("::") {
            path.push(self.ident(what)?);
        }
        let name = path
            .pop()
            .ok_or_else(|| self.err(pos, "empty definition path"))?;
        Ok(DefRef { module: path, name })
    }

    fn endpoint(&mut self) -> Result<EndpointRef, TroyError> {
        let pos = self.expect_punct("/")?;
        let kind = self.kind()?;
        self.expect_punct("/")?;
        let alias = self.ident("an alias")?;
        // `/connector/a /pipeline/b` (a forgotten `to`) must not read `pipeline` as a port.
        let next_is_endpoint = matches!(&self.peek_at(1).tok, Tok::Ident(w) if w == "connector" || w == "pipeline")
            && matches!(self.peek_at(2).tok, Tok::Punct("/"));
        let port = if !next_is_endpoint && self.eat_punct("/") {
            Some(self.ident("a port name")?)
        } else {
            None
        };
        Ok(EndpointRef {
            kind,
            alias,
            port,
            pos,
        })
    }

    fn connect(&mut self, pos: Pos) -> Result<Connect, TroyError> {
        let from = self.endpoint()?;
        self.expect_kw("to")?;
        let to = self.endpoint()?;
        self.end_stmt()?;
        Ok(Connect { from, to, pos })
    }

    fn deploy(&mut self, pos: Pos) -> Result<Deploy, TroyError> {
        match self.word() {
            Some("flow") => self.idx += 1,
            Some(w) => return Err(self.unsupported(pos, &format!("deploy {w}"))),
            None => return Err(self.unexpected("`flow`")),
        }
        let alias = self.ident("a flow name")?;
        let flow = if self.eat_kw("from") {
            self.def_ref(pos, "a flow name")?
        } else {
            DefRef {
                module: Vec::new(),
                name: alias.clone(),
            }
        };
        let with = if self.eat_kw("with") {
            self.with_block()?
        } else {
            Vec::new()
        };
        self.end_stmt()?;
        Ok(Deploy {
            alias,
            flow,
            with,
            pos,
        })
    }
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;
