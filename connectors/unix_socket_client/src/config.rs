//! The configuration of `unix_socket_client`.

use serde::Deserialize;
use tremor_connector_net::{check_socket_path, BufSize, SocketConfig};
use tremor_pdk::Result;

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

impl SocketConfig for UnixSocketClientConfig {
    const CONNECTOR_TYPE: &'static str = crate::CONNECTOR_TYPE;

    fn check(&self) -> Result<()> {
        check_socket_path(crate::CONNECTOR_TYPE, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        let c = UnixSocketClientConfig::from_json(r#"{"path": "a.sock"}"#).expect("valid");
        assert_eq!((c.path.as_str(), c.buf_size.bytes()), ("a.sock", 8192));
        tremor_connector_net::testing::rejects_bad_path_configs::<UnixSocketClientConfig>(&[(
            r#"{"path": "a", "url": "b"}"#,
            "url",
        )]);
    }
}
