//! Bare mirrors of clone URLs: `git clone --mirror` into the clone directory on the first run,
//! `git fetch --prune` on later ones.
//!
//! This shells out to the `git` command rather than using libgit2's transports, so that
//! authentication is exactly git's own (credential helpers, `~/.ssh/config`, the SSH agent,
//! `insteadOf` rewrites) and keyaudit never takes a password. Git never prompts
//! (`GIT_TERMINAL_PROMPT=0`): a repository that needs credentials git cannot find is an error
//! entry, not a hung job. Errors are one line with any URL password redacted.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::repos::{fnv1a64, redact_url_passwords};
use crate::error::{Error, Result};

/// The default clone directory: the user's cache directory, `keyaudit/repos`.
pub fn default_clone_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("keyaudit").join("repos"))
}

/// The mirror directory of `url` under `clone_dir`: a readable tail of the URL and a hash of
/// it (without its password), so different URLs never share a mirror.
pub fn mirror_dir(clone_dir: &Path, url: &str) -> PathBuf {
    let shown = redact_url_passwords(url);
    let tail = shown
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("repo")
        .trim_end_matches(".git");
    let mut readable: String = tail
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(40)
        .collect();
    if readable.trim_matches('.').is_empty() {
        readable = "repo".into();
    }
    clone_dir.join(format!("{readable}-{:016x}.git", fnv1a64(shown.as_bytes())))
}

/// Makes the mirror of `url` under `clone_dir` current: cloned when absent, else fetched.
/// Returns its directory, or a one-line error (password redacted).
pub fn update(url: &str, clone_dir: &Path) -> Result<PathBuf> {
    let dir = mirror_dir(clone_dir, url);
    if dir.join("HEAD").is_file() {
        let mut fetch = git();
        fetch
            .arg("--git-dir")
            .arg(&dir)
            .args(["fetch", "--prune", "--quiet", "origin"]);
        run(fetch, url, "cannot fetch")?;
        return Ok(dir);
    }
    std::fs::create_dir_all(clone_dir)
        .map_err(|e| Error::Org(format!("{}: cannot create: {e}", clone_dir.display())))?;
    // Cloned beside its place and renamed in, so an interrupted clone is never taken for a
    // mirror, and concurrent runs never see half of one.
    let staging = tempfile::Builder::new()
        .prefix(".cloning-")
        .tempdir_in(clone_dir)
        .map_err(|e| {
            Error::Org(format!(
                "{}: cannot create a directory: {e}",
                clone_dir.display()
            ))
        })?;
    let target = staging.path().join("mirror.git");
    let mut clone = git();
    clone
        .args(["clone", "--mirror", "--quiet", "--", url])
        .arg(&target);
    run(clone, url, "cannot clone")?;
    if let Err(err) = std::fs::rename(&target, &dir) {
        // Another run put the same mirror in place meanwhile: use it.
        if !dir.join("HEAD").is_file() {
            return Err(Error::Org(format!(
                "{}: cannot move the mirror into place: {err}",
                dir.display()
            )));
        }
    }
    Ok(dir)
}

/// `git`, never prompting for credentials.
fn git() -> Command {
    let mut command = Command::new("git");
    command
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null());
    command
}

/// Runs `command`; a failure is `doing: what git said`, on one line, passwords redacted.
fn run(mut command: Command, url: &str, doing: &str) -> Result<()> {
    let output = command
        .output()
        .map_err(|e| Error::Org(format!("{doing}: cannot run git: {e}")))?;
    if output.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&output.stderr);
    let said: Vec<&str> = said
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let said = if said.is_empty() {
        format!("git exited with {}", output.status)
    } else {
        said.join("; ")
    };
    // git may quote the URL as given, password included.
    let said = said.replace(url, &redact_url_passwords(url));
    Err(Error::Org(redact_url_passwords(&format!(
        "{doing}: {said}"
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_dirs_are_readable_distinct_and_password_free() {
        let base = Path::new("/cache");
        let a = mirror_dir(base, "https://u:secretpw@git.example/org/app.git");
        let b = mirror_dir(base, "https://git.example/other/app.git");
        assert_ne!(a, b);
        let shown = a.display().to_string();
        assert!(
            shown.starts_with("/cache/app-") && shown.ends_with(".git"),
            "{shown}"
        );
        assert!(!shown.contains("secretpw"));
        assert!(mirror_dir(base, "git@h:org/x.git")
            .display()
            .to_string()
            .starts_with("/cache/x-"));
        assert!(mirror_dir(base, "file:///")
            .display()
            .to_string()
            .starts_with("/cache/repo-"));
    }
}
