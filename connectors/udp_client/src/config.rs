//! The configuration of `udp_client`.

use serde::Deserialize;
use tremor_connector_net::{AddressField, BufSize};
use tremor_pdk::Result;

/// Configuration of the UDP client.
///
/// ```json
/// {"url": "127.0.0.1:4242", "bind": "0.0.0.0:0"}
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
}

impl UdpClientConfig {
    /// Parses and checks the config record (JSON text).
    pub fn from_json(config: &str) -> Result<Self> {
        let config: Self = tremor_pdk::config::parse(crate::CONNECTOR_TYPE, config)?;
        config.address()?;
        if let Some(bind) = &config.bind {
            let field = AddressField {
                field: "bind",
                scheme: None,
                ..AddressField::bind_url(crate::CONNECTOR_TYPE, "udp")
            };
            field.host_port(bind)?;
        }
        Ok(config)
    }

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
    }

    #[test]
    fn rejects_bad_configs() {
        for (config, needle) in [
            (r#"{"url": "127.0.0.1:1", "peer": "x"}"#, "peer"),
            (r#"{"url": "127.0.0.1:1", "buf_size": 0}"#, "buf_size"),
            (r#"{"url": "tcp://127.0.0.1:1"}"#, "scheme"),
            (
                r#"{"url": "127.0.0.1:1", "bind": "udp://0.0.0.0:0"}"#,
                "bind",
            ),
            (r#"{"url": "127.0.0.1:1", "bind": "0.0.0.0"}"#, "bind"),
            (r#"{}"#, "url"),
        ] {
            let err = UdpClientConfig::from_json(config).expect_err(config);
            assert_eq!(err.kind, tremor_pdk::ErrorKind::CONFIG);
            assert!(err.message.contains(needle), "{config}: {err}");
        }
    }
}
