//! The audit: an inventory diffed against a manifest (`docs/reference/audit.md`). Pure logic: given the
//! keys, the manifest, the time and usage evidence, decide for each key which manifest entry
//! it is, which classes it falls in and why, and which declared keys were found nowhere.
//!
//! One file per cause: `unknown`, `stale`, `over_privileged`, `unused`; `links` joins a key
//! to what the exports say about it; `allows` removes what `[[allow]]` covers.

mod allows;
mod codes;
mod links;
mod over_privileged;
mod stale;
#[cfg(test)]
mod tests;
mod unknown;
mod unused;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Serialize;

use super::model::{AuditClass, KeyDecl, KeyState, Manifest};
use crate::evidence::{self, Evidence, Record, Subject, Unmatched};
use crate::inventory::{Inventory, Key, Location};
use crate::time::format_rfc3339;

use links::subjects_of;
use unknown::declares;

pub use allows::{apply_allows, drop_manifest_references};
pub use codes::{Reason, ReasonCode};

/// The audit verdict on one key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyAudit {
    /// The manifest entry's id, or null for an unknown key.
    pub declared_as: Option<String>,
    /// The classes the key falls in.
    pub flags: Vec<AuditClass>,
    /// One readable reason per flag cause.
    pub reasons: Vec<String>,
    /// The stable code of each of `reasons`, in step with it; each code names its class, so
    /// views that report a class at a time (SARIF) give each class its own reasons.
    pub reason_codes: Vec<ReasonCode>,
    /// Things worth knowing that fail nothing (an expiry within `expiry_warning`).
    pub warnings: Vec<String>,
    /// The stable code of each of `warnings`, in step with it.
    pub warning_codes: Vec<ReasonCode>,
    /// Age in whole days, when a date is known.
    pub age_days: Option<i64>,
    /// What evidence says about the key, each date with the export it came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Record>,
    /// What the manifest entry declares about the key's lifecycle (state, dates, store), for
    /// reports that map it (CycloneDX).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declaration: Option<Declaration>,
}

/// The lifecycle facts a manifest entry declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    /// `active`, `deprecated`, `revoked` or `compromised`.
    pub state: KeyState,
    /// When it was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When it was last rotated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotated: Option<String>,
    /// When it expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Where it is meant to live, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// Who owns it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl KeyAudit {
    /// Each reason with its code, in the order found.
    pub fn coded_reasons(&self) -> impl Iterator<Item = (ReasonCode, &str)> {
        self.reason_codes
            .iter()
            .copied()
            .zip(self.reasons.iter().map(String::as_str))
    }

    /// Each warning with its code, in the order found.
    pub fn coded_warnings(&self) -> impl Iterator<Item = (ReasonCode, &str)> {
        self.warning_codes
            .iter()
            .copied()
            .zip(self.warnings.iter().map(String::as_str))
    }

    /// The reasons `class` was raised for, with their codes, in the order found.
    pub fn coded_reasons_of(&self, class: AuditClass) -> impl Iterator<Item = (ReasonCode, &str)> {
        self.coded_reasons()
            .filter(move |(code, _)| code.class() == Some(class))
    }

    /// The reasons `class` was raised for, in the order found.
    pub fn reasons_of(&self, class: AuditClass) -> impl Iterator<Item = &str> {
        self.coded_reasons_of(class).map(|(_, reason)| reason)
    }
}

impl Declaration {
    fn of(d: &KeyDecl) -> Self {
        Self {
            state: d.state,
            created: d.created.map(format_rfc3339),
            rotated: d.rotated.map(format_rfc3339),
            expires: d.expires.map(format_rfc3339),
            store: d.store.clone(),
            owner: d.owner.clone(),
        }
    }
}

/// A declared key found nowhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnusedKey {
    /// The manifest entry's id.
    pub id: String,
    /// The declared rule.
    pub rule: Option<String>,
    /// The declared owner.
    pub owner: Option<String>,
    /// Why it is listed.
    pub reason: String,
    /// The stable code of `reason`.
    pub reason_code: ReasonCode,
}

/// The audit of a whole run.
#[derive(Debug, Clone, Default)]
pub struct AuditOutcome {
    /// One verdict per inventory key, in inventory order.
    pub keys: Vec<KeyAudit>,
    /// Declared active keys found nowhere.
    pub unused: Vec<UnusedKey>,
    /// Evidence about no declared and no found key.
    pub unmatched_evidence: Vec<Unmatched>,
}

/// The manifest's directory, canonical, for relating locations to manifest globs.
fn canonical_dir(manifest: &Manifest) -> PathBuf {
    std::fs::canonicalize(manifest.dir()).unwrap_or_else(|_| manifest.dir().to_path_buf())
}

/// The path of `location` relative to the manifest directory `dir` (canonicalised here).
pub fn manifest_path_for(location: &Location, dir: &Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    manifest_path(location, &dir)
}

/// The path of `location` relative to the manifest's directory: files on disk are related
/// through their real path; history and staged paths are already repository-relative. Inside
/// an archive, the file on disk is the outermost archive and the entry's `!/` path follows it
/// (`dist/app.jar!/BOOT-INF/application.properties`), so globs reach inside archives.
fn manifest_path(location: &Location, manifest_dir: &Path) -> String {
    let inner = location
        .inside
        .archive
        .first()
        .and_then(|outer| location.path.strip_prefix(outer.path.as_str()))
        .unwrap_or("");
    location
        .on_disk
        .as_ref()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .and_then(|p| p.strip_prefix(manifest_dir).ok().map(Path::to_path_buf))
        .map(|p| p.to_string_lossy().replace('\\', "/") + inner)
        .unwrap_or_else(|| location.path.clone())
}

/// Who answered a key's verification, for reasons: `GitHub (api.github.com)`.
fn answered_by(key: &Key) -> String {
    let provider =
        crate::verify::provider_for(&key.rule.id).map_or(key.rule.provider.as_str(), |p| p.name());
    match key
        .verification
        .as_ref()
        .and_then(|v| v.endpoint.as_deref())
    {
        Some(endpoint) => format!("{provider} ({endpoint})"),
        None => provider.to_string(),
    }
}

/// Where a location is, for reasons: `path:line`.
fn place(location: &Location) -> String {
    format!("{}:{}", location.path, location.line)
}

/// `a, b, c and 4 more`.
fn list_places(places: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut text = places
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if places.len() > SHOWN {
        text.push_str(&format!(" and {} more", places.len() - SHOWN));
    }
    text
}

/// Audits every key of `inventory` against `manifest` as of `now`.
pub fn audit(
    inventory: &Inventory,
    manifest: &Manifest,
    evidence: &Evidence,
    now: Timestamp,
) -> AuditOutcome {
    let dir = canonical_dir(manifest);
    let manifest_name = manifest.path.file_name().map_or_else(
        || "the manifest".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut matched: BTreeSet<&str> = BTreeSet::new();
    let mut claimed: BTreeSet<Subject> = manifest
        .keys
        .iter()
        .flat_map(|d| subjects_of(None, Some(d)))
        .map(|s| evidence.resolve(&s).clone())
        .collect();
    let keys = inventory
        .keys
        .iter()
        .map(|key| {
            let declaration = manifest.keys.iter().find(|d| declares(d, key));
            if let Some(d) = declaration {
                matched.insert(&d.id);
            }
            let paths: Vec<String> = key
                .locations
                .iter()
                .map(|l| manifest_path(l, &dir))
                .collect();
            let subjects = subjects_of(Some(key), declaration);
            claimed.extend(subjects.iter().map(|s| evidence.resolve(s).clone()));
            let record = evidence.about(&subjects);
            let mut verdict = Verdict::default();
            KeyCheck {
                key,
                manifest,
                record: record.as_ref(),
                now,
                declaration,
                paths: &paths,
            }
            .run(&mut verdict, &manifest_name);
            verdict.finish(declaration, record)
        })
        .collect();
    let unused = unused::unused(manifest, &matched);
    AuditOutcome {
        keys,
        unused,
        unmatched_evidence: evidence::unmatched(evidence, &claimed),
    }
}

#[derive(Default)]
struct Verdict {
    flags: BTreeSet<AuditClass>,
    reasons: Vec<Reason>,
    warnings: Vec<Reason>,
    age_days: Option<i64>,
}

impl Verdict {
    /// Raises the class `code` names, for the reason `message`.
    fn flag(&mut self, code: ReasonCode, message: String) {
        let class = code.class();
        debug_assert!(class.is_some(), "{code} is a warning, not a reason");
        self.flags.extend(class);
        self.reasons.push(Reason::new(code, message));
    }

    /// Raises the class `code` names, for the reason `message`, put before every other reason:
    /// the worst finding is read first.
    fn flag_first(&mut self, code: ReasonCode, message: String) {
        self.flag(code, message);
        let reason = self.reasons.pop().expect("just pushed");
        self.reasons.insert(0, reason);
    }

    /// Adds a warning, which raises no class.
    fn warn(&mut self, code: ReasonCode, message: impl Into<String>) {
        debug_assert!(code.class().is_none(), "{code} is a reason, not a warning");
        self.warnings.push(Reason::new(code, message));
    }

    fn finish(self, declaration: Option<&KeyDecl>, evidence: Option<Record>) -> KeyAudit {
        let (reason_codes, reasons) = self
            .reasons
            .into_iter()
            .map(|r| (r.code, r.message))
            .unzip();
        let (warning_codes, warnings) = self
            .warnings
            .into_iter()
            .map(|r| (r.code, r.message))
            .unzip();
        KeyAudit {
            declared_as: declaration.map(|d| d.id.clone()),
            flags: self.flags.into_iter().collect(),
            reasons,
            reason_codes,
            warnings,
            warning_codes,
            age_days: self.age_days,
            evidence,
            declaration: declaration.map(Declaration::of),
        }
    }
}

/// Everything one key's checks look at.
struct KeyCheck<'a> {
    key: &'a Key,
    manifest: &'a Manifest,
    /// What evidence says about the key, merged over its subjects.
    record: Option<&'a Record>,
    now: Timestamp,
    declaration: Option<&'a KeyDecl>,
    /// Location paths relative to the manifest, parallel to `key.locations`.
    paths: &'a [String],
}

impl KeyCheck<'_> {
    fn run(&self, verdict: &mut Verdict, manifest_name: &str) {
        self.unknown(verdict, manifest_name);
        self.hint(verdict);
        self.age(verdict);
        self.expiry(verdict);
        self.state(verdict);
        self.verified_state(verdict);
        self.store_state(verdict);
        self.rotation(verdict);
        self.usage(verdict);
        self.privilege(verdict);
        self.scopes(verdict);
        self.verified_scopes(verdict);
        self.locations(verdict);
        self.store_locations(verdict);
        self.test_paths(verdict);
        self.rule(verdict);
        self.lifetime(verdict);
        self.required_expiry(verdict);
        self.token_policies(verdict);
        self.environment(verdict);
    }
}
