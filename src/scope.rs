//! The scope of a run (`docs/reference/db.md`): what each root it scanned *is*, not how it was named
//! on the command line, so `keyaudit db` tells two checkouts of one repository (one scope) from
//! two unrelated directories both scanned as `.` (two scopes). Reports carry it as
//! `scan.scopes`, worked out at scan time: `db ingest` only sees the JSON.
//!
//! A root's identity is the first of these that applies:
//!
//! - `stdin`: standard input (`-`);
//! - `origin:URL`: the `origin` remote of the git repository holding the root, without
//!   credentials ([`without_credentials`]);
//! - `git:root:SHA`: else the root commit of HEAD's first-parent history;
//! - `path:ABSOLUTE`: else the root's canonical absolute path.
//!
//! A root below the top of a git working tree adds `#` and its path from there
//! (`origin:https://host/x.git#src`): a run over one directory does not cover the rest of the
//! repository, so it must not resolve keys seen elsewhere in it. `--repos` runs name each
//! repository by its name in the list, unprefixed (see `app::org`): that is the `repo` of its
//! locations, and the scope databases recorded for such runs before this existed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::Repository;
use serde::{Deserialize, Serialize};

use crate::source::git;

/// The identity of standard input: nothing tells one stream from another.
pub const STDIN: &str = "stdin";

/// The repository a report covers, as people name it: what the HTML and Markdown reports say
/// at the top. Never a credential: the remote is [`without_credentials`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryInfo {
    /// Its name: the last part of the remote's path, else the working tree's folder.
    pub name: String,
    /// The `origin` remote, without credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// The branch HEAD is on; none when HEAD is detached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The commit HEAD names; none before the first commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// The git repository holding `root`, described; none for standard input or outside git.
pub fn repository_of(root: &Path) -> Option<RepositoryInfo> {
    if root.as_os_str() == "-" {
        return None;
    }
    let repo = repository_holding(&std::fs::canonicalize(root).ok()?)?;
    let remote = origin_url(&repo);
    let folder = repo
        .workdir()
        .unwrap_or_else(|| repo.path())
        .components()
        .next_back()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = remote
        .as_deref()
        .and_then(|url| {
            url.trim_end_matches('/')
                .rsplit(['/', ':'])
                .next()
                .map(|last| last.trim_end_matches(".git").to_string())
        })
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| folder.trim_end_matches(".git").to_string());
    let head = repo.head().ok();
    Some(RepositoryInfo {
        name,
        remote,
        branch: head
            .as_ref()
            .filter(|h| h.is_branch())
            .and_then(|h| h.shorthand().map(str::to_string)),
        commit: head
            .as_ref()
            .and_then(|h| h.peel_to_commit().ok())
            .map(|c| c.id().to_string()),
    })
}

/// The identities of `roots`, sorted, without duplicates.
pub fn of_roots(roots: &[PathBuf]) -> Vec<String> {
    // Several roots in one repository look it up once.
    let mut repositories = HashMap::new();
    let mut scopes: Vec<String> = roots
        .iter()
        .map(|root| of_root(root, &mut repositories))
        .collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

/// The identity of one root ([`of_roots`] of it alone).
pub fn of_one_root(root: &Path) -> String {
    of_root(root, &mut HashMap::new())
}

/// The identity of one root; `repositories` caches each repository's (by git directory).
fn of_root(root: &Path, repositories: &mut HashMap<PathBuf, Option<String>>) -> String {
    if root.as_os_str() == "-" {
        return STDIN.to_string();
    }
    let absolute = std::fs::canonicalize(root)
        .or_else(|_| std::path::absolute(root))
        .unwrap_or_else(|_| root.to_path_buf());
    if let Some(repo) = repository_holding(&absolute) {
        let base = repositories
            .entry(git::git_dir(&repo))
            .or_insert_with(|| repository_identity(&repo))
            .clone();
        if let (Some(base), Some(inside)) = (base, place_in(&repo, &absolute)) {
            return if inside.is_empty() {
                base
            } else {
                format!("{base}#{inside}")
            };
        }
    }
    format!("path:{}", absolute.display())
}

/// `origin:URL` (credentials removed), else `git:root:SHA`, else nothing (no origin and no
/// commit yet: the path is all there is).
fn repository_identity(repo: &Repository) -> Option<String> {
    if let Some(url) = origin_url(repo) {
        return Some(format!("origin:{url}"));
    }
    // First parents only: merging an unrelated history in later keeps the same root.
    let mut commit = repo.head().ok()?.peel_to_commit().ok()?;
    while commit.parent_count() > 0 {
        commit = commit.parent(0).ok()?;
    }
    Some(format!("git:root:{}", commit.id()))
}

/// The git repository holding the file or directory at `absolute`.
fn repository_holding(absolute: &Path) -> Option<Repository> {
    let start = if absolute.is_dir() {
        absolute
    } else {
        absolute.parent().unwrap_or(absolute)
    };
    git::discover(start)
}

/// `repo`'s `origin` remote, [`without_credentials`]; none when it has none.
fn origin_url(repo: &Repository) -> Option<String> {
    repo.find_remote("origin")
        .ok()
        .and_then(|remote| remote.url().map(|url| url.trim().to_string()))
        .filter(|url| !url.is_empty())
        .map(|url| without_credentials(&url))
}

/// Where `absolute` is in `repo`'s working tree (`""` at its top, and for a bare repository),
/// `/`-separated; `None` when it is not inside it.
fn place_in(repo: &Repository, absolute: &Path) -> Option<String> {
    let Some(workdir) = repo.workdir() else {
        return Some(String::new());
    };
    let top = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
    let inside = absolute.strip_prefix(&top).ok()?;
    Some(
        inside
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// A remote URL fit to be reported: a `scheme://` URL loses its userinfo (a user name alone
/// may be a token: `https://ghp_…@github.com/…`), and, but for `file://`, its query and
/// fragment (`?private_token=…`); a scp-like `user:password@host:path` loses the password
/// (`git@host:path` stays as it is). Local paths are left alone.
pub fn without_credentials(url: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let scheme = &url[..scheme_end];
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let host = authority
            .rfind('@')
            .map_or(authority, |at| &authority[at + 1..]);
        let mut path = &rest[authority_end..];
        if !scheme.eq_ignore_ascii_case("file") {
            path = path.split(['?', '#']).next().unwrap_or_default();
        }
        return format!("{scheme}://{host}{path}");
    }
    let head_end = url.find('/').unwrap_or(url.len());
    match url[..head_end].rfind('@') {
        Some(at) => {
            let user = url[..at].split(':').next().unwrap_or_default();
            format!("{user}@{}", &url[at + 1..])
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_stay_in_a_url() {
        for (url, clean) in [
            (
                "https://user:s3cr3t@example.invalid/x.git",
                "https://example.invalid/x.git",
            ),
            (
                "https://ghp_token@github.com/acme/api.git",
                "https://github.com/acme/api.git",
            ),
            (
                "https://gitlab.example/a/b.git?private_token=s3cr3t#frag", // keyaudit:allow
                "https://gitlab.example/a/b.git",
            ),
            ("https://u:p@host?token=s3cr3t", "https://host"),
            ("ssh://git@host:2222/x.git", "ssh://host:2222/x.git"),
            ("git@github.com:acme/api.git", "git@github.com:acme/api.git"),
            ("git:s3cr3t@host:acme/api.git", "git@host:acme/api.git"),
            ("file:///srv/git/x.git", "file:///srv/git/x.git"),
            ("/srv/git/x.git", "/srv/git/x.git"),
            ("github.com:acme/api.git", "github.com:acme/api.git"),
        ] {
            assert_eq!(without_credentials(url), clean, "{url}");
        }
    }

    #[test]
    fn plain_directories_are_their_path_and_stdin_is_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let canonical = std::fs::canonicalize(dir.path()).unwrap();
        // Not in a repository (unless the temporary directory is): the path.
        if git::discover(&canonical).is_none() {
            assert_eq!(
                of_roots(&[dir.path().to_path_buf(), PathBuf::from("-")]),
                vec![format!("path:{}", canonical.display()), STDIN.to_string()]
            );
        }
    }

    #[test]
    fn a_repository_is_its_origin_or_root_commit_and_subdirectories_add_their_path() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        let roots = [dir.path().to_path_buf(), dir.path().join("src")];
        // No commit and no origin: only the path says which it is.
        let canonical = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(
            of_roots(&roots[..1]),
            vec![format!("path:{}", canonical.display())]
        );
        let signature = git2::Signature::now("ci", "ci@example.org").unwrap();
        let tree = repo.treebuilder(None).unwrap().write().unwrap();
        let tree = repo.find_tree(tree).unwrap();
        let first = repo
            .commit(Some("HEAD"), &signature, &signature, "one", &tree, &[])
            .unwrap();
        let parent = repo.find_commit(first).unwrap();
        repo.commit(
            Some("HEAD"),
            &signature,
            &signature,
            "two",
            &tree,
            &[&parent],
        )
        .unwrap();
        assert_eq!(
            of_roots(&roots),
            vec![format!("git:root:{first}"), format!("git:root:{first}#src")]
        );
        repo.remote("origin", "https://user:s3cr3t@example.invalid/x.git")
            .unwrap();
        assert_eq!(
            of_roots(&roots),
            vec![
                "origin:https://example.invalid/x.git".to_string(),
                "origin:https://example.invalid/x.git#src".to_string()
            ]
        );
    }
}
