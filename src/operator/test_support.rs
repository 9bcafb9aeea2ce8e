//! Events and runs for the operators' tests.

use super::interface::{CbAction, Contraflow, Emitted, Operator};
use crate::event::{Event, EventPayload};
use crate::ports::IN;
use tremor_value::Value;

/// An event with `value` and, when given, the metadata `meta`.
pub(crate) fn event(
    id: u64,
    ingest_ns: u64,
    value: Value<'static>,
    meta: Option<&Value<'_>>,
) -> Event {
    Event {
        id,
        ingest_ns,
        origin: None,
        transactional: false,
        meta: meta.map(|m| tremor_value::to_json(m).into()),
        payload: EventPayload::from_value(value),
        is_batch: false,
        trail: Vec::new(),
    }
}

/// What `operator` emits for `event` on `in`, as `(port, payload as JSON)`.
pub(crate) fn run(operator: &mut dyn Operator, event: Event) -> Vec<(&'static str, String)> {
    let mut out = Emitted::new();
    operator.on_event(IN, event, &mut out);
    shown(out)
}

/// `out` as `(port, payload as JSON)`.
pub(crate) fn shown(out: Emitted) -> Vec<(&'static str, String)> {
    out.into_iter()
        .map(|(port, e)| (port, tremor_value::to_json(e.payload.value())))
        .collect()
}

/// One step of a scripted test run.
pub(crate) enum Step {
    /// An event at `ingest_ns` with a value.
    Event(u64, Value<'static>),
    /// A tick at a time.
    Tick(u64),
    /// A contraflow signal.
    Back(Contraflow),
}

/// The pseudo port under which [`steps`] reports the circuit-breaker action an operator sends
/// upstream (from a tick, or what is left of a contraflow signal).
pub(crate) const UPSTREAM: &str = "upstream";

/// Runs `steps` through `operator` (event ids count from 0); what each step emitted, as
/// `(port, payload as JSON)`, with upstream actions as `(UPSTREAM, "{action:?}")`.
pub(crate) fn steps(
    operator: &mut dyn Operator,
    steps: Vec<Step>,
) -> Vec<Vec<(&'static str, String)>> {
    steps
        .into_iter()
        .enumerate()
        .map(|(id, step)| {
            let mut out = Emitted::new();
            let upstream = match step {
                Step::Event(ns, value) => {
                    operator.on_event(IN, event(id as u64, ns, value, None), &mut out);
                    None
                }
                Step::Tick(ns) => operator.on_tick(ns, &mut out),
                Step::Back(mut signal) => {
                    operator.on_contraflow(&mut signal);
                    Some(signal.action).filter(|a| *a != CbAction::None)
                }
            };
            let mut shown = shown(out);
            shown.extend(upstream.map(|a| (UPSTREAM, format!("{a:?}"))));
            shown
        })
        .collect()
}
