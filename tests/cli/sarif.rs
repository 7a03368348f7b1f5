//! SARIF reports validate against the OASIS SARIF 2.1.0 schema (kept in `tests/schemas/`) and
//! carry what GitHub code scanning needs.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{assert_exit, fingerprint_under, fresh_stripe_key, keyaudit, GitRepo};

fn schema() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/schemas/sarif-schema-2.1.0.json"
    );
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("SARIF schema not found at {path} ({e})"));
    serde_json::from_str(&text).expect("the schema is JSON")
}

fn sarif(args: &[&str], code: i32) -> Value {
    let output = keyaudit()
        .args(args)
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_exit(&output, code);
    serde_json::from_slice(&output.stdout).expect("SARIF is JSON")
}

/// Fails with every schema error unless `document` is valid SARIF 2.1.0.
pub(crate) fn assert_valid(document: &Value) {
    let validator = jsonschema::validator_for(&schema()).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn scan_sarif_is_valid_with_one_result_per_location() {
    let document = sarif(&["scan", "--no-manifest", "fixtures/basic"], 1);
    assert_valid(&document);
    let run = &document["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 13, "one result per location");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 12);
    for rule in rules {
        let severity: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&severity));
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
    }
    let stripe = results
        .iter()
        .find(|r| r["ruleId"] == "stripe-secret-key-live")
        .unwrap();
    assert_eq!(
        stripe["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "config/.env"
    );
    assert_eq!(
        stripe["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert!(stripe["partialFingerprints"]["keyFingerprint/v1"]
        .as_str()
        .unwrap()
        .starts_with("hmac-sha256:"));
    let index = stripe["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "stripe-secret-key-live");
}

#[test]
fn audit_sarif_uses_the_audit_classes() {
    let document = sarif(
        &[
            "audit",
            "fixtures/audit/stale-age",
            "--manifest",
            "fixtures/audit/stale-age/keyaudit.toml",
            "--now",
            "2026-11-23",
        ],
        1,
    );
    assert_valid(&document);
    let run = &document["runs"][0];
    let ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            "keyaudit/unknown",
            "keyaudit/stale",
            "keyaudit/over-privileged",
            "keyaudit/unused"
        ]
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "only the flagged key, once per location");
    assert_eq!(results[0]["ruleId"], "keyaudit/stale");
    assert!(results[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("exceeds max_age 90 days"));

    let unused = sarif(
        &[
            "audit",
            "fixtures/audit/unused",
            "--manifest",
            "fixtures/audit/unused/keyaudit.toml",
            "--now",
            "2026-11-23",
        ],
        0,
    );
    assert_valid(&unused);
    assert_eq!(unused["runs"][0]["results"][0]["ruleId"], "keyaudit/unused");
}

#[test]
fn no_secret_reaches_sarif() {
    let text = std::fs::read_to_string("fixtures/basic/config/.env").unwrap();
    let secret = text
        .lines()
        .find(|l| l.starts_with("STRIPE_SECRET_KEY="))
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let output = keyaudit()
        .args([
            "scan",
            "--no-manifest",
            "fixtures/basic",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "keys are found");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains(&secret));
    // The planted key is reported, by fingerprint and redacted hint only.
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().any(|r| {
            r["ruleId"] == "stripe-secret-key-live"
                && r["partialFingerprints"]["keyFingerprint/v1"]
                    .as_str()
                    .is_some_and(|f| f.starts_with("hmac-sha256:"))
        }),
        "{results:?}"
    );
}

/// A repository where one key lives only in an old commit, at line 4 of a file since cut to
/// three lines, and another is in the working tree and in HEAD, under `test_paths`.
struct HistoryCase {
    repo: GitRepo,
    /// In `app.env` line 4 of `first` only.
    old: String,
    /// In `tests/ci.env` line 2, committed and still there.
    kept: String,
    /// The commit that added both.
    first: String,
}

impl HistoryCase {
    fn new() -> Self {
        let repo = GitRepo::new();
        let (old, kept) = (fresh_stripe_key(), fresh_stripe_key());
        repo.write(
            "keyaudit.toml",
            "version = 1\nsalt = \"s\"\n[policy]\nmax_age = \"90d\"\ntest_paths = [\"tests/**\"]\n",
        );
        repo.write("app.env", &format!("A=1\nB=2\nC=3\nSTRIPE_KEY={old}\n"));
        repo.write("tests/ci.env", &format!("X=1\nSTRIPE_KEY={kept}\n"));
        let first = repo.commit_as("Alice", "2024-01-05T10:00:00Z", "add");
        repo.write("app.env", "A=1\nB=2\nC=3\n");
        repo.commit_as("Alice", "2024-02-01T10:00:00Z", "cut");
        Self {
            repo,
            old,
            kept,
            first,
        }
    }

    fn fingerprint(&self, secret: &str) -> String {
        fingerprint_under(&self.repo.path().join("keyaudit.toml"), secret)
    }

    /// `keyaudit ARGS --history --format sarif REPO`, schema-checked, with no raw secret.
    fn sarif(&self, args: &[&str]) -> Value {
        let output = keyaudit()
            .args(args)
            .args(["--history", "--now", "2026-11-23", "--format", "sarif"])
            .arg(self.repo.path())
            .output()
            .unwrap();
        assert_exit(&output, 1);
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(!text.contains(&self.old) && !text.contains(&self.kept));
        let document: Value = serde_json::from_str(&text).expect("SARIF is JSON");
        assert_valid(&document);
        document
    }

    /// Checks what holds of every history run: no region beyond today's file, the old key
    /// only as a commit's file with no region, the kept key once per rule at its line.
    /// Returns the results of each key.
    fn check<'a>(&self, document: &'a Value) -> (Vec<&'a Value>, Vec<&'a Value>) {
        let results = document["runs"][0]["results"].as_array().unwrap();
        for result in results {
            for location in result["locations"].as_array().unwrap() {
                let physical = &location["physicalLocation"];
                let Some(line) = physical["region"]["startLine"].as_u64() else {
                    continue;
                };
                let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
                let today = std::fs::read_to_string(self.repo.path().join(uri))
                    .unwrap_or_else(|e| panic!("a region in {uri}, not in today's tree: {e}"));
                assert!(
                    line as usize <= today.lines().count(),
                    "{uri} has no line {line}: {result}"
                );
            }
        }
        let of = |secret: &str| -> Vec<&'a Value> {
            let fingerprint = self.fingerprint(secret);
            results
                .iter()
                .filter(|r| r["partialFingerprints"]["keyFingerprint/v1"] == fingerprint.as_str())
                .collect()
        };
        let (old, kept) = (of(&self.old), of(&self.kept));
        assert!(!old.is_empty() && !kept.is_empty(), "{results:?}");
        for result in &old {
            let location = &result["locations"][0];
            assert_eq!(result["locations"].as_array().unwrap().len(), 1);
            assert_eq!(
                location["physicalLocation"]["artifactLocation"]["uri"],
                "app.env"
            );
            assert!(
                location["physicalLocation"].get("region").is_none(),
                "{result}"
            );
            let message = result["message"]["text"].as_str().unwrap();
            assert!(message.contains(&self.first), "{message}");
            assert!(message.contains("app.env:4"), "{message}");
            assert!(location["message"]["text"]
                .as_str()
                .unwrap()
                .contains(&self.first));
            let properties = &result["properties"];
            assert_eq!(properties["commit"], self.first.as_str());
            assert_eq!(properties["historyOnly"], true);
            assert_eq!(properties["commitLine"], 4);
            assert_eq!(properties["inCurrentTree"], false);
        }
        let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
        for result in &kept {
            *per_rule
                .entry(result["ruleId"].as_str().unwrap())
                .or_default() += 1;
            let locations = result["locations"].as_array().unwrap();
            assert_eq!(locations.len(), 1);
            let physical = &locations[0]["physicalLocation"];
            assert_eq!(physical["artifactLocation"]["uri"], "tests/ci.env");
            assert_eq!(physical["region"]["startLine"], 2);
            assert!(result["properties"].get("commit").is_none(), "{result}");
            assert!(
                result["properties"].get("historyOnly").is_none(),
                "{result}"
            );
        }
        assert!(
            per_rule.values().all(|n| *n == 1),
            "the key in the tree and in HEAD is one result per rule: {per_rule:?}"
        );
        (old, kept)
    }
}

#[test]
fn scan_history_sarif_places_no_commit_line_in_todays_file() {
    let case = HistoryCase::new();
    let document = case.sarif(&["scan"]);
    let (old, kept) = case.check(&document);
    assert_eq!(old.len(), 1);
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["ruleId"], "stripe-secret-key-live");
    assert_eq!(kept[0]["properties"]["inCurrentTree"], true);
}

#[test]
fn audit_history_sarif_gives_each_class_its_own_reasons() {
    let case = HistoryCase::new();
    let document = case.sarif(&["audit"]);
    let (old, kept) = case.check(&document);
    let classes = |results: &[&Value]| -> Vec<String> {
        results
            .iter()
            .map(|r| r["ruleId"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        classes(&old),
        ["keyaudit/unknown", "keyaudit/stale"],
        "one result per class"
    );
    assert_eq!(
        classes(&kept),
        [
            "keyaudit/unknown",
            "keyaudit/stale",
            "keyaudit/over-privileged"
        ]
    );
    // What marks each class's reasons, and what must not leak into another class's result.
    let marks = [
        ("keyaudit/unknown", "not declared in keyaudit.toml"),
        ("keyaudit/stale", "exceeds max_age"),
        ("keyaudit/over-privileged", "under test_paths"),
    ];
    for result in old.iter().chain(&kept) {
        let class = result["ruleId"].as_str().unwrap();
        let message = result["message"]["text"].as_str().unwrap();
        let reasons = result["properties"]["reasons"].as_array().unwrap();
        assert_eq!(reasons.len(), 1, "{class}: {reasons:?}");
        // The reason's stable code, of this result's class.
        let codes = result["properties"]["reason_codes"].as_array().unwrap();
        assert_eq!(codes.len(), 1, "{class}: {codes:?}");
        let code = codes[0].as_str().unwrap();
        assert_eq!(
            Some(code.split('.').next().unwrap()),
            class.strip_prefix("keyaudit/")
        );
        for (other, mark) in marks {
            let own = other == class;
            assert_eq!(message.contains(mark), own, "{class}: {message}");
            assert_eq!(reasons[0].as_str().unwrap().contains(mark), own, "{class}");
        }
    }

    // The JSON report keeps its flat `reasons`, with their codes in step in `reason_codes`.
    let output = keyaudit()
        .args([
            "audit",
            "--history",
            "--now",
            "2026-11-23",
            "--format",
            "json",
        ])
        .arg(case.repo.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in report["keys"].as_array().unwrap() {
        assert!(key["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .all(Value::is_string));
        assert!(key.get("reason_classes").is_none(), "{key}");
        let codes = key["reason_codes"].as_array().unwrap();
        assert_eq!(
            codes.len(),
            key["reasons"].as_array().unwrap().len(),
            "{key}"
        );
        for code in codes {
            // Each code names a class the key is flagged with (`stale.max-age` → `stale`).
            let class = code.as_str().unwrap().split('.').next().unwrap();
            assert!(
                key["flags"].as_array().unwrap().iter().any(|f| f == class),
                "{code} {key}"
            );
        }
    }
}
