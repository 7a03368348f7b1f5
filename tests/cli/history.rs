//! `--history`, `--since` and `--staged` on repositories built at test time with the git CLI:
//! keys added, changed, moved and deleted; branches, tags, merges and stash; bare, shallow and
//! corrupt repositories.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::{keyaudit, make_writable, GitRepo};

const GITHUB: &str = "ghp_Q9w2E8r4T1y6U3i7O5p0A2s4D6f8G1h3J5kZ";
const STRIPE: &str = "sk_live_Zq8rT2mW9xLp4vN7bK3sYc6dV";
const GITLAB: &str = "glpat-Hq7vN2pLw9xR4tY6uK3s";
const NPM: &str = "npm_Xw8qL3vN6tR2yP9mK4sZ7cB5dF1gH0jA2eU4";

/// Runs keyaudit with `args` then the path; returns (exit code, report).
fn run(path: &Path, args: &[&str]) -> (i32, Value) {
    let output = keyaudit()
        .args(args)
        .args(["--no-manifest", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().unwrap(), report)
}

fn key<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {}", report["keys"]))
}

fn rules(report: &Value) -> Vec<String> {
    let mut found: Vec<String> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["rule"].as_str().unwrap().to_string())
        .collect();
    found.sort();
    found
}

#[test]
fn a_deleted_key_is_found_with_its_first_commit() {
    let repo = GitRepo::new();
    repo.write("a.env", &format!("A=1\nGITHUB_TOKEN={GITHUB}\n"));
    let first = repo.commit_as("Alice", "2024-01-05T10:00:00Z", "add token");
    repo.write(
        "a.env",
        &format!("A=1\nGITHUB_TOKEN={GITHUB}\nSTRIPE={STRIPE}\n"),
    );
    let second = repo.commit_as("Bob", "2024-02-05T10:00:00Z", "add stripe");
    repo.run(&["mv", "a.env", "moved.env"]);
    repo.commit_as("Carol", "2024-03-05T10:00:00Z", "move");
    repo.run(&["rm", "-q", "moved.env"]);
    repo.commit_as("Dave", "2024-04-05T10:00:00Z", "delete");

    let (code, report) = run(repo.path(), &["scan", "--history"]);
    assert_eq!(code, 1);
    assert_eq!(report["scan"]["commits"], 4);
    let github = key(&report, "github-classic-pat");
    assert_eq!(github["in_current_tree"], false);
    assert_eq!(github["first_seen"]["commit"], first.as_str());
    assert_eq!(github["first_seen"]["date"], "2024-01-05T10:00:00Z");
    assert_eq!(github["first_seen"]["author"], "Alice");
    assert_eq!(github["first_seen"]["author_email"], "alice@corp.example");
    let first_location = github["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["commit"] == first.as_str())
        .expect("a location at the introducing commit");
    assert_eq!(first_location["source"], "git");
    assert_eq!(first_location["path"], "a.env");
    assert_eq!(first_location["line"], 2);
    assert_eq!(first_location["variable"], "GITHUB_TOKEN");
    let stripe = key(&report, "stripe-secret-key-live");
    assert_eq!(stripe["first_seen"]["commit"], second.as_str());
    assert_eq!(stripe["first_seen"]["author"], "Bob");
    assert_eq!(stripe["locations"][0]["line"], 3);

    let (code, report) = run(repo.path(), &["scan"]);
    assert_eq!(
        code, 0,
        "without --history the deleted keys are gone: {report}"
    );
}

#[test]
fn a_key_in_the_tree_and_in_history_is_one_entry() {
    let repo = GitRepo::new();
    repo.write("config.env", &format!("TOKEN={GITHUB}\n"));
    repo.commit_as("Alice", "2024-01-05T10:00:00Z", "add");
    let (_, report) = run(repo.path(), &["scan", "--history"]);
    assert_eq!(report["keys"].as_array().unwrap().len(), 1);
    let github = key(&report, "github-classic-pat");
    assert_eq!(github["in_current_tree"], true);
    let sources: Vec<&str> = github["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, vec!["file", "git"]);
}

#[test]
fn branches_tags_merges_and_stash_are_all_reached() {
    let repo = GitRepo::new();
    repo.write("base.txt", "base\n");
    repo.commit_as("Alice", "2024-01-01T00:00:00Z", "base");
    repo.run(&["checkout", "-q", "-b", "feature"]);
    repo.write("feature.env", &format!("STRIPE={STRIPE}\n"));
    repo.commit_as("Bob", "2024-01-02T00:00:00Z", "feature key");
    repo.run(&["checkout", "-q", "main"]);
    repo.run(&["checkout", "-q", "-b", "merged"]);
    repo.write("merged.env", &format!("GITHUB_TOKEN={GITHUB}\n"));
    repo.commit_as("Carol", "2024-01-03T00:00:00Z", "merged key");
    repo.run(&["checkout", "-q", "main"]);
    repo.run(&["merge", "-q", "--no-ff", "-m", "merge", "merged"]);
    repo.run(&["branch", "-q", "-D", "merged"]);
    // A commit reachable only from a tag.
    repo.run(&["checkout", "-q", "--detach"]);
    repo.write("tagged.env", &format!("GITLAB_TOKEN={GITLAB}\n"));
    repo.commit_as("Dave", "2024-01-04T00:00:00Z", "tagged key");
    repo.run(&["tag", "v1-secret"]);
    repo.run(&["checkout", "-q", "main"]);
    // A key only in the stash.
    repo.write("base.txt", &format!("base\nNPM_TOKEN={NPM}\n"));
    repo.run(&["stash", "-q"]);

    let (_, report) = run(repo.path(), &["scan", "--history"]);
    assert_eq!(
        rules(&report),
        vec![
            "github-classic-pat",
            "gitlab-personal-access-token",
            "npm-access-token",
            "stripe-secret-key-live"
        ]
    );
    assert_eq!(
        key(&report, "github-classic-pat")["in_current_tree"],
        true,
        "merged into HEAD"
    );
    assert_eq!(
        key(&report, "stripe-secret-key-live")["in_current_tree"],
        false
    );
}

#[test]
fn since_limits_to_new_commits() {
    let repo = GitRepo::new();
    repo.write("old.env", &format!("GITHUB_TOKEN={GITHUB}\n"));
    repo.commit_as("Alice", "2024-01-01T00:00:00Z", "old");
    repo.run(&["checkout", "-q", "-b", "pr"]);
    repo.write("new.env", &format!("STRIPE={STRIPE}\n"));
    repo.commit_as("Bob", "2024-01-02T00:00:00Z", "new");
    repo.run(&["rm", "-q", "old.env", "new.env"]);
    repo.commit_as("Bob", "2024-01-03T00:00:00Z", "clean up");
    let (_, report) = run(repo.path(), &["scan", "--history", "--since", "main"]);
    assert_eq!(rules(&report), vec!["stripe-secret-key-live"]);
    assert_eq!(report["scan"]["commits"], 2);
    keyaudit()
        .args([
            "scan",
            "--history",
            "--since",
            "no-such-branch",
            "--no-manifest",
        ])
        .arg(repo.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--since no-such-branch"));
    keyaudit()
        .args(["scan", "--since", "main"])
        .arg(repo.path())
        .assert()
        .code(2);
}

#[test]
fn staged_reports_the_index_not_the_working_tree() {
    let repo = GitRepo::new();
    // No commit yet: the index alone.
    repo.write("staged.env", &format!("GITHUB_TOKEN={GITHUB}\n"));
    repo.run(&["add", "staged.env"]);
    let (code, report) = run(repo.path(), &["scan", "--staged"]);
    assert_eq!(code, 1);
    let github = key(&report, "github-classic-pat");
    assert_eq!(github["locations"][0]["source"], "staged");
    assert_eq!(github["locations"][0]["path"], "staged.env");

    repo.commit_as("Alice", "2024-01-01T00:00:00Z", "first");
    // Committed content is not staged any more; an unstaged edit is ignored; a staged one counts.
    let (code, _) = run(repo.path(), &["scan", "--staged"]);
    assert_eq!(code, 0, "nothing staged");
    repo.write("unstaged.env", &format!("STRIPE={STRIPE}\n"));
    repo.write(
        "staged.env",
        &format!("GITHUB_TOKEN={GITHUB}\nGITLAB={GITLAB}\n"),
    );
    repo.run(&["add", "staged.env"]);
    repo.write(
        "staged.env",
        &format!("GITHUB_TOKEN={GITHUB}\nGITLAB={GITLAB}\nNPM={NPM}\n"),
    );
    let (code, report) = run(repo.path(), &["scan", "--staged"]);
    assert_eq!(code, 1);
    assert_eq!(
        rules(&report),
        vec!["github-classic-pat", "gitlab-personal-access-token"],
        "the staged blob as it will be committed, without unstaged edits"
    );
    assert_eq!(
        key(&report, "gitlab-personal-access-token")["locations"][0]["line"],
        2
    );
}

#[test]
fn bare_and_shallow_repositories() {
    let repo = GitRepo::new();
    repo.write("a.env", &format!("GITHUB_TOKEN={GITHUB}\n"));
    repo.commit_as("Alice", "2024-01-01T00:00:00Z", "one");
    repo.write("b.env", &format!("STRIPE={STRIPE}\n"));
    repo.commit_as("Bob", "2024-01-02T00:00:00Z", "two");
    let parent = repo.path().parent().unwrap();
    let source = format!("file://{}", repo.path().display());

    GitRepo::at(parent).run(&[
        "clone",
        "-q",
        "--bare",
        &repo.path().display().to_string(),
        "bare.git",
    ]);
    let (_, report) = run(&parent.join("bare.git"), &["scan", "--history"]);
    assert_eq!(
        rules(&report),
        vec!["github-classic-pat", "stripe-secret-key-live"]
    );
    assert_eq!(
        report["scan"]["files"], 0,
        "a bare repository's own files are not a working tree"
    );
    assert_eq!(
        key(&report, "github-classic-pat")["in_current_tree"],
        true,
        "in HEAD's tree"
    );

    GitRepo::at(parent).run(&["clone", "-q", "--depth", "1", &source, "shallow"]);
    let (_, report) = run(&parent.join("shallow"), &["scan", "--history"]);
    assert_eq!(report["scan"]["commits"], 1);
    assert!(report["scan"]["skipped"]
        .to_string()
        .contains("shallow clone: history before the shallow boundary is not in this repository"));
    assert_eq!(
        rules(&report),
        vec!["github-classic-pat", "stripe-secret-key-live"]
    );
}

#[test]
fn a_corrupt_object_is_reported_and_the_rest_still_scanned() {
    let repo = GitRepo::new();
    repo.write("a.env", &format!("GITHUB_TOKEN={GITHUB}\n"));
    repo.write("b.env", &format!("STRIPE={STRIPE}\n"));
    repo.commit_as("Alice", "2024-01-01T00:00:00Z", "one");
    let blob = repo.run(&["rev-parse", "HEAD:b.env"]).trim().to_string();
    let object = repo
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    fs::remove_file(&object).unwrap();
    fs::remove_file(repo.path().join("b.env")).unwrap();

    let (code, report) = run(repo.path(), &["scan", "--history"]);
    assert_eq!(code, 1);
    assert_eq!(rules(&report), vec!["github-classic-pat"]);
    let errors = report["scan"]["errors"].to_string();
    assert!(
        errors.contains(&format!("blob {}", &blob[..12])),
        "{errors}"
    );
    assert!(errors.contains("b.env"), "{errors}");
    assert_eq!(report["summary"]["complete"], false);
    let (code, _) = run(repo.path(), &["scan", "--history", "--strict"]);
    assert_eq!(code, 2);
}

#[test]
fn a_truncated_pack_is_named_and_the_run_incomplete() {
    let repo = GitRepo::new();
    repo.write("a.env", &format!("GITHUB_TOKEN={GITHUB}\n"));
    repo.commit_as("Alice", "2024-01-01T00:00:00Z", "one");
    repo.run(&["gc", "-q"]);
    let pack_dir = repo.path().join(".git/objects/pack");
    let pack = fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .unwrap();
    let len = fs::metadata(&pack).unwrap().len();
    make_writable(&pack);
    fs::OpenOptions::new()
        .write(true)
        .open(&pack)
        .unwrap()
        .set_len(len - 30)
        .unwrap();

    let (_, report) = run(repo.path(), &["scan", "--history"]);
    let errors = report["scan"]["errors"].to_string();
    assert!(
        errors.contains(&*pack.file_name().unwrap().to_string_lossy()),
        "{errors}"
    );
    assert!(
        errors.contains("checksum does not match its index"),
        "{errors}"
    );
    assert_eq!(report["summary"]["complete"], false);
    let (code, _) = run(repo.path(), &["scan", "--history", "--strict"]);
    assert_eq!(code, 2);
}

#[test]
fn oversized_blobs_are_skipped_and_reported() {
    let repo = GitRepo::new();
    repo.write(
        "big.env",
        &format!("GITHUB_TOKEN={GITHUB}\n{}\n", "#".repeat(5000)),
    );
    repo.commit_as("Alice", "2024-01-01T00:00:00Z", "big");
    repo.run(&["rm", "-q", "big.env"]);
    repo.commit_as("Alice", "2024-01-02T00:00:00Z", "gone");
    let (code, report) = run(
        repo.path(),
        &["scan", "--history", "--max-file-size", "4KiB"],
    );
    assert_eq!(code, 0);
    assert!(report["scan"]["skipped"].to_string().contains("big.env @ "));
}

#[test]
fn audit_ages_an_unknown_key_from_its_first_commit() {
    let repo = GitRepo::new();
    repo.write(
        "keyaudit.toml",
        "version = 1\nsalt = \"s\"\n[policy]\nmax_age = \"90d\"\n",
    );
    repo.write("a.env", &format!("GITHUB_TOKEN={GITHUB}\n"));
    repo.commit_as("Alice", "2024-01-05T10:00:00Z", "add");
    let output = keyaudit()
        .args([
            "audit",
            "--history",
            "--now",
            "2024-06-01",
            "--format",
            "json",
        ])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let github = key(&report, "github-classic-pat");
    assert_eq!(github["flags"], serde_json::json!(["unknown", "stale"]));
    assert!(github["reasons"][1]
        .as_str()
        .unwrap()
        .contains("since first commit"));
    assert_eq!(github["age_days"], 147);
}

#[test]
fn a_worktree_reads_the_shared_history() {
    let repo = GitRepo::new();
    repo.write("a.env", &format!("GITHUB_TOKEN={GITHUB}\n"));
    repo.commit_as("Alice", "2024-01-01T00:00:00Z", "one");
    repo.run(&["rm", "-q", "a.env"]);
    repo.commit_as("Alice", "2024-01-02T00:00:00Z", "gone");
    let worktree = repo.path().parent().unwrap().join("wt");
    repo.run(&[
        "worktree",
        "add",
        "-q",
        &worktree.display().to_string(),
        "-b",
        "side",
    ]);
    fs::write(worktree.join("b.env"), format!("STRIPE={STRIPE}\n")).unwrap();
    let (_, report) = run(&worktree, &["scan", "--history"]);
    assert_eq!(
        rules(&report),
        vec!["github-classic-pat", "stripe-secret-key-live"]
    );
    assert_eq!(
        key(&report, "stripe-secret-key-live")["locations"][0]["source"],
        "file"
    );
}

/// `manifest init` in a repository dates keys by their first commit, with or without
/// `--history`; with it, a key found only in history is declared compromised, so declaring it
/// does not approve it; marked revoked, it is reported for information only.
#[test]
fn manifest_init_dates_keys_by_their_first_commit_and_never_approves_a_leak() {
    let repo = GitRepo::new();
    repo.write("app.env", &format!("STRIPE_SECRET_KEY={STRIPE}\n"));
    repo.write("old.env", &format!("GITHUB_TOKEN={GITHUB}\n"));
    let first = repo.commit_as("Ada", "2026-11-01T10:00:00Z", "keys");
    fs::remove_file(repo.path().join("old.env")).unwrap();
    repo.commit_as("Ada", "2026-11-02T10:00:00Z", "drop the token");
    let manifest = repo.path().join("keyaudit.toml");
    let init = |extra: &[&str]| {
        keyaudit()
            .args(["manifest", "init", "--force", "--now", "2026-12-01"])
            .args(extra)
            .arg(repo.path())
            .assert()
            .code(0);
        fs::read_to_string(&manifest).unwrap()
    };
    let github_token = |report: &Value| {
        report["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["rule"] == "github-classic-pat")
            .cloned()
            .expect("the GitHub token is reported")
    };
    let audit = |extra: &[&str]| {
        let output = keyaudit()
            .args(["audit", "--format", "json", "--now", "2026-12-01"])
            .args(extra)
            .arg(repo.path())
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        (output.status.code().unwrap(), report)
    };

    // Without --history: the tree's key, created on its first commit's date, not today.
    let text = init(&[]);
    assert!(text.contains("created = 2026-11-01"), "{text}");
    assert!(!text.contains("github"), "{text}");
    assert!(!text.contains("compromised"), "{text}");
    // A working policy, not a commented-out one.
    assert!(text.contains("\n[policy]\n"), "{text}");
    assert!(text.contains("\nmax_age = \"365d\""), "{text}");
    assert!(
        text.contains("\nfail_on = [\"unknown\", \"stale\", \"over-privileged\"]"),
        "{text}"
    );
    assert_eq!(audit(&[]).0, 0);

    // With --history: the token found only in history is declared compromised, naming its
    // first commit, and the audit keeps flagging it.
    let text = init(&["--history"]);
    assert!(text.contains("state = \"compromised\""), "{text}");
    assert!(text.contains(&first[..12]), "{text}");
    let (code, report) = audit(&["--history"]);
    assert_eq!(code, 1);
    let token = github_token(&report);
    assert_eq!(token["flags"], serde_json::json!(["stale"]), "{token}");

    // Rotated and marked revoked: history still holds it, for information only.
    fs::write(
        &manifest,
        text.replace("state = \"compromised\"", "state = \"revoked\""),
    )
    .unwrap();
    let (code, report) = audit(&["--history"]);
    assert_eq!(code, 0, "{report}");
    let token = github_token(&report);
    assert_eq!(token["flags"], serde_json::json!([]), "{token}");
    assert!(token["warnings"].to_string().contains("revoked"), "{token}");

    // Found again in the tree, a revoked key is stale.
    repo.write("again.env", &format!("GITHUB_TOKEN={GITHUB}\n"));
    let (code, _) = audit(&["--history"]);
    assert_eq!(code, 1);
}
