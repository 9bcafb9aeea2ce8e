//! The replaying source.

use crate::{BenchConfig, Progress};
use async_io::Timer;
use std::{
    sync::{atomic::Ordering, Arc},
    time::{Duration, Instant},
};
use tremor_pdk::{ConnectorContext, ConnectorError, Result, Source, SourceBatch, SourceReply};

/// Reads the non-empty lines of `path`.
pub(crate) fn load_lines(path: &str) -> Result<Vec<Vec<u8>>> {
    let data = std::fs::read(path)
        .map_err(|e| ConnectorError::config(format!("bench cannot read `{path}`: {e}")))?;
    let lines: Vec<Vec<u8>> = data
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    if lines.is_empty() {
        return Err(ConnectorError::config(format!(
            "bench file `{path}` has no lines"
        )));
    }
    Ok(lines)
}

pub(crate) struct BenchSource {
    ctx: ConnectorContext,
    lines: Vec<Vec<u8>>,
    next_line: usize,
    iters_left: Option<u64>,
    stop_after: Option<Duration>,
    started: Option<Instant>,
    pacing: Option<Timer>,
    batch_size: usize,
    progress: Arc<Progress>,
}

impl BenchSource {
    pub(crate) fn new(
        ctx: ConnectorContext,
        config: &BenchConfig,
        lines: Vec<Vec<u8>>,
        progress: Arc<Progress>,
    ) -> Self {
        let iters_left = match (config.iters, config.stop_after_secs) {
            (None, None) => Some(1),
            (iters, _) => iters,
        };
        let pacing =
            (config.interval > 0).then(|| Timer::interval(Duration::from_nanos(config.interval)));
        Self {
            ctx,
            lines,
            next_line: 0,
            iters_left,
            stop_after: config.stop_after_secs.map(Duration::from_secs),
            started: None,
            batch_size: if pacing.is_some() {
                1
            } else {
                config.batch_size
            },
            pacing,
            progress,
        }
    }

    fn finish(&mut self) -> SourceReply {
        if !self.progress.done.swap(true, Ordering::SeqCst) {
            log::info!(
                "[{}] bench source done: {} events sent",
                self.ctx.alias(),
                self.progress.sent.load(Ordering::SeqCst)
            );
            if self.progress.complete() {
                // The sink has everything already: it reports when it is flushed on the way out.
                self.ctx.request_stop(0, 0, true);
            }
        }
        SourceReply::Finished
    }
}

impl Source for BenchSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        if self.progress.done.load(Ordering::SeqCst) {
            return Ok(SourceReply::Finished);
        }
        let started = *self.started.get_or_insert_with(Instant::now);
        if self
            .stop_after
            .is_some_and(|limit| started.elapsed() >= limit)
        {
            return Ok(self.finish());
        }
        if let Some(timer) = self.pacing.as_mut() {
            timer.await;
        }
        let mut chunks = Vec::with_capacity(self.batch_size);
        while chunks.len() < self.batch_size {
            if self.next_line == self.lines.len() {
                self.next_line = 0;
                if let Some(left) = self.iters_left.as_mut() {
                    *left = left.saturating_sub(1);
                }
            }
            if self.iters_left == Some(0) {
                break;
            }
            chunks.push(self.lines[self.next_line].as_slice().into());
            self.next_line += 1;
        }
        if chunks.is_empty() {
            return Ok(self.finish());
        }
        self.progress
            .sent
            .fetch_add(chunks.len() as u64, Ordering::SeqCst);
        Ok(SourceReply::Data(SourceBatch::bytes(0, chunks)))
    }
}
