//! The configuration of `bench`.

use serde::Deserialize;
use tremor_pdk::{config::invalid, Result};

/// Configuration of the bench connector: every key of Tremor's bench connector (0.12 and 0.13)
/// plus `batch_size` and `report_file`.
///
/// ```json
/// {"path": "data.json.xz", "warmup_secs": 5, "stop_after_secs": 25, "significant_figures": 2}
/// ```
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct BenchConfig {
    /// The file replayed: one event per line (or per `chunk_size` bytes), read into memory at
    /// start. A name ending in `.xz` is decompressed first. Tremor 0.12 calls this key `source`.
    #[serde(alias = "source")]
    pub path: String,
    /// How many times the whole file is replayed. Without `iters` and `stop_after_secs` the
    /// replay never ends (as in Tremor).
    #[serde(default)]
    pub iters: Option<u64>,
    /// Seconds of measurement after the warmup; the source stops sending after
    /// `warmup_secs + stop_after_secs` (default 0: no time limit).
    #[serde(default)]
    pub stop_after_secs: u64,
    /// Wait this long before each event, in nanoseconds (default: none, as fast as possible).
    #[serde(default)]
    pub interval: Option<u64>,
    /// Seconds at the start whose events are not measured (default 0).
    #[serde(default)]
    pub warmup_secs: u64,
    /// Significant figures of the latency histogram, 1..=5; more is taken as 5 (default 2).
    #[serde(default = "default_significant_figures")]
    pub significant_figures: u8,
    /// Split the file into pieces of this many bytes instead of lines (default: lines).
    #[serde(default)]
    pub chunk_size: Option<usize>,
    /// Each line (or chunk) is base64 and is decoded before it is sent (default `false`).
    #[serde(default)]
    pub base64: bool,
    /// Send the events transactionally, so that sinks report acks and fails (default `false`).
    #[serde(default)]
    pub is_transactional: bool,
    /// Print Tremor's report as one JSON record instead of the histogram text (default
    /// `false`).
    #[serde(default)]
    pub structured: bool,
    /// Lines handed to the runtime per pull (default 64; 1 when `interval` is set).
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// Also append the results as one JSON line to this file (for scripts; default: none).
    #[serde(default)]
    pub report_file: Option<String>,
}

/// Tremor's default.
fn default_significant_figures() -> u8 {
    2
}

fn default_batch_size() -> usize {
    64
}

/// The most significant figures an HDR histogram takes.
const MAX_SIGNIFICANT_FIGURES: u8 = 5;

impl BenchConfig {
    /// Parses and checks the config record (JSON text).
    pub fn from_json(config: &str) -> Result<Self> {
        let mut config: Self = tremor_pdk::config::parse(crate::CONNECTOR_TYPE, config)?;
        if config.significant_figures == 0 {
            return Err(invalid(
                crate::CONNECTOR_TYPE,
                "`significant_figures` must be between 1 and 5",
            ));
        }
        // Tremor takes anything above the histogram's limit as the limit.
        config.significant_figures = config.significant_figures.min(MAX_SIGNIFICANT_FIGURES);
        if config.batch_size == 0 {
            return Err(invalid(crate::CONNECTOR_TYPE, "`batch_size` must be > 0"));
        }
        if config.chunk_size == Some(0) {
            return Err(invalid(crate::CONNECTOR_TYPE, "`chunk_size` must be > 0"));
        }
        Ok(config)
    }

    /// Whether the replay ends by itself (else it runs until the runtime stops).
    pub fn has_stop_condition(&self) -> bool {
        self.iters.is_some() || self.stop_after_secs > 0
    }

    /// How long the source sends: warmup plus measurement (`None`: no time limit).
    pub fn send_for_secs(&self) -> Option<u64> {
        (self.stop_after_secs > 0).then(|| self.stop_after_secs.saturating_add(self.warmup_secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(config: &str) -> String {
        BenchConfig::from_json(config)
            .expect_err("invalid")
            .message
            .to_string()
    }

    #[test]
    fn config_is_checked() {
        assert_eq!(
            message(r#"{"path": "x", "batch_size": 0}"#),
            "invalid bench config: `batch_size` must be > 0"
        );
        assert_eq!(
            message(r#"{"path": "x", "significant_figures": 0}"#),
            "invalid bench config: `significant_figures` must be between 1 and 5"
        );
        assert_eq!(
            message(r#"{"path": "x", "chunk_size": 0}"#),
            "invalid bench config: `chunk_size` must be > 0"
        );
        assert!(message(r#"{"pth": "x"}"#).starts_with("invalid bench config: unknown field `pth`"));
    }

    #[test]
    fn every_key_of_tremor_0_12_and_0_13_is_accepted() {
        let keys = r#""interval": 1000, "chunk_size": 16, "iters": 2, "base64": true,
            "is_transactional": true, "structured": true, "stop_after_secs": 25,
            "significant_figures": 9, "warmup_secs": 5"#;
        for path_key in ["path", "source"] {
            let text = format!(r#"{{"{path_key}": "data.json.xz", {keys}}}"#);
            let c = BenchConfig::from_json(&text).expect("valid");
            assert_eq!(c.path, "data.json.xz");
            assert_eq!(
                (
                    c.interval,
                    c.chunk_size,
                    c.iters,
                    c.stop_after_secs,
                    c.warmup_secs
                ),
                (Some(1000), Some(16), Some(2), 25, 5)
            );
            assert!(c.base64 && c.is_transactional && c.structured);
            assert_eq!(c.significant_figures, 5, "clamped as Tremor does");
            assert_eq!(c.send_for_secs(), Some(30));
        }
    }

    #[test]
    fn defaults_are_tremors() {
        let c = BenchConfig::from_json(r#"{"path": "x"}"#).expect("valid");
        assert_eq!(c.significant_figures, 2);
        assert_eq!((c.interval, c.iters, c.chunk_size), (None, None, None));
        assert!(!c.base64 && !c.is_transactional && !c.structured);
        assert!(!c.has_stop_condition(), "Tremor replays forever then");
        assert_eq!(c.send_for_secs(), None);
    }
}
