//! `string`: UTF-8 text as a string value; non-strings encode as JSON.

use super::{
    api::{Codec, Decoded},
    error::CodecError,
};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::Value;

#[derive(Clone, Default)]
pub(super) struct StringCodec;

impl Codec for StringCodec {
    fn decode(&mut self, data: RVec<u8>, _ingest_ns: u64) -> Decoded {
        EventPayload::try_new(data, |bytes| {
            std::str::from_utf8(bytes)
                .map(Value::from)
                .map_err(CodecError::InvalidUtf8)
        })
        .map(Some)
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        match value {
            Value::String(s) => out.extend_from_slice(s.as_bytes()),
            Value::Bytes(b) => out.extend_from_slice(b),
            other => tremor_value::write_json(other, out),
        }
        Ok(())
    }
}
