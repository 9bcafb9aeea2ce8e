//! Parsing a connector's `config` record with one error shape for every connector.
//!
//! The runtime hands a connector its `config` record as JSON text. Every connector
//! deserializes it with serde into its `<Name>Config` struct (with
//! `#[serde(deny_unknown_fields)]`, so that typos are not silently ignored); [`parse`] does that
//! and turns a failure into a [`ConnectorError`] of kind [`crate::ErrorKind::CONFIG`] whose
//! message names the connector type and what serde found:
//!
//! ```text
//! invalid tcp_client config: unknown field `urll`, expected one of `url`, ... at line 1 column 7
//! ```
//!
//! Checks serde cannot express (a size that must be positive, an address that must parse) stay
//! in the connector, after the parse, with their own messages.

use crate::error::ConnectorError;
use serde::de::DeserializeOwned;
use std::fmt;

/// Parses `json`, the `config` record of a connector of type `connector_type`, into `T`.
///
/// A failure is a [`ConnectorError`] of kind [`crate::ErrorKind::CONFIG`] with the message
/// `invalid {connector_type} config: {what serde found}`.
///
/// ```
/// #[derive(serde::Deserialize, Debug)]
/// #[serde(deny_unknown_fields)]
/// struct NullConfig {
///     #[serde(default)]
///     quiet: bool,
/// }
/// let config: NullConfig = tremor_pdk::config::parse("null", r#"{"quiet": true}"#)?;
/// assert!(config.quiet);
/// let err = tremor_pdk::config::parse::<NullConfig>("null", r#"{"loud": true}"#).unwrap_err();
/// assert!(err.message.starts_with("invalid null config: unknown field `loud`"));
/// # Ok::<(), tremor_pdk::ConnectorError>(())
/// ```
pub fn parse<T: DeserializeOwned>(connector_type: &str, json: &str) -> Result<T, ConnectorError> {
    serde_json::from_str(json).map_err(|e| invalid(connector_type, e))
}

/// A configuration error in the shape [`parse`] uses: `invalid {connector_type} config: {why}`.
/// For checks after the parse that want the same prefix.
pub fn invalid(connector_type: &str, why: impl fmt::Display) -> ConnectorError {
    ConnectorError::config(format!("invalid {connector_type} config: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct ExampleConfig {
        path: String,
        #[serde(default)]
        buf_size: usize,
    }

    #[test]
    fn a_valid_record_parses() {
        let config: ExampleConfig = parse("example", r#"{"path": "x"}"#).expect("valid");
        assert_eq!(
            config,
            ExampleConfig {
                path: "x".into(),
                buf_size: 0
            }
        );
    }

    #[test]
    fn failures_are_config_errors_naming_the_connector_type_and_the_field() {
        let unknown = parse::<ExampleConfig>("example", r#"{"path": "x", "pth": 1}"#)
            .expect_err("unknown field");
        assert_eq!(unknown.kind, ErrorKind::CONFIG);
        assert!(
            unknown.message.starts_with(
                "invalid example config: unknown field `pth`, expected `path` or `buf_size`"
            ),
            "{unknown}"
        );
        let missing = parse::<ExampleConfig>("example", "{}").expect_err("missing field");
        assert!(
            missing
                .message
                .starts_with("invalid example config: missing field `path`"),
            "{missing}"
        );
        let not_json = parse::<ExampleConfig>("example", "{").expect_err("not JSON");
        assert_eq!(not_json.kind, ErrorKind::CONFIG);
    }

    #[test]
    fn later_checks_share_the_prefix() {
        let e = invalid("example", "`buf_size` must be > 0 bytes");
        assert_eq!(e.kind, ErrorKind::CONFIG);
        assert_eq!(
            e.message.as_str(),
            "invalid example config: `buf_size` must be > 0 bytes"
        );
    }
}
