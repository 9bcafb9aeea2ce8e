//! What the socket connectors' configs share: parsing with pdk's uniform error, then the checks
//! serde cannot express.

use serde::de::DeserializeOwned;
use tremor_pdk::{ConnectorError, Result};

/// A socket connector's config record.
pub trait SocketConfig: DeserializeOwned {
    /// The connector type, named in error messages.
    const CONNECTOR_TYPE: &'static str;

    /// Checks what serde cannot (an address that must parse, a path that must not be empty),
    /// with errors of kind `config` naming the connector type and the field.
    fn check(&self) -> Result<()>;

    /// Parses (see `tremor_pdk::config::parse`) and checks the config record (JSON text).
    fn from_json(config: &str) -> Result<Self> {
        let config: Self = tremor_pdk::config::parse(Self::CONNECTOR_TYPE, config)?;
        config.check()?;
        Ok(config)
    }
}

/// The default of `TCP_NODELAY` (Nagle's algorithm off): small writes go out at once, as in
/// Tremor.
pub fn tcp_nodelay_default() -> bool {
    true
}

/// A socket file `path` must name something: an error of kind `config` when it is empty.
pub fn check_socket_path(connector_type: &str, path: &str) -> Result<()> {
    if path.is_empty() {
        return Err(ConnectorError::config(format!(
            "{connector_type} `path` must not be empty"
        )));
    }
    Ok(())
}
