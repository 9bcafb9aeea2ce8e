//! The replaying source: what it sends (the file, decompressed, split and decoded) and when it
//! stops.

use crate::{BenchConfig, Progress};
use async_io::Timer;
use base64::Engine as _;
use std::{
    io::Read as _,
    path::Path,
    sync::{atomic::Ordering, Arc},
    time::{Duration, Instant},
};
use tremor_pdk::{ConnectorContext, ConnectorError, Result, Source, SourceBatch, SourceReply};

/// After the source sent everything, how long the runtime may go without a new event reaching
/// the sink before the source stops it anyway (events dropped on the way, or no sink
/// connected): the sink then reports what it got.
const QUIET_AFTER_DONE: Duration = Duration::from_secs(5);

/// How often the finished source checks whether everything arrived.
const DONE_POLL_MS: u64 = 100;

/// The events of the file: the lines (or `chunk_size` pieces) of `path`, decompressed when
/// its name ends in `.xz`, base64-decoded with `base64`. Empty lines are skipped.
pub(crate) fn load_elements(config: &BenchConfig) -> Result<Vec<Vec<u8>>> {
    let path = config.path.as_str();
    let cannot_read =
        |e: std::io::Error| ConnectorError::config(format!("bench cannot read `{path}`: {e}"));
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let mut data = Vec::new();
    if Path::new(path).extension().is_some_and(|ext| ext == "xz") {
        xz2::read::XzDecoder::new(file).read_to_end(&mut data)
    } else {
        std::io::BufReader::new(file).read_to_end(&mut data)
    }
    .map_err(cannot_read)?;
    let pieces: Vec<&[u8]> = match config.chunk_size {
        Some(size) => data.chunks(size).collect(),
        None => data
            .split(|b| *b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| !l.is_empty())
            .collect(),
    };
    let elements = pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            if config.base64 {
                base64::engine::general_purpose::STANDARD
                    .decode(piece)
                    .map_err(|e| {
                        ConnectorError::config(format!(
                            "bench: piece {} of `{path}` is not base64: {e}",
                            i + 1
                        ))
                    })
            } else {
                Ok(piece.to_vec())
            }
        })
        .collect::<Result<Vec<_>>>()?;
    if elements.is_empty() {
        return Err(ConnectorError::config(format!(
            "bench file `{path}` has no lines"
        )));
    }
    Ok(elements)
}

pub(crate) struct BenchSource {
    ctx: ConnectorContext,
    elements: Vec<Vec<u8>>,
    next: usize,
    iters_left: Option<u64>,
    send_for: Option<Duration>,
    started: Option<Instant>,
    pacing: Option<Timer>,
    batch_size: usize,
    transactional: bool,
    progress: Arc<Progress>,
    /// Once done: the received count last seen and when it last changed.
    quiet_since: Option<(u64, Instant)>,
}

impl BenchSource {
    pub(crate) fn new(
        ctx: ConnectorContext,
        config: &BenchConfig,
        elements: Vec<Vec<u8>>,
        progress: Arc<Progress>,
    ) -> Self {
        if !config.has_stop_condition() {
            log::warn!(
                "[{}] bench: neither `iters` nor `stop_after_secs` is set: replaying `{}` until the runtime stops",
                ctx.alias(),
                config.path
            );
        }
        let pacing = config
            .interval
            .filter(|ns| *ns > 0)
            .map(|ns| Timer::interval(Duration::from_nanos(ns)));
        Self {
            ctx,
            elements,
            next: 0,
            iters_left: config.iters,
            send_for: config.send_for_secs().map(Duration::from_secs),
            started: None,
            batch_size: if pacing.is_some() {
                1
            } else {
                config.batch_size
            },
            pacing,
            transactional: config.is_transactional,
            progress,
            quiet_since: None,
        }
    }

    /// Sending is over: whoever sees everything arrived first stops the runtime.
    fn finish(&mut self) {
        if !self.progress.done.swap(true, Ordering::SeqCst) {
            log::info!(
                "[{}] bench source done: {} events sent",
                self.ctx.alias(),
                self.progress.sent.load(Ordering::SeqCst)
            );
        }
    }

    /// Done sending: stop the runtime once everything arrived (the sink usually does that
    /// first) or nothing arrived for [`QUIET_AFTER_DONE`].
    fn after_done(&mut self) -> SourceReply {
        let received = self.progress.received.load(Ordering::SeqCst);
        let now = Instant::now();
        let (seen, since) = *self.quiet_since.get_or_insert((received, now));
        if received != seen {
            self.quiet_since = Some((received, now));
        }
        if self.progress.complete() {
            // The sink has everything: it reports when it is flushed on the way out.
            self.ctx.request_stop(0, 0, true);
            return SourceReply::Finished;
        }
        if received == seen && now.duration_since(since) >= QUIET_AFTER_DONE {
            log::warn!(
                "[{}] bench: {} of {} events arrived and nothing more for {} s; stopping",
                self.ctx.alias(),
                received,
                self.progress.sent.load(Ordering::SeqCst),
                QUIET_AFTER_DONE.as_secs()
            );
            self.ctx.request_stop(0, 0, true);
            return SourceReply::Finished;
        }
        SourceReply::Empty {
            wait_ms: DONE_POLL_MS,
        }
    }
}

impl Source for BenchSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        if self.progress.done.load(Ordering::SeqCst) {
            return Ok(self.after_done());
        }
        let started = *self.started.get_or_insert_with(Instant::now);
        if self
            .send_for
            .is_some_and(|limit| started.elapsed() >= limit)
        {
            self.finish();
            return Ok(self.after_done());
        }
        if let Some(timer) = self.pacing.as_mut() {
            timer.await;
        }
        let mut chunks = Vec::with_capacity(self.batch_size);
        while chunks.len() < self.batch_size {
            if self.next == self.elements.len() {
                self.next = 0;
                if let Some(left) = self.iters_left.as_mut() {
                    *left = left.saturating_sub(1);
                }
            }
            if self.iters_left == Some(0) {
                break;
            }
            chunks.push(self.elements[self.next].as_slice().into());
            self.next += 1;
        }
        if chunks.is_empty() {
            self.finish();
            return Ok(self.after_done());
        }
        self.progress
            .sent
            .fetch_add(chunks.len() as u64, Ordering::SeqCst);
        let batch = SourceBatch::bytes(0, chunks);
        Ok(SourceReply::Data(if self.transactional {
            batch.transactional()
        } else {
            batch
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file `name` with `contents` in a fresh directory (removed when the guard drops).
    fn file(name: &str, contents: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        std::fs::write(&path, contents).expect("write");
        (dir, path)
    }

    fn config(path: &Path, extra: &str) -> BenchConfig {
        let path = serde_json::to_string(&path.display().to_string()).expect("string");
        BenchConfig::from_json(&format!(r#"{{"path": {path}{extra}}}"#)).expect("valid")
    }

    #[test]
    fn xz_files_are_decompressed_by_extension() {
        let mut xz = xz2::write::XzEncoder::new(Vec::new(), 6);
        std::io::Write::write_all(&mut xz, b"{\"a\":1}\n\n{\"b\":2}\r\n").expect("compress");
        let (_dir, path) = file("data.json.xz", &xz.finish().expect("compress"));
        let lines = load_elements(&config(&path, "")).expect("readable");
        assert_eq!(lines, [b"{\"a\":1}".to_vec(), b"{\"b\":2}".to_vec()]);
        std::fs::write(&path, b"not xz").expect("write");
        let err = load_elements(&config(&path, "")).expect_err("corrupt");
        assert!(err.message.contains("data.json.xz"), "{err}");
    }

    #[test]
    fn lines_are_base64_decoded_and_chunks_split() {
        let (_dir, path) = file("data.b64", b"aGVsbG8=\nd29ybGQ=\n");
        let lines = load_elements(&config(&path, r#", "base64": true"#)).expect("valid");
        assert_eq!(lines, [b"hello".to_vec(), b"world".to_vec()]);
        let chunks = load_elements(&config(&path, r#", "chunk_size": 8"#)).expect("valid");
        assert_eq!(
            chunks,
            [b"aGVsbG8=".to_vec(), b"\nd29ybGQ".to_vec(), b"=\n".to_vec()]
        );
        std::fs::write(&path, "aGVsbG8=\n%%%\n").expect("write");
        let err = load_elements(&config(&path, r#", "base64": true"#)).expect_err("bad");
        assert!(err.message.contains("piece 2 of"), "{err}");
    }
}
