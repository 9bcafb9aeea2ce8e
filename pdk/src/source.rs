//! The data plane of a source: what `pull` returns.

use crate::error::ConnectorError;
use abi_stable::{
    sabi_trait,
    std_types::{RBox, ROption, RResult, RString, RVec},
    StableAbi,
};
use async_ffi::BorrowingFfiFuture;
use serde::{Serialize, Serializer};

/// How the runtime turns the chunks of a [`SourceBatch`] into events.
// The one open set not declared with `open_set!`: tests/plugin_authoring.rs widens this very
// declaration in a pdk copy to check that a plugin with a different layout is refused.
#[repr(transparent)]
#[derive(StableAbi, Clone, Copy, PartialEq, Eq, Debug)]
pub struct PayloadFormat(pub u8);

impl PayloadFormat {
    /// Raw bytes: run the connector's preprocessors and codec (files, sockets, stdin).
    pub const BYTES: Self = Self(0);
    /// Each chunk is one JSON document, one event; preprocessors and codec are skipped.
    /// Used by structured connectors (metronome, cb) that produce values, not wire data.
    pub const JSON: Self = Self(1);
}

/// Data read from one stream by one `pull`.
///
/// Chunks are moved to the runtime, never copied or converted: a chunk becomes (after
/// preprocessing) the buffer an event is parsed from in place.
#[repr(C)]
#[derive(StableAbi, Debug)]
pub struct SourceBatch {
    /// The stream the chunks belong to. Per-stream state (a partial line, ...) is kept by the
    /// runtime per stream id; a connector with one stream uses `0`.
    pub stream: u64,
    /// The data: byte chunks in order (lines, datagrams, whatever one read gave).
    pub chunks: RVec<RVec<u8>>,
    /// Whether the chunks are raw bytes or JSON documents, see [`PayloadFormat`].
    pub format: PayloadFormat,
    /// Metadata for every event of the batch, as a JSON record (e.g. the peer of a connection);
    /// sinks get it back with events that originate here.
    pub meta: ROption<RString>,
    /// Ask the runtime to report delivery of these events with `ack` / `fail`.
    pub transactional: bool,
    /// The stream ends after these chunks (the runtime flushes the stream's preprocessors).
    pub end_of_stream: bool,
}

impl SourceBatch {
    /// A batch of raw byte chunks for `stream`, no metadata, not transactional.
    pub fn bytes(stream: u64, chunks: Vec<RVec<u8>>) -> Self {
        Self {
            stream,
            chunks: RVec::from(chunks),
            format: PayloadFormat::BYTES,
            meta: ROption::RNone,
            transactional: false,
            end_of_stream: false,
        }
    }

    /// A batch of JSON documents (one event each) for `stream`.
    pub fn json(stream: u64, docs: Vec<RVec<u8>>) -> Self {
        Self {
            format: PayloadFormat::JSON,
            ..Self::bytes(stream, docs)
        }
    }

    /// Sets the metadata record (JSON text) of the batch.
    #[must_use]
    pub fn with_meta(mut self, meta_json: impl Into<String>) -> Self {
        self.meta = ROption::RSome(RString::from(meta_json.into()));
        self
    }

    /// Marks the batch as the last one of its stream.
    #[must_use]
    pub fn end_of_stream(mut self) -> Self {
        self.end_of_stream = true;
        self
    }

    /// Marks the batch transactional: the runtime reports `ack` / `fail` for its pull id.
    #[must_use]
    pub fn transactional(mut self) -> Self {
        self.transactional = true;
        self
    }
}

/// What one `pull` produced. Non-exhaustive across versions: a host that receives a variant it
/// does not know logs it and treats it as [`SourceReply::Empty`].
#[repr(u8)]
#[derive(StableAbi, Debug)]
#[sabi(kind(WithNonExhaustive(size = [u64; 16], traits(Debug))))]
#[non_exhaustive]
pub enum SourceReply {
    /// Data for one stream.
    Data(SourceBatch),
    /// A stream ended without more data (a connection closed, a file was read to its end).
    EndStream {
        /// The stream that ended.
        stream: u64,
    },
    /// A stream broke; its partial state is discarded.
    StreamFail {
        /// The stream that failed.
        stream: u64,
        /// Why, for the log.
        reason: RString,
    },
    /// Nothing now; the runtime pulls again after `wait_ms` (or sooner on a control message).
    Empty {
        /// How long to wait before the next pull, in milliseconds.
        wait_ms: u64,
    },
    /// The source will never produce anything again (e.g. a file read to its end). The runtime
    /// stops pulling; the connector keeps running until the deployment stops.
    Finished,
    /// Something the connector was given could not be used (e.g. an exit code out of range):
    /// the runtime sends an error event with `message` on the connector's `err` port, or logs
    /// it when nothing is connected there. Added after the first release: a host that does not
    /// know it logs it as an unknown reply.
    Error {
        /// The stream it concerns (`0` for connectors with one stream).
        stream: u64,
        /// What was wrong, naming the offending value.
        message: RString,
    },
    /// Finished events, each with its own payload and metadata, for the output port `port`
    /// (`"out"` or `"err"`; events for another port are logged and, when transactional,
    /// failed back): what a structured connector sends when its metadata must hold what JSON
    /// text cannot (binary) or an error event must have Tremor's shape (a `null` payload with
    /// `$error`). Build it with [`SourceReply::structured`] and [`StructuredEvent::new`].
    /// Added in pdk 0.4.0 (a plugin using it needs a 0.4 host: the interface version says so).
    Structured {
        /// The stream the events belong to (`0` for connectors with one stream).
        stream: u64,
        /// The output port the events leave the connector by.
        port: RString,
        /// The events, in order.
        events: RVec<StructuredEvent>,
        /// Ask the runtime to report delivery of these events with `ack` / `fail`.
        transactional: bool,
    },
}

/// One event of a [`SourceReply::Structured`] reply: its payload and its metadata, each one
/// MessagePack value (MessagePack has a binary type, JSON has not; the runtime decodes both
/// straight into its values). `bin` becomes binary, `str` a string, a map a record.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct StructuredEvent {
    /// The payload: one MessagePack value.
    pub payload: RVec<u8>,
    /// The metadata `$`: one MessagePack map; nil (or no bytes at all) for an event without
    /// metadata.
    pub meta: RVec<u8>,
}

impl StructuredEvent {
    /// Encodes `payload` and `meta` (anything `serde` serializes; `serde_json::Value` works,
    /// [`Binary`] marks bytes) as MessagePack. Pass `&()` as `meta` for no metadata.
    ///
    /// # Errors
    /// When a value cannot be encoded (a map with keys that are not strings, a serializer
    /// error of the value itself).
    pub fn new(payload: &impl Serialize, meta: &impl Serialize) -> Result<Self, ConnectorError> {
        Ok(Self {
            payload: encode_msgpack(payload)?,
            meta: encode_msgpack(meta)?,
        })
    }
}

fn encode_msgpack(value: &impl Serialize) -> Result<RVec<u8>, ConnectorError> {
    let mut out = Vec::new();
    // Records as maps with their field names: the runtime reads them as records.
    value
        .serialize(&mut rmp_serde::Serializer::new(&mut out).with_struct_map())
        .map_err(|e| ConnectorError::other(format!("cannot encode a structured event: {e}")))?;
    Ok(out.into())
}

/// Bytes that become a binary value in a [`StructuredEvent`] (MessagePack `bin`, where a
/// `Vec<u8>` would become an array of numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binary<'a>(pub &'a [u8]);

impl Serialize for Binary<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

impl SourceReply {
    /// Finished events for the output port `port` of `stream`, not transactional.
    pub fn structured(stream: u64, port: &str, events: Vec<StructuredEvent>) -> Self {
        Self::Structured {
            stream,
            port: RString::from(port),
            events: RVec::from(events),
            transactional: false,
        }
    }

    /// Wraps the reply for the boundary.
    pub fn into_ne(self) -> SourceReply_NE {
        SourceReply_NE::new(self)
    }
}

/// The source part of a connector, as seen across the boundary. Plugin authors implement
/// [`crate::Source`] instead and wrap it with [`crate::into_raw_source`].
#[sabi_trait]
pub trait RawSource: Send {
    /// Produces the next batch. `pull_id` identifies the events of this batch in `ack`/`fail`.
    ///
    /// The runtime may drop the future before it completes (to handle a pause or a stop): keep
    /// data already taken from the outside world in `self`, not in the future.
    fn pull(
        &mut self,
        pull_id: u64,
    ) -> BorrowingFfiFuture<'_, RResult<SourceReply_NE, ConnectorError>>;

    /// All events of pull `pull_id` on `stream` were delivered (transactional batches only).
    /// The runtime reports the highest pull id acknowledged in one go.
    fn ack(&mut self, stream: u64, pull_id: u64) -> RResult<(), ConnectorError>;

    /// An event of pull `pull_id` on `stream` could not be delivered (transactional batches
    /// only); the source may replay it.
    #[sabi(last_prefix_field)]
    fn fail(&mut self, stream: u64, pull_id: u64) -> RResult<(), ConnectorError>;
}

/// An owned, type-erased source as it crosses the boundary.
pub type RawSourceBox = RawSource_TO<'static, RBox<()>>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn structured_events_encode_binary_as_msgpack_bin_and_records_as_maps() {
        #[derive(Serialize)]
        struct Kv<'a> {
            op: &'a str,
            ok: Binary<'a>,
        }
        let event = StructuredEvent::new(
            &json!("v"),
            &Kv {
                op: "get",
                ok: Binary(b"k"),
            },
        )
        .expect("encodes");
        assert_eq!(event.payload.as_slice(), [0xa1, b'v']);
        // fixmap of 2: "op" => "get", "ok" => bin8 of 1 byte.
        let expected = [
            0x82, 0xa2, b'o', b'p', 0xa3, b'g', b'e', b't', 0xa2, b'o', b'k', 0xc4, 1, b'k',
        ];
        assert_eq!(event.meta.as_slice(), expected);
        let no_meta = StructuredEvent::new(&json!(null), &()).expect("encodes");
        assert_eq!(no_meta.meta.as_slice(), [0xc0]);
    }

    #[test]
    fn unencodable_values_are_errors_not_panics() {
        struct Broken;
        impl Serialize for Broken {
            fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("broken"))
            }
        }
        let error = StructuredEvent::new(&Broken, &()).expect_err("fails");
        assert!(error.message.contains("broken"), "{error}");
    }

    #[test]
    fn the_structured_reply_crosses_as_a_non_exhaustive_enum() {
        let event = StructuredEvent::new(&json!(1), &json!({"a": 1})).expect("encodes");
        let reply = SourceReply::structured(3, "err", vec![event.clone()]).into_ne();
        let Ok(SourceReply::Structured {
            stream,
            port,
            events,
            transactional,
        }) = reply.as_enum()
        else {
            panic!("the variant survives the wrapper: {reply:?}");
        };
        assert_eq!((*stream, port.as_str(), *transactional), (3, "err", false));
        assert_eq!(events.as_slice(), [event]);
    }
}
