//! The log on disk: chunk files of checksummed records, and the acknowledged position.
//!
//! A chunk file is named after the index of its first record (`{index:020}.chunk`); a record
//! is `len: u32, checksum: u32, body`, with `body = index: u64, meta_len: u32, meta, payload`
//! (little endian). A record torn by a crash fails its length or checksum: it and everything
//! after it in that file are cut off on open (it was never fsync'd, so never acknowledged
//! upstream). The file `acked` holds the index after the last acknowledged record; it is
//! written without fsync (a process crash keeps it; an OS crash may replay a few records
//! again, which at-least-once delivery allows).

use std::{
    fs::{self, File, OpenOptions},
    io::{Read, Write},
    os::unix::fs::FileExt,
    path::{Path, PathBuf},
};
use tremor_pdk::{io::IoResultExt, Result};

/// One event as stored: its index in the log, metadata record and payload (JSON texts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) index: u64,
    pub(crate) meta: Vec<u8>,
    pub(crate) payload: Vec<u8>,
}

const CHUNK_SUFFIX: &str = ".chunk";
const ACKED_FILE: &str = "acked";
const HEADER_BYTES: usize = 8;
const BODY_FIXED_BYTES: usize = 12;

/// FNV-1a: enough to tell a torn write from a complete record.
fn checksum(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

fn encode(index: u64, meta: &[u8], payload: &[u8], out: &mut Vec<u8>) {
    let mut body = Vec::with_capacity(BODY_FIXED_BYTES + meta.len() + payload.len());
    body.extend_from_slice(&index.to_le_bytes());
    body.extend_from_slice(&u32::try_from(meta.len()).unwrap_or(u32::MAX).to_le_bytes());
    body.extend_from_slice(meta);
    body.extend_from_slice(payload);
    out.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(&checksum(&body).to_le_bytes());
    out.extend_from_slice(&body);
}

/// The complete records at the start of `bytes`, and how many bytes they take.
fn decode_all(bytes: &[u8]) -> (Vec<Record>, usize) {
    let mut records = Vec::new();
    let mut at = 0;
    while let Some(header) = bytes.get(at..at + HEADER_BYTES) {
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let sum = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        let Some(body) = bytes.get(at + HEADER_BYTES..at + HEADER_BYTES + len) else {
            break;
        };
        if len < BODY_FIXED_BYTES || checksum(body) != sum {
            break;
        }
        let mut index = [0u8; 8];
        index.copy_from_slice(&body[..8]);
        let meta_len = u32::from_le_bytes([body[8], body[9], body[10], body[11]]) as usize;
        let Some(meta) = body.get(BODY_FIXED_BYTES..BODY_FIXED_BYTES + meta_len) else {
            break;
        };
        records.push(Record {
            index: u64::from_le_bytes(index),
            meta: meta.to_vec(),
            payload: body[BODY_FIXED_BYTES + meta_len..].to_vec(),
        });
        at += HEADER_BYTES + len;
    }
    (records, at)
}

fn chunk_name(first: u64) -> String {
    format!("{first:020}{CHUNK_SUFFIX}")
}

/// The log's files, opened for appending.
pub(crate) struct Log {
    dir: PathBuf,
    chunk_size: u64,
    max_chunks: usize,
    /// `(first index, path)` of every chunk, oldest first; the last one is written to.
    chunks: Vec<(u64, PathBuf)>,
    write: File,
    write_size: u64,
    next_index: u64,
    acked: File,
}

/// What [`Log::open`] found: the log, and the records not yet acknowledged.
pub(crate) struct Opened {
    pub(crate) log: Log,
    pub(crate) unacked: Vec<Record>,
}

impl Log {
    /// Opens the log in `dir` (creating it when empty), cutting off a torn last record.
    pub(crate) fn open(dir: &Path, chunk_size: u64, max_chunks: usize) -> Result<Opened> {
        let mut chunks = Vec::new();
        for entry in fs::read_dir(dir).with_io_context(|| format!("listing {}", dir.display()))? {
            let path = entry
                .with_io_context(|| format!("listing {}", dir.display()))?
                .path();
            let first = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(CHUNK_SUFFIX))
                .and_then(|n| n.parse::<u64>().ok());
            if let Some(first) = first {
                chunks.push((first, path));
            }
        }
        chunks.sort();
        let acked_path = dir.join(ACKED_FILE);
        let mut acked = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&acked_path)
            .with_io_context(|| format!("opening {}", acked_path.display()))?;
        let mut acked_bytes = Vec::new();
        acked
            .read_to_end(&mut acked_bytes)
            .with_io_context(|| format!("reading {}", acked_path.display()))?;
        let next_unacked = acked_bytes
            .get(..8)
            .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])));
        let mut unacked = Vec::new();
        let mut next_index = next_unacked;
        let mut write_size = 0;
        for (i, (first, path)) in chunks.iter().enumerate() {
            next_index = next_index.max(*first);
            let bytes = fs::read(path).with_io_context(|| format!("reading {}", path.display()))?;
            let (records, valid) = decode_all(&bytes);
            if valid < bytes.len() {
                log::warn!(
                    "wal: {}: cutting off {} bytes of an incomplete record",
                    path.display(),
                    bytes.len() - valid
                );
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_io_context(|| format!("opening {}", path.display()))?;
                file.set_len(valid as u64)
                    .with_io_context(|| format!("truncating {}", path.display()))?;
            }
            if i + 1 == chunks.len() {
                write_size = valid as u64;
            }
            if let Some(last) = records.last() {
                next_index = next_index.max(last.index + 1);
            }
            unacked.extend(records.into_iter().filter(|r| r.index >= next_unacked));
        }
        if chunks.is_empty() {
            chunks.push((next_index, dir.join(chunk_name(next_index))));
        }
        let write_path = &chunks[chunks.len() - 1].1;
        let write = open_append(write_path)?;
        Ok(Opened {
            log: Self {
                dir: dir.to_path_buf(),
                chunk_size,
                max_chunks,
                chunks,
                write,
                write_size,
                next_index,
                acked,
            },
            unacked,
        })
    }

    /// Appends the events `(meta, payload)` and syncs them to disk. Returns the stored records,
    /// one per event, or `None` for an event that did not fit (the log is full).
    pub(crate) fn append(&mut self, events: &[(Vec<u8>, Vec<u8>)]) -> Result<Vec<Option<Record>>> {
        let mut stored = Vec::with_capacity(events.len());
        let mut buf = Vec::new();
        for (meta, payload) in events {
            if self.write_size >= self.chunk_size {
                if self.chunks.len() > self.max_chunks {
                    stored.push(None);
                    continue;
                }
                self.flush(&mut buf)?;
                self.rotate()?;
            }
            let before = buf.len();
            encode(self.next_index, meta, payload, &mut buf);
            self.write_size += (buf.len() - before) as u64;
            stored.push(Some(Record {
                index: self.next_index,
                meta: meta.clone(),
                payload: payload.clone(),
            }));
            self.next_index += 1;
        }
        self.flush(&mut buf)?;
        Ok(stored)
    }

    /// Writes `buf` to the current chunk and syncs it.
    fn flush(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        self.write
            .write_all(buf)
            .with_io_context(|| "appending to the wal")?;
        self.write
            .sync_data()
            .with_io_context(|| "syncing the wal")?;
        buf.clear();
        Ok(())
    }

    fn rotate(&mut self) -> Result<()> {
        let path = self.dir.join(chunk_name(self.next_index));
        self.write = open_append(&path)?;
        // The new file's name must be durable too, or a crash could lose the whole chunk.
        if let Ok(dir) = File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        self.chunks.push((self.next_index, path));
        self.write_size = 0;
        Ok(())
    }

    /// Records that every record up to `index` is acknowledged, and deletes the chunks that
    /// hold only such records.
    pub(crate) fn acknowledge(&mut self, index: u64) -> Result<()> {
        self.acked
            .write_all_at(&(index + 1).to_le_bytes(), 0)
            .with_io_context(|| "writing the acknowledged position")?;
        while self.chunks.len() > 1 && self.chunks[1].0 <= index + 1 {
            let (_, path) = self.chunks.remove(0);
            fs::remove_file(&path).with_io_context(|| format!("removing {}", path.display()))?;
        }
        Ok(())
    }

    /// How many chunk files exist.
    #[cfg(test)]
    pub(crate) fn chunk_count(&self) -> usize {
        self.chunks.len()
    }
}

fn open_append(path: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_io_context(|| format!("opening {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(n: std::ops::Range<u32>) -> Vec<(Vec<u8>, Vec<u8>)> {
        n.map(|i| (b"{}".to_vec(), i.to_string().into_bytes()))
            .collect()
    }

    fn payloads(records: &[Record]) -> Vec<String> {
        records
            .iter()
            .map(|r| String::from_utf8_lossy(&r.payload).into_owned())
            .collect()
    }

    #[test]
    fn records_survive_reopening_until_acknowledged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut log = Log::open(dir.path(), 64, 100).expect("open").log;
        let stored = log.append(&events(0..10)).expect("append");
        assert!(stored.iter().all(Option::is_some));
        assert!(log.chunk_count() > 1, "64-byte chunks rotate");
        log.acknowledge(5).expect("ack");
        drop(log);
        let opened = Log::open(dir.path(), 64, 100).expect("reopen");
        assert_eq!(payloads(&opened.unacked), ["6", "7", "8", "9"]);
        let mut log = opened.log;
        let more = log.append(&events(10..11)).expect("append");
        assert_eq!(more[0].as_ref().map(|r| r.index), Some(10), "indexes go on");
        log.acknowledge(10).expect("ack");
        assert_eq!(
            log.chunk_count(),
            1,
            "fully acknowledged chunks are deleted"
        );
        drop(log);
        assert!(Log::open(dir.path(), 64, 100)
            .expect("reopen")
            .unacked
            .is_empty());
    }

    #[test]
    fn a_torn_last_record_is_cut_off() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut log = Log::open(dir.path(), 1 << 20, 10).expect("open").log;
        log.append(&events(0..3)).expect("append");
        drop(log);
        let chunk = dir.path().join(chunk_name(0));
        let mut file = OpenOptions::new().append(true).open(&chunk).expect("open");
        let mut torn = Vec::new();
        encode(3, b"{}", b"3", &mut torn);
        file.write_all(&torn[..torn.len() - 1]).expect("write");
        let opened = Log::open(dir.path(), 1 << 20, 10).expect("reopen");
        assert_eq!(payloads(&opened.unacked), ["0", "1", "2"]);
        let mut log = opened.log;
        log.append(&events(3..4)).expect("append after the cut");
        drop(log);
        let reopened = Log::open(dir.path(), 1 << 20, 10).expect("reopen");
        assert_eq!(payloads(&reopened.unacked), ["0", "1", "2", "3"]);
    }

    #[test]
    fn a_full_log_refuses_events() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut log = Log::open(dir.path(), 16, 1).expect("open").log;
        let stored = log.append(&events(0..5)).expect("append");
        let refused = stored.iter().filter(|s| s.is_none()).count();
        assert!(refused > 0, "{stored:?}");
        log.acknowledge(1).expect("ack frees the first chunks");
        let again = log.append(&events(5..6)).expect("append");
        assert!(again[0].is_some());
    }
}
