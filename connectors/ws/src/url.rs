//! The `url` field of the WebSocket connectors: `[ws|wss://]host[:port][/path]`.

use tremor_pdk::{ConnectorError, Result};

/// A WebSocket url taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WsUrl {
    /// `wss://`: the scheme asks for TLS.
    pub secure: bool,
    /// The host as written (a name, an IPv4 address or a bracketed IPv6 address).
    pub host: String,
    /// The port, if the url names one.
    pub port: Option<u16>,
    /// The request path (with the query), `/` when the url has none.
    pub path: String,
}

impl WsUrl {
    /// Parses `url`; errors (kind `config`) name the connector type and the value.
    pub fn parse(connector_type: &str, url: &str) -> Result<Self> {
        let bad =
            |why: &str| ConnectorError::config(format!("{connector_type} `url` {url:?}: {why}"));
        let (secure, rest) = match url.split_once("://") {
            None => (false, url),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("ws") => (false, rest),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("wss") => (true, rest),
            Some((scheme, _)) => {
                return Err(bad(&format!(
                    "unsupported scheme `{scheme}` (use ws:// or wss://)"
                )))
            }
        };
        let (authority, path) = rest
            .find(['/', '?'])
            .map_or((rest, "/"), |i| rest.split_at(i));
        let path = if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_string()
        };
        // `[::1]` has colons but no port; `[::1]:80` and `h:80` have one.
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !authority.ends_with(']') => {
                let port = port
                    .parse::<u16>()
                    .map_err(|_| bad("the port must be a number from 0 to 65535"))?;
                (host, Some(port))
            }
            _ => (authority, None),
        };
        if host.is_empty() {
            return Err(bad("expected [ws|wss://]host[:port][/path]"));
        }
        Ok(Self {
            secure,
            host: host.to_string(),
            port,
            path,
        })
    }

    /// `host:port` to listen on; without a port, Tremor's default for the scheme (80, or 443
    /// for `wss://`).
    pub fn bind_address(&self) -> String {
        let port = self.port.unwrap_or(if self.secure { 443 } else { 80 });
        format!("{}:{port}", self.host)
    }

    /// `host:port` to connect to: a client's url must name a port from 1 to 65535, as in Tremor.
    pub fn connect_address(&self, connector_type: &str) -> Result<String> {
        match self.port {
            Some(port) if port > 0 => Ok(format!("{}:{port}", self.host)),
            _ => Err(ConnectorError::config(format!(
                "{connector_type} `url`: a port from 1 to 65535 is required (e.g. ws://{}:8080/)",
                self.host
            ))),
        }
    }

    /// The url of the upgrade request.
    pub fn request_url(&self, port: u16) -> String {
        let scheme = if self.secure { "wss" } else { "ws" };
        format!("{scheme}://{}:{port}{}", self.host, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> WsUrl {
        WsUrl::parse("ws_client", url).expect(url)
    }

    #[test]
    fn takes_apart_the_forms_tremor_accepts() {
        let u = parse("ws://127.0.0.1:4242/");
        assert_eq!(
            (u.secure, u.host.as_str(), u.port, u.path.as_str()),
            (false, "127.0.0.1", Some(4242), "/")
        );
        let u = parse("WSS://localhost:6553/chat?room=1");
        assert_eq!(
            (u.secure, u.port, u.path.as_str()),
            (true, Some(6553), "/chat?room=1")
        );
        assert_eq!(u.request_url(6553), "wss://localhost:6553/chat?room=1");
        let u = parse("127.0.0.1:4242");
        assert_eq!(
            (u.secure, u.bind_address()),
            (false, "127.0.0.1:4242".to_string())
        );
        assert_eq!(parse("localhost?x").path, "/?x");
        assert_eq!(parse("[::1]:80").host, "[::1]");
    }

    #[test]
    fn a_server_without_a_port_takes_the_schemes_default_a_client_refuses() {
        assert_eq!(parse("ws://example.org").bind_address(), "example.org:80");
        assert_eq!(parse("wss://[::1]/x").bind_address(), "[::1]:443");
        assert_eq!(parse("h:0").bind_address(), "h:0");
        for url in ["ws://h/", "h:0"] {
            let err = parse(url).connect_address("ws_client").expect_err(url);
            assert!(
                err.message.contains("a port from 1 to 65535 is required"),
                "{err}"
            );
        }
        assert_eq!(
            parse("h:1").connect_address("ws_client").expect("ok"),
            "h:1"
        );
    }

    #[test]
    fn errors_name_the_connector_and_the_problem() {
        for (url, needle) in [
            (
                "http://h:1",
                "unsupported scheme `http` (use ws:// or wss://)",
            ),
            ("ws://:1/", "expected [ws|wss://]host[:port][/path]"),
            ("h:99999", "from 0 to 65535"),
            ("h:x/", "from 0 to 65535"),
        ] {
            let err = WsUrl::parse("ws_server", url).expect_err(url);
            assert_eq!(err.kind, tremor_pdk::ErrorKind::CONFIG);
            assert!(err.message.starts_with("ws_server `url` "), "{err}");
            assert!(err.message.contains(needle), "{url}: {err}");
        }
    }
}
