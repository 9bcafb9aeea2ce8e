//! Tremor's builtin pipeline operators (`define operator NAME from MODULE::TYPE [with …] end;`).
//!
//! # Interface, for whoever wires operators into a pipeline
//!
//! * **Build**: [`build`]`(kind, alias, config)` (or [`lookup`] for the constructor alone;
//!   new operators implement [`Configured`] and get a line in `BUILTINS`). `kind`
//!   is `MODULE::TYPE` as written after `from`; `alias` is the operator's name in the pipeline
//!   (Tremor's error messages name it); `config` is the `with` record, `None` when the definition
//!   has no `with`. Errors ([`OperatorError`]) carry Tremor's wording; locate them at the
//!   `define operator` statement.
//! * **Events**: [`Operator::on_event`] gets every event sent to one of the node's input ports
//!   and pushes what it emits, `(output port, event)`, onto `out` in order. Output ports are
//!   `out`, `err`, [`OVERFLOW`] or, for `qos::roundrobin`, the names in its `outputs`; route
//!   them like a stream's or script's ports. An operator never fails an event as a whole: what it
//!   cannot handle goes to `err` (as Tremor's do). Time is the event's `ingest_ns`.
//! * **Ticks**: [`Operator::on_tick`] is Tremor's signal: call it for every operator of a
//!   pipeline when time passes without events (the runtime's tick, e.g. every 100 ms, with the
//!   wall clock in ns). `generic::batch` flushes a timed-out batch there; the qos operators
//!   lift their backoff. A returned [`CbAction`] goes upstream to the pipeline's sources like a
//!   sink's circuit-breaker signal.
//! * **Contraflow**: a delivery report (ack/fail) or a circuit-breaker change (trigger/restore)
//!   of a sink travels back through the pipeline; hand it as a [`Contraflow`] to
//!   [`Operator::on_contraflow`] of every operator the reported event passed that
//!   [`Operator::wants_reports`], last operator first, with [`Contraflow::port`] set to the
//!   output port the event left *this* operator by (the pipeline's `contraflow` module does
//!   this).
//!   The operator may rewrite [`Contraflow::action`] (e.g. `qos::backpressure` in `pause` turns a
//!   failure into a trigger, `qos::roundrobin` swallows a trigger while it has other outputs);
//!   what is left after the first operator reaches the sources. The qos operators mark events
//!   they pass `transactional` so that sinks report them.
//!
//! As in Tremor, `generic::batch` emits an event whose payload is the array of the batched
//! values with [`Event::is_batch`](crate::event::Event::is_batch) set, so sinks serialize each
//! element as an event of its own.

mod config;
pub mod debug;
pub mod generic;
pub mod grouper;
mod interface;
pub mod qos;

pub use interface::{CbAction, Configured, Contraflow, Emitted, Operator, OperatorError, OVERFLOW};
use tremor_value::Value;

/// Builds an operator from its name in the pipeline and its `with` config (`None` without one).
pub type Constructor =
    fn(alias: &str, config: Option<&Value<'static>>) -> Result<Box<dyn Operator>, OperatorError>;

/// The constructor of `T`.
fn boxed<T: Configured>(
    alias: &str,
    config: Option<&Value<'static>>,
) -> Result<Box<dyn Operator>, OperatorError> {
    Ok(Box::new(T::configure(alias, config)?))
}

/// Every builtin operator, `MODULE::TYPE` to constructor, sorted by name.
const BUILTINS: &[(&str, Constructor)] = &[
    ("debug::history", boxed::<debug::History>),
    ("generic::batch", boxed::<generic::Batch>),
    ("generic::counter", boxed::<generic::Counter>),
    ("grouper::bucket", boxed::<grouper::Bucket>),
    ("qos::backpressure", boxed::<qos::Backpressure>),
    ("qos::percentile", boxed::<qos::Percentile>),
    ("qos::roundrobin", boxed::<qos::RoundRobin>),
];

/// The constructor of the builtin operator `kind` (`MODULE::TYPE`).
///
/// # Errors
/// `Unknown operator: KIND` when there is none.
pub fn lookup(kind: &str) -> Result<Constructor, OperatorError> {
    BUILTINS
        .iter()
        .find(|(name, _)| *name == kind)
        .map(|(_, build)| *build)
        .ok_or_else(|| OperatorError::Unknown(kind.to_string()))
}

/// Builds the operator `kind` known as `alias` with its `with` config.
///
/// # Errors
/// An unknown kind or a config the operator does not accept.
pub fn build(
    kind: &str,
    alias: &str,
    config: Option<&Value<'static>>,
) -> Result<Box<dyn Operator>, OperatorError> {
    lookup(kind)?(alias, config)
}

/// The names of all builtin operators, sorted.
#[must_use]
pub fn names() -> Vec<&'static str> {
    BUILTINS.iter().map(|(name, _)| *name).collect()
}

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_value::literal;

    #[test]
    fn unknown_operators_fail_with_tremors_message() {
        let error = build("op::unknown", "o", None).err();
        assert_eq!(
            error.map(|e| e.to_string()).as_deref(),
            Some("Unknown operator: op::unknown")
        );
    }

    #[test]
    fn every_builtin_is_found_and_the_list_is_sorted() {
        let names = names();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        for name in names {
            assert!(lookup(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn the_references_examples_build() {
        let examples = [
            ("grouper::bucket", None),
            ("generic::batch", Some(literal!({"count": 300}))),
            ("generic::counter", None),
            (
                "qos::backpressure",
                Some(literal!({"timeout": 100_000_000, "method": "discard"})),
            ),
            (
                "qos::percentile",
                Some(literal!({"timeout": 100_000_000, "step_down": 0.1})),
            ),
            (
                "qos::roundrobin",
                Some(literal!({"outputs": ["round", "robin", "outputs"]})),
            ),
            (
                "debug::history",
                Some(literal!({"op": "my-checkpoint", "name": "event_history"})),
            ),
        ];
        for (kind, config) in examples {
            assert!(build(kind, "op", config.as_ref()).is_ok(), "{kind}");
        }
    }

    #[test]
    fn roundrobin_cycles_through_the_references_outputs() {
        let config = literal!({"outputs": ["round", "robin", "outputs"]});
        let mut op = build("qos::roundrobin", "rr", Some(&config)).expect("valid");
        let ports: Vec<_> = (0..4)
            .flat_map(|id| {
                test_support::run(op.as_mut(), test_support::event(id, id, literal!(id), None))
            })
            .map(|(port, _)| port)
            .collect();
        assert_eq!(ports, ["round", "robin", "outputs", "round"]);
    }
}
