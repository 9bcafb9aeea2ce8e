//! The configuration of `udp_server`.

use serde::Deserialize;
use tremor_connector_net::{AddressField, BufSize};
use tremor_pdk::Result;

/// Configuration of the UDP server.
///
/// ```json
/// {"url": "127.0.0.1:4242", "buf_size": 65535}
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
}

impl UdpServerConfig {
    /// Parses and checks the config record (JSON text).
    pub fn from_json(config: &str) -> Result<Self> {
        let config: Self = tremor_pdk::config::parse(crate::CONNECTOR_TYPE, config)?;
        config.address()?;
        Ok(config)
    }

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
    }

    #[test]
    fn rejects_bad_configs() {
        for (config, needle) in [
            (r#"{"url": "127.0.0.1:1", "bind": "x"}"#, "bind"),
            (r#"{"url": "127.0.0.1:1", "buf_size": 0}"#, "buf_size"),
            (r#"{"url": "tcp://127.0.0.1:1"}"#, "scheme"),
            (r#"{"url": "127.0.0.1"}"#, "host:port"),
            (r#"{}"#, "url"),
        ] {
            let err = UdpServerConfig::from_json(config).expect_err(config);
            assert_eq!(err.kind, tremor_pdk::ErrorKind::CONFIG);
            assert!(err.message.contains(needle), "{config}: {err}");
        }
    }
}
