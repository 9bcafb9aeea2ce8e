//! What every codec implements (a leaf module: the codecs import it, not their parent, which
//! lists them).

use super::error::CodecError;
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::Value;

/// A codec instance.
pub trait Codec: Send {
    /// Its name, for messages.
    fn name(&self) -> &'static str;

    /// Turns one chunk into a value. `Ok(None)`: the chunk holds no event. `ingest_ns` is
    /// the event's ingest time (formats whose records may omit a timestamp, like influx,
    /// default to it, as Tremor does).
    fn decode(
        &mut self,
        data: RVec<u8>,
        ingest_ns: u64,
    ) -> Result<Option<EventPayload>, CodecError>;

    /// Appends the encoding of `value` to `out`.
    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError>;

    /// A fresh instance with the same configuration (one per stream).
    fn boxed_clone(&self) -> Box<dyn Codec>;
}
