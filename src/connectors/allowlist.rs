//! Pinning plugins: `--plugin-allow FILE` / `TREMOR_PLUGIN_ALLOW` name an allowlist of
//! `SHA256  PATH-OR-NAME` lines, exactly what `sha256sum` prints. With one, a plugin file that
//! is not on it, or whose hash differs, is refused before it is opened as a library.

use std::{
    fmt,
    path::{Path, PathBuf},
};

/// The environment variable naming an allowlist file, like `--plugin-allow`.
pub const ALLOWLIST_ENV: &str = "TREMOR_PLUGIN_ALLOW";

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
    /// A message naming the file, and the pinned vs the found hash (or that it is not listed).
    pub fn check(&self, path: &Path, sha256: &str) -> Result<(), String> {
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
            return Err(not_on_allowlist_message(
                path.display(),
                &self.source,
                sha256,
            ));
        }
        if pinned.contains(&sha256) {
            return Ok(());
        }
        Err(wrong_hash_message(
            path.display(),
            &self.source,
            &pinned.join(" or "),
            sha256,
        ))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
            .expect_err("another hash");
        assert!(
            wrong.contains(&format!("expected {good}, found {other}"))
                && wrong.contains("/x/libnull.so")
                && wrong.contains("allow.txt"),
            "{wrong}"
        );
        let unknown = list
            .check(Path::new("/x/libfile.so"), &other)
            .expect_err("only /opt/p/libfile.so is pinned");
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
}
