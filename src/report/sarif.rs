//! The SARIF 2.1.0 view, as GitHub code scanning accepts it: one result per key location (per
//! flag, for `audit`), rule descriptors with help text and a `security-severity`, relative URIs
//! with regions, and the key fingerprint in `partialFingerprints`. No message holds a secret
//! unless `--show-secrets` put one in the report, and even then messages use the hint.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{KeyEntry, Report};
use crate::manifest::AuditClass;

/// `security-severity` (0 to 10) of a privilege tier.
fn tier_severity(tier: &str) -> f64 {
    match tier {
        "admin" => 9.5,
        "full" => 8.5,
        "scoped" => 6.5,
        "read" => 4.0,
        _ => 2.0,
    }
}

/// `security-severity` of an audit class.
fn class_severity(class: AuditClass) -> f64 {
    match class {
        AuditClass::Unknown => 8.0,
        AuditClass::OverPrivileged => 7.5,
        AuditClass::Stale => 6.0,
        AuditClass::Unused => 3.0,
    }
}

fn level(severity: f64) -> &'static str {
    if severity >= 7.0 {
        "error"
    } else if severity >= 4.0 {
        "warning"
    } else {
        "note"
    }
}

/// A relative URI reference for a report path.
fn uri(path: &str) -> String {
    path.replace('%', "%25")
        .replace(' ', "%20")
        .replace('#', "%23")
}

fn class_help(class: AuditClass) -> (&'static str, &'static str) {
    match class {
        AuditClass::Unknown => (
            "A key was found that the manifest does not declare.",
            "Declare it in keyaudit.toml (keyaudit manifest update) if it is expected; otherwise revoke it at its provider and remove it from the code and history.",
        ),
        AuditClass::Stale => (
            "A key is past rotation or expiry, revoked or compromised yet present, or unused too long.",
            "Rotate the key at its provider, update where it is used, and record the new rotation date in keyaudit.toml.",
        ),
        AuditClass::OverPrivileged => (
            "A key has more power than declared, or sits where it must not.",
            "Replace it with a key restricted to what its declared purpose needs, and keep it only in its declared locations.",
        ),
        AuditClass::Unused => (
            "A declared active key was found nowhere.",
            "If the key is no longer used, revoke it and mark it revoked in keyaudit.toml.",
        ),
    }
}

fn key_descriptor(key: &KeyEntry) -> Value {
    let severity = tier_severity(key.privilege);
    let mut help = format!(
        "{} ({} {}). Revoke or rotate it at the provider",
        key.rule_name, key.provider, key.kind
    );
    if let Some(rotate) = &key.rotate {
        help.push_str(&format!(": {rotate}"));
    }
    help.push_str(", then remove it from the code and its history.");
    json!({
        "id": key.rule,
        "name": key.rule,
        "shortDescription": {"text": key.rule_name},
        "fullDescription": {"text": format!("{} found by keyaudit rule {}.", key.rule_name, key.rule)},
        "help": {"text": help, "markdown": help},
        "defaultConfiguration": {"level": level(severity)},
        "properties": {
            "security-severity": format!("{severity:.1}"),
            "tags": ["security", "secret", key.kind],
        },
    })
}

fn location(path: &str, line: usize, column: usize) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(path), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": line.max(1), "startColumn": column.max(1)},
        }
    })
}

fn describe(key: &KeyEntry) -> String {
    format!(
        "{} `{}`: privilege {} ({}), environment {}",
        key.rule_name, key.redacted, key.privilege, key.privilege_evidence, key.environment
    )
}

/// Renders `report` as SARIF 2.1.0.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let audited = report.summary.flagged.is_some();
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_ids: Vec<String> = Vec::new();
    let mut results: Vec<Value> = Vec::new();
    let mut rule_index =
        |id: &str, descriptor: &dyn Fn() -> Value, rules: &mut Vec<Value>| match rule_ids
            .iter()
            .position(|r| r == id)
        {
            Some(at) => at,
            None => {
                rule_ids.push(id.to_string());
                rules.push(descriptor());
                rule_ids.len() - 1
            }
        };
    if audited {
        for class in AuditClass::ALL {
            let (short, help) = class_help(class);
            let id = format!("keyaudit/{}", class.as_str());
            let severity = class_severity(class);
            rule_index(
                &id,
                &|| {
                    json!({
                        "id": id,
                        "name": class.as_str(),
                        "shortDescription": {"text": short},
                        "help": {"text": help, "markdown": help},
                        "defaultConfiguration": {"level": level(severity)},
                        "properties": {"security-severity": format!("{severity:.1}"), "tags": ["security", "secret"]},
                    })
                },
                &mut rules,
            );
        }
    }
    for key in &report.keys {
        match &key.audit {
            Some(audit) => {
                for class in &audit.flags {
                    let id = format!("keyaudit/{}", class.as_str());
                    let index = rule_index(&id, &|| json!({"id": id}), &mut rules);
                    let why = audit.reasons.join("; ");
                    let declared = audit
                        .declared_as
                        .as_deref()
                        .map_or_else(String::new, |d| format!(" (declared as {d})"));
                    for l in &key.locations {
                        results.push(json!({
                            "ruleId": id,
                            "ruleIndex": index,
                            "level": level(class_severity(*class)),
                            "message": {"text": format!("{}{declared}: {why}", describe(key))},
                            "locations": [location(&l.path, l.line, l.column)],
                            "partialFingerprints": {"keyFingerprint/v1": key.fingerprint},
                            "properties": {"privilege": key.privilege, "commit": l.commit},
                        }));
                    }
                }
            }
            None => {
                let index = rule_index(&key.rule, &|| key_descriptor(key), &mut rules);
                for l in &key.locations {
                    results.push(json!({
                        "ruleId": key.rule,
                        "ruleIndex": index,
                        "level": level(tier_severity(key.privilege)),
                        "message": {"text": describe(key)},
                        "locations": [location(&l.path, l.line, l.column)],
                        "partialFingerprints": {"keyFingerprint/v1": key.fingerprint},
                        "properties": {"privilege": key.privilege, "commit": l.commit},
                    }));
                }
            }
        }
    }
    let manifest = report
        .summary
        .manifest
        .clone()
        .unwrap_or_else(|| "keyaudit.toml".into());
    for unused in &report.unused {
        let id = "keyaudit/unused".to_string();
        let index = rule_index(&id, &|| json!({"id": id}), &mut rules);
        results.push(json!({
            "ruleId": id,
            "ruleIndex": index,
            "level": level(class_severity(AuditClass::Unused)),
            "message": {"text": format!("Declared key {} was found nowhere: {}", unused.id, unused.reason)},
            "locations": [location(&manifest, 1, 1)],
            "partialFingerprints": {"declaredKey/v1": unused.id},
        }));
    }
    // Input that could not be read: the run is incomplete, and says where.
    let notifications: Vec<Value> = report
        .scan
        .errors
        .iter()
        .map(|e| json!({"level": "error", "message": {"text": format!("{}: {}", e.path, e.message)}}))
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "keyaudit",
                "version": report.tool.version,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": report.summary.complete,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}
