//! The `url` fields of the IP connectors.

use tremor_pdk::{ConnectorError, Result};

/// Where an address comes from, for checking it and for the error message.
#[derive(Debug, Clone, Copy)]
pub struct AddressField<'a> {
    /// The connector type, e.g. `"tcp_server"`.
    pub connector_type: &'a str,
    /// The config field, e.g. `"url"`.
    pub field: &'a str,
    /// The URL scheme the field may start with (`"tcp"` for `tcp://`); `None`: no scheme.
    pub scheme: Option<&'a str>,
    /// Whether port 0 (the system picks one) is allowed: for binding, not for connecting.
    pub port_zero: bool,
}

impl<'a> AddressField<'a> {
    /// The `url` of a connector that connects: `scheme://` allowed, port 0 is no port.
    pub const fn connect_url(connector_type: &'a str, scheme: &'a str) -> Self {
        Self {
            connector_type,
            field: "url",
            scheme: Some(scheme),
            port_zero: false,
        }
    }

    /// The `url` of a connector that binds: `scheme://` allowed, port 0 lets the system pick.
    pub const fn bind_url(connector_type: &'a str, scheme: &'a str) -> Self {
        Self {
            port_zero: true,
            ..Self::connect_url(connector_type, scheme)
        }
    }

    /// `host:port` from `host:port` or `SCHEME://host:port[/]`; an error of kind `config`
    /// naming the connector type, the field and the value otherwise.
    pub fn host_port(&self, url: &str) -> Result<String> {
        let bad = |why: &str| {
            ConnectorError::config(format!(
                "{} `{}` {url:?}: {why}",
                self.connector_type, self.field
            ))
        };
        let rest = match (url.split_once("://"), self.scheme) {
            (Some((scheme, rest)), Some(allowed)) if scheme.eq_ignore_ascii_case(allowed) => rest,
            (Some((scheme, _)), Some(allowed)) => {
                return Err(bad(&format!(
                    "unsupported scheme `{scheme}` (use {allowed}://)"
                )))
            }
            (Some((scheme, _)), None) => {
                return Err(bad(&format!("unsupported scheme `{scheme}`")))
            }
            (None, _) => url,
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = rest
            .rsplit_once(':')
            .ok_or_else(|| bad("expected host:port"))?;
        if host.is_empty() || host.contains('/') {
            return Err(bad("expected host:port"));
        }
        match port.parse::<u16>() {
            Ok(0) if !self.port_zero => Err(bad("the port must be a number from 1 to 65535")),
            Ok(_) => Ok(rest.to_string()),
            Err(_) if self.port_zero => Err(bad("the port must be a number from 0 to 65535")),
            Err(_) => Err(bad("the port must be a number from 1 to 65535")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONNECT: AddressField<'static> = AddressField::connect_url("tcp_client", "tcp");

    #[test]
    fn accepts_host_port_with_or_without_the_scheme() {
        assert_eq!(CONNECT.host_port("tcp://h:1/").expect("ok"), "h:1");
        assert_eq!(CONNECT.host_port("TCP://h:1").expect("ok"), "h:1");
        assert_eq!(CONNECT.host_port("[::1]:80").expect("ok"), "[::1]:80");
        let bind = AddressField::bind_url("tcp_server", "tcp");
        assert_eq!(bind.host_port("127.0.0.1:0").expect("ok"), "127.0.0.1:0");
    }

    #[test]
    fn errors_name_the_connector_the_field_and_the_problem() {
        for (url, needle) in [
            ("udp://h:1", "unsupported scheme `udp` (use tcp://)"),
            ("h", "expected host:port"),
            (":1", "expected host:port"),
            ("h/x:1", "expected host:port"),
            ("h:0", "from 1 to 65535"),
            ("h:99999", "from 1 to 65535"),
        ] {
            let err = CONNECT.host_port(url).expect_err(url);
            assert_eq!(err.kind, tremor_pdk::ErrorKind::CONFIG);
            assert!(err.message.starts_with("tcp_client `url` "), "{err}");
            assert!(err.message.contains(needle), "{url}: {err}");
        }
        let bind = AddressField {
            connector_type: "udp_client",
            field: "bind",
            scheme: None,
            port_zero: true,
        };
        let err = bind.host_port("udp://h:1").expect_err("no scheme in bind");
        assert!(err.message.contains("unsupported scheme `udp`"), "{err}");
        let err = bind.host_port("h:x").expect_err("bad port");
        assert!(err.message.contains("from 0 to 65535"), "{err}");
    }
}
