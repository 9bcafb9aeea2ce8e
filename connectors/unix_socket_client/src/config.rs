//! The configuration of `unix_socket_client`.

use serde::Deserialize;
use tremor_connector_net::BufSize;
use tremor_pdk::{ConnectorError, Result};

/// Configuration of the Unix socket client.
///
/// ```json
/// {"path": "/run/app.sock", "buf_size": 8192}
/// ```
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UnixSocketClientConfig {
    /// The socket file to connect to, relative to the working directory of the process
    /// (required; no default).
    pub path: String,
    /// The size of the read buffer, in bytes (default 8192): the most data one read hands to
    /// the runtime. Must be > 0.
    #[serde(default)]
    pub buf_size: BufSize,
}

impl UnixSocketClientConfig {
    /// Parses and checks the config record (JSON text).
    pub fn from_json(config: &str) -> Result<Self> {
        let config: Self = tremor_pdk::config::parse(crate::CONNECTOR_TYPE, config)?;
        if config.path.is_empty() {
            return Err(ConnectorError::config(
                "unix_socket_client `path` must not be empty",
            ));
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        let c = UnixSocketClientConfig::from_json(r#"{"path": "a.sock"}"#).expect("valid");
        assert_eq!((c.path.as_str(), c.buf_size.bytes()), ("a.sock", 8192));
        for (config, needle) in [
            (r#"{"path": "a", "url": "b"}"#, "url"),
            (r#"{"path": "a", "buf_size": 0}"#, "buf_size"),
            (r#"{"path": ""}"#, "path"),
            (r#"{}"#, "path"),
        ] {
            let err = UnixSocketClientConfig::from_json(config).expect_err(config);
            assert_eq!(err.kind, tremor_pdk::ErrorKind::CONFIG);
            assert!(err.message.contains(needle), "{config}: {err}");
        }
    }
}
