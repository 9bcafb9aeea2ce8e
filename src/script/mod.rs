//! Tremor's script language (tremor-script): one front end and one interpreter, used by scripts
//! and by the expressions inside Troy deployments alike.
//!
//! [`Script::compile`] parses a script once (locals resolved to slots, functions to pointers,
//! constants folded, extractors compiled) and [`Script::run`] runs it per event on a
//! [`RunContext`], giving an [`Outcome`]; errors are [`ScriptError`]s rendered as Tremor
//! renders them.
//!
//! Inside: [`lexer`] turns text into tokens, [`cursor`] walks them, the expression parser
//! builds the tree of [`expr`] / [`nodes`] / [`stmt`]; [`fold`] substitutes Troy arguments and
//! folds constants; [`eval`] evaluates expressions (borrowing what they read) and `exec` runs
//! statements (writing the event, metadata, state and locals). [`ops`] holds Tremor's operator
//! semantics, [`stdlib`] and [`extractors`] the function library and extractors.
//!
//! This module never imports `crate::troy`: Troy is built on top of it.

pub mod aggr_call;
mod aggregate_call;
mod bytes;
mod callee;
mod case_parser;
mod comprehend;
pub mod cursor;
mod decl_parser;
pub mod error;
pub mod eval;
mod eval_match;
mod eval_more;
mod eval_path;
mod exec;
mod expected;
pub mod expr;
pub mod expr_parser;
pub mod extractors;
pub mod fold;
pub mod lexer;
pub mod module_path;
pub mod nodes;
pub mod operators;
pub mod ops;
mod pattern_parser;
mod program;
pub mod report;
pub mod scope;
mod script_parser;
pub mod stdlib;
pub mod stmt;
mod words;

pub use error::{Pos, SourceError};
pub use program::{Outcome, RunContext, Script};
pub use report::ScriptError;
pub use stdlib::OriginUri;

#[cfg(test)]
pub(crate) mod test_support;
