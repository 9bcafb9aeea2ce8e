//! `tremor plugins inspect`: what a plugin file is, read without loading it.
//!
//! `tremor_pdk::connector_module!` embeds a small text manifest in plugin builds, in its own
//! ELF section (`tremor_pdk::MANIFEST_SECTION`, also exported as the symbol
//! `TREMOR_CONNECTOR_MANIFEST`). The inspector parses the file as ELF data and reads that
//! section: the file is never handed to the dynamic loader, so none of its code (initialisers
//! included) runs.

use super::loader::{accepted_interface_versions, interface_versions_compatible, sha256_hex};
use abi_stable::{library::RootModule, sabi_types::VersionNumber};
use object::{Object, ObjectSection, ObjectSymbol};
use std::{fmt, path::Path};
use tremor_pdk::{ConnectorMod_Ref, MANIFEST_HEADER, MANIFEST_SECTION, MANIFEST_SYMBOL};

/// What a plugin file says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginManifest {
    /// The connector type name.
    pub connector_type: String,
    /// The connector crate's version.
    pub connector_version: String,
    /// The tremor-pdk version it was built against.
    pub interface_version: String,
    /// The abi_stable version it was built with.
    pub abi_stable_version: String,
    /// The ports its sink takes events on.
    pub input_ports: Vec<String>,
    /// The target it was built for (`x86_64-linux-gnu`).
    pub target: String,
    /// `debug` or `release` (whether debug assertions were on).
    pub profile: String,
}

/// Why a file could not be described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectError {
    /// It cannot be read.
    Unreadable(String),
    /// It is not an object file this platform knows.
    NotAnObjectFile(String),
    /// An object file without a tremor manifest.
    NoManifest,
    /// A manifest that cannot be parsed.
    BadManifest(String),
}

impl fmt::Display for InspectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable(e) => write!(f, "cannot read it: {e}"),
            Self::NotAnObjectFile(e) => {
                write!(f, "not a plugin: not a shared library or object file ({e})")
            }
            Self::NoManifest => write!(
                f,
                "not a tremor connector plugin: no `{MANIFEST_SECTION}` section (plugins built with tremor_pdk::connector_module! and the `plugin` feature have one; tremor-pdk 0.1 plugins built before it existed do not)"
            ),
            Self::BadManifest(e) => write!(f, "a broken tremor plugin manifest: {e}"),
        }
    }
}

impl std::error::Error for InspectError {}

/// A plugin file's manifest and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// The manifest.
    pub manifest: PluginManifest,
    /// The file's SHA-256, hex.
    pub sha256: String,
}

/// Reads `path`'s manifest by parsing the file; nothing of it is loaded or run.
///
/// # Errors
/// When the file cannot be read, is not an object file, or has no (valid) manifest.
pub fn inspect(path: &Path) -> Result<Inspection, InspectError> {
    let bytes = std::fs::read(path).map_err(|e| InspectError::Unreadable(e.to_string()))?;
    let sha256 = sha256_hex(&bytes);
    let file =
        object::File::parse(&*bytes).map_err(|e| InspectError::NotAnObjectFile(e.to_string()))?;
    let data = manifest_bytes(&file)?;
    let text = std::str::from_utf8(data)
        .map_err(|e| InspectError::BadManifest(format!("not UTF-8: {e}")))?;
    Ok(Inspection {
        manifest: parse_manifest(text)?,
        sha256,
    })
}

fn manifest_bytes<'data>(file: &object::File<'data>) -> Result<&'data [u8], InspectError> {
    let broken = |e: object::Error| InspectError::BadManifest(e.to_string());
    if let Some(section) = file.section_by_name(MANIFEST_SECTION) {
        return section.data().map_err(broken);
    }
    // A linker script may have merged the section away: the exported symbol still says where.
    let symbol = file
        .dynamic_symbols()
        .chain(file.symbols())
        .find(|s| s.name() == Ok(MANIFEST_SYMBOL))
        .ok_or(InspectError::NoManifest)?;
    let section = symbol
        .section_index()
        .and_then(|index| file.section_by_index(index).ok())
        .ok_or(InspectError::NoManifest)?;
    let start = symbol
        .address()
        .checked_sub(section.address())
        .ok_or(InspectError::NoManifest)?;
    section
        .data_range(section.address() + start, symbol.size())
        .map_err(broken)?
        .ok_or(InspectError::NoManifest)
}

/// Parses the manifest text that `connector_module!` writes.
///
/// # Errors
/// When the header or a required key is missing.
pub fn parse_manifest(text: &str) -> Result<PluginManifest, InspectError> {
    let text = text.trim_end_matches('\0');
    let mut lines = text.lines();
    if lines.next() != Some(MANIFEST_HEADER) {
        return Err(InspectError::BadManifest(format!(
            "expected it to start with `{MANIFEST_HEADER}`"
        )));
    }
    let fields: Vec<(&str, &str)> = lines.filter_map(|l| l.split_once('=')).collect();
    let get = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
            .ok_or_else(|| InspectError::BadManifest(format!("no `{key}`")))
    };
    Ok(PluginManifest {
        connector_type: get("type")?,
        connector_version: get("connector_version")?,
        interface_version: get("interface_version")?,
        abi_stable_version: get("abi_stable_version")?,
        input_ports: get("input_ports")?
            .split(',')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        target: get("target")?,
        profile: get("profile")?,
    })
}

/// Whether this runtime would accept the interface version `found`, in words.
pub fn interface_verdict(found: &str) -> String {
    let accepted = accepted_interface_versions();
    let host = VersionNumber::new(<ConnectorMod_Ref as RootModule>::VERSION_STRINGS);
    // `VersionNumber::new` wants `'static` text: the plugin's version is parsed here.
    let parsed: Vec<Option<u32>> = found.split('.').map(|p| p.parse().ok()).collect();
    let compatible = match (host, parsed.as_slice()) {
        (Ok(host), [Some(major), Some(minor), Some(patch)]) => interface_versions_compatible(
            &host,
            &VersionNumber {
                major: *major,
                minor: *minor,
                patch: *patch,
            },
        ),
        _ => false,
    };
    if compatible {
        format!("this runtime accepts {accepted}: compatible")
    } else {
        format!("this runtime accepts {accepted}: NOT compatible, it would be refused")
    }
}

impl fmt::Display for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.manifest;
        writeln!(f, "type:                {}", m.connector_type)?;
        writeln!(f, "connector version:   {}", m.connector_version)?;
        writeln!(
            f,
            "interface version:   {} ({})",
            m.interface_version,
            interface_verdict(&m.interface_version)
        )?;
        writeln!(f, "abi_stable version:  {}", m.abi_stable_version)?;
        writeln!(f, "input ports:         {}", m.input_ports.join(", "))?;
        writeln!(f, "target:              {}", m.target)?;
        writeln!(f, "profile:             {}", m.profile)?;
        write!(f, "sha256:              {}", self.sha256)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_is_parsed_and_a_foreign_one_refused() {
        let text = format!(
            "{MANIFEST_HEADER}\ntype=null\nconnector_version=0.3.0\ninterface_version=0.1.0\nabi_stable_version=0.11.3\ninput_ports=in,stdout,\ntarget=x86_64-linux-gnu\nprofile=debug\n\0"
        );
        let manifest = parse_manifest(&text).expect("valid");
        assert_eq!(manifest.connector_type, "null");
        assert_eq!(manifest.input_ports, ["in", "stdout"]);
        assert_eq!(manifest.profile, "debug");
        assert!(matches!(
            parse_manifest("something else"),
            Err(InspectError::BadManifest(_))
        ));
    }

    #[test]
    fn a_file_that_is_not_a_plugin_gets_a_clear_answer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = dir.path().join("notes.so");
        std::fs::write(&text, "just text").expect("write");
        let e = inspect(&text).expect_err("not ELF");
        assert!(e.to_string().starts_with("not a plugin"), "{e}");
        // The test binary is ELF, but no plugin.
        let me = std::env::current_exe().expect("test binary");
        assert_eq!(inspect(&me), Err(InspectError::NoManifest));
        assert!(InspectError::NoManifest
            .to_string()
            .starts_with("not a tremor connector plugin"));
    }

    #[test]
    fn the_verdict_names_what_this_runtime_accepts() {
        let ours = tremor_pdk::INTERFACE_VERSION;
        assert!(interface_verdict(ours).ends_with(": compatible"));
        assert!(interface_verdict("9.9.9").contains("NOT compatible"));
    }

    #[test]
    fn the_error_table_of_the_plugin_guide_shows_the_messages_as_they_are() {
        let guide = include_str!("../../docs/plugins.md");
        let first_part = |e: InspectError| {
            let text = format!("FILE: {e}");
            // The table shows the message up to its explanation in parentheses.
            text.split(" (plugins built")
                .next()
                .unwrap_or_default()
                .to_string()
        };
        for message in [
            first_part(InspectError::NotAnObjectFile("REASON".into())),
            first_part(InspectError::NoManifest),
        ] {
            assert!(
                guide.contains(&message),
                "docs/plugins.md does not show `{message}`"
            );
        }
    }
}
