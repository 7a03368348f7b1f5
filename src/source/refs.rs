//! The refs a history scan starts from (HEAD, branches, tags, remote-tracking refs, the stash,
//! notes: every ref that names a commit), and whether commits a run recorded earlier are still
//! in the history those refs reach: an incremental run (`docs/reference/incremental.md`) may
//! leave out what they reach only while every one of them is.

use std::collections::{BTreeMap, HashSet};

use git2::{Oid, Repository};

use super::Stats;

/// A ref and the commit it names (tags peeled); `HEAD` is one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    /// `HEAD`, `refs/heads/main`, `refs/tags/v1`…
    pub name: String,
    /// The commit.
    pub commit: Oid,
}

/// Every ref of `repo` that names a commit, HEAD first. What cannot be read is an error in
/// `stats` (named `{repo_name}: {ref}`), never a stop: the rest of the history is still read.
pub fn tips(repo: &Repository, stats: &Stats, repo_name: &str) -> Vec<Tip> {
    let mut tips = Vec::new();
    let mut add = |label: &str, target: Option<Oid>| {
        let Some(target) = target else { return };
        match repo.find_object(target, None) {
            Err(e) => stats.error(
                format!("{repo_name}: {label}"),
                format!(
                    "cannot read object {}: {}",
                    &target.to_string()[..12],
                    e.message()
                ),
            ),
            Ok(object) => {
                // Refs to trees or blobs (rare tags) name no history.
                if let Ok(commit) = object.peel_to_commit() {
                    tips.push(Tip {
                        name: label.to_string(),
                        commit: commit.id(),
                    });
                }
            }
        }
    };
    if let Ok(head) = repo.head() {
        add("HEAD", head.resolve().ok().and_then(|r| r.target()));
    }
    let references = match repo.references() {
        Ok(r) => r,
        Err(e) => {
            stats.error(
                repo_name.to_string(),
                format!("cannot list refs: {}", e.message()),
            );
            return tips;
        }
    };
    for reference in references {
        match reference {
            Ok(reference) => {
                let label = reference.name().unwrap_or("?").to_string();
                add(&label, reference.resolve().ok().and_then(|r| r.target()));
            }
            Err(e) => stats.error(repo_name.to_string(), format!("bad ref: {}", e.message())),
        }
    }
    tips
}

/// The first of the `recorded` commits (ref name to commit id) that the refs of `current` no
/// longer reach, if any: a force-push, a rewritten history or a deleted, unmerged branch. A
/// commit a ref still names, or an ancestor of the commit its ref now names (a fast-forward),
/// is found at once; the rest are looked for in one walk back from every current ref, which
/// stops as soon as all are found (a merged branch's tip is met early) and reads the whole
/// history only when one is gone, before a run that reads it all anyway.
pub fn first_unreachable(
    repo: &Repository,
    recorded: &BTreeMap<String, String>,
    current: &[Tip],
) -> Option<String> {
    let now: HashSet<Oid> = current.iter().map(|t| t.commit).collect();
    let by_name: BTreeMap<&str, Oid> = current
        .iter()
        .map(|t| (t.name.as_str(), t.commit))
        .collect();
    let mut missing: BTreeMap<Oid, &String> = BTreeMap::new();
    for (name, commit) in recorded {
        let Ok(oid) = Oid::from_str(commit) else {
            return Some(commit.clone());
        };
        let fast_forward = || {
            by_name
                .get(name.as_str())
                .is_some_and(|&tip| repo.graph_descendant_of(tip, oid).unwrap_or(false))
        };
        if !now.contains(&oid) && !missing.contains_key(&oid) && !fast_forward() {
            missing.insert(oid, commit);
        }
    }
    if missing.is_empty() {
        return None;
    }
    let Ok(mut walk) = repo.revwalk() else {
        return missing.values().next().map(|c| (*c).clone());
    };
    let _ = walk.set_sorting(git2::Sort::TIME);
    for tip in current {
        let _ = walk.push(tip.commit);
    }
    for oid in walk.flatten() {
        missing.remove(&oid);
        if missing.is_empty() {
            return None;
        }
    }
    missing.values().next().map(|c| (*c).clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::Signature;

    fn commit(repo: &Repository, refname: &str, parents: &[Oid], file: &str) -> Oid {
        let mut index = git2::Index::new().unwrap();
        let blob = repo.blob(file.as_bytes()).unwrap();
        index
            .add(&git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: file.len() as u32,
                id: blob,
                flags: 0,
                flags_extended: 0,
                path: b"f.txt".to_vec(),
            })
            .unwrap();
        let tree = repo.find_tree(index.write_tree_to(repo).unwrap()).unwrap();
        let sig = Signature::new("t", "t@example.com", &git2::Time::new(1, 0)).unwrap();
        let parents: Vec<git2::Commit<'_>> = parents
            .iter()
            .map(|p| repo.find_commit(*p).unwrap())
            .collect();
        let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let oid = repo
            .commit(None, &sig, &sig, file, &tree, &parents)
            .unwrap();
        repo.reference(refname, oid, true, "test").unwrap();
        oid
    }

    fn recorded(pairs: &[(&str, Oid)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(n, o)| (n.to_string(), o.to_string()))
            .collect()
    }

    #[test]
    fn fast_forwards_keep_the_recorded_commits_and_rewrites_lose_them() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let stats = Stats::default();
        let a = commit(&repo, "refs/heads/main", &[], "a");
        let b = commit(&repo, "refs/heads/main", &[a], "b");
        let side = commit(&repo, "refs/heads/side", &[a], "side");
        let before = recorded(&[("refs/heads/main", b), ("refs/heads/side", side)]);
        // Nothing moved, then main fast-forwards: every recorded commit is still reached.
        assert_eq!(
            first_unreachable(&repo, &before, &tips(&repo, &stats, "r")),
            None
        );
        let c = commit(&repo, "refs/heads/main", &[b], "c");
        assert_eq!(
            first_unreachable(&repo, &before, &tips(&repo, &stats, "r")),
            None
        );
        // side is merged into main and deleted: still reached, from main.
        let merge = commit(&repo, "refs/heads/main", &[c, side], "merge");
        repo.find_reference("refs/heads/side")
            .unwrap()
            .delete()
            .unwrap();
        assert_eq!(
            first_unreachable(&repo, &before, &tips(&repo, &stats, "r")),
            None
        );
        // main is rewritten from a: b is gone, though its object is still in the repository.
        commit(&repo, "refs/heads/main", &[a], "rewritten");
        let after = recorded(&[("refs/heads/main", merge)]);
        assert_eq!(
            first_unreachable(&repo, &after, &tips(&repo, &stats, "r")),
            Some(merge.to_string())
        );
        // A commit the repository never had, and a malformed id, are not reached either.
        let unknown = recorded(&[("refs/heads/x", Oid::from_bytes(&[7; 20]).unwrap())]);
        assert!(first_unreachable(&repo, &unknown, &tips(&repo, &stats, "r")).is_some());
        let garbled = BTreeMap::from([("HEAD".to_string(), "zz".to_string())]);
        assert_eq!(
            first_unreachable(&repo, &garbled, &tips(&repo, &stats, "r")),
            Some("zz".into())
        );
        assert!(stats.snapshot().errors.is_empty());
    }
}
