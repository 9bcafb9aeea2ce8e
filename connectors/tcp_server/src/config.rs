//! The configuration of `tcp_server`.

use serde::Deserialize;
use tremor_connector_net::{tcp_nodelay_default, AddressField, BufSize, SocketConfig};
use tremor_pdk::Result;

/// Configuration of the TCP server.
///
/// ```json
/// {"url": "127.0.0.1:4242", "buf_size": 8192,
///  "socket_options": {"SO_REUSEPORT": false, "TCP_NODELAY": true}}
/// ```
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TcpServerConfig {
    /// The address to listen on: `host:port` or `tcp://host:port` (required; no default).
    /// `host` is an IP address or a name resolved at connect time; port `0` lets the system
    /// pick a free port.
    pub url: String,
    /// The size of the read buffer of each connection, in bytes (default 8192): the most data
    /// one read hands to the runtime. Must be > 0.
    #[serde(default)]
    pub buf_size: BufSize,
    /// Socket options, with Tremor's names (default: all at their defaults).
    #[serde(default)]
    pub socket_options: TcpSocketOptions,
}

/// Options of the listening socket and of accepted connections (Tremor's `socket_options`).
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TcpSocketOptions {
    /// `SO_REUSEPORT` on the listener: several processes may listen on the same port and the
    /// kernel spreads connections over them (default false).
    #[serde(rename = "SO_REUSEPORT", default)]
    pub so_reuseport: bool,
    /// `TCP_NODELAY` on accepted connections: small replies go out at once instead of waiting
    /// to be coalesced (Nagle's algorithm off; default true).
    #[serde(rename = "TCP_NODELAY", default = "tcp_nodelay_default")]
    pub tcp_nodelay: bool,
}

impl Default for TcpSocketOptions {
    fn default() -> Self {
        Self {
            so_reuseport: false,
            tcp_nodelay: tcp_nodelay_default(),
        }
    }
}

impl SocketConfig for TcpServerConfig {
    const CONNECTOR_TYPE: &'static str = crate::CONNECTOR_TYPE;

    fn check(&self) -> Result<()> {
        self.address().map(drop)
    }
}

impl TcpServerConfig {
    /// The `host:port` to bind, without the scheme.
    pub fn address(&self) -> Result<String> {
        AddressField::bind_url(crate::CONNECTOR_TYPE, "tcp").host_port(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_and_tcp_urls() {
        let c = TcpServerConfig::from_json(r#"{"url": "tcp://127.0.0.1:4242/"}"#).expect("valid");
        assert_eq!(c.address().expect("ok"), "127.0.0.1:4242");
        assert_eq!(c.buf_size.bytes(), 8192);
        let c = TcpServerConfig::from_json(r#"{"url": "[::1]:0", "buf_size": 16}"#).expect("valid");
        assert_eq!(c.address().expect("ok"), "[::1]:0");
        assert_eq!(c.buf_size.bytes(), 16);
    }

    #[test]
    fn socket_options_have_tremors_names_and_defaults() {
        let c = TcpServerConfig::from_json(r#"{"url": "127.0.0.1:1"}"#).expect("valid");
        assert_eq!(c.socket_options, TcpSocketOptions::default());
        assert!(c.socket_options.tcp_nodelay && !c.socket_options.so_reuseport);
        let c = TcpServerConfig::from_json(
            r#"{"url": "127.0.0.1:1", "socket_options": {"SO_REUSEPORT": true, "TCP_NODELAY": false}}"#,
        )
        .expect("valid");
        assert!(c.socket_options.so_reuseport && !c.socket_options.tcp_nodelay);
        let c = TcpServerConfig::from_json(r#"{"url": "127.0.0.1:1", "socket_options": {}}"#)
            .expect("an empty record is all defaults");
        assert_eq!(c.socket_options, TcpSocketOptions::default());
    }

    #[test]
    fn rejects_bad_configs() {
        tremor_connector_net::testing::rejects_bad_url_configs::<TcpServerConfig>(
            "udp",
            &[
                (r#"{"url": "127.0.0.1:1", "bufsize": 3}"#, "bufsize"),
                (r#"{"url": "127.0.0.1:99999"}"#, "port"),
                (r#"{"buf_size": 3}"#, "url"),
                (
                    r#"{"url": "127.0.0.1:1", "socket_options": {"SO_LINGER": 1}}"#,
                    "SO_LINGER",
                ),
            ],
        );
    }
}
