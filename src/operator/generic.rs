//! `generic::batch` and `generic::counter`.

use super::config::With;
use super::interface::{CbAction, Configured, Emitted, Operator, OperatorError};
use crate::event::{Event, EventPayload};
use crate::ports::OUT;
use tremor_value::{literal, Value};

/// `generic::batch`: collects `count` events into one whose payload is the array of their
/// values, or fewer when `timeout` ns have passed since the first of them (checked on each event
/// and on each tick). The batch event has the id, origin and `ingest_ns` of its first event and
/// no metadata; it is transactional when any of its events was, and marked `is_batch` so that
/// sinks write each element as an event of its own.
pub struct Batch {
    count: usize,
    timeout_ns: Option<u64>,
    values: Vec<Value<'static>>,
    first: Option<Event>,
    transactional: bool,
}

impl Configured for Batch {
    fn configure(alias: &str, config: Option<&Value<'static>>) -> Result<Self, OperatorError> {
        let with = With::required(alias, config, &["count", "timeout"])?;
        let count = usize::try_from(with.required_u64("count")?).unwrap_or(usize::MAX);
        Ok(Self::new(count, with.u64("timeout")?))
    }
}

impl Batch {
    fn new(count: usize, timeout_ns: Option<u64>) -> Self {
        Self {
            count,
            timeout_ns,
            values: Vec::with_capacity(count.min(1024)),
            first: None,
            transactional: false,
        }
    }

    fn timed_out(&self, now_ns: u64) -> bool {
        match (self.timeout_ns, &self.first) {
            (Some(timeout), Some(first)) => now_ns.saturating_sub(first.ingest_ns) > timeout,
            _ => false,
        }
    }

    fn flush(&mut self, out: &mut Emitted) {
        let Some(first) = self.first.take() else {
            return;
        };
        let values = std::mem::replace(&mut self.values, Vec::with_capacity(self.count.min(1024)));
        let mut batch = first.with_payload(EventPayload::from_value(Value::Array(values)));
        batch.meta = None;
        batch.is_batch = true;
        batch.transactional = std::mem::take(&mut self.transactional);
        out.push((OUT, batch));
    }
}

impl Operator for Batch {
    fn on_event(&mut self, _port: &'static str, event: Event, out: &mut Emitted) {
        self.transactional |= event.transactional;
        self.values.push(event.payload.value().clone_static());
        let now = event.ingest_ns;
        if self.first.is_none() {
            self.first = Some(event);
        }
        if self.timed_out(now) || self.values.len() >= self.count {
            self.flush(out);
        }
    }

    fn on_tick(&mut self, now_ns: u64, out: &mut Emitted) -> Option<CbAction> {
        if self.timed_out(now_ns) {
            self.flush(out);
        }
        None
    }
}

/// `generic::counter`: replaces each event's value by `{"count": N, "event": VALUE}`, N counting
/// from 1; the metadata stays.
pub struct Counter {
    count: u64,
}

impl Configured for Counter {
    fn configure(_alias: &str, _config: Option<&Value<'static>>) -> Result<Self, OperatorError> {
        Ok(Self { count: 0 })
    }
}

impl Operator for Counter {
    fn on_event(&mut self, _port: &'static str, event: Event, out: &mut Emitted) {
        self.count += 1;
        let counted = literal!({
            "count": self.count,
            "event": event.payload.value().clone_static(),
        });
        out.push((OUT, event.with_payload(EventPayload::from_value(counted))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::test_support::{
        event, steps as emitted,
        Step::{self, Event as Ev, Tick},
    };

    /// Steps from `(ns, Some(value))` for an event and `(ns, None)` for a tick.
    fn script(steps: &[(u64, Option<i32>)]) -> Vec<Step> {
        let step = |&(ns, value): &(u64, Option<i32>)| value.map_or(Tick(ns), |v| Ev(ns, v.into()));
        steps.iter().map(step).collect()
    }

    #[test]
    fn batches_by_count_and_timeout_as_tremors_tests_do() {
        let none = Vec::new;
        let batch = |json: &str| vec![(OUT, json.to_string())];
        let cases = [
            (
                "size",
                Batch::new(2, None),
                script(&[(1, Some(1)), (1, Some(2)), (1, Some(3))]),
                vec![none(), batch("[1,2]"), none()],
            ),
            (
                "time",
                Batch::new(100, Some(1)),
                script(&[
                    (1, Some(1)),
                    (2_000_000, Some(2)),
                    (1, Some(3)),
                    (2, Some(4)),
                ]),
                vec![none(), batch("[1,2]"), none(), none()],
            ),
            (
                "signal",
                Batch::new(100, Some(1)),
                script(&[(1, Some(1)), (2_000_000, None), (1, Some(2)), (2, Some(3))]),
                vec![none(), batch("[1]"), none(), none()],
            ),
            (
                "no empty batches",
                Batch::new(2, Some(1)),
                script(&[
                    (1_000_000, None),
                    (2_000_000, Some(1)),
                    (3_000_000, None),
                    (4_000_000, None),
                ]),
                vec![none(), none(), batch("[1]"), none()],
            ),
        ];
        for (name, mut op, steps, expected) in cases {
            assert_eq!(emitted(&mut op, steps), expected, "{name}");
        }
    }

    #[test]
    fn a_batch_is_transactional_when_one_of_its_events_is() {
        let mut op = Batch::new(2, None);
        let mut out = Emitted::new();
        let mut first = event(7, 1, literal!(1), None);
        first.transactional = true;
        op.on_event(OUT, first, &mut out);
        op.on_event(OUT, event(8, 2, literal!(2), None), &mut out);
        let [(_, batch)] = &out[..] else {
            panic!("one batch expected, got {out:?}");
        };
        assert!(batch.transactional);
        assert_eq!((batch.id, batch.ingest_ns), (7, 1));
    }

    #[test]
    fn batch_needs_a_count() {
        let error = Batch::configure("b", Some(&literal!({"timeout": 5}))).err();
        assert_eq!(
            error.map(|e| e.to_string()).as_deref(),
            Some("missing field `count`")
        );
    }

    #[test]
    fn counter_wraps_each_event_with_its_count() {
        let mut op = Counter { count: 0 };
        let steps = vec![Ev(1, literal!("snot")), Ev(2, literal!({"a": 1}))];
        assert_eq!(
            emitted(&mut op, steps),
            [
                vec![(OUT, r#"{"count":1,"event":"snot"}"#.to_string())],
                vec![(OUT, r#"{"count":2,"event":{"a":1}}"#.to_string())],
            ]
        );
    }
}
