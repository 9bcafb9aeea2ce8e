//! `tremor plugins new`: writes a ready-to-build connector plugin crate.
//!
//! The templates are embedded in the binary (`scaffold/*.tmpl`), so a stranger with only the
//! `tremor` binary gets a crate that builds against tremor-pdk alone. Templates know two
//! things: `{{key}}` placeholders, and lines `{{#part}}` / `{{/part}}` that keep the lines
//! between them only when `part` (`source`, `sink`, `both`, `source_only`, `sink_only`) is
//! generated.

use std::{
    fmt,
    path::{Path, PathBuf},
};

const CARGO_TOML: &str = include_str!("scaffold/Cargo.toml.tmpl");
const LIB_RS: &str = include_str!("scaffold/lib.rs.tmpl");
const README_MD: &str = include_str!("scaffold/README.md.tmpl");
const EXAMPLE_TROY: &str = include_str!("scaffold/example.troy.tmpl");
const GITIGNORE: &str = "/target\n/plugins\nCargo.lock\n";

/// Where the generated crate gets tremor-pdk from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdkSource {
    /// A directory holding a copy of the runtime's `pdk/` (the runtime's source has one).
    Path(PathBuf),
    /// A version requirement, for a registry that has tremor-pdk.
    Version(String),
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct NewPlugin {
    /// The connector type name (`[a-z][a-z0-9_]*`).
    pub name: String,
    /// Generate a source part.
    pub source: bool,
    /// Generate a sink part.
    pub sink: bool,
    /// The crate's directory (must not exist, or be empty).
    pub dir: PathBuf,
    /// Where tremor-pdk comes from.
    pub pdk: PdkSource,
}

/// Why nothing was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaffoldError(String);

impl fmt::Display for ScaffoldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScaffoldError {}

/// Checks that `name` can be a connector type name (a Troy identifier) and a crate name.
///
/// # Errors
/// When it is empty or has characters other than `a-z`, `0-9`, `_`, or starts with a digit.
pub fn check_name(name: &str) -> Result<(), ScaffoldError> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(ScaffoldError(format!(
            "`{name}` cannot be a connector type name: use lowercase letters, digits and `_`, starting with a letter"
        )))
    }
}

/// The crate's name for connector type `name`.
pub fn crate_name(name: &str) -> String {
    format!("tremor-connector-{}", name.replace('_', "-"))
}

/// The crate's library name (the plugin file is `lib<this>.so`).
pub fn lib_name(name: &str) -> String {
    format!("tremor_connector_{name}")
}

/// Writes the crate; returns the files written.
///
/// # Errors
/// When the name is not valid, `dir` exists and is not empty, or a file cannot be written.
pub fn generate(plugin: &NewPlugin) -> Result<Vec<PathBuf>, ScaffoldError> {
    check_name(&plugin.name)?;
    let (source, sink) = if plugin.source || plugin.sink {
        (plugin.source, plugin.sink)
    } else {
        (true, true)
    };
    let dir = &plugin.dir;
    if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(ScaffoldError(format!(
            "{} exists and is not empty: choose another directory",
            dir.display()
        )));
    }
    let parts = [
        ("source", source),
        ("sink", sink),
        ("both", source && sink),
        ("source_only", source && !sink),
        ("sink_only", sink && !source),
    ];
    let values = placeholders(plugin, source, sink);
    let render = |template: &str| substitute(&select_parts(template, &parts), &values);
    let files = [
        ("Cargo.toml", render(CARGO_TOML)),
        ("src/lib.rs", render(LIB_RS)),
        ("README.md", render(README_MD)),
        ("example.troy", render(EXAMPLE_TROY)),
        (".gitignore", GITIGNORE.to_string()),
    ];
    let mut written = Vec::new();
    for (relative, content) in files {
        let path = dir.join(relative);
        write(&path, &content)?;
        written.push(path);
    }
    Ok(written)
}

fn write(path: &Path, content: &str) -> Result<(), ScaffoldError> {
    let cannot = |e: std::io::Error| ScaffoldError(format!("cannot write {}: {e}", path.display()));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(cannot)?;
    }
    std::fs::write(path, content).map_err(cannot)
}

fn placeholders(plugin: &NewPlugin, source: bool, sink: bool) -> Vec<(&'static str, String)> {
    let name = plugin.name.as_str();
    let camel: String = name
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    let (pdk_dependency, pdk_source) = match &plugin.pdk {
        PdkSource::Path(path) => (
            format!(
                "tremor-pdk = {{ path = \"{}\" }}",
                toml_escape(&path.display().to_string())
            ),
            format!("the copy in `{}`", path.display()),
        ),
        PdkSource::Version(version) => (
            format!("tremor-pdk = \"{}\"", toml_escape(version)),
            format!("version `{version}` from the registry"),
        ),
    };
    let (parts, expected) = match (source, sink) {
        (true, true) => (
            "source, sink",
            format!(
                "prints\n\n```\n{name} got {{\"message\":\"hello\",\"n\":0}}\n{name} got {{\"message\":\"hello\",\"n\":1}}\n{name} got {{\"message\":\"hello\",\"n\":2}}\n```\n\nand exits with code 0."
            ),
        ),
        (true, false) => (
            "source",
            "prints (through the `stdio` connector)\n\n```\n{\"message\":\"hello\",\"n\":0}\n{\"message\":\"hello\",\"n\":1}\n{\"message\":\"hello\",\"n\":2}\n```\n\nand exits with code 0.".to_string(),
        ),
        _ => (
            "sink",
            format!(
                "prints (one event per `metronome` tick)\n\n```\n{name} got {{\"n\":0}}\n{name} got {{\"n\":1}}\n{name} got {{\"n\":2}}\n```\n\nand exits with code 0."
            ),
        ),
    };
    vec![
        ("name", name.to_string()),
        ("Name", camel),
        ("crate", crate_name(name)),
        ("lib", lib_name(name)),
        ("pdk_dependency", pdk_dependency),
        ("pdk_source", pdk_source),
        ("accepted", accepted_versions()),
        ("parts", parts.to_string()),
        ("expected_output", expected),
    ]
}

/// The interface versions a runtime of this pdk accepts, as people write them.
fn accepted_versions() -> String {
    let version = tremor_pdk::INTERFACE_VERSION;
    let mut numbers = version.split('.');
    match (numbers.next(), numbers.next()) {
        (Some("0"), Some(minor)) => format!("0.{minor}.x"),
        (Some(major), _) => format!("{major}.x"),
        _ => version.to_string(),
    }
}

fn toml_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Keeps the lines of `template` that are inside only generated parts, dropping the markers.
fn select_parts(template: &str, parts: &[(&str, bool)]) -> String {
    let enabled = |part: &str| parts.iter().any(|(p, on)| *p == part && *on);
    let mut open: Vec<bool> = Vec::new();
    let mut out = String::with_capacity(template.len());
    for line in template.lines() {
        let marker = line.trim();
        if let Some(part) = marker
            .strip_prefix("{{#")
            .and_then(|m| m.strip_suffix("}}"))
        {
            open.push(enabled(part));
        } else if marker.starts_with("{{/") && marker.ends_with("}}") {
            open.pop();
        } else if open.iter().all(|on| *on) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn substitute(text: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(text.to_string(), |text, (key, value)| {
        text.replace(&format!("{{{{{key}}}}}"), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate_in(dir: &Path, source: bool, sink: bool) -> Vec<PathBuf> {
        generate(&NewPlugin {
            name: "my_demo".into(),
            source,
            sink,
            dir: dir.to_path_buf(),
            pdk: PdkSource::Path(PathBuf::from("/opt/tremor/pdk")),
        })
        .expect("generated")
    }

    #[test]
    fn every_placeholder_and_marker_is_replaced_for_every_part_choice() {
        for (source, sink) in [(false, false), (true, false), (false, true), (true, true)] {
            let dir = tempfile::tempdir().expect("tempdir");
            for file in generate_in(dir.path(), source, sink) {
                let text = std::fs::read_to_string(&file).expect("written");
                assert!(!text.contains("{{"), "{}: {text}", file.display());
            }
            let lib = std::fs::read_to_string(dir.path().join("src/lib.rs")).expect("lib.rs");
            assert!(lib.contains("pub struct MyDemoConfig"), "{lib}");
            assert!(lib.contains("#[serde(deny_unknown_fields)]"), "{lib}");
            assert_eq!(lib.contains("impl Source for"), source || !sink, "{lib}");
            assert_eq!(lib.contains("impl Sink for"), sink || !source, "{lib}");
            let cargo = std::fs::read_to_string(dir.path().join("Cargo.toml")).expect("toml");
            assert!(
                cargo.contains("name = \"tremor-connector-my-demo\""),
                "{cargo}"
            );
            assert!(
                cargo.contains("tremor-pdk = { path = \"/opt/tremor/pdk\" }"),
                "{cargo}"
            );
            assert!(cargo.contains("plugin = [\"dep:abi_stable\"]"), "{cargo}");
            let readme = std::fs::read_to_string(dir.path().join("README.md")).expect("readme");
            assert!(
                readme.contains("libtremor_connector_my_demo.so"),
                "{readme}"
            );
        }
    }

    #[test]
    fn bad_names_and_non_empty_directories_are_refused() {
        for name in ["", "Demo", "9lives", "my-demo"] {
            assert!(check_name(name).is_err(), "{name}");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("keep.txt"), "mine").expect("write");
        let refused = generate(&NewPlugin {
            name: "demo".into(),
            source: true,
            sink: false,
            dir: dir.path().to_path_buf(),
            pdk: PdkSource::Version("0.1".into()),
        })
        .expect_err("not empty");
        assert!(refused.to_string().contains("is not empty"), "{refused}");
    }
}
