//! `keyaudit db`: runs over time in SQLite. Trees with freshly random keys are scanned several
//! times (keys added, removed, re-added), the JSON reports ingested, and the statuses, the new
//! keys, idempotence, concurrency, refusals and secrecy checked through the real binary.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{fresh_stripe_key, keyaudit, random_text, GitRepo, ALPHANUMERIC};
use serde_json::json;

/// A fake GitHub classic token of fresh random characters.
fn fresh_github_token() -> String {
    format!("ghp_{}", random_text(ALPHANUMERIC, 36))
}

/// A scratch directory with a tree to scan (`tree/`), reports and a database.
struct Lab {
    dir: tempfile::TempDir,
    reports: usize,
}

impl Lab {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tree")).unwrap();
        Self { dir, reports: 0 }
    }

    fn tree(&self) -> PathBuf {
        self.dir.path().join("tree")
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("keys.db")
    }

    /// Writes `file` in the tree with `key` in it, or removes it when `key` is None.
    fn put(&self, file: &str, key: Option<&str>) {
        let path = self.tree().join(file);
        match key {
            Some(key) => std::fs::write(path, format!("TOKEN={key}\n")).unwrap(),
            None => std::fs::remove_file(path).unwrap(),
        }
    }

    /// Scans the tree (`scan` or `audit`, plus `extra`) into a new JSON report; returns its path.
    fn report(&mut self, command: &str, extra: &[&str]) -> PathBuf {
        self.reports += 1;
        let out = self.dir.path().join(format!("report{}.json", self.reports));
        let status = keyaudit()
            .arg(command)
            .args(["--no-manifest", "--format", "json", "-o"])
            .arg(&out)
            .args(extra)
            .arg(self.tree())
            .output()
            .unwrap();
        assert!(
            matches!(status.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        out
    }

    fn db_cmd(&self, sub: &str) -> assert_cmd::Command {
        let mut cmd = keyaudit();
        cmd.args(["db", sub, "--db"]).arg(self.db());
        cmd
    }

    /// `db report` in every format it has, each expected to succeed.
    fn report_in_every_format(&self) -> Vec<Vec<u8>> {
        ["table", "json", "jsonl", "markdown", "html"]
            .into_iter()
            .map(|format| {
                let out = self
                    .db_cmd("report")
                    .args(["--format", format])
                    .output()
                    .unwrap();
                assert_eq!(out.status.code(), Some(0), "{format}");
                out.stdout
            })
            .collect()
    }

    fn ingest(&self, reports: &[&Path]) -> std::process::Output {
        self.db_cmd("ingest").args(reports).output().unwrap()
    }

    fn ingest_ok(&self, reports: &[&Path]) {
        let out = self.ingest(reports);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `db report --format json`.
    fn history(&self) -> Value {
        let out = self
            .db_cmd("report")
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `db new --format json` and its exit code.
    fn new_keys(&self) -> (Value, i32) {
        let out = self
            .db_cmd("new")
            .args(["--format", "json"])
            .output()
            .unwrap();
        (
            serde_json::from_slice(&out.stdout).unwrap(),
            out.status.code().unwrap(),
        )
    }
}

/// The fingerprint of the key whose redacted hint starts like `secret` does, in `report`.
fn fingerprint_of(report: &Path, secret: &str) -> String {
    let report: Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    let hint = format!("{}…{}", &secret[..4], &secret[secret.len() - 2..]);
    report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["redacted"] == hint.as_str())
        .unwrap_or_else(|| panic!("no key {hint} in the report"))["fingerprint"]
        .as_str()
        .unwrap()
        .to_string()
}

fn key<'a>(history: &'a Value, fingerprint: &str) -> &'a Value {
    history["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["fingerprint"] == fingerprint)
        .unwrap_or_else(|| panic!("no key {fingerprint} in the database"))
}

fn fingerprints(keys: &Value) -> Vec<&str> {
    let mut list: Vec<&str> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["fingerprint"].as_str().unwrap())
        .collect();
    list.sort_unstable();
    list
}

fn integrity_ok(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(result, "ok");
}

#[test]
fn keys_added_removed_and_re_added_over_three_runs() {
    let mut lab = Lab::new();
    let (a, b, c) = (fresh_stripe_key(), fresh_github_token(), fresh_stripe_key());
    lab.put("a.env", Some(&a));
    lab.put("b.env", Some(&b));
    let r1 = lab.report("scan", &[]);
    lab.ingest_ok(&[&r1]);
    let (fa, fb) = (fingerprint_of(&r1, &a), fingerprint_of(&r1, &b));
    let (new, code) = lab.new_keys();
    assert_eq!(code, 1, "the first run's keys are all new");
    assert_eq!(new["keys"].as_array().unwrap().len(), 2);

    // Run 2: b removed, c added. Runs show their time to the second, and `--since` run 2's
    // time below must leave run 1 out: start run 2 in a later second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    lab.put("b.env", None);
    lab.put("c.env", Some(&c));
    let r2 = lab.report("scan", &[]);
    lab.ingest_ok(&[&r2]);
    let fc = fingerprint_of(&r2, &c);
    let history = lab.history();
    assert_eq!(history["version"], 1);
    assert_eq!(history["runs"].as_array().unwrap().len(), 2);
    assert_eq!(key(&history, &fa)["status"], "open");
    assert_eq!(key(&history, &fb)["status"], "resolved");
    assert_eq!(key(&history, &fb)["days_open"], 0);
    assert_eq!(key(&history, &fc)["status"], "open");
    assert_eq!(key(&history, &fc)["locations"][0]["path"], "c.env");
    assert_eq!(history["runs"][0]["open"], 2);
    assert_eq!(history["runs"][1]["open"], 2);
    assert_eq!(
        key(&history, &fa)["first_seen"],
        history["runs"][0]["generated_at"]
    );
    assert_eq!(
        key(&history, &fa)["last_seen"],
        history["runs"][1]["generated_at"]
    );
    assert_eq!(
        key(&history, &fb)["last_seen"],
        history["runs"][0]["generated_at"]
    );
    let (new, code) = lab.new_keys();
    assert_eq!(code, 1);
    assert_eq!(fingerprints(&new["keys"]), vec![fc.as_str()]);
    assert_eq!(new["run"]["id"], history["runs"][1]["id"]);
    assert!(new["run"]["id"].as_str().unwrap().starts_with("sha256:"));

    // Run 3: b is back (in another file): open again, but not new; nothing new at all.
    lab.put("b2.env", Some(&b));
    let r3 = lab.report("scan", &[]);
    lab.ingest_ok(&[&r3]);
    let history = lab.history();
    let back = key(&history, &fb);
    assert_eq!(back["status"], "open");
    assert_eq!(back["reopened"], 1);
    assert_eq!(back["first_seen"], history["runs"][0]["generated_at"]);
    assert_eq!(back["opened_at"], history["runs"][2]["generated_at"]);
    assert_eq!(back["locations"][0]["path"], "b2.env");
    assert_eq!(key(&history, &fc)["status"], "open");
    let (new, code) = lab.new_keys();
    assert_eq!(code, 0, "{new}");
    assert!(new["keys"].as_array().unwrap().is_empty());
    let counts: Vec<u64> = history["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["counts"]["keys"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, vec![2, 2, 3]);
    let open: Vec<u64> = history["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["open"].as_u64().unwrap())
        .collect();
    assert_eq!(open, vec![2, 2, 3], "keys open after each run");

    // The same reports recorded in another order make the same history.
    let shuffled = lab.dir.path().join("shuffled.db");
    for report in [&r3, &r1, &r2] {
        keyaudit()
            .args(["db", "ingest", "--db"])
            .arg(&shuffled)
            .arg(report)
            .assert()
            .code(0);
    }
    let out = keyaudit()
        .args(["db", "report", "--format", "json", "--db"])
        .arg(&shuffled)
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        history
    );

    // --since after run 1: runs 2 and 3 only; b's and a's keys still listed (open).
    let since = history["runs"][1]["generated_at"].as_str().unwrap();
    let out = lab
        .db_cmd("report")
        .args(["--format", "json", "--since", since])
        .output()
        .unwrap();
    let limited: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(limited["runs"].as_array().unwrap().len(), 2);
    assert_eq!(limited["keys"].as_array().unwrap().len(), 3);
    integrity_ok(&lab.db());
}

#[test]
fn partial_runs_resolve_nothing_and_other_roots_resolve_nothing() {
    let mut lab = Lab::new();
    let a = fresh_stripe_key();
    lab.put("a.env", Some(&a));
    let r1 = lab.report("scan", &[]);
    let fa = fingerprint_of(&r1, &a);
    lab.put("a.env", None);
    // An incomplete report (as if a file could not be read) of the same root, without the key.
    let r2 = lab.report("scan", &[]);
    let mut partial: Value = serde_json::from_slice(&std::fs::read(&r2).unwrap()).unwrap();
    partial["summary"]["complete"] = Value::Bool(false);
    std::fs::write(&r2, serde_json::to_vec(&partial).unwrap()).unwrap();
    // A complete report of another root.
    let other = lab.dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let r3 = lab.dir.path().join("other.json");
    keyaudit()
        .args(["scan", "--no-manifest", "--format", "json", "-o"])
        .arg(&r3)
        .arg(&other)
        .assert()
        .code(0);
    lab.ingest_ok(&[&r1, &r2, &r3]);
    let history = lab.history();
    assert_eq!(history["runs"][1]["complete"], false);
    assert_eq!(key(&history, &fa)["status"], "open");
    // The partial run saw no key, yet one is still open after it.
    assert_eq!(history["runs"][1]["counts"]["keys"], 0);
    assert_eq!(history["runs"][1]["open"], 1);
    // A complete run of the same root resolves it.
    let r4 = lab.report("scan", &[]);
    lab.ingest_ok(&[&r4]);
    let history = lab.history();
    assert_eq!(key(&history, &fa)["status"], "resolved");
    assert_eq!(
        key(&history, &fa)["resolved_at"],
        history["runs"][3]["generated_at"]
    );
}

#[test]
fn audit_reports_give_counts_per_class_and_declared_ids() {
    let mut lab = Lab::new();
    lab.put("a.env", Some(&fresh_stripe_key()));
    let report = lab.report("audit", &[]);
    lab.ingest_ok(&[&report]);
    let history = lab.history();
    let counts = &history["runs"][0]["counts"];
    assert_eq!(counts["keys"], 1);
    assert_eq!(counts["unknown"], 1);
    assert_eq!(counts["over-privileged"], 0);
    let keys = history["keys"].as_array().unwrap();
    assert_eq!(keys[0]["declared_as"], Value::Null);
    for field in [
        "fingerprint",
        "rule",
        "provider",
        "kind",
        "privilege",
        "redacted",
        "declared_as",
        "status",
        "first_seen",
        "last_seen",
        "days_open",
        "locations",
    ] {
        assert!(keys[0].get(field).is_some(), "no {field}");
    }
    for field in ["id", "generated_at", "complete", "scope", "counts"] {
        assert!(history["runs"][0].get(field).is_some(), "no {field}");
    }
}

#[test]
fn ingesting_a_report_again_changes_nothing() {
    let mut lab = Lab::new();
    lab.put("a.env", Some(&fresh_stripe_key()));
    let r1 = lab.report("scan", &[]);
    lab.ingest_ok(&[&r1]);
    let before = lab.history();
    // The same report, twice in one command, then reformatted (a pretty-printed copy).
    lab.ingest_ok(&[&r1, &r1]);
    let value: Value = serde_json::from_slice(&std::fs::read(&r1).unwrap()).unwrap();
    let copy = lab.dir.path().join("copy.json");
    std::fs::write(&copy, serde_json::to_vec(&value).unwrap()).unwrap();
    let out = lab.ingest(&[&copy]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already recorded"));
    assert_eq!(lab.history(), before);
    assert_eq!(before["runs"].as_array().unwrap().len(), 1);
}

#[test]
fn two_processes_ingesting_at_once_both_succeed() {
    let mut lab = Lab::new();
    lab.put("a.env", Some(&fresh_stripe_key()));
    let r1 = lab.report("scan", &[]);
    lab.put("b.env", Some(&fresh_github_token()));
    let r2 = lab.report("scan", &[]);
    let binary = assert_cmd::cargo::cargo_bin("keyaudit");
    // Four processes on a database none of them has created yet: two per report.
    let children: Vec<_> = [&r1, &r2, &r2, &r1]
        .iter()
        .map(|report| {
            std::process::Command::new(&binary)
                .args(["db", "ingest", "--quiet", "--db"])
                .arg(lab.db())
                .arg(report)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let history = lab.history();
    assert_eq!(history["runs"].as_array().unwrap().len(), 2);
    assert_eq!(history["keys"].as_array().unwrap().len(), 2);
    integrity_ok(&lab.db());
}

#[test]
fn truncated_foreign_and_other_salt_reports_are_refused_whole() {
    let mut lab = Lab::new();
    lab.put("a.env", Some(&fresh_stripe_key()));
    let good = lab.report("scan", &[]);
    let text = std::fs::read(&good).unwrap();
    let truncated = lab.dir.path().join("truncated.json");
    std::fs::write(&truncated, &text[..text.len() * 2 / 3]).unwrap();
    // A refused report does not even create the database.
    let out = lab.ingest(&[&truncated, &good]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("truncated.json"), "{stderr}");
    assert!(!lab.db().exists());
    // After a good one in the same command, it rolls that one back.
    let out = lab.ingest(&[&good, &truncated]);
    assert_eq!(out.status.code(), Some(2));
    assert!(lab.history()["runs"].as_array().unwrap().is_empty());

    lab.ingest_ok(&[&good]);
    let before = lab.history();
    let foreign = lab.dir.path().join("foreign.json");
    std::fs::write(
        &foreign,
        r#"{"version": 1, "tool": {"name": "gitleaks"}, "scan": {}, "keys": []}"#,
    )
    .unwrap();
    let wrong_shape = lab.dir.path().join("array.json");
    std::fs::write(&wrong_shape, "[1, 2, 3]\n").unwrap();
    lab.put("b.env", Some(&fresh_github_token()));
    let next = lab.report("scan", &[]);
    for bad in [&truncated, &foreign, &wrong_shape] {
        let out = lab.ingest(&[&next, bad]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(bad.file_name().unwrap().to_str().unwrap()));
        assert_eq!(lab.history(), before, "the good report went in");
    }

    // A report under another salt (a manifest's) is refused too.
    let manifest = lab.dir.path().join("keyaudit.toml");
    std::fs::write(
        &manifest,
        format!(
            "version = 1\nsalt = \"{}\"\n",
            random_text(b"0123456789abcdef", 32)
        ),
    )
    .unwrap();
    let salted = lab.dir.path().join("salted.json");
    keyaudit()
        .args(["scan", "--format", "json", "--manifest"])
        .arg(&manifest)
        .arg("-o")
        .arg(&salted)
        .arg(lab.tree())
        .assert()
        .code(1);
    let out = lab.ingest(&[&salted]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("salt_id"), "{stderr}");
    assert_eq!(lab.history(), before);
    integrity_ok(&lab.db());
}

#[test]
fn reading_a_missing_or_foreign_database_is_an_error() {
    let lab = Lab::new();
    lab.db_cmd("report").assert().code(2);
    lab.db_cmd("new").assert().code(2);
    assert!(!lab.db().exists());
    std::fs::write(lab.db(), "not a database at all, only text\n".repeat(200)).unwrap();
    let out = lab.db_cmd("report").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

#[test]
fn new_keys_as_jsonl_fit_the_log_pipeline() {
    let mut lab = Lab::new();
    lab.put("a.env", Some(&fresh_stripe_key()));
    let r1 = lab.report("scan", &[]);
    lab.ingest_ok(&[&r1]);
    let out = lab
        .db_cmd("new")
        .args(["--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["event"], "new_key");
    assert_eq!(lines[0]["level"], "error");
    assert_eq!(lines[0]["tool"], "keyaudit");
    assert!(lines[0]["fingerprint"]
        .as_str()
        .unwrap()
        .starts_with("hmac-sha256:"));
    assert_eq!(lines[0]["timestamp"], lines[1]["run"]["generated_at"]);
    assert_eq!(lines[1]["event"], "summary");
    assert_eq!(lines[1]["new"], 1);
    for format in ["table", "markdown"] {
        let out = lab
            .db_cmd("new")
            .args(["--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 new key"));
    }
}

#[test]
fn no_secret_reaches_the_database_even_from_show_secrets_reports() {
    let mut lab = Lab::new();
    let canaries = [fresh_stripe_key(), fresh_github_token()];
    lab.put("a.env", Some(&canaries[0]));
    lab.put("b.env", Some(&canaries[1]));
    let report = lab.report("scan", &["--show-secrets"]);
    let text = String::from_utf8(std::fs::read(&report).unwrap()).unwrap();
    assert!(canaries.iter().all(|c| text.contains(c.as_str())));
    lab.ingest_ok(&[&report]);
    let mut outputs = lab.report_in_every_format();
    for format in ["table", "json", "jsonl", "markdown"] {
        outputs.push(
            lab.db_cmd("new")
                .args(["--format", format])
                .output()
                .unwrap()
                .stdout,
        );
    }
    // Every file beside the database too (WAL and shared-memory files, if left).
    for entry in std::fs::read_dir(lab.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("keys.db")
        {
            outputs.push(std::fs::read(&path).unwrap());
        }
    }
    for bytes in &outputs {
        let text = String::from_utf8_lossy(bytes);
        for canary in &canaries {
            assert!(!text.contains(canary.as_str()), "a canary leaked");
            // Nor a long piece of it.
            assert!(!text.contains(&canary[4..24]), "part of a canary leaked");
        }
    }
}

#[test]
fn html_report_is_self_contained_with_trend_charts() {
    let mut lab = Lab::new();
    let a = fresh_stripe_key();
    lab.put("a.env", Some(&a));
    let r1 = lab.report("audit", &[]);
    lab.put("a.env", None);
    lab.put("b.env", Some(&fresh_github_token()));
    let r2 = lab.report("audit", &[]);
    lab.ingest_ok(&[&r1, &r2]);
    let page = lab.dir.path().join("history.html");
    lab.db_cmd("report").arg("-o").arg(&page).assert().code(0);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("http-equiv=\"Content-Security-Policy\""));
    assert!(html.contains("<svg"), "no chart");
    assert!(html.contains("resolved"));
    assert!(html.contains("days open"));
    for external in ["src=\"http", "href=\"http", "url(http", "@import", "<link"] {
        assert!(!html.contains(external), "an external request: {external}");
    }
    assert!(!html.contains(a.as_str()));
}

/// `report` with its locations moved into repository `repo` and its scope the repositories
/// `repos` (as a many-repository run or one of its shards reports them).
fn as_repository_run(report: &Path, repo: &str, repos: &[&str]) {
    let mut value: Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    value["scan"]["repos"] = repos
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r, "source": r, "files": 0, "bytes": 0, "blobs": 0, "commits": 0,
                "keys": 0, "locations": 0, "skipped": 0, "errors": 0
            })
        })
        .collect();
    value["scan"]["roots"] = serde_json::json!(repos);
    value["scan"]["scopes"] = serde_json::json!(repos);
    for key in value["keys"].as_array_mut().unwrap() {
        for location in key["locations"].as_array_mut().unwrap() {
            location["repo"] = Value::String(repo.to_string());
        }
    }
    std::fs::write(report, serde_json::to_vec(&value).unwrap()).unwrap();
}

#[test]
fn a_shard_resolves_only_keys_of_its_own_repositories() {
    let mut lab = Lab::new();
    let a = fresh_stripe_key();
    lab.put("a.env", Some(&a));
    let r1 = lab.report("scan", &[]);
    let fa = fingerprint_of(&r1, &a);
    as_repository_run(&r1, "api", &["api", "web"]);
    lab.put("a.env", None);
    // A complete shard covering only web, without the key: api's key stays open.
    let r2 = lab.report("scan", &[]);
    as_repository_run(&r2, "web", &["web"]);
    lab.ingest_ok(&[&r1, &r2]);
    let history = lab.history();
    assert_eq!(
        history["runs"][0]["scope"],
        serde_json::json!(["api", "web"])
    );
    assert_eq!(key(&history, &fa)["status"], "open");
    assert_eq!(key(&history, &fa)["locations"][0]["repo"], "api");
    // A complete run covering api, without the key, resolves it.
    let r3 = lab.report("scan", &[]);
    as_repository_run(&r3, "api", &["api"]);
    lab.ingest_ok(&[&r3]);
    assert_eq!(key(&lab.history(), &fa)["status"], "resolved");
}

/// A new git repository at `dir` with one commit (no key in it); returns the commit id.
fn repository_with_a_commit(dir: &Path) -> String {
    let repo = GitRepo::init(dir);
    repo.write("README", "notes\n");
    repo.commit_all("first")
}

/// Scans `dir` as `.` (keyaudit started inside it) into the JSON report `out`.
fn scan_as_dot(dir: &Path, out: &Path) -> PathBuf {
    let output = keyaudit()
        .current_dir(dir)
        .args(["scan", "--no-manifest", "--format", "json", "-o"])
        .arg(out)
        .arg(".")
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out.to_path_buf()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn canonical(path: &Path) -> String {
    std::fs::canonicalize(path).unwrap().display().to_string()
}

#[test]
fn unrelated_directories_both_scanned_as_dot_are_two_scopes() {
    let lab = Lab::new();
    let root = lab.dir.path();
    // A plain directory, and a git repository with a commit but no origin.
    let (plain, repo) = (root.join("plain"), root.join("repo"));
    std::fs::create_dir(&plain).unwrap();
    let first = repository_with_a_commit(&repo);
    let (a, b) = (fresh_stripe_key(), fresh_github_token());
    std::fs::write(plain.join("a.env"), format!("TOKEN={a}\n")).unwrap();
    std::fs::write(repo.join("b.env"), format!("TOKEN={b}\n")).unwrap();
    let r1 = scan_as_dot(&plain, &root.join("r1.json"));
    let r2 = scan_as_dot(&repo, &root.join("r2.json"));
    let (fa, fb) = (fingerprint_of(&r1, &a), fingerprint_of(&r2, &b));
    let plain_scope = json!([format!("path:{}", canonical(&plain))]);
    let repo_scope = json!([format!("git:root:{first}")]);
    assert_eq!(read_json(&r1)["scan"]["roots"], json!(["."]));
    assert_eq!(read_json(&r1)["scan"]["scopes"], plain_scope);
    assert_eq!(read_json(&r2)["scan"]["scopes"], repo_scope);

    // The second directory's complete run does not see a's key, and does not resolve it.
    lab.ingest_ok(&[&r1]);
    lab.ingest_ok(&[&r2]);
    let history = lab.history();
    assert_eq!(history["runs"][0]["scope"], plain_scope);
    assert_eq!(history["runs"][1]["scope"], repo_scope);
    assert_eq!(key(&history, &fa)["status"], "open");
    assert_eq!(key(&history, &fb)["status"], "open");

    // The first directory, scanned as `.` again without the key, is its own scope: resolved.
    std::fs::remove_file(plain.join("a.env")).unwrap();
    let r3 = scan_as_dot(&plain, &root.join("r3.json"));
    lab.ingest_ok(&[&r3]);
    let history = lab.history();
    assert_eq!(key(&history, &fa)["status"], "resolved");
    assert_eq!(key(&history, &fb)["status"], "open");

    // A merge carries the scopes of its inputs through.
    let merged = root.join("merged.json");
    keyaudit()
        .args(["merge", "--format", "json", "-o"])
        .arg(&merged)
        .arg(&r1)
        .arg(&r2)
        .assert()
        .code(1);
    let mut both = vec![plain_scope[0].clone(), repo_scope[0].clone()];
    both.sort_by(|x, y| x.as_str().cmp(&y.as_str()));
    assert_eq!(read_json(&merged)["scan"]["scopes"], json!(both));
}

#[test]
fn two_checkouts_of_one_repository_are_one_scope() {
    let lab = Lab::new();
    let root = lab.dir.path();
    let upstream = root.join("upstream");
    repository_with_a_commit(&upstream);
    let url = format!("file://{}", upstream.display());
    GitRepo::at(root).run(&["clone", "-q", &url, "a"]);
    GitRepo::at(root).run(&["clone", "-q", &url, "b"]);
    std::fs::create_dir(root.join("b/docs")).unwrap();
    let a = fresh_stripe_key();
    std::fs::write(root.join("a/a.env"), format!("TOKEN={a}\n")).unwrap();
    let r1 = scan_as_dot(&root.join("a"), &root.join("r1.json"));
    let fa = fingerprint_of(&r1, &a);
    let scope = json!([format!("origin:{url}")]);
    assert_eq!(read_json(&r1)["scan"]["scopes"], scope);

    // Checkout b's docs directory is part of the repository, not all of it: nothing resolved.
    let r2 = scan_as_dot(&root.join("b/docs"), &root.join("r2.json"));
    assert_eq!(
        read_json(&r2)["scan"]["scopes"],
        json!([format!("origin:{url}#docs")])
    );
    lab.ingest_ok(&[&r1, &r2]);
    assert_eq!(key(&lab.history(), &fa)["status"], "open");

    // Checkout b as a whole, without the key: the same repository, so the key is resolved.
    let r3 = scan_as_dot(&root.join("b"), &root.join("r3.json"));
    assert_eq!(read_json(&r3)["scan"]["scopes"], scope);
    lab.ingest_ok(&[&r3]);
    let history = lab.history();
    assert_eq!(history["runs"][2]["scope"], scope);
    assert_eq!(key(&history, &fa)["status"], "resolved");
    assert_eq!(
        key(&history, &fa)["resolved_at"],
        history["runs"][2]["generated_at"]
    );
}

#[test]
fn an_origin_url_with_credentials_never_reaches_a_report_or_the_database() {
    let lab = Lab::new();
    let root = lab.dir.path();
    let git = GitRepo::init(root.join("repo"));
    let repo = git.path();
    let password = format!("s3cr3t{}", random_text(ALPHANUMERIC, 16));
    let url = format!("https://user:{password}@example.invalid/x.git");
    git.run(&["remote", "add", "origin", &url]);
    std::fs::write(
        repo.join("a.env"),
        format!("TOKEN={}\n", fresh_stripe_key()),
    )
    .unwrap();
    let report = scan_as_dot(repo, &root.join("r1.json"));
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        !text.contains("s3cr3t"),
        "the origin's password is in the report"
    );
    assert_eq!(
        read_json(&report)["scan"]["scopes"],
        json!(["origin:https://example.invalid/x.git"])
    );
    lab.ingest_ok(&[&report]);
    let mut outputs = lab.report_in_every_format();
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("keys.db")
        {
            outputs.push(std::fs::read(&path).unwrap());
        }
    }
    for bytes in &outputs {
        assert!(
            !String::from_utf8_lossy(bytes).contains("s3cr3t"),
            "the origin's password reached the database or its report"
        );
    }
    assert_eq!(
        lab.history()["runs"][0]["scope"],
        json!(["origin:https://example.invalid/x.git"])
    );
}

#[test]
fn repository_runs_are_scoped_by_their_listed_names() {
    let lab = Lab::new();
    let root = lab.dir.path();
    for dir in ["api", "web"] {
        std::fs::create_dir(root.join(dir)).unwrap();
    }
    std::fs::write(
        root.join("api/a.env"),
        format!("TOKEN={}\n", fresh_stripe_key()),
    )
    .unwrap();
    std::fs::write(root.join("repos.txt"), "api  acme/api\nweb  acme/web\n").unwrap();
    let report = root.join("r1.json");
    let out = keyaudit()
        .current_dir(root)
        .args([
            "scan",
            "--no-manifest",
            "--repos",
            "repos.txt",
            "--format",
            "json",
            "-o",
        ])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names = json!(["acme/api", "acme/web"]);
    assert_eq!(read_json(&report)["scan"]["scopes"], names);
    lab.ingest_ok(&[&report]);
    assert_eq!(lab.history()["runs"][0]["scope"], names);
}

#[test]
fn reports_made_before_scopes_keep_their_literal_roots() {
    let mut lab = Lab::new();
    lab.put("a.env", Some(&fresh_stripe_key()));
    let report = lab.report("scan", &[]);
    let mut value = read_json(&report);
    let roots = value["scan"]["roots"].clone();
    assert!(value["scan"]
        .as_object_mut()
        .unwrap()
        .remove("scopes")
        .is_some());
    std::fs::write(&report, serde_json::to_vec(&value).unwrap()).unwrap();
    lab.ingest_ok(&[&report]);
    assert_eq!(lab.history()["runs"][0]["scope"], roots);
}
