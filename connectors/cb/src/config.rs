//! The configuration of `cb`.

use serde::Deserialize;
use tremor_pdk::Result;

/// Configuration of the cb test connector (Tremor 0.13's keys, and 0.12's `path`).
///
/// ```json
/// {"paths": ["in.json"], "timeout": 10000000000}
/// ```
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CbConfig {
    /// Tremor 0.12's form of `paths`: one file (default: none).
    #[serde(default)]
    pub path: Option<String>,
    /// The files whose lines the source sends, one event per line, relative to the working
    /// directory of the process; each file is one stream, read in turn (default: none, and then
    /// the connector has no source). Blank lines are skipped.
    #[serde(default)]
    pub paths: Vec<String>,
    /// How long the source waits, after it sent the last line, for every event to be acked or
    /// failed, in nanoseconds (default 10 s). Then it reports what is missing and stops the
    /// runtime gracefully (exit code 0, as Tremor).
    #[serde(default = "default_timeout")]
    pub timeout: u64,
    /// Only the highest pull id sent on each stream must be acked or failed (for deployments
    /// that batch events), not every one (default `false`).
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

    /// The files the source reads, in stream order: `path` (if given), then `paths`.
    pub fn files(&self) -> Vec<String> {
        self.path.iter().chain(&self.paths).cloned().collect()
    }

    /// Whether the report takes Tremor 0.12's form (the config uses `path` only): pull ids
    /// as one list rather than per stream.
    pub fn reports_like_0_12(&self) -> bool {
        self.path.is_some() && self.paths.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_unknown_fields() {
        let c = CbConfig::from_json("{}").expect("valid");
        assert_eq!(
            (c.files(), c.timeout, c.expect_batched),
            (vec![], 10_000_000_000, false)
        );
        let c = CbConfig::from_json(r#"{"path": "in.json", "timeout": 5}"#).expect("valid");
        assert_eq!((c.files(), c.timeout), (vec!["in.json".to_string()], 5));
        assert!(c.reports_like_0_12());
        let err = CbConfig::from_json(r#"{"pth": "x"}"#).expect_err("unknown field");
        assert!(err.message.contains("pth"), "{err}");
    }

    #[test]
    fn paths_is_tremor_0_13s_list() {
        let c = CbConfig::from_json(r#"{"paths": ["a.json", "b.json"], "expect_batched": true}"#)
            .expect("valid");
        assert_eq!(c.files(), ["a.json", "b.json"]);
        assert!(c.expect_batched && !c.reports_like_0_12());
    }
}
