//! `file`: reads a file as one stream, or writes events to a file.
//!
//! Modes (`config.mode`):
//! * `read` — read the file from the start in chunks, end the stream at its end, then finish.
//! * `write` / `truncate` — create the file if missing, empty it, write events.
//! * `append` — create the file if missing, write events at its end.
//! * `overwrite` — create the file if missing, write events from its start without emptying it
//!   first (bytes past the written ones stay).
//!
//! Framing is the deployment's business: a line per event needs the `separate` pre-/
//! postprocessor.
//!
//! The sink never leaves a torn record: each batch is written whole (short writes are retried)
//! and flushed; when that fails (a full disk, a file-size limit), the file is cut back to where
//! its last whole batch ended before the error is reported, so it ends on a record boundary.

use blocking::Unblock;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use serde::Deserialize;
use std::{
    fs::{File, OpenOptions},
    io::{Seek, SeekFrom},
};
use tremor_connector_net::Slot;
use tremor_pdk::{
    into_raw_sink, into_raw_source, CodecRequirement, Connector, ConnectorContext, ConnectorError,
    RawSinkBox, RawSourceBox, Result, Sink, SinkBatch, SinkReplies, Source, SourceBatch,
    SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "file";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// How the file is opened.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Read it (source).
    Read,
    /// Create or empty it, then write (sink). Same as `truncate`.
    Write,
    /// Create or empty it, then write (sink).
    Truncate,
    /// Create it if missing, write at its end (sink).
    Append,
    /// Create it if missing, write from its start without emptying it (sink).
    Overwrite,
}

/// Configuration of the file connector.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The file, relative to the working directory of the process.
    pub path: String,
    /// How to open it; see [`Mode`].
    pub mode: Mode,
    /// Read size in bytes for `read` mode (default 64 KiB).
    #[serde(default = "default_chunk_size")]
    pub chunk_size: usize,
}

fn default_chunk_size() -> usize {
    64 * 1024
}

fn new_connector(_ctx: ConnectorContext, config: &str) -> Result<FileConnector, ConnectorError> {
    let config: FileConfig = serde_json::from_str(config)
        .map_err(|e| ConnectorError::config(format!("invalid file config: {e}")))?;
    if config.chunk_size == 0 {
        return Err(ConnectorError::config("file `chunk_size` must be > 0"));
    }
    Ok(FileConnector {
        config,
        reader: None,
        writer: None,
    })
}

/// The connector. The file is opened by `connect`, so that a reconnect reopens it.
pub struct FileConnector {
    config: FileConfig,
    reader: Option<Handoff<Unblock<File>>>,
    writer: Option<Handoff<Unblock<File>>>,
}

/// Hands the file opened by `connect` to the source or sink part, which run in other tasks:
/// the part takes it out (a file has one owner).
type Handoff<T> = Slot<T>;

/// A new hand-off for a part; the connector keeps it in `keep` to publish files into.
fn new_handoff(keep: &mut Option<Handoff<Unblock<File>>>) -> Handoff<Unblock<File>> {
    keep.insert(Handoff::new(CONNECTOR_TYPE)).clone()
}

fn open(config: &FileConfig) -> Result<File> {
    let mut options = OpenOptions::new();
    match config.mode {
        Mode::Read => options.read(true),
        Mode::Write | Mode::Truncate => options.create(true).write(true).truncate(true),
        Mode::Append => options.create(true).append(true),
        Mode::Overwrite => options.create(true).write(true),
    };
    options
        .open(&config.path)
        .map_err(|e| ConnectorError::io(format!("cannot open `{}`: {e}", config.path)))
}

impl Connector for FileConnector {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        if self.config.mode != Mode::Read {
            return Ok(None);
        }
        Ok(Some(into_raw_source(FileSource {
            handoff: new_handoff(&mut self.reader),
            file: None,
            chunk_size: self.config.chunk_size,
            state: ReadState::Reading,
            meta: serde_json::json!({ "file": { "path": self.config.path } }).to_string(),
        })))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        if self.config.mode == Mode::Read {
            return Ok(None);
        }
        Ok(Some(into_raw_sink(FileSink {
            handoff: new_handoff(&mut self.writer),
            file: None,
            path: self.config.path.clone(),
            mode: self.config.mode,
            committed: 0,
        })))
    }

    async fn connect(&mut self, _attempt: u64) -> Result<bool> {
        let file = Unblock::new(open(&self.config)?);
        for slot in [&self.reader, &self.writer].into_iter().flatten() {
            slot.clear()?;
        }
        let slot = self.reader.as_ref().or(self.writer.as_ref());
        if let Some(slot) = slot {
            slot.publish(file)?;
        }
        Ok(true)
    }
}

fn take_file(handoff: &Handoff<Unblock<File>>, current: &mut Option<Unblock<File>>) -> Result<()> {
    if let Some(fresh) = handoff.take()? {
        *current = Some(fresh);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadState {
    Reading,
    EndOfStreamSent,
}

struct FileSource {
    handoff: Handoff<Unblock<File>>,
    file: Option<Unblock<File>>,
    chunk_size: usize,
    state: ReadState,
    /// `$file.path` for every event, as Tremor's file source sets it (the path as configured).
    meta: String,
}

impl Source for FileSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        take_file(&self.handoff, &mut self.file)?;
        if self.state == ReadState::EndOfStreamSent {
            return Ok(SourceReply::Finished);
        }
        let Some(file) = self.file.as_mut() else {
            return Ok(SourceReply::Empty { wait_ms: 10 });
        };
        let mut buf = vec![0u8; self.chunk_size];
        let n = file.read(&mut buf).await?;
        if n == 0 {
            self.state = ReadState::EndOfStreamSent;
            return Ok(SourceReply::EndStream { stream: 0 });
        }
        buf.truncate(n);
        Ok(SourceReply::Data(
            SourceBatch::bytes(0, vec![buf.into()]).with_meta(self.meta.clone()),
        ))
    }
}

struct FileSink {
    handoff: Handoff<Unblock<File>>,
    file: Option<Unblock<File>>,
    path: String,
    mode: Mode,
    /// Where the last whole batch ends: a failed write is cut back to here.
    committed: u64,
}

impl FileSink {
    /// Takes a file `connect` opened, noting where writing starts.
    async fn take_file(&mut self) -> Result<()> {
        if let Some(mut fresh) = self.handoff.take()? {
            self.committed = if self.mode == Mode::Append {
                fresh.with_mut(|f| f.metadata().map(|m| m.len())).await?
            } else {
                0
            };
            self.file = Some(fresh);
        }
        Ok(())
    }
}

impl Sink for FileSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        self.take_file().await?;
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| ConnectorError::io("file sink is not connected"))?;
        let mut written = 0u64;
        let outcome = async {
            for event in batch.iter() {
                for chunk in event.chunks() {
                    file.write_all(chunk).await?;
                    written += chunk.len() as u64;
                }
            }
            // Errors of the buffered writes surface here, while the batch can still be undone.
            file.flush().await
        }
        .await;
        let Err(error) = outcome else {
            self.committed += written;
            return Ok(SinkReplies::ack_all());
        };
        let (committed, cut) = (self.committed, self.mode != Mode::Overwrite);
        let restored = file
            .with_mut(move |f| {
                // `overwrite` keeps the old bytes past the written ones: nothing to cut there.
                if cut {
                    f.set_len(committed)?;
                }
                f.seek(SeekFrom::Start(committed)).map(|_| ())
            })
            .await;
        let after = match restored {
            Ok(()) => "cut back to its last whole record".to_string(),
            Err(e) => format!("and cannot cut it back to its last whole record: {e}"),
        };
        Err(ConnectorError::io(format!(
            "cannot write `{}`: {error}; {after}",
            self.path
        )))
    }

    async fn flush(&mut self) -> Result<()> {
        self.take_file().await?;
        if let Some(file) = self.file.as_mut() {
            file.flush().await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi_stable::std_types::{RSlice, RStr};
    use tremor_pdk::{SinkEvent, SourceReply_NE};

    fn connector(path: &std::path::Path, mode: &str) -> FileConnector {
        let config = format!(
            r#"{{"path": {:?}, "mode": "{mode}", "chunk_size": 4}}"#,
            path
        );
        new_connector(tremor_pdk::testing::null_context("f"), &config).expect("valid config")
    }

    fn data(reply: SourceReply_NE) -> Option<Vec<u8>> {
        match reply.into_enum() {
            Ok(SourceReply::Data(b)) => Some(b.chunks.into_iter().flatten().collect()),
            _ => None,
        }
    }

    #[test]
    fn reads_in_chunks_then_ends_the_stream_then_finishes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("in.txt");
        std::fs::write(&path, b"hello world").expect("write");
        let mut c = connector(&path, "read");
        assert!(c.create_sink().expect("ok").is_none());
        let mut source = c.create_source().expect("ok").expect("source");
        async_io_block_on(async {
            assert!(c.connect(1).await.expect("opens"));
            let mut read = Vec::new();
            loop {
                let reply = source.pull(0).await.unwrap();
                if let Some(d) = data(reply) {
                    assert!(d.len() <= 4);
                    read.extend(d);
                } else {
                    break;
                }
            }
            assert_eq!(read, b"hello world");
            let last = source.pull(0).await.unwrap();
            assert!(matches!(last.into_enum(), Ok(SourceReply::Finished)));
        });
    }

    #[test]
    fn every_batch_carries_the_configured_path_as_file_metadata() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("in \"quoted\".txt");
        std::fs::write(&path, b"x").expect("write");
        let mut c = connector(&path, "read");
        let mut source = c.create_source().expect("ok").expect("source");
        async_io_block_on(async {
            assert!(c.connect(1).await.expect("opens"));
            let Ok(SourceReply::Data(batch)) = source.pull(0).await.unwrap().into_enum() else {
                panic!("expected data");
            };
            let meta: serde_json::Value = serde_json::from_str(
                batch
                    .meta
                    .as_ref()
                    .map(|m| m.as_str())
                    .into_option()
                    .expect("meta"),
            )
            .expect("meta is JSON");
            assert_eq!(meta["file"]["path"], path.display().to_string());
        });
    }

    #[test]
    fn missing_file_is_a_clear_error() {
        let mut c = connector(std::path::Path::new("/nonexistent/x"), "read");
        let err = async_io_block_on(c.connect(1)).expect_err("must fail");
        assert!(err.message.contains("/nonexistent/x"), "{err}");
    }

    #[test]
    fn unknown_mode_is_rejected() {
        let err = new_connector(
            tremor_pdk::testing::null_context("f"),
            r#"{"path": "x", "mode": "sideways"}"#,
        )
        .err()
        .expect("must fail");
        assert!(err.message.contains("sideways"), "{err}");
    }

    fn write_batch(sink: &mut RawSinkBox, chunks: &[&[u8]]) {
        let mut data = Vec::new();
        let mut ends = Vec::new();
        for c in chunks {
            data.extend_from_slice(c);
            ends.push(u32::try_from(data.len()).expect("small"));
        }
        let events: Vec<SinkEvent> = (0..chunks.len())
            .map(|i| SinkEvent {
                port: RStr::from_str("in"),
                event_id: i as u64,
                stream: 0,
                ingest_ns: 0,
                chunks_start: i as u32,
                chunks_end: i as u32 + 1,
                meta_start: 0,
                meta_end: 0,
            })
            .collect();
        let batch = SinkBatch {
            data: RSlice::from_slice(&data),
            chunk_ends: RSlice::from_slice(&ends),
            meta: RSlice::from_slice(&[]),
            events: RSlice::from_slice(&events),
        };
        async_io_block_on(sink.on_batch(batch)).expect("written");
        async_io_block_on(sink.flush()).expect("flushed");
    }

    #[test]
    fn write_modes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.txt");
        std::fs::write(&path, b"0123456789").expect("write");
        for (mode, want) in [
            ("overwrite", &b"ab\n3456789"[..]),
            ("append", &b"ab\n3456789ab\n"[..]),
            ("truncate", &b"ab\n"[..]),
            ("write", &b"ab\n"[..]),
        ] {
            let mut c = connector(&path, mode);
            let mut sink = c.create_sink().expect("ok").expect("sink");
            async_io_block_on(c.connect(1)).expect("opens");
            write_batch(&mut sink, &[b"a", b"b\n"]);
            drop(sink);
            assert_eq!(std::fs::read(&path).expect("read"), want, "mode {mode}");
        }
    }

    fn async_io_block_on<F: std::future::Future>(f: F) -> F::Output {
        futures_lite::future::block_on(f)
    }
}
