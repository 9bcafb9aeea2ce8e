//! The data plane of a sink: batches of encoded events in, delivery replies out.

use crate::error::ConnectorError;
use abi_stable::{
    sabi_trait,
    std_types::{RBox, RResult, RSlice, RStr, RVec},
    StableAbi,
};
use async_ffi::BorrowingFfiFuture;

/// One event inside a [`SinkBatch`]: ranges into the batch's shared buffers.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SinkEvent<'a> {
    /// The input port the event arrived on (`in` unless the deployment connects another, e.g.
    /// `stderr` of the stdio connector).
    pub port: RStr<'a>,
    /// The runtime's id of the event (unique per sink for the lifetime of the process).
    pub event_id: u64,
    /// The stream the event originates from, when it came from a source (else `0`).
    pub stream: u64,
    /// The time the event entered the runtime, in nanoseconds since the UNIX epoch.
    pub ingest_ns: u64,
    /// This event's chunks are `chunk_ends[chunks_start..chunks_end]` of the batch.
    pub chunks_start: u32,
    /// End (exclusive) of this event's chunk range.
    pub chunks_end: u32,
    /// The event's metadata record as JSON text is `meta[meta_start..meta_end]` of the batch;
    /// an empty range when the event has no metadata.
    pub meta_start: u32,
    /// End (exclusive) of the metadata text.
    pub meta_end: u32,
}

/// Events for a sink, encoded and postprocessed by the runtime, borrowed for one call.
///
/// All bytes live in one buffer the runtime reuses from batch to batch: handing a batch to a
/// sink allocates nothing per event. Chunk `i` of the batch is
/// `data[chunk_ends[i-1]..chunk_ends[i]]` (with `chunk_ends[-1] = 0`). For structured sinks
/// (see [`crate::CodecRequirement::STRUCTURED`]) every event is exactly one chunk holding a
/// JSON document.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy)]
pub struct SinkBatch<'a> {
    /// The bytes of all chunks, back to back.
    pub data: RSlice<'a, u8>,
    /// Where each chunk ends in `data`.
    pub chunk_ends: RSlice<'a, u32>,
    /// The metadata texts of all events, back to back.
    pub meta: RSlice<'a, u8>,
    /// The events, in order of arrival.
    pub events: RSlice<'a, SinkEvent<'a>>,
}

/// A borrowed view of one event of a batch.
#[derive(Debug, Clone, Copy)]
pub struct SinkEventView<'a> {
    batch: SinkBatch<'a>,
    event: &'a SinkEvent<'a>,
}

impl<'a> SinkBatch<'a> {
    /// The number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the batch holds no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events with their chunks and metadata.
    pub fn iter(&self) -> impl Iterator<Item = SinkEventView<'a>> + 'a {
        let batch = *self;
        batch
            .events
            .as_slice()
            .iter()
            .map(move |event| SinkEventView { batch, event })
    }

    fn chunk(&self, i: usize) -> &'a [u8] {
        let ends = self.chunk_ends.as_slice();
        let data = self.data.as_slice();
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        &data[start..ends[i] as usize]
    }
}

impl<'a> SinkEventView<'a> {
    /// The event's position data (ids, stream, timestamps).
    pub fn event(&self) -> &'a SinkEvent<'a> {
        self.event
    }

    /// The encoded, postprocessed chunks of the event (usually one).
    pub fn chunks(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let batch = self.batch;
        (self.event.chunks_start as usize..self.event.chunks_end as usize)
            .map(move |i| batch.chunk(i))
    }

    /// The input port the event arrived on.
    pub fn port(&self) -> &'a str {
        self.event.port.as_str()
    }

    /// The metadata record as JSON text, if the event has any.
    pub fn meta(&self) -> Option<&'a [u8]> {
        let (start, end) = (self.event.meta_start as usize, self.event.meta_end as usize);
        (end > start).then(|| &self.batch.meta.as_slice()[start..end])
    }
}

open_set! {
    /// Whether an event was delivered. An open set: unknown values count as [`EventAck::NONE`].
    pub struct EventAck;
    /// No statement about delivery (the event is not transactional for this sink).
    NONE = 0;
    /// Delivered.
    ACK = 1;
    /// Not delivered; a transactional source may replay it.
    FAIL = 2;
    /// Not delivered because the sink refused it and said why itself, as an error event from
    /// its own source part (kv's failed `cas`): transactional sources get a fail as for
    /// [`EventAck::FAIL`], but the event is not counted as dropped. Added in pdk 0.4.0.
    REJECTED = 3;
}

open_set! {
    /// A change of the sink's readiness (circuit breaker). An open set: unknown values are
    /// ignored.
    pub struct CbAction;
    /// No change.
    NONE = 0;
    /// The sink cannot take events now: sources feeding it pause.
    OPEN = 1;
    /// The sink is ready again: sources resume.
    CLOSE = 2;
}

/// The reply for one event that differs from the batch default.
#[repr(C)]
#[derive(StableAbi, Clone, Copy, PartialEq, Eq, Debug)]
pub struct EventReply {
    /// Index of the event in the batch.
    pub index: u32,
    /// Its delivery status.
    pub ack: EventAck,
    /// A circuit-breaker change caused by this event.
    pub cb: CbAction,
}

/// The replies for a whole batch in compact form: one default for all events plus the
/// exceptions. The common case (all delivered) allocates nothing.
#[repr(C)]
#[derive(StableAbi, Clone, PartialEq, Eq, Debug)]
pub struct SinkReplies {
    /// The status of every event not listed in `exceptions`.
    pub all: EventAck,
    /// Events whose reply differs from `all`, or that carry a circuit-breaker change.
    pub exceptions: RVec<EventReply>,
}

impl SinkReplies {
    /// Every event was delivered.
    pub fn ack_all() -> Self {
        Self {
            all: EventAck::ACK,
            exceptions: RVec::new(),
        }
    }

    /// No event was delivered.
    pub fn fail_all() -> Self {
        Self {
            all: EventAck::FAIL,
            exceptions: RVec::new(),
        }
    }

    /// Adds an exception for the event at `index`.
    pub fn push(&mut self, index: usize, ack: EventAck, cb: CbAction) {
        self.exceptions.push(EventReply {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            ack,
            cb,
        });
    }

    /// The delivery status of the event at `index`: the last exception naming it with a
    /// status other than [`EventAck::NONE`] wins (an exception that only carries a
    /// circuit-breaker change says nothing about delivery); else the batch default.
    pub fn ack_of(&self, index: usize) -> EventAck {
        self.exceptions
            .iter()
            .rev()
            .find(|r| r.index as usize == index && r.ack != EventAck::NONE)
            .map_or(self.all, |r| r.ack)
    }
}

/// The sink part of a connector, as seen across the boundary. Plugin authors implement
/// [`crate::Sink`] instead and wrap it with [`crate::into_raw_sink`].
#[sabi_trait]
pub trait RawSink: Send {
    /// Writes a batch. Called with one or more events the runtime took from the sink's queue:
    /// under load many at once, at low rates one. The reply says per event whether it was
    /// delivered. An `Err` fails the whole batch; an error of kind
    /// [`crate::ErrorKind::CONNECTION`] also makes the runtime reconnect.
    fn on_batch<'a>(
        &'a mut self,
        batch: SinkBatch<'a>,
    ) -> BorrowingFfiFuture<'a, RResult<SinkReplies, ConnectorError>>;

    /// Writes out anything buffered. Called when the connector drains and before it stops.
    #[sabi(last_prefix_field)]
    fn flush(&mut self) -> BorrowingFfiFuture<'_, RResult<(), ConnectorError>>;
}

/// An owned, type-erased sink as it crosses the boundary.
pub type RawSinkBox = RawSink_TO<'static, RBox<()>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_slice_chunks_and_meta_out_of_the_shared_buffer() {
        let data = b"ab\ncd\ne\n".to_vec();
        let meta = b"{\"x\":1}".to_vec();
        let chunk_ends = [3u32, 6, 8];
        let events = [
            SinkEvent {
                port: RStr::from_str("in"),
                event_id: 1,
                stream: 0,
                ingest_ns: 0,
                chunks_start: 0,
                chunks_end: 2,
                meta_start: 0,
                meta_end: 7,
            },
            SinkEvent {
                port: RStr::from_str("in"),
                event_id: 2,
                stream: 0,
                ingest_ns: 0,
                chunks_start: 2,
                chunks_end: 3,
                meta_start: 0,
                meta_end: 0,
            },
        ];
        let batch = SinkBatch {
            data: RSlice::from_slice(&data),
            chunk_ends: RSlice::from_slice(&chunk_ends),
            meta: RSlice::from_slice(&meta),
            events: RSlice::from_slice(&events),
        };
        let views: Vec<_> = batch.iter().collect();
        assert_eq!(views.len(), 2);
        let first: Vec<&[u8]> = views[0].chunks().collect();
        assert_eq!(first, vec![&b"ab\n"[..], &b"cd\n"[..]]);
        assert_eq!(views[0].meta(), Some(&b"{\"x\":1}"[..]));
        let second: Vec<&[u8]> = views[1].chunks().collect();
        assert_eq!(second, vec![&b"e\n"[..]]);
        assert_eq!(views[1].meta(), None);
    }

    #[test]
    fn compact_replies_default_and_exceptions() {
        let mut r = SinkReplies::ack_all();
        r.push(3, EventAck::FAIL, CbAction::NONE);
        r.push(3, EventAck::NONE, CbAction::OPEN);
        assert_eq!(r.ack_of(0), EventAck::ACK);
        assert_eq!(
            r.ack_of(3),
            EventAck::FAIL,
            "a cb-only exception says nothing about delivery"
        );
    }
}
