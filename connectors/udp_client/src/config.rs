//! The configuration of `udp_client`.

use serde::Deserialize;
use tremor_connector_net::{AddressField, BufSize, SocketConfig, UdpSocketOptions};
use tremor_pdk::Result;

/// Configuration of the UDP client.
///
/// ```json
/// {"url": "127.0.0.1:4242", "bind": "0.0.0.0:0",
///  "socket_options": {"SO_REUSEPORT": false, "SO_REUSEADDR": true}}
/// ```
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UdpClientConfig {
    /// Where to send datagrams: `host:port` or `udp://host:port` (required; no default).
    /// `host` is an IP address or a name resolved at every connect.
    pub url: String,
    /// The local address to bind, `host:port` (default `"0.0.0.0:0"`, or `"[::]:0"` when `url`
    /// resolves to an IPv6 address: any interface, a port the system picks). Replies to the
    /// datagrams sent arrive there.
    #[serde(default)]
    pub bind: Option<String>,
    /// The receive buffer, in bytes (default 65535, the largest UDP payload): a longer
    /// datagram is cut to this size. Must be > 0.
    #[serde(default = "BufSize::max_datagram")]
    pub buf_size: BufSize,
    /// Socket options with Tremor 0.13's names and defaults: `SO_REUSEPORT` (false; several
    /// sockets may bind one port and share the datagrams), `SO_REUSEADDR` (true).
    #[serde(default)]
    pub socket_options: UdpSocketOptions,
}

impl SocketConfig for UdpClientConfig {
    const CONNECTOR_TYPE: &'static str = crate::CONNECTOR_TYPE;

    fn check(&self) -> Result<()> {
        self.address()?;
        if let Some(bind) = &self.bind {
            let field = AddressField {
                field: "bind",
                scheme: None,
                ..AddressField::bind_url(crate::CONNECTOR_TYPE, "udp")
            };
            field.host_port(bind)?;
        }
        Ok(())
    }
}

impl UdpClientConfig {
    /// The `host:port` to send to, without the scheme.
    pub fn address(&self) -> Result<String> {
        // Port 0 is accepted as it always was (the send fails, not the config).
        AddressField::bind_url(crate::CONNECTOR_TYPE, "udp").host_port(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_urls_and_defaults() {
        let c = UdpClientConfig::from_json(r#"{"url": "udp://127.0.0.1:4242"}"#).expect("valid");
        assert_eq!(c.address().expect("ok"), "127.0.0.1:4242");
        assert_eq!((c.bind.as_deref(), c.buf_size.bytes()), (None, 65535));
        let c = UdpClientConfig::from_json(r#"{"url": "h:1", "bind": "127.0.0.1:5"}"#).expect("ok");
        assert_eq!(c.bind.as_deref(), Some("127.0.0.1:5"));
        assert_eq!(c.socket_options, UdpSocketOptions::default());
        let c = UdpClientConfig::from_json(
            r#"{"url": "h:1", "socket_options": {"SO_REUSEPORT": true, "SO_REUSEADDR": false}}"#,
        )
        .expect("Tremor 0.13's socket_options");
        assert!(c.socket_options.so_reuseport && !c.socket_options.so_reuseaddr);
    }

    #[test]
    fn rejects_bad_configs() {
        tremor_connector_net::testing::rejects_bad_url_configs::<UdpClientConfig>(
            "tcp",
            &[
                (r#"{"url": "127.0.0.1:1", "peer": "x"}"#, "peer"),
                (
                    r#"{"url": "127.0.0.1:1", "bind": "udp://0.0.0.0:0"}"#,
                    "bind",
                ),
                (r#"{"url": "127.0.0.1:1", "bind": "0.0.0.0"}"#, "bind"),
                (
                    r#"{"url": "127.0.0.1:1", "socket_options": {"TCP_NODELAY": true}}"#,
                    "TCP_NODELAY",
                ),
            ],
        );
    }
}
