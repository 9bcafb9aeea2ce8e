//! The configuration of `udp_client`.

use serde::Deserialize;
use tremor_pdk::{ConnectorError, Result};

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
    #[serde(default = "default_buf_size")]
    pub buf_size: usize,
}

fn default_buf_size() -> usize {
    65535
}

impl UdpClientConfig {
    /// Parses and checks the config record (JSON text).
    pub fn from_json(config: &str) -> Result<Self> {
        let config: Self = serde_json::from_str(config)
            .map_err(|e| ConnectorError::config(format!("invalid udp_client config: {e}")))?;
        if config.buf_size == 0 {
            return Err(ConnectorError::config(
                "udp_client `buf_size` must be > 0 bytes",
            ));
        }
        config.address()?;
        if let Some(bind) = &config.bind {
            host_port("bind", bind, false)?;
        }
        Ok(config)
    }

    /// The `host:port` to send to, without the scheme.
    pub fn address(&self) -> Result<String> {
        host_port("url", &self.url, true)
    }
}

/// `host:port` from `host:port` or (for `url`) `udp://host:port[/]`.
fn host_port(field: &str, url: &str, scheme_allowed: bool) -> Result<String> {
    let bad = |why: &str| ConnectorError::config(format!("udp_client `{field}` {url:?}: {why}"));
    let rest = match url.split_once("://") {
        Some((scheme, rest)) if scheme_allowed && scheme.eq_ignore_ascii_case("udp") => rest,
        Some((scheme, _)) => {
            return Err(bad(&format!("unsupported scheme `{scheme}`")));
        }
        None => url,
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = rest
        .rsplit_once(':')
        .ok_or_else(|| bad("expected host:port"))?;
    if host.is_empty() || host.contains('/') {
        return Err(bad("expected host:port"));
    }
    port.parse::<u16>()
        .map_err(|_| bad("the port must be a number from 0 to 65535"))?;
    Ok(rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_urls_and_defaults() {
        let c = UdpClientConfig::from_json(r#"{"url": "udp://127.0.0.1:4242"}"#).expect("valid");
        assert_eq!(c.address().expect("ok"), "127.0.0.1:4242");
        assert_eq!((c.bind.as_deref(), c.buf_size), (None, 65535));
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
