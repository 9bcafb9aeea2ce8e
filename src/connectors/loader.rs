//! Loading connector plugins (feature `dynamic-plugins`).
//!
//! Each file is opened on its own with `lib_header_from_path` and checked with
//! `init_root_module` (interface version, then the layout of every type reachable from the
//! root module). `RootModule::load_from_*` is not used: it caches the first module per root
//! module type, which would register the first plugin again for every file.
//!
//! Policy for problems, so that one bad file never stops a deployment that does not need it:
//! * a directory or file writable by other users is refused (anyone could swap the code this
//!   process runs) — logged as an error, nothing in it is loaded;
//! * a file that is not a plugin, is broken, or was built against an incompatible interface
//!   is skipped with a warning naming it and what was expected vs found;
//! * a connector type that is already known (builtin, or an earlier file in search order) is
//!   refused with a warning naming both origins: the first one wins.
//!
//! Libraries are never unloaded (abi_stable does not support it): restarting is the unload.

use super::registry::{ConnectorType, Origin, Registry};
use abi_stable::library::{lib_header_from_path, LibraryError, RootModule};
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
    /// The file or its directory is writable by other users.
    Insecure(String),
    /// The file cannot be opened as a shared library.
    NotALibrary(String),
    /// A shared library without a tremor connector root module.
    NotAPlugin,
    /// Built against another interface version.
    IncompatibleVersion {
        /// The interface version this runtime speaks.
        expected: String,
        /// The one the plugin was built against.
        found: String,
    },
    /// The interface types differ in layout from what this runtime expects.
    Layout(String),
    /// Anything else abi_stable reported.
    Other(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Insecure(m) => write!(f, "refused: {m}"),
            Self::NotALibrary(m) => write!(f, "not a loadable shared library ({m})"),
            Self::NotAPlugin => write!(
                f,
                "a shared library, but not a tremor connector plugin (no root module; expected one exported with tremor_pdk::connector_module! and the `plugin` feature)"
            ),
            Self::IncompatibleVersion { expected, found } => write!(
                f,
                "incompatible interface version: expected {expected} (or a compatible one), found {found}"
            ),
            Self::Layout(m) => write!(f, "interface layout mismatch: {m}"),
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
            let outcome = match load_file(&path) {
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
    check_not_writable_by_others(path)?;
    let bytes = std::fs::read(path).map_err(|e| LoadError::NotALibrary(e.to_string()))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let header = lib_header_from_path(path).map_err(classify)?;
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

fn classify(e: LibraryError) -> LoadError {
    match e {
        LibraryError::OpenError { err, .. } => LoadError::NotALibrary(err.to_string()),
        LibraryError::GetSymbolError { .. } => LoadError::NotAPlugin,
        LibraryError::IncompatibleVersionNumber {
            expected_version,
            actual_version,
            ..
        } => LoadError::IncompatibleVersion {
            expected: expected_version.to_string(),
            found: actual_version.to_string(),
        },
        LibraryError::AbiInstability(details) => {
            // abi_stable's report is long; the first lines say what differs.
            let text = details.to_string();
            let short: Vec<&str> = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .take(6)
                .collect();
            LoadError::Layout(short.join(" | "))
        }
        other => LoadError::Other(other.to_string().trim().replace('\n', " ")),
    }
}

/// Refuses paths that users other than the owner may write to.
fn check_not_writable_by_others(path: &Path) -> Result<(), LoadError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| LoadError::NotALibrary(format!("cannot read {}: {e}", path.display())))?;
    let mode = meta.permissions().mode();
    if mode & 0o002 != 0 {
        return Err(LoadError::Insecure(format!(
            "{} is writable by other users (mode {:o}); run `chmod o-w` on it",
            path.display(),
            mode & 0o7777
        )));
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    fn garbage_and_world_writable_files_are_refused_with_their_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let garbage = dir.path().join(format!("libgarbage.{PLUGIN_EXTENSION}"));
        std::fs::write(&garbage, b"\x7fELF but not really").expect("write");
        match load_file(&garbage) {
            Err(LoadError::NotALibrary(_)) => {}
            other => panic!("expected NotALibrary, got {other:?}"),
        }
        std::fs::set_permissions(&garbage, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        match load_file(&garbage) {
            Err(LoadError::Insecure(m)) => assert!(m.contains("libgarbage"), "{m}"),
            other => panic!("expected Insecure, got {other:?}"),
        }
        let mut registry = Registry::new();
        let reports = load_all(&mut registry, &[dir.path().to_path_buf()]);
        assert_eq!(reports.len(), 1);
        assert!(reports[0].outcome.is_err());
        assert!(registry.names().is_empty());
    }
}
