//! Parsing of connector and pipeline definitions (the statements a module file consists of).

use super::ast::{
    ArgDecl, ConnectorDef, Ident, OperatorCreate, OperatorDef, PipelineDef, ScriptCreate,
    ScriptDef, Select, WithArg, CONNECTOR_WITH_KEYS,
};
pub(crate) use super::embedded::with_source;
use super::embedded::{cut_in_place, whole_source};
use super::error::{Pos, TroyError};
use crate::script::cursor::Parser;
use crate::script::lexer::{lex, Tok};
use crate::script::module_path;
use std::collections::HashSet;
use std::sync::Arc;

/// Names seen so far in a list, to refuse a repeated one in constant time per name (a list of
/// 100,000 arguments must not cost 10^10 comparisons).
#[derive(Default)]
struct Seen(HashSet<String>);

impl Seen {
    /// False when `name` was seen before.
    fn first(&mut self, name: &Ident) -> bool {
        self.0.insert(name.name.clone())
    }
}

/// Where the statements of a pipeline body stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyEnd {
    /// At `end` (`define pipeline ... pipeline BODY end;`).
    End,
    /// At the end of the text (a query file).
    Eof,
}

/// Parses a query file: the body of a pipeline (what `tremor run` takes as `.trickle`), as an
/// anonymous pipeline definition named `name` with the default ports.
///
/// # Errors
/// When the text does not lex or parse, or uses an unsupported construct.
pub fn parse_query(src: &str, file: &str, name: &str) -> Result<PipelineDef, TroyError> {
    with_source(src, || {
        let mut p = Parser::new(lex(src, file)?, file);
        let def = p.query_body(name)?;
        Ok(def)
    })
}

impl Parser<'_> {
    fn query_body(&mut self, name: &str) -> Result<PipelineDef, TroyError> {
        let p = self;
        let pos = p.pos();
        let name = Ident {
            name: name.to_string(),
            pos,
        };
        let mut def = PipelineDef::new(name, pos);
        p.pipeline_body(&mut def, BodyEnd::Eof)?;
        Ok(def)
    }
}

impl Parser<'_> {
    pub(crate) fn args_decl(&mut self) -> Result<Vec<ArgDecl>, TroyError> {
        let mut args = Vec::new();
        let mut seen = Seen::default();
        loop {
            let name = self.ident("an argument name")?;
            if !seen.first(&name) {
                return Err(self.err(name.pos, format!("duplicate argument `{}`", name.name)));
            }
            let default = if self.eat_punct("=") {
                Some(self.expr()?)
            } else {
                None
            };
            args.push(ArgDecl { name, default });
            // A trailing comma is fine: stop when what follows cannot be another argument.
            if !self.eat_punct(",")
                || [
                    "with", "pipeline", "into", "from", "flow", "script", "state",
                ]
                .iter()
                .any(|k| self.is_kw(k))
                || self.is_punct(";")
            {
                return Ok(args);
            }
        }
    }

    /// An optional `with K = EXPR, ... end`.
    pub(crate) fn with_clause(&mut self) -> Result<Vec<WithArg>, TroyError> {
        if self.eat_kw("with") {
            self.with_block()
        } else {
            Ok(Vec::new())
        }
    }

    /// `with K = EXPR, ... end` (the `with` already consumed).
    pub(crate) fn with_block(&mut self) -> Result<Vec<WithArg>, TroyError> {
        let mut items: Vec<WithArg> = Vec::new();
        let mut seen = Seen::default();
        while !self.eat_kw("end") {
            let name = self.ident("a name or `end`")?;
            if !seen.first(&name) {
                return Err(self.err(name.pos, format!("duplicate `with` key `{}`", name.name)));
            }
            self.expect_punct("=")?;
            let value = self.expr()?;
            items.push(WithArg { name, value });
            if !self.eat_punct(",") {
                self.expect_kw("end")?;
                break;
            }
        }
        Ok(items)
    }

    pub(crate) fn connector_def(&mut self, pos: Pos) -> Result<ConnectorDef, TroyError> {
        let name = self.ident("a connector name")?;
        self.expect_kw("from")?;
        let connector_type = self.ident("a connector type")?;
        let args = if self.eat_kw("args") {
            self.args_decl()?
        } else {
            Vec::new()
        };
        let with = self.with_clause()?;
        if let Some(w) = with
            .iter()
            .find(|w| !CONNECTOR_WITH_KEYS.contains(&w.name.name.as_str()))
        {
            return Err(self.err(
                w.name.pos,
                format!(
                    "unknown connector setting `{}` (allowed: {})",
                    w.name.name,
                    CONNECTOR_WITH_KEYS.join(", ")
                ),
            ));
        }
        self.end_stmt()?;
        Ok(ConnectorDef {
            name,
            connector_type,
            args,
            with,
            pos,
        })
    }

    fn port_list(&mut self) -> Result<Vec<Ident>, TroyError> {
        let mut ports: Vec<Ident> = vec![self.ident("a port name")?];
        let mut seen = Seen::default();
        seen.first(&ports[0]);
        while self.eat_punct(",") {
            let p = self.ident("a port name")?;
            if !seen.first(&p) {
                return Err(self.err(p.pos, format!("duplicate port `{}`", p.name)));
            }
            ports.push(p);
        }
        Ok(ports)
    }

    pub(crate) fn pipeline_def(&mut self, pos: Pos) -> Result<PipelineDef, TroyError> {
        let name = self.ident("a pipeline name")?;
        let mut def = PipelineDef::new(name, pos);
        loop {
            let at = self.pos();
            let file = self.file;
            let repeated =
                |what: &str| TroyError::at(file, at, format!("duplicate `{what}` clause"));
            if self.eat_kw("pipeline") {
                break;
            } else if self.eat_kw("from") {
                if def.from_ports.is_some() {
                    return Err(repeated("from"));
                }
                def.from_ports = Some(self.port_list()?);
            } else if self.eat_kw("into") {
                if def.into_ports.is_some() {
                    return Err(repeated("into"));
                }
                def.into_ports = Some(self.port_list()?);
            } else if self.eat_kw("args") {
                if !def.args.is_empty() {
                    return Err(repeated("args"));
                }
                def.args = self.args_decl()?;
            } else {
                return Err(self.unexpected("`from`, `into`, `args` or `pipeline`"));
            }
        }
        self.pipeline_body(&mut def, BodyEnd::End)?;
        if def.selects.is_empty() {
            return Err(self.err(
                def.name.pos,
                format!("pipeline `{}` has no `select` statement", def.name.name),
            ));
        }
        self.end_stmt()?;
        Ok(def)
    }

    /// The statements of a pipeline body, up to `end` (a definition) or the end of the text (a
    /// query file). The functions its `use`s load are its own.
    fn pipeline_body(&mut self, def: &mut PipelineDef, until: BodyEnd) -> Result<(), TroyError> {
        let outer_scope = self.scope.take();
        let body = self.pipeline_statements(def, until);
        self.scope = outer_scope;
        body
    }

    /// `use` in a pipeline body. A module of functions (`NAME.tremor` on `TREMOR_PATH` without
    /// Troy definitions) is loaded as a script's `use` loads it, for the selects' expressions
    /// to call (`helpers::f(event)`); other modules only name what expressions always see
    /// (`std`, `tremor`) or Troy definitions.
    fn pipeline_use(&mut self, at: Pos) -> Result<(), TroyError> {
        let use_token = self.idx;
        self.idx += 1;
        let uses = self.use_stmt(at)?;
        if uses.iter().any(|u| is_function_module(&u.path)) {
            self.idx = use_token;
            self.script_use(0)?;
            self.end_stmt()?;
        }
        Ok(())
    }

    fn pipeline_statements(
        &mut self,
        def: &mut PipelineDef,
        until: BodyEnd,
    ) -> Result<(), TroyError> {
        loop {
            let at = self.pos();
            let done = match until {
                BodyEnd::End => self.eat_kw("end"),
                BodyEnd::Eof => self.peek().tok == Tok::Eof,
            };
            if done {
                return Ok(());
            } else if self.eat_kw("select") {
                def.selects.push(self.select(at)?);
            } else if self.is_kw("use") {
                self.pipeline_use(at)?;
            } else if self.is_kw("create") && self.peek_at(1).tok == Tok::Ident("stream".into()) {
                self.idx += 2;
                let name = self.ident("a stream name")?;
                self.end_stmt()?;
                def.streams.push(name);
            } else if self.is_kw("create") && self.peek_at(1).tok == Tok::Ident("script".into()) {
                self.idx += 2;
                def.script_creates.push(self.script_create(at)?);
            } else if self.is_kw("define") && self.peek_at(1).tok == Tok::Ident("script".into()) {
                self.idx += 2;
                def.scripts.push(self.script_def(at)?);
            } else if self.is_kw("create") && self.peek_at(1).tok == Tok::Ident("operator".into()) {
                self.idx += 2;
                def.operator_creates.push(self.operator_create(at)?);
            } else if self.is_kw("define") && self.peek_at(1).tok == Tok::Ident("operator".into()) {
                self.idx += 2;
                def.operators.push(self.operator_def(at)?);
            } else if self.is_kw("define") && self.peek_at(1).tok == Tok::Ident("window".into()) {
                self.idx += 2;
                def.windows.push(self.window_def(at)?);
            } else if self.is_kw("define") || self.is_kw("create") {
                let first = self.word().map(str::to_string).unwrap_or_default();
                self.next();
                let what = self.word().map(|w| format!(" {w}")).unwrap_or_default();
                return Err(self.unsupported(at, &format!("{first}{what}")));
            } else {
                return Err(self.bad_statement(match until {
                    BodyEnd::End => "`select` or `end`",
                    BodyEnd::Eof => "`select`",
                }));
            }
        }
    }

    fn select(&mut self, pos: Pos) -> Result<Select, TroyError> {
        // A select's expressions may bind locals (`for` comprehensions, pattern assignments), as
        // in Tremor, where they are script expressions with a scope of their own.
        let mut scope = super::windows::select_scope();
        if let Some(pipeline) = self.scope.as_deref() {
            // The functions (and names) the pipeline's `use`s loaded.
            scope.fns.clone_from(&pipeline.fns);
            scope.fn_names.clone_from(&pipeline.fn_names);
            scope.aliases.clone_from(&pipeline.aliases);
            scope.consts.clone_from(&pipeline.consts);
        }
        let outer_scope = self.scope.replace(scope);
        let select = self.select_body(pos).map(|mut select| {
            if let Some(scope) = self.scope.as_deref() {
                select.fns = scope.fns.as_slice().into();
            }
            select
        });
        self.scope = outer_scope;
        select
    }

    fn select_body(&mut self, pos: Pos) -> Result<Select, TroyError> {
        let target = self.expr()?;
        self.expect_kw("from")?;
        let from_port = self.ident("an input port")?;
        let from_sub_port = self.sub_port()?;
        let windows = self.window_list()?;
        let filter = if self.eat_kw("where") {
            Some(self.expr()?)
        } else {
            None
        };
        let group_by = self.group_by_clause()?;
        self.expect_kw("into")?;
        let into_port = self.ident("an output port")?;
        let into_sub_port = self.sub_port()?;
        let having = if self.eat_kw("having") {
            Some(self.expr()?)
        } else {
            None
        };
        self.end_stmt()?;
        let source = whole_source();
        let aggregates = self.scope.as_mut().and_then(|s| s.aggregates.take());
        Ok(Select {
            source,
            fns: Arc::default(),
            windows,
            group_by,
            having,
            aggregates: aggregates.unwrap_or_default(),
            target,
            from_port,
            from_sub_port,
            filter,
            into_port,
            into_sub_port,
            pos,
        })
    }

    /// `define script NAME [args ...] [state EXPR] script BODY end;` (after `define script`).
    fn script_def(&mut self, pos: Pos) -> Result<ScriptDef, TroyError> {
        let name = self.ident("a script name")?;
        let args = if self.eat_kw("args") {
            self.args_decl()?
        } else {
            Vec::new()
        };
        let state = if self.eat_kw("state") {
            Some(self.expr()?)
        } else {
            None
        };
        if self.is_kw("script") && self.peek_at(1).tok == Tok::Ident("from".into()) {
            return Err(self.unsupported(self.pos(), "script from PORT (a script per port)"));
        }
        self.expect_kw("script")?;
        let start = self.pos();
        // Parsed here to find where the body ends (and to report syntax errors at once); each
        // instance compiles the text with its own arguments.
        if self.script()?.body.is_empty() {
            // As Tremor: a script needs at least one statement.
            return Err(self.found_but_expected(&[
                "`$`",
                "`(`",
                "`[`",
                "`{`",
                "`drop`",
                "`emit`",
                "`event`",
                "`for`",
                "`let`",
                "`match`",
                "`merge`",
                "`patch`",
                "`present`",
                "`state`",
                "a literal",
            ]));
        }
        let end = self.expect_kw("end")?;
        self.end_stmt()?;
        let source = cut_in_place(start, end).ok_or_else(|| {
            self.err(
                pos,
                "the text of this script is not at hand (parsed without its source)",
            )
        })?;
        Ok(ScriptDef {
            name,
            args,
            state,
            source,
            pos,
        })
    }

    /// `create script ALIAS [from NAME] [with ... end];` (after `create script`).
    fn script_create(&mut self, pos: Pos) -> Result<ScriptCreate, TroyError> {
        let (alias, from, with) = self.instance_create("script")?;
        Ok(ScriptCreate {
            alias,
            from,
            with,
            pos,
        })
    }

    /// `define operator NAME from MODULE::TYPE [args ...] [with ... end];` (after `define
    /// operator`).
    fn operator_def(&mut self, pos: Pos) -> Result<OperatorDef, TroyError> {
        let name = self.ident("an operator name")?;
        self.expect_kw("from")?;
        let module = self.ident("an operator module")?;
        self.expect_punct("::")?;
        let ty = self.ident("an operator type")?;
        let kind = Ident {
            name: format!("{}::{}", module.name, ty.name),
            pos: module.pos,
        };
        let args = if self.eat_kw("args") {
            self.args_decl()?
        } else {
            Vec::new()
        };
        let with = if self.eat_kw("with") {
            Some(self.with_block()?)
        } else {
            None
        };
        self.end_stmt()?;
        Ok(OperatorDef {
            name,
            kind,
            args,
            with,
            pos,
        })
    }

    /// `create operator ALIAS [from NAME] [with ... end];` (after `create operator`).
    fn operator_create(&mut self, pos: Pos) -> Result<OperatorCreate, TroyError> {
        let (alias, from, with) = self.instance_create("operator")?;
        Ok(OperatorCreate {
            alias,
            from,
            with,
            pos,
        })
    }

    /// `ALIAS [from NAME] [with ... end];` after `create script` or `create operator`.
    fn instance_create(
        &mut self,
        kind: &str,
    ) -> Result<(Ident, Option<Ident>, Vec<WithArg>), TroyError> {
        let alias = self.ident(&format!("a {kind} name"))?;
        let from = if self.eat_kw("from") {
            let name = self.ident(&format!("a {kind} definition"))?;
            if self.is_punct("::") {
                return Err(self.unsupported(self.pos(), &format!("{kind} from a module")));
            }
            Some(name)
        } else {
            None
        };
        let with = self.with_clause()?;
        self.end_stmt()?;
        Ok((alias, from, with))
    }

    /// `/PORT` after a node name in a `select`.
    fn sub_port(&mut self) -> Result<Option<Ident>, TroyError> {
        if self.eat_punct("/") {
            self.ident("a port name").map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Whether the module `path` of a pipeline's `use` is a module of functions: a file on
/// `TREMOR_PATH` (not `std` or `tremor`) that defines no Troy entities.
fn is_function_module(path: &[Ident]) -> bool {
    if path
        .first()
        .is_none_or(|p| matches!(p.name.as_str(), "std" | "tremor"))
    {
        return false;
    }
    let segments: Vec<&str> = path.iter().map(|p| p.name.as_str()).collect();
    let dirs = std::env::var_os("TREMOR_PATH").unwrap_or_default();
    let Some(file) = module_path::find(std::env::split_paths(&dirs), &segments) else {
        return false;
    };
    let Ok(text) = std::fs::read_to_string(&file) else {
        return false;
    };
    let troy_words = ["define", "create", "deploy", "connect", "flow"];
    lex(&text, &file.display().to_string()).is_ok_and(|toks| {
        !toks
            .iter()
            .any(|t| matches!(&t.tok, Tok::Ident(w) if troy_words.contains(&w.as_str())))
    })
}

#[cfg(test)]
mod tests {
    use crate::troy::parser::parse_file;

    #[test]
    fn args_lists_end_where_the_next_clause_starts() {
        let f = parse_file(
            "define connector c from x args a = 1, b, with config = {} end;\n\
             define connector d from x args a,;\n\
             define pipeline p args x, into out pipeline select event from in into out; end;",
            "m.tremor",
        )
        .expect("parses");
        let names = |args: &[crate::troy::ast::ArgDecl]| -> Vec<String> {
            args.iter().map(|a| a.name.name.clone()).collect()
        };
        assert_eq!(names(&f.connectors[0].args), ["a", "b"]);
        assert_eq!(names(&f.connectors[1].args), ["a"]);
        assert_eq!(names(&f.pipelines[0].args), ["x"]);
        assert!(f.pipelines[0].into_ports.is_some());
    }

    #[test]
    fn embedded_scripts_keep_their_place_in_the_file() {
        let f = parse_file(
            "define pipeline p\npipeline\n  define script s args k = 1\n  script\n    let x = match event of case 1 => 2 case _ => 3 end;\n    x\n  end;\n  create script t from s with k = 2 end;\n  create stream q;\n  select event from in into t;\n  select event from t/err into q;\nend;",
            "m.troy",
        )
        .expect("parses");
        let p = &f.pipelines[0];
        let script = &p.scripts[0];
        assert_eq!(script.name.name, "s");
        assert_eq!(script.args[0].name.name, "k");
        assert_eq!(
            &*script.source,
            "\n\n\n\n    let x = match event of case 1 => 2 case _ => 3 end;\n    x\n  "
        );
        assert_eq!(
            p.script_creates[0].from.as_ref().map(|i| i.name.as_str()),
            Some("s")
        );
        assert_eq!(p.streams[0].name, "q");
        let sub = p.selects[1].from_sub_port.as_ref().map(|i| i.name.as_str());
        assert_eq!(sub, Some("err"));
    }

    #[test]
    fn empty_with_block() {
        let f = parse_file("define connector c from x with end;", "m.tremor").expect("parses");
        assert!(f.connectors[0].with.is_empty());
        let e = parse_file(
            "define connector c from x with config = {} codec = 1 end;",
            "m",
        )
        .expect_err("missing comma");
        assert_eq!(e.to_string(), "m:1:44: expected `end`, found `codec`");
    }
}
