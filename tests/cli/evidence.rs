//! Evidence from central stores and logs (`docs/reference/evidence.md`): fixtures/evidence holds a
//! tree of fake keys, a manifest linking each to a store entry or key id, and one export per
//! tool in exports/, each shaped as the tool emits it. Every stale and over-privileged cause
//! evidence can show has a key here; the audit runs as of 2026-11-23.

use std::path::Path;

use serde_json::Value;

use crate::common::{assert_exit, keyaudit};

const EXPORTS: &[&str] = &[
    "list-secrets.json",
    "cloudtrail.json",
    "gcloud-secrets.json",
    "az-keyvault-secrets.json",
    "vault-kv-metadata.json",
    "vault-token-lookup.json",
];

/// `audit TREE --now 2026-11-23 --format FORMAT` with every export and `extra`; returns
/// (exit code, stdout, stderr).
fn audit_in(tree: &Path, format: &str, extra: &[&str]) -> (i32, String, String) {
    let exports = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/evidence/exports");
    let mut cmd = keyaudit();
    cmd.arg("audit")
        .arg(tree)
        .args(["--now", "2026-11-23", "--format", format]);
    for export in EXPORTS {
        cmd.arg("--evidence").arg(exports.join(export));
    }
    let output = cmd.args(extra).output().expect("runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The JSON audit of the fixture with every export.
fn report(extra: &[&str]) -> Value {
    let (code, stdout, stderr) = audit_in(Path::new("fixtures/evidence"), "json", extra);
    assert_eq!(code, 1, "stderr: {stderr}");
    serde_json::from_str(&stdout).expect("JSON")
}

/// The key declared as `id`, with its audit verdict (flattened into the key).
fn verdict<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["declared_as"] == id)
        .unwrap_or_else(|| panic!("no key declared as {id}"))
}

/// (flags, reasons) of the key declared as `id`.
fn flags_and_reasons(report: &Value, id: &str) -> (Vec<String>, Vec<String>) {
    let audit = verdict(report, id);
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    (strings(&audit["flags"]), strings(&audit["reasons"]))
}

/// A copy of the fixture tree whose manifest gets `extra_policy` under [policy].
fn fixture_copy(extra_policy: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["app", "deploy"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }
    for file in ["app/.env", "deploy/external-secret.yaml"] {
        std::fs::copy(
            Path::new("fixtures/evidence").join(file),
            dir.path().join(file),
        )
        .unwrap();
    }
    let manifest = std::fs::read_to_string("fixtures/evidence/keyaudit.toml").unwrap();
    let manifest = manifest.replace("[policy]\n", &format!("[policy]\n{extra_policy}"));
    std::fs::write(dir.path().join("keyaudit.toml"), manifest).unwrap();
    dir
}

#[test]
fn stale_when_the_store_says_the_last_rotation_is_older_than_max_age() {
    let (flags, reasons) = flags_and_reasons(&report(&[]), "stripe-prod");
    assert_eq!(flags, vec!["stale"]);
    assert!(reasons.contains(
        &"age 205 days since last rotated per aws secretsmanager list-secrets (list-secrets.json) 2026-05-01 exceeds max_age 90 days"
            .to_string()
    ));
}

#[test]
fn stale_when_rotation_is_off_and_the_policy_requires_it() {
    let reason =
        "automatic rotation is off per aws secretsmanager list-secrets (list-secrets.json), and [policy] require_rotation is set";
    let (_, reasons) = flags_and_reasons(&report(&[]), "stripe-prod");
    assert!(reasons.contains(&reason.to_string()), "{reasons:?}");
    // Without the policy, rotation being off is no fault by itself.
    let copy = fixture_copy("");
    let manifest = copy.path().join("keyaudit.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("require_rotation = true\n", "");
    std::fs::write(&manifest, text).unwrap();
    let (_, stdout, _) = audit_in(copy.path(), "json", &[]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let (_, reasons) = flags_and_reasons(&report, "stripe-prod");
    assert!(!reasons.contains(&reason.to_string()), "{reasons:?}");
}

#[test]
fn stale_when_the_store_entry_expired() {
    let (flags, reasons) = flags_and_reasons(&report(&[]), "db-password");
    assert!(flags.contains(&"stale".to_string()));
    assert!(reasons.contains(
        &"expired on 2026-11-01 (per gcloud secrets list (gcloud-secrets.json))".to_string()
    ));
}

#[test]
fn stale_when_the_store_entry_is_disabled() {
    let (flags, reasons) = flags_and_reasons(&report(&[]), "sendgrid");
    assert_eq!(flags, vec!["stale"]);
    assert_eq!(
        reasons,
        vec!["disabled per az keyvault secret list (az-keyvault-secrets.json), but still present"]
    );
}

#[test]
fn stale_when_the_store_entry_is_deleted_linked_by_path_or_as_the_only_vault_store() {
    let expected = vec!["deleted on 2026-11-10 per vault kv metadata get (vault-kv-metadata.json), but still present"];
    // Linked by elimination: the manifest declares one vault store; a note says so.
    let (code, stdout, stderr) = audit_in(Path::new("fixtures/evidence"), "json", &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("linked to vault:secret/app/slack"),
        "{stderr}"
    );
    let by_elimination: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(flags_and_reasons(&by_elimination, "slack-bot").1, expected);
    // Linked by the path given with the file.
    let output = keyaudit()
        .args([
            "audit",
            "fixtures/evidence",
            "--now",
            "2026-11-23",
            "--format",
            "json",
        ])
        .args([
            "--evidence",
            "vault:secret/data/app/slack=fixtures/evidence/exports/vault-kv-metadata.json",
        ])
        .output()
        .unwrap();
    let named: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(flags_and_reasons(&named, "slack-bot").1, expected);
}

#[test]
fn stale_when_the_last_use_is_older_than_unused_after() {
    let (flags, reasons) = flags_and_reasons(&report(&[]), "deploy-aws");
    assert_eq!(flags, vec!["stale"]);
    assert_eq!(
        reasons,
        vec![
            "last used 2026-06-01 (174 days ago) per CloudTrail events (cloudtrail.json): exceeds unused_after 90 days"
        ]
    );
}

#[test]
fn over_privileged_when_a_store_key_is_found_in_a_plain_file() {
    let (flags, reasons) = flags_and_reasons(&report(&[]), "db-password");
    assert!(flags.contains(&"over-privileged".to_string()));
    assert!(reasons.contains(
        &"declared to live in gcp-sm:projects/acme-prod/secrets/db-password, but found outside it: app/.env:3"
            .to_string()
    ));
}

#[test]
fn over_privileged_when_a_vault_token_holds_root() {
    let (flags, reasons) = flags_and_reasons(&report(&[]), "ci-vault-token");
    assert_eq!(flags, vec!["over-privileged"]);
    assert_eq!(
        reasons,
        vec!["holds Vault's root policy, beyond max_privilege full"]
    );
}

#[test]
fn over_privileged_when_require_expiry_finds_no_expiry() {
    let copy = fixture_copy("require_expiry = true\n");
    let (code, stdout, _) = audit_in(copy.path(), "json", &[]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    // The token lookup says ttl 0 and no expire_time: a token that never expires.
    let (flags, reasons) = flags_and_reasons(&report, "ci-vault-token");
    assert_eq!(flags, vec!["over-privileged"]);
    assert!(reasons.iter().any(|r| r.starts_with(
        "a long-lived HashiCorp Vault token with no expiry (declared, carried or in evidence)"
    )));
    // The GCP secret has an expiry in the store: not flagged for this.
    let (_, reasons) = flags_and_reasons(&report, "db-password");
    assert!(
        !reasons.iter().any(|r| r.contains("require_expiry")),
        "{reasons:?}"
    );
}

#[test]
fn a_key_the_store_keeps_fresh_is_clean_and_its_dates_name_their_export() {
    let report = report(&[]);
    let key = verdict(&report, "billing-stripe");
    assert_eq!(key["flags"], serde_json::json!([]));
    let evidence = &key["evidence"];
    assert_eq!(
        evidence["rotated"],
        serde_json::json!({"at": "2026-11-01T03:00:00Z", "source": "aws secretsmanager list-secrets (list-secrets.json)"})
    );
    assert_eq!(
        evidence["last_used"]["source"],
        "aws secretsmanager list-secrets (list-secrets.json)"
    );
    assert_eq!(evidence["next_rotation"]["at"], "2026-12-01T03:00:00Z");
    assert_eq!(evidence["rotation_period_days"]["value"], 30);
    assert_eq!(key["age_days"], 21, "since 2026-11-01T03:00");
}

#[test]
fn evidence_that_matches_no_key_is_reported_not_dropped() {
    let (_, stdout, stderr) = audit_in(Path::new("fixtures/evidence"), "json", &[]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["unmatched_evidence"],
        serde_json::json!([
            {"subject": "key id AKIAQX7ZMR3WNTV5LPKE", "sources": ["cloudtrail.json"]},
            {"subject": "aws-sm:prod/orphaned-token", "sources": ["list-secrets.json"]},
        ])
    );
    assert!(stderr.contains("evidence about 2 subjects matches no declared or found key"));
    let (_, table, _) = audit_in(Path::new("fixtures/evidence"), "table", &[]);
    assert!(table.contains(
        "evidence about aws-sm:prod/orphaned-token (list-secrets.json) matches no declared or found key"
    ));
}

#[test]
fn external_secrets_are_listed_as_centrally_managed_names() {
    let output = keyaudit()
        .args([
            "scan",
            "fixtures/evidence",
            "--no-manifest",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["managed"],
        serde_json::json!([{
            "path": "deploy/external-secret.yaml",
            "line": 3,
            "name": "slack-bot",
            "namespace": "chatops",
            "store": "vault-backend",
            "store_kind": "ClusterSecretStore",
            "target": "slack-bot-token",
            "refs": [{"secret_key": "token", "remote_key": "secret/app/slack", "property": "bot_token"}],
        }])
    );
}

#[test]
fn jsonl_events_carry_a_timestamp_and_log_fields() {
    let (_, stdout, _) = audit_in(Path::new("fixtures/evidence"), "jsonl", &[]);
    let events: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "key").count(), 8);
    assert_eq!(kinds.last(), Some(&"summary"));
    assert!(kinds.contains(&"managed") && kinds.contains(&"unmatched_evidence"));
    for event in &events {
        let timestamp = event["timestamp"].as_str().unwrap();
        assert!(
            timestamp.len() >= 20 && timestamp.ends_with('Z') && timestamp.contains('T'),
            "{timestamp}"
        );
        assert!(["info", "warning", "error"].contains(&event["level"].as_str().unwrap()));
        assert!(!event["message"].as_str().unwrap().is_empty());
        assert_eq!(event["tool"], "keyaudit");
    }
    let sendgrid = events
        .iter()
        .find(|e| e["declared_as"] == "sendgrid")
        .unwrap();
    assert_eq!(sendgrid["level"], "error");
    assert_eq!(sendgrid["message"], "SendGrid api-key at app/.env:4: stale");
}

/// Every export in the table the code reads them by is in `audit --help` (name and command)
/// and is a row of the table in the evidence reference.
#[test]
fn every_export_is_in_the_help_and_the_evidence_reference() {
    let output = keyaudit().args(["audit", "--help"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    // The help is wrapped to the terminal: compare it with its whitespace run together.
    let help = String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/reference/evidence.md"),
    )
    .unwrap();
    let rows: Vec<&str> = docs
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| export |"))
        .collect();
    assert!(keyaudit::evidence::EXPORTS.len() >= 14);
    for export in keyaudit::evidence::EXPORTS {
        let entry = format!(
            "- {} ({}, `{}`): {}",
            export.name,
            export.format.as_str(),
            export.command,
            export
                .proves
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(help.contains(&entry), "audit --help lacks {entry}");
        assert!(
            rows.iter()
                .any(|row| row.starts_with(&format!("| {} |", export.name))),
            "docs/reference/evidence.md has no row for {}",
            export.name
        );
    }
    // And nothing else: a row the table does not have is an export the code does not read.
    assert_eq!(rows.len(), keyaudit::evidence::EXPORTS.len(), "{rows:#?}");
}

#[test]
fn malformed_and_foreign_exports_are_errors_naming_the_file_and_the_expectation() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("broken.json", "{\"SecretList\": [", "broken.json:1:"),
        (
            "foreign.json",
            "{\"hello\": \"world\"}",
            "foreign.json:1:1: unrecognised evidence: expected one of AWS IAM credential report",
        ),
        (
            "shape.json",
            "{\"SecretList\": 7}",
            "expected `SecretList` to be an array of secrets (aws secretsmanager list-secrets)",
        ),
        (
            "gcp.json",
            "[{\"name\": \"projects/p/secrets/\"}]",
            "gcp.json:1:1: secret 1 has no `name` of the form projects/P/secrets/NAME",
        ),
        (
            "trail.json",
            "{\"Records\": [{\"eventName\": \"x\"}]}",
            "expected CloudTrail events with `eventTime`",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = keyaudit()
            .args(["audit", "fixtures/evidence", "--evidence"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    }
    // Vault KV metadata does not name its path: with two vault stores, the user must.
    let copy = fixture_copy("");
    let manifest = copy.path().join("keyaudit.toml");
    let text = std::fs::read_to_string(&manifest).unwrap()
        + "\n[[key]]\nid = \"other\"\nkey_id = \"k\"\nstore = \"vault:secret/other\"\n";
    std::fs::write(&manifest, text).unwrap();
    let output = keyaudit()
        .arg("audit")
        .arg(copy.path())
        .arg("--evidence")
        .arg("fixtures/evidence/exports/vault-kv-metadata.json")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("pass it as --evidence vault:PATH=FILE")
    );
}

#[test]
fn manifest_init_takes_creation_dates_from_evidence() {
    let copy = fixture_copy("");
    std::fs::remove_file(copy.path().join("keyaudit.toml")).unwrap();
    let output = keyaudit()
        .args(["manifest", "init", "--now", "2026-11-23"])
        .arg(copy.path())
        .args([
            "--evidence",
            "fixtures/evidence/exports/vault-token-lookup.json",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let manifest = std::fs::read_to_string(copy.path().join("keyaudit.toml")).unwrap();
    let vault_entry = manifest
        .split("[[key]]")
        .find(|entry| entry.contains("vault-service-token"))
        .unwrap();
    assert!(
        vault_entry.contains("created = 2026-11-01"),
        "{vault_entry}"
    );
    // Keys the evidence does not know are dated now.
    assert!(manifest.contains("created = 2026-11-23"));
}

#[test]
fn manifest_update_dates_the_keys_it_adds_from_evidence() {
    let copy = fixture_copy("");
    let manifest = copy.path().join("keyaudit.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    // Forget the Vault token's entry: update must add it back, dated by the token lookup.
    let start = text.find("# Over-privileged: the token lookup").unwrap();
    let end = start + text[start..].find("# Stale: CloudTrail").unwrap();
    let shortened = format!("{}{}", &text[..start], &text[end..]);
    std::fs::write(&manifest, &shortened).unwrap();
    let output = keyaudit()
        .args(["manifest", "update", "--now", "2026-11-23"])
        .arg(copy.path())
        .args([
            "--usage",
            "fixtures/evidence/exports/vault-token-lookup.json",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let updated = std::fs::read_to_string(&manifest).unwrap();
    assert!(updated.starts_with(&shortened), "existing bytes kept");
    let added = &updated[shortened.len()..];
    assert!(added.contains("rule = \"vault-service-token\""), "{added}");
    assert!(added.contains("created = 2026-11-01"), "{added}");
    assert_eq!(added.matches("[[key]]").count(), 1, "{added}");
}

// Google Cloud service-account keys, Entra client secrets and Key Vault data-plane
// logs. fixtures/evidence/cloud is a tree of its own (its parent's manifest excludes it), with
// one export per command in cloud/exports.

const CLOUD_EXPORTS: &[&str] = &[
    "gcloud-sa-keys.json",
    "gcloud-key-activity.json",
    "gcloud-audit-logs.json",
    "az-app-credentials.json",
    "entra-sign-ins.json",
    "kv-diagnostics.json",
];

/// The JSON audit of `tree` (the cloud fixture or a copy) with every cloud export.
fn cloud_report(tree: &Path) -> (Value, String) {
    let exports = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/evidence/cloud/exports");
    let mut cmd = keyaudit();
    cmd.arg("audit")
        .arg(tree)
        .args(["--now", "2026-11-23", "--format", "json"]);
    for export in CLOUD_EXPORTS {
        cmd.arg("--evidence").arg(exports.join(export));
    }
    let output = cmd.output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    (
        serde_json::from_slice(&output.stdout).expect("JSON"),
        stderr,
    )
}

/// A copy of the cloud fixture's keys and manifest, the manifest edited by `edit`.
fn cloud_copy(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new("fixtures/evidence/cloud");
    std::fs::create_dir(dir.path().join("app")).unwrap();
    for file in [
        "app/.env",
        "app/ci-service-account.json",
        "app/batch-service-account.json",
    ] {
        std::fs::copy(from.join(file), dir.path().join(file)).unwrap();
    }
    let manifest = std::fs::read_to_string(from.join("keyaudit.toml")).unwrap();
    std::fs::write(dir.path().join("keyaudit.toml"), edit(manifest)).unwrap();
    dir
}

const SA_KEYS: &str = "gcloud iam service-accounts keys list (gcloud-sa-keys.json)";

#[test]
fn a_service_account_key_is_stale_by_age_and_disuse_per_its_exports() {
    let (report, _) = cloud_report(Path::new("fixtures/evidence/cloud"));
    let (flags, reasons) = flags_and_reasons(&report, "sa-ci");
    assert_eq!(flags, vec!["stale"]);
    assert_eq!(
        reasons,
        vec![
            format!("age 996 days since created per {SA_KEYS} 2024-03-01 exceeds max_age 365 days"),
            "last used 2026-05-02 (204 days ago) per gcloud policy-intelligence query-activity (gcloud-key-activity.json): exceeds unused_after 90 days".to_string(),
        ]
    );
    let evidence = &verdict(&report, "sa-ci")["evidence"];
    assert_eq!(
        evidence["created"],
        serde_json::json!({"at": "2024-03-01T10:00:00Z", "source": SA_KEYS})
    );
    assert_eq!(
        evidence["never_expires"],
        serde_json::json!({"value": true, "source": SA_KEYS})
    );
    assert_eq!(evidence["user"], "ci@acme-prod.iam.gserviceaccount.com");
}

#[test]
fn a_service_account_key_that_never_expires_is_over_privileged_under_require_expiry() {
    let copy = cloud_copy(|m| m.replace("[policy]\n", "[policy]\nrequire_expiry = true\n"));
    let (report, _) = cloud_report(copy.path());
    let (flags, reasons) = flags_and_reasons(&report, "sa-ci");
    assert_eq!(flags, vec!["stale", "over-privileged"]);
    assert!(
        reasons.contains(&format!(
            "never expires per {SA_KEYS}, and [policy] require_expiry is set"
        )),
        "{reasons:?}"
    );
    // Keys with an end date in their export are not flagged for this.
    for id in ["sa-batch", "entra-ci", "entra-deploy"] {
        let (_, reasons) = flags_and_reasons(&report, id);
        assert!(
            !reasons.iter().any(|r| r.contains("require_expiry")),
            "{id}: {reasons:?}"
        );
    }
}

#[test]
fn a_disabled_or_expired_service_account_key_is_stale_and_audit_logs_date_its_use() {
    let (report, _) = cloud_report(Path::new("fixtures/evidence/cloud"));
    let (flags, reasons) = flags_and_reasons(&report, "sa-batch");
    assert_eq!(flags, vec!["stale"]);
    assert_eq!(
        reasons,
        vec![
            format!("expired on 2026-10-15 (per {SA_KEYS})"),
            format!("disabled per {SA_KEYS}, but still present"),
        ]
    );
    let evidence = &verdict(&report, "sa-batch")["evidence"];
    assert_eq!(
        evidence["last_used"],
        serde_json::json!({"at": "2026-11-20T09:15:00Z", "source": "gcloud logging read (gcloud-audit-logs.json)"})
    );
}

#[test]
fn an_entra_secret_whose_credential_ended_is_stale() {
    let (report, _) = cloud_report(Path::new("fixtures/evidence/cloud"));
    let (flags, reasons) = flags_and_reasons(&report, "entra-ci");
    assert_eq!(flags, vec!["stale"]);
    assert_eq!(
        reasons,
        vec!["expired on 2026-10-31 (per az ad app credential list (az-app-credentials.json))"]
    );
    let evidence = &verdict(&report, "entra-ci")["evidence"];
    assert_eq!(
        evidence["last_used"]["source"],
        "Entra sign-in logs (entra-sign-ins.json)"
    );
    assert_eq!(
        evidence["last_used"]["at"], "2026-10-30T06:00:00Z",
        "the later failed sign-in is no use"
    );
    assert!(evidence.get("hint").is_none(), "a hint is part of a secret");
}

#[test]
fn an_entra_hint_that_disagrees_is_a_warning_naming_both_ends_never_the_secret() {
    let (report, _) = cloud_report(Path::new("fixtures/evidence/cloud"));
    let key = verdict(&report, "entra-deploy");
    assert_eq!(key["flags"], serde_json::json!([]));
    assert_eq!(
        key["warnings"],
        serde_json::json!([
            "the hint of entra:3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9/0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d per az ad app credential list (az-app-credentials.json) does not match the first characters of the secret found at app/.env:3: another secret, or the credential was replaced"
        ])
    );
    let env = std::fs::read_to_string("fixtures/evidence/cloud/app/.env").unwrap();
    let secret = env
        .lines()
        .find_map(|l| l.strip_prefix("DEPLOY_CLIENT_SECRET="))
        .unwrap();
    let text = report.to_string();
    assert!(!text.contains(secret));
    let warning = key["warnings"][0].as_str().unwrap();
    assert!(
        !warning.contains(&secret[..3]),
        "not even its first characters"
    );
    assert!(!text.contains("Zz9"), "nor the credential's hint");
    // The secret whose hint agrees has no warning.
    assert_eq!(
        verdict(&report, "entra-ci")["warnings"],
        serde_json::json!([])
    );
}

#[test]
fn a_key_vault_password_last_fetched_long_ago_is_stale() {
    let (report, _) = cloud_report(Path::new("fixtures/evidence/cloud"));
    let (flags, reasons) = flags_and_reasons(&report, "orders-db");
    assert_eq!(flags, vec!["stale"]);
    assert_eq!(
        reasons,
        vec!["last used 2026-04-10 (226 days ago) per az monitor log-analytics query (kv-diagnostics.json): exceeds unused_after 90 days"]
    );
}

#[test]
fn cloud_evidence_naming_no_found_or_declared_key_is_unmatched() {
    let (report, stderr) = cloud_report(Path::new("fixtures/evidence/cloud"));
    assert_eq!(
        report["unmatched_evidence"],
        serde_json::json!([
            {"subject": "key id 2ee05d82245d9e36f2d40c91b868a1086269e4a8",
             "sources": ["gcloud-key-activity.json", "gcloud-sa-keys.json"]},
            {"subject": "azure-kv:acme-prod/payments-api", "sources": ["kv-diagnostics.json"]},
        ])
    );
    assert!(stderr.contains("evidence about 2 subjects matches no declared or found key"));
    assert_eq!(report["unused"], serde_json::json!([]));
}

#[test]
fn manifest_init_dates_service_account_keys_from_the_keys_list() {
    let copy = cloud_copy(|m| m);
    std::fs::remove_file(copy.path().join("keyaudit.toml")).unwrap();
    let output = keyaudit()
        .args(["manifest", "init", "--now", "2026-11-23"])
        .arg(copy.path())
        .args([
            "--evidence",
            "fixtures/evidence/cloud/exports/gcloud-sa-keys.json",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let manifest = std::fs::read_to_string(copy.path().join("keyaudit.toml")).unwrap();
    let entry = |key_id: &str| {
        manifest
            .split("[[key]]")
            .find(|e| e.contains(key_id))
            .unwrap_or_else(|| panic!("no entry for {key_id}: {manifest}"))
            .to_string()
    };
    let ci = entry("136cb94838da83a906263ec23d03dce95d736c64");
    assert!(ci.contains("created = 2024-03-01"), "{ci}");
    assert!(!ci.contains("expires"), "year 9999 is no expiry: {ci}");
    let batch = entry("4f3e0ef3ffbd50720ece384f9ec95ee991269d3e");
    assert!(batch.contains("created = 2026-09-01"), "{batch}");
    assert!(batch.contains("expires = 2026-10-15"), "{batch}");
}

#[test]
fn malformed_cloud_exports_are_one_line_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "keys.json",
            r#"[{"name": "projects/p/serviceAccounts/a/keys/", "validAfterTime": "2024-01-01T00:00:00Z"}]"#,
            "keys.json:1:1: key 1 has no `name` of the form projects/P/serviceAccounts/SA/keys/KEY_ID",
        ),
        (
            "activity.json",
            r#"[{"activity": {"lastAuthenticatedTime": "2026-01-01T00:00:00Z"}}]"#,
            "activity.json:1:1: activity 1 names no key",
        ),
        (
            "logs.json",
            r#"[{"logName": "projects/p/logs/x", "protoPayload": {}}]"#,
            "logs.json:1:1: expected Cloud Audit Logs entries with `timestamp`",
        ),
        (
            "creds.json",
            r#"[{"keyId": "not-a-guid", "endDateTime": "2027-01-01T00:00:00Z"}]"#,
            "creds.json:1:1: credential 1 has no `keyId` GUID",
        ),
        (
            "signins.json",
            r#"{"@odata.context": "x", "value": [{"appId": "a", "servicePrincipalCredentialKeyId": "k"}]}"#,
            "signins.json:1:1: expected Entra sign-ins with `createdDateTime`",
        ),
        (
            "kv.json",
            r#"[{"TimeGenerated": "2026-01-01T00:00:00Z", "OperationName": "SecretGet", "id_s": "nowhere"}]"#,
            "kv.json:1:1: row 1: a SecretGet without an `id_s`",
        ),
        (
            "broken.json",
            r#"[{"keyId": "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "hint": "#,
            "broken.json:1:",
        ),
        (
            "foreign.json",
            r#"[{"kind": "Pod"}]"#,
            "`gcloud iam service-accounts keys list --format=json`",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = keyaudit()
            .args(["audit", "fixtures/evidence/cloud", "--evidence"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    }
}

#[test]
fn a_malformed_entra_store_is_an_error_at_its_line() {
    let copy = cloud_copy(|m| m.replace("store = \"entra:3F2A1B0C", "store = \"entra:app-"));
    let output = keyaudit().arg("audit").arg(copy.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("keyaudit.toml:") && stderr.contains("entra:APP_ID/KEY_ID"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
