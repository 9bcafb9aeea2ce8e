//! Tremor's script language (tremor-script): one front end and one interpreter, used by scripts
//! and by the expressions inside Troy deployments alike.
//!
//! [`lexer`] turns text into tokens, [`cursor`] walks them, [`expr_parser`] builds the
//! expression tree of [`expr`], [`fold`] substitutes arguments and folds constants once, and
//! [`eval`] evaluates what is left per event. [`error`] says where a mistake is.
//!
//! This module never imports `crate::troy`: Troy is built on top of it.

pub mod cursor;
pub mod error;
pub mod eval;
pub mod expr;
pub mod expr_parser;
pub mod extractors;
pub mod fold;
pub mod lexer;
pub mod stdlib;

pub use error::{Pos, SourceError};

#[cfg(test)]
pub(crate) mod test_support;
