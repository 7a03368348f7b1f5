//! Reading keyaudit JSON reports back (for `merge` and `audit --inventory`): a serde model of
//! the `json` format, the format version check, and conversion into the one [`Report`] model,
//! in `scan`'s schema (audit verdicts are dropped). Every refusal is one line naming the file,
//! with the line and column where serde gives one, and never quotes a value from it.

use std::path::Path;

use jiff::Timestamp;
use serde::Deserialize;

use super::{KeyEntry, RepoSummary, Report, ScanSummary, Summary, Tool};
use crate::error::{one_line, redact_quoted, shown};
use crate::inventory::{FirstSeen, Location};
use crate::managed::{ManagedSecret, RemoteRef};
use crate::rules::{Environment, Kind, Lifetime, Tier};
use crate::source::{ReadError, Skipped, SourceKind};

/// The report format version this keyaudit writes and reads.
pub const REPORT_VERSION: u64 = 1;

#[derive(Deserialize)]
struct InReport {
    scan: InScan,
    keys: Vec<InKey>,
    #[serde(default)]
    managed: Vec<InManaged>,
    summary: InSummary,
}

#[derive(Deserialize)]
struct InScan {
    #[serde(default)]
    roots: Vec<String>,
    /// Absent in reports made before scopes were identities: their roots stand in.
    scopes: Option<Vec<String>>,
    /// Absent outside git, in merged reports, and in reports made before it was recorded.
    #[serde(default)]
    repository: Option<crate::scope::RepositoryInfo>,
    files: u64,
    bytes: u64,
    blobs: u64,
    commits: u64,
    #[serde(default)]
    skipped: Vec<InSkipped>,
    #[serde(default)]
    errors: Vec<InError>,
    #[serde(default)]
    duration_ms: u64,
    salt_id: Option<String>,
    shard: Option<String>,
    #[serde(default)]
    shards: Vec<String>,
    repos: Option<Vec<InRepo>>,
}

#[derive(Deserialize)]
struct InSkipped {
    path: String,
    reason: String,
}

#[derive(Deserialize)]
struct InError {
    path: String,
    message: String,
}

#[derive(Deserialize)]
struct InRepo {
    name: String,
    #[serde(default)]
    source: String,
    files: u64,
    bytes: u64,
    blobs: u64,
    commits: u64,
    #[serde(default)]
    keys: usize,
    #[serde(default)]
    locations: usize,
    #[serde(default)]
    skipped: usize,
    #[serde(default)]
    errors: usize,
}

#[derive(Deserialize)]
struct InKey {
    fingerprint: String,
    key_id: Option<String>,
    rule: String,
    provider: String,
    kind: Kind,
    redacted: String,
    secret: Option<String>,
    privilege: Tier,
    #[serde(default)]
    privilege_evidence: String,
    environment: Environment,
    #[serde(default)]
    environment_evidence: String,
    lifetime: Lifetime,
    expires: Option<String>,
    scopes: Option<Vec<String>>,
    aws_account: Option<String>,
    first_seen: Option<InFirstSeen>,
    in_current_tree: bool,
    rotate: Option<String>,
    locations: Vec<InLocation>,
}

#[derive(Deserialize)]
struct InFirstSeen {
    commit: String,
    date: Timestamp,
    author: String,
    #[serde(default)]
    author_email: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum InSource {
    File,
    Git,
    Staged,
    Stdin,
}

#[derive(Deserialize)]
struct InLocation {
    source: InSource,
    repo: Option<String>,
    path: String,
    line: usize,
    column: usize,
    commit: Option<String>,
    variable: Option<String>,
    decoded: Option<String>,
}

#[derive(Deserialize)]
struct InManaged {
    path: String,
    line: usize,
    name: String,
    namespace: Option<String>,
    store: String,
    store_kind: String,
    target: String,
    refs: Vec<InRemoteRef>,
}

#[derive(Deserialize)]
struct InRemoteRef {
    secret_key: Option<String>,
    remote_key: String,
    property: Option<String>,
}

#[derive(Deserialize)]
struct InSummary {
    complete: bool,
    #[serde(default)]
    allowed: usize,
}

/// Reads the JSON report at `path` (a `scan`, `audit` or `merge` report).
pub fn read(path: &Path) -> Result<Report, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    parse(&name, &text)
}

/// Parses the text of a JSON report; `name` names it in errors.
pub fn parse(name: &str, text: &str) -> Result<Report, String> {
    let not_ours = |why: String| format!("{name}: not a keyaudit JSON report: {why}");
    let clean = |e: serde_json::Error| redact_quoted(&one_line(&e.to_string()));
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| not_ours(clean(e)))?;
    if value.pointer("/tool/name").and_then(|v| v.as_str()) != Some("keyaudit") {
        return Err(not_ours("no tool.name \"keyaudit\"".into()));
    }
    let version = value
        .get("version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| not_ours("no numeric version".into()))?;
    if version > REPORT_VERSION {
        return Err(format!(
            "{name}: report version {version} was written by a newer keyaudit; this one reads version {REPORT_VERSION}"
        ));
    }
    let written_by = value.pointer("/tool/version").and_then(|v| v.as_str());
    let major = |v: &str| v.split('.').next().and_then(|m| m.parse::<u64>().ok());
    if let (Some(theirs), Some(ours)) =
        (written_by.and_then(major), major(env!("CARGO_PKG_VERSION")))
    {
        if theirs > ours {
            return Err(format!(
                "{name}: written by keyaudit {}, a newer major version than this one ({})",
                shown(written_by.unwrap_or_default()),
                env!("CARGO_PKG_VERSION")
            ));
        }
    }
    if version == 0 {
        return Err(not_ours("version 0".into()));
    }
    let input: InReport = serde_json::from_str(text).map_err(|e| not_ours(clean(e)))?;
    let salt_id = input.scan.salt_id.clone().ok_or_else(|| {
        format!("{name}: the report has no scan.salt_id (written by an older keyaudit): its fingerprints cannot be matched")
    })?;
    for (index, key) in input.keys.iter().enumerate() {
        if !crate::fingerprint::is_well_formed(&key.fingerprint) {
            return Err(not_ours(format!(
                "key {} has a malformed fingerprint",
                index + 1
            )));
        }
    }
    Ok(convert(input, salt_id))
}

fn convert(input: InReport, salt_id: String) -> Report {
    let keys: Vec<KeyEntry> = input.keys.into_iter().map(key_entry).collect();
    let scan = ScanSummary {
        scopes: input
            .scan
            .scopes
            .unwrap_or_else(|| input.scan.roots.clone()),
        roots: input.scan.roots,
        repository: input.scan.repository,
        files: input.scan.files,
        bytes: input.scan.bytes,
        blobs: input.scan.blobs,
        commits: input.scan.commits,
        skipped: input
            .scan
            .skipped
            .into_iter()
            .map(|s| Skipped {
                path: s.path,
                reason: s.reason,
            })
            .collect(),
        errors: input
            .scan
            .errors
            .into_iter()
            .map(|e| ReadError {
                path: e.path,
                message: e.message,
            })
            .collect(),
        duration_ms: input.scan.duration_ms,
        salt_id,
        shard: input.scan.shard,
        shards: input.scan.shards,
        repos: input.scan.repos.map(|repos| {
            repos
                .into_iter()
                .map(|r| RepoSummary {
                    name: r.name,
                    source: r.source,
                    files: r.files,
                    bytes: r.bytes,
                    blobs: r.blobs,
                    commits: r.commits,
                    keys: r.keys,
                    locations: r.locations,
                    skipped: r.skipped,
                    errors: r.errors,
                })
                .collect()
        }),
    };
    let managed = input.managed.into_iter().map(managed).collect();
    let summary = Summary {
        keys: keys.len(),
        locations: keys.iter().map(|k| k.locations.len()).sum(),
        by_provider: Default::default(),
        by_privilege: Default::default(),
        skipped: scan.skipped.len(),
        errors: scan.errors.len(),
        complete: input.summary.complete,
        allowed: input.summary.allowed,
        flagged: None,
        manifest: None,
    };
    Report {
        version: 1,
        tool: Tool::KEYAUDIT,
        scan,
        keys,
        unused: Vec::new(),
        unmatched_evidence: Vec::new(),
        managed,
        summary,
        generated_at: String::new(),
        as_of: None,
    }
}

fn key_entry(key: InKey) -> KeyEntry {
    KeyEntry {
        fingerprint: key.fingerprint,
        key_id: key.key_id,
        // Rule names are not in the JSON; the reader of the report fills them in.
        rule_name: key.rule.clone(),
        rule: key.rule,
        provider: key.provider,
        kind: key.kind,
        redacted: key.redacted,
        secret: key.secret,
        privilege: key.privilege,
        privilege_evidence: key.privilege_evidence,
        environment: key.environment,
        environment_evidence: key.environment_evidence,
        lifetime: key.lifetime,
        expires: key.expires,
        scopes: key.scopes,
        aws_account: key.aws_account,
        first_seen: key.first_seen.map(|f| FirstSeen {
            commit: f.commit,
            date: f.date,
            author: f.author,
            author_email: f.author_email,
        }),
        in_current_tree: key.in_current_tree,
        rotate: key.rotate,
        locations: key.locations.into_iter().map(location).collect(),
        audit: None,
    }
}

fn location(l: InLocation) -> Location {
    Location {
        source: match l.source {
            InSource::File => SourceKind::File,
            InSource::Git => SourceKind::Git,
            InSource::Staged => SourceKind::Staged,
            InSource::Stdin => SourceKind::Stdin,
        },
        repo: l.repo,
        path: l.path,
        line: l.line,
        column: l.column,
        commit: l.commit,
        variable: l.variable,
        decoded: l.decoded,
        on_disk: None,
    }
}

fn managed(m: InManaged) -> ManagedSecret {
    ManagedSecret {
        path: m.path,
        line: m.line,
        name: m.name,
        namespace: m.namespace,
        store: m.store,
        store_kind: m.store_kind,
        target: m.target,
        refs: m
            .refs
            .into_iter()
            .map(|r| RemoteRef {
                secret_key: r.secret_key,
                remote_key: r.remote_key,
                property: r.property,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_keyaudit_report_in_one_line() {
        for (text, expect) in [
            ("{\"version\": 1}", "not a keyaudit JSON report"),
            ("[1, 2]", "not a keyaudit JSON report"),
            ("{\"a\": 1}\n{\"b\": 2}\n", "not a keyaudit JSON report"),
            (
                "{\"version\": 2, \"tool\": {\"name\": \"keyaudit\"}}",
                "newer keyaudit",
            ),
            (
                "{\"version\": 1, \"tool\": {\"name\": \"keyaudit\"}, \"scan\": {}}",
                "missing field",
            ),
            (
                "{\"version\": 1, \"tool\": {\"name\": \"keyaudit\", \"version\": \"99.0.0\"}}",
                "newer major version",
            ),
        ] {
            let err = parse("r.json", text).unwrap_err();
            assert!(err.starts_with("r.json: "), "{err}");
            assert!(err.contains(expect), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn errors_never_quote_values() {
        let text = "{\"version\": 1, \"tool\": {\"name\": \"keyaudit\"}, \"scan\": {\"files\": \"ghp_Q7w2E9r4T1y6U3i8O5p0A2s4D6f8G1h3J5k7\"}}"; // keyaudit:allow
        let err = parse("r.json", text).unwrap_err();
        assert!(!err.contains("ghp_"), "{err}");
    }
}
