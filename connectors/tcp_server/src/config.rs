//! The configuration of `tcp_server`.

use serde::Deserialize;
use tremor_connector_net::{
    AddressField, BufSize, SocketConfig, TcpSocketOptions, TlsAcceptor, TlsServerConfig,
};
use tremor_pdk::Result;

/// Configuration of the TCP server.
///
/// ```json
/// {"url": "127.0.0.1:4242", "buf_size": 8192, "backlog": 128,
///  "socket_options": {"SO_REUSEPORT": false, "SO_REUSEADDR": true, "TCP_NODELAY": true}}
/// ```
///
/// Every key of Tremor 0.12 and 0.13 is accepted, `tls` as in Tremor 0.13:
/// `{"cert": PATH, "key": PATH}` (PEM files, read when the connector is created).
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
    /// How many connections the kernel queues until they are accepted (`listen()`'s backlog;
    /// default 128, as in Tremor).
    #[serde(default = "default_backlog")]
    pub backlog: i32,
    /// Socket options with Tremor 0.13's names and defaults, for the listener and the accepted
    /// connections: `SO_REUSEPORT` (false), `SO_REUSEADDR` (true), `TCP_NODELAY` (true).
    #[serde(default)]
    pub socket_options: TcpSocketOptions,
    /// TLS: `{"cert": PATH, "key": PATH}`, the server's PEM certificate (chain) and private
    /// key. Absent, `null` or `false` (default): plain TCP.
    #[serde(default)]
    pub tls: Option<serde_json::Value>,
}

fn default_backlog() -> i32 {
    128
}

impl SocketConfig for TcpServerConfig {
    const CONNECTOR_TYPE: &'static str = crate::CONNECTOR_TYPE;

    fn check(&self) -> Result<()> {
        // The files are read now, so that a bad one fails the connector's creation.
        self.tls_acceptor()?;
        self.address().map(drop)
    }
}

impl TcpServerConfig {
    /// `TCP_NODELAY` on accepted connections (default true).
    pub fn tcp_nodelay(&self) -> bool {
        self.socket_options.nodelay_or(true)
    }

    /// The TLS handshake for accepted connections, from the `tls` files; `None`: plain TCP.
    pub fn tls_acceptor(&self) -> Result<Option<TlsAcceptor>> {
        TlsServerConfig::from_field(crate::CONNECTOR_TYPE, self.tls.as_ref())?
            .map(|tls| tls.acceptor(crate::CONNECTOR_TYPE))
            .transpose()
    }

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
        assert!(c.tcp_nodelay() && !c.socket_options.so_reuseport);
        assert!(c.socket_options.reuseaddr());
        assert_eq!((c.backlog, c.tls.as_ref()), (128, None));
        let c = TcpServerConfig::from_json(
            r#"{"url": "127.0.0.1:1", "backlog": 7, "tls": null,
                "socket_options": {"SO_REUSEPORT": true, "SO_REUSEADDR": false, "TCP_NODELAY": false}}"#,
        )
        .expect("valid");
        assert!(c.socket_options.so_reuseport && !c.tcp_nodelay());
        assert!(!c.socket_options.reuseaddr());
        assert_eq!(c.backlog, 7);
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
                (
                    r#"{"url": "127.0.0.1:1", "backlog": "many"}"#,
                    "expected i32",
                ),
                (
                    r#"{"url": "127.0.0.1:1", "tls": {"cert": "c.pem", "key": "k.pem"}}"#,
                    "tcp_server `tls.cert`: cannot read c.pem",
                ),
                (
                    r#"{"url": "127.0.0.1:1", "tls": {"cert": "c.pem"}}"#,
                    "tcp_server `tls` needs `key`",
                ),
                (
                    r#"{"url": "127.0.0.1:1", "tls": true}"#,
                    "expected {\"cert\"",
                ),
                (
                    r#"{"url": "127.0.0.1:1", "tls": {"cert": "c", "key": "k", "ca": "x"}}"#,
                    "unknown field `ca`",
                ),
            ],
        );
    }
}
