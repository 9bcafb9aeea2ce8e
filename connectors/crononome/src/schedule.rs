//! The schedule: when each entry fires next, and the records a firing produces.
//!
//! Plain code over explicit times, so that it can be tested without waiting for a clock.

use chrono::{DateTime, Utc};

/// One validated entry of the configuration.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    schedule: cron::Schedule,
    /// `{"name": ..., "payload": ...}`, written once at configuration time.
    trigger_json: String,
    /// When the entry fires next; `None` before [`Schedule::start`] and once the expression
    /// has no instant left (e.g. a past year).
    next: Option<DateTime<Utc>>,
}

impl Entry {
    pub(crate) fn new(schedule: cron::Schedule, trigger_json: String) -> Self {
        Self {
            schedule,
            trigger_json,
            next: None,
        }
    }

    #[cfg(test)]
    pub(crate) fn trigger_json(&self) -> &str {
        &self.trigger_json
    }

    fn plan_after(&mut self, after: DateTime<Utc>) {
        self.next = self.schedule.after(&after).next();
    }
}

/// All entries with their next instants, and the id of the next event.
#[derive(Debug)]
pub(crate) struct Schedule {
    entries: Vec<Entry>,
    started: bool,
    next_id: u64,
}

impl Schedule {
    pub(crate) fn new(entries: Vec<Entry>) -> Self {
        Self {
            entries,
            started: false,
            next_id: 0,
        }
    }

    /// Plans the first instant of every entry after `now`. Only the first call has an effect:
    /// the schedule starts when the source is first pulled, not when it was configured, so a
    /// slow start does not produce a burst of stale triggers.
    pub(crate) fn start(&mut self, now: DateTime<Utc>) {
        if !self.started {
            self.started = true;
            for entry in &mut self.entries {
                entry.plan_after(now);
            }
        }
    }

    /// The earliest instant at which an entry fires; `None` when no entry will fire again.
    pub(crate) fn next_due(&self) -> Option<DateTime<Utc>> {
        self.entries.iter().filter_map(|e| e.next).min()
    }

    /// Fires every entry due at `at`, in configuration order, and returns their events as
    /// JSON documents. Each fired entry is planned again after the later of `at` and `now`:
    /// instants missed while the source was not pulled (paused, overloaded) are skipped, so an
    /// entry that is late fires once, not once per missed instant.
    pub(crate) fn fire(
        &mut self,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
        ingest_ns: u64,
    ) -> Vec<Vec<u8>> {
        let replan = at.max(now);
        let mut docs = Vec::new();
        for entry in &mut self.entries {
            if entry.next == Some(at) {
                docs.push(event(ingest_ns, self.next_id, &entry.trigger_json));
                self.next_id += 1;
                entry.plan_after(replan);
            }
        }
        docs
    }
}

/// The JSON document of one trigger.
fn event(ingest_ns: u64, id: u64, trigger_json: &str) -> Vec<u8> {
    format!(
        r#"{{"connector":"{}","ingest_ns":{ingest_ns},"id":{id},"trigger":{trigger_json}}}"#,
        crate::CONNECTOR_TYPE
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn schedule(entries: &str) -> Schedule {
        Schedule::new(crate::config::parse(entries).expect("valid config"))
    }

    fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 2, 29, h, m, s)
            .single()
            .expect("a valid instant")
    }

    fn docs(docs: Vec<Vec<u8>>) -> Vec<String> {
        docs.into_iter()
            .map(|d| String::from_utf8(d).expect("utf8"))
            .collect()
    }

    #[test]
    fn entries_due_at_the_same_instant_fire_together_in_order() {
        let mut s = schedule(
            r#"{"entries": [{"name": "even", "expr": "*/2 * * * * *", "payload": [1]},
                            {"name": "every", "expr": "* * * * * *", "payload": "x"}]}"#,
        );
        assert_eq!(s.next_due(), None, "not started");
        s.start(t(10, 0, 0));
        assert_eq!(s.next_due(), Some(t(10, 0, 1)));
        assert_eq!(
            docs(s.fire(t(10, 0, 1), t(10, 0, 1), 7)),
            [
                r#"{"connector":"crononome","ingest_ns":7,"id":0,"trigger":{"name":"every","payload":"x"}}"#
            ]
        );
        assert_eq!(s.next_due(), Some(t(10, 0, 2)));
        assert_eq!(
            docs(s.fire(t(10, 0, 2), t(10, 0, 2), 8)),
            [
                r#"{"connector":"crononome","ingest_ns":8,"id":1,"trigger":{"name":"even","payload":[1]}}"#,
                r#"{"connector":"crononome","ingest_ns":8,"id":2,"trigger":{"name":"every","payload":"x"}}"#
            ]
        );
        assert_eq!(s.next_due(), Some(t(10, 0, 3)));
    }

    #[test]
    fn start_happens_once_and_late_entries_fire_once() {
        let mut s = schedule(r#"{"entries": [{"name": "m", "expr": "0 * * * * *"}]}"#);
        s.start(t(10, 0, 30));
        s.start(t(11, 0, 30));
        assert_eq!(s.next_due(), Some(t(10, 1, 0)));
        // Pulled again only at 10:05:10: one late event, then back on the schedule.
        assert_eq!(s.fire(t(10, 1, 0), t(10, 5, 10), 1).len(), 1);
        assert_eq!(s.next_due(), Some(t(10, 6, 0)));
        assert!(s.fire(t(10, 5, 0), t(10, 5, 10), 1).is_empty(), "not due");
    }

    #[test]
    fn an_exhausted_expression_has_no_next_instant() {
        let mut s = schedule(r#"{"entries": [{"name": "once", "expr": "0 0 0 1 1 * 2025"}]}"#);
        s.start(t(0, 0, 0));
        let due = s.next_due().expect("2025 is still ahead");
        assert_eq!(s.fire(due, due, 1).len(), 1);
        assert_eq!(s.next_due(), None);
    }
}
