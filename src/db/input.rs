//! The JSON reports `db ingest` reads: a minimal serde model of the fields the database keeps,
//! tolerant of every other field (reports grow), strict about what makes a report keyaudit's.
//! It never holds a secret value: a report made with `--show-secrets` has `secret` fields, and
//! this model has no place for them, so they are dropped while parsing.
//!
//! `merge` has its own reader of JSON reports; this one is the database's own until the
//! two are unified.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::DbError;

/// The report format versions this reader understands.
const REPORT_VERSION: u64 = 1;

/// A report as read from disk: only what the database records.
#[derive(Debug, Deserialize)]
struct RawReport {
    version: u64,
    tool: RawTool,
    scan: RawScan,
    keys: Vec<RawKey>,
    #[serde(default)]
    summary: Option<RawSummary>,
    #[serde(default)]
    generated_at: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawTool {
    name: String,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawScan {
    #[serde(default)]
    roots: Vec<String>,
    /// The identities of what the run covered (`docs/reference/db.md`); absent in older reports.
    #[serde(default)]
    scopes: Option<Vec<String>>,
    /// Many-repository runs (`--repos`): each repository, as a name or an object naming it.
    #[serde(default)]
    repos: Option<Vec<Value>>,
    #[serde(default)]
    shard: Option<String>,
    #[serde(default)]
    errors: Vec<Value>,
    #[serde(default)]
    complete: Option<bool>,
    #[serde(default)]
    salt_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawSummary {
    #[serde(default)]
    complete: Option<bool>,
    #[serde(default)]
    flagged: Option<serde_json::Map<String, Value>>,
}

#[derive(Debug, Deserialize)]
struct RawKey {
    fingerprint: String,
    rule: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    privilege: String,
    #[serde(default)]
    redacted: String,
    /// Absent in scan reports, null for an unknown key in audit reports.
    #[serde(default, deserialize_with = "present")]
    declared_as: Option<Option<String>>,
    #[serde(default)]
    locations: Vec<RawLocation>,
}

#[derive(Debug, Deserialize)]
struct RawLocation {
    #[serde(default)]
    source: String,
    #[serde(default)]
    repo: Option<String>,
    path: String,
    #[serde(default)]
    line: u64,
    #[serde(default)]
    column: u64,
    #[serde(default)]
    commit: Option<String>,
}

/// Tells a field that is present (even as null) from one that is absent.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Counts per audit class, from an audit report's `summary.flagged`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassCounts {
    /// Keys no manifest entry declares.
    pub unknown: u64,
    /// Keys past rotation or expiry, or revoked yet present.
    pub stale: u64,
    /// Keys with more power than declared, or where they must not be.
    pub over_privileged: u64,
    /// Declared keys found nowhere.
    pub unused: u64,
}

/// One place a key was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// `file`, `git`, `staged` or `stdin`.
    pub source: String,
    /// The repository, in many-repository runs.
    pub repo: Option<String>,
    /// Path relative to the root or repository.
    pub path: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
    /// The commit, for history.
    pub commit: Option<String>,
}

/// One key of a report, without any secret.
#[derive(Debug, Clone)]
pub struct ReportKey {
    /// `hmac-sha256:…`.
    pub fingerprint: String,
    /// Rule id.
    pub rule: String,
    /// Provider.
    pub provider: String,
    /// Kind of secret.
    pub kind: String,
    /// Privilege tier.
    pub privilege: String,
    /// A hint safe to print.
    pub redacted: String,
    /// `Some` in audit reports (the manifest id, or `None` for an unknown key).
    pub declared_as: Option<Option<String>>,
    /// Every place it appears.
    pub sightings: Vec<Sighting>,
}

/// A validated report, ready to be recorded as a run.
#[derive(Debug, Clone)]
pub struct Run {
    /// `sha256:` + hex digest of the report's content (canonical JSON, secrets left out).
    pub digest: String,
    /// When the report was made.
    pub generated_at: Timestamp,
    /// The keyaudit version that made it.
    pub tool_version: String,
    /// The fingerprint key's id.
    pub salt_id: String,
    /// Whether every input was read.
    pub complete: bool,
    /// `"I/N"` for a shard of a many-repository run.
    pub shard: Option<String>,
    /// What the run covered: `scan.scopes` (repository names and root identities), else, in
    /// reports made before it, the repositories or the literal roots.
    pub scope: Vec<String>,
    /// Per audit class, for audit reports.
    pub classes: Option<ClassCounts>,
    /// The inventory.
    pub keys: Vec<ReportKey>,
}

impl Run {
    /// Locations over all keys.
    pub fn locations(&self) -> usize {
        self.keys.iter().map(|k| k.sightings.len()).sum()
    }
}

/// Reads and validates the report at `path`.
pub fn read_report(path: &Path) -> Result<Run, DbError> {
    let bytes = std::fs::read(path).map_err(|cause| DbError::Io {
        path: path.to_path_buf(),
        cause,
    })?;
    parse_report(path, &bytes)
}

/// Validates `bytes` as a keyaudit JSON report. Error messages never quote the report's
/// content (a value in the wrong place may be a secret): they give the place and the problem.
pub fn parse_report(path: &Path, bytes: &[u8]) -> Result<Run, DbError> {
    let bad = |message: String| DbError::Report {
        path: path.to_path_buf(),
        message,
    };
    let raw: RawReport = serde_json::from_slice(bytes).map_err(|e| json_problem(path, &e))?;
    if raw.tool.name != "keyaudit" {
        return Err(bad(format!(
            "not a keyaudit report (tool.name is {})",
            crate::error::shown(&raw.tool.name)
        )));
    }
    if raw.version != REPORT_VERSION {
        return Err(bad(format!(
            "report format version {} is not supported (expected {REPORT_VERSION})",
            raw.version
        )));
    }
    let salt_id = raw
        .scan
        .salt_id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("no scan.salt_id: made by a keyaudit too old for `db`".into()))?;
    let generated_at = raw
        .generated_at
        .as_deref()
        .ok_or_else(|| bad("no generated_at".into()))?
        .parse::<Timestamp>()
        .map_err(|_| bad("generated_at is not an RFC 3339 time".into()))?;
    let value: Value = serde_json::from_slice(bytes).map_err(|e| json_problem(path, &e))?;
    let digest = digest_of(&value);
    let complete = raw
        .summary
        .as_ref()
        .and_then(|s| s.complete)
        .or(raw.scan.complete)
        .unwrap_or(raw.scan.errors.is_empty());
    let classes = raw
        .summary
        .as_ref()
        .and_then(|s| s.flagged.as_ref())
        .map(|f| {
            let count = |name: &str| f.get(name).and_then(Value::as_u64).unwrap_or(0);
            ClassCounts {
                unknown: count("unknown"),
                stale: count("stale"),
                over_privileged: count("over-privileged"),
                unused: count("unused"),
            }
        });
    // Identities, not literal roots: `.` in two unrelated directories is two scopes.
    let mut scope: Vec<String> = match (&raw.scan.scopes, &raw.scan.repos) {
        (Some(scopes), _) => scopes.clone(),
        (None, Some(repos)) => repos.iter().filter_map(repo_name).collect(),
        (None, None) => raw.scan.roots.clone(),
    };
    // A location naming a repository the list left out still belongs to the run's scope.
    for key in &raw.keys {
        for location in &key.locations {
            if let Some(repo) = &location.repo {
                if raw.scan.repos.is_some() && !scope.contains(repo) {
                    scope.push(repo.clone());
                }
            }
        }
    }
    scope.sort();
    scope.dedup();
    let keys = raw
        .keys
        .into_iter()
        .map(|k| {
            if !k.fingerprint.starts_with("hmac-sha256:") {
                return Err(bad(format!(
                    "a key's fingerprint {} is not hmac-sha256:…",
                    crate::error::shown(&k.fingerprint)
                )));
            }
            Ok(ReportKey {
                fingerprint: k.fingerprint,
                rule: k.rule,
                provider: k.provider,
                kind: k.kind,
                privilege: k.privilege,
                redacted: k.redacted,
                declared_as: k.declared_as,
                sightings: k
                    .locations
                    .into_iter()
                    .map(|l| Sighting {
                        source: l.source,
                        repo: l.repo,
                        path: l.path,
                        line: l.line,
                        column: l.column,
                        commit: l.commit,
                    })
                    .collect(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Run {
        digest,
        generated_at,
        tool_version: raw.tool.version.unwrap_or_default(),
        salt_id,
        complete,
        shard: raw.scan.shard,
        scope,
        classes,
        keys,
    })
}

/// The name of an entry of `scan.repos`: a string, or an object's `name` (else `repo`).
fn repo_name(entry: &Value) -> Option<String> {
    match entry {
        Value::String(name) => Some(name.clone()),
        Value::Object(map) => map
            .get("name")
            .or_else(|| map.get("repo"))
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    }
}

/// A one-line description of why `bytes` is no report, with line and column; never the
/// offending value (serde's messages quote it).
fn json_problem(path: &Path, err: &serde_json::Error) -> DbError {
    use serde_json::error::Category;
    let what = match err.classify() {
        Category::Eof => "truncated JSON (unexpected end of data)".to_string(),
        Category::Syntax => "malformed JSON".to_string(),
        Category::Io => "unreadable".to_string(),
        Category::Data => {
            let text = err.to_string();
            match text.strip_prefix("missing field ") {
                Some(rest) => format!(
                    "not a keyaudit JSON report: missing field {}",
                    rest.split(' ').next().unwrap_or_default()
                ),
                None => "not a keyaudit JSON report: a field has the wrong type".to_string(),
            }
        }
    };
    DbError::ReportAt {
        path: PathBuf::from(path),
        line: err.line(),
        column: err.column(),
        message: what,
    }
}

/// SHA-256 of the report in a canonical form (object members sorted, no whitespace, any
/// `secret` member left out), so a reformatted copy of a report is the same run.
fn digest_of(value: &Value) -> String {
    let mut hasher = Sha256::new();
    feed(&mut hasher, value);
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

fn feed(hasher: &mut Sha256, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut names: Vec<&String> = map.keys().filter(|k| *k != "secret").collect();
            names.sort();
            hasher.update(b"{");
            for (i, name) in names.into_iter().enumerate() {
                if i > 0 {
                    hasher.update(b",");
                }
                feed(hasher, &Value::String(name.clone()));
                hasher.update(b":");
                feed(hasher, &map[name]);
            }
            hasher.update(b"}");
        }
        Value::Array(items) => {
            hasher.update(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    hasher.update(b",");
                }
                feed(hasher, item);
            }
            hasher.update(b"]");
        }
        scalar => hasher.update(scalar.to_string().as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(extra_key_field: &str) -> String {
        format!(
            r#"{{"version":1,"tool":{{"name":"keyaudit","version":"0.1.0"}},
            "scan":{{"roots":["."],"errors":[],"salt_id":"00112233aabbccdd","future":1}},
            "keys":[{{"fingerprint":"hmac-sha256:00","rule":"r","provider":"P","kind":"token",
              "privilege":"full","redacted":"ab…c"{extra_key_field},
              "locations":[{{"source":"file","path":"a","line":3,"column":1}}]}}],
            "summary":{{"complete":true}},"generated_at":"2026-01-02T03:04:05.678Z"}}"#
        )
    }

    #[test]
    fn unknown_fields_are_tolerated_and_secrets_dropped() {
        let run = parse_report(
            Path::new("r.json"),
            report(r#","secret":"sk_canary""#).as_bytes(),
        )
        .unwrap();
        assert_eq!(run.keys.len(), 1);
        assert_eq!(run.scope, vec!["."]);
        assert!(run.complete);
        assert!(!format!("{run:?}").contains("sk_canary"));
        assert_eq!(run.keys[0].declared_as, None);
    }

    #[test]
    fn digest_ignores_layout_and_secrets_but_not_content() {
        let plain = parse_report(Path::new("a"), report("").as_bytes()).unwrap();
        let secret = report(r#","secret":"x""#);
        let with_secret = parse_report(Path::new("a"), secret.as_bytes()).unwrap();
        let value: Value = serde_json::from_str(&report("")).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let reformatted = parse_report(Path::new("a"), pretty.as_bytes()).unwrap();
        assert_eq!(plain.digest, with_secret.digest);
        assert_eq!(plain.digest, reformatted.digest);
        let other = report(r#","declared_as":null"#);
        let other = parse_report(Path::new("a"), other.as_bytes()).unwrap();
        assert_ne!(plain.digest, other.digest);
        assert_eq!(other.keys[0].declared_as, Some(None));
    }

    #[test]
    fn foreign_and_truncated_reports_are_refused_without_quoting_values() {
        let text = report("");
        let cut = &text[..text.len() / 2];
        let err = parse_report(Path::new("cut.json"), cut.as_bytes()).unwrap_err();
        assert!(err.to_string().starts_with("cut.json:"), "{err}");
        assert!(err.to_string().contains("truncated"), "{err}");
        let foreign = text.replace("\"keyaudit\"", "\"gitleaks\"");
        let err = parse_report(Path::new("f.json"), foreign.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("not a keyaudit report"), "{err}");
        let wrong_type = text.replace("\"line\":3", "\"line\":\"sk_canary\"");
        let err = parse_report(Path::new("w.json"), wrong_type.as_bytes()).unwrap_err();
        assert!(!err.to_string().contains("sk_canary"), "{err}");
        let err = parse_report(Path::new("e.json"), b"[]").unwrap_err();
        assert!(err.to_string().starts_with("e.json:1:"), "{err}");
    }

    #[test]
    fn scopes_are_the_reported_identities_else_the_literal_roots() {
        let text = report("").replace(
            r#""future":1"#,
            r#""scopes":["path:/b","origin:https://host/x.git"]"#,
        );
        let run = parse_report(Path::new("r"), text.as_bytes()).unwrap();
        assert_eq!(run.scope, vec!["origin:https://host/x.git", "path:/b"]);
        // An older report has no scopes: its roots stand in, as they did.
        let run = parse_report(Path::new("r"), report("").as_bytes()).unwrap();
        assert_eq!(run.scope, vec!["."]);
    }

    #[test]
    fn repository_runs_are_scoped_by_repository() {
        let text = report("")
            .replace(r#""future":1"#, r#""repos":[{"name":"api"},"web"]"#)
            .replace(r#""path":"a""#, r#""repo":"api","path":"a""#);
        let run = parse_report(Path::new("r"), text.as_bytes()).unwrap();
        assert_eq!(run.scope, vec!["api", "web"]);
        assert_eq!(run.keys[0].sightings[0].repo.as_deref(), Some("api"));
    }
}
