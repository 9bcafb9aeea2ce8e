//! What the host hands a connector: its identity and the few services it may use.

use crate::logging::LogLevel;
use abi_stable::{
    sabi_trait,
    std_types::{RArc, RStr, RString, RVec},
    StableAbi,
};

/// Services the runtime provides to a connector. Implemented by the host; plugin authors use
/// [`ConnectorContext`], which wraps it.
#[sabi_trait]
pub trait HostServices: Send + Sync + Clone {
    /// The alias of the connector instance (`create connector ALIAS`).
    fn alias(&self) -> RString;

    /// The connection to the outside world is gone: the runtime pauses the connector and
    /// reconnects per its reconnect policy.
    fn connection_lost(&self);

    /// Stops the whole runtime after `delay_ns`; the process exits with `exit_code`. With
    /// `graceful`, connectors drain first.
    fn request_stop(&self, exit_code: i32, delay_ns: u64, graceful: bool);

    /// Emits a log record through the host's logger.
    fn log(&self, level: LogLevel, target: RStr<'_>, message: RStr<'_>);

    /// The most verbose level the host's logger lets through.
    fn max_log_level(&self) -> LogLevel;

    /// The host's clock: nanoseconds since the UNIX epoch.
    // New methods go below this one, each with a default body (what a plugin gets from a host
    // whose vtable is shorter); moving `last_prefix_field` is a breaking change.
    #[sabi(last_prefix_field)]
    fn now_ns(&self) -> u64;

    /// The runtime's metrics records (one JSON document each, Tremor's shape) reported since
    /// the last call of this connector instance; the first call subscribes it. Added in pdk
    /// 0.3.0. The default body is what a plugin gets from a host whose vtable ends before this
    /// method (abi_stable lets a plugin's prefix types be longer than the host's, never
    /// shorter): no metrics.
    fn take_metrics(&self) -> RVec<RVec<u8>> {
        RVec::new()
    }

    /// Hands a metrics record (one JSON document) to every connector that takes metrics.
    /// Returns whether the host accepted it. Added in pdk 0.3.0; from a host whose vtable
    /// ends before it, the default: nothing accepted.
    fn publish_metric(&self, record: RVec<u8>) -> bool {
        drop(record);
        false
    }
}

/// A shared, type-erased [`HostServices`] as it crosses the boundary.
pub type HostServicesBox = HostServices_TO<'static, RArc<()>>;

/// The context of one connector instance. Cheap to clone; keep a copy in the parts that need it.
#[repr(transparent)]
#[derive(StableAbi, Clone)]
pub struct ConnectorContext {
    host: HostServicesBox,
}

impl ConnectorContext {
    /// Wraps the host's services (called by the runtime).
    pub fn new(host: HostServicesBox) -> Self {
        Self { host }
    }

    /// The alias of this connector instance, for messages.
    pub fn alias(&self) -> String {
        self.host.alias().into()
    }

    /// Reports that the connection is lost; the runtime reconnects per policy.
    pub fn connection_lost(&self) {
        self.host.connection_lost();
    }

    /// Asks the runtime to stop and the process to exit with `exit_code` after `delay_ns`.
    pub fn request_stop(&self, exit_code: i32, delay_ns: u64, graceful: bool) {
        self.host.request_stop(exit_code, delay_ns, graceful);
    }

    /// Logs through the host (plugins: `log::info!` etc. already end up here).
    pub fn log(&self, level: LogLevel, target: &str, message: &str) {
        self.host
            .log(level, RStr::from_str(target), RStr::from_str(message));
    }

    /// The most verbose level the host logs.
    pub fn max_log_level(&self) -> LogLevel {
        self.host.max_log_level()
    }

    /// The host's clock in nanoseconds since the UNIX epoch.
    pub fn now_ns(&self) -> u64 {
        self.host.now_ns()
    }

    /// The runtime's metrics records reported since the last call (JSON documents in Tremor's
    /// shape: `{"measurement", "tags", "fields", "timestamp"}`); empty from a host that has no
    /// metrics service. Used by the `metrics` connector.
    pub fn take_metrics(&self) -> Vec<RVec<u8>> {
        self.host.take_metrics().into_vec()
    }

    /// Publishes a metrics record (one JSON document) to every connector that takes metrics;
    /// `false` when the host has no metrics service.
    pub fn publish_metric(&self, record: Vec<u8>) -> bool {
        self.host.publish_metric(RVec::from(record))
    }
}

impl std::fmt::Debug for ConnectorContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectorContext")
            .field("alias", &self.alias())
            .finish()
    }
}
