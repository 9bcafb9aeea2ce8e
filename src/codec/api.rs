//! What every codec implements (a leaf module: the codecs import it, not their parent, which
//! lists them).

use super::error::CodecError;
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::Value;

/// What [`Codec::decode`] returns: `Ok(None)` when the chunk holds no event.
pub type Decoded = Result<Option<EventPayload>, CodecError>;

/// A codec instance.
pub trait Codec: Send + CodecIdentity {
    /// Turns one chunk into a value. `Ok(None)`: the chunk holds no event. `ingest_ns` is
    /// the event's ingest time (formats whose records may omit a timestamp, like influx,
    /// default to it, as Tremor does).
    fn decode(&mut self, data: RVec<u8>, ingest_ns: u64) -> Decoded;

    /// Appends the encoding of `value` to `out`.
    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError>;
}

/// A codec's name (as configured), for messages.
pub trait NamedCodec {
    /// The name.
    const NAME: &'static str;
}

/// Name and per-stream copies, derived for every codec from [`NamedCodec`] and `Clone`
/// rather than written out per codec.
pub trait CodecIdentity {
    /// Its name, for messages.
    fn name(&self) -> &'static str;

    /// A fresh instance with the same configuration (one per stream).
    fn boxed_clone(&self) -> Box<dyn Codec>;
}

impl<T: Codec + NamedCodec + Clone + 'static> CodecIdentity for T {
    fn name(&self) -> &'static str {
        T::NAME
    }

    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(self.clone())
    }
}

/// A format of one text record per chunk (a StatsD line, a DogStatsD datagram, a Graphite
/// line) whose parser and writer only say whether they could: one error, `INVALID`, serves
/// both directions. Such a format is a [`Codec`] by that alone.
pub(super) trait TextRecordFormat {
    /// The error for a chunk or a value that is not a record of this format.
    const INVALID: CodecError;

    /// The record in `line` (read at `ingest_ns`), borrowing from it; `None` if it is none.
    fn parse(line: &str, ingest_ns: u64) -> Option<Value<'_>>;

    /// Appends the record `value` to `out`; `None` if `value` is none (what was appended
    /// is then taken back).
    fn write(value: &Value<'_>, out: &mut Vec<u8>) -> Option<()>;
}

impl<F: TextRecordFormat + NamedCodec + Clone + Send + 'static> Codec for F {
    fn decode(&mut self, data: RVec<u8>, ingest_ns: u64) -> Decoded {
        decode_text(data, F::INVALID, |line| F::parse(line, ingest_ns))
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        encode_whole(out, |out| F::write(value, out).ok_or(F::INVALID))
    }
}

/// Decodes a chunk of UTF-8 text that `parse` turns into a value borrowing from it;
/// `invalid` is the error both for a chunk that is not UTF-8 and for one `parse` refuses.
pub(super) fn decode_text(
    data: RVec<u8>,
    invalid: CodecError,
    parse: impl for<'a> FnOnce(&'a str) -> Option<Value<'a>>,
) -> Decoded {
    EventPayload::try_new(data, |bytes| {
        std::str::from_utf8(bytes)
            .ok()
            .and_then(parse)
            .ok_or(invalid)
    })
    .map(Some)
}

/// Runs `write`, which appends one record to `out`; when it fails, takes back what it
/// appended, so a failed event leaves no partial record in the sink's buffer.
pub(super) fn encode_whole<E>(
    out: &mut Vec<u8>,
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
) -> Result<(), E> {
    let start = out.len();
    write(out).inspect_err(|_| out.truncate(start))
}
