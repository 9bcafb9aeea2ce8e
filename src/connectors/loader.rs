//! Loading connector plugins (feature `dynamic-plugins`).
//!
//! Each file is opened on its own with `lib_header_from_path` and checked in two steps, as
//! Zenoh does: first its interface version (the tremor-pdk version it was built against, read
//! from the library header before any layout is compared), then the layout of every type
//! reachable from the root module. `RootModule::load_from_*` is not used: it caches the first
//! module per root module type, which would register the first plugin again for every file.
//!
//! Policy for problems, so that one bad file never stops a deployment that does not need it:
//! * a directory or file writable by the group or by other users is refused (someone else
//!   could swap the code this process runs) — logged as an error, nothing in it is loaded;
//! * with an allowlist (`--plugin-allow`), a file that is not on it, or whose sha256 is not the
//!   pinned one, is refused before it is opened as a library;
//! * a file that is not a plugin, is broken, or was built against an incompatible interface
//!   is skipped with a warning naming it and what was expected vs found;
//! * a connector type that is already known (builtin, or an earlier file in search order) is
//!   refused with a warning naming both origins: the first one wins.
//!
//! Libraries are never unloaded (abi_stable does not support it): restarting is the unload.

use super::{
    allowlist::Allowlist,
    layout_report,
    registry::{ConnectorType, Origin, Registry},
};
use abi_stable::{
    abi_stability::abi_checking::check_layout_compatibility,
    library::{lib_header_from_path, LibHeader, LibraryError, RootModule},
    sabi_types::VersionNumber,
};
use sha2::{Digest, Sha256};
use std::{
    fmt,
    path::{Path, PathBuf},
};
use tremor_pdk::ConnectorMod_Ref;

/// The file name ending of plugins on this platform.
pub const PLUGIN_EXTENSION: &str = std::env::consts::DLL_EXTENSION;

/// Why a plugin file was not loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The file or its directory is writable by the group or by other users.
    Insecure(String),
    /// Not on the allowlist, or another hash than the pinned one.
    NotAllowed(String),
    /// The file cannot be opened as a shared library.
    NotALibrary(String),
    /// A shared library without a tremor connector root module.
    NotAPlugin,
    /// Built against an interface version this runtime does not accept.
    IncompatibleVersion {
        /// The interface versions this runtime accepts (e.g. `0.2.x`).
        accepted: String,
        /// The one the plugin was built against.
        found: String,
    },
    /// Compatible versions, but the interface types differ in layout.
    Layout {
        /// Where the first difference is and what it is, in one line.
        first: String,
        /// abi_stable's complete report.
        report: String,
    },
    /// Anything else abi_stable reported.
    Other(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Insecure(m) | Self::NotAllowed(m) => write!(f, "refused: {m}"),
            Self::NotALibrary(m) => write!(f, "not a loadable shared library ({m})"),
            Self::NotAPlugin => write!(
                f,
                "a shared library, but not a tremor connector plugin (no root module; expected one exported with tremor_pdk::connector_module! and the `plugin` feature)"
            ),
            Self::IncompatibleVersion { accepted, found } => write!(
                f,
                "built against tremor-pdk {found}; this runtime accepts {accepted}"
            ),
            Self::Layout { first, report } => write!(
                f,
                "interface layout mismatch: {first}\nfull report from abi_stable:\n{report}"
            ),
            Self::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for LoadError {}

/// The plugin directories: `--plugin-path` flags first, then `TREMOR_PLUGIN_PATH`.
pub fn search_path(from_cli: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs = from_cli.to_vec();
    if let Some(env) = std::env::var_os("TREMOR_PLUGIN_PATH") {
        dirs.extend(std::env::split_paths(&env).filter(|d| !d.as_os_str().is_empty()));
    }
    dirs
}

/// The outcome for one file.
#[derive(Debug)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// The connector type it registered, or why it did not.
    pub outcome: Result<String, String>,
}

/// Loads every plugin in `dirs` into `registry`; returns what happened per file (also logged).
pub fn load_all(registry: &mut Registry, dirs: &[PathBuf]) -> Vec<FileReport> {
    load_all_allowed(registry, dirs, None)
}

/// Like [`load_all`], loading only files that `allow` pins (when given).
pub fn load_all_allowed(
    registry: &mut Registry,
    dirs: &[PathBuf],
    allow: Option<&Allowlist>,
) -> Vec<FileReport> {
    let mut reports = Vec::new();
    for dir in dirs {
        if let Err(e) = check_not_writable_by_others(dir) {
            log::error!("plugin directory {}: {e}", dir.display());
            reports.push(FileReport {
                path: dir.clone(),
                outcome: Err(e.to_string()),
            });
            continue;
        }
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == PLUGIN_EXTENSION) && p.is_file())
                .collect(),
            Err(e) => {
                log::warn!("plugin directory {}: cannot read it: {e}", dir.display());
                continue;
            }
        };
        files.sort();
        for path in files {
            let outcome = match load_file_allowed(&path, allow) {
                Ok(ty) => {
                    let name = ty.name().to_string();
                    match registry.register(ty) {
                        Ok(()) => {
                            log::info!("loaded connector `{name}` from {}", path.display());
                            Ok(name)
                        }
                        Err(dup) => {
                            log::warn!("{dup}");
                            Err(dup.to_string())
                        }
                    }
                }
                Err(e) => {
                    log::warn!("skipping plugin {}: {e}", path.display());
                    Err(e.to_string())
                }
            };
            reports.push(FileReport { path, outcome });
        }
    }
    reports
}

/// Loads one plugin file.
pub fn load_file(path: &Path) -> Result<ConnectorType, LoadError> {
    load_file_allowed(path, None)
}

/// Loads one plugin file if `allow` (when given) pins it with its current hash.
pub fn load_file_allowed(
    path: &Path,
    allow: Option<&Allowlist>,
) -> Result<ConnectorType, LoadError> {
    check_not_writable_by_others(path)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        check_not_writable_by_others(parent)?;
    }
    let bytes = std::fs::read(path).map_err(|e| LoadError::NotALibrary(e.to_string()))?;
    let sha256 = sha256_hex(&bytes);
    if let Some(allow) = allow {
        allow.check(path, &sha256).map_err(LoadError::NotAllowed)?;
    }
    let header = lib_header_from_path(path).map_err(classify)?;
    check_interface_version(header)?;
    check_layout(header)?;
    let module = header
        .init_root_module::<ConnectorMod_Ref>()
        .map_err(classify)?;
    Ok(ConnectorType::from_module(
        module,
        Origin::Plugin {
            path: path.to_path_buf(),
            sha256,
        },
    ))
}

/// The interface versions this runtime accepts, as people write them: `0.2.x` (for `0.x`, the
/// same minor: semver treats every `0.x` minor as breaking) or `1.x`.
pub fn accepted_interface_versions() -> String {
    match VersionNumber::new(<ConnectorMod_Ref as RootModule>::VERSION_STRINGS) {
        Ok(v) if v.major == 0 => format!("0.{}.x", v.minor),
        Ok(v) => format!("{}.x", v.major),
        Err(_) => expected_interface_version(),
    }
}

/// Whether a plugin built against interface version `plugin` may be loaded by a runtime of
/// interface version `host`: the same major, and for `0.x` the same minor. (abi_stable alone
/// would accept a `0.x` plugin of a *newer* minor and then fail on the layout, with a report
/// that names neither version.)
pub fn interface_versions_compatible(host: &VersionNumber, plugin: &VersionNumber) -> bool {
    host.major == plugin.major && (host.major != 0 || host.minor == plugin.minor)
}

fn check_interface_version(header: &LibHeader) -> Result<(), LoadError> {
    let found = header.version_strings();
    let incompatible = || LoadError::IncompatibleVersion {
        accepted: accepted_interface_versions(),
        found: found.version.to_string(),
    };
    let plugin = VersionNumber::new(found).map_err(|_| incompatible())?;
    let host = VersionNumber::new(<ConnectorMod_Ref as RootModule>::VERSION_STRINGS)
        .map_err(|e| LoadError::Other(e.to_string()))?;
    if interface_versions_compatible(&host, &plugin) {
        Ok(())
    } else {
        Err(incompatible())
    }
}

/// Compares the plugin's root module layout with ours, so that a difference is reported
/// complete and with the first differing field named (abi_stable's own error is a long text).
fn check_layout(header: &LibHeader) -> Result<(), LoadError> {
    let Some(found) = header.layout() else {
        return Ok(());
    };
    check_layout_compatibility(<ConnectorMod_Ref as abi_stable::StableAbi>::LAYOUT, found).map_err(
        |errors| {
            let (first, report) = layout_report::describe(&errors);
            LoadError::Layout { first, report }
        },
    )
}

fn classify(e: LibraryError) -> LoadError {
    match e {
        LibraryError::OpenError { err, .. } => LoadError::NotALibrary(err.to_string()),
        LibraryError::GetSymbolError { .. } => LoadError::NotAPlugin,
        LibraryError::IncompatibleVersionNumber { actual_version, .. } => {
            LoadError::IncompatibleVersion {
                accepted: accepted_interface_versions(),
                found: actual_version.to_string(),
            }
        }
        LibraryError::AbiInstability(details) => LoadError::Layout {
            first: "see the report".to_string(),
            report: details.to_string().trim_end().to_string(),
        },
        other => LoadError::Other(other.to_string().trim().replace('\n', " ")),
    }
}

/// Refuses paths that users other than the owner may write to: the group or everyone.
fn check_not_writable_by_others(path: &Path) -> Result<(), LoadError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| LoadError::NotALibrary(format!("cannot read {}: {e}", path.display())))?;
    let mode = meta.permissions().mode();
    let who = match (mode & 0o020 != 0, mode & 0o002 != 0) {
        (_, true) => "other users",
        (true, false) => "its group",
        (false, false) => return Ok(()),
    };
    Err(LoadError::Insecure(insecure_message(
        path.display(),
        who,
        format_args!("{:o}", mode & 0o7777),
    )))
}

/// The message for a file or directory others may write to (public to the crate so that the
/// docs' error table is checked against it).
pub(crate) fn insecure_message(
    path: impl fmt::Display,
    who: &str,
    mode: impl fmt::Display,
) -> String {
    format!("{path} is writable by {who} (mode {mode}); run `chmod go-w` on it")
}

/// The lowercase hex SHA-256 of `bytes`, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The interface version this runtime expects from plugins.
pub fn expected_interface_version() -> String {
    <ConnectorMod_Ref as RootModule>::VERSION_STRINGS.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn garbage_and_world_or_group_writable_files_are_refused_with_their_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let garbage = dir.path().join(format!("libgarbage.{PLUGIN_EXTENSION}"));
        std::fs::write(&garbage, b"\x7fELF but not really").expect("write");
        std::fs::set_permissions(&garbage, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        match load_file(&garbage) {
            Err(LoadError::NotALibrary(_)) => {}
            other => panic!("expected NotALibrary, got {other:?}"),
        }
        for (mode, who) in [(0o666, "other users"), (0o664, "its group")] {
            std::fs::set_permissions(&garbage, std::fs::Permissions::from_mode(mode))
                .expect("chmod");
            match load_file(&garbage) {
                Err(LoadError::Insecure(m)) => {
                    assert!(m.contains("libgarbage") && m.contains(who), "{m}")
                }
                other => panic!("expected Insecure, got {other:?}"),
            }
        }
        let mut registry = Registry::new();
        let reports = load_all(&mut registry, &[dir.path().to_path_buf()]);
        assert_eq!(reports.len(), 1);
        assert!(reports[0].outcome.is_err());
        assert!(registry.names().is_empty());
    }

    #[test]
    fn a_group_writable_directory_refuses_its_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(format!("libx.{PLUGIN_EXTENSION}"));
        std::fs::write(&file, b"x").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o770))
            .expect("chmod");
        match load_file(&file) {
            Err(e @ LoadError::Insecure(_)) => {
                let m = e.to_string();
                assert!(
                    m.contains("writable by its group") && m.contains("mode 770"),
                    "{m}"
                );
            }
            other => panic!("expected Insecure, got {other:?}"),
        }
        let mut registry = Registry::new();
        let reports = load_all(&mut registry, &[dir.path().to_path_buf()]);
        assert_eq!(reports.len(), 1, "the directory alone is reported");
        assert!(reports[0]
            .outcome
            .as_ref()
            .is_err_and(|e| e.contains("its group")));
    }

    #[test]
    fn interface_versions_are_compatible_within_a_0x_minor_or_a_major() {
        let v = |major, minor, patch| VersionNumber {
            major,
            minor,
            patch,
        };
        assert!(interface_versions_compatible(&v(0, 1, 0), &v(0, 1, 7)));
        assert!(!interface_versions_compatible(&v(0, 1, 0), &v(0, 2, 0)));
        assert!(!interface_versions_compatible(&v(0, 2, 0), &v(0, 1, 0)));
        assert!(interface_versions_compatible(&v(1, 0, 0), &v(1, 3, 0)));
        assert!(!interface_versions_compatible(&v(1, 0, 0), &v(2, 0, 0)));
        let message = LoadError::IncompatibleVersion {
            accepted: accepted_interface_versions(),
            found: "0.2.0".into(),
        }
        .to_string();
        let host = tremor_pdk::INTERFACE_VERSION;
        let minor = host.rsplit_once('.').map(|(head, _)| head).unwrap_or(host);
        assert_eq!(
            message,
            format!("built against tremor-pdk 0.2.0; this runtime accepts {minor}.x")
        );
    }

    #[test]
    fn the_error_table_of_the_plugin_guide_shows_the_messages_as_they_are() {
        use super::super::{
            allowlist::{not_on_allowlist_message, wrong_hash_message},
            registry::DuplicateType,
        };
        let guide = include_str!("../../docs/plugins.md");
        let skipping = |e: LoadError| {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or_default().to_string();
            format!("skipping plugin FILE: {first}")
        };
        let plugin = |path: &str| Origin::Plugin {
            path: PathBuf::from(path),
            sha256: String::new(),
        };
        let messages = [
            skipping(LoadError::NotALibrary("REASON".into())),
            skipping(LoadError::NotAPlugin),
            skipping(LoadError::IncompatibleVersion {
                accepted: "Y".into(),
                found: "X".into(),
            }),
            skipping(LoadError::Layout {
                first: "WHERE".into(),
                report: "REPORT".into(),
            }),
            "full report from abi_stable:".to_string(),
            skipping(LoadError::Insecure(insecure_message("FILE", "WHO", "MODE"))),
            format!(
                "plugin directory DIR: {}",
                LoadError::Insecure(insecure_message("DIR", "WHO", "MODE"))
            ),
            skipping(LoadError::NotAllowed(not_on_allowlist_message(
                "FILE", "LIST", "FOUND",
            ))),
            skipping(LoadError::NotAllowed(wrong_hash_message(
                "FILE", "LIST", "EXPECTED", "FOUND",
            ))),
            DuplicateType {
                name: "T".into(),
                kept: plugin("ORIGIN1"),
                refused: plugin("ORIGIN2"),
            }
            .to_string(),
        ];
        for message in messages {
            assert!(
                guide.contains(&message),
                "docs/plugins.md does not show `{message}`"
            );
        }
    }
}
