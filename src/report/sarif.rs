//! The SARIF 2.1.0 view, as GitHub code scanning accepts it: one result per key location (per
//! flag, for `audit`, with that flag's reasons), rule descriptors with help text and a
//! `security-severity`, relative URIs with regions, and the key fingerprint in
//! `partialFingerprints`. A location found only in a commit is never given a region: it names
//! its commit instead (`docs/reference/cli.md`). No message holds a secret unless `--show-secrets` put
//! one in the report, and even then messages use the hint.

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::{KeyEntry, Report, HISTORY_ONLY};
use crate::inventory::Location;
use crate::manifest::AuditClass;
use crate::rules::Tier;
use crate::source::SourceKind;

/// `security-severity` (0 to 10) of a privilege tier.
fn tier_severity(tier: Tier) -> f64 {
    match tier {
        Tier::Admin => 9.5,
        Tier::Full => 8.5,
        Tier::Scoped => 6.5,
        Tier::Read => 4.0,
        Tier::Public => 2.0,
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

/// Where one result is placed.
#[derive(Debug, Clone, Copy)]
enum Place<'a> {
    /// A working-tree, staged or standard-input location: a line of the file as scanned now.
    Now(&'a Location),
    /// A location found only in a commit: its line is that commit's, which today's file may
    /// not have, or have holding something else.
    Commit(&'a Location),
}

/// The places of `key`'s results, in location order. A history location at the path and line
/// of one of the key's working-tree locations is that same place (the key in the tree and in
/// HEAD), so it is folded into it rather than reported twice.
fn places(key: &KeyEntry) -> Vec<Place<'_>> {
    let now: Vec<&Location> = key
        .locations
        .iter()
        .filter(|l| l.source != SourceKind::Git)
        .collect();
    key.locations
        .iter()
        .filter_map(|l| {
            if l.source != SourceKind::Git {
                Some(Place::Now(l))
            } else if now
                .iter()
                .any(|n| n.repo == l.repo && n.path == l.path && n.line == l.line)
            {
                None
            } else {
                Some(Place::Commit(l))
            }
        })
        .collect()
}

impl Place<'_> {
    /// The result's location. A commit's location keeps its file but no region: GitHub code
    /// scanning shows a result only with a physical location (a logical one alone is not
    /// placed in the code), and reads one without a region as an alert on the whole file
    /// (codeql-action fingerprints it from line 1, "the alert pertains to the entire file"),
    /// whereas a region would put the alert on a line of today's file that holds something
    /// else or does not exist. The commit and its line go in the message and `properties`.
    fn sarif(self) -> Value {
        match self {
            Place::Now(l) => location(&l.path, l.line, l.column),
            Place::Commit(l) => json!({
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(&l.path), "uriBaseId": "%SRCROOT%"},
                },
                "message": {"text": self.note().unwrap_or_default()},
            }),
        }
    }

    /// What a commit's location adds to a message: the commit, and the line there.
    fn note(self) -> Option<String> {
        match self {
            Place::Now(_) => None,
            Place::Commit(l) => Some(format!(
                "in commit {} at {}:{} (a line of that commit, not of today's file)",
                l.commit.as_deref().unwrap_or("unknown"),
                l.path,
                l.line
            )),
        }
    }

    /// `properties` of a result at this place; a commit's location names the commit.
    fn properties(self, key: &KeyEntry) -> Map<String, Value> {
        let mut properties = Map::new();
        properties.insert("privilege".into(), json!(key.privilege));
        properties.insert("inCurrentTree".into(), json!(key.in_current_tree));
        if let Some(verification) = &key.verification {
            properties.insert("verification".into(), json!(verification));
        }
        if let Place::Commit(l) = self {
            properties.insert("commit".into(), json!(l.commit));
            properties.insert("historyOnly".into(), json!(true));
            properties.insert("commitLine".into(), json!(l.line));
            properties.insert("commitColumn".into(), json!(l.column));
        }
        properties
    }
}

/// A result's message: `lead` (what the key is), then `why` and, for a commit's location, where
/// it was.
fn message(key: &KeyEntry, lead: String, why: &str, place: Place<'_>) -> String {
    let mut text = lead;
    if !why.is_empty() {
        text.push_str(": ");
        text.push_str(why);
    }
    if let Some(note) = place.note() {
        text.push_str("; ");
        text.push_str(&note);
        if !key.in_current_tree {
            text.push_str("; ");
            text.push_str(HISTORY_ONLY);
        }
    }
    text
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
                let declared = audit
                    .declared_as
                    .as_deref()
                    .map_or_else(String::new, |d| format!(" (declared as {d})"));
                for class in &audit.flags {
                    let id = format!("keyaudit/{}", class.as_str());
                    let index = rule_index(&id, &|| json!({"id": id}), &mut rules);
                    // This class's reasons only: each class is its own result (and alert).
                    let (codes, reasons): (Vec<_>, Vec<&str>) =
                        audit.coded_reasons_of(*class).unzip();
                    let why = reasons.join("; ");
                    for place in places(key) {
                        let mut properties = place.properties(key);
                        properties.insert("reasons".into(), json!(reasons));
                        // The stable codes, in step with `reasons`: outside the message and
                        // the fingerprints, so alerts keep their identity.
                        properties.insert("reason_codes".into(), json!(codes));
                        results.push(json!({
                            "ruleId": id,
                            "ruleIndex": index,
                            "level": level(class_severity(*class)),
                            "message": {"text": message(key, format!("{}{declared}", describe(key)), &why, place)},
                            "locations": [place.sarif()],
                            "partialFingerprints": {"keyFingerprint/v1": key.fingerprint},
                            "properties": properties,
                        }));
                    }
                }
            }
            None => {
                let index = rule_index(&key.rule, &|| key_descriptor(key), &mut rules);
                for place in places(key) {
                    results.push(json!({
                        "ruleId": key.rule,
                        "ruleIndex": index,
                        "level": level(tier_severity(key.privilege)),
                        "message": {"text": message(key, describe(key), "", place)},
                        "locations": [place.sarif()],
                        "partialFingerprints": {"keyFingerprint/v1": key.fingerprint},
                        "properties": place.properties(key),
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
            "properties": {"reason_codes": [unused.reason_code]},
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
