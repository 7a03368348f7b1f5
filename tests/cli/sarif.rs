//! SARIF reports validate against the OASIS SARIF 2.1.0 schema (kept in `tests/schemas/`) and
//! carry what GitHub code scanning needs.

use serde_json::Value;

use crate::common::keyaudit;

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
    assert_eq!(
        output.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("SARIF is JSON")
}

fn assert_valid(document: &Value) {
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
