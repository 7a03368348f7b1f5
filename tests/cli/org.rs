//! Many repositories (`docs/reference/many-repositories.md`): `--repos` lists of local working trees, bare
//! repositories and `file://` URLs built at test time; shards run as concurrent processes and
//! merged back into the unsharded inventory; the refusals of `merge`; `audit --inventory`;
//! and the docs/org examples, their shard and merge commands run as local processes.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{assert_exit, fresh_stripe_key, keyaudit, random_text, GitRepo, ALPHANUMERIC};
use crate::incremental::open_keys;

/// FNV-1a 64 as `docs/reference/many-repositories.md` defines it, written here independently of the crate.
fn fnv1a64(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    hash
}

fn commit_file(repo: &GitRepo, file: &str, text: &str) {
    repo.write(file, text);
    repo.commit_all(file);
}

fn github_key() -> String {
    format!("ghp_{}", random_text(ALPHANUMERIC, 36))
}

/// An organisation of twelve repositories in a temporary directory, and its list.
struct Org {
    dir: tempfile::TempDir,
    /// One line per repository.
    lines: Vec<String>,
    /// The name of each repository (the name column, else the line).
    names: Vec<String>,
    /// Each repository's own key, in its current tree.
    own: Vec<String>,
    /// A key in two repositories (r01, a local working tree, and r06, a file:// URL).
    shared: String,
    /// Keys deleted before the last commit: (repository index, key).
    history_only: Vec<(usize, String)>,
}

impl Org {
    /// Twelve repositories: local working trees with and without a name, `file://` URLs of
    /// working trees, local bare repositories, and a `file://` URL of a bare repository.
    fn build() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let shared = github_key();
        let (mut lines, mut names, mut owns, mut history_only) = (vec![], vec![], vec![], vec![]);
        for i in 0..12 {
            let git = GitRepo::init(root.join(format!("src/r{i:02}")));
            let work = git.path();
            let own = fresh_stripe_key();
            commit_file(&git, "config/app.env", &format!("STRIPE_KEY={own}\n"));
            owns.push(own);
            if i == 1 || i == 6 {
                commit_file(&git, "deploy/shared.env", &format!("TOKEN={shared}\n"));
            }
            if [2, 4, 10].contains(&i) {
                let old = fresh_stripe_key();
                commit_file(&git, "old/legacy.env", &format!("LEGACY_KEY={old}\n"));
                fs::remove_file(work.join("old/legacy.env")).unwrap();
                git.run(&["commit", "-q", "-am", "remove the legacy key"]);
                history_only.push((i, old));
            }
            let work_text = work.display().to_string();
            let (line, name) = match i % 4 {
                0 => (format!("{work_text}   team-{i}"), format!("team-{i}")),
                1 => (work_text.clone(), work_text.clone()),
                2 => {
                    let url = format!("file://{work_text}");
                    (format!("{url} url-{i}  # a comment"), format!("url-{i}"))
                }
                _ => {
                    let bare = root.join(format!("bare/r{i:02}.git"));
                    GitRepo::at(root).run(&[
                        "clone",
                        "-q",
                        "--bare",
                        &work_text,
                        &bare.display().to_string(),
                    ]);
                    let place = if i == 11 {
                        format!("file://{}", bare.display())
                    } else {
                        bare.display().to_string()
                    };
                    (place.clone(), place)
                }
            };
            lines.push(line);
            names.push(name);
        }
        let org = Org {
            dir,
            lines,
            names,
            own: owns,
            shared,
            history_only,
        };
        org.write_list("repos.txt", &org.lines);
        org
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write_list(&self, file: &str, lines: &[String]) -> PathBuf {
        let path = self.root().join(file);
        fs::write(
            &path,
            format!("# the organisation\n\n{}\n", lines.join("\n")),
        )
        .unwrap();
        path
    }
}

/// Runs keyaudit in `dir` with `args`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    keyaudit()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("keyaudit runs")
}

/// Runs keyaudit in `dir`, expects `code`, and parses stdout as JSON.
fn json_in(dir: &Path, args: &[&str], code: i32) -> Value {
    let output = run_in(dir, args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// The report without what differs between equal runs: times, and shard bookkeeping.
fn normalised(report: &Value) -> Value {
    let mut report = report.clone();
    report["generated_at"] = Value::Null;
    let scan = report["scan"].as_object_mut().unwrap();
    for field in ["duration_ms", "shard", "shards"] {
        scan.remove(field);
    }
    report
}

fn key_with_secret_in<'a>(report: &'a Value, secret: &str) -> Option<&'a Value> {
    report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["secret"] == secret)
}

/// Runs the N shards of `list` as concurrent processes, each with its own clone directory
/// (as on separate machines); returns their report files.
fn run_shards(org: &Org, extra: &[&str], count: u64) -> Vec<PathBuf> {
    let children: Vec<(PathBuf, std::process::Child)> = (0..count)
        .map(|index| {
            let out = org.root().join(format!("shard-{index}.json"));
            let child = Command::new(assert_cmd::cargo::cargo_bin("keyaudit"))
                .current_dir(org.root())
                .args(["scan", "--repos", "repos.txt", "--shard"])
                .arg(format!("{index}/{count}"))
                .arg("--clone-dir")
                .arg(org.root().join(format!("mirrors-{index}")))
                .arg("-o")
                .arg(&out)
                .args(extra)
                .spawn()
                .expect("spawns");
            (out, child)
        })
        .collect();
    children
        .into_iter()
        .map(|(out, mut child)| {
            let status = child.wait().unwrap();
            assert!(matches!(status.code(), Some(0 | 1)), "{status}");
            out
        })
        .collect()
}

fn merged(org: &Org, reports: &[&Path], out: &str) -> Value {
    let mut args = vec!["merge".to_string(), "--show-secrets".to_string()];
    args.extend(reports.iter().map(|p| p.display().to_string()));
    args.extend(["-o".to_string(), out.to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run_in(org.root(), &args);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    read_json(&org.root().join(out))
}

#[test]
fn shards_run_concurrently_and_merge_to_the_unsharded_inventory() {
    let org = Org::build();
    let common = ["--history", "--no-manifest", "--show-secrets"];
    let mut args = vec!["scan", "--repos", "repos.txt", "--clone-dir", "mirrors"];
    args.extend(common);
    let whole = json_in(org.root(), &args, 1);

    // Every repository is there with its counts, and every location names its repository.
    let repos = whole["scan"]["repos"].as_array().unwrap();
    let listed: BTreeSet<&str> = repos.iter().map(|r| r["name"].as_str().unwrap()).collect();
    let expected: BTreeSet<&str> = org.names.iter().map(String::as_str).collect();
    assert_eq!(listed, expected);
    assert!(
        repos.iter().all(|r| r["keys"].as_u64().unwrap() >= 1),
        "{repos:?}"
    );
    assert_eq!(
        whole["summary"]["complete"], true,
        "{}",
        whole["scan"]["errors"]
    );
    for key in whole["keys"].as_array().unwrap() {
        for location in key["locations"].as_array().unwrap() {
            assert!(location["repo"].is_string(), "{location}");
            assert!(
                !location["path"].as_str().unwrap().starts_with('/'),
                "{location}"
            );
        }
    }
    for (i, own) in org.own.iter().enumerate() {
        let key = key_with_secret_in(&whole, own).expect("every repository's key");
        assert_eq!(key["locations"][0]["repo"], org.names[i].as_str());
        assert_eq!(key["locations"][0]["path"], "config/app.env");
        assert_eq!(key["in_current_tree"], true);
    }
    let shared = key_with_secret_in(&whole, &org.shared).expect("the shared key");
    let in_repos: BTreeSet<&str> = shared["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["repo"].as_str().unwrap())
        .collect();
    assert_eq!(
        in_repos,
        BTreeSet::from([org.names[1].as_str(), org.names[6].as_str()])
    );
    for (i, old) in &org.history_only {
        let key = key_with_secret_in(&whole, old).expect("history-only key");
        assert_eq!(key["in_current_tree"], false);
        assert!(key["first_seen"]["commit"].is_string());
        assert_eq!(key["locations"][0]["repo"], org.names[*i].as_str());
        assert_eq!(key["locations"][0]["source"], "git");
    }

    // Three shards as concurrent processes: the split follows FNV-1a 64 of the names.
    let shards = run_shards(&org, &common, 3);
    let mut seen = BTreeSet::new();
    for (index, path) in shards.iter().enumerate() {
        let report = read_json(path);
        assert_eq!(report["scan"]["shard"], format!("{index}/3"));
        let names: BTreeSet<String> = report["scan"]["repos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect();
        let expected: BTreeSet<String> = org
            .names
            .iter()
            .filter(|n| fnv1a64(n) % 3 == index as u64)
            .cloned()
            .collect();
        assert_eq!(names, expected, "shard {index}");
        seen.extend(names);
    }
    assert_eq!(seen.len(), 12);

    // Their merge is the unsharded inventory, in any grouping and order.
    let paths: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    let all = merged(&org, &paths, "merged.json");
    assert_eq!(normalised(&all), normalised(&whole));
    assert_eq!(
        all["scan"]["shards"],
        serde_json::json!(["0/3", "1/3", "2/3"])
    );
    let pair = merged(&org, &[paths[2], paths[0]], "pair.json");
    assert_eq!(pair["summary"]["complete"], false);
    let regrouped = merged(
        &org,
        &[paths[1], &org.root().join("pair.json")],
        "regrouped.json",
    );
    assert_eq!(normalised(&regrouped), normalised(&all));
    assert_eq!(regrouped["summary"]["complete"], true);
}

#[test]
fn working_trees_need_history_for_deleted_keys_mirrors_do_not() {
    let org = Org::build();
    let report = json_in(
        org.root(),
        &[
            "scan",
            "--repos",
            "repos.txt",
            "--clone-dir",
            "mirrors",
            "--no-manifest",
            "--show-secrets",
        ],
        1,
    );
    for (i, old) in &org.history_only {
        let found = key_with_secret_in(&report, old).is_some();
        // r04 is a local working tree; r02 and r10 are file:// URLs, mirrored.
        assert_eq!(found, *i != 4, "repository r{i:02}");
    }
    // Mirrors are fetched, not cloned again, on the next run; a new commit is seen.
    let late = fresh_stripe_key();
    commit_file(
        &GitRepo::at(org.root().join("src/r02")),
        "late.env",
        &format!("LATE={late}\n"),
    );
    let again = json_in(
        org.root(),
        &[
            "scan",
            "--repos",
            "repos.txt",
            "--clone-dir",
            "mirrors",
            "--no-manifest",
            "--show-secrets",
        ],
        1,
    );
    let key = key_with_secret_in(&again, &late).expect("fetched commit");
    assert_eq!(key["locations"][0]["repo"], "url-2");
    assert_eq!(key["in_current_tree"], true);
}

#[test]
fn bad_shards_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("repos.txt"), "a\n").unwrap();
    for bad in ["4/4", "x/3", "1/0", "3", "1/2/3"] {
        let output = run_in(
            dir.path(),
            &["scan", "--repos", "repos.txt", "--shard", bad],
        );
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--shard"), "{bad}: {stderr}");
    }
    let output = run_in(dir.path(), &["scan", ".", "--shard", "0/2"]);
    assert_eq!(output.status.code(), Some(2), "--shard needs --repos");
    let output = run_in(dir.path(), &["scan", "--repos", "repos.txt", "some/path"]);
    assert_eq!(output.status.code(), Some(2), "--repos replaces PATHs");
    fs::write(dir.path().join("dup.txt"), "a one\nb one\n").unwrap();
    let output = run_in(dir.path(), &["scan", "--repos", "dup.txt"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("dup.txt:2:"), "{stderr}");
}

#[test]
fn unreachable_repositories_are_errors_and_the_rest_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let git = GitRepo::init(root.join("good"));
    let work = git.path();
    let key = fresh_stripe_key();
    commit_file(&git, "app.env", &format!("KEY={key}\n"));
    let password = random_text(ALPHANUMERIC, 16);
    let list = format!(
        "{}\nfile://{}/nowhere.git gone\nhttps://deploy:{password}@127.0.0.1:9/org/x.git\n{}/missing\n",
        work.display(),
        root.display(),
        root.display()
    );
    fs::write(root.join("repos.txt"), &list).unwrap();
    let args = [
        "scan",
        "--repos",
        "repos.txt",
        "--clone-dir",
        "mirrors",
        "--no-manifest",
    ];
    let output = run_in(root, &args);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stdout.contains(&password) && !stderr.contains(&password));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["summary"]["complete"], false);
    assert_eq!(report["summary"]["keys"], 1);
    let errors = report["scan"]["errors"].as_array().unwrap();
    let failed: BTreeSet<&str> = errors.iter().map(|e| e["path"].as_str().unwrap()).collect();
    let missing = format!("{}/missing", root.display());
    assert_eq!(
        failed,
        BTreeSet::from([
            "gone",
            "https://deploy:***@127.0.0.1:9/org/x.git",
            missing.as_str()
        ]),
        "{errors:?}"
    );
    assert!(errors
        .iter()
        .all(|e| !e["message"].as_str().unwrap().contains('\n')));
    let repos = report["scan"]["repos"].as_array().unwrap();
    assert_eq!(repos.len(), 4);
    assert!(repos
        .iter()
        .any(|r| r["name"] == "gone" && r["errors"] == 1 && r["keys"] == 0));
    // The list can come on standard input.
    let output = keyaudit()
        .current_dir(root)
        .args(["scan", "--repos", "-", "--no-manifest"])
        .write_stdin(format!("{} good\n", work.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["keys"][0]["locations"][0]["repo"], "good");
    assert_eq!(report["summary"]["complete"], true);
    // --strict makes any repository that could not be read an error.
    let mut strict = args.to_vec();
    strict.push("--strict");
    assert_eq!(run_in(root, &strict).status.code(), Some(2));
}

/// Two shards of a small organisation, scanned with `extra`.
fn two_shards(extra: &[&str]) -> (Org, Vec<PathBuf>) {
    let org = Org::build();
    let shards = run_shards(&org, extra, 2);
    (org, shards)
}

fn stderr_line(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    stderr
}

#[test]
fn merge_refuses_duplicates_foreign_salts_and_what_is_not_a_report() {
    let (org, shards) = two_shards(&["--no-manifest"]);
    let root = org.root();
    let [s0, s1]: [&Path; 2] = [&shards[0], &shards[1]];
    let copy = root.join("copy.json");
    fs::copy(s0, &copy).unwrap();

    // The same shard twice.
    let output = run_in(root, &["merge", &s0.display().to_string(), "copy.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_line(&output).contains("shard 0/2"));

    // A missing shard: incomplete, named in errors.
    let alone = merged(&org, &[s1], "alone.json");
    assert_eq!(alone["summary"]["complete"], false);
    assert!(alone["scan"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "shard 0/2"));

    // A report keyed by another salt.
    let manifest = root.join("other.toml");
    fs::write(
        &manifest,
        "version = 1\nsalt = \"another-org-salt-0123456789\"\n",
    )
    .unwrap();
    let foreign = root.join("foreign.json");
    let output = run_in(
        root,
        &[
            "scan",
            "--repos",
            "repos.txt",
            "--shard",
            "0/2",
            "--clone-dir",
            "mirrors-x",
            "--manifest",
            "other.toml",
            "-o",
            "foreign.json",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let output = run_in(
        root,
        &[
            "merge",
            &s1.display().to_string(),
            &foreign.display().to_string(),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let line = stderr_line(&output);
    assert!(
        line.contains("salt_id") && line.contains("foreign.json"),
        "{line}"
    );

    // Not a keyaudit report, a JSONL report, a newer major version.
    fs::write(root.join("other.json"), "{\"results\": []}\n").unwrap();
    let jsonl = run_in(
        root,
        &[
            "merge",
            &s1.display().to_string(),
            "--format",
            "jsonl",
            "-o",
            "r.jsonl",
        ],
    );
    assert!(matches!(jsonl.status.code(), Some(0 | 1)));
    let mut newer = read_json(s1);
    newer["version"] = Value::from(2);
    fs::write(root.join("newer.json"), newer.to_string()).unwrap();
    for (file, says) in [
        ("other.json", "not a keyaudit JSON report"),
        ("r.jsonl", "not a keyaudit JSON report"),
        ("newer.json", "newer keyaudit"),
        ("absent.json", "cannot read"),
    ] {
        let output = run_in(root, &["merge", &s1.display().to_string(), file]);
        assert_eq!(output.status.code(), Some(2), "{file}");
        let line = stderr_line(&output);
        assert!(line.contains(file) && line.contains(says), "{line}");
    }
}

#[test]
fn merged_reports_render_in_every_format() {
    let (org, shards) = two_shards(&["--no-manifest", "--history"]);
    let root = org.root();
    let mut rendered = std::collections::BTreeMap::new();
    for format in [
        "table",
        "json",
        "jsonl",
        "sarif",
        "markdown",
        "html",
        "cyclonedx",
    ] {
        let output = run_in(
            root,
            &[
                "merge",
                &shards[0].display().to_string(),
                &shards[1].display().to_string(),
                "--format",
                format,
            ],
        );
        assert_eq!(output.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&output.stdout);
        // Secrets are dropped unless asked for, even when the inputs held them.
        assert!(
            !org.own.iter().any(|k| text.contains(k.as_str())),
            "{format}"
        );
        rendered.insert(format, text.into_owned());
    }
    // Every format renders the merged JSON report's keys: expectations come from it.
    let json: Value = serde_json::from_str(&rendered["json"]).unwrap();
    let keys = json["keys"].as_array().unwrap();
    let summary = &json["summary"];
    assert_eq!(summary["keys"], keys.len());
    // Every repository's own key, the shared one and the history-only ones.
    assert_eq!(keys.len(), org.own.len() + 1 + org.history_only.len());
    let fingerprints: Vec<&str> = keys
        .iter()
        .map(|k| k["fingerprint"].as_str().unwrap())
        .collect();
    // How many keys have each (hint, rule): short hints of random keys can coincide.
    let mut hint_rules = std::collections::BTreeMap::new();
    for key in keys {
        let hint_rule = (
            key["redacted"].as_str().unwrap(),
            key["rule"].as_str().unwrap(),
        );
        *hint_rules.entry(hint_rule).or_insert(0) += 1;
    }
    // A view's key lines: one per key, and as many naming each (hint, rule) as keys have it.
    let one_line_per_key = |view: &str, lines: &[&str], text: &str| {
        assert_eq!(lines.len(), keys.len(), "{view}: one line per key\n{text}");
        for (&(hint, rule), &count) in &hint_rules {
            let naming = lines
                .iter()
                .filter(|l| l.contains(hint) && l.contains(rule))
                .count();
            assert_eq!(naming, count, "{view}: {:?}\n{text}", (hint, rule));
        }
    };

    // The table: one line per key (its hint and rule), and the summary line's counts.
    let table = &rendered["table"];
    let key_lines: Vec<&str> = table
        .lines()
        .filter(|l| !l.starts_with(char::is_whitespace) && l.contains('…'))
        .collect();
    one_line_per_key("table", &key_lines, table);
    assert!(
        table.contains(&format!(
            "{} keys in {} locations",
            summary["keys"], summary["locations"]
        )),
        "table summary\n{table}"
    );

    // JSONL: one event per key, with the merged fingerprints in order, then the summary.
    let events: Vec<Value> = rendered["jsonl"]
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(
        events.len(),
        keys.len() + 1,
        "one line per key and a summary"
    );
    let (summary_event, key_events) = events.split_last().unwrap();
    assert!(key_events.iter().all(|e| e["event"] == "key"));
    let event_fingerprints: Vec<&str> = key_events
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(event_fingerprints, fingerprints);
    assert_eq!(summary_event["event"], "summary");
    assert_eq!(&summary_event["summary"], summary);

    // SARIF: valid, and results for exactly the merged keys, under their rules.
    let sarif: Value = serde_json::from_str(&rendered["sarif"]).unwrap();
    crate::sarif::assert_valid(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let mut reported = BTreeSet::new();
    for result in results {
        let fingerprint = result["partialFingerprints"]["keyFingerprint/v1"]
            .as_str()
            .unwrap();
        let key = keys
            .iter()
            .find(|k| k["fingerprint"] == fingerprint)
            .unwrap_or_else(|| panic!("a result for no merged key: {result}"));
        assert_eq!(result["ruleId"], key["rule"]);
        reported.insert(fingerprint);
    }
    assert_eq!(
        reported,
        fingerprints.iter().copied().collect::<BTreeSet<_>>(),
        "a result per merged key"
    );

    // Markdown: the counts, a table row per key (hint and rule), and the history-only keys.
    let markdown = &rendered["markdown"];
    assert!(
        markdown.contains(&format!(
            "**{} keys** in {} locations",
            summary["keys"], summary["locations"]
        )),
        "{markdown}"
    );
    let rows: Vec<&str> = markdown.lines().filter(|l| l.starts_with("| `")).collect();
    one_line_per_key("markdown", &rows, markdown);
    let history_only = keys
        .iter()
        .filter(|k| k["in_current_tree"] == false)
        .count();
    assert_eq!(history_only, org.history_only.len());
    let history = markdown
        .split("## Found only in git history")
        .nth(1)
        .expect("a history-only section");
    assert_eq!(
        history.lines().filter(|l| l.starts_with("- `")).count(),
        history_only,
        "{markdown}"
    );

    // The merged CBOM is valid CycloneDX 1.6 with one component per merged key, and the HTML
    // page carries every key's fingerprint.
    let bom: Value = serde_json::from_str(&rendered["cyclonedx"]).unwrap();
    crate::cyclonedx::assert_valid_cyclonedx(&bom);
    let components = bom["components"].as_array().unwrap();
    assert_eq!(components.len(), keys.len());
    for key in keys {
        let fingerprint = key["fingerprint"].as_str().unwrap();
        assert!(components.iter().any(|c| c["bom-ref"] == fingerprint));
        assert!(rendered["html"].contains(fingerprint), "{fingerprint}");
    }
}

#[test]
fn audit_inventory_equals_audit_of_the_same_run_and_refuses_foreign_salts() {
    let org = Org::build();
    let root = org.root();
    let salt = random_text(ALPHANUMERIC, 32);
    let with_salt = |args: &[&str]| {
        keyaudit()
            .current_dir(root)
            .env("KEYAUDIT_SALT", &salt)
            .args(args)
            .output()
            .unwrap()
    };
    // An org manifest keyed by a salt from the environment, declaring the shared key.
    fs::write(
        root.join("keyaudit.toml"),
        "version = 1\nsalt = { env = \"KEYAUDIT_SALT\" }\n",
    )
    .unwrap();
    let fingerprint = keyaudit()
        .current_dir(root)
        .env("KEYAUDIT_SALT", &salt)
        .arg("fingerprint")
        .write_stdin(org.shared.clone())
        .output()
        .unwrap();
    let fingerprint = String::from_utf8(fingerprint.stdout).unwrap();
    fs::write(
        root.join("keyaudit.toml"),
        format!(
            "version = 1\nsalt = {{ env = \"KEYAUDIT_SALT\" }}\n\n[[key]]\nid = \"shared-token\"\nfingerprint = \"{}\"\nlocations = [\"deploy/**\"]\n",
            fingerprint.trim()
        ),
    )
    .unwrap();
    let repos = [
        "--repos",
        "repos.txt",
        "--clone-dir",
        "mirrors",
        "--history",
    ];
    let mut audit_args = vec!["audit", "--format", "json"];
    audit_args.extend(repos);
    let direct = with_salt(&audit_args);
    assert_eq!(direct.status.code(), Some(1));
    let direct: Value = serde_json::from_slice(&direct.stdout).unwrap();
    let mut scan_args = vec!["scan", "-o", "scan.json"];
    scan_args.extend(repos);
    assert_eq!(with_salt(&scan_args).status.code(), Some(1));
    let from_report = with_salt(&["audit", "--inventory", "scan.json", "--format", "json"]);
    assert_eq!(from_report.status.code(), Some(1));
    let from_report: Value = serde_json::from_slice(&from_report.stdout).unwrap();
    assert_eq!(normalised(&from_report), normalised(&direct));
    let declared: Vec<&Value> = direct["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["declared_as"] == "shared-token")
        .collect();
    assert_eq!(declared.len(), 1);
    assert_eq!(declared[0]["flags"], serde_json::json!([]));
    let keys = direct["summary"]["keys"].as_u64().unwrap();
    assert_eq!(
        keys, 16,
        "twelve own keys, three in history only, one shared"
    );
    assert_eq!(direct["summary"]["flagged"]["unknown"], keys - 1);

    // Another salt (here none: the fixed key) cannot judge these fingerprints.
    let output = keyaudit()
        .current_dir(root)
        .args(["audit", "--inventory", "scan.json", "--no-manifest"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let line = stderr_line(&output);
    assert!(
        line.contains("scan.json") && line.contains("salt_id"),
        "{line}"
    );
}

#[test]
fn audit_inventory_takes_evidence_as_usual() {
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("scan.json");
    let output = keyaudit()
        .args(["scan", "fixtures/evidence", "--now", "2026-11-23", "-o"])
        .arg(&scan)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let exports = [
        "list-secrets.json",
        "cloudtrail.json",
        "gcloud-secrets.json",
        "az-keyvault-secrets.json",
        "vault-kv-metadata.json",
        "vault-token-lookup.json",
    ];
    let audit = |head: &[&str]| -> Value {
        let mut cmd = keyaudit();
        cmd.args(head)
            .args(["--now", "2026-11-23", "--format", "json"]);
        for export in exports {
            cmd.arg("--evidence")
                .arg(format!("fixtures/evidence/exports/{export}"));
        }
        let output = cmd.output().unwrap();
        assert_exit(&output, 1);
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let direct = audit(&["audit", "fixtures/evidence"]);
    let scan_path = scan.display().to_string();
    let from_report = audit(&[
        "audit",
        "--inventory",
        &scan_path,
        "--manifest",
        "fixtures/evidence/keyaudit.toml",
    ]);
    assert!(direct["keys"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["evidence"].is_object()));
    assert_eq!(from_report["keys"], direct["keys"]);
    assert_eq!(from_report["unused"], direct["unused"]);
    assert_eq!(
        from_report["unmatched_evidence"],
        direct["unmatched_evidence"]
    );
    assert_eq!(
        from_report["summary"]["flagged"],
        direct["summary"]["flagged"]
    );
}

/// The `keyaudit` lines of a CI script: installation and git credential set-up are the
/// engine's business, not the test's.
fn runnable(script: &str) -> String {
    script
        .lines()
        .filter(|l| !l.contains("cargo install") && !l.contains("credential.helper"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `script` with `sh` in `dir` (with `-e` when the engine stops at a failing line, as
/// GitHub's bash and GitLab's script do), keyaudit on the PATH and `env` set.
fn sh(dir: &Path, script: &str, env: &[(&str, String)], errexit: bool) -> std::process::Child {
    let bin = assert_cmd::cargo::cargo_bin("keyaudit");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("sh");
    command
        .current_dir(dir)
        .arg(if errexit { "-ec" } else { "-c" })
        .arg(script)
        .env("PATH", path);
    for (name, value) in env {
        command.env(name, value);
    }
    command.spawn().expect("sh runs")
}

fn yaml_docs(file: &str) -> Vec<yaml_rust2::Yaml> {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    yaml_rust2::YamlLoader::load_from_str(&text).expect("valid YAML")
}

fn text(yaml: &yaml_rust2::Yaml) -> String {
    yaml.as_str().expect("a string").to_string()
}

/// An organisation laid out as the docs/org examples expect: repos.txt and the example
/// keyaudit.toml (salt from KEYAUDIT_SALT) in the working directory; the unsharded report.
fn docs_org() -> (Org, String, Value) {
    let org = Org::build();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/org/keyaudit.toml");
    fs::copy(manifest, org.root().join("keyaudit.toml")).unwrap();
    let salt = random_text(ALPHANUMERIC, 40);
    let output = keyaudit()
        .current_dir(org.root())
        .env("KEYAUDIT_SALT", &salt)
        .args([
            "scan",
            "--repos",
            "repos.txt",
            "--history",
            "--clone-dir",
            "whole",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let whole = serde_json::from_slice(&output.stdout).unwrap();
    (org, salt, whole)
}

/// Runs the shard scripts concurrently (each with its own environment), then the merge
/// script; returns the merge script's exit code.
fn run_engine(
    dir: &Path,
    shard_envs: Vec<Vec<(&str, String)>>,
    shard: &str,
    merge: &str,
    errexit: bool,
) -> i32 {
    let children: Vec<_> = shard_envs
        .iter()
        .map(|env| sh(dir, shard, env, errexit))
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a shard failed");
    }
    let status = sh(dir, merge, &shard_envs[0], errexit).wait().unwrap();
    status.code().unwrap_or(-1)
}

/// A GitHub Actions example: the workflow, its number of shards (`env.SHARDS`, checked equal
/// to the matrix's length) and the matrix's shard indexes.
fn github_workflow(file: &str) -> (yaml_rust2::Yaml, i64, Vec<i64>) {
    let doc = yaml_docs(file).remove(0);
    let count = doc["env"]["SHARDS"].as_i64().expect("env.SHARDS");
    let matrix: Vec<i64> = doc["jobs"]["shard"]["strategy"]["matrix"]["shard"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|i| i.as_i64().unwrap())
        .collect();
    assert_eq!(matrix.len() as i64, count, "matrix and SHARDS agree");
    (doc, count, matrix)
}

/// The step called `name` of `job` in a workflow.
fn github_step(doc: &yaml_rust2::Yaml, job: &str, name: &str) -> yaml_rust2::Yaml {
    let steps = doc["jobs"][job]["steps"].as_vec().unwrap();
    let step = steps.iter().find(|s| s["name"].as_str() == Some(name));
    step.unwrap_or_else(|| panic!("step {name}")).clone()
}

/// Each shard runner's environment: its matrix index, the salt, a temporary directory of its
/// own under `temp` (kept between nights, as a cache would), and the job summary file.
fn github_envs(
    matrix: &[i64],
    count: i64,
    salt: &str,
    temp: &Path,
    summary: &Path,
) -> Vec<Vec<(&'static str, String)>> {
    matrix
        .iter()
        .map(|index| {
            vec![
                ("MATRIX_SHARD", index.to_string()),
                ("SHARDS", count.to_string()),
                ("KEYAUDIT_SALT", salt.to_string()),
                ("RUNNER_TEMP", format!("{}/{index}", temp.display())),
                ("GITHUB_STEP_SUMMARY", summary.display().to_string()),
            ]
        })
        .collect()
}

#[test]
fn docs_org_github_actions_matrix_runs_as_local_processes() {
    let (org, salt, whole) = docs_org();
    let (doc, count, matrix) = github_workflow("docs/org/github-actions.yml");
    assert_eq!(
        text(&doc["env"]["KEYAUDIT_SALT"]),
        "${{ secrets.KEYAUDIT_SALT }}"
    );
    let step = |job: &str, name: &str| text(&github_step(&doc, job, name)["run"]);
    let shard = runnable(&step("shard", "Scan one shard"));
    let merge = runnable(&step("merge", "Merge and audit"));
    let temp = org.root().join("runner-temp");
    let summary = org.root().join("summary.md");
    let envs = github_envs(&matrix, count, &salt, &temp, &summary);
    let shard = shard.replace("${{ matrix.shard }}", "$MATRIX_SHARD");
    assert!(!shard.contains("${{") && !merge.contains("${{"));
    let code = run_engine(org.root(), envs, &shard, &merge, true);
    // The audit fails on the undeclared keys: the job fails, after publishing.
    assert_eq!(code, 1);
    let merged = read_json(&org.root().join("merged.json"));
    assert_eq!(normalised(&merged), normalised(&whole));
    assert!(fs::read_to_string(summary).unwrap().contains("unknown"));
    let sarif = read_json(&org.root().join("keyaudit.sarif"));
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn docs_org_gitlab_parallel_runs_as_local_processes() {
    let (org, salt, whole) = docs_org();
    let doc = &yaml_docs("docs/org/gitlab-ci.yml")[0];
    let job = &doc["keyaudit-shard"];
    let count = job["parallel"].as_i64().expect("parallel: N");
    let script = |job: &yaml_rust2::Yaml| {
        runnable(
            &job["script"]
                .as_vec()
                .unwrap()
                .iter()
                .map(text)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    };
    let shard = script(job);
    let merge = script(&doc["keyaudit-merge"]);
    // CI_NODE_INDEX counts from 1.
    let envs = (1..=count)
        .map(|node| {
            vec![
                ("CI_NODE_INDEX", node.to_string()),
                ("CI_NODE_TOTAL", count.to_string()),
                ("CI_PROJECT_DIR", org.root().display().to_string()),
                ("KEYAUDIT_SALT", salt.clone()),
            ]
        })
        .collect();
    let code = run_engine(org.root(), envs, &shard, &merge, true);
    assert_eq!(code, 1, "the audit fails on undeclared keys");
    let merged = read_json(&org.root().join("merged.json"));
    assert_eq!(normalised(&merged), normalised(&whole));
    let shards: Vec<String> = (0..count).map(|i| format!("{i}/{count}")).collect();
    assert_eq!(merged["scan"]["shards"], serde_json::json!(shards));
    assert!(org.root().join("keyaudit.md").is_file());
}

/// The Job called `name` among the documents of a Kubernetes example.
fn k8s_job(docs: &[yaml_rust2::Yaml], name: &str) -> yaml_rust2::Yaml {
    docs.iter()
        .find(|d| d["kind"].as_str() == Some("Job") && d["metadata"]["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("Job {name}"))
        .clone()
}

/// The pods' mounts (/keyaudit/config, /keyaudit/data) as directories of the test's: the
/// config one holding the org's repos.txt and keyaudit.toml.
fn k8s_config(org: &Org) {
    let config = org.root().join("config");
    fs::create_dir_all(&config).unwrap();
    for file in ["repos.txt", "keyaudit.toml"] {
        fs::copy(org.root().join(file), config.join(file)).unwrap();
    }
}

#[test]
fn docs_org_kubernetes_indexed_job_runs_as_local_processes() {
    let (org, salt, whole) = docs_org();
    let docs = yaml_docs("docs/org/kubernetes-indexed-job.yaml");
    let job = |name: &str| k8s_job(&docs, name);
    let shards = job("keyaudit-shards");
    assert_eq!(text(&shards["spec"]["completionMode"]), "Indexed");
    let count = shards["spec"]["completions"].as_i64().unwrap();
    let container = &shards["spec"]["template"]["spec"]["containers"][0];
    let env = container["env"].as_vec().unwrap();
    let shard_env = env
        .iter()
        .find(|e| e["name"].as_str() == Some("SHARDS"))
        .unwrap();
    assert_eq!(text(&shard_env["value"]), count.to_string());
    assert!(env
        .iter()
        .any(|e| e["name"].as_str() == Some("KEYAUDIT_SALT")
            && !e["valueFrom"]["secretKeyRef"].is_badvalue()));
    k8s_config(&org);
    let local =
        |script: String| script.replace("/keyaudit/", &format!("{}/", org.root().display()));
    let shard = local(text(&container["args"][0]));
    assert!(
        shard.contains("--shard \"$JOB_COMPLETION_INDEX/$SHARDS\""),
        "{shard}"
    );
    let merge_job = job("keyaudit-merge");
    let merge = local(text(
        &merge_job["spec"]["template"]["spec"]["containers"][0]["args"][0],
    ));
    let envs = (0..count)
        .map(|index| {
            vec![
                ("JOB_COMPLETION_INDEX", index.to_string()),
                ("SHARDS", count.to_string()),
                ("KEYAUDIT_SALT", salt.clone()),
            ]
        })
        .collect();
    // A container's `sh -c` goes on past a failing command.
    let code = run_engine(org.root(), envs, &shard, &merge, false);
    assert_eq!(code, 1, "the audit fails on undeclared keys");
    let merged = read_json(&org.root().join("data/merged.json"));
    assert_eq!(normalised(&merged), normalised(&whole));
    assert!(org.root().join("data/keyaudit.md").is_file());
    assert!(org.root().join("data/keyaudit.sarif").is_file());
}

/// Night 2's changes to the org of `docs_org`: a new key in a new commit of r00 (a local
/// working tree), the last commit of r02 (listed by `file://` URL) replaced, as by a
/// force-push; the other repositories untouched.
fn a_day_of_work(org: &Org) {
    let r00 = GitRepo::at(org.root().join("src/r00"));
    commit_file(
        &r00,
        "config/new.env",
        &format!("NEW_KEY={}\n", fresh_stripe_key()),
    );
    let r02 = GitRepo::at(org.root().join("src/r02"));
    r02.run(&["reset", "-q", "--hard", "HEAD~1"]);
    commit_file(&r02, "notes.txt", "rewritten\n");
}

/// The oracle of the nightly recipes: a full `--repos --history` run recorded in `full.db`.
fn full_night(org: &Org, salt: &str) -> PathBuf {
    let db = org.root().join("full.db");
    let output = keyaudit()
        .current_dir(org.root())
        .env("KEYAUDIT_SALT", salt)
        .args([
            "scan",
            "--repos",
            "repos.txt",
            "--history",
            "--clone-dir",
            "whole",
        ])
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    db
}

/// The repositories the shard reports of a night read forward (not in full). A shard may
/// have no repository (shards go by a hash of the names), so no `scan.incremental`.
fn read_forward(reports: &[PathBuf]) -> BTreeSet<String> {
    reports
        .iter()
        .flat_map(|path| {
            let report = read_json(path);
            let reads = report["scan"]["incremental"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            reads
                .into_iter()
                .filter(|(_, read)| read["full"] == false)
                .map(|(name, _)| name)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn docs_org_github_actions_nightly_reads_only_what_is_new_each_night() {
    let (org, salt, _) = docs_org();
    let (doc, count, matrix) = github_workflow("docs/org/github-actions-nightly.yml");
    let step = |job: &str, name: &str| github_step(&doc, job, name);
    // The database the shards restore is the one the record job saves.
    let restored = step("shard", "Last night's database");
    let saved = step("record", "Tonight's database, for tomorrow");
    assert_eq!(restored["with"]["path"], saved["with"]["path"]);
    assert_eq!(text(&restored["with"]["path"]), "keyaudit.db");
    let shard = runnable(&text(
        &step("shard", "Scan what is new in one shard")["run"],
    ))
    .replace("${{ matrix.shard }}", "$MATRIX_SHARD");
    let record = runnable(&text(&step("record", "Record the night")["run"]));
    assert!(!shard.contains("${{") && !record.contains("${{"));
    // Each shard's runner keeps its own temporary directory (its mirrors come from a cache).
    let temp = org.root().join("runner-temp");
    let summary = org.root().join("summary.md");
    let envs = || github_envs(&matrix, count, &salt, &temp, &summary);
    let reports: Vec<PathBuf> = (0..count)
        .map(|i| org.root().join(format!("reports/shard-{i}.json")))
        .collect();
    // Night 1: everything is new, read in full; the job fails on the keys first seen.
    assert_eq!(run_engine(org.root(), envs(), &shard, &record, true), 1);
    assert!(read_forward(&reports).is_empty());
    let full = full_night(&org, &salt);
    let db = org.root().join("keyaudit.db");
    assert_eq!(open_keys(&db), open_keys(&full));

    a_day_of_work(&org);
    fs::remove_dir_all(org.root().join("reports")).unwrap();
    assert_eq!(run_engine(org.root(), envs(), &shard, &record, true), 1);
    let forward = read_forward(&reports);
    assert_eq!(forward.len(), org.names.len() - 1, "{forward:?}");
    assert!(
        !forward.contains("url-2"),
        "the rewritten repository is read in full"
    );
    let full = full_night(&org, &salt);
    assert_eq!(open_keys(&db), open_keys(&full));
    let said = fs::read_to_string(&summary).unwrap();
    assert!(said.contains("config/new.env"), "{said}");
}

#[test]
fn docs_org_kubernetes_nightly_reads_only_what_is_new_each_night() {
    let (org, salt, _) = docs_org();
    let docs = yaml_docs("docs/org/kubernetes-nightly.yaml");
    let job = |name: &str| k8s_job(&docs, name);
    let shards = job("keyaudit-nightly-shards");
    assert_eq!(text(&shards["spec"]["completionMode"]), "Indexed");
    let count = shards["spec"]["completions"].as_i64().unwrap();
    k8s_config(&org);
    fs::create_dir_all(org.root().join("tmp")).unwrap();
    let local = |script: String| {
        // The pod's own /tmp first: the test's directory is itself under /tmp.
        script
            .replace("/tmp/", &format!("{}/tmp/", org.root().display()))
            .replace("/keyaudit/", &format!("{}/", org.root().display()))
    };
    let shard = local(text(
        &shards["spec"]["template"]["spec"]["containers"][0]["args"][0],
    ));
    let record = local(text(
        &job("keyaudit-nightly-record")["spec"]["template"]["spec"]["containers"][0]["args"][0],
    ));
    let envs = || {
        (0..count)
            .map(|index| {
                vec![
                    ("JOB_COMPLETION_INDEX", index.to_string()),
                    ("SHARDS", count.to_string()),
                    ("KEYAUDIT_SALT", salt.clone()),
                ]
            })
            .collect()
    };
    let reports: Vec<PathBuf> = (0..count)
        .map(|i| org.root().join(format!("data/reports/shard-{i}.json")))
        .collect();
    let db = org.root().join("data/keyaudit.db");
    // `db new` exits 1 on the keys first seen tonight: the record Job fails, as an alert.
    assert_eq!(run_engine(org.root(), envs(), &shard, &record, false), 1);
    assert!(read_forward(&reports).is_empty());
    assert_eq!(open_keys(&db), open_keys(&full_night(&org, &salt)));

    a_day_of_work(&org);
    assert_eq!(run_engine(org.root(), envs(), &shard, &record, false), 1);
    let forward = read_forward(&reports);
    assert_eq!(forward.len(), org.names.len() - 1, "{forward:?}");
    assert_eq!(open_keys(&db), open_keys(&full_night(&org, &salt)));
    let new = fs::read_to_string(org.root().join("data/new-keys.md")).unwrap();
    assert!(new.contains("config/new.env"), "{new}");
}
