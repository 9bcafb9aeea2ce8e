//! The control plane of a connector: lifecycle calls and the parts it hands out.

use crate::{error::ConnectorError, sink::RawSinkBox, source::RawSourceBox};
use abi_stable::{
    sabi_trait,
    std_types::{RBox, ROption, RResult, RStr},
    StableAbi,
};
use async_ffi::BorrowingFfiFuture;

/// What a connector needs from the runtime's codecs.
#[repr(C)]
#[derive(StableAbi, Clone, Copy, PartialEq, Eq, Debug)]
pub struct CodecRequirement {
    /// One of the `KIND_*` constants. Unknown kinds are treated like `KIND_REQUIRED`.
    pub kind: u8,
    /// With `KIND_OPTIONAL`: the codec used when the deployment names none.
    pub default_codec: RStr<'static>,
}

impl CodecRequirement {
    /// The deployment must name a codec (byte-oriented connectors: file, tcp, stdio).
    pub const KIND_REQUIRED: u8 = 0;
    /// A codec is optional; `default_codec` is used when none is named.
    pub const KIND_OPTIONAL: u8 = 1;
    /// The connector exchanges JSON documents with the runtime and takes no codec (metronome,
    /// exit). A codec named for it is ignored with a warning (Tremor accepts such configs).
    pub const KIND_STRUCTURED: u8 = 2;

    /// A codec must be configured.
    pub const REQUIRED: Self = Self {
        kind: Self::KIND_REQUIRED,
        default_codec: RStr::from_str(""),
    };
    /// No codec: structured (JSON) events.
    pub const STRUCTURED: Self = Self {
        kind: Self::KIND_STRUCTURED,
        default_codec: RStr::from_str(""),
    };

    /// A codec is optional and defaults to `codec`.
    pub const fn optional(codec: &'static str) -> Self {
        Self {
            kind: Self::KIND_OPTIONAL,
            default_codec: RStr::from_str(codec),
        }
    }
}

/// A connector instance as seen across the boundary. Plugin authors implement
/// [`crate::Connector`] instead and the module macro wraps it.
///
/// The runtime calls, in this order: `codec_requirement`, `create_source` and `create_sink`
/// (once each), then `connect` (again with a growing attempt number after a failure or a lost
/// connection, per the reconnect policy), `on_start`, then any of `on_pause` / `on_resume`,
/// finally `on_drain` (graceful stops only) and `on_stop`.
#[sabi_trait]
pub trait RawConnector: Send {
    /// What the connector needs from the runtime's codecs.
    fn codec_requirement(&self) -> CodecRequirement;

    /// The source part, if the connector reads. Called once, before `connect`.
    fn create_source(&mut self) -> RResult<ROption<RawSourceBox>, ConnectorError>;

    /// The sink part, if the connector writes. Called once, before `connect`.
    fn create_sink(&mut self) -> RResult<ROption<RawSinkBox>, ConnectorError>;

    /// Establishes the connection to the outside world. `attempt` starts at 1 and grows with
    /// every retry. `Ok(false)` means "not now, retry per policy"; `Err` fails the attempt too.
    fn connect(&mut self, attempt: u64) -> BorrowingFfiFuture<'_, RResult<bool, ConnectorError>>;

    /// The connector was connected and the deployment is starting.
    fn on_start(&mut self) -> BorrowingFfiFuture<'_, RResult<(), ConnectorError>>;

    /// The runtime stopped pulling from the source / feeding the sink for a while.
    fn on_pause(&mut self) -> BorrowingFfiFuture<'_, RResult<(), ConnectorError>>;

    /// The runtime resumed after `on_pause`.
    fn on_resume(&mut self) -> BorrowingFfiFuture<'_, RResult<(), ConnectorError>>;

    /// A graceful stop begins: stop taking new data from outside; in-flight events still reach
    /// the sink.
    fn on_drain(&mut self) -> BorrowingFfiFuture<'_, RResult<(), ConnectorError>>;

    /// The connector stops for good: release every resource.
    #[sabi(last_prefix_field)]
    fn on_stop(&mut self) -> BorrowingFfiFuture<'_, RResult<(), ConnectorError>>;
}

/// An owned, type-erased connector as it crosses the boundary.
pub type RawConnectorBox = RawConnector_TO<'static, RBox<()>>;
