//! The connection slot: how a connector hands the connection opened by `connect` to its
//! source and sink parts, which run in other tasks.
//!
//! `connect` [publishes](Slot::publish) each new connection under a new generation number.
//! Each part holds a [`Watch`]: it takes up the connection of a new generation when it sees
//! one, and when it finds its connection broken it calls [`Watch::lost`], which hands the
//! broken connection back for closing and reporting to the one part that noticed first — a
//! loss is reported once per generation, and a part still on an older generation reports
//! nothing.

use std::sync::{Arc, Mutex, MutexGuard};
use tremor_pdk::{ConnectorError, Result};

/// Locks `mutex`; a poisoned lock (a panic in another part) is an error, not a panic.
///
/// `what` names the state in the message, e.g. `"tcp_server connections"`.
pub fn lock<'a, T>(mutex: &'a Mutex<T>, what: &str) -> Result<MutexGuard<'a, T>> {
    mutex
        .lock()
        .map_err(|_| ConnectorError::other(format!("{what} lock poisoned")))
}

/// A connection shared by a connector and its parts, tagged with a generation number.
pub struct Slot<T> {
    state: Arc<Mutex<State<T>>>,
    /// Names the slot in error messages (the connector type).
    name: &'static str,
}

struct State<T> {
    /// Bumped by every [`Slot::publish`]; 0 before the first.
    generation: u64,
    /// The connection of this generation; `None` once it is lost, taken or stopped.
    value: Option<T>,
}

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
            name: self.name,
        }
    }
}

impl<T> Slot<T> {
    /// An empty slot (generation 0); `name` (the connector type) appears in error messages.
    pub fn new(name: &'static str) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                generation: 0,
                value: None,
            })),
            name,
        }
    }

    fn state(&self) -> Result<MutexGuard<'_, State<T>>> {
        lock(&self.state, &format!("{} connection slot", self.name))
    }

    /// Publishes a new connection under the next generation; returns the one it replaces
    /// (for the caller to close).
    pub fn publish(&self, value: T) -> Result<Option<T>> {
        let mut state = self.state()?;
        state.generation += 1;
        Ok(state.value.replace(value))
    }

    /// Removes the connection without starting a generation (a stop): parts keep what they
    /// took up already.
    pub fn clear(&self) -> Result<Option<T>> {
        Ok(self.state()?.value.take())
    }

    /// Moves the connection out of the slot, for a value that only one part can own (a
    /// file); `None` when nothing was published since the last take.
    pub fn take(&self) -> Result<Option<T>> {
        self.clear()
    }

    /// Calls `f` with the current connection, if any.
    pub fn with<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> Result<R> {
        Ok(f(self.state()?.value.as_ref()))
    }

    /// Whether a connection is in the slot.
    pub fn is_set(&self) -> Result<bool> {
        self.with(|value| value.is_some())
    }

    /// A part's view of this slot, before any connection.
    pub fn watch(&self) -> Watch<T> {
        Watch {
            slot: self.clone(),
            generation: 0,
            value: None,
        }
    }
}

/// A part's view of a [`Slot`]: the connection of the generation it last took up.
pub struct Watch<T> {
    slot: Slot<T>,
    generation: u64,
    value: Option<T>,
}

impl<T: Clone> Watch<T> {
    /// Takes up the connection of a newer generation, if one was published; returns whether
    /// the generation changed.
    pub fn refresh(&mut self) -> Result<bool> {
        let state = self.slot.state()?;
        if state.generation == self.generation {
            return Ok(false);
        }
        self.generation = state.generation;
        self.value.clone_from(&state.value);
        Ok(true)
    }
}

impl<T> Watch<T> {
    /// The connection this part works on, if any.
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.value.as_mut()
    }

    /// The generation this part took up last (0: none yet).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// This part found its connection broken: forgets it, and returns the slot's connection
    /// when this part is the first to notice the loss of the current generation. The caller
    /// closes it and reports the loss; `None` means someone else did or a newer connection
    /// was published meanwhile.
    pub fn lost(&mut self) -> Result<Option<T>> {
        self.value = None;
        let mut state = self.slot.state()?;
        if state.generation != self.generation {
            return Ok(None);
        }
        Ok(state.value.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A slot with `value` published, and a part that took it up.
    fn taken_up(value: &'static str) -> (Slot<&'static str>, Watch<&'static str>) {
        let slot = Slot::new("t");
        let mut part = slot.watch();
        slot.publish(value).expect("ok");
        assert!(part.refresh().expect("ok"));
        (slot, part)
    }

    #[test]
    fn a_part_takes_up_each_published_connection_once() {
        let slot = Slot::new("t");
        let mut part = slot.watch();
        assert!(!part.refresh().expect("ok"), "nothing published yet");
        assert_eq!(part.get_mut(), None);
        assert_eq!(slot.publish("a").expect("ok"), None);
        assert!(part.refresh().expect("ok"));
        assert_eq!((part.get_mut().copied(), part.generation()), (Some("a"), 1));
        assert!(!part.refresh().expect("ok"), "same generation");
        assert_eq!(slot.publish("b").expect("ok"), Some("a"), "replaced");
        assert!(part.refresh().expect("ok"));
        assert_eq!((part.get_mut().copied(), part.generation()), (Some("b"), 2));
    }

    #[test]
    fn a_loss_is_reported_once_whichever_part_notices_first() {
        let (slot, mut source) = taken_up("a");
        let mut sink = slot.watch();
        sink.refresh().expect("ok");
        assert_eq!(sink.lost().expect("ok"), Some("a"), "first to notice");
        assert_eq!(sink.get_mut(), None);
        assert_eq!(source.lost().expect("ok"), None, "reported already");
        assert!(!slot.is_set().expect("ok"));
    }

    #[test]
    fn a_stale_generation_reports_nothing() {
        let (slot, mut part) = taken_up("old");
        slot.publish("new").expect("ok");
        assert_eq!(part.lost().expect("ok"), None, "the new connection is fine");
        assert!(slot.is_set().expect("ok"));
        assert!(part.refresh().expect("ok"));
        assert_eq!(part.get_mut().copied(), Some("new"));
    }

    #[test]
    fn a_stop_clears_without_a_new_generation() {
        let (slot, mut part) = taken_up("a");
        assert_eq!(slot.clear().expect("ok"), Some("a"));
        assert!(!part.refresh().expect("ok"));
        assert_eq!(
            part.get_mut().copied(),
            Some("a"),
            "the part keeps its copy"
        );
    }

    #[test]
    fn take_moves_a_value_out_once() {
        let slot = Slot::new("t");
        assert_eq!(slot.take().expect("ok"), None);
        slot.publish(String::from("file")).expect("ok");
        assert_eq!(slot.take().expect("ok").as_deref(), Some("file"));
        assert_eq!(slot.take().expect("ok"), None);
    }

    #[test]
    fn a_poisoned_lock_is_an_error() {
        let slot = Slot::new("t");
        let poisoner = slot.clone();
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.state.lock();
            panic!("poison the lock");
        })
        .join();
        let err = slot.publish(1).expect_err("poisoned");
        assert!(
            err.message.contains("t connection slot lock poisoned"),
            "{err}"
        );
    }
}
