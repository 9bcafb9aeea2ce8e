//! The configuration of `tcp_client`.

use serde::Deserialize;
use tremor_connector_net::{
    tcp_nodelay_default, AddressField, BufSize, SocketConfig, TcpSocketOptions, TlsClientConfig,
};
use tremor_pdk::Result;

/// Configuration of the TCP client.
///
/// ```json
/// {"url": "127.0.0.1:4242", "buf_size": 8192,
///  "socket_options": {"SO_REUSEPORT": false, "SO_REUSEADDR": true, "TCP_NODELAY": true}}
/// ```
///
/// Every key of Tremor 0.12 (`no_delay`) and 0.13 (`socket_options`, `tls`) is accepted.
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
    /// Socket options with Tremor 0.13's names and defaults (`SO_REUSEPORT` false,
    /// `SO_REUSEADDR` true, `TCP_NODELAY`: `no_delay`, which it overrides).
    #[serde(default)]
    pub socket_options: TcpSocketOptions,
    /// TLS: `true` (Mozilla's roots, the url's host is the name to verify) or
    /// `{"cafile": PATH, "domain": NAME, "cert": PATH, "key": PATH}` (each optional: the CA to
    /// trust instead, the name to verify instead, a client certificate and its key; PEM files).
    /// `false`, `null` or absent (default): plain TCP.
    #[serde(default)]
    pub tls: Option<serde_json::Value>,
}

impl SocketConfig for TcpClientConfig {
    const CONNECTOR_TYPE: &'static str = crate::CONNECTOR_TYPE;

    fn check(&self) -> Result<()> {
        // The files are read now, so that a bad one fails the connector's creation.
        if let Some(tls) = self.tls()? {
            tls.connector(crate::CONNECTOR_TYPE)?;
        }
        self.address().map(drop)
    }
}

impl TcpClientConfig {
    /// Whether `TCP_NODELAY` is set: `socket_options.TCP_NODELAY`, else `no_delay`.
    pub fn tcp_nodelay(&self) -> bool {
        self.socket_options.nodelay_or(self.no_delay)
    }

    /// The TLS settings; `None`: plain TCP.
    pub fn tls(&self) -> Result<Option<TlsClientConfig>> {
        TlsClientConfig::from_field(crate::CONNECTOR_TYPE, self.tls.as_ref())
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
    fn accepts_every_socket_option_of_tremor_0_13_and_tls_off() {
        let c = TcpClientConfig::from_json(
            r#"{"url": "127.0.0.1:1", "tls": false,
                "socket_options": {"SO_REUSEPORT": true, "SO_REUSEADDR": false, "TCP_NODELAY": true}}"#,
        )
        .expect("valid");
        assert!(c.socket_options.so_reuseport && !c.socket_options.reuseaddr());
        assert!(c.tcp_nodelay());
        let c = TcpClientConfig::from_json(r#"{"url": "127.0.0.1:1"}"#).expect("valid");
        assert_eq!(c.socket_options, TcpSocketOptions::default());
        assert!(c.socket_options.reuseaddr() && !c.socket_options.so_reuseport);
        let c = TcpClientConfig::from_json(r#"{"url": "localhost:1", "tls": true}"#)
            .expect("TLS with Mozilla's roots");
        assert_eq!(c.tls().expect("valid"), Some(TlsClientConfig::default()));
    }

    #[test]
    fn rejects_bad_configs() {
        tremor_connector_net::testing::rejects_bad_url_configs::<TcpClientConfig>(
            "http",
            &[
                (r#"{"url": "127.0.0.1:1", "nodelay": true}"#, "nodelay"),
                (r#"{"url": "127.0.0.1:0"}"#, "port"),
                (
                    r#"{"url": "127.0.0.1:1", "tls": {"cafile": "ca.pem"}}"#,
                    "tcp_client `tls.cafile`: cannot read ca.pem",
                ),
                (
                    r#"{"url": "127.0.0.1:1", "tls": {"cert": "c.pem"}}"#,
                    "needs both `cert` and `key`",
                ),
                (
                    r#"{"url": "127.0.0.1:1", "tls": "yes"}"#,
                    "expected a boolean",
                ),
                (
                    r#"{"url": "127.0.0.1:1", "tls": {"ca_file": "ca.pem"}}"#,
                    "unknown field `ca_file`",
                ),
                (
                    r#"{"url": "127.0.0.1:1", "socket_options": {"SO_LINGER": 1}}"#,
                    "SO_LINGER",
                ),
            ],
        );
    }
}
