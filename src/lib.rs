//! The tremor runtime: runs deployments written in a Troy subset, with connectors reached only
//! through the stable-ABI interface of `tremor_pdk` — linked in (builtins, found through
//! `inventory`) or loaded from plugin files (feature `dynamic-plugins`).
//!
//! Layout: [`troy`] reads deployments into a plan; [`world`] turns the plan into actors
//! (connector, source and sink managers in [`connectors`], [`pipeline`]s) on the executor
//! wrapped by [`rt`]; [`codec`], [`preprocessor`] and [`postprocessor`] turn bytes into events
//! and back.

pub mod builtins;
pub mod cli;
pub mod codec;
pub mod connectors;
pub mod errors;
pub mod event;
pub mod isolation;
pub mod operator;
pub mod pipeline;
pub mod ports;
pub mod postprocessor;
pub mod preprocessor;
pub mod rt;
pub mod run;
pub mod script;
pub mod test_runner;
pub mod topology;
pub mod troy;
pub mod world;

pub use errors::{Error, Result};
