//! A connector's `url`: scheme, host and port (Tremor accepts `host:port` without a scheme).

use tremor_pdk::{config, Result};

/// Where a server listens or a client sends to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `http` or `https`.
    pub scheme: String,
    /// The host as written (a name, an IPv4 address or a bracketed IPv6 address).
    pub host: String,
    /// The port (the scheme's default when the url names none).
    pub port: u16,
    /// The url as a full URI (`scheme://host:port/path?query`).
    pub uri: hyper::Uri,
}

impl Endpoint {
    /// Parses `url` for a connector of type `connector_type`.
    pub fn parse(connector_type: &str, url: &str) -> Result<Self> {
        let full = if url.contains("://") {
            url.to_string()
        } else {
            format!("http://{url}")
        };
        let bad = |why: String| config::invalid(connector_type, format!("`url` {url:?}: {why}"));
        let uri: hyper::Uri = full.parse().map_err(|e| bad(format!("{e}")))?;
        let scheme = uri.scheme_str().unwrap_or("http").to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(bad(format!("scheme `{scheme}` is neither http nor https")));
        }
        let authority = uri.authority().ok_or_else(|| bad("no host".into()))?;
        let host = authority.host().to_string();
        if host.is_empty() {
            return Err(bad("no host".into()));
        }
        let port = authority
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        Ok(Self {
            scheme,
            host,
            port,
            uri,
        })
    }

    /// `host:port`, for binding and dialing.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.scheme == "https"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_and_without_scheme_and_port() {
        let e = Endpoint::parse("http_server", "http://localhost:65535/").expect("valid");
        assert_eq!(
            (e.host.as_str(), e.port, e.is_https()),
            ("localhost", 65535, false)
        );
        let e = Endpoint::parse("http_client", "https://example.com/a?b=c").expect("valid");
        assert_eq!(
            (e.address().as_str(), e.is_https()),
            ("example.com:443", true)
        );
        assert_eq!(e.uri.path_and_query().map(|p| p.as_str()), Some("/a?b=c"));
        let e = Endpoint::parse("http_server", "127.0.0.1:8080").expect("valid");
        assert_eq!(e.address(), "127.0.0.1:8080");
        let e = Endpoint::parse("http_server", "http://[::1]:81").expect("valid");
        assert_eq!(e.address(), "[::1]:81");
        for bad in ["ftp://x/", "http://", "http://a b/"] {
            let err = Endpoint::parse("http_client", bad).expect_err(bad);
            assert!(
                err.message.starts_with("invalid http_client config: `url`"),
                "{err}"
            );
        }
    }
}
