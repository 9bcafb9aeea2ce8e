//! The source part: sends the lines of its files once, as transactional events, and checks
//! that every one of them is acked or failed.

use std::collections::{BTreeMap, BTreeSet};
use tremor_pdk::{ConnectorContext, Result, Source, SourceBatch, SourceReply};

/// The message printed when every event was acked or failed.
pub const ALL_RECEIVED: &str = "All required CB events received.";

/// The exit code when the timeout passes first: 0, as Tremor's cb (a graceful stop), which
/// leaves the verdict to the test's assertions on the report; Tremor's own test directories
/// (`cb-drop-dead-ends`, `s3-consistent-cb`) expect exactly that.
const EXIT_MISSING: i32 = 0;

/// How often the source checks for completion once everything is sent.
const WAIT_MS: u64 = 10;

/// One input file: its lines and how far it was sent.
struct Lines {
    lines: Vec<Vec<u8>>,
    next: usize,
}

/// What the source was told about the events it sent, per file (Tremor's stream id).
#[derive(Default)]
struct Received {
    /// File → acked pull ids, in order of arrival.
    acks: BTreeMap<u64, Vec<u64>>,
    /// File → failed pull ids, in order of arrival.
    fails: BTreeMap<u64, Vec<u64>>,
    /// Pull ids that got an ack or a fail.
    resolved: BTreeSet<u64>,
}

pub(crate) struct CbSource {
    ctx: ConnectorContext,
    alias: String,
    /// The file names, for messages.
    names: Vec<String>,
    files: Vec<Lines>,
    /// Files with lines left, taken in turn.
    active: Vec<usize>,
    /// Pull id → file of every event sent.
    sent: BTreeMap<u64, u64>,
    /// File → the highest pull id sent from it.
    last_sent: BTreeMap<u64, u64>,
    received: Received,
    timeout_ns: u64,
    expect_batched: bool,
    like_0_12: bool,
    /// When the last line was sent, in ns since the epoch.
    all_sent_ns: Option<u64>,
    reported: bool,
}

/// The lines of a file that are not blank.
fn lines_of(text: &[u8]) -> Vec<Vec<u8>> {
    text.split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .collect()
}

impl CbSource {
    /// A source sending `files` (name, contents) as configured.
    pub(crate) fn new(
        ctx: ConnectorContext,
        files: Vec<(String, Vec<u8>)>,
        config: &crate::CbConfig,
    ) -> Self {
        let (names, files): (Vec<String>, Vec<Lines>) = files
            .into_iter()
            .map(|(name, text)| {
                let lines = lines_of(&text);
                (name, Lines { lines, next: 0 })
            })
            .unzip();
        Self {
            alias: ctx.alias(),
            ctx,
            active: (0..files.len()).collect(),
            names,
            files,
            sent: BTreeMap::new(),
            last_sent: BTreeMap::new(),
            received: Received::default(),
            timeout_ns: config.timeout,
            expect_batched: config.expect_batched,
            like_0_12: config.reports_like_0_12(),
            all_sent_ns: None,
            reported: false,
        }
    }

    /// Every event sent got an ack or a fail (with `expect_batched`: the highest pull id of
    /// every file did).
    fn all_received(&self) -> bool {
        if self.expect_batched {
            self.last_sent.iter().all(|(file, last)| {
                let highest = |m: &BTreeMap<u64, Vec<u64>>| {
                    m.get(file).and_then(|ids| ids.iter().max().copied())
                };
                highest(&self.received.acks).max(highest(&self.received.fails)) == Some(*last)
            })
        } else {
            self.received.resolved.len() == self.sent.len()
        }
    }

    /// The report, as Tremor words it (its 0.12 form when the config uses `path`), then for
    /// an incomplete run what is missing in this project's words.
    ///
    /// Pull ids are listed in ascending order: the runtime reports the acks of one delivery in
    /// no particular order, and ascending is the order Tremor's lists have when events are
    /// acked one after the other.
    pub(crate) fn report_lines(&self, complete: bool) -> Vec<String> {
        let mut lines = Vec::new();
        let sorted = |m: &BTreeMap<u64, Vec<u64>>| {
            let mut m = m.clone();
            m.values_mut().for_each(|ids| ids.sort_unstable());
            m
        };
        let flat = |m: &BTreeMap<u64, Vec<u64>>| {
            let mut ids: Vec<u64> = m.values().flatten().copied().collect();
            ids.sort_unstable();
            ids
        };
        if complete {
            lines.push(ALL_RECEIVED.to_string());
        } else if self.like_0_12 {
            let last = self.last_sent.values().max().copied().unwrap_or_default();
            lines.push(format!("Expected CB events up to id {last}."));
        } else {
            lines.push(format!("Expected CB events up to id {:?}.", self.last_sent));
        }
        if self.like_0_12 {
            lines.push(format!("Got acks: {:?}", flat(&self.received.acks)));
            lines.push(format!("Got fails: {:?}", flat(&self.received.fails)));
        } else {
            lines.push(format!("Got acks: {:?}", sorted(&self.received.acks)));
            lines.push(format!("Got fails: {:?}", sorted(&self.received.fails)));
        }
        if !complete {
            let missing: Vec<u64> = self
                .sent
                .keys()
                .filter(|id| !self.received.resolved.contains(id))
                .copied()
                .collect();
            lines.push(format!(
                "Missing CB events: {} of {} event(s) sent from {} got neither an ack nor a fail{}: pull ids {}",
                missing.len(),
                self.sent.len(),
                self.names.join(", "),
                if self.expect_batched {
                    " (expect_batched: the highest pull id of each file must)"
                } else {
                    ""
                },
                short_list(&missing),
            ));
        }
        lines
    }

    /// Prints the outcome and stops the runtime.
    fn report(&mut self, complete: bool) {
        self.reported = true;
        for line in self.report_lines(complete) {
            eprintln!("{line}");
        }
        if complete {
            log::info!("[{}] {ALL_RECEIVED}", self.alias);
            self.ctx.request_stop(0, 0, true);
        } else {
            log::error!("[{}] not every CB event was received", self.alias);
            self.ctx.request_stop(EXIT_MISSING, 0, true);
        }
    }

    /// The next line, taking the files in turn; `None` once all are sent. A file found
    /// exhausted is dropped from the turn (that pull sends nothing, as in Tremor).
    fn next_line(&mut self, pull_id: u64) -> Option<Option<SourceReply>> {
        if self.active.is_empty() {
            return None;
        }
        let turn = self.sent.len() % self.active.len();
        let file = self.active[turn];
        let lines = &mut self.files[file];
        let Some(line) = lines.lines.get(lines.next) else {
            self.active.remove(turn);
            return Some(None);
        };
        lines.next += 1;
        let file_id = file as u64;
        self.sent.insert(pull_id, file_id);
        self.last_sent.insert(file_id, pull_id);
        // Each event is a stream of its own, ended at once: the runtime reports acks and
        // fails per (source, stream), so every event gets its own report, as in Tremor.
        let batch = SourceBatch::bytes(pull_id, vec![line.clone().into()])
            .transactional()
            .end_of_stream();
        Some(Some(SourceReply::Data(batch)))
    }

    fn record(&mut self, pull_id: u64, ack: bool) {
        let Some(&file) = self.sent.get(&pull_id) else {
            log::warn!(
                "[{}] {} for pull id {pull_id}, which this source did not send",
                self.alias,
                if ack { "ack" } else { "fail" }
            );
            return;
        };
        let map = if ack {
            &mut self.received.acks
        } else {
            &mut self.received.fails
        };
        map.entry(file).or_default().push(pull_id);
        self.received.resolved.insert(pull_id);
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

impl CbSource {
    /// Reports success as soon as the last report arrives, not at the next pull: a source
    /// paused by a circuit breaker (e.g. its own sink's `trigger`) is not pulled again.
    fn finish_if_complete(&mut self) {
        let everything_sent = self.files.iter().all(|f| f.next >= f.lines.len());
        if !self.reported && everything_sent && self.all_received() {
            self.report(true);
        }
    }
}

impl Source for CbSource {
    async fn pull(&mut self, pull_id: u64) -> Result<SourceReply> {
        if self.reported {
            return Ok(SourceReply::Finished);
        }
        match self.next_line(pull_id) {
            Some(Some(data)) => return Ok(data),
            Some(None) => return Ok(SourceReply::Empty { wait_ms: 0 }),
            None => {}
        }
        let now = self.ctx.now_ns();
        let all_sent = *self.all_sent_ns.get_or_insert(now);
        if self.all_received() {
            self.report(true);
            return Ok(SourceReply::Finished);
        }
        if now.saturating_sub(all_sent) >= self.timeout_ns {
            self.report(false);
            return Ok(SourceReply::Finished);
        }
        Ok(SourceReply::Empty { wait_ms: WAIT_MS })
    }

    /// `pull_id` (one event: each has its own stream) was delivered.
    fn ack(&mut self, _stream: u64, pull_id: u64) -> Result<()> {
        self.record(pull_id, true);
        self.finish_if_complete();
        Ok(())
    }

    /// `pull_id` was not delivered: that counts as received, nothing is sent again.
    fn fail(&mut self, _stream: u64, pull_id: u64) -> Result<()> {
        self.record(pull_id, false);
        self.finish_if_complete();
        Ok(())
    }
}
