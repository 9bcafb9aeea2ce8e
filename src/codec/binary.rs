//! `binary`: raw bytes as a bytes value; strings encode as their bytes, anything else as
//! JSON (as in Tremor).

use super::{
    api::{Codec, Decoded},
    error::CodecError,
};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::Value;

#[derive(Clone, Default)]
pub(super) struct Binary;

impl Codec for Binary {
    fn decode(&mut self, data: RVec<u8>, _ingest_ns: u64) -> Decoded {
        EventPayload::try_new(data, |bytes| {
            Ok::<_, CodecError>(Value::Bytes(beef::Cow::borrowed(&*bytes)))
        })
        .map(Some)
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        match value {
            Value::Bytes(b) => out.extend_from_slice(b),
            Value::String(s) => out.extend_from_slice(s.as_bytes()),
            // As Tremor: anything else is written as JSON.
            other => tremor_value::write_json(other, out),
        }
        Ok(())
    }
}
