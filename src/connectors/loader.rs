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

use super::registry::{ConnectorType, Origin, Registry};
use abi_stable::{
    abi_stability::abi_checking::{
        check_layout_compatibility, AbiInstability, AbiInstabilityErrors, ExpectedFound,
    },
    library::{lib_header_from_path, LibHeader, LibraryError, RootModule},
    sabi_types::VersionNumber,
    type_layout::TLFieldOrFunction,
};
use sha2::{Digest, Sha256};
use std::{
    fmt,
    path::{Path, PathBuf},
};
use tremor_pdk::ConnectorMod_Ref;

/// The file name ending of plugins on this platform.
pub const PLUGIN_EXTENSION: &str = std::env::consts::DLL_EXTENSION;

/// The environment variable naming an allowlist file, like `--plugin-allow`.
pub const ALLOWLIST_ENV: &str = "TREMOR_PLUGIN_ALLOW";

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
        /// The interface versions this runtime accepts (`0.1.x`).
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
        allow.check(path, &sha256)?;
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

/// The interface versions this runtime accepts, as people write them: `0.1.x` (for `0.x`, the
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
    check_layout_compatibility(<ConnectorMod_Ref as abi_stable::StableAbi>::LAYOUT, found)
        .map_err(|errors| layout_error(&errors))
}

fn layout_error(errors: &AbiInstabilityErrors) -> LoadError {
    // abi_stable lists one entry per level it descended through; most say "0 error(s)".
    let first = errors
        .errors
        .iter()
        .find(|error| !error.errs.is_empty())
        .map(|error| {
            let steps: Vec<&TLFieldOrFunction> = error
                .stack_trace
                .iter()
                .map(|step| &step.expected)
                .collect();
            let what = error
                .errs
                .iter()
                .map(describe_instability)
                .collect::<Vec<_>>()
                .join("; ");
            match steps.as_slice() {
                [] => format!("in the root module itself: {what}"),
                [.., last] => {
                    let mut path: Vec<&str> = steps.iter().map(|step| step_name(step)).collect();
                    // A function pointer field and its function carry the same name.
                    path.dedup();
                    let container = match steps.len().checked_sub(2).map(|i| steps[i]) {
                        Some(TLFieldOrFunction::Field(parent)) => {
                            format!(" of type `{}`", parent.full_type())
                        }
                        _ => String::new(),
                    };
                    format!(
                        "first difference at `{}`, {}{container}: {what}",
                        path.join(" → "),
                        describe_step(last)
                    )
                }
            }
        })
        .unwrap_or_else(|| "no details from abi_stable".to_string());
    LoadError::Layout {
        first,
        report: errors.to_string().trim_end().to_string(),
    }
}

fn step_name(step: &TLFieldOrFunction) -> &'static str {
    match step {
        TLFieldOrFunction::Field(field) => field.name(),
        TLFieldOrFunction::Function(function) => function.name.as_str(),
    }
}

fn describe_step(step: &TLFieldOrFunction) -> String {
    match step {
        TLFieldOrFunction::Field(field) => {
            format!("field `{}: {}`", field.name(), field.full_type())
        }
        TLFieldOrFunction::Function(function) => format!("fn `{}`", function.name),
    }
}

fn describe_instability(error: &AbiInstability) -> String {
    fn both<T: fmt::Display>(what: &str, v: &ExpectedFound<T>) -> String {
        format!("{what}: host has {}, plugin has {}", v.expected, v.found)
    }
    fn both_debug<T: fmt::Debug>(what: &str, v: &ExpectedFound<T>) -> String {
        format!(
            "{what}: host has {:?}, plugin has {:?}",
            v.expected, v.found
        )
    }
    match error {
        AbiInstability::Name(v) => both("another type", v),
        AbiInstability::Package(v) => both("another package", v),
        AbiInstability::PackageVersion(v) => both("incompatible package versions", v),
        AbiInstability::Size(v) => both("another size (bytes)", v),
        AbiInstability::Alignment(v) => both("another alignment (bytes)", v),
        AbiInstability::FieldCountMismatch(v) => both("another number of fields", v),
        AbiInstability::UnexpectedField(v) => format!(
            "another field: host has `{}: {}`, plugin has `{}: {}`",
            v.expected.name(),
            v.expected.full_type(),
            v.found.name(),
            v.found.full_type()
        ),
        AbiInstability::TooManyVariants(v) => both("another number of variants", v),
        AbiInstability::UnexpectedVariant(v) => both("another variant", v),
        AbiInstability::MismatchedPrefixSize(v) => both("another prefix length", v),
        AbiInstability::MismatchedPrimitive(v) => both_debug("another primitive", v),
        AbiInstability::TLDataDiscriminant(v) => both_debug("another kind of type", v),
        AbiInstability::ReprAttr(v) => both_debug("another repr", v),
        AbiInstability::EnumDiscriminant(v) => both_debug("another discriminant", v),
        other => format!("{other:?}"),
    }
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

/// The message for a file that is not on the allowlist `list`.
pub(crate) fn not_on_allowlist_message(path: impl fmt::Display, list: &str, found: &str) -> String {
    format!("{path} is not on the plugin allowlist {list} (its sha256 is {found})")
}

/// The message for a file whose hash is not the one `list` pins.
pub(crate) fn wrong_hash_message(
    path: impl fmt::Display,
    list: &str,
    expected: &str,
    found: &str,
) -> String {
    format!("{path} does not have the sha256 pinned in {list}: expected {expected}, found {found}")
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

/// Plugin files pinned by hash: lines `SHA256  PATH-OR-NAME` as `sha256sum` writes them (`#`
/// starts a comment). An entry with a `/` names one file by its path; one without names any
/// file of that name in the search path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    /// Where it was read from, for messages.
    source: String,
    entries: Vec<(String, String)>,
}

impl Allowlist {
    /// Reads an allowlist file.
    ///
    /// # Errors
    /// When the file cannot be read or a line is not `SHA256  PATH-OR-NAME`.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read plugin allowlist {}: {e}", path.display()))?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses allowlist text; `source` names it in messages.
    ///
    /// # Errors
    /// When a line is not `SHA256  PATH-OR-NAME`.
    pub fn parse(source: &str, text: &str) -> Result<Self, String> {
        let mut entries = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || {
                format!(
                    "{source}:{}: expected `SHA256  PATH-OR-NAME` (as sha256sum prints), found `{line}`",
                    number + 1
                )
            };
            let (hash, name) = line.split_once(char::is_whitespace).ok_or_else(bad)?;
            // sha256sum marks binary mode with `*` before the name.
            let name = name.trim_start().trim_start_matches('*');
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) || name.is_empty() {
                return Err(bad());
            }
            entries.push((hash.to_ascii_lowercase(), name.to_string()));
        }
        Ok(Self {
            source: source.to_string(),
            entries,
        })
    }

    /// Reads the allowlist named by `--plugin-allow` or else by `TREMOR_PLUGIN_ALLOW`, if any.
    ///
    /// # Errors
    /// When the named file cannot be read or parsed.
    pub fn from_cli_or_env(from_cli: Option<&Path>) -> Result<Option<Self>, String> {
        let env = std::env::var_os(ALLOWLIST_ENV).filter(|v| !v.is_empty());
        match from_cli.map(Path::to_path_buf).or(env.map(PathBuf::from)) {
            Some(path) => Self::from_file(&path).map(Some),
            None => Ok(None),
        }
    }

    /// Whether `path` with hash `sha256` may be loaded.
    ///
    /// # Errors
    /// [`LoadError::NotAllowed`] naming the file, and the pinned vs the found hash.
    pub fn check(&self, path: &Path, sha256: &str) -> Result<(), LoadError> {
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let full = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let pinned: Vec<&str> = self
            .entries
            .iter()
            .filter(|(_, name)| {
                if name.contains('/') {
                    let entry = Path::new(name);
                    entry == path || std::fs::canonicalize(entry).is_ok_and(|entry| entry == full)
                } else {
                    file_name.as_deref() == Some(name.as_str())
                }
            })
            .map(|(hash, _)| hash.as_str())
            .collect();
        if pinned.is_empty() {
            return Err(LoadError::NotAllowed(not_on_allowlist_message(
                path.display(),
                &self.source,
                sha256,
            )));
        }
        if pinned.contains(&sha256) {
            return Ok(());
        }
        Err(LoadError::NotAllowed(wrong_hash_message(
            path.display(),
            &self.source,
            &pinned.join(" or "),
            sha256,
        )))
    }
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
    fn an_allowlist_pins_files_by_name_or_path_and_names_both_hashes() {
        let good = "a".repeat(64);
        let other = "b".repeat(64);
        let list = Allowlist::parse(
            "allow.txt",
            &format!("# pinned plugins\n{good}  libnull.so\n{other} */opt/p/libfile.so\n"),
        )
        .expect("valid");
        assert!(list.check(Path::new("/x/libnull.so"), &good).is_ok());
        assert!(list.check(Path::new("/opt/p/libfile.so"), &other).is_ok());
        let wrong = list
            .check(Path::new("/x/libnull.so"), &other)
            .expect_err("another hash")
            .to_string();
        assert!(
            wrong.contains(&format!("expected {good}, found {other}"))
                && wrong.contains("/x/libnull.so")
                && wrong.contains("allow.txt"),
            "{wrong}"
        );
        let unknown = list
            .check(Path::new("/x/libfile.so"), &other)
            .expect_err("only /opt/p/libfile.so is pinned")
            .to_string();
        assert!(
            unknown.contains("is not on the plugin allowlist allow.txt"),
            "{unknown}"
        );
        let bad = Allowlist::parse("allow.txt", "\nnot-a-hash libx.so\n").expect_err("bad line");
        assert!(
            bad.starts_with("allow.txt:2: expected `SHA256  PATH-OR-NAME`"),
            "{bad}"
        );
    }

    #[test]
    fn the_error_table_of_the_plugin_guide_shows_the_messages_as_they_are() {
        use super::super::registry::DuplicateType;
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
