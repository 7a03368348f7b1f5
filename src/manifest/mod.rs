//! The manifest of expected keys: its model (`model`), where to find it (`discover`), the
//! audit of an inventory against it (`audit`) and writing it (`edit`).

pub mod audit;
pub mod edit;
pub mod model;

use std::path::{Path, PathBuf};

pub use model::{AuditClass, KeyState, Manifest};

/// The manifest's file name.
pub const FILE_NAME: &str = "keyaudit.toml";

/// The repository root holding `start` (a directory with `.git`), if any.
pub fn repository_root(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The directory `path` is in: its parent, or `.` for a bare file name.
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The directory a PATH argument stands for: itself, its parent for a file, the current
/// directory for `-`.
pub fn base_dir(path: &Path) -> PathBuf {
    if path.as_os_str() == "-" {
        return PathBuf::from(".");
    }
    if path.is_dir() {
        return path.to_path_buf();
    }
    parent_dir(path).to_path_buf()
}

/// Where the manifest for a run over `first_path` lives by default: `keyaudit.toml` in the
/// repository root holding it, else in its directory. Returns the path even when no file is
/// there, for `manifest init`.
pub fn default_location(first_path: &Path) -> PathBuf {
    let base = base_dir(first_path);
    match repository_root(&base) {
        Some(root) => root.join(FILE_NAME),
        None => base.join(FILE_NAME),
    }
}

/// The manifest to use by default for a run over `first_path`, if one exists: in the PATH's
/// directory (a sub-project's own manifest), else at the repository root.
pub fn discover(first_path: &Path) -> Option<PathBuf> {
    let base = base_dir(first_path);
    let candidates = [
        Some(base.join(FILE_NAME)),
        repository_root(&base).map(|root| root.join(FILE_NAME)),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_manifest_at_the_repository_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        assert_eq!(discover(&dir.path().join("a/b")), None);
        std::fs::write(dir.path().join(FILE_NAME), "version = 1\n").unwrap();
        let found = discover(&dir.path().join("a/b")).unwrap();
        assert_eq!(
            found,
            std::fs::canonicalize(dir.path()).unwrap().join(FILE_NAME)
        );
        assert_eq!(default_location(&dir.path().join("a/b")), found);
        std::fs::write(dir.path().join("a/b").join(FILE_NAME), "version = 1\n").unwrap();
        assert_eq!(
            discover(&dir.path().join("a/b")),
            Some(dir.path().join("a/b").join(FILE_NAME)),
            "a sub-project's own manifest wins"
        );
    }

    #[test]
    fn outside_a_repository_uses_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "version = 1\n").unwrap();
        assert_eq!(discover(dir.path()), Some(dir.path().join(FILE_NAME)));
    }
}
