//! The public face of the language: compile a script once, run it per event.

use super::cursor::Parser;
use super::error::Pos;
use super::exec::{Env, Flow};
use super::lexer::lex;
use super::report::ScriptError;
use super::scope::FnDef;
use super::stdlib::{OriginUri, Random};
use super::stmt::Stmt;
use std::cell::Cell;
use tremor_value::Value;

/// A compiled script: statements with locals resolved to slots, functions resolved to
/// pointers or indexes, constants folded and extractors compiled.
pub struct Script {
    body: Vec<Stmt>,
    locals: usize,
    local_names: Vec<String>,
    fns: Vec<FnDef>,
    args: Value<'static>,
    file: String,
    source: String,
    random: Cell<Random>,
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Script({}: {} statements, {} functions)",
            self.file,
            self.body.len(),
            self.fns.len()
        )
    }
}

/// What one run of a script reads and writes.
pub struct RunContext<'r, 'v> {
    /// The event; `let event... = ...` changes it in place.
    pub event: &'r mut Value<'v>,
    /// The event's metadata (`$`).
    pub meta: &'r mut Value<'v>,
    /// The state of this script instance (`state`), kept from event to event (`null` at first).
    pub state: &'r mut Value<'static>,
    /// When the event entered the runtime, ns since the UNIX epoch.
    pub ingest_ns: u64,
    /// Where the event came from, if known (`tremor::origin::*`).
    pub origin: Option<&'r OriginUri>,
}

/// How a run ended.
#[derive(Debug, PartialEq)]
pub enum Outcome<'s, 'v> {
    /// Emit the event itself, as the script left it, on `port`.
    EmitEvent {
        /// The port (`"out"` unless `emit ... => "port"` said otherwise).
        port: &'s str,
    },
    /// Emit `value` on `port`.
    Emit {
        /// The port (`"out"` unless `emit ... => "port"` said otherwise).
        port: &'s str,
        /// What is emitted.
        value: Value<'v>,
    },
    /// `drop`: nothing is emitted.
    Drop,
}

impl Script {
    /// Compiles `source` (named `file` in errors); `args` is what `args.NAME` reads.
    ///
    /// # Errors
    /// Syntax errors, unknown names and functions, constants that fail, bad extractor
    /// patterns — rendered as Tremor renders them.
    pub fn compile(source: &str, file: &str, args: &Value<'static>) -> Result<Self, ScriptError> {
        let toks = lex(source, file).map_err(|e| ScriptError::from_source_in(&e, file, source))?;
        let mut p = Parser::new(toks, file);
        let parsed = p
            .script()
            .map_err(|e| ScriptError::from_source_in(&e, file, source))?;
        if p.peek().tok != super::lexer::Tok::Eof {
            let e = p.found_but_expected(&["`;`", "the end of the script"]);
            return Err(ScriptError::from_source(&e, source));
        }
        Ok(Self {
            body: parsed.body,
            locals: parsed.locals,
            local_names: parsed.local_names,
            fns: parsed.fns,
            args: args.clone(),
            file: file.to_string(),
            source: source.to_string(),
            random: Cell::new(Random::new(0)),
        })
    }

    /// Seeds the script's random source (`random::*`); seed once, not per event.
    pub fn seed(&self, seed: u64) {
        self.random.set(Random::new(seed));
    }

    /// Runs the script on one event.
    ///
    /// # Errors
    /// A run-time error (missing key, bad types, no `case` matched ...), rendered as Tremor
    /// renders it; the event, metadata and state keep the writes made before the error.
    pub fn run<'s, 'v>(
        &'s self,
        ctx: &mut RunContext<'_, 'v>,
    ) -> Result<Outcome<'s, 'v>, ScriptError> {
        let mut env = Env {
            event: ctx.event,
            meta: ctx.meta,
            state: ctx.state,
            args: &self.args,
            locals: if self.locals == 0 {
                Vec::new()
            } else {
                vec![Value::null(); self.locals]
            },
            assigned: vec![false; self.locals],
            local_names: &self.local_names,
            fns: &self.fns,
            current_fn: None,
            depth: 0,
            ingest_ns: ctx.ingest_ns,
            origin: ctx.origin,
            random: &self.random,
        };
        let flow = env
            .block(&self.body)
            .map_err(|e| self.error(e.pos, e.message))?;
        Ok(match flow {
            Flow::Value(None) => Outcome::EmitEvent { port: "out" },
            Flow::Value(Some(value)) => Outcome::Emit { port: "out", value },
            Flow::Emit(None, port) => Outcome::EmitEvent {
                port: port.unwrap_or("out"),
            },
            Flow::Emit(Some(value), port) => Outcome::Emit {
                port: port.unwrap_or("out"),
                value,
            },
            Flow::Drop => Outcome::Drop,
        })
    }

    fn error(&self, pos: Pos, message: String) -> ScriptError {
        ScriptError::new(&self.file, &self.source, pos, message).under_missing_key()
    }
}

#[cfg(test)]
#[path = "program_tests.rs"]
mod tests;
