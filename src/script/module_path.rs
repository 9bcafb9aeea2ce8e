//! Where `use a::b;` finds its module file on `TREMOR_PATH`, shared by Troy's loader and the
//! script parser's function modules.
//!
//! Tremor (0.12 and 0.13 alike) looks for `a/b.tremor`, then `a/b.trickle`, then `a/b.troy` in
//! each directory of the path in order, and takes the first file found. 0.12's test libraries
//! use the older extensions (`lib/pipelines.troy`, `lib/helpers.trickle`).

use std::path::{Path, PathBuf};

/// The extensions of a module file, in the order Tremor tries them.
pub const EXTENSIONS: [&str; 3] = ["tremor", "trickle", "troy"];

/// The module file for the module path `segments` (`["a", "b"]` for `a::b`): for each
/// directory of `dirs` in order, the first of `a/b.tremor`, `a/b.trickle`, `a/b.troy` that is a
/// file.
pub fn find<P: AsRef<Path>>(
    dirs: impl IntoIterator<Item = P>,
    segments: &[&str],
) -> Option<PathBuf> {
    let rel: PathBuf = segments.iter().collect();
    dirs.into_iter().find_map(|dir| {
        EXTENSIONS
            .iter()
            .map(|ext| dir.as_ref().join(&rel).with_extension(ext))
            .find(|candidate| candidate.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_directory_with_any_extension_wins_and_tremor_before_trickle_before_troy() {
        let first = tempfile::tempdir().expect("tempdir");
        let second = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(first.path().join("a")).expect("mkdir");
        std::fs::write(first.path().join("a/b.troy"), "").expect("write");
        std::fs::write(second.path().join("pipelines.troy"), "").expect("write");
        std::fs::write(second.path().join("pipelines.trickle"), "").expect("write");
        std::fs::write(second.path().join("helpers.trickle"), "").expect("write");
        std::fs::write(second.path().join("helpers.tremor"), "").expect("write");
        let dirs = [first.path(), second.path()];
        let found = |segs: &[&str]| find(dirs, segs);
        assert_eq!(found(&["a", "b"]), Some(first.path().join("a/b.troy")));
        assert_eq!(
            found(&["pipelines"]),
            Some(second.path().join("pipelines.trickle"))
        );
        assert_eq!(
            found(&["helpers"]),
            Some(second.path().join("helpers.tremor"))
        );
        assert_eq!(found(&["missing"]), None);
        // A directory with a module's name is no module file.
        assert_eq!(found(&["a"]), None);
    }
}
