//! Shared fixtures for the tests: a self-deleting temporary directory and the suite's
//! `integration.tremor` module as TROY.md describes it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The `lib/integration.tremor` of Tremor's integration-test suite (as TROY.md describes it).
pub(crate) const INTEGRATION_MODULE: &str = r#"
## The connectors and pipelines every integration test shares.
use std::time::nanos;

define connector exit from exit
with
  config = {"delay": nanos::from_millis(100), "graceful": true}
end;

define connector write_file from file
args
  file = "out.log"
with
  codec = "json-sorted",
  postprocessors = ["separate"],
  config = {
    "path": args.file,
    "mode": "truncate",
  },
end;

define connector read_file from file
args
  file = "in.json"
with
  codec = "json-sorted",
  preprocessors = ["separate"],
  config = {
    "path": args.file,
    "mode": "read",
  },
end;

define pipeline out_or_exit
into out, exit
args
  delay = nanos::from_seconds(1)
pipeline
  select {"exit": 0, "delay": args.delay} from in where event == "exit" into exit;
  select event from in where event != "exit" into out;
end;

define pipeline out_and_exit
into out, exit
args
  delay = nanos::from_seconds(1)
pipeline
  select event from in into out;
  select {"exit": 0, "delay": args.delay} from in where event == "exit" into exit;
end;
"#;

/// The Tremor 0.12 integration-test deployment from the brief, unchanged.
pub(crate) const TREMOR_012_CONFIG: &str = r#"define flow main
flow
  use integration;
  use tremor::pipelines;
  use tremor::connectors;
  define connector metronome from metronome
  with
    config = {"interval": 10 * 1000 * 1000}  # 10ms
  end;
  create connector metronome;
  create connector exit from integration::exit;
  create connector out from integration::write_file with file = "out.log" end;
  create pipeline main from integration::out_or_exit with delay = nanos::from_millis(50) end;
  connect /connector/metronome to /pipeline/main;
  connect /pipeline/main to /connector/out;
  connect /pipeline/main/exit to /connector/exit;
end;
deploy flow main;
"#;

/// A fresh directory under the system temp dir, removed (with its contents) when dropped.
pub(crate) struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates a uniquely named directory; `tag` only helps to recognise it.
    pub(crate) fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("troy-test-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir can be created");
        Self { path }
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `rel` (creating parent directories) and returns its full path.
    pub(crate) fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("parent dir can be created");
        }
        std::fs::write(&p, text).expect("test file can be written");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
