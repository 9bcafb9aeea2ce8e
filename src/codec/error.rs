//! What can go wrong with a codec: naming or configuring it (found when planning), decoding
//! or encoding one event (reported on the `err` port).
//!
//! The per-event variants hold the underlying library error as it is, so the success path
//! of decode/encode allocates nothing for errors and the message is only built when shown.

use std::fmt;

/// A codec error. `Display` gives the message users see (err-port events carry it).
#[derive(Debug)]
pub enum CodecError {
    /// No codec has this name.
    Unknown {
        /// The name as written.
        name: String,
        /// The names of the codecs there are.
        known: &'static [&'static str],
    },
    /// The json codec's `mode` is neither `sorted` nor `unsorted`.
    UnknownMode {
        /// The codec as named.
        codec: String,
        /// The mode as written.
        mode: String,
    },
    /// A chunk is not JSON.
    InvalidJson(tremor_value::Error),
    /// A chunk is not UTF-8 (the `string` codec).
    InvalidUtf8(std::str::Utf8Error),
    /// A chunk is not one YAML document.
    InvalidYaml(serde_yaml::Error),
    /// A chunk is not a MessagePack value.
    InvalidMsgpack(rmp_serde::decode::Error),
    /// A chunk holds more than one MessagePack value.
    TrailingMsgpack {
        /// Bytes left after the value.
        extra: usize,
        /// Where the value ended.
        used: usize,
    },
    /// YAML encoding failed.
    WriteYaml(serde_yaml::Error),
    /// MessagePack encoding failed.
    WriteMsgpack(rmp_serde::encode::Error),
    /// A chunk is not an influx line, or a value is not an influx record.
    Influx(InfluxError),
    /// A chunk is not binflux, or a value is not an influx record.
    Binflux(&'static str),
    /// A chunk is not a StatsD line, or a value is not a StatsD record.
    InvalidStatsd,
    /// A chunk is not a DogStatsD datagram, or a value is not a DogStatsD record.
    InvalidDogstatsd,
    /// A chunk is not CSV (or writing CSV failed).
    Csv(csv::Error),
    /// The `csv` codec was given a value that is not an array.
    NotCsv {
        /// The value's type name.
        found: &'static str,
    },
    /// A chunk is not a syslog message (RFC 5424 or RFC 3164), or a value is not a syslog
    /// record.
    Syslog(&'static str),
    /// A chunk is not a Graphite plaintext line, or a value is not a Graphite record.
    InvalidGraphite,
    /// A chunk is not Tremor's binary value encoding.
    Tremor(&'static str),
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown { name, known } => {
                write!(f, "unknown codec `{name}` (known: {})", known.join(", "))
            }
            Self::UnknownMode { codec, mode } => write!(
                f,
                "codec `{codec}`: unknown mode `{mode}` (expected `sorted` or `unsorted`)"
            ),
            Self::InvalidJson(e) => write!(f, "{e}"),
            Self::InvalidUtf8(e) => write!(f, "invalid UTF-8: {e}"),
            Self::InvalidYaml(e) => write!(f, "invalid YAML: {e}"),
            Self::InvalidMsgpack(e) => write!(f, "invalid msgpack: {e}"),
            Self::TrailingMsgpack { extra, used } => write!(
                f,
                "invalid msgpack: {extra} unexpected byte(s) after the value (which ended at \
                 byte {used})"
            ),
            Self::WriteYaml(e) => write!(f, "cannot write YAML: {e}"),
            Self::WriteMsgpack(e) => write!(f, "cannot write msgpack: {e}"),
            Self::Influx(e) => write!(f, "invalid influx line protocol: {e}"),
            Self::Binflux(e) => write!(f, "invalid binflux: {e}"),
            Self::InvalidStatsd => f.write_str("invalid statsd metric"),
            Self::InvalidDogstatsd => {
                f.write_str("invalid dogstatsd metric, event or service check")
            }
            Self::Csv(e) => write!(f, "invalid CSV: {e}"),
            Self::NotCsv { found } => write!(
                f,
                "the csv codec encodes an array as one record, not a {found}"
            ),
            Self::Syslog(e) => write!(f, "invalid syslog message: {e}"),
            Self::InvalidGraphite => f.write_str("invalid graphite plaintext metric"),
            Self::Tremor(e) => write!(f, "invalid tremor binary value: {e}"),
        }
    }
}

impl std::error::Error for CodecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidJson(e) => Some(e),
            Self::InvalidUtf8(e) => Some(e),
            Self::InvalidYaml(e) | Self::WriteYaml(e) => Some(e),
            Self::InvalidMsgpack(e) => Some(e),
            Self::WriteMsgpack(e) => Some(e),
            Self::Influx(e) => Some(e),
            Self::Csv(e) => Some(e),
            _ => None,
        }
    }
}

/// The sink's encode step reports errors as text (one message per failed event).
impl From<CodecError> for String {
    fn from(e: CodecError) -> Self {
        e.to_string()
    }
}

/// Why a line is not line protocol; `Display` is the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfluxError {
    /// Not UTF-8.
    Utf8,
    /// No space between the tags and the fields.
    MissingFields,
    /// A tag without `=value`.
    BadTag,
    /// A field without `=value`, or a value that is no number, bool or string.
    BadField,
    /// A string field without its closing quote.
    UnclosedString,
    /// The timestamp is not an integer.
    BadTimestamp,
    /// Encoding: a record without a string `measurement`.
    NoMeasurement,
    /// Encoding: no non-empty `fields` record.
    NoFields,
    /// Encoding: a tag value that is not a string.
    TagNotString,
    /// Encoding: a field value that is not a number, bool or string.
    FieldType,
}

impl std::fmt::Display for InfluxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Utf8 => "not UTF-8",
            Self::MissingFields => "no fields after the measurement and tags",
            Self::BadTag => "a tag without `=value`",
            Self::BadField => "a field that is not `key=value` with a number, bool or string",
            Self::UnclosedString => "a string field without its closing quote",
            Self::BadTimestamp => "the timestamp is not an integer",
            Self::NoMeasurement => "`measurement` must be a string",
            Self::NoFields => "`fields` must be a non-empty record",
            Self::TagNotString => "tag values must be strings",
            Self::FieldType => "field values must be numbers, bools or strings",
        })
    }
}

impl std::error::Error for InfluxError {}
