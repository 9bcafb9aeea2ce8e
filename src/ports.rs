//! The names of the ports every deployment uses, so that a misspelt port is a compile error
//! rather than a link that never carries anything. Connectors and pipelines may have more ports
//! (`stdout`, named script ports); those come from their definitions.

/// The input port of a pipeline and of a sink connector.
pub const IN: &str = "in";
/// The output port of a pipeline and of a source connector.
pub const OUT: &str = "out";
/// Where events that failed (decode, processing, runtime errors) go instead of being dropped.
pub const ERR: &str = "err";
