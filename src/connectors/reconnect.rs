//! Reconnect policies: `"none"` or `{"retry": {...}}`.

use std::{fmt, time::Duration};
use tremor_value::Value;

/// A reconnect policy that cannot be read; shown as `invalid reconnect policy: ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReconnectError {
    /// Neither `"none"` nor a record with a `retry` key.
    NotAPolicy {
        /// The value as written (JSON).
        found: String,
    },
    /// A field of `retry` has the wrong type or range.
    BadField {
        /// The field's name.
        field: &'static str,
        /// What it must be, in words.
        expected: &'static str,
    },
}

impl fmt::Display for ReconnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid reconnect policy: ")?;
        match self {
            Self::NotAPolicy { found } => {
                write!(
                    f,
                    "expected \"none\" or {{\"retry\": {{...}}}}, found {found}"
                )
            }
            Self::BadField { field, expected } => write!(f, "`{field}` must be {expected}"),
        }
    }
}

impl std::error::Error for ReconnectError {}

/// What to do when connecting fails or a connection is lost.
#[derive(Debug, Clone, PartialEq)]
pub enum Reconnect {
    /// Give up at once: the connector goes to Failed.
    None,
    /// Try again after a growing pause.
    Retry {
        /// Pause before the first retry, in milliseconds.
        interval_ms: u64,
        /// Factor applied to the pause after every retry (>= 1.0).
        growth_rate: f64,
        /// Give up after this many retries (`None`: never).
        max_retries: Option<u64>,
        /// Spread pauses randomly between half and the full pause.
        randomized: bool,
    },
}

impl Reconnect {
    /// Reads a policy as written in a deployment.
    ///
    /// # Errors
    /// When `v` is neither `"none"` (or null) nor `{"retry": {...}}` with well-typed fields.
    pub fn from_value(v: &Value<'_>) -> Result<Self, ReconnectError> {
        let bad = |field, expected| ReconnectError::BadField { field, expected };
        if v.as_str() == Some("none") || v.is_null() {
            return Ok(Self::None);
        }
        let Some(retry) = v.get("retry") else {
            return Err(ReconnectError::NotAPolicy {
                found: v.to_string(),
            });
        };
        let interval_ms = match retry.get("interval_ms") {
            None => 1000,
            Some(x) => x
                .as_u64()
                .ok_or_else(|| bad("interval_ms", "a non-negative integer"))?,
        };
        let growth_rate = match retry.get("growth_rate") {
            None => 1.5,
            Some(x) => x
                .as_f64()
                .filter(|g| *g >= 1.0)
                .ok_or_else(|| bad("growth_rate", "a number >= 1"))?,
        };
        let max_retries = match retry.get("max_retries") {
            None => None,
            Some(x) => Some(
                x.as_u64()
                    .ok_or_else(|| bad("max_retries", "a non-negative integer"))?,
            ),
        };
        let randomized = match retry.get("randomized") {
            None => true,
            Some(x) => x.as_bool().ok_or_else(|| bad("randomized", "a bool"))?,
        };
        Ok(Self::Retry {
            interval_ms,
            growth_rate,
            max_retries,
            randomized,
        })
    }

    /// The pause before retry number `retry` (1-based), or `None` when the policy gives up.
    pub fn pause_before(&self, retry: u64) -> Option<Duration> {
        match self {
            Self::None => None,
            Self::Retry {
                interval_ms,
                growth_rate,
                max_retries,
                randomized,
            } => {
                if max_retries.is_some_and(|max| retry > max) {
                    return None;
                }
                let exp = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
                let mut ms = (*interval_ms as f64) * growth_rate.powi(exp);
                if *randomized {
                    ms *= 0.5 + 0.5 * pseudo_random_unit(retry);
                }
                Some(Duration::from_millis(ms.min(3_600_000.0) as u64))
            }
        }
    }
}

/// A cheap value in [0, 1) that differs between retries and processes; jitter, not crypto.
fn pseudo_random_unit(salt: u64) -> f64 {
    let seed = crate::event::now_ns() ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mixed = seed.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
    mixed as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_value::literal;

    #[test]
    fn parses_policies() {
        assert_eq!(
            Reconnect::from_value(&Value::from("none")).expect("ok"),
            Reconnect::None
        );
        let p = Reconnect::from_value(&literal!({"retry": {"interval_ms": 100, "growth_rate": 2, "max_retries": 3, "randomized": false}}))
            .expect("ok");
        assert_eq!(p.pause_before(1), Some(Duration::from_millis(100)));
        assert_eq!(p.pause_before(3), Some(Duration::from_millis(400)));
        assert_eq!(p.pause_before(4), None);
        assert!(Reconnect::from_value(&literal!({"retry": {"growth_rate": 0.5}})).is_err());
        assert_eq!(
            Reconnect::from_value(&literal!({"again": {}}))
                .expect_err("no retry")
                .to_string(),
            r#"invalid reconnect policy: expected "none" or {"retry": {...}}, found {"again":{}}"#
        );
        assert_eq!(
            Reconnect::from_value(&literal!({"retry": {"interval_ms": "soon"}}))
                .expect_err("not a number")
                .to_string(),
            "invalid reconnect policy: `interval_ms` must be a non-negative integer"
        );
    }
}
