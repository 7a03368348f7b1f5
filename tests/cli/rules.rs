//! `keyaudit rules list` and `keyaudit rules check`, built-in and user rule files.

use std::fs;

use crate::common::keyaudit;

const USER_RULE: &str = r#"
[[rule]]
id = "acme-deploy-token"
name = "ACME deploy token"
provider = "ACME"
kind = "token"
pattern = '\b(acme_[a-z0-9]{20})\b'
keywords = ["acme_"]
privilege = "scoped"
environment = "live"
lifetime = "long"
examples = ["ACME_TOKEN=acme_q8w2e7r4t1y9u3i6o0p5"]
negative_examples = ["acme_short"]
"#;

#[test]
fn list_json_carries_tier_environment_and_lifetime_on_every_rule() {
    let output = keyaudit()
        .args(["rules", "list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(rules.len() >= 60, "only {} rules", rules.len());
    let tiers = ["public", "read", "scoped", "full", "admin"];
    for rule in &rules {
        assert!(
            tiers.contains(&rule["privilege"].as_str().unwrap()),
            "{rule}"
        );
        assert!(["live", "test", "unknown"].contains(&rule["environment"].as_str().unwrap()));
        assert!(["short", "long"].contains(&rule["lifetime"].as_str().unwrap()));
    }
    let ids: std::collections::HashSet<&str> =
        rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), rules.len(), "ids are unique");
}

#[test]
fn list_table_names_rules() {
    keyaudit()
        .args(["rules", "list"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("github-classic-pat"));
}

#[test]
fn check_passes_on_builtin_rules() {
    keyaudit()
        .args(["rules", "check"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("rules ok"));
}

#[test]
fn user_rules_are_checked_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acme.toml");
    fs::write(&file, USER_RULE).unwrap();
    keyaudit()
        .args(["rules", "check", "--rules"])
        .arg(&file)
        .assert()
        .code(0);
    let tree = dir.path().join("tree");
    fs::create_dir(&tree).unwrap();
    fs::write(
        tree.join("ci.env"),
        "ACME_TOKEN=acme_z7x3c9v1b5n8m2k4j6h0\n",
    )
    .unwrap();
    let output = keyaudit()
        .args(["scan", "--no-builtin-rules", "--format", "json", "--rules"])
        .arg(&file)
        .arg(&tree)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["keys"][0]["rule"], "acme-deploy-token");
    assert_eq!(report["keys"][0]["locations"][0]["variable"], "ACME_TOKEN");
}

#[test]
fn failing_example_exits_two_naming_file_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acme.toml");
    fs::write(
        &file,
        USER_RULE.replace("acme_short", "acme_a9s8d7f6g5h4j3k2l1z0"),
    )
    .unwrap();
    keyaudit()
        .args(["rules", "check", "--rules"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "acme.toml:3: rule `acme-deploy-token`: negative example 1 yields a key",
        ));
}

#[test]
fn malformed_rule_file_exits_two_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    fs::write(
        &file,
        USER_RULE.replace("kind = \"token\"", "kind = \"token\"\nshape = 3"),
    )
    .unwrap();
    for args in [vec!["rules", "check"], vec!["scan", "fixtures/clean"]] {
        keyaudit()
            .args(&args)
            .arg("--rules")
            .arg(&file)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "broken.toml:7:1: unknown field `shape`",
            ));
    }
}

#[test]
fn no_builtin_rules_needs_rules() {
    keyaudit()
        .args(["scan", "--no-builtin-rules", "fixtures/basic"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--rules"));
}
