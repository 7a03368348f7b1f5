//! The one reader of keyaudit JSON reports (`docs/reference/report-format.md`), for `merge`,
//! `audit --inventory` and `db ingest`: a serde model of the `json` format (tolerant of fields
//! it does not know, since reports grow), the checks that make a document a report this
//! keyaudit reads, and conversion into the one [`Report`] model. What it reads of an audit is
//! each key's `declared_as` and `flags`, and the summary's `flagged` and `manifest`.
//!
//! A refusal is a [`Refusal`]: the cause, worded by each command as it always has been
//! (`merge` in one line naming the file, `db` with the line and column serde gives), never
//! quoting a value from the report.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{KeyEntry, RepoSummary, Report, ScanSummary, Summary, Tool};
use crate::error::{one_line, redact_quoted, shown, Error};
use crate::incremental::HistoryRead;
use crate::inventory::{FirstSeen, Location};
use crate::managed::{ManagedSecret, RemoteRef};
use crate::manifest::audit::KeyAudit;
use crate::manifest::AuditClass;
use crate::rules::{Environment, Kind, Lifetime, Tier};
use crate::source::{ReadError, Skipped, SourceKind};
use crate::verify::Verification;

/// The report format version this keyaudit writes and reads.
pub const REPORT_VERSION: u64 = 1;

#[derive(Deserialize)]
struct InReport {
    /// Checked on the JSON value before this model is read; here so that serde says where a
    /// document lacks it.
    #[allow(dead_code)]
    version: u64,
    tool: InTool,
    scan: InScan,
    keys: Vec<InKey>,
    #[serde(default)]
    managed: Vec<InManaged>,
    summary: InSummary,
    generated_at: Option<String>,
}

#[derive(Deserialize)]
struct InTool {
    /// Checked on the JSON value, as `version` is.
    #[allow(dead_code)]
    name: String,
    version: Option<String>,
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
    /// Absent but in runs recorded with `--db`.
    #[serde(default)]
    incremental: Option<BTreeMap<String, HistoryRead>>,
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
    /// Absent without `--verify`.
    verification: Option<Verification>,
    /// Absent in scan reports, null for an unknown key in audit reports.
    #[serde(default, deserialize_with = "present")]
    declared_as: Option<Option<String>>,
    #[serde(default)]
    flags: Vec<AuditClass>,
}

/// Tells a field that is present (even as null) from one that is absent.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
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
struct InLocation {
    source: SourceKind,
    repo: Option<String>,
    path: String,
    line: usize,
    column: usize,
    commit: Option<String>,
    variable: Option<String>,
    decoded: Option<String>,
    #[serde(flatten)]
    inside: crate::source::archive::Inside,
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
    /// Audit reports: keys per audit class.
    flagged: Option<BTreeMap<String, usize>>,
    /// Audit reports: the manifest used.
    manifest: Option<String>,
}

/// A JSON report read back.
pub struct ReadReport {
    /// The report. Keys of an audit report carry the verdict's `declared_as` and `flags`
    /// (reasons, warnings and evidence are not read back); `unused` and
    /// `unmatched_evidence` are left empty.
    pub report: Report,
    /// The keyaudit version that wrote it, as written.
    pub tool_version: Option<String>,
    /// When it was made, as written.
    pub generated_at: Option<String>,
    /// `sha256:` + the digest of its content in canonical form (members sorted, no
    /// whitespace, any `secret` member left out): a reformatted copy has the same digest.
    pub digest: String,
}

impl ReadReport {
    /// The report in scan's schema, as `merge` and `audit --inventory` take it: audit
    /// verdicts, class counts and the manifest are dropped.
    pub fn into_scan_schema(self) -> Report {
        let mut report = self.report;
        for key in &mut report.keys {
            key.audit = None;
        }
        report.summary.flagged = None;
        report.summary.manifest = None;
        report
    }
}

/// Why a document is not a report this keyaudit reads. Values from the document appear only
/// as [`shown`] gives them, and serde's errors (which may quote a value) only redacted, in
/// messages and in `Debug` alike.
pub enum Refusal {
    /// Not JSON, or JSON not shaped as a report (serde's error, which may quote a value).
    Json(serde_json::Error),
    /// No `tool.name` string; serde's account of the document, where it has one, says where.
    NoTool(Option<serde_json::Error>),
    /// `tool.name` names another tool ([`shown`]).
    OtherTool(String),
    /// No numeric `version`; serde's account of the document, where it has one, says where.
    NoVersion(Option<serde_json::Error>),
    /// A report format version this keyaudit does not read: 0, or a newer one.
    Version(u64),
    /// Written by a newer major version of keyaudit ([`shown`]).
    NewerMajor(String),
    /// No `scan.salt_id`: made by a keyaudit too old to key fingerprints by a salt id.
    NoSaltId,
    /// A key's fingerprint is not `hmac-sha256:` and 32 lowercase hex digits.
    Fingerprint {
        /// 0-based position of the key.
        index: usize,
        /// The fingerprint, [`shown`].
        shown: String,
    },
}

impl Refusal {
    /// The refusal in `merge`'s and `audit --inventory`'s words: one line, starting with
    /// `name`.
    pub fn message(&self, name: &str) -> String {
        format!("{name}: {}", self.reason())
    }

    /// Why the report is refused, without naming it.
    pub fn reason(&self) -> String {
        let not_ours = |why: &str| format!("not a keyaudit JSON report: {why}");
        match self {
            Refusal::Json(e) => not_ours(&clean(e)),
            Refusal::NoTool(_) | Refusal::OtherTool(_) => not_ours("no tool.name \"keyaudit\""),
            Refusal::NoVersion(_) => not_ours("no numeric version"),
            Refusal::Version(0) => not_ours("version 0"),
            Refusal::Version(version) => format!(
                "report version {version} was written by a newer keyaudit; this one reads version {REPORT_VERSION}"
            ),
            Refusal::NewerMajor(written_by) => format!(
                "written by keyaudit {written_by}, a newer major version than this one ({})",
                env!("CARGO_PKG_VERSION")
            ),
            Refusal::NoSaltId => "the report has no scan.salt_id (written by an older keyaudit): its fingerprints cannot be matched".to_string(),
            Refusal::Fingerprint { index, .. } => {
                not_ours(&format!("key {} has a malformed fingerprint", index + 1))
            }
        }
    }
}

impl std::fmt::Debug for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message("report"))
    }
}

/// serde's message on one line, quoted values that could be secrets withheld.
fn clean(e: &serde_json::Error) -> String {
    redact_quoted(&one_line(&e.to_string()))
}

/// Reads the JSON report at `path` (a `scan`, `audit` or `merge` report) in scan's schema,
/// for `merge` and `audit --inventory`; a refusal is one line naming the file.
pub fn read(path: &Path) -> Result<Report, Error> {
    let refused = |message: String| Error::Report {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read(path).map_err(|e| refused(format!("cannot read: {e}")))?;
    parse_report(&text)
        .map(ReadReport::into_scan_schema)
        .map_err(|refusal| refused(refusal.reason()))
}

/// Reads `bytes` as a keyaudit JSON report: the one reader behind [`read`] and `db ingest`.
pub fn parse_report(bytes: &[u8]) -> Result<ReadReport, Refusal> {
    let value: Value = serde_json::from_slice(bytes).map_err(Refusal::Json)?;
    // Parsed from the text, not the value, so that serde's errors give line and column.
    let typed = serde_json::from_slice::<InReport>(bytes);
    match value.pointer("/tool/name").and_then(Value::as_str) {
        Some("keyaudit") => {}
        Some(other) => return Err(Refusal::OtherTool(shown(other))),
        None => return Err(Refusal::NoTool(typed.err())),
    }
    let Some(version) = value.get("version").and_then(Value::as_u64) else {
        return Err(Refusal::NoVersion(typed.err()));
    };
    if version > REPORT_VERSION {
        return Err(Refusal::Version(version));
    }
    let written_by = value.pointer("/tool/version").and_then(Value::as_str);
    let major = |v: &str| v.split('.').next().and_then(|m| m.parse::<u64>().ok());
    if let (Some(theirs), Some(ours)) =
        (written_by.and_then(major), major(env!("CARGO_PKG_VERSION")))
    {
        if theirs > ours {
            return Err(Refusal::NewerMajor(shown(written_by.unwrap_or_default())));
        }
    }
    if version == 0 {
        return Err(Refusal::Version(0));
    }
    let input = typed.map_err(Refusal::Json)?;
    let salt_id = input.scan.salt_id.clone().ok_or(Refusal::NoSaltId)?;
    for (index, key) in input.keys.iter().enumerate() {
        if !crate::fingerprint::is_well_formed(&key.fingerprint) {
            return Err(Refusal::Fingerprint {
                index,
                shown: shown(&key.fingerprint),
            });
        }
    }
    Ok(ReadReport {
        tool_version: input.tool.version.clone(),
        generated_at: input.generated_at.clone(),
        digest: digest_of(&value),
        report: convert(input, salt_id),
    })
}

fn convert(input: InReport, salt_id: String) -> Report {
    let keys: Vec<KeyEntry> = input.keys.into_iter().map(key_entry).collect();
    let scan = ScanSummary {
        // Reports made before scopes were recorded: their repositories (`--repos`) or their
        // roots stand in, as scopes are now made.
        scopes: input
            .scan
            .scopes
            .unwrap_or_else(|| match &input.scan.repos {
                Some(repos) => repos.iter().map(|r| r.name.clone()).collect(),
                None => input.scan.roots.clone(),
            }),
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
        incremental: input.scan.incremental,
    };
    let managed = input.managed.into_iter().map(managed).collect();
    let summary = Summary {
        // The classes this keyaudit knows; counts of others are left out.
        flagged: input.summary.flagged.map(|counts| {
            counts
                .into_iter()
                .filter_map(|(name, n)| AuditClass::parse(&name).map(|c| (c.as_str(), n)))
                .collect()
        }),
        manifest: input.summary.manifest,
        ..Summary::of_keys(
            &keys,
            scan.skipped.len(),
            scan.errors.len(),
            input.summary.complete,
            input.summary.allowed,
        )
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
        generated_at: input.generated_at.unwrap_or_default(),
        as_of: None,
    }
}

fn key_entry(key: InKey) -> KeyEntry {
    let audit = key.declared_as.map(|declared_as| KeyAudit {
        declared_as,
        flags: key.flags,
        ..KeyAudit::default()
    });
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
        verification: key.verification,
        audit,
    }
}

fn location(l: InLocation) -> Location {
    Location {
        source: l.source,
        repo: l.repo,
        path: l.path,
        line: l.line,
        column: l.column,
        commit: l.commit,
        variable: l.variable,
        decoded: l.decoded,
        on_disk: None,
        inside: l.inside,
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

    /// What `read` makes of `bytes`, its refusal as the one line it prints.
    fn parse(name: &str, bytes: &[u8]) -> Result<Report, String> {
        parse_report(bytes)
            .map(ReadReport::into_scan_schema)
            .map_err(|refusal| refusal.message(name))
    }

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
            let err = parse("r.json", text.as_bytes()).unwrap_err();
            assert!(err.starts_with("r.json: "), "{err}");
            assert!(err.contains(expect), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn errors_never_quote_values() {
        let text = "{\"version\": 1, \"tool\": {\"name\": \"keyaudit\"}, \"scan\": {\"files\": \"ghp_Q7w2E9r4T1y6U3i8O5p0A2s4D6f8G1h3J5k7\"}}"; // keyaudit:allow
        let err = parse("r.json", text.as_bytes()).unwrap_err();
        assert!(!err.contains("ghp_"), "{err}");
    }

    /// A small audit report as keyaudit writes it, with `extra` members in its one key.
    fn audit_report(extra: &str) -> String {
        format!(
            r#"{{"version":1,"tool":{{"name":"keyaudit","version":"0.1.0"}},
            "scan":{{"roots":["."],"scopes":["path:/x"],"files":1,"bytes":2,"blobs":0,"commits":0,
              "skipped":[],"errors":[],"duration_ms":3,"salt_id":"00112233aabbccdd"}},
            "keys":[{{"fingerprint":"hmac-sha256:0123456789abcdef0123456789abcdef",
              "key_id":null,"rule":"r","provider":"P","kind":"api-key","redacted":"ab…c",
              "privilege":"full","privilege_evidence":"","environment":"live",
              "environment_evidence":"","lifetime":"long","expires":null,"first_seen":null,
              "in_current_tree":true,"rotate":null,
              "locations":[{{"source":"staged","path":"a","line":3,"column":1}}],
              "declared_as":null,"flags":["unknown"],"reasons":["not declared"],
              "warnings":[],"age_days":null{extra}}}],
            "unused":[],"unmatched_evidence":[],"managed":[],
            "summary":{{"keys":1,"locations":1,"by_provider":{{"P":1}},"by_privilege":{{"full":1}},
              "skipped":0,"errors":0,"complete":true,"allowed":0,
              "flagged":{{"over-privileged":0,"stale":0,"unknown":1,"unused":0,"future":2}},
              "manifest":"keyaudit.toml"}},
            "generated_at":"2026-01-02T03:04:05.678Z"}}"#
        )
    }

    #[test]
    fn an_audit_report_is_read_with_its_verdicts_and_merged_without_them() {
        let read = parse_report(audit_report("").as_bytes()).unwrap();
        let key = &read.report.keys[0];
        assert_eq!(key.kind, Kind::ApiKey);
        assert_eq!(key.privilege, Tier::Full);
        assert_eq!(key.locations[0].source, SourceKind::Staged);
        let verdict = key.audit.as_ref().unwrap();
        assert_eq!(verdict.declared_as, None);
        assert_eq!(verdict.flags, [AuditClass::Unknown]);
        let flagged = read.report.summary.flagged.as_ref().unwrap();
        assert_eq!(flagged.get("unknown"), Some(&1));
        assert!(!flagged.contains_key("future"), "{flagged:?}");
        assert_eq!(
            read.generated_at.as_deref(),
            Some("2026-01-02T03:04:05.678Z")
        );
        assert_eq!(read.tool_version.as_deref(), Some("0.1.0"));
        let merged = parse("r.json", audit_report("").as_bytes()).unwrap();
        assert!(merged.keys[0].audit.is_none());
        assert!(merged.summary.flagged.is_none());
        assert!(merged.summary.manifest.is_none());
    }

    #[test]
    fn the_digest_ignores_layout_and_secrets_but_not_content() {
        let digest = |text: &str| parse_report(text.as_bytes()).unwrap().digest;
        let plain = audit_report("");
        let value: Value = serde_json::from_str(&plain).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        assert_eq!(digest(&plain), digest(&pretty));
        assert_eq!(digest(&plain), digest(&audit_report(r#","secret":"x""#)));
        assert_ne!(digest(&plain), digest(&audit_report(r#","scopes":[]"#)));
        assert!(digest(&plain).starts_with("sha256:"));
    }

    #[test]
    fn refusals_name_the_cause_without_values() {
        let fingerprint = audit_report("").replace(
            "hmac-sha256:0123456789abcdef0123456789abcdef",
            "ghp_Q7w2E9r4T1y6U3i8O5p0A2s4D6f8G1h3J5k7", // keyaudit:allow
        );
        let Err(refusal) = parse_report(fingerprint.as_bytes()) else {
            panic!("a malformed fingerprint is refused");
        };
        assert!(matches!(refusal, Refusal::Fingerprint { index: 0, .. }));
        assert!(!format!("{refusal:?}").contains("ghp_"));
        assert_eq!(
            refusal.message("r.json"),
            "r.json: not a keyaudit JSON report: key 1 has a malformed fingerprint"
        );
        let no_salt = audit_report("").replace(r#","salt_id":"00112233aabbccdd""#, "");
        assert!(matches!(
            parse_report(no_salt.as_bytes()),
            Err(Refusal::NoSaltId)
        ));
        let other = audit_report("").replacen(r#""keyaudit""#, r#""gitleaks""#, 1);
        assert!(matches!(
            parse_report(other.as_bytes()),
            Err(Refusal::OtherTool(name)) if name == "`gitleaks`"
        ));
        let unknown_kind = audit_report("").replace(
            r#""api-key""#,
            r#""ghp_Q7w2E9r4T1y6U3i8O5p0A2s4D6f8G1h3J5k7""#, // keyaudit:allow
        );
        let Err(refusal) = parse_report(unknown_kind.as_bytes()) else {
            panic!("an unknown kind is refused");
        };
        assert!(matches!(refusal, Refusal::Json(_)));
        assert!(!format!("{refusal:?}").contains("ghp_"), "{refusal:?}");
    }
}
