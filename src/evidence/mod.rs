//! Evidence from systems that manage or observe keys, read offline from their exports
//! (`--evidence FILE`, repeatable; `--usage` is an alias). Each file's format is recognised from
//! its content; every export is registered once, in [`exports::EXPORTS`]. Evidence attaches dates (created, rotated, last used, expires) and states
//! (enabled, deleted, rotation on or off) to subjects: a key's non-secret id (an AWS access key
//! id, a Google Cloud service-account key id, an Entra credential's key id), a store entry
//! (`aws-sm:NAME`, `gcp-sm:NAME`, `azure-kv:VAULT/NAME`, `vault:PATH`) or, for a Vault token
//! lookup that carries the token, its fingerprint (the value itself is dropped at once). The
//! audit joins subjects to declared keys through `key_id` and `store` (`entra:APP_ID/KEY_ID`
//! names its credential's key id).

pub mod aws_iam;
pub mod aws_sm;
pub mod azure_kv;
pub mod azure_logs;
pub mod cloudtrail;
pub mod entra;
pub mod exports;
pub mod gcp_iam;
pub mod gcp_sm;
pub mod store;
pub mod vault;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::error::{redact_quoted, Error, Result};
use exports::Read;
pub use exports::{Export, FileFormat, EXPORTS};
pub use store::{entra_key_id, is_guid, normalize_store, STORE_PREFIXES};

/// A date and the export that gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dated {
    /// When.
    #[serde(serialize_with = "crate::time::serialize_rfc3339")]
    pub at: Timestamp,
    /// The export's file name.
    pub source: String,
}

/// A fact that is not a date, and the export that gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stated<T> {
    /// The fact.
    pub value: T,
    /// The export's file name.
    pub source: String,
}

/// What a record is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// A key's non-secret id: an AWS access key id, a Vault token accessor, a Google Cloud
    /// service-account key id (a key file's `private_key_id`), an Entra credential's `keyId`.
    KeyId(String),
    /// A store entry, normalised by [`normalize_store`].
    Store(String),
    /// A key's fingerprint (computed from a value an export carried, then dropped).
    Fingerprint(String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::KeyId(id) => write!(f, "key id {id}"),
            Subject::Store(store) => write!(f, "{store}"),
            Subject::Fingerprint(fp) => write!(f, "key {fp}"),
        }
    }
}

/// What the evidence says about one subject. Every fact names its export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Record {
    /// The owning user or principal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// When the key or entry was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<Dated>,
    /// When its value last changed (a rotation, a new version, an update).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotated: Option<Dated>,
    /// When it was last used or read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used: Option<Dated>,
    /// When it expires or expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Dated>,
    /// When the store will rotate it next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_rotation: Option<Dated>,
    /// When it was deleted (or scheduled for deletion).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Dated>,
    /// Whether automatic rotation is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_enabled: Option<Stated<bool>>,
    /// The rotation period in days, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_period_days: Option<Stated<i64>>,
    /// Whether the provider has it enabled (active).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Stated<bool>>,
    /// Policies attached (a Vault token's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<String>,
    /// Versions the store keeps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<u64>,
    /// The provider says the key never expires (a Google Cloud key valid until year 9999).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub never_expires: Option<Stated<bool>>,
    /// The first characters of the secret the provider shows (an Entra secret's `hint`), to
    /// check the link against the found key. Not reported: it is part of a secret.
    #[serde(skip)]
    pub hint: Option<Stated<String>>,
    /// Whether an export that records every use said something, so that no `last_used` means
    /// never used (an IAM credential report, Secrets Manager's last access).
    #[serde(skip)]
    pub tracks_use: bool,
}

impl Record {
    /// Folds `other` (about the same subject) into this record: the earliest creation, the
    /// latest change, use and deletion, and for states the more cautious one.
    pub fn merge(&mut self, other: Record) {
        fn pick(mine: &mut Option<Dated>, theirs: Option<Dated>, later: bool) {
            if let Some(t) = theirs {
                let replace =
                    mine.as_ref()
                        .is_none_or(|m| if later { t.at > m.at } else { t.at < m.at });
                if replace {
                    *mine = Some(t);
                }
            }
        }
        pick(&mut self.created, other.created, false);
        pick(&mut self.rotated, other.rotated, true);
        pick(&mut self.last_used, other.last_used, true);
        pick(&mut self.expires, other.expires, false);
        pick(&mut self.next_rotation, other.next_rotation, false);
        pick(&mut self.deleted, other.deleted, false);
        if let Some(r) = other.rotation_enabled {
            if self
                .rotation_enabled
                .as_ref()
                .is_none_or(|m| !r.value && m.value)
            {
                self.rotation_enabled = Some(r);
            }
        }
        self.rotation_period_days = self
            .rotation_period_days
            .take()
            .or(other.rotation_period_days);
        if let Some(e) = other.enabled {
            if self.enabled.as_ref().is_none_or(|m| !e.value && m.value) {
                self.enabled = Some(e);
            }
        }
        self.user = self.user.take().or(other.user);
        self.never_expires = self.never_expires.take().or(other.never_expires);
        self.hint = self.hint.take().or(other.hint);
        for policy in other.policies {
            if !self.policies.contains(&policy) {
                self.policies.push(policy);
            }
        }
        self.versions = self.versions.max(other.versions);
        self.tracks_use |= other.tracks_use;
    }
}

/// All evidence of a run.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// What is known per subject.
    pub records: BTreeMap<Subject, Record>,
    /// Which files said something about each subject.
    pub sources: BTreeMap<Subject, BTreeSet<String>>,
    /// Other names of a subject (a Vault token's fingerprint names its accessor's record).
    pub aliases: BTreeMap<Subject, Subject>,
    /// Things worth telling the user (not errors), such as an export that could not be joined.
    pub notes: Vec<String>,
}

/// One record a parser read, with the subject it is about and, optionally, another name for it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// What the record is about.
    pub subject: Subject,
    /// Another subject that means the same key.
    pub alias: Option<Subject>,
    /// What the export says.
    pub record: Record,
}

impl Entry {
    /// An entry with no alias.
    pub fn new(subject: Subject, record: Record) -> Self {
        Self {
            subject,
            alias: None,
            record,
        }
    }
}

/// How an evidence file is read: the file and, for exports that do not name their entry (a
/// Vault KV metadata read), the store entry it is about (`--evidence vault:PATH=FILE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceArg {
    /// The store entry named on the command line.
    pub store: Option<String>,
    /// The export.
    pub path: PathBuf,
}

impl EvidenceArg {
    /// Parses `[STORE=]FILE`: a prefix counts only when it is a store reference.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        if let Some((store, path)) = text.split_once('=') {
            if STORE_PREFIXES.iter().any(|p| store.starts_with(p)) {
                let store = normalize_store(store).map_err(|e| format!("in `{text}`: {e}"))?;
                return Ok(Self {
                    store: Some(store),
                    path: PathBuf::from(path),
                });
            }
        }
        Ok(Self {
            store: None,
            path: PathBuf::from(text),
        })
    }
}

/// Context a loader needs: the salt to fingerprint a token an export carries, and the vault
/// stores the manifest declares (to place an unnamed Vault KV metadata read).
pub struct LoadContext<'a> {
    /// The manifest's salt.
    pub salt: &'a [u8],
    /// Normalised `vault:` stores declared in the manifest.
    pub vault_stores: Vec<String>,
}

impl Evidence {
    /// Reads every evidence file. An unrecognised or malformed file is an error naming it and
    /// what was expected.
    pub fn load(args: &[EvidenceArg], context: &LoadContext<'_>) -> Result<Self> {
        let mut texts = Vec::new();
        for arg in args {
            let bytes = std::fs::read(&arg.path).map_err(|cause| Error::Io {
                path: arg.path.clone(),
                cause,
            })?;
            texts.push((arg.clone(), String::from_utf8_lossy(&bytes).into_owned()));
        }
        Self::from_texts(&texts, context)
    }

    /// Reads evidence already in memory: each export's argument and text.
    pub fn from_texts(texts: &[(EvidenceArg, String)], context: &LoadContext<'_>) -> Result<Self> {
        let mut evidence = Evidence::default();
        let mut reports = Vec::new();
        let mut key_lists = Vec::new();
        for (arg, text) in texts {
            let text = text.trim_start_matches('\u{feff}');
            let records = match exports::read(arg, text, context, &mut evidence.notes)? {
                Read::Entries(records) => records,
                Read::CredentialReport(report) => {
                    reports.push(report);
                    continue;
                }
                Read::AccessKeyList(list) => {
                    key_lists.push(list);
                    continue;
                }
            };
            let source = source_name(&arg.path);
            if records.is_empty() {
                evidence.notes.push(format!("{source}: no entries in it"));
            }
            for entry in records {
                if let Some(alias) = entry.alias {
                    evidence.aliases.insert(alias, entry.subject.clone());
                }
                evidence.add(entry.subject, entry.record, &source);
            }
        }
        let (iam, notes) = aws_iam::join(&reports, &key_lists);
        evidence.notes.extend(notes);
        for (subject, record, source) in iam {
            evidence.add(subject, record, &source);
        }
        Ok(evidence)
    }

    /// Adds what `source` says about `subject`.
    pub fn add(&mut self, subject: Subject, record: Record, source: &str) {
        self.sources
            .entry(subject.clone())
            .or_default()
            .insert(source.to_string());
        match self.records.get_mut(&subject) {
            Some(existing) => existing.merge(record),
            None => {
                self.records.insert(subject, record);
            }
        }
    }

    /// The subject `subject` names, through its alias if it has one.
    pub fn resolve<'a>(&'a self, subject: &'a Subject) -> &'a Subject {
        self.aliases.get(subject).unwrap_or(subject)
    }

    /// Everything known about any of `subjects`, merged, or `None`.
    pub fn about<'s>(&self, subjects: impl IntoIterator<Item = &'s Subject>) -> Option<Record> {
        let mut merged: Option<Record> = None;
        let mut seen = BTreeSet::new();
        for subject in subjects {
            let subject = self.resolve(subject);
            if !seen.insert(subject.clone()) {
                continue;
            }
            if let Some(record) = self.records.get(subject) {
                match &mut merged {
                    Some(m) => m.merge(record.clone()),
                    None => merged = Some(record.clone()),
                }
            }
        }
        merged
    }

    /// Whether there is no evidence at all.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// A subject no declared or found key claimed, with the files that named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmatched {
    /// What the evidence is about.
    pub subject: String,
    /// The exports.
    pub sources: Vec<String>,
}

/// The subjects of `evidence` not in `claimed`, for the report.
pub fn unmatched(evidence: &Evidence, claimed: &BTreeSet<Subject>) -> Vec<Unmatched> {
    evidence
        .records
        .keys()
        .filter(|s| !claimed.contains(s))
        .map(|s| Unmatched {
            subject: s.to_string(),
            sources: evidence
                .sources
                .get(s)
                .map(|set| set.iter().cloned().collect())
                .unwrap_or_default(),
        })
        .collect()
}

/// The entries of an export that is a JSON array (at `pointer`, or the whole document when it
/// is empty), or an error saying what was expected.
pub fn json_list<'v>(
    path: &Path,
    value: &'v Value,
    pointer: &str,
    expected: &str,
) -> Result<&'v Vec<Value>> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .ok_or_else(|| at_start(path, format!("expected {expected}")))
}

/// An error about a whole file.
pub fn at_start(path: &Path, message: String) -> Error {
    Error::Syntax {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message,
    }
}

/// A JSON syntax error at its line and column, saying what was expected, quoting no value.
pub fn json_error(path: &Path, err: &serde_json::Error, expected: &str) -> Error {
    Error::Syntax {
        path: path.to_path_buf(),
        line: err.line().max(1),
        column: err.column().max(1),
        message: format!(
            "not {expected}: {}",
            redact_quoted(&crate::error::one_line(&strip_position(&err.to_string())))
        ),
    }
}

/// A shape error (valid JSON, wrong fields) naming the export that was expected.
pub fn shape_error(path: &Path, err: &serde_json::Error, expected: &str) -> Error {
    at_start(
        path,
        format!(
            "not valid {expected} output: {}",
            redact_quoted(&crate::error::one_line(&strip_position(&err.to_string())))
        ),
    )
}

/// serde_json appends ` at line L column C`; the error carries those already.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A timestamp as the tools write them: RFC 3339 text (with any fraction and offset), or a
/// number of seconds since the epoch (AWS CLI v1, Vault's `creation_time`). Empty, null, zero
/// and Go's zero time mean none.
pub fn json_time(value: Option<&Value>) -> Option<Timestamp> {
    match value? {
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() || s.starts_with("0001-01-01") {
                return None;
            }
            crate::time::parse_date(s).ok()
        }
        Value::Number(n) => {
            let seconds = n.as_f64()?;
            if seconds <= 0.0 {
                return None;
            }
            Timestamp::from_second(seconds as i64).ok()
        }
        _ => None,
    }
}

/// `json_time` with its source attached.
pub fn dated(value: Option<&Value>, source: &str) -> Option<Dated> {
    json_time(value).map(|at| Dated {
        at,
        source: source.to_string(),
    })
}

/// How reports name an export: its kind (the command that printed it) and its file, as in
/// `aws secretsmanager list-secrets (secrets.json)`.
pub fn export_source(path: &Path, kind: &str) -> String {
    format!("{kind} ({})", source_name(path))
}

/// The file name used to name evidence in notes.
pub fn source_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_entries_read_like_their_lists() {
        let load = |text: &str| {
            let arg = EvidenceArg::parse("one.json").unwrap();
            let context = LoadContext {
                salt: b"s",
                vault_stores: Vec::new(),
            };
            Evidence::from_texts(&[(arg, text.to_string())], &context).unwrap()
        };
        let aws = load(
            r#"{"ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Ab12Cd", "Name": "prod/db", "RotationEnabled": true, "LastRotatedDate": 1767225600.0}"#,
        );
        assert!(aws
            .records
            .contains_key(&Subject::Store("aws-sm:prod/db".into())));
        let gcp =
            load(r#"{"name": "projects/p/secrets/api-key", "createTime": "2026-01-01T00:00:00Z"}"#);
        assert!(gcp
            .records
            .contains_key(&Subject::Store("gcp-sm:api-key".into())));
        // `secret show` prints the value too; it is not read.
        let azure = load(
            r#"{"id": "https://kv1.vault.azure.net/secrets/db/0a1b", "value": "not-read", "attributes": {"enabled": true}}"#,
        );
        let record = &azure.records[&Subject::Store("azure-kv:kv1/db".into())];
        assert!(!format!("{record:?}").contains("not-read"));
        let key_id = "AKIAQX7ZMR3WNTV5LPKE"; // keyaudit:allow
        let event = format!(
            r#"{{"eventTime": "2026-06-01T00:00:00Z", "userIdentity": {{"accessKeyId": "{key_id}"}}}}"#
        );
        for text in [
            event.clone(),
            format!("[{event}]"),
            format!(r#"{{"detail-type": "AWS API Call via CloudTrail", "detail": {event}}}"#),
        ] {
            let trail = load(&text);
            let id = Subject::KeyId(key_id.to_string());
            assert!(trail.records.contains_key(&id), "{text}");
        }
    }

    #[test]
    fn cloud_identity_exports_are_recognised_by_content() {
        let load = |text: &str| {
            let arg = EvidenceArg::parse("x.json").unwrap();
            let context = LoadContext {
                salt: b"s",
                vault_stores: Vec::new(),
            };
            Evidence::from_texts(&[(arg, text.to_string())], &context)
                .unwrap_or_else(|e| panic!("{text}: {e}"))
        };
        let key = "136cb94838da83a906263ec23d03dce95d736c64";
        let guid = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
        let cases = [
            // gcloud iam service-accounts keys list, and one key described.
            format!(
                r#"[{{"name": "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/{key}", "validAfterTime": "2024-01-01T00:00:00Z"}}]"#
            ),
            format!(
                r#"{{"name": "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/{key}", "keyType": "USER_MANAGED"}}"#
            ),
            // gcloud policy-intelligence query-activity.
            format!(
                r#"[{{"activity": {{"lastAuthenticatedTime": "2026-01-01T00:00:00Z", "serviceAccountKey": {{"fullResourceName": "//iam.googleapis.com/projects/p/serviceAccounts/1/keys/{key}"}}}}}}]"#
            ),
            // gcloud logging read.
            format!(
                r#"[{{"timestamp": "2026-01-01T00:00:00Z", "protoPayload": {{"authenticationInfo": {{"serviceAccountKeyName": "//iam.googleapis.com/projects/p/serviceAccounts/a/keys/{key}"}}}}}}]"#
            ),
            // az ad app credential list; Graph sign-ins, wrapped and bare.
            format!(
                r#"[{{"keyId": "{guid}", "endDateTime": "2027-01-01T00:00:00Z", "hint": "abc"}}]"#
            ),
            format!(
                r#"{{"@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns", "value": [{{"createdDateTime": "2026-01-01T00:00:00Z", "appId": "a", "servicePrincipalCredentialKeyId": "{guid}"}}]}}"#
            ),
            format!(
                r#"[{{"createdDateTime": "2026-01-01T00:00:00Z", "appId": "a", "servicePrincipalCredentialKeyId": "{guid}"}}]"#
            ),
            format!(
                r#"{{"createdDateTime": "2026-01-01T00:00:00Z", "appId": "a", "servicePrincipalCredentialKeyId": "{guid}"}}"#
            ),
            format!(
                r#"{{"timestamp": "2026-01-01T00:00:00Z", "protoPayload": {{"authenticationInfo": {{"serviceAccountKeyName": "//iam.googleapis.com/projects/p/serviceAccounts/a/keys/{key}"}}}}}}"#
            ),
        ];
        for text in &cases {
            let evidence = load(text);
            let subject = if text.contains(guid) { guid } else { key };
            assert!(
                evidence
                    .records
                    .contains_key(&Subject::KeyId(subject.into())),
                "{text}"
            );
        }
        let logs = load(
            r#"[{"TableName": "PrimaryResult", "TimeGenerated": "2026-01-01T00:00:00Z", "OperationName": "SecretGet", "id_s": "https://kv1.vault.azure.net/secrets/db/1"}]"#,
        );
        assert!(logs
            .records
            .contains_key(&Subject::Store("azure-kv:kv1/db".into())));
        let empty = load(r#"{"@odata.context": "x", "value": []}"#);
        assert!(empty.is_empty());
    }

    #[test]
    fn evidence_args_take_a_store_prefix() {
        let plain = EvidenceArg::parse("exports/a=b.json").unwrap();
        assert_eq!(plain.store, None);
        assert_eq!(plain.path, PathBuf::from("exports/a=b.json"));
        let named = EvidenceArg::parse("vault:secret/data/app=meta.json").unwrap();
        assert_eq!(named.store.as_deref(), Some("vault:secret/app"));
        assert_eq!(named.path, PathBuf::from("meta.json"));
    }

    #[test]
    fn times_parse_in_every_shape_the_tools_write() {
        let t = |v: Value| json_time(Some(&v)).map(crate::time::format_rfc3339);
        assert_eq!(
            t(Value::from("2026-01-15T10:20:30.123456+00:00")).unwrap(),
            "2026-01-15T10:20:30Z"
        );
        assert_eq!(
            t(Value::from("2026-01-15T10:20:30.123456789Z")).unwrap(),
            "2026-01-15T10:20:30Z"
        );
        assert_eq!(
            t(Value::from(1_768_472_430.5)).unwrap(),
            "2026-01-15T10:20:30Z"
        );
        assert_eq!(t(Value::from("")), None);
        assert_eq!(t(Value::from("0001-01-01T00:00:00Z")), None);
        assert_eq!(t(Value::Null), None);
    }

    #[test]
    fn merging_keeps_the_earliest_creation_latest_use_and_the_cautious_state() {
        let at = |s: &str, source: &str| Dated {
            at: crate::time::parse_date(s).unwrap(),
            source: source.into(),
        };
        let mut a = Record {
            created: Some(at("2026-01-01", "a")),
            last_used: Some(at("2026-03-01", "a")),
            enabled: Some(Stated {
                value: true,
                source: "a".into(),
            }),
            ..Record::default()
        };
        a.merge(Record {
            created: Some(at("2025-06-01", "b")),
            last_used: Some(at("2026-02-01", "b")),
            enabled: Some(Stated {
                value: false,
                source: "b".into(),
            }),
            ..Record::default()
        });
        assert_eq!(a.created.unwrap().source, "b");
        assert_eq!(a.last_used.unwrap().source, "a");
        assert!(!a.enabled.unwrap().value);
    }
}
