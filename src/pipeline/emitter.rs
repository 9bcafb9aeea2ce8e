//! Where a pipeline's per-event logic puts what it emits: the actor collects per port, `tremor
//! run` in emission order.

use crate::event::Event;
use std::collections::HashMap;

/// Where a pipeline puts the events it emits, port by port, in the order it emits them.
pub trait Emitter {
    /// Takes `event`, emitted on `port`.
    fn emit(&mut self, port: &'static str, event: Event);
}

impl Emitter for HashMap<&'static str, Vec<Event>> {
    fn emit(&mut self, port: &'static str, event: Event) {
        self.entry(port).or_default().push(event);
    }
}

impl Emitter for Vec<(&'static str, Event)> {
    fn emit(&mut self, port: &'static str, event: Event) {
        self.push((port, event));
    }
}
