//! The configuration of `cb`.

use serde::Deserialize;
use tremor_pdk::Result;

/// Configuration of the cb test connector.
///
/// ```json
/// {"path": "in.json", "timeout": 10000000000}
/// ```
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CbConfig {
    /// The file whose lines the source sends, one event per line, relative to the working
    /// directory of the process (default: none, and then the connector has no source). Blank
    /// lines are skipped.
    #[serde(default)]
    pub path: Option<String>,
    /// How long the source waits, from its first pull, for every line to be acknowledged, in
    /// nanoseconds (default 10 s). Then it reports what is missing and stops the runtime with
    /// exit code 1.
    #[serde(default = "default_timeout")]
    pub timeout: u64,
    /// Accepted so that Tremor deployments run unchanged (Tremor: acks may arrive for batches).
    /// It changes nothing here: acks are always taken as covering every earlier pull (the
    /// runtime reports the highest pull id acknowledged). Default `false`.
    #[serde(default)]
    pub expect_batched: bool,
}

fn default_timeout() -> u64 {
    10_000_000_000
}

impl CbConfig {
    /// Parses the config record (JSON text).
    pub fn from_json(config: &str) -> Result<Self> {
        tremor_pdk::config::parse(crate::CONNECTOR_TYPE, config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_unknown_fields() {
        let c = CbConfig::from_json("{}").expect("valid");
        assert_eq!(
            (c.path, c.timeout, c.expect_batched),
            (None, 10_000_000_000, false)
        );
        let c = CbConfig::from_json(r#"{"path": "in.json", "timeout": 5}"#).expect("valid");
        assert_eq!((c.path.as_deref(), c.timeout), (Some("in.json"), 5));
        let err = CbConfig::from_json(r#"{"pth": "x"}"#).expect_err("unknown field");
        assert!(err.message.contains("pth"), "{err}");
    }
}
