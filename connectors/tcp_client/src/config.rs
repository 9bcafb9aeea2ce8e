//! The configuration of `tcp_client`.

use serde::Deserialize;
use tremor_connector_net::{tcp_nodelay_default, AddressField, BufSize, SocketConfig};
use tremor_pdk::Result;

/// Configuration of the TCP client.
///
/// ```json
/// {"url": "127.0.0.1:4242", "no_delay": true, "buf_size": 8192}
/// ```
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TcpClientConfig {
    /// The server to connect to: `host:port` or `tcp://host:port` (required; no default).
    /// `host` is an IP address or a name resolved at every connect.
    pub url: String,
    /// Send small writes at once instead of coalescing them (disables Nagle's algorithm,
    /// `TCP_NODELAY`; default `true`).
    #[serde(default = "tcp_nodelay_default")]
    pub no_delay: bool,
    /// The size of the read buffer, in bytes (default 8192): the most data one read hands to
    /// the runtime. Must be > 0.
    #[serde(default)]
    pub buf_size: BufSize,
    /// Socket options with Tremor's names: `{"TCP_NODELAY": bool}` (overrides `no_delay`).
    #[serde(default)]
    pub socket_options: TcpClientSocketOptions,
}

/// Tremor's `socket_options` of a TCP client.
#[derive(Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TcpClientSocketOptions {
    /// `TCP_NODELAY`; when absent, `no_delay` decides.
    #[serde(rename = "TCP_NODELAY", default)]
    pub tcp_nodelay: Option<bool>,
}

impl SocketConfig for TcpClientConfig {
    const CONNECTOR_TYPE: &'static str = crate::CONNECTOR_TYPE;

    fn check(&self) -> Result<()> {
        self.address().map(drop)
    }
}

impl TcpClientConfig {
    /// Whether `TCP_NODELAY` is set: `socket_options.TCP_NODELAY`, else `no_delay`.
    pub fn tcp_nodelay(&self) -> bool {
        self.socket_options.tcp_nodelay.unwrap_or(self.no_delay)
    }

    /// The `host:port` to connect to, without the scheme.
    pub fn address(&self) -> Result<String> {
        AddressField::connect_url(crate::CONNECTOR_TYPE, "tcp").host_port(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_and_tcp_urls_with_defaults() {
        let c = TcpClientConfig::from_json(r#"{"url": "tcp://localhost:4242"}"#).expect("valid");
        assert_eq!(c.address().expect("ok"), "localhost:4242");
        assert!(c.no_delay);
        assert_eq!(c.buf_size.bytes(), 8192);
        let c = TcpClientConfig::from_json(
            r#"{"url": "127.0.0.1:1", "no_delay": false, "buf_size": 9}"#,
        )
        .expect("valid");
        assert_eq!((c.no_delay, c.buf_size.bytes()), (false, 9));
        assert!(!c.tcp_nodelay());
        let c = TcpClientConfig::from_json(
            r#"{"url": "127.0.0.1:1", "no_delay": true, "socket_options": {"TCP_NODELAY": false}}"#,
        )
        .expect("Tremor's socket_options");
        assert!(!c.tcp_nodelay());
        let c = TcpClientConfig::from_json(r#"{"url": "127.0.0.1:1", "socket_options": {}}"#)
            .expect("empty socket_options");
        assert!(c.tcp_nodelay());
    }

    #[test]
    fn rejects_bad_configs() {
        tremor_connector_net::testing::rejects_bad_url_configs::<TcpClientConfig>(
            "http",
            &[
                (r#"{"url": "127.0.0.1:1", "nodelay": true}"#, "nodelay"),
                (r#"{"url": "127.0.0.1:0"}"#, "port"),
            ],
        );
    }
}
