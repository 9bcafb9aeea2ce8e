//! `json` (compact) and `json-sorted` (keys sorted, for stable output).

use super::{
    api::{Codec, Decoded, NamedCodec},
    error::CodecError,
};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::{JsonParser, Value};

/// `SORTED` is a type parameter: the choice is made once, not per event.
pub(super) struct Json<const SORTED: bool> {
    // Reused scratch buffers: decoding allocates only the value itself.
    parser: JsonParser,
}

impl<const SORTED: bool> Default for Json<SORTED> {
    fn default() -> Self {
        Self {
            parser: JsonParser::new(),
        }
    }
}

/// A copy starts with its own, empty scratch buffers.
impl<const SORTED: bool> Clone for Json<SORTED> {
    fn clone(&self) -> Self {
        Self::default()
    }
}

// Named per mode in the codec table (`json`, `json-sorted`).
impl<const SORTED: bool> Codec for Json<SORTED>
where
    Self: NamedCodec,
{
    fn decode(&mut self, data: RVec<u8>, _ingest_ns: u64) -> Decoded {
        let parser = &mut self.parser;
        EventPayload::try_new(data, |bytes| parser.parse(bytes))
            .map(Some)
            .map_err(CodecError::InvalidJson)
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        // Binary values as base64 strings, as Tremor's json codec writes them.
        tremor_value::write_json_codec(value, SORTED, out);
        Ok(())
    }
}
