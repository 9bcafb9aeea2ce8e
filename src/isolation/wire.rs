//! The wire format between the runtime and a helper process.
//!
//! A frame is `u32 length` (little endian, of what follows), `u8 tag`, `u64 id`, then the
//! tag's payload. Requests carry an id the reply repeats; notices carry 0. Everything is
//! little endian; byte strings and texts are `u32 length` + bytes. A whole sink batch or
//! source batch is one frame: one write, however many events it holds.

use abi_stable::std_types::{ROption, RString, RVec};
use std::{
    fmt,
    io::{self, Read, Write},
};
use tremor_pdk::{
    CbAction, CodecRequirement, ConnectorError, ErrorKind, EventAck, EventReply, LogLevel,
    PayloadFormat, SinkBatch, SinkEvent, SinkReplies, SourceBatch, SourceReply,
};

/// Runtime → helper.
pub(crate) mod to_helper {
    /// The connector's config (text) and the host's log level: build the instance.
    pub const INIT: u8 = 1;
    /// `connect(attempt)`.
    pub const CONNECT: u8 = 2;
    /// A lifecycle call (the step as in [`super::lifecycle_code`]).
    pub const LIFECYCLE: u8 = 3;
    /// `pull(pull_id)`, and the highest pull id the helper may make ahead of the runtime's
    /// pulls (a notice: the batches come as `PULLED` frames, id = pull id).
    pub const PULL: u8 = 4;
    /// `ack(stream, pull_id)` (a notice: no reply unless it fails).
    pub const ACK: u8 = 5;
    /// `fail(stream, pull_id)` (a notice: no reply unless it fails).
    pub const FAIL: u8 = 6;
    /// `on_batch(batch)`.
    pub const BATCH: u8 = 7;
    /// `flush()`.
    pub const FLUSH: u8 = 8;
    /// The answer to a `TAKE_METRICS` request of the helper.
    pub const METRICS: u8 = 9;
}

/// Helper → runtime.
pub(crate) mod to_host {
    /// The instance exists: codec requirement and which parts it has; or why not.
    pub const READY: u8 = 32;
    /// The answer to `CONNECT` (a bool), `LIFECYCLE` or `FLUSH` (nothing).
    pub const DONE: u8 = 33;
    /// The answer to `PULL`.
    pub const PULLED: u8 = 34;
    /// The answer to `BATCH`.
    pub const REPLIES: u8 = 35;
    /// An `ack` or `fail` of the source part failed.
    pub const PART_ERROR: u8 = 36;
    /// A log record.
    pub const LOG: u8 = 37;
    /// `connection_lost()`.
    pub const CONNECTION_LOST: u8 = 38;
    /// `request_stop(code, delay_ns, graceful)`.
    pub const REQUEST_STOP: u8 = 39;
    /// `take_metrics()` (a request: the runtime answers with `METRICS`).
    pub const TAKE_METRICS: u8 = 40;
    /// `publish_metric(record)`.
    pub const PUBLISH_METRIC: u8 = 41;
}

/// A frame that cannot be read: the peer is gone or speaks something else.
#[derive(Debug)]
pub(crate) enum WireError {
    /// The channel closed or failed.
    Io(io::Error),
    /// The bytes do not follow this format.
    Malformed(&'static str),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "{e}"),
            Self::Malformed(what) => write!(f, "malformed frame: {what}"),
        }
    }
}

impl From<io::Error> for WireError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// The read buffer of either side: small frames (notices, replies) come several per read;
/// the body of a larger one (a batch) is read straight into its frame, not copied through
/// the buffer.
pub(crate) const READ_BUFFER: usize = 8 << 10;

/// The largest frame either side accepts (a sink batch is bounded far below).
const MAX_FRAME: usize = 1 << 30;

/// A frame being written.
pub(crate) struct Frame(Vec<u8>);

impl Frame {
    /// A frame with `tag` and `id`; add the payload, then [`Frame::finish`].
    pub(crate) fn new(tag: u8, id: u64) -> Self {
        Self::with_capacity(tag, id, 64)
    }

    /// Like [`Frame::new`], reserving room for `payload` bytes.
    pub(crate) fn with_capacity(tag: u8, id: u64, payload: usize) -> Self {
        let mut buf = Vec::with_capacity(13 + payload);
        buf.extend_from_slice(&[0; 4]);
        buf.push(tag);
        buf.extend_from_slice(&id.to_le_bytes());
        Self(buf)
    }

    pub(crate) fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    pub(crate) fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub(crate) fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub(crate) fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.u32(len32(v.len()));
        self.0.extend_from_slice(v);
        self
    }
    pub(crate) fn str(&mut self, v: &str) -> &mut Self {
        self.bytes(v.as_bytes())
    }
    pub(crate) fn error(&mut self, e: &ConnectorError) -> &mut Self {
        self.u8(e.kind.0).str(e.message.as_str())
    }
    /// `Ok` (0) then what `ok` writes, or `Err` (1) and the error.
    pub(crate) fn result<T>(
        &mut self,
        r: &Result<T, ConnectorError>,
        ok: impl FnOnce(&mut Self, &T),
    ) -> &mut Self {
        match r {
            Ok(v) => {
                self.u8(0);
                ok(self, v);
            }
            Err(e) => {
                self.u8(1).error(e);
            }
        }
        self
    }

    /// The bytes to write, with the length filled in.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let len = len32(self.0.len() - 4);
        self.0[..4].copy_from_slice(&len.to_le_bytes());
        self.0
    }
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A frame read off the channel.
pub(crate) struct Incoming {
    pub(crate) tag: u8,
    pub(crate) id: u64,
    body: Vec<u8>,
    pos: usize,
}

/// Reads the next frame; `Ok(None)` at a clean end of the channel.
pub(crate) fn read_frame(r: &mut impl Read) -> Result<Option<Incoming>, WireError> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let len = u32::from_le_bytes(len) as usize;
    if !(9..=MAX_FRAME).contains(&len) {
        return Err(WireError::Malformed("frame length out of range"));
    }
    // Read into spare capacity: a batch's body is not zeroed first.
    let mut body = Vec::with_capacity(len);
    if r.take(len as u64).read_to_end(&mut body)? < len {
        return Err(WireError::Io(io::ErrorKind::UnexpectedEof.into()));
    }
    let mut frame = Incoming {
        tag: body[0],
        id: 0,
        body,
        pos: 1,
    };
    frame.id = frame.u64()?;
    Ok(Some(frame))
}

/// Writes a finished frame.
pub(crate) fn write_frame(w: &mut impl Write, frame: Frame) -> io::Result<()> {
    w.write_all(&frame.finish())
}

impl Incoming {
    /// A frame with nothing in it (what is left where a frame was moved out).
    pub(crate) fn empty() -> Self {
        Self {
            tag: 0,
            id: 0,
            body: Vec::new(),
            pos: 0,
        }
    }

    fn take(&mut self, n: usize) -> Result<&[u8], WireError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.body.len())
            .ok_or(WireError::Malformed("truncated"))?;
        let bytes = &self.body[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }
    pub(crate) fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }
    pub(crate) fn u32(&mut self) -> Result<u32, WireError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, WireError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    pub(crate) fn bool(&mut self) -> Result<bool, WireError> {
        Ok(self.u8()? != 0)
    }
    pub(crate) fn bytes(&mut self) -> Result<&[u8], WireError> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    pub(crate) fn string(&mut self) -> Result<String, WireError> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| WireError::Malformed("not UTF-8"))
    }
    pub(crate) fn error(&mut self) -> Result<ConnectorError, WireError> {
        let kind = ErrorKind(self.u8()?);
        Ok(ConnectorError::new(kind, self.string()?))
    }
    /// Reads what [`Frame::result`] wrote, the `Ok` side with `ok`.
    pub(crate) fn result<T>(
        &mut self,
        ok: impl FnOnce(&mut Self) -> Result<T, WireError>,
    ) -> Result<Result<T, ConnectorError>, WireError> {
        match self.u8()? {
            0 => Ok(Ok(ok(self)?)),
            1 => Ok(Err(self.error()?)),
            _ => Err(WireError::Malformed("result tag")),
        }
    }
}

/// The lifecycle step on the wire.
pub(crate) fn lifecycle_code(step: crate::connectors::parts::Lifecycle) -> u8 {
    use crate::connectors::parts::Lifecycle as L;
    match step {
        L::Start => 0,
        L::Pause => 1,
        L::Resume => 2,
        L::Drain => 3,
        L::Stop => 4,
    }
}

/// The lifecycle step of a wire code.
pub(crate) fn lifecycle_of(code: u8) -> Result<crate::connectors::parts::Lifecycle, WireError> {
    use crate::connectors::parts::Lifecycle as L;
    Ok(match code {
        0 => L::Start,
        1 => L::Pause,
        2 => L::Resume,
        3 => L::Drain,
        4 => L::Stop,
        _ => return Err(WireError::Malformed("lifecycle step")),
    })
}

/// What `READY` says about a fresh instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ready {
    pub(crate) codec_kind: u8,
    pub(crate) default_codec: String,
    pub(crate) has_source: bool,
    pub(crate) has_sink: bool,
}

pub(crate) fn put_ready(f: &mut Frame, r: &Result<Ready, ConnectorError>) {
    f.result(r, |f, r| {
        f.u8(r.codec_kind)
            .str(&r.default_codec)
            .u8(u8::from(r.has_source))
            .u8(u8::from(r.has_sink));
    });
}

pub(crate) fn get_ready(i: &mut Incoming) -> Result<Result<Ready, ConnectorError>, WireError> {
    i.result(|i| {
        Ok(Ready {
            codec_kind: i.u8()?,
            default_codec: i.string()?,
            has_source: i.bool()?,
            has_sink: i.bool()?,
        })
    })
}

impl Ready {
    /// The requirement as the runtime uses it (the codec name interned for the process).
    pub(crate) fn requirement(&self) -> CodecRequirement {
        CodecRequirement {
            kind: self.codec_kind,
            default_codec: abi_stable::std_types::RStr::from_str(crate::connectors::intern_port(
                &self.default_codec,
            )),
        }
    }
}

const REPLY_DATA: u8 = 0;
const REPLY_END_STREAM: u8 = 1;
const REPLY_STREAM_FAIL: u8 = 2;
const REPLY_EMPTY: u8 = 3;
const REPLY_FINISHED: u8 = 4;
const REPLY_ERROR: u8 = 5;
const REPLY_STRUCTURED: u8 = 6;

/// Writes a source reply; a variant this runtime does not know is sent as `Empty` (as the
/// in-process adapter treats it).
pub(crate) fn put_source_reply(f: &mut Frame, reply: &SourceReply) {
    match reply {
        SourceReply::Data(b) => {
            f.u8(REPLY_DATA)
                .u64(b.stream)
                .u8(b.format.0)
                .u8(u8::from(b.transactional))
                .u8(u8::from(b.end_of_stream));
            match &b.meta {
                ROption::RSome(m) => f.u8(1).str(m.as_str()),
                ROption::RNone => f.u8(0),
            };
            f.u32(len32(b.chunks.len()));
            for chunk in b.chunks.iter() {
                f.bytes(chunk);
            }
        }
        SourceReply::EndStream { stream } => {
            f.u8(REPLY_END_STREAM).u64(*stream);
        }
        SourceReply::StreamFail { stream, reason } => {
            f.u8(REPLY_STREAM_FAIL).u64(*stream).str(reason);
        }
        SourceReply::Empty { wait_ms } => {
            f.u8(REPLY_EMPTY).u64(*wait_ms);
        }
        SourceReply::Finished => {
            f.u8(REPLY_FINISHED);
        }
        SourceReply::Error { stream, message } => {
            f.u8(REPLY_ERROR).u64(*stream).str(message);
        }
        SourceReply::Structured {
            stream,
            port,
            events,
            transactional,
        } => {
            f.u8(REPLY_STRUCTURED)
                .u64(*stream)
                .str(port)
                .u8(u8::from(*transactional))
                .u32(len32(events.len()));
            for event in events.iter() {
                f.bytes(&event.payload).bytes(&event.meta);
            }
        }
        _ => {
            f.u8(REPLY_EMPTY).u64(100);
        }
    }
}

/// How many batches an isolated source's helper may pull ahead of the runtime's pulls: the
/// most a stop discards (as it discards what an in-process connector buffered and had not
/// handed out), and what keeps the round trip between the processes off the source's path.
/// 16 rather than 8: on two cores the helper competes with the runtime's threads for CPU, and
/// with 8 it was often woken too late to refill (isolated passthrough 0.63–0.71 of in-process
/// with 8, 0.82–0.85 with 16, fixed work of 2M events, same machine and minute).
pub(crate) const READ_AHEAD: u64 = 16;

/// Whether the runtime will want the batch after `reply` at once (so it is worth pulling
/// ahead): not after "nothing now" (the runtime waits first), "finished" or an error.
pub(crate) fn pulls_on(reply: &Result<SourceReply, ConnectorError>) -> bool {
    matches!(
        reply,
        Ok(SourceReply::Data(_)
            | SourceReply::EndStream { .. }
            | SourceReply::StreamFail { .. }
            | SourceReply::Error { .. }
            | SourceReply::Structured { .. })
    )
}

/// The size of a source reply's payload, to size its frame in one allocation.
pub(crate) fn source_reply_size(reply: &SourceReply) -> usize {
    match reply {
        SourceReply::Data(b) => {
            64 + b.meta.as_ref().map_or(0, |m| m.len())
                + b.chunks.iter().map(|c| c.len() + 4).sum::<usize>()
        }
        SourceReply::Structured { port, events, .. } => {
            64 + port.len()
                + events
                    .iter()
                    .map(|e| e.payload.len() + e.meta.len() + 8)
                    .sum::<usize>()
        }
        _ => 64,
    }
}

pub(crate) fn get_source_reply(i: &mut Incoming) -> Result<SourceReply, WireError> {
    Ok(match i.u8()? {
        REPLY_DATA => {
            let stream = i.u64()?;
            let format = PayloadFormat(i.u8()?);
            let transactional = i.bool()?;
            let end_of_stream = i.bool()?;
            let meta = match i.u8()? {
                0 => ROption::RNone,
                _ => ROption::RSome(RString::from(i.string()?)),
            };
            let n = i.u32()? as usize;
            // Each chunk becomes the buffer of its event(s): one allocation per chunk, as a
            // connector in the runtime's process makes too.
            let mut chunks = RVec::with_capacity(n.min(1 << 16));
            for _ in 0..n {
                chunks.push(RVec::from_slice(i.bytes()?));
            }
            SourceReply::Data(SourceBatch {
                stream,
                chunks,
                format,
                meta,
                transactional,
                end_of_stream,
            })
        }
        REPLY_END_STREAM => SourceReply::EndStream { stream: i.u64()? },
        REPLY_STREAM_FAIL => SourceReply::StreamFail {
            stream: i.u64()?,
            reason: i.string()?.into(),
        },
        REPLY_EMPTY => SourceReply::Empty { wait_ms: i.u64()? },
        REPLY_FINISHED => SourceReply::Finished,
        REPLY_ERROR => SourceReply::Error {
            stream: i.u64()?,
            message: i.string()?.into(),
        },
        REPLY_STRUCTURED => {
            let stream = i.u64()?;
            let port = RString::from(i.string()?);
            let transactional = i.bool()?;
            let n = i.u32()? as usize;
            let mut events = RVec::with_capacity(n.min(1 << 16));
            for _ in 0..n {
                events.push(tremor_pdk::StructuredEvent {
                    payload: RVec::from_slice(i.bytes()?),
                    meta: RVec::from_slice(i.bytes()?),
                });
            }
            SourceReply::Structured {
                stream,
                port,
                events,
                transactional,
            }
        }
        _ => return Err(WireError::Malformed("source reply")),
    })
}

/// Writes a sink batch: the shared buffers as they are, the ports once each.
pub(crate) fn put_sink_batch(f: &mut Frame, batch: &SinkBatch<'_>) {
    let mut ports: Vec<&str> = Vec::new();
    let mut port_of = Vec::with_capacity(batch.events.len());
    for event in batch.events.iter() {
        let port = event.port.as_str();
        let index = match ports.iter().position(|p| *p == port) {
            Some(i) => i,
            None => {
                ports.push(port);
                ports.len() - 1
            }
        };
        port_of.push(len32(index));
    }
    f.u32(len32(ports.len()));
    for port in ports {
        f.str(port);
    }
    f.bytes(&batch.data);
    f.bytes(&batch.meta);
    f.u32(len32(batch.chunk_ends.len()));
    for end in batch.chunk_ends.iter() {
        f.u32(*end);
    }
    f.u32(len32(batch.events.len()));
    for (event, port) in batch.events.iter().zip(port_of) {
        f.u32(port)
            .u64(event.event_id)
            .u64(event.stream)
            .u64(event.ingest_ns)
            .u32(event.chunks_start)
            .u32(event.chunks_end)
            .u32(event.meta_start)
            .u32(event.meta_end);
    }
}

/// The size of a sink batch's payload.
pub(crate) fn sink_batch_size(batch: &SinkBatch<'_>) -> usize {
    64 + batch.data.len() + batch.meta.len() + batch.chunk_ends.len() * 4 + batch.events.len() * 44
}

/// A sink batch read off the channel; [`OwnedBatch::events`] and [`OwnedBatch::batch`] lend
/// it out as the `SinkBatch` the sink part takes.
pub(crate) struct OwnedBatch {
    ports: Vec<String>,
    data: Vec<u8>,
    meta: Vec<u8>,
    chunk_ends: Vec<u32>,
    events: Vec<(u32, [u64; 3], [u32; 4])>,
}

pub(crate) fn get_sink_batch(i: &mut Incoming) -> Result<OwnedBatch, WireError> {
    let n_ports = i.u32()? as usize;
    let ports = (0..n_ports)
        .map(|_| i.string())
        .collect::<Result<Vec<_>, _>>()?;
    let data = i.bytes()?.to_vec();
    let meta = i.bytes()?.to_vec();
    let n_ends = i.u32()? as usize;
    let chunk_ends = (0..n_ends)
        .map(|_| i.u32())
        .collect::<Result<Vec<_>, _>>()?;
    let n_events = i.u32()? as usize;
    let mut events = Vec::with_capacity(n_events.min(1 << 16));
    for _ in 0..n_events {
        let port = i.u32()?;
        if port as usize >= ports.len() {
            return Err(WireError::Malformed("port index"));
        }
        let ids = [i.u64()?, i.u64()?, i.u64()?];
        let ranges = [i.u32()?, i.u32()?, i.u32()?, i.u32()?];
        let chunks_ok = ranges[0] <= ranges[1] && ranges[1] as usize <= chunk_ends.len();
        let meta_ok = ranges[2] <= ranges[3] && ranges[3] as usize <= meta.len();
        if !(chunks_ok && meta_ok) {
            return Err(WireError::Malformed("event ranges"));
        }
        events.push((port, ids, ranges));
    }
    if chunk_ends.iter().any(|e| *e as usize > data.len()) {
        return Err(WireError::Malformed("chunk ends"));
    }
    Ok(OwnedBatch {
        ports,
        data,
        meta,
        chunk_ends,
        events,
    })
}

impl OwnedBatch {
    /// The events, borrowing this batch's ports.
    pub(crate) fn events(&self) -> Vec<SinkEvent<'_>> {
        self.events
            .iter()
            .map(|(port, ids, ranges)| SinkEvent {
                port: abi_stable::std_types::RStr::from_str(&self.ports[*port as usize]),
                event_id: ids[0],
                stream: ids[1],
                ingest_ns: ids[2],
                chunks_start: ranges[0],
                chunks_end: ranges[1],
                meta_start: ranges[2],
                meta_end: ranges[3],
            })
            .collect()
    }

    /// The batch over this buffer and `events` (from [`OwnedBatch::events`]).
    pub(crate) fn batch<'a>(&'a self, events: &'a [SinkEvent<'a>]) -> SinkBatch<'a> {
        use abi_stable::std_types::RSlice;
        SinkBatch {
            data: RSlice::from_slice(&self.data),
            chunk_ends: RSlice::from_slice(&self.chunk_ends),
            meta: RSlice::from_slice(&self.meta),
            events: RSlice::from_slice(events),
        }
    }
}

pub(crate) fn put_sink_replies(f: &mut Frame, r: &SinkReplies) {
    f.u8(r.all.0).u32(len32(r.exceptions.len()));
    for e in r.exceptions.iter() {
        f.u32(e.index).u8(e.ack.0).u8(e.cb.0);
    }
}

pub(crate) fn get_sink_replies(i: &mut Incoming) -> Result<SinkReplies, WireError> {
    let all = EventAck(i.u8()?);
    let n = i.u32()? as usize;
    let mut exceptions = RVec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        exceptions.push(EventReply {
            index: i.u32()?,
            ack: EventAck(i.u8()?),
            cb: CbAction(i.u8()?),
        });
    }
    Ok(SinkReplies { all, exceptions })
}

/// A log record as the helper sends it.
pub(crate) fn put_log(f: &mut Frame, level: LogLevel, target: &str, message: &str) {
    f.u8(level.0).str(target).str(message);
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi_stable::std_types::{RSlice, RStr};

    fn round_trip(frame: Frame) -> Incoming {
        let bytes = frame.finish();
        read_frame(&mut &bytes[..])
            .expect("readable")
            .expect("a frame")
    }

    #[test]
    fn a_source_batch_crosses_whole() {
        let batch = SourceBatch::bytes(7, vec![RVec::from_slice(b"a\n"), RVec::from_slice(b"")])
            .with_meta("{\"x\":1}")
            .transactional();
        let event = tremor_pdk::StructuredEvent {
            payload: RVec::from_slice(&[0xc0]),
            meta: RVec::from_slice(&[0x81, 0xa1, b'k', 0xc4, 1, 0]),
        };
        let structured = SourceReply::Structured {
            stream: 3,
            port: "err".into(),
            events: RVec::from(vec![event.clone(), event]),
            transactional: true,
        };
        for reply in [SourceReply::Data(batch), structured] {
            let mut f = Frame::new(to_host::PULLED, 42);
            put_source_reply(&mut f, &reply);
            let mut i = round_trip(f);
            assert_eq!((i.tag, i.id), (to_host::PULLED, 42));
            let back = get_source_reply(&mut i).expect("decoded");
            assert_eq!(format!("{back:?}"), format!("{reply:?}"));
        }
    }

    #[test]
    fn a_sink_batch_and_its_replies_cross_whole() {
        let data = b"ab\ncd\n".to_vec();
        let meta = b"{}".to_vec();
        let ends = [3u32, 6];
        let events = [
            SinkEvent {
                port: RStr::from_str("in"),
                event_id: 1,
                stream: 2,
                ingest_ns: 3,
                chunks_start: 0,
                chunks_end: 1,
                meta_start: 0,
                meta_end: 2,
            },
            SinkEvent {
                port: RStr::from_str("err"),
                event_id: 4,
                stream: 5,
                ingest_ns: 6,
                chunks_start: 1,
                chunks_end: 2,
                meta_start: 2,
                meta_end: 2,
            },
        ];
        let batch = SinkBatch {
            data: RSlice::from_slice(&data),
            chunk_ends: RSlice::from_slice(&ends),
            meta: RSlice::from_slice(&meta),
            events: RSlice::from_slice(&events),
        };
        let mut f = Frame::with_capacity(to_helper::BATCH, 1, sink_batch_size(&batch));
        put_sink_batch(&mut f, &batch);
        let owned = get_sink_batch(&mut round_trip(f)).expect("decoded");
        let back_events = owned.events();
        assert_eq!(back_events, events);
        let back = owned.batch(&back_events);
        assert_eq!(back.data.as_slice(), &data[..]);
        assert_eq!(back.chunk_ends.as_slice(), &ends[..]);

        let mut replies = SinkReplies::ack_all();
        replies.push(1, EventAck::FAIL, CbAction::OPEN);
        let mut f = Frame::new(to_host::REPLIES, 1);
        put_sink_replies(&mut f, &replies);
        assert_eq!(get_sink_replies(&mut round_trip(f)).expect("ok"), replies);
    }

    #[test]
    fn results_and_errors_cross_with_their_kind() {
        let err: Result<Ready, ConnectorError> = Err(ConnectorError::config("bad"));
        let mut f = Frame::new(to_host::READY, 0);
        put_ready(&mut f, &err);
        assert_eq!(get_ready(&mut round_trip(f)).expect("ok"), err);
    }

    #[test]
    fn truncated_or_lying_frames_are_refused_not_trusted() {
        let mut f = Frame::new(to_helper::BATCH, 1);
        f.u32(1)
            .str("in")
            .bytes(b"x")
            .bytes(b"")
            .u32(1)
            .u32(99)
            .u32(0);
        assert!(get_sink_batch(&mut round_trip(f)).is_err());
        let bytes = Frame::new(to_host::DONE, 1).finish();
        assert!(read_frame(&mut &bytes[..6]).is_err());
        assert!(read_frame(&mut &[][..]).expect("clean end").is_none());
    }
}
