//! `keyaudit rules list` and `keyaudit rules check`, built-in and user rule files.

use std::fs;

use crate::common::{assert_exit, keyaudit};

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
    // 355 rules shipped when this floor was set: the catalog may grow, never shrink.
    assert!(rules.len() >= 355, "only {} rules", rules.len());
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

const GITLEAKS_CONFIG: &str = r#"
title = "team rules"

[allowlist]
description = "third-party code"
paths = ['''third_party/''']

[[rules]]
id = "acme-service-token"
description = "ACME service token"
regex = '''acme_svc_([a-z0-9]{24})'''
secretGroup = 1
entropy = 3.0
keywords = ["acme_svc_"]

  [[rules.allowlists]]
  stopwords = ["sandbox"]

[[rules]]
id = "internal-db-password"
description = "Internal DB password"
regex = '''(?i)INTERNAL_DB_PASS\s*=\s*"([^"]{8,})"'''
keywords = ["internal_db_pass"]
path = '''\.conf$'''

  [[rules.allowlists]]
  regexTarget = "line"
  regexes = ['''#\s*fake''']

[[rules]]
id = "pkcs12-file"
description = "PKCS#12 file"
path = '''\.p12$'''
"#;

#[test]
fn gitleaks_configs_are_imported_with_their_allowlists() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gitleaks.toml");
    fs::write(&config, GITLEAKS_CONFIG).unwrap();
    let tree = dir.path().join("tree");
    fs::create_dir_all(tree.join("third_party")).unwrap();
    let files = [
        ("a.env", "TOKEN=acme_svc_q8w2e7r4t1y9u3i6o0p5a2s4\n"),
        ("b.env", "TOKEN=acme_svc_sandboxq2w9e4r1t6y3u8i5\n"),
        (
            "third_party/c.env",
            "TOKEN=acme_svc_z7x3c9v1b5n8m2k4j6h0g1f5\n",
        ),
        ("db.conf", "INTERNAL_DB_PASS = \"Hx7!q2w9e4r1\"\n"),
        ("db.env", "INTERNAL_DB_PASS = \"Hx7!q2w9e4r1\"\n"),
        (
            "db2.conf",
            "INTERNAL_DB_PASS = \"Zq8!rT2mW9xL\" # fake, for docs\n",
        ),
    ];
    for (name, text) in files {
        fs::write(tree.join(name), text).unwrap();
    }
    let output = keyaudit()
        .args([
            "scan",
            "--no-manifest",
            "--no-builtin-rules",
            "--show-secrets",
            "--format",
            "json",
            "--rules",
        ])
        .arg(&config)
        .arg(&tree)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut found: Vec<(String, String, String)> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["rule"].as_str().unwrap().to_string(),
                k["locations"][0]["path"].as_str().unwrap().to_string(),
                k["secret"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "acme-service-token".into(),
                "a.env".into(),
                "q8w2e7r4t1y9u3i6o0p5a2s4".into()
            ),
            (
                "internal-db-password".into(),
                "db.conf".into(),
                "Hx7!q2w9e4r1".into()
            ),
        ]
    );

    let check = keyaudit()
        .args(["rules", "check", "--no-builtin-rules", "--rules"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0));
    let warnings = String::from_utf8(check.stderr).unwrap();
    assert!(
        warnings.contains("rule `acme-service-token`: imported without examples"),
        "{warnings}"
    );
    assert!(
        warnings.contains("rule `pkcs12-file`: skipped: a path-only rule matches files, not keys"),
        "{warnings}"
    );
    // Each rule is named at the line of its id.
    assert!(
        warnings.contains("gitleaks.toml:31: rule `pkcs12-file`")
            && warnings.contains("gitleaks.toml:9: rule `acme-service-token`")
            && warnings.contains("gitleaks.toml:20: rule `internal-db-password`"),
        "{warnings}"
    );
}

#[test]
fn a_bad_gitleaks_regex_names_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gitleaks.toml");
    fs::write(
        &config,
        GITLEAKS_CONFIG.replace("([a-z0-9]{24})", "([a-z0-9]{24}"),
    )
    .unwrap();
    keyaudit()
        .args(["rules", "check", "--no-builtin-rules", "--rules"])
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "gitleaks.toml:9: rule `acme-service-token`: invalid pattern",
        ));
}
