//! The `isolation` setting of a connector definition: `"none"` (the default), `"process"`, or
//! `{"process": {"max_memory_mb": N}}`.

use std::fmt;
use tremor_value::Value;

/// The environment variable that isolates every connector that has no `isolation` setting of
/// its own (`TREMOR_ISOLATE_ALL=1`), so that a whole test suite can run isolated.
pub const ISOLATE_ALL_ENV: &str = "TREMOR_ISOLATE_ALL";

/// Where a connector instance runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Isolation {
    /// In the runtime's own process (the default).
    #[default]
    None,
    /// In a helper process of its own, supervised by the runtime.
    Process {
        /// The helper's address-space limit (`RLIMIT_AS`) in MiB; `None`: no limit.
        max_memory_mb: Option<u64>,
    },
}

/// An `isolation` value that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsolationError {
    found: String,
}

impl fmt::Display for IsolationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`isolation` must be \"none\", \"process\" or {{\"process\": {{\"max_memory_mb\": N}}}} \
             with N a positive integer, got {}",
            self.found
        )
    }
}

impl std::error::Error for IsolationError {}

impl Isolation {
    /// Reads the setting as written in a deployment (null counts as `"none"`).
    ///
    /// # Errors
    /// When `v` has another shape, or `max_memory_mb` is not a positive integer.
    pub fn from_value(v: &Value<'_>) -> Result<Self, IsolationError> {
        let bad = || IsolationError {
            found: tremor_value::to_json(v),
        };
        if v.is_null() || v.as_str() == Some("none") {
            return Ok(Self::None);
        }
        if v.as_str() == Some("process") {
            return Ok(Self::Process {
                max_memory_mb: None,
            });
        }
        // A record with exactly one key, `process`, whose value is a record.
        let record = match v.as_object() {
            Some(o) if o.len() == 1 => o.get("process").and_then(Value::as_object),
            _ => None,
        };
        let Some(record) = record else {
            return Err(bad());
        };
        if record.keys().any(|k| &**k != "max_memory_mb") {
            return Err(bad());
        }
        let max_memory_mb = match record.get("max_memory_mb") {
            None => None,
            Some(n) => Some(n.as_u64().filter(|n| *n > 0).ok_or_else(bad)?),
        };
        Ok(Self::Process { max_memory_mb })
    }

    /// The setting as the runtime applies it: a connector without one of its own is isolated
    /// when [`ISOLATE_ALL_ENV`] is set to anything but `0` or empty.
    pub fn effective(self) -> Self {
        let all = std::env::var(ISOLATE_ALL_ENV).is_ok_and(|v| !v.is_empty() && v != "0");
        match self {
            Self::None if all => Self::Process {
                max_memory_mb: None,
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_value::literal;

    #[test]
    fn reads_every_accepted_shape() {
        let cases = [
            (literal!("none"), Isolation::None),
            (literal!(null), Isolation::None),
            (
                literal!("process"),
                Isolation::Process {
                    max_memory_mb: None,
                },
            ),
            (
                literal!({"process": {}}),
                Isolation::Process {
                    max_memory_mb: None,
                },
            ),
            (
                literal!({"process": {"max_memory_mb": 64}}),
                Isolation::Process {
                    max_memory_mb: Some(64),
                },
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(Isolation::from_value(&value), Ok(expected), "{value}");
        }
    }

    #[test]
    fn refuses_other_shapes_naming_what_it_found() {
        for value in [
            literal!("thread"),
            literal!(1),
            literal!({"process": {"max_memory_mb": 0}}),
            literal!({"process": {"max_memory_mb": "1"}}),
            literal!({"process": {"max_mem": 1}}),
            literal!({"process": {}, "other": 1}),
        ] {
            let e = Isolation::from_value(&value).expect_err("refused");
            assert!(
                e.to_string().ends_with(&tremor_value::to_json(&value)),
                "{e}"
            );
        }
    }
}
