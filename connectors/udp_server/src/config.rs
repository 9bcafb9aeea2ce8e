//! The configuration of `udp_server`.

use serde::Deserialize;
use tremor_connector_net::{AddressField, BufSize, SocketConfig, UdpSocketOptions};
use tremor_pdk::Result;

/// Configuration of the UDP server.
///
/// ```json
/// {"url": "127.0.0.1:4242", "buf_size": 65535,
///  "socket_options": {"SO_REUSEPORT": false, "SO_REUSEADDR": true}}
/// ```
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UdpServerConfig {
    /// The address to receive datagrams on: `host:port` or `udp://host:port` (required; no
    /// default). `host` is an IP address or a name resolved at connect time; port `0` lets the
    /// system pick a free port.
    pub url: String,
    /// The receive buffer, in bytes (default 65535, the largest UDP payload): a longer
    /// datagram is cut to this size. Must be > 0.
    #[serde(default = "BufSize::max_datagram")]
    pub buf_size: BufSize,
    /// Socket options with Tremor 0.13's names and defaults: `SO_REUSEPORT` (false; several
    /// sockets may bind one port and share the datagrams), `SO_REUSEADDR` (true).
    #[serde(default)]
    pub socket_options: UdpSocketOptions,
}

impl SocketConfig for UdpServerConfig {
    const CONNECTOR_TYPE: &'static str = crate::CONNECTOR_TYPE;

    fn check(&self) -> Result<()> {
        self.address().map(drop)
    }
}

impl UdpServerConfig {
    /// The `host:port` to bind, without the scheme.
    pub fn address(&self) -> Result<String> {
        AddressField::bind_url(crate::CONNECTOR_TYPE, "udp").host_port(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_and_udp_urls() {
        let c = UdpServerConfig::from_json(r#"{"url": "udp://127.0.0.1:4242"}"#).expect("valid");
        assert_eq!(
            (c.address().expect("ok").as_str(), c.buf_size.bytes()),
            ("127.0.0.1:4242", 65535)
        );
        assert_eq!(c.socket_options, UdpSocketOptions::default());
        let c = UdpServerConfig::from_json(
            r#"{"url": "127.0.0.1:1", "socket_options": {"SO_REUSEPORT": true, "SO_REUSEADDR": false}}"#,
        )
        .expect("Tremor 0.13's socket_options");
        assert!(c.socket_options.so_reuseport && !c.socket_options.so_reuseaddr);
    }

    #[test]
    fn rejects_bad_configs() {
        tremor_connector_net::testing::rejects_bad_url_configs::<UdpServerConfig>(
            "tcp",
            &[
                (r#"{"url": "127.0.0.1:1", "bind": "x"}"#, "bind"),
                (
                    r#"{"url": "127.0.0.1:1", "socket_options": {"SO_REUSEPORT": 1}}"#,
                    "expected a boolean",
                ),
            ],
        );
    }
}
