//! Where `use a::b;` finds its module file on `TREMOR_PATH`, shared by Troy's loader and the
//! script parser's function modules.
//!
//! Tremor (0.12 and 0.13 alike, `ModulePath::resolve_id`) looks for `a/b.tremor` in every
//! directory of the path in order, then for `a/b.trickle` in every directory, then for
//! `a/b.troy`, and takes the first file found: an extension earlier in that list wins over a
//! directory earlier in the path. 0.12's test libraries
//! use the older extensions (`lib/pipelines.troy`, `lib/helpers.trickle`).

use std::path::{Path, PathBuf};

/// The extensions of a module file, in the order Tremor tries them.
pub const EXTENSIONS: [&str; 3] = ["tremor", "trickle", "troy"];

/// The module file for the module path `segments` (`["a", "b"]` for `a::b`): for each of the
/// extensions `tremor`, `trickle`, `troy` in turn, the first directory of `dirs` holding
/// `a/b.EXT` as a file.
pub fn find<P: AsRef<Path>>(
    dirs: impl IntoIterator<Item = P>,
    segments: &[&str],
) -> Option<PathBuf> {
    let rel: PathBuf = segments.iter().collect();
    let dirs: Vec<P> = dirs.into_iter().collect();
    EXTENSIONS.iter().find_map(|ext| {
        dirs.iter()
            .map(|dir| dir.as_ref().join(&rel).with_extension(ext))
            .find(|candidate| candidate.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tremor_before_trickle_before_troy_across_directories_then_the_first_directory() {
        let first = tempfile::tempdir().expect("tempdir");
        let second = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(first.path().join("a")).expect("mkdir");
        std::fs::write(first.path().join("a/b.troy"), "").expect("write");
        std::fs::write(second.path().join("pipelines.troy"), "").expect("write");
        std::fs::write(second.path().join("pipelines.trickle"), "").expect("write");
        std::fs::write(second.path().join("helpers.trickle"), "").expect("write");
        std::fs::write(second.path().join("helpers.tremor"), "").expect("write");
        // An earlier directory's `.troy` does not hide a later directory's `.tremor`.
        std::fs::write(first.path().join("late.troy"), "").expect("write");
        std::fs::write(second.path().join("late.tremor"), "").expect("write");
        std::fs::write(first.path().join("both.tremor"), "").expect("write");
        std::fs::write(second.path().join("both.tremor"), "").expect("write");
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
        assert_eq!(found(&["late"]), Some(second.path().join("late.tremor")));
        assert_eq!(found(&["both"]), Some(first.path().join("both.tremor")));
        assert_eq!(found(&["missing"]), None);
        // A directory with a module's name is no module file.
        assert_eq!(found(&["a"]), None);
    }
}
