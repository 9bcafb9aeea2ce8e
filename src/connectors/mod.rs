//! Connector instances inside the runtime: the registry of types, the host services handed to
//! each instance, and the three actors per instance (connector, source and sink managers).
//!
//! The runtime reaches connectors only through `tremor_pdk`'s stable-ABI types; builtin and
//! plugin connectors are handled identically from here on.

pub(crate) mod host;
#[cfg(feature = "dynamic-plugins")]
pub mod loader;
pub(crate) mod manager;
pub mod parts;
pub mod reconnect;
pub mod registry;
pub(crate) mod sink;
pub(crate) mod source;

use crate::{event::Event, rt::Sender};
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

/// What travels along a link of the deployment graph.
#[derive(Debug)]
pub enum DataMsg {
    /// Events for input port `port` of the receiver.
    Events {
        /// The receiver's input port.
        port: &'static str,
        /// The events, in order.
        events: Vec<Event>,
    },
    /// The sender has drained: nothing more will come on this link.
    Drained,
}

/// One outgoing link: a receiver's data channel and the input port there.
#[derive(Debug, Clone)]
pub struct Route {
    /// The receiver.
    pub tx: Sender<DataMsg>,
    /// The receiver's input port.
    pub port: &'static str,
    /// Who receives, for messages.
    pub target: String,
}

/// Sends `events` along `routes`, copying for all but the last. Returns whether anyone took
/// them (false: no route, or every receiver is gone).
pub async fn send_events(routes: &[Route], mut events: Vec<Event>) -> bool {
    let Some((last, rest)) = routes.split_last() else {
        return false;
    };
    let mut delivered = false;
    for route in rest {
        let copy = events.iter().map(Event::deep_clone).collect();
        delivered |= route
            .tx
            .send(DataMsg::Events {
                port: route.port,
                events: copy,
            })
            .await
            .is_ok();
    }
    events.shrink_to_fit();
    delivered |= last
        .tx
        .send(DataMsg::Events {
            port: last.port,
            events,
        })
        .await
        .is_ok();
    delivered
}

/// Tells every receiver along `routes` that this sender is drained.
pub async fn send_drained(routes: &[Route]) {
    for route in routes {
        // A receiver that is gone needs no notice.
        let _ = route.tx.send(DataMsg::Drained).await;
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
