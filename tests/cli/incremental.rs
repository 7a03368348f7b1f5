//! Incremental runs (`--incremental --db`, `docs/reference/incremental.md`): each repository's
//! history read only past the refs its last recorded run read, in full the first time and
//! after a force-push, and a database that, after any sequence of such runs, holds what one
//! full run would: the same open keys at the same locations (first-seen commits included).
//! The oracle is a second database given a full run at every step; the property test drives
//! random sequences of commits, edits, deletions, reverts, branches, force-pushes and runs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::common::{assert_exit, fresh_stripe_key, keyaudit, random_bytes, seed_random, GitRepo};

/// Runs keyaudit with `args` (JSON report on stdout); returns the report.
fn report(dir: &Path, args: &[&str]) -> Value {
    let output = keyaudit()
        .current_dir(dir)
        .args(args)
        .args(["--format", "json", "--quiet"])
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Open keys of the database at `db`: fingerprint to its locations (source, path, line,
/// commit), sorted.
pub(crate) type OpenKeys = BTreeMap<String, BTreeSet<(String, String, u64, String)>>;

pub(crate) fn open_keys(db: &Path) -> OpenKeys {
    let output = keyaudit()
        .args(["db", "report", "--format", "json", "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["status"] == "open")
        .map(|k| {
            let locations = k["locations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    (
                        l["source"].as_str().unwrap().to_string(),
                        l["path"].as_str().unwrap().to_string(),
                        l["line"].as_u64().unwrap(),
                        l["commit"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            (k["fingerprint"].as_str().unwrap().to_string(), locations)
        })
        .collect()
}

/// An incremental run of `repo` recorded in `inc.db`, and the oracle's full run recorded in
/// `full.db`, both beside the repository; returns the incremental run's report.
fn both_runs(repo: &GitRepo) -> Value {
    let dir = repo.path().parent().unwrap();
    let inc = dir.join("inc.db").display().to_string();
    let full = dir.join("full.db").display().to_string();
    let read = report(
        repo.path(),
        &["scan", "--history", "--incremental", "--db", &inc, "."],
    );
    report(repo.path(), &["scan", "--history", "--db", &full, "."]);
    read
}

/// The one entry of `scan.incremental`.
fn history_read(report: &Value) -> &Value {
    let reads = report["scan"]["incremental"].as_object().unwrap();
    assert_eq!(reads.len(), 1, "{reads:?}");
    reads.values().next().unwrap()
}

fn dbs(repo: &GitRepo) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = repo.path().parent().unwrap();
    (dir.join("inc.db"), dir.join("full.db"))
}

#[test]
fn a_second_run_reads_only_the_new_commit_and_the_database_keeps_the_old_history() {
    let repo = GitRepo::new();
    let (old, new) = (fresh_stripe_key(), fresh_stripe_key());
    repo.write(".env", &format!("STRIPE_KEY={old}\n"));
    let first = repo.commit_all("a key");
    std::fs::remove_file(repo.path().join(".env")).unwrap();
    let deleted = repo.commit_all("the key deleted");

    let run = both_runs(&repo);
    let read = history_read(&run);
    assert_eq!(read["full"], true);
    assert_eq!(
        read["reason"],
        "first run of this repository in the database"
    );
    assert_eq!(run["scan"]["commits"], 2);
    assert_eq!(read["refs"]["refs/heads/main"], deleted.as_str());

    repo.write("deploy/b.env", &format!("STRIPE_KEY={new}\n"));
    let added = repo.commit_all("another key");
    let run = both_runs(&repo);
    let read = history_read(&run);
    assert_eq!(read["full"], false, "{read}");
    assert_eq!(read["since"], serde_json::json!([deleted]));
    assert_eq!(run["scan"]["commits"], 1, "only the new commit is walked");
    assert_eq!(run["scan"]["blobs"], 1, "only the new blob is read");
    // The report says what was read: the new key, in the new commit and the working tree.
    let keys = run["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let commits: BTreeSet<&str> = keys[0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["commit"].as_str())
        .collect();
    assert_eq!(commits, BTreeSet::from([added.as_str()]));

    // The database still has the old key open, at its first commit, as a full run does.
    let (inc, full) = dbs(&repo);
    let open = open_keys(&inc);
    assert_eq!(open.len(), 2);
    assert!(open
        .values()
        .any(|l| l.contains(&("git".into(), ".env".into(), 1, first.clone()))));
    assert_eq!(open, open_keys(&full));

    // Nothing new: nothing walked, nothing read, nothing resolved.
    let run = both_runs(&repo);
    assert_eq!(history_read(&run)["full"], false);
    assert_eq!(run["scan"]["commits"], 0);
    assert_eq!(run["scan"]["blobs"], 0);
    assert_eq!(open_keys(&inc), open_keys(&full));
    assert_eq!(open_keys(&inc).len(), 2);
}

#[test]
fn a_key_brought_back_from_old_history_keeps_its_first_commit() {
    let repo = GitRepo::new();
    repo.write("a.env", &format!("STRIPE_KEY={}\n", fresh_stripe_key()));
    let first = repo.commit_all("a key");
    std::fs::remove_file(repo.path().join("a.env")).unwrap();
    repo.commit_all("deleted");
    both_runs(&repo);
    // The same blob, back in a new commit: a full run gives it once, at its first commit.
    repo.run(&["checkout", "-q", &first, "--", "a.env"]);
    repo.commit_all("brought back");
    let run = both_runs(&repo);
    assert_eq!(history_read(&run)["full"], false);
    let (inc, full) = dbs(&repo);
    let open = open_keys(&inc);
    let locations: Vec<_> = open.values().flatten().collect();
    assert_eq!(
        locations,
        [
            &("file".into(), "a.env".into(), 1, String::new()),
            &("git".into(), "a.env".into(), 1, first.clone())
        ],
        "{open:?}"
    );
    assert_eq!(open, open_keys(&full));
}

#[test]
fn a_force_push_is_read_in_full_and_resolves_what_it_removed() {
    let repo = GitRepo::new();
    repo.write("a.env", &format!("STRIPE_KEY={}\n", fresh_stripe_key()));
    let base = repo.commit_all("kept");
    repo.write("b.env", &format!("STRIPE_KEY={}\n", fresh_stripe_key()));
    let dropped = repo.commit_all("to be rewritten");
    both_runs(&repo);
    let (inc, full) = dbs(&repo);
    assert_eq!(open_keys(&inc).len(), 2);

    repo.run(&["reset", "-q", "--hard", &base]);
    repo.write("c.txt", "no key here\n");
    repo.commit_all("rewritten");
    let run = both_runs(&repo);
    let read = history_read(&run);
    assert_eq!(read["full"], true, "{read}");
    let reason = read["reason"].as_str().unwrap();
    assert!(reason.contains(&dropped[..12]), "{reason}");
    assert!(reason.contains("no longer in the history"), "{reason}");
    // The rewritten-away key is gone from a full run, so resolved here too.
    assert_eq!(open_keys(&inc).len(), 1);
    assert_eq!(open_keys(&inc), open_keys(&full));
}

#[test]
fn many_repositories_each_read_from_their_own_refs() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    let mut repos = Vec::new();
    for name in ["grows", "rewritten", "still"] {
        let repo = GitRepo::init(dir.path().join(name));
        repo.write("first.env", &format!("STRIPE_KEY={}\n", fresh_stripe_key()));
        repo.commit_all("one");
        repo.write(
            "second.env",
            &format!("STRIPE_KEY={}\n", fresh_stripe_key()),
        );
        repo.commit_all("two");
        lines.push(format!("file://{} {name}", repo.path().display()));
        repos.push(repo);
    }
    let list = dir.path().join("repos.txt");
    std::fs::write(&list, lines.join("\n") + "\n").unwrap();
    let clones = dir.path().join("clones").display().to_string();
    let list = list.display().to_string();
    let run = |db: &str, incremental: bool| {
        let db = dir.path().join(db).display().to_string();
        let mut args = vec![
            "scan",
            "--repos",
            &list,
            "--clone-dir",
            &clones,
            "--history",
        ];
        if incremental {
            args.push("--incremental");
        }
        args.extend(["--db", &db]);
        let report = report(dir.path(), &args);
        (report, db)
    };
    run("inc.db", true);
    run("full.db", false);

    repos[0].write("third.env", &format!("STRIPE_KEY={}\n", fresh_stripe_key()));
    repos[0].commit_all("three");
    repos[1].run(&["reset", "-q", "--hard", "HEAD~1"]);
    repos[1].write("other.txt", "x\n");
    repos[1].commit_all("rewritten");
    let (report, inc) = run("inc.db", true);
    let (_, full) = run("full.db", false);

    let reads = &report["scan"]["incremental"];
    assert_eq!(reads["grows"]["full"], false, "{reads}");
    assert_eq!(reads["rewritten"]["full"], true, "{reads}");
    assert_eq!(reads["still"]["full"], false, "{reads}");
    let commits: BTreeMap<&str, u64> = report["scan"]["repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["commits"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        commits,
        BTreeMap::from([("grows", 1), ("rewritten", 2), ("still", 0)])
    );
    let open = open_keys(Path::new(&inc));
    assert_eq!(open.len(), 3 + 1 + 2, "{open:?}");
    assert_eq!(open, open_keys(Path::new(&full)));
}

#[test]
fn incremental_needs_a_database_history_and_one_repository_per_path_run() {
    let repo = GitRepo::new();
    let db = repo.path().parent().unwrap().join("k.db");
    let db = db.display().to_string();
    for (args, says) in [
        (vec!["scan", "--incremental", "--history", "."], "--db"),
        (vec!["scan", "--incremental", "--db", &db, "."], "--history"),
        (
            vec!["scan", "--incremental", "--history", "--db", &db, ".", "."],
            "one PATH",
        ),
        (
            vec![
                "scan",
                "--incremental",
                "--history",
                "--db",
                &db,
                "--since",
                "HEAD",
            ],
            "--since",
        ),
    ] {
        let output = keyaudit()
            .current_dir(repo.path())
            .args(&args)
            .output()
            .unwrap();
        assert_exit(&output, 2);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert!(
        !Path::new(&db).exists(),
        "nothing is recorded by a refused run"
    );
}

/// One step of a random history.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// A new file holding a new key.
    AddKey,
    /// A line added to a file holding a key: a new blob with the same key.
    Edit,
    /// A file deleted.
    Delete,
    /// A file brought back as it was some commits ago: an old blob in a new commit.
    Revert,
    /// A branch off an earlier commit with a key of its own; sometimes merged later.
    Branch,
    /// A merge of a branch.
    Merge,
    /// A branch deleted without being merged: its commits leave the history.
    DeleteBranch,
    /// The last commit replaced (a force-push).
    Rewrite,
    /// A run.
    Run,
}

const STEPS: [Step; 9] = [
    Step::AddKey,
    Step::Edit,
    Step::Delete,
    Step::Revert,
    Step::Branch,
    Step::Merge,
    Step::DeleteBranch,
    Step::Rewrite,
    Step::Run,
];

fn pick(n: usize) -> usize {
    let bytes = random_bytes(8);
    (u64::from_le_bytes(bytes.try_into().unwrap()) % n as u64) as usize
}

/// Files of the working tree holding keys.
fn key_files(repo: &GitRepo) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(repo.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".env"))
        .collect();
    files.sort();
    files
}

/// Applies `step`; a run adds to `forward` when it read only what was new.
fn apply(repo: &GitRepo, step: Step, counter: &mut usize, forward: &mut usize) {
    *counter += 1;
    let n = *counter;
    let files = key_files(repo);
    match step {
        Step::AddKey => {
            repo.write(
                &format!("k{n}.env"),
                &format!("STRIPE_KEY={}\n", fresh_stripe_key()),
            );
            repo.commit_all(&format!("add k{n}"));
        }
        Step::Edit if !files.is_empty() => {
            let file = &files[pick(files.len())];
            let path = repo.path().join(file);
            let mut text = std::fs::read_to_string(&path).unwrap();
            text.push_str(&format!("# edit {n}\n"));
            std::fs::write(path, text).unwrap();
            repo.commit_all(&format!("edit {file}"));
        }
        Step::Delete if !files.is_empty() => {
            let file = &files[pick(files.len())];
            std::fs::remove_file(repo.path().join(file)).unwrap();
            repo.commit_all(&format!("delete {file}"));
        }
        Step::Revert => {
            // A file as some earlier commit had it, back in a new commit.
            // Versions unlike the file's current one (or of a deleted file): a real change.
            let log = repo.run(&["log", "--format=%H", "--name-only", "--diff-filter=AM"]);
            let mut pairs = Vec::new();
            let mut commit = String::new();
            for line in log.lines().filter(|l| !l.is_empty()) {
                if line.len() == 40 && line.chars().all(|c| c.is_ascii_hexdigit()) {
                    commit = line.to_string();
                } else if line.ends_with(".env") {
                    let then = repo.run(&["show", &format!("{commit}:{line}")]);
                    let now = std::fs::read_to_string(repo.path().join(line)).ok();
                    if now.as_deref() != Some(then.as_str()) {
                        pairs.push((commit.clone(), line.to_string()));
                    }
                }
            }
            if pairs.is_empty() {
                return;
            }
            let (commit, file) = &pairs[pick(pairs.len())];
            repo.run(&["checkout", "-q", commit, "--", file]);
            repo.run(&["commit", "-q", "--allow-empty", "-am", "revert"]);
        }
        Step::Branch => {
            let back = repo
                .run(&["rev-list", "--count", "HEAD"])
                .trim()
                .parse::<usize>();
            let depth = pick(back.unwrap_or(1).min(3));
            repo.run(&["branch", "-f", &format!("b{n}"), &format!("HEAD~{depth}")]);
            repo.run(&["checkout", "-q", &format!("b{n}")]);
            repo.write(
                &format!("branch{n}.env"),
                &format!("STRIPE_KEY={}\n", fresh_stripe_key()),
            );
            repo.commit_all("on a branch");
            repo.run(&["checkout", "-q", "-f", "main"]);
        }
        Step::Merge | Step::DeleteBranch => {
            let branches: Vec<String> = repo
                .run(&["branch", "--format=%(refname:short)"])
                .lines()
                .filter(|b| *b != "main")
                .map(str::to_string)
                .collect();
            if branches.is_empty() {
                return;
            }
            let branch = &branches[pick(branches.len())];
            if matches!(step, Step::Merge) {
                repo.run(&["merge", "-q", "--no-edit", "-X", "theirs", branch]);
            }
            repo.run(&["branch", "-q", "-D", branch]);
        }
        Step::Rewrite => {
            let count = repo.run(&["rev-list", "--count", "HEAD"]);
            if count.trim() == "1" {
                return;
            }
            repo.run(&["reset", "-q", "--hard", "HEAD~1"]);
            repo.write(&format!("r{n}.txt"), "rewritten\n");
            repo.commit_all("rewritten");
        }
        Step::Run => {
            let run = both_runs(repo);
            if history_read(&run)["full"] == false {
                *forward += 1;
            }
            let (inc, full) = dbs(repo);
            assert_eq!(
                open_keys(&inc),
                open_keys(&full),
                "after step {n} the incremental database differs from a full run"
            );
        }
        Step::Edit | Step::Delete => {}
    }
}

#[test]
fn random_histories_and_runs_agree_with_a_full_run() {
    let mut forward = 0;
    for seed in 1u64..=8 {
        seed_random(seed);
        let repo = GitRepo::new().dated("2026-01-01T00:00:00Z");
        repo.write("k0.env", &format!("STRIPE_KEY={}\n", fresh_stripe_key()));
        repo.commit_all("start");
        let mut counter = 0;
        let mut steps = Vec::new();
        for _ in 0..20 {
            let step = STEPS[pick(STEPS.len())];
            steps.push(step);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                apply(&repo, step, &mut counter, &mut forward)
            }));
            if let Err(panic) = outcome {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panic!("seed {seed}, steps {steps:?}: {message}");
            }
        }
        apply(&repo, Step::Run, &mut counter, &mut forward);
    }
    assert!(
        forward >= 8,
        "only {forward} runs read forward: the sequences test little"
    );
}

#[test]
fn shards_of_one_night_record_into_one_database_at_once_or_through_their_reports() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    let mut repos = Vec::new();
    for i in 0..6 {
        let repo = GitRepo::init(dir.path().join(format!("r{i}")));
        repo.write("old.env", &format!("STRIPE_KEY={}\n", fresh_stripe_key()));
        repo.commit_all("one");
        std::fs::remove_file(repo.path().join("old.env")).unwrap();
        repo.commit_all("deleted");
        lines.push(format!("file://{} r{i}", repo.path().display()));
        repos.push(repo);
    }
    let list = dir.path().join("repos.txt");
    std::fs::write(&list, lines.join("\n") + "\n").unwrap();
    let at = |name: &str| dir.path().join(name).display().to_string();
    // One night: two shards at once into one database; the same shards writing reports with
    // a copy of the other database, ingested by one later step; and the oracle's full run.
    let night = |n: usize| {
        let shards: Vec<std::process::Child> = ["0/2", "1/2"]
            .into_iter()
            .map(|shard| {
                std::process::Command::new(env!("CARGO_BIN_EXE_keyaudit"))
                    .args(["scan", "--repos", &at("repos.txt"), "--shard", shard])
                    .args(["--clone-dir", &at("clones"), "--history", "--incremental"])
                    .args(["--db", &at("shared.db"), "--quiet", "--format", "json"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for shard in shards {
            let output = shard.wait_with_output().unwrap();
            let said = String::from_utf8_lossy(&output.stderr);
            assert!(matches!(output.status.code(), Some(0 | 1)), "{said}");
        }
        let copy = at(&format!("copy-{n}.db"));
        if Path::new(&at("artifact.db")).exists() {
            std::fs::copy(at("artifact.db"), &copy).unwrap();
        }
        let mut reports = Vec::new();
        for (i, shard) in ["0/2", "1/2"].into_iter().enumerate() {
            let out = at(&format!("night-{n}-shard-{i}.json"));
            let output = keyaudit()
                .args(["scan", "--repos", &at("repos.txt"), "--shard", shard])
                .args(["--clone-dir", &at("clones"), "--history", "--incremental"])
                .args(["--db", &copy, "--quiet", "--format", "json", "-o", &out])
                .output()
                .unwrap();
            assert!(matches!(output.status.code(), Some(0 | 1)));
            reports.push(out);
        }
        let output = keyaudit()
            .args(["db", "ingest", "--db", &at("artifact.db")])
            .args(&reports)
            .output()
            .unwrap();
        assert_exit(&output, 0);
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(!said.contains("warning"), "{said}");
        let output = keyaudit()
            .args([
                "scan",
                "--repos",
                &at("repos.txt"),
                "--clone-dir",
                &at("clones"),
            ])
            .args([
                "--history",
                "--db",
                &at("full.db"),
                "--quiet",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert!(matches!(output.status.code(), Some(0 | 1)));
    };
    night(1);
    for repo in &repos[..3] {
        repo.write("new.env", &format!("STRIPE_KEY={}\n", fresh_stripe_key()));
        repo.commit_all("new");
    }
    night(2);
    let full = open_keys(Path::new(&at("full.db")));
    assert_eq!(full.len(), 6 + 3);
    assert_eq!(open_keys(Path::new(&at("shared.db"))), full);
    assert_eq!(open_keys(Path::new(&at("artifact.db"))), full);
}

#[test]
fn the_pre_commit_hook_records_nothing() {
    let repo = GitRepo::new();
    repo.write("a.txt", "nothing\n");
    repo.run(&["add", "a.txt"]);
    let db = repo.path().parent().unwrap().join("k.db");
    let output = keyaudit()
        .current_dir(repo.path())
        .args(["hook", "run", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("staged"));
    assert!(!db.exists());
}

#[test]
fn an_incremental_audit_does_not_call_a_key_left_in_old_history_unused() {
    let repo = GitRepo::new();
    repo.write("old.env", &format!("STRIPE_KEY={}\n", fresh_stripe_key()));
    repo.commit_all("a key");
    std::fs::remove_file(repo.path().join("old.env")).unwrap();
    repo.commit_all("deleted");
    let init = keyaudit()
        .current_dir(repo.path())
        .args(["manifest", "init", "--history", "-q", "."])
        .output()
        .unwrap();
    assert_exit(&init, 0);
    // Declared as in use (init never approves a leak: it says `compromised`).
    let manifest = repo.path().join("keyaudit.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("state = \"compromised\""), "{text}");
    std::fs::write(&manifest, text.replace("\"compromised\"", "\"active\"")).unwrap();
    repo.commit_all("the manifest");
    let db = repo.path().parent().unwrap().join("audit.db");
    let db = db.to_str().unwrap();
    let args = [
        "audit",
        "--history",
        "--incremental",
        "--db",
        db,
        "--fail-on",
        "unused",
        ".",
    ];
    let first = report(repo.path(), &args);
    assert_eq!(
        first["unused"],
        serde_json::json!([]),
        "{}",
        first["unused"]
    );
    repo.write("notes.txt", "no key\n");
    repo.commit_all("more");
    // The declared key is in history this run does not read again: still there, not unused.
    let output = keyaudit()
        .current_dir(repo.path())
        .args(args)
        .args(["--format", "json", "--quiet"])
        .output()
        .unwrap();
    let second: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(history_read(&second)["full"], false);
    assert!(second["keys"].as_array().unwrap().is_empty());
    assert_eq!(
        second["unused"],
        serde_json::json!([]),
        "{}",
        second["unused"]
    );
    assert_exit(&output, 0);
}

#[test]
fn the_run_says_on_stderr_how_it_read_each_history() {
    let repo = GitRepo::new();
    repo.write("a.txt", "nothing\n");
    repo.commit_all("one");
    let db = repo.path().parent().unwrap().join("said.db");
    let run = || {
        let output = keyaudit()
            .current_dir(repo.path())
            .args(["scan", "--history", "--incremental", "--db"])
            .arg(&db)
            .arg(".")
            .output()
            .unwrap();
        assert_exit(&output, 0);
        String::from_utf8(output.stderr).unwrap()
    };
    let first = run();
    assert!(
        first.contains("0 histories read only past the recorded refs, 1 in full (")
            && first.contains("first run of this repository"),
        "{first}"
    );
    assert!(first.contains("recorded as run"), "{first}");
    repo.write("b.txt", "more\n");
    repo.commit_all("two");
    let second = run();
    assert!(
        second.contains("1 history read only past the recorded refs, 0 in full\n"),
        "{second}"
    );
}
