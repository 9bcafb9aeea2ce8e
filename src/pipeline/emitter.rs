//! Where a pipeline's per-event logic puts what it emits: the actor collects runs of one port,
//! `tremor run` single events, both in emission order.

use crate::event::Event;

/// Where a pipeline puts the events it emits, port by port, in the order it emits them.
pub trait Emitter {
    /// Takes `event`, emitted on `port`.
    fn emit(&mut self, port: &'static str, event: Event);
}

/// What a pipeline emitted from one batch: runs of consecutive events of one port, so that
/// events of different ports leave in the order they were emitted, as Tremor sends them (event
/// by event), while a run still goes on as one message.
#[derive(Default)]
pub(crate) struct PortRuns(pub(crate) Vec<(&'static str, Vec<Event>)>);

impl Emitter for PortRuns {
    fn emit(&mut self, port: &'static str, event: Event) {
        match self.0.last_mut() {
            Some((last, events)) if *last == port => events.push(event),
            _ => self.0.push((port, vec![event])),
        }
    }
}

impl Emitter for Vec<(&'static str, Event)> {
    fn emit(&mut self, port: &'static str, event: Event) {
        self.push((port, event));
    }
}
