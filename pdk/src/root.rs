//! The root module: what a plugin file exports and what a builtin registers.

use crate::{
    adapter::{into_raw_connector, Connector},
    connector::RawConnectorBox,
    context::ConnectorContext,
    error::ConnectorError,
    logging,
    panic::catch,
};
use abi_stable::{
    declare_root_module_statics,
    library::RootModule,
    package_version_strings,
    sabi_types::VersionStrings,
    std_types::{RResult, RSlice, RStr},
    StableAbi,
};

/// Creates a connector instance from its context and its `config` record (JSON text).
pub type NewConnectorFn = extern "C" fn(
    ctx: ConnectorContext,
    config: RStr<'_>,
) -> RResult<RawConnectorBox, ConnectorError>;

/// The root module of a connector: its identity and its constructor.
///
/// A prefix type: new fields go below the one marked `#[sabi(last_prefix_field)]`, and moving
/// that attribute is a breaking change of the interface.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = ConnectorMod_Ref)))]
pub struct ConnectorMod {
    /// The connector type name used in deployments (`define connector x from TYPE`).
    pub connector_type: RStr<'static>,
    /// The version of the connector crate, for `tremor plugins list`.
    pub connector_version: RStr<'static>,
    /// The interface version the connector was built against ([`crate::INTERFACE_VERSION`]).
    pub interface_version: RStr<'static>,
    /// Creates an instance. Panics inside are caught and returned as errors.
    // New fields go below this one; moving `last_prefix_field` is a breaking change.
    #[sabi(last_prefix_field)]
    pub new: extern "C" fn(
        ctx: ConnectorContext,
        config: RStr<'_>,
    ) -> RResult<RawConnectorBox, ConnectorError>,
    /// The input ports the sink part takes events on (`in`, and e.g. `stdout`/`stderr` for
    /// stdio), so that a deployment connecting to any other port fails with its position.
    /// Added after `new`: a host reads it with `ConnectorMod_Ref::input_ports()`, which is
    /// `None` for connectors built before it existed (then every port is accepted).
    pub input_ports: RSlice<'static, RStr<'static>>,
    /// Whether the connector takes the deployment's connector-level codec (`codec = "string"`
    /// beside `config`) as the key `codec` of its config record. Structured connectors that
    /// apply codecs to the bodies they carry (http, where 0.12's connector-level codec is the
    /// body codec) set it; for every other structured connector the runtime ignores such a
    /// codec with a warning. Added in pdk 0.4.0 as the last field, read with
    /// `ConnectorMod_Ref::codec_in_config()` (a later field added after it leaves this one
    /// readable from 0.4 plugins).
    pub codec_in_config: bool,
}

impl RootModule for ConnectorMod_Ref {
    declare_root_module_statics! {ConnectorMod_Ref}
    const BASE_NAME: &'static str = "tremor_connector";
    const NAME: &'static str = "tremor connector";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

impl ConnectorMod {
    /// The body of every generated `new`: installs the logging bridge, runs the connector's
    /// constructor with panics caught and wraps the result for the boundary.
    pub fn construct<C: Connector>(
        ctx: ConnectorContext,
        config: RStr<'_>,
        constructor: fn(ConnectorContext, &str) -> Result<C, ConnectorError>,
    ) -> RResult<RawConnectorBox, ConnectorError> {
        logging::install(&ctx);
        catch(|| constructor(ctx, config.as_str()).map(into_raw_connector)).into()
    }
}

/// A builtin connector, submitted to `inventory` by [`crate::connector_module!`]. The runtime
/// collects them; plugins never rely on it (a cdylib has its own registry).
pub struct BuiltinConnector {
    /// Returns the connector's root module.
    pub connector_module: fn() -> ConnectorMod_Ref,
}

inventory::collect!(BuiltinConnector);

impl BuiltinConnector {
    /// Every builtin connector linked into this binary, in unspecified order.
    pub fn all() -> impl Iterator<Item = &'static BuiltinConnector> {
        inventory::iter::<BuiltinConnector>.into_iter()
    }
}
