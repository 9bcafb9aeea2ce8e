//! `json` (compact) and `json-sorted` (keys sorted, for stable output).

use super::{api::Codec, error::CodecError};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::{JsonParser, Value};

pub(super) struct Json {
    sorted: bool,
    // Reused scratch buffers: decoding allocates only the value itself.
    parser: JsonParser,
}

impl Json {
    pub(super) fn new(sorted: bool) -> Self {
        Self {
            sorted,
            parser: JsonParser::new(),
        }
    }
}

impl Codec for Json {
    fn name(&self) -> &'static str {
        if self.sorted {
            "json-sorted"
        } else {
            "json"
        }
    }

    fn decode(
        &mut self,
        data: RVec<u8>,
        _ingest_ns: u64,
    ) -> Result<Option<EventPayload>, CodecError> {
        let parser = &mut self.parser;
        EventPayload::try_new(data, |bytes| parser.parse(bytes))
            .map(Some)
            .map_err(CodecError::InvalidJson)
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        if self.sorted {
            tremor_value::write_json_sorted(value, out);
        } else {
            tremor_value::write_json(value, out);
        }
        Ok(())
    }

    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(Self::new(self.sorted))
    }
}
