//! The files of a test directory: `assert.yaml`, `tags.yaml`, `before.yaml`, `after.yaml`.

use serde::Deserialize;
use std::{collections::HashMap, path::Path};

/// `assert.yaml`.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct AssertSpec {
    /// The expected exit code of the deployment (default 0).
    #[serde(default)]
    pub status: i32,
    /// A human-readable name.
    #[serde(default)]
    pub name: Option<String>,
    /// Checks on files and captured output.
    #[serde(default)]
    pub asserts: Vec<FileAssert>,
}

/// One check on a file (relative to the test directory) or on `STDOUT` / `STDERR`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct FileAssert {
    /// The file, or `STDOUT` / `STDERR`.
    pub source: String,
    /// Each entry must be a substring of some line.
    #[serde(default)]
    pub contains: Vec<String>,
    /// No line may contain any entry.
    #[serde(default)]
    pub doesnt_contain: Vec<String>,
    /// The whole file must equal this file (relative to the test directory).
    #[serde(default)]
    pub equals_file: Option<String>,
}

/// `await` conditions of a process spec. Unknown conditions (Tremor's `file-exists`,
/// `http-ok`, …) are errors: skipping a wait silently would make a test flaky instead.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct AwaitSpec {
    /// Sleep this many milliseconds (each entry).
    #[serde(rename = "wait-for-ms", default)]
    pub wait_for_ms: Vec<StringOrNumber>,
    /// Wait until these TCP ports accept connections on 127.0.0.1.
    #[serde(rename = "port-open", default)]
    pub port_open: Vec<StringOrNumber>,
}

/// YAML files write numbers as strings (`"2000"`) or plainly; both are accepted.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub enum StringOrNumber {
    /// `2000`
    Number(u64),
    /// `"2000"`
    Text(String),
}

impl StringOrNumber {
    /// The number, if it is one.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(t) => t.trim().parse().ok(),
        }
    }
}

/// A process started before or after the deployment.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ProcessSpec {
    /// Working directory, relative to the test directory (default: the test directory).
    #[serde(default)]
    pub dir: Option<String>,
    /// The command; `tremor` means this executable.
    pub cmd: String,
    /// Its arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// Extra environment variables.
    #[serde(default)]
    pub env: HashMap<String, String>,
    /// Conditions to wait for after starting it (before-processes only).
    #[serde(rename = "await", default)]
    pub await_: AwaitSpec,
    /// Upper bound for the `await` conditions, in seconds (default 15).
    #[serde(rename = "max-await-secs", default)]
    pub max_await_secs: Option<u64>,
}

/// `before.yaml` / `after.yaml`: one spec or a list.
///
/// Not an untagged enum: serde's message for that ("did not match any variant") would hide
/// which key of which spec is wrong.
#[derive(Debug)]
pub enum ProcessSpecs {
    /// A list of specs.
    Many(Vec<ProcessSpec>),
    /// A single spec.
    One(ProcessSpec),
}

impl<'de> Deserialize<'de> for ProcessSpecs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_yaml::Value::deserialize(d)?;
        if value.is_sequence() {
            serde_yaml::from_value(value)
                .map(Self::Many)
                .map_err(D::Error::custom)
        } else {
            serde_yaml::from_value(value)
                .map(Self::One)
                .map_err(D::Error::custom)
        }
    }
}

impl ProcessSpecs {
    /// The specs as a list.
    pub fn into_vec(self) -> Vec<ProcessSpec> {
        match self {
            Self::Many(v) => v,
            Self::One(s) => vec![s],
        }
    }
}

/// Reads and parses an optional YAML file; `Ok(None)` when it does not exist.
pub fn read_optional<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_yaml::from_str(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tremor_style_specs() {
        let a: AssertSpec = serde_yaml::from_str(
            "status: 0\nname: x\nasserts:\n  - source: out.log\n    contains:\n      - a\n  - source: STDERR\n    doesnt_contain: [panic]\n",
        )
        .expect("valid");
        assert_eq!(a.asserts.len(), 2);
        let b: ProcessSpecs = serde_yaml::from_str(
            "dir: .\ncmd: tremor\nargs: [server, run]\nawait:\n  wait-for-ms:\n    - \"200\"\n  port-open: [4242]\nmax-await-secs: 5\n",
        )
        .expect("valid");
        let specs = b.into_vec();
        assert_eq!(specs[0].await_.wait_for_ms[0].as_u64(), Some(200));
        assert_eq!(specs[0].await_.port_open[0].as_u64(), Some(4242));
        assert!(serde_yaml::from_str::<AssertSpec>("statuz: 1").is_err());
        let many: ProcessSpecs =
            serde_yaml::from_str("- cmd: a\n- cmd: b\n  args: [x]\n").expect("valid list");
        assert_eq!(many.into_vec().len(), 2);
    }

    #[test]
    fn unknown_process_keys_are_named() {
        let err = serde_yaml::from_str::<ProcessSpecs>(
            "- cmd: tremor\n  await:\n    file-exists: [\"x\"]\n",
        )
        .expect_err("unknown await condition");
        assert!(err.to_string().contains("file-exists"), "{err}");
        let err = serde_yaml::from_str::<ProcessSpecs>("cmd: tremor\nargz: []\n")
            .expect_err("unknown key");
        assert!(err.to_string().contains("argz"), "{err}");
    }
}
