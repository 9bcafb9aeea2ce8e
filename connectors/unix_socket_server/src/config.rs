//! The configuration of `unix_socket_server`.

use serde::Deserialize;
use tremor_connector_net::{check_socket_path, BufSize, SocketConfig};
use tremor_pdk::{ConnectorError, Result};

/// Configuration of the Unix socket server.
///
/// ```json
/// {"path": "/run/tremor/in.sock", "permissions": "=600", "buf_size": 8192}
/// ```
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UnixSocketServerConfig {
    /// The socket file to listen on, relative to the working directory of the process
    /// (required; no default). A stale socket file left there is removed before binding; the
    /// connector removes its socket file when it stops.
    pub path: String,
    /// The file mode of the socket file as octal digits: `"=600"`, `"600"` or `"0o600"`
    /// (default: none, the mode the process's umask gives). Who may connect depends on it.
    #[serde(default)]
    pub permissions: Option<String>,
    /// The size of the read buffer of each connection, in bytes (default 8192): the most data
    /// one read hands to the runtime. Must be > 0.
    #[serde(default)]
    pub buf_size: BufSize,
}

impl SocketConfig for UnixSocketServerConfig {
    const CONNECTOR_TYPE: &'static str = crate::CONNECTOR_TYPE;

    fn check(&self) -> Result<()> {
        check_socket_path(crate::CONNECTOR_TYPE, &self.path)?;
        self.mode().map(drop)
    }
}

impl UnixSocketServerConfig {
    /// The file mode from `permissions`, if set.
    pub fn mode(&self) -> Result<Option<u32>> {
        self.permissions.as_deref().map(parse_mode).transpose()
    }
}

/// `=600`, `600`, `0600` or `0o600` → `0o600`.
fn parse_mode(text: &str) -> Result<u32> {
    let digits = text.strip_prefix('=').unwrap_or(text);
    let digits = digits.strip_prefix("0o").unwrap_or(digits);
    let valid =
        (3..=4).contains(&digits.len()) && digits.bytes().all(|b| (b'0'..=b'7').contains(&b));
    if !valid {
        return Err(ConnectorError::config(format!(
            "unix_socket_server `permissions` {text:?}: expected octal digits such as \"=600\", \"600\" or \"0o600\""
        )));
    }
    u32::from_str_radix(digits, 8).map_err(|e| ConnectorError::config(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_permissions_in_every_spelling() {
        for (text, mode) in [
            ("=600", 0o600),
            ("600", 0o600),
            ("0o640", 0o640),
            ("0777", 0o777),
        ] {
            assert_eq!(parse_mode(text).expect(text), mode, "{text}");
        }
        let c = UnixSocketServerConfig::from_json(r#"{"path": "x.sock"}"#).expect("valid");
        assert_eq!((c.mode().expect("ok"), c.buf_size.bytes()), (None, 8192));
    }

    #[test]
    fn rejects_bad_configs() {
        tremor_connector_net::testing::rejects_bad_path_configs::<UnixSocketServerConfig>(&[
            (r#"{"path": "x", "permission": "600"}"#, "permission"),
            (
                r#"{"path": "x", "permissions": "rw-------"}"#,
                "permissions",
            ),
            (r#"{"path": "x", "permissions": "=800"}"#, "permissions"),
        ]);
    }
}
