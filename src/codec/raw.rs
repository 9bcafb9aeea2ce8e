//! The codecs that take a chunk as it is: `binary` (the bytes as a bytes value), `string`
//! (UTF-8 text as a string value) and `null` (every chunk is `null`, every value encodes to
//! nothing: Tremor's codec for connectors whose payload does not matter).

use super::{
    api::{Codec, Decoded, NamedCodec},
    error::CodecError,
};
use crate::event::EventPayload;
use abi_stable::std_types::RVec;
use tremor_value::Value;

/// `binary` (`TEXT` false: the chunk as a bytes value) and `string` (`TEXT` true: the chunk
/// as a string value, which must be UTF-8). Both encode strings and bytes as they are and, as
/// in Tremor, anything else as JSON.
#[derive(Clone, Default)]
pub(super) struct Raw<const TEXT: bool>;

pub(super) type Binary = Raw<false>;
pub(super) type StringCodec = Raw<true>;

// Named per mode in the codec table (`binary`, `string`).
impl<const TEXT: bool> Codec for Raw<TEXT>
where
    Self: NamedCodec,
{
    fn decode(&mut self, data: RVec<u8>, _ingest_ns: u64) -> Decoded {
        EventPayload::try_new(data, |bytes| {
            if TEXT {
                std::str::from_utf8(bytes)
                    .map(Value::from)
                    .map_err(CodecError::InvalidUtf8)
            } else {
                Ok(Value::Bytes(beef::Cow::borrowed(&*bytes)))
            }
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
