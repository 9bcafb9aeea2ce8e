//! The configuration of `bench`.

use serde::Deserialize;
use tremor_pdk::{config::invalid, Result};

/// Configuration of the bench connector (names as in Tremor's bench connector).
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct BenchConfig {
    /// The file whose lines are replayed.
    pub path: String,
    /// How many times the whole file is replayed (default: 1 unless `stop_after_secs` is set).
    #[serde(default)]
    pub iters: Option<u64>,
    /// Stop sending after this many seconds (default: no time limit).
    #[serde(default)]
    pub stop_after_secs: Option<u64>,
    /// Wait this long between two events, in nanoseconds (default 0: as fast as possible).
    #[serde(default)]
    pub interval: u64,
    /// Seconds at the start whose events are not measured (default 0).
    #[serde(default)]
    pub warmup_secs: u64,
    /// Significant figures of the latency histogram, 1..=5 (default 3).
    #[serde(default = "default_significant_figures")]
    pub significant_figures: u8,
    /// Lines handed to the runtime per pull (default 64).
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// Also append the results as one JSON line to this file (for scripts; default: none).
    #[serde(default)]
    pub report_file: Option<String>,
}

fn default_significant_figures() -> u8 {
    3
}

fn default_batch_size() -> usize {
    64
}

impl BenchConfig {
    /// Parses and checks the config record (JSON text).
    pub fn from_json(config: &str) -> Result<Self> {
        let config: Self = tremor_pdk::config::parse(crate::CONNECTOR_TYPE, config)?;
        if !(1..=5).contains(&config.significant_figures) {
            return Err(invalid(
                crate::CONNECTOR_TYPE,
                "`significant_figures` must be between 1 and 5",
            ));
        }
        if config.batch_size == 0 {
            return Err(invalid(crate::CONNECTOR_TYPE, "`batch_size` must be > 0"));
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_is_checked() {
        let message = |config: &str| {
            BenchConfig::from_json(config)
                .expect_err("invalid")
                .message
                .to_string()
        };
        assert_eq!(
            message(r#"{"path": "x", "batch_size": 0}"#),
            "invalid bench config: `batch_size` must be > 0"
        );
        assert_eq!(
            message(r#"{"path": "x", "significant_figures": 6}"#),
            "invalid bench config: `significant_figures` must be between 1 and 5"
        );
        assert!(message(r#"{"pth": "x"}"#).starts_with("invalid bench config: unknown field `pth`"));
    }
}
