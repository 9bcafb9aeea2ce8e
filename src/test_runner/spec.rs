//! The files of a test directory: `assert.yaml`, `tags.yaml`, `before.yaml`, `after.yaml`.
//!
//! Keys the runner does not know are kept (in `unknown` maps) rather than refused: Tremor's
//! runner ignores them, and test directories written for it carry some (or newer ones). The
//! runner warns about each, naming the file and the key; `--strict` makes them errors.

use serde::Deserialize;
use std::{
    collections::{BTreeMap, HashMap},
    path::Path,
};

/// Keys that no field claimed, with their values.
type Unknown = BTreeMap<String, serde_yaml::Value>;

/// `assert.yaml`.
#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct AssertSpec {
    /// The expected exit code of the deployment (default 0).
    pub status: i32,
    /// A human-readable name.
    pub name: Option<String>,
    /// Checks on files and captured output.
    pub asserts: Vec<FileAssert>,
    #[serde(flatten)]
    pub(crate) unknown: Unknown,
}

impl AssertSpec {
    /// Keys this runner does not know, as paths (`asserts[1].equals_fil`).
    pub fn unknown_keys(&self) -> Vec<String> {
        let mut keys = names(&self.unknown, "");
        for (i, a) in self.asserts.iter().enumerate() {
            keys.extend(names(&a.unknown, &format!("asserts[{i}].")));
        }
        keys
    }
}

/// One check on a file (relative to the test directory) or on `STDOUT` / `STDERR`.
#[derive(Deserialize, Debug, Default)]
pub struct FileAssert {
    /// The file, or `STDOUT` / `STDERR` (in any case, as Tremor reads them).
    pub source: String,
    /// Each entry (trimmed) must be a substring of some line.
    #[serde(default)]
    pub contains: Vec<String>,
    /// No line may contain any entry (trimmed).
    #[serde(default)]
    pub doesnt_contain: Vec<String>,
    /// The whole file must equal this file (relative to the test directory).
    #[serde(default)]
    pub equals_file: Option<String>,
    /// The whole file must equal this file byte for byte.
    #[serde(default)]
    pub equals_file_binary: Option<String>,
    #[serde(flatten)]
    pub(crate) unknown: Unknown,
}

/// `await` conditions of a before-process; all must hold at once before the test goes on.
#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct AwaitSpec {
    /// At least this many milliseconds since the process started (the first entry counts).
    #[serde(rename = "wait-for-ms")]
    pub wait_for_ms: Vec<StringOrNumber>,
    /// These TCP ports accept connections on 127.0.0.1.
    #[serde(rename = "port-open")]
    pub port_open: Vec<StringOrNumber>,
    /// A GET of each of these `http://` URLs answers 2xx.
    #[serde(rename = "http-ok")]
    pub http_ok: Vec<String>,
    /// These files (relative to the process's `dir`) exist.
    #[serde(rename = "file-exists")]
    pub file_exists: Vec<String>,
    /// The process exited with this code (the first entry counts).
    pub status: Vec<StringOrNumber>,
    #[serde(flatten)]
    pub(crate) unknown: Unknown,
}

impl AwaitSpec {
    /// Whether there is anything to wait for.
    pub fn is_empty(&self) -> bool {
        self.wait_for_ms.is_empty()
            && self.port_open.is_empty()
            && self.http_ok.is_empty()
            && self.file_exists.is_empty()
            && self.status.is_empty()
    }
}

/// YAML files write numbers as strings (`"2000"`) or plainly; both are accepted.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub enum StringOrNumber {
    /// `2000`
    Number(i64),
    /// `"2000"`
    Text(String),
}

impl StringOrNumber {
    /// The number, if it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(t) => t.trim().parse().ok(),
        }
    }
}

impl std::fmt::Display for StringOrNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Text(t) => f.write_str(t),
        }
    }
}

/// A process started before or after the deployment.
#[derive(Deserialize, Debug, Default)]
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
    /// Upper bound for the `await` conditions, in seconds (default 15; Tremor's is 0, which
    /// fails any condition that does not hold at once).
    #[serde(rename = "max-await-secs", default)]
    pub max_await_secs: Option<u64>,
    /// Seconds to wait after the conditions hold (default 0).
    #[serde(rename = "min-await-secs", default)]
    pub min_await_secs: Option<u64>,
    #[serde(flatten)]
    pub(crate) unknown: Unknown,
}

/// Which file a process spec comes from: after-processes are only run, never awaited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `before.yaml`
    Before,
    /// `after.yaml`
    After,
}

impl ProcessSpec {
    /// Keys this runner does not know (or ignores in `stage`), as paths (`[0].await.port-opn`).
    pub fn unknown_keys(&self, index: usize, stage: Stage) -> Vec<String> {
        let prefix = format!("[{index}].");
        let mut keys = names(&self.unknown, &prefix);
        keys.extend(names(&self.await_.unknown, &format!("{prefix}await.")));
        if stage == Stage::After {
            let awaits = [
                ("await", !self.await_.is_empty()),
                ("max-await-secs", self.max_await_secs.is_some()),
                ("min-await-secs", self.min_await_secs.is_some()),
            ];
            keys.extend(
                awaits
                    .iter()
                    .filter(|(_, present)| *present)
                    .map(|(key, _)| format!("{prefix}{key} (after-processes are not awaited)")),
            );
        }
        keys
    }
}

/// `before.yaml` / `after.yaml`: one spec or a list.
///
/// Not an untagged enum: serde's message for that ("did not match any variant") would hide
/// which key of which spec is wrong.
#[derive(Debug)]
pub struct ProcessSpecs(pub Vec<ProcessSpec>);

impl<'de> Deserialize<'de> for ProcessSpecs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_yaml::Value::deserialize(d)?;
        if value.is_sequence() {
            serde_yaml::from_value(value)
                .map(Self)
                .map_err(D::Error::custom)
        } else {
            serde_yaml::from_value(value)
                .map(|one| Self(vec![one]))
                .map_err(D::Error::custom)
        }
    }
}

/// `tags.yaml`: a list of tags; numbers and booleans count by their text, as YAML reads them.
#[derive(Debug, Default)]
pub struct Tags(pub Vec<String>);

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        use serde_yaml::Value;
        let Value::Sequence(items) = Value::deserialize(d)? else {
            return Err(D::Error::custom("expected a list of tags"));
        };
        items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                Value::Number(n) => Ok(n.to_string()),
                Value::Bool(b) => Ok(b.to_string()),
                other => Err(D::Error::custom(format!(
                    "a tag must be a string, found {other:?}"
                ))),
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

fn names(unknown: &Unknown, prefix: &str) -> Vec<String> {
    unknown.keys().map(|k| format!("{prefix}{k}")).collect()
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

    fn process_specs(yaml: &str) -> Vec<ProcessSpec> {
        serde_yaml::from_str::<ProcessSpecs>(yaml)
            .expect("valid process spec")
            .0
    }

    #[test]
    fn parses_tremor_style_specs() {
        let a: AssertSpec = serde_yaml::from_str(
            "status: 0\nname: x\nasserts:\n  - source: out.log\n    contains:\n      - a\n  - source: STDERR\n    doesnt_contain: [panic]\n  - source: out.xz\n    equals_file_binary: expected.xz\n",
        )
        .expect("valid");
        assert_eq!(a.asserts.len(), 3);
        assert_eq!(
            a.asserts[2].equals_file_binary.as_deref(),
            Some("expected.xz")
        );
        assert!(a.unknown_keys().is_empty());
        let specs = process_specs(
            "dir: .\ncmd: tremor\nargs: [server, run]\nawait:\n  wait-for-ms:\n    - \"200\"\n  port-open: [4242]\n  http-ok: [\"http://127.0.0.1:1/\"]\n  file-exists: [a.pem]\n  status: [\"0\"]\nmax-await-secs: 5\nmin-await-secs: 1\n",
        );
        let w = &specs[0].await_;
        assert_eq!(w.wait_for_ms[0].as_i64(), Some(200));
        assert_eq!(w.port_open[0].as_i64(), Some(4242));
        assert_eq!(w.status[0].as_i64(), Some(0));
        assert_eq!((w.http_ok.len(), w.file_exists.len()), (1, 1));
        assert_eq!(
            (specs[0].max_await_secs, specs[0].min_await_secs),
            (Some(5), Some(1))
        );
        assert!(specs[0].unknown_keys(0, Stage::Before).is_empty());
        assert_eq!(process_specs("- cmd: a\n- cmd: b\n  args: [x]\n").len(), 2);
    }

    #[test]
    fn unknown_keys_are_kept_and_named_with_their_path() {
        let a: AssertSpec = serde_yaml::from_str(
            "statuz: 1\nasserts:\n  - source: out.log\n  - source: x\n    equals_fil: y\n",
        )
        .expect("unknown keys do not fail the parse");
        assert_eq!(a.unknown_keys(), ["statuz", "asserts[1].equals_fil"]);
        let specs = process_specs("- cmd: tremor\n  argz: []\n  await:\n    port-opne: [\"1\"]\n");
        assert_eq!(
            specs[0].unknown_keys(0, Stage::Before),
            ["[0].argz", "[0].await.port-opne"]
        );
        let after = process_specs("cmd: sh\nawait:\n  status: [\"0\"]\nmax-await-secs: 3\n");
        let keys = after[0].unknown_keys(0, Stage::After);
        assert_eq!(keys.len(), 2, "{keys:?}");
        assert!(keys[0].starts_with("[0].await "), "{keys:?}");
    }

    #[test]
    fn tags_are_a_list_of_scalars() {
        let tags: Tags = serde_yaml::from_str("[\"a\", b, 3, true]").expect("valid");
        assert_eq!(tags.0, ["a", "b", "3", "true"]);
        let err = serde_yaml::from_str::<Tags>("tags: [a]").expect_err("a map is no list");
        assert!(err.to_string().contains("list of tags"), "{err}");
    }
}
