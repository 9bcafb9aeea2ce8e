//! The source part: sends the lines of a file as transactional events and checks that every
//! one of them is acknowledged.

use std::collections::{BTreeMap, VecDeque};
use tremor_pdk::{ConnectorContext, Result, Source, SourceBatch, SourceReply};

/// The message printed when every line was acknowledged.
pub const ALL_RECEIVED: &str = "All required CB events received.";

pub(crate) struct CbSource {
    ctx: ConnectorContext,
    alias: String,
    /// The file, for messages.
    path: String,
    lines: Vec<Vec<u8>>,
    timeout_ns: u64,
    /// The next line never sent yet.
    next_line: usize,
    /// Failed lines, sent again before new ones.
    resend: VecDeque<usize>,
    /// Sent, neither acknowledged nor failed yet: pull id → line.
    in_flight: BTreeMap<u64, usize>,
    /// Acknowledged: pull id → line.
    acked: BTreeMap<u64, usize>,
    /// Pull ids that failed, in order.
    failed: Vec<u64>,
    /// When the first pull came, in ns since the epoch.
    started_ns: Option<u64>,
    reported: bool,
}

impl CbSource {
    pub(crate) fn new(ctx: ConnectorContext, path: String, text: &[u8], timeout_ns: u64) -> Self {
        let lines = text
            .split(|&b| b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
            .collect();
        Self {
            alias: ctx.alias(),
            ctx,
            path,
            lines,
            timeout_ns,
            next_line: 0,
            resend: VecDeque::new(),
            in_flight: BTreeMap::new(),
            acked: BTreeMap::new(),
            failed: Vec::new(),
            started_ns: None,
            reported: false,
        }
    }

    fn all_acked(&self) -> bool {
        self.acked.len() == self.lines.len()
    }

    /// What is missing, in words.
    pub(crate) fn missing(&self) -> String {
        let waiting: Vec<u64> = self.in_flight.keys().copied().collect();
        let mut unsent: Vec<usize> = self.resend.iter().map(|l| l + 1).collect();
        unsent.extend(self.next_line + 1..=self.lines.len());
        format!(
            "Missing CB events: {} of {} line(s) of {} not acknowledged; pull ids sent without ack: {}; lines not (re)sent: {}; pull ids failed: {}",
            self.lines.len() - self.acked.len(),
            self.lines.len(),
            self.path,
            short_list(&waiting),
            short_list(&unsent),
            short_list(&self.failed),
        )
    }

    /// Prints the outcome and stops the runtime (exit code 1 when something is missing).
    fn report(&mut self, complete: bool) {
        if self.reported {
            return;
        }
        self.reported = true;
        let acks: Vec<u64> = self.acked.keys().copied().collect();
        if complete {
            eprintln!("{ALL_RECEIVED}");
            eprintln!("Got acks for pull ids: {}", short_list(&acks));
            eprintln!("Got fails for pull ids: {}", short_list(&self.failed));
            log::info!("[{}] {ALL_RECEIVED}", self.alias);
            self.ctx.request_stop(0, 0, true);
        } else {
            let missing = self.missing();
            eprintln!("{missing}");
            eprintln!("Got acks for pull ids: {}", short_list(&acks));
            log::error!("[{}] {missing}", self.alias);
            self.ctx.request_stop(1, 0, true);
        }
    }

    fn check_done(&mut self) -> bool {
        if !self.reported && self.all_acked() {
            self.report(true);
        }
        self.reported
    }
}

/// `[1, 2, 3]`, or the first 20 entries and the count: `[1, 2, ..., 20, ...] (57 in all)`.
fn short_list<T: std::fmt::Display>(items: &[T]) -> String {
    const SHOWN: usize = 20;
    let shown: Vec<String> = items.iter().take(SHOWN).map(ToString::to_string).collect();
    if items.len() > SHOWN {
        format!("[{}, ...] ({} in all)", shown.join(", "), items.len())
    } else {
        format!("[{}]", shown.join(", "))
    }
}

impl Source for CbSource {
    async fn pull(&mut self, pull_id: u64) -> Result<SourceReply> {
        if self.check_done() {
            return Ok(SourceReply::Finished);
        }
        let now = self.ctx.now_ns();
        let started = *self.started_ns.get_or_insert(now);
        let line = self.resend.pop_front().or_else(|| {
            (self.next_line < self.lines.len()).then(|| {
                self.next_line += 1;
                self.next_line - 1
            })
        });
        if let Some(line) = line {
            self.in_flight.insert(pull_id, line);
            let batch =
                SourceBatch::bytes(0, vec![self.lines[line].clone().into()]).transactional();
            return Ok(SourceReply::Data(batch));
        }
        if now.saturating_sub(started) >= self.timeout_ns {
            self.report(false);
            return Ok(SourceReply::Finished);
        }
        Ok(SourceReply::Empty { wait_ms: 10 })
    }

    /// Acknowledges `pull_id` and every earlier pull still in flight: the runtime reports the
    /// highest pull id acknowledged for a whole delivery.
    fn ack(&mut self, _stream: u64, pull_id: u64) -> Result<()> {
        let later = match pull_id.checked_add(1) {
            Some(next) => self.in_flight.split_off(&next),
            None => BTreeMap::new(),
        };
        let acked = std::mem::replace(&mut self.in_flight, later);
        self.acked.extend(acked);
        // Completion is checked in `pull`, not here: the runtime reports the fails of the
        // same delivery right after its ack.
        Ok(())
    }

    /// `pull_id` was not delivered: its line is sent again.
    fn fail(&mut self, _stream: u64, pull_id: u64) -> Result<()> {
        // An ack for a later pull of the same delivery may have covered it already.
        let line = self
            .in_flight
            .remove(&pull_id)
            .or_else(|| self.acked.remove(&pull_id));
        if let Some(line) = line {
            log::debug!(
                "[{}] pull {pull_id} failed; resending line {}",
                self.alias,
                line + 1
            );
            self.failed.push(pull_id);
            self.resend.push_back(line);
        }
        Ok(())
    }
}
