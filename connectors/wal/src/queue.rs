//! What the source replays: the unacknowledged records, which of them went out with which
//! pull, and the acknowledgements.
//!
//! The runtime reports, per sink batch, the highest acknowledged pull id and then the lowest
//! failed one. So an ack covers every earlier pull (cumulative, as in Tremor's wal), but a
//! fail that follows it may take part of it back. An ack therefore stays *pending* until the
//! next ack arrives (by then the fails of its batch have arrived too) and only then becomes
//! final: the records are dropped and the log may delete them. A pending ack left when the
//! process dies only means its records are replayed once more.

use crate::log::Record;
use std::collections::VecDeque;

/// The most records one pull hands out.
const MAX_BATCH: usize = 128;

/// Records handed out by one pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pull {
    id: u64,
    first: u64,
    last: u64,
}

/// The replay state of the source.
#[derive(Debug, Default)]
pub(crate) struct Queue {
    /// Records after the last final ack, in index order.
    records: VecDeque<Record>,
    /// The index of the next record to hand out.
    read: u64,
    /// Pulls not finally acknowledged, in order.
    pulls: VecDeque<Pull>,
    /// The highest index acknowledged, not yet final.
    pending: Option<u64>,
}

/// One batch to send: the records of one pull sharing one metadata record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Batch {
    pub(crate) meta: Vec<u8>,
    pub(crate) payloads: Vec<Vec<u8>>,
}

impl Queue {
    /// A queue replaying `unacked` first.
    pub(crate) fn new(unacked: Vec<Record>) -> Self {
        let read = unacked.first().map_or(0, |r| r.index);
        Self {
            records: unacked.into(),
            read,
            ..Self::default()
        }
    }

    /// Adds records the sink stored.
    pub(crate) fn push(&mut self, records: impl IntoIterator<Item = Record>) {
        for record in records {
            if self.records.is_empty() && self.pulls.is_empty() {
                self.read = self.read.max(record.index);
            }
            self.records.push_back(record);
        }
    }

    /// The next records to send, as pull `pull_id`: consecutive ones with the same metadata.
    pub(crate) fn next(&mut self, pull_id: u64) -> Option<Batch> {
        let start = self.records.iter().position(|r| r.index >= self.read)?;
        let first = &self.records[start];
        let meta = first.meta.clone();
        let taken: Vec<&Record> = self
            .records
            .range(start..)
            .take(MAX_BATCH)
            .take_while(|r| r.meta == meta)
            .collect();
        let last = taken.last().map_or(first.index, |r| r.index);
        let pull = Pull {
            id: pull_id,
            first: first.index,
            last,
        };
        let payloads = taken.iter().map(|r| r.payload.clone()).collect();
        self.pulls.push_back(pull);
        self.read = last + 1;
        Some(Batch { meta, payloads })
    }

    /// Pull `pull_id` and all before it were delivered. Returns the index up to which records
    /// are now finally acknowledged (the previous pending ack), if that moved.
    pub(crate) fn ack(&mut self, pull_id: u64) -> Option<u64> {
        let last = self.pulls.iter().find(|p| p.id == pull_id)?.last;
        let settled = self.pending.take();
        if let Some(upto) = settled {
            self.drop_upto(upto);
        }
        self.pending = Some(last);
        settled
    }

    /// Makes the pending ack final (the connector stops: no fail can follow any more).
    /// Returns the index up to which records are now finally acknowledged, if any.
    pub(crate) fn settle(&mut self) -> Option<u64> {
        let settled = self.pending.take()?;
        self.drop_upto(settled);
        Some(settled)
    }

    /// Pull `pull_id` was not delivered: it (and everything handed out after it) goes out
    /// again, and a pending ack no longer covers it.
    pub(crate) fn fail(&mut self, pull_id: u64) {
        let Some(at) = self.pulls.iter().position(|p| p.id == pull_id) else {
            return;
        };
        let first = self.pulls[at].first;
        self.pulls.truncate(at);
        if self.pending.is_some_and(|p| p >= first) {
            self.pending = first
                .checked_sub(1)
                .filter(|p| self.records.front().is_some_and(|r| r.index <= *p));
        }
        self.read = self.read.min(first);
    }

    fn drop_upto(&mut self, upto: u64) {
        while self.records.front().is_some_and(|r| r.index <= upto) {
            self.records.pop_front();
        }
        while self.pulls.front().is_some_and(|p| p.last <= upto) {
            self.pulls.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(index: u64, meta: &str) -> Record {
        Record {
            index,
            meta: meta.as_bytes().to_vec(),
            payload: index.to_string().into_bytes(),
        }
    }

    fn sent(batch: Option<Batch>) -> Vec<String> {
        batch
            .map(|b| b.payloads)
            .unwrap_or_default()
            .into_iter()
            .map(|p| String::from_utf8_lossy(&p).into_owned())
            .collect()
    }

    #[test]
    fn batches_group_records_with_the_same_metadata() {
        let mut q = Queue::new(vec![record(3, "a"), record(4, "a"), record(5, "b")]);
        q.push([record(6, "b")]);
        assert_eq!(sent(q.next(0)), ["3", "4"]);
        assert_eq!(sent(q.next(1)), ["5", "6"]);
        assert_eq!(q.next(2), None);
        q.push([record(7, "c")]);
        assert_eq!(sent(q.next(3)), ["7"]);
    }

    #[test]
    fn acks_are_cumulative_and_final_at_the_next_ack() {
        let mut q = Queue::new((0..4).map(|i| record(i, &i.to_string())).collect());
        for pull in 0..4 {
            q.next(pull);
        }
        assert_eq!(q.ack(1), None, "pending until the next ack");
        assert_eq!(q.ack(3), Some(1), "the earlier ack is final now");
        assert_eq!(q.records.len(), 2);
        assert_eq!(q.ack(7), None, "an unknown pull changes nothing");
        assert_eq!(q.settle(), Some(3), "at stop the pending ack becomes final");
        assert!(q.records.is_empty());
        assert_eq!(q.settle(), None);
    }

    #[test]
    fn a_fail_after_an_ack_of_the_same_batch_takes_it_back() {
        let mut q = Queue::new((0..4).map(|i| record(i, &i.to_string())).collect());
        for pull in 0..4 {
            q.next(pull);
        }
        // one sink batch: pulls 0..=3, pull 1 failed: the runtime sends ack(3), then fail(1)
        assert_eq!(q.ack(3), None);
        q.fail(1);
        assert_eq!(sent(q.next(4)), ["1"], "replayed from the failed pull on");
        assert_eq!(sent(q.next(5)), ["2"]);
        assert_eq!(sent(q.next(6)), ["3"]);
        assert_eq!(q.ack(6), Some(0), "only pull 0 stayed acknowledged");
        assert_eq!(q.ack(6), Some(3));
        assert!(q.records.is_empty());
    }

    #[test]
    fn a_fail_of_the_first_pull_clears_the_pending_ack() {
        let mut q = Queue::new(vec![record(0, "m"), record(1, "n")]);
        q.next(0);
        q.next(1);
        q.ack(1);
        q.fail(0);
        assert_eq!(q.pending, None);
        assert_eq!(sent(q.next(2)), ["0"]);
    }
}
