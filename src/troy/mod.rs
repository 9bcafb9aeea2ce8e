//! The Troy front end: parser, AST and deployment planner (the lexer and expressions are the
//! script language's, [`crate::script`]).
//!
//! A deployment file is turned into a [`plan::Plan`] in four steps:
//!
//! 1. [`crate::script::lexer::lex`] turns the text into tokens (strings keep their `#{...}` interpolations as token
//!    lists so the parser can read them as expressions),
//! 2. [`parser::parse_file`] builds the [`ast`] of the file, rejecting every construct outside the
//!    supported subset with its line:column,
//! 3. [`modules::Loader`] finds and parses the module files named by `use` on the `TREMOR_PATH`,
//! 4. [`planner`] resolves definitions, substitutes `args`, evaluates configurations and checks the
//!    `connect` statements, giving a plan the runtime can start without looking at Troy again.
//!
//! [`crate::script::fold`] substitutes `args` into `select` / `where` and folds their constant parts
//! at plan time; [`crate::script::eval`] evaluates what is left per event (expressions are the
//! script language's, in [`crate::script`]).
//!
//! Where this front end is more lenient than Tremor: `nanos::` functions need no
//! `use std::time::nanos;` (Tremor 0.12 test files call them without it), and pipeline bodies may
//! contain `use` statements, which are ignored. Where it is stricter: a `select` may only read the
//! input ports and write the output ports its pipeline declares.

pub mod ast;
pub mod builtins;
mod def_parser;
mod embedded;
pub mod error;
pub mod modules;
pub mod parser;
pub mod plan;
pub mod planner;
pub mod query;
mod settings;
pub mod windows;

pub use error::{Pos, TroyError};
pub use query::plan_query;

use std::path::{Path, PathBuf};

/// Reads, parses and plans the deployment file at `path`, finding modules on `tremor_path`.
///
/// # Errors
/// When the file cannot be read, does not parse, uses a construct outside the subset, or names
/// something that does not exist.
pub fn load_deployment(path: &Path, tremor_path: &[PathBuf]) -> Result<plan::Plan, TroyError> {
    let name = path.display().to_string();
    let src = std::fs::read_to_string(path)
        .map_err(|e| TroyError::in_file(&name, format!("cannot read deployment file: {e}")))?;
    plan_source(&src, &name, tremor_path)
}

/// Parses and plans a deployment given as text; `file_name` is used in error messages.
///
/// # Errors
/// As [`load_deployment`], except for reading the file.
pub fn plan_source(
    src: &str,
    file_name: &str,
    tremor_path: &[PathBuf],
) -> Result<plan::Plan, TroyError> {
    let file = parser::parse_file(src, file_name)?;
    let mut loader = modules::Loader::new(tremor_path);
    planner::plan_file(&file, file_name, &mut loader)
}

/// Splits a `TREMOR_PATH`-style list (`dir:dir:...`), skipping empty entries.
#[must_use]
pub fn split_tremor_path(list: &str) -> Vec<PathBuf> {
    std::env::split_paths(list)
        .filter(|p| !p.as_os_str().is_empty())
        .collect()
}

#[cfg(test)]
mod chain_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
