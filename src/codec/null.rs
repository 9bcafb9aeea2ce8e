//! `null`: every chunk decodes to `null`, every value encodes to nothing (Tremor's codec for
//! connectors whose payload does not matter).

use super::{
    api::{Codec, Decoded},
    error::CodecError,
};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::Value;

#[derive(Clone, Default)]
pub(super) struct Null;

impl Codec for Null {
    fn decode(&mut self, _data: RVec<u8>, _ingest_ns: u64) -> Decoded {
        Ok(Some(EventPayload::from_value(Value::null())))
    }

    fn encode(&mut self, _value: &Value<'_>, _out: &mut Vec<u8>) -> Result<(), CodecError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::codec::test_support::codec;
    use tremor_value::{literal, Value};

    #[test]
    fn nothing_in_nothing_out() {
        let mut c = codec("null");
        let v = c
            .decode(b"anything".to_vec().into(), 0)
            .expect("ok")
            .expect("an event");
        assert_eq!(v.value(), &Value::null());
        let mut out = b"kept".to_vec();
        c.encode(&literal!({"a": 1}), &mut out).expect("ok");
        assert_eq!(out, b"kept");
    }
}
