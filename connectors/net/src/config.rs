//! What the socket connectors' configs share: parsing with pdk's uniform error, then the checks
//! serde cannot express.

use serde::de::DeserializeOwned;
use tremor_pdk::{ConnectorError, Result};

/// A socket connector's config record.
pub trait SocketConfig: DeserializeOwned {
    /// The connector type, named in error messages.
    const CONNECTOR_TYPE: &'static str;

    /// Checks what serde cannot (an address that must parse, a path that must not be empty),
    /// with errors of kind `config` naming the connector type and the field.
    fn check(&self) -> Result<()>;

    /// Parses (see `tremor_pdk::config::parse`) and checks the config record (JSON text).
    fn from_json(config: &str) -> Result<Self> {
        let config: Self = tremor_pdk::config::parse(Self::CONNECTOR_TYPE, config)?;
        config.check()?;
        Ok(config)
    }
}

/// The default of `TCP_NODELAY` (Nagle's algorithm off): small writes go out at once, as in
/// Tremor.
pub fn tcp_nodelay_default() -> bool {
    true
}

/// A socket file `path` must name something: an error of kind `config` when it is empty.
pub fn check_socket_path(connector_type: &str, path: &str) -> Result<()> {
    if path.is_empty() {
        return Err(ConnectorError::config(format!(
            "{connector_type} `path` must not be empty"
        )));
    }
    Ok(())
}

/// Tremor's `tls` field: absent, `null` or `false` (no TLS) pass; anything else (`true`, a
/// record of certificate files) is an error of kind `config`, since this project does not
/// speak TLS yet.
pub fn check_tls(connector_type: &str, tls: Option<&serde_json::Value>) -> Result<()> {
    match tls {
        None | Some(serde_json::Value::Null | serde_json::Value::Bool(false)) => Ok(()),
        Some(_) => Err(ConnectorError::config(format!(
            "{connector_type} `tls`: TLS is not supported yet; remove `tls` or set it to false"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tls_off_passes_and_tls_on_is_not_supported_yet() {
        for off in [None, Some(json!(null)), Some(json!(false))] {
            check_tls("tcp_client", off.as_ref()).expect("no TLS");
        }
        for on in [json!(true), json!({"cert": "c.pem", "key": "k.pem"})] {
            let err = check_tls("tcp_server", Some(&on)).expect_err("TLS");
            assert_eq!(err.kind, tremor_pdk::ErrorKind::CONFIG);
            assert!(
                err.message
                    .starts_with("tcp_server `tls`: TLS is not supported yet"),
                "{err}"
            );
        }
    }
}
