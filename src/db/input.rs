//! What `db ingest` records of a JSON report: the one reader of reports
//! ([`crate::report::input`]) reads and validates it, and this turns the result into a [`Run`]
//! of the fields the database keeps. A [`Run`] never holds a secret value: a report made with
//! `--show-secrets` has `secret` fields, which the reader's report carries and this drops, as
//! no type here has a field that could hold one. The refusals of the reader are worded here as
//! `db` words them: the file, the line and column where serde gives them, the problem.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::error::Error;
use crate::incremental::HistoryRead;
use crate::report::input::{parse_report as read_report_json, Refusal, REPORT_VERSION};
use crate::report::KeyEntry;
use crate::rules::{Kind, Tier};
use crate::source::SourceKind;

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
    pub source: SourceKind,
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

/// What a run's verification (`--verify`) said of a key, as the database keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// `live`, `dead`, `unknown` or `error`.
    pub status: crate::verify::Status,
    /// When the provider was asked.
    pub checked_at: Timestamp,
    /// The host asked.
    pub endpoint: Option<String>,
    /// The account the provider named.
    pub identity: Option<String>,
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
    pub kind: Kind,
    /// Privilege tier.
    pub privilege: Tier,
    /// A hint safe to print.
    pub redacted: String,
    /// `Some` in audit reports (the manifest id, or `None` for an unknown key).
    pub declared_as: Option<Option<String>>,
    /// Every place it appears.
    pub sightings: Vec<Sighting>,
    /// What its provider said, in reports made with `--verify`.
    pub verification: Option<Checked>,
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
    /// How each repository's history was read, by scope (runs recorded with `--db`).
    pub history_reads: BTreeMap<String, HistoryRead>,
}

impl Run {
    /// Locations over all keys.
    pub fn locations(&self) -> usize {
        self.keys.iter().map(|k| k.sightings.len()).sum()
    }
}

/// Reads and validates the report at `path`.
pub fn read_report(path: &Path) -> Result<Run, Error> {
    let bytes = std::fs::read(path).map_err(|cause| Error::Io {
        path: path.to_path_buf(),
        cause,
    })?;
    parse_report(path, &bytes)
}

/// Validates `bytes` as a keyaudit JSON report. Error messages never quote the report's
/// content (a value in the wrong place may be a secret): they give the place and the problem.
pub fn parse_report(path: &Path, bytes: &[u8]) -> Result<Run, Error> {
    let bad = |message: String| Error::Report {
        path: path.to_path_buf(),
        message,
    };
    let read = read_report_json(bytes).map_err(|refusal| refused(path, refusal))?;
    let report = read.report;
    let salt_id = report.scan.salt_id;
    if salt_id.is_empty() {
        return Err(bad(no_salt_id()));
    }
    let generated_at = read
        .generated_at
        .as_deref()
        .ok_or_else(|| bad("no generated_at".into()))?
        .parse::<Timestamp>()
        .map_err(|_| bad("generated_at is not an RFC 3339 time".into()))?;
    let classes = report.summary.flagged.as_ref().map(|f| {
        let count = |name: &str| f.get(name).map_or(0, |n| *n as u64);
        ClassCounts {
            unknown: count("unknown"),
            stale: count("stale"),
            over_privileged: count("over-privileged"),
            unused: count("unused"),
        }
    });
    // Identities, not literal roots: `.` in two unrelated directories is two scopes.
    let mut scope = report.scan.scopes;
    // A location naming a repository the list left out still belongs to the run's scope.
    if report.scan.repos.is_some() {
        for key in &report.keys {
            for location in &key.locations {
                if let Some(repo) = &location.repo {
                    if !scope.contains(repo) {
                        scope.push(repo.clone());
                    }
                }
            }
        }
    }
    let history_reads = report.scan.incremental.unwrap_or_default();
    // What a run read of a repository's history is part of what it covered.
    scope.extend(history_reads.keys().cloned());
    scope.sort();
    scope.dedup();
    Ok(Run {
        digest: read.digest,
        generated_at,
        tool_version: read.tool_version.unwrap_or_default(),
        salt_id,
        complete: report.summary.complete,
        shard: report.scan.shard,
        scope,
        classes,
        keys: report.keys.into_iter().map(report_key).collect(),
        history_reads,
    })
}

/// What the database keeps of a key: its `secret`, if the report has one, goes no further.
fn report_key(key: KeyEntry) -> ReportKey {
    ReportKey {
        fingerprint: key.fingerprint,
        rule: key.rule,
        provider: key.provider,
        kind: key.kind,
        privilege: key.privilege,
        redacted: key.redacted,
        declared_as: key.audit.map(|a| a.declared_as),
        verification: key.verification.map(|v| Checked {
            status: v.status,
            checked_at: v.checked_at,
            endpoint: v.endpoint,
            identity: v.identity,
        }),
        sightings: key
            .locations
            .into_iter()
            .map(|l| Sighting {
                source: l.source,
                repo: l.repo,
                path: l.path,
                line: l.line as u64,
                column: l.column as u64,
                commit: l.commit,
            })
            .collect(),
    }
}

fn no_salt_id() -> String {
    "no scan.salt_id: made by a keyaudit too old for `db`".into()
}

/// The reader's refusal in `db`'s words.
fn refused(path: &Path, refusal: Refusal) -> Error {
    let bad = |message: String| Error::Report {
        path: path.to_path_buf(),
        message,
    };
    match refusal {
        Refusal::Json(e) | Refusal::NoTool(Some(e)) | Refusal::NoVersion(Some(e)) => {
            json_problem(path, &e)
        }
        Refusal::NoTool(None) => bad("not a keyaudit report (no tool.name)".into()),
        Refusal::OtherTool(name) => bad(format!("not a keyaudit report (tool.name is {name})")),
        Refusal::NoVersion(None) => bad("not a keyaudit report (no numeric version)".into()),
        Refusal::Version(version) => bad(format!(
            "report format version {version} is not supported (expected {REPORT_VERSION})"
        )),
        Refusal::NewerMajor(written_by) => bad(format!(
            "written by keyaudit {written_by}, a newer major version than this one ({})",
            env!("CARGO_PKG_VERSION")
        )),
        Refusal::NoSaltId => bad(no_salt_id()),
        Refusal::Fingerprint { shown, .. } => {
            bad(format!("a key's fingerprint {shown} is not hmac-sha256:…"))
        }
    }
}

/// A one-line description of why `bytes` is no report, with line and column; never the
/// offending value (serde's messages quote it).
fn json_problem(path: &Path, err: &serde_json::Error) -> Error {
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
    Error::ReportAt {
        path: PathBuf::from(path),
        line: err.line(),
        column: err.column(),
        message: what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn report(extra_key_field: &str) -> String {
        format!(
            r#"{{"version":1,"tool":{{"name":"keyaudit","version":"0.1.0"}},
            "scan":{{"roots":["."],"files":1,"bytes":2,"blobs":0,"commits":0,"errors":[],
              "salt_id":"00112233aabbccdd","future":1}},
            "keys":[{{"fingerprint":"hmac-sha256:0123456789abcdef0123456789abcdef","rule":"r",
              "provider":"P","kind":"token","privilege":"full","environment":"live",
              "lifetime":"long","in_current_tree":true,"redacted":"ab…c"{extra_key_field},
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
            .replace(
                r#""future":1"#,
                r#""repos":[{"name":"api","files":0,"bytes":0,"blobs":0,"commits":0},
                  {"name":"web","files":0,"bytes":0,"blobs":0,"commits":0}]"#,
            )
            .replace(r#""path":"a""#, r#""repo":"api","path":"a""#);
        let run = parse_report(Path::new("r"), text.as_bytes()).unwrap();
        assert_eq!(run.scope, vec!["api", "web"]);
        assert_eq!(run.keys[0].sightings[0].repo.as_deref(), Some("api"));
    }

    #[test]
    fn db_refusals_keep_their_words() {
        let refusal = |text: String| {
            parse_report(Path::new("r.json"), text.as_bytes())
                .unwrap_err()
                .to_string()
        };
        let text = report("");
        assert_eq!(
            refusal(text.replace(r#","generated_at":"2026-01-02T03:04:05.678Z""#, "")),
            "r.json: no generated_at"
        );
        assert_eq!(
            refusal(text.replace("2026-01-02T03:04:05.678Z", "yesterday")),
            "r.json: generated_at is not an RFC 3339 time"
        );
        assert_eq!(
            refusal(text.replace(r#""salt_id":"00112233aabbccdd""#, r#""salt_id":"""#)),
            "r.json: no scan.salt_id: made by a keyaudit too old for `db`"
        );
        assert_eq!(
            refusal(text.replace(r#""version":1,"#, r#""version":2,"#)),
            "r.json: report format version 2 is not supported (expected 1)"
        );
        assert_eq!(
            refusal(text.replace("0123456789abcdef0123456789abcdef", "00")),
            "r.json: a key's fingerprint `hmac-sha256:00` is not hmac-sha256:…"
        );
        let missing = refusal(text.replace(r#""files":1,"#, ""));
        assert!(
            missing.starts_with("r.json:3:") && missing.ends_with("missing field `files`"),
            "{missing}"
        );
        let wrong = refusal(text.replace(r#""kind":"token""#, r#""kind":"sk_canary""#));
        assert!(wrong.ends_with("a field has the wrong type"), "{wrong}");
        assert!(!wrong.contains("sk_canary"), "{wrong}");
    }
}
