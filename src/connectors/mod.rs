//! Connector instances inside the runtime: the registry of types, the host services handed to
//! each instance, and the three actors per instance (connector, source and sink managers).
//!
//! The runtime reaches connectors only through `tremor_pdk`'s stable-ABI types; builtin and
//! plugin connectors are handled identically from here on.

#[cfg(feature = "dynamic-plugins")]
pub mod allowlist;
#[cfg(test)]
pub(crate) mod harness;
pub(crate) mod host;
#[cfg(feature = "dynamic-plugins")]
pub mod inspect;
#[cfg(feature = "dynamic-plugins")]
mod layout_report;
#[cfg(feature = "dynamic-plugins")]
pub mod loader;
pub(crate) mod manager;
pub(crate) mod metrics;
pub mod msg;
pub mod parts;
pub mod reconnect;
pub mod registry;
pub(crate) mod restart;
pub mod scaffold;
pub(crate) mod sink;
pub(crate) mod source;

use std::fmt;

/// The lifecycle states of a connector instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Created, not yet connected.
    Initializing,
    /// Connected and moving data.
    Running,
    /// Connected, data paused (by the runtime or while reconnecting).
    Paused,
    /// A graceful stop is under way.
    Draining,
    /// Stopped for good.
    Stopped,
    /// Gave up (connect retries exhausted, or the connector panicked/failed).
    Failed,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Interns a port name for the lifetime of the process. Port names come from deployment files
/// (a handful per deployment); interning lets every event carry its port as a `&'static str`
/// across the boundary without allocating.
pub fn intern_port(name: &str) -> &'static str {
    use std::{collections::HashSet, sync::Mutex};
    static PORTS: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut guard = PORTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let set = guard.get_or_insert_with(HashSet::new);
    if let Some(known) = set.get(name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    set.insert(leaked);
    leaked
}
