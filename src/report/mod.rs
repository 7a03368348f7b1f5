//! The one serialisable [`Report`] model and its renderings. JSON and JSONL are serde of the
//! model; the table is a view of the same model. Renderings are written into a buffer, which
//! the command layer (`app`) writes out.

pub mod columns;
pub mod cyclonedx;
pub mod html;
pub mod input;
pub mod markdown;
pub mod markup;
pub mod sarif;
pub mod svg;
pub mod table;
pub mod text;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::evidence::Unmatched;
use crate::incremental::HistoryRead;
use crate::inventory::{FirstSeen, Inventory, Location};
use crate::managed::ManagedSecret;
use crate::manifest::audit::{AuditOutcome, KeyAudit, UnusedKey};
use crate::manifest::AuditClass;
use crate::rules::{Environment, Kind, Lifetime, Tier};
use crate::source::{ReadError, Skipped, StatsSnapshot};
use crate::time::format_rfc3339;

/// What every view says of a key found only in git history: deleting the file now leaves it
/// in every clone, so only rotation helps.
pub const HISTORY_ONLY: &str = "history only: removing it from the tree does not help, rotate it";

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people (the default on a terminal).
    Table,
    /// One JSON document (the default when stdout is not a terminal).
    Json,
    /// One JSON object per key, then a summary line.
    Jsonl,
    /// A Markdown summary for CI job summaries and compliance records.
    Markdown,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
    /// One self-contained HTML page (never a secret value, even with --show-secrets).
    Html,
    /// A CycloneDX 1.6 cryptographic bill of materials (JSON).
    Cyclonedx,
}

/// The tool that wrote the report.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// `keyaudit`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

impl Tool {
    /// This build of keyaudit.
    pub const KEYAUDIT: Tool = Tool {
        name: "keyaudit",
        version: env!("CARGO_PKG_VERSION"),
    };
}

/// What was read.
#[derive(Debug, Clone, Serialize)]
pub struct ScanSummary {
    /// The PATHs given.
    pub roots: Vec<String>,
    /// What the run covered, as `keyaudit db` scopes runs: the identity of each root
    /// ([`crate::scope`]) or the name of each `--repos` repository; sorted, no duplicates.
    pub scopes: Vec<String>,
    /// The git repository of the first PATH, named for people (name, remote without
    /// credentials, branch, HEAD commit); absent outside git and in merged runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<crate::scope::RepositoryInfo>,
    /// Files (and stdin) scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Git blobs scanned.
    pub blobs: u64,
    /// Git commits walked.
    pub commits: u64,
    /// Inputs passed over, with reasons.
    pub skipped: Vec<Skipped>,
    /// Inputs that could not be read.
    pub errors: Vec<ReadError>,
    /// Wall time of the run.
    pub duration_ms: u64,
    /// Names the key of every fingerprint here: reports with different salt ids cannot be
    /// compared or merged.
    pub salt_id: String,
    /// With `--shard`: `"I/N"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// In a merge: every shard merged into it, so later merges can tell duplicates and gaps.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<String>,
    /// With `--repos`: each repository scanned, with its counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repos: Option<Vec<RepoSummary>>,
    /// With `--db`: how each repository's history was read (in full, or only what is new
    /// since the refs recorded earlier), by scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incremental: Option<BTreeMap<String, HistoryRead>>,
}

/// One repository of a `--repos` run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepoSummary {
    /// Its name: the `repo` of its locations.
    pub name: String,
    /// Where it is, as listed (any URL password redacted).
    pub source: String,
    /// Files of its working tree scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Git blobs scanned.
    pub blobs: u64,
    /// Git commits walked.
    pub commits: u64,
    /// Distinct keys with a location in it.
    pub keys: usize,
    /// Locations in it.
    pub locations: usize,
    /// Inputs skipped in it.
    pub skipped: usize,
    /// Inputs that could not be read, or 1 when it could not be cloned, fetched or opened.
    pub errors: usize,
}

/// One inventory entry as reported.
#[derive(Debug, Clone, Serialize)]
pub struct KeyEntry {
    /// `hmac-sha256:…`.
    pub fingerprint: String,
    /// A non-secret identifier carried by the key.
    pub key_id: Option<String>,
    /// Rule id.
    pub rule: String,
    /// The rule's human-readable name (for SARIF and Markdown; not serialised).
    #[serde(skip)]
    pub rule_name: String,
    /// Provider.
    pub provider: String,
    /// Kind of secret.
    pub kind: Kind,
    /// A hint safe to print.
    pub redacted: String,
    /// The raw secret, only with `--show-secrets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Inferred tier.
    pub privilege: Tier,
    /// Why that tier.
    pub privilege_evidence: String,
    /// Inferred environment.
    pub environment: Environment,
    /// Why that environment.
    pub environment_evidence: String,
    /// `short` or `long`.
    pub lifetime: Lifetime,
    /// Expiry carried by the key.
    pub expires: Option<String>,
    /// Scopes carried by the key (JWT `scope`/`scp`), when decodable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// The AWS account an AWS access key id belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_account: Option<String>,
    /// With `--history`: the commit that introduced the key.
    pub first_seen: Option<FirstSeen>,
    /// Whether the key is present now.
    pub in_current_tree: bool,
    /// Where to revoke or rotate the key.
    pub rotate: Option<String>,
    /// Every place it appears.
    pub locations: Vec<Location>,
    /// With `--verify`: what its provider said of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<crate::verify::Verification>,
    /// With `audit`: declared_as, flags, reasons, warnings and age.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub audit: Option<KeyAudit>,
}

impl KeyEntry {
    /// Age in whole days: the audit's, else since the commit that introduced the key, counted
    /// to `now`.
    pub fn age_days(&self, now: Option<jiff::Timestamp>) -> Option<i64> {
        self.audit.as_ref().and_then(|a| a.age_days).or_else(|| {
            let first = self.first_seen.as_ref()?;
            let now = now?;
            Some((now.as_second() - first.date.as_second()).max(0) / 86_400)
        })
    }

    /// What views call the key: its manifest id, else its redacted hint.
    pub fn name(&self) -> &str {
        self.audit
            .as_ref()
            .and_then(|a| a.declared_as.as_deref())
            .unwrap_or(&self.redacted)
    }

    /// Whether the audit found the key declared revoked or compromised, yet live per its
    /// provider (`--verify`): the worst finding, which views for people list first.
    pub fn is_live_yet_withdrawn(&self) -> bool {
        self.audit
            .as_ref()
            .is_some_and(|a| a.reason_codes.iter().any(|c| c.is_live_yet_withdrawn()))
    }

    /// Who owns the key, as its manifest entry says.
    pub fn owner(&self) -> Option<&str> {
        self.audit
            .as_ref()
            .and_then(|a| a.declaration.as_ref())
            .and_then(|d| d.owner.as_deref())
    }
}

/// Now, to the millisecond, as reports give the time they were made.
pub fn now_to_the_millisecond() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Millisecond)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}

impl Summary {
    /// The totals of `keys` (per provider and privilege too), with the scan's counts of
    /// `skipped` entries and `errors`; no audit counts and no manifest.
    pub fn of_keys(
        keys: &[KeyEntry],
        skipped: usize,
        errors: usize,
        complete: bool,
        allowed: usize,
    ) -> Self {
        let mut by_provider = BTreeMap::new();
        let mut by_privilege = BTreeMap::new();
        for key in keys {
            *by_provider.entry(key.provider.clone()).or_insert(0) += 1;
            *by_privilege.entry(key.privilege).or_insert(0) += 1;
        }
        Self {
            keys: keys.len(),
            locations: keys.iter().map(|k| k.locations.len()).sum(),
            by_provider,
            by_privilege,
            skipped,
            errors,
            complete,
            allowed,
            flagged: None,
            manifest: None,
        }
    }
}

/// Totals.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Distinct keys.
    pub keys: usize,
    /// Locations over all keys.
    pub locations: usize,
    /// Keys per provider.
    pub by_provider: BTreeMap<String, usize>,
    /// Keys per privilege tier, written in the order of the tiers' names.
    #[serde(serialize_with = "by_name")]
    pub by_privilege: BTreeMap<Tier, usize>,
    /// Inputs skipped.
    pub skipped: usize,
    /// Inputs that could not be read.
    pub errors: usize,
    /// False when part of the input could not be read.
    pub complete: bool,
    /// Keys removed by `[[allow]]`.
    pub allowed: usize,
    /// With `audit`: keys per audit class (unused counts declared keys found nowhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flagged: Option<BTreeMap<&'static str, usize>>,
    /// With `audit`: the manifest used, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

impl Summary {
    /// Keys per privilege tier, in the order of the tiers' names (as the JSON report and the
    /// Markdown table list them).
    pub fn by_privilege_name(&self) -> Vec<(Tier, usize)> {
        let mut counts: Vec<(Tier, usize)> =
            self.by_privilege.iter().map(|(t, n)| (*t, *n)).collect();
        counts.sort_by_key(|(tier, _)| tier.as_str());
        counts
    }
}

/// Writes tier counts as a JSON object whose members follow the tiers' names, as reports
/// always have (tiers themselves are ordered by power).
fn by_name<S: serde::Serializer>(
    counts: &BTreeMap<Tier, usize>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut counts: Vec<(&Tier, &usize)> = counts.iter().collect();
    counts.sort_by_key(|(tier, _)| tier.as_str());
    let mut map = serializer.serialize_map(Some(counts.len()))?;
    for (tier, count) in counts {
        map.serialize_entry(tier.as_str(), count)?;
    }
    map.end()
}

/// A whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Report format version.
    pub version: u32,
    /// The tool.
    pub tool: Tool,
    /// What was read.
    pub scan: ScanSummary,
    /// The inventory.
    pub keys: Vec<KeyEntry>,
    /// Declared keys found nowhere.
    pub unused: Vec<UnusedKey>,
    /// With `audit`: evidence about no declared and no found key.
    pub unmatched_evidence: Vec<Unmatched>,
    /// Secrets fetched from central stores by Kubernetes ExternalSecrets (names, no values).
    pub managed: Vec<ManagedSecret>,
    /// Totals.
    pub summary: Summary,
    /// When the report was made (RFC 3339, UTC, milliseconds): the time of JSONL events.
    pub generated_at: String,
    /// The time ages are counted to (`--now`), when the run says; else `generated_at`.
    #[serde(skip)]
    pub as_of: Option<jiff::Timestamp>,
}

/// One JSONL event: flat, with the fields log pipelines key on (`timestamp`, `event`,
/// `level`, `message`) beside the event's own.
#[derive(Serialize)]
struct Event<'a, T: Serialize> {
    timestamp: &'a str,
    event: &'static str,
    level: &'static str,
    message: String,
    tool: &'static str,
    #[serde(flatten)]
    body: T,
}

/// Writes one JSONL event line (shared by reports and `db`, so log pipelines see one shape).
pub fn write_jsonl_event<T: Serialize>(
    out: &mut dyn Write,
    timestamp: &str,
    event: &'static str,
    level: &'static str,
    message: String,
    body: T,
) -> io::Result<()> {
    let line = Event {
        timestamp,
        event,
        level,
        message,
        tool: "keyaudit",
        body,
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}

/// The closing line of a JSONL report.
#[derive(Serialize)]
struct SummaryLine<'a> {
    summary: &'a Summary,
    scan: &'a ScanSummary,
}

/// A JSONL line for a declared key found nowhere.
#[derive(Serialize)]
struct UnusedLine<'a> {
    unused: &'a UnusedKey,
}

/// A JSONL line for an ExternalSecret.
#[derive(Serialize)]
struct ManagedLine<'a> {
    managed: &'a ManagedSecret,
}

/// A JSONL line for evidence that matched no key.
#[derive(Serialize)]
struct UnmatchedLine<'a> {
    unmatched_evidence: &'a Unmatched,
}

/// Everything a report is made from besides the inventory.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// The PATHs given.
    pub roots: Vec<String>,
    /// The identities of what was covered ([`ScanSummary::scopes`]).
    pub scopes: Vec<String>,
    /// The repository of the first PATH ([`ScanSummary::repository`]).
    pub repository: Option<crate::scope::RepositoryInfo>,
    /// What the sources counted.
    pub stats: StatsSnapshot,
    /// Wall time.
    pub duration_ms: u64,
    /// Include raw secrets.
    pub show_secrets: bool,
    /// Keys removed by `[[allow]]`.
    pub allowed: usize,
    /// The manifest used, if any.
    pub manifest: Option<String>,
    /// The salt id of the fingerprint key ([`crate::fingerprint::salt_id`]).
    pub salt_id: String,
    /// With `--db`: how each repository's history was read ([`ScanSummary::incremental`]).
    pub incremental: Option<BTreeMap<String, HistoryRead>>,
}

/// The level and one-line message of a key's JSONL event: an error when an audit flags it (or
/// a scan finds it), quoting no secret.
fn key_event(key: &KeyEntry) -> (&'static str, String) {
    let place = key
        .locations
        .first()
        .map(|l| format!("{}:{}", l.path, l.line))
        .unwrap_or_default();
    match &key.audit {
        Some(audit) if audit.flags.is_empty() => (
            "info",
            format!("{} {} at {place}: as declared", key.provider, key.kind),
        ),
        Some(audit) => (
            "error",
            format!(
                "{} {} at {place}: {}",
                key.provider,
                key.kind,
                audit
                    .flags
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        None => (
            "error",
            format!("{} {} found at {place}", key.provider, key.kind),
        ),
    }
}

impl Report {
    /// Builds the report of a scan, or of an audit when `audit` is given.
    pub fn new(inventory: &Inventory, run: RunInfo, audit: Option<&AuditOutcome>) -> Self {
        let keys: Vec<KeyEntry> = inventory
            .keys
            .iter()
            .enumerate()
            .map(|(index, key)| {
                let rule = &key.rule;
                let a = &key.assessment;
                KeyEntry {
                    fingerprint: key.fingerprint.clone(),
                    key_id: key.key_id.clone(),
                    rule: rule.id.clone(),
                    rule_name: rule.name.clone(),
                    provider: a.provider.clone().unwrap_or_else(|| rule.provider.clone()),
                    kind: rule.kind,
                    redacted: key.secret.redacted(),
                    secret: run.show_secrets.then(|| key.secret.expose_str()),
                    privilege: a.privilege,
                    privilege_evidence: a.privilege_evidence.clone(),
                    environment: a.environment,
                    environment_evidence: a.environment_evidence.clone(),
                    lifetime: a.lifetime,
                    expires: a.expires.map(format_rfc3339),
                    scopes: a.scopes.clone(),
                    aws_account: a.aws_account.clone(),
                    first_seen: key.first_seen.clone(),
                    in_current_tree: key.in_current_tree,
                    rotate: rule.rotate.clone(),
                    locations: key.locations.clone(),
                    verification: key.verification.clone(),
                    audit: audit.map(|a| a.keys[index].clone()),
                }
            })
            .collect();
        let unused = audit.map(|a| a.unused.clone()).unwrap_or_default();
        let flagged = audit.map(|_| {
            let mut counts: BTreeMap<&'static str, usize> =
                AuditClass::ALL.iter().map(|c| (c.as_str(), 0)).collect();
            for key in &keys {
                for class in key.audit.iter().flat_map(|a| &a.flags) {
                    *counts.entry(class.as_str()).or_insert(0) += 1;
                }
            }
            counts.insert(AuditClass::Unused.as_str(), unused.len());
            counts
        });
        let summary = Summary {
            flagged,
            manifest: run.manifest,
            ..Summary::of_keys(
                &keys,
                run.stats.skipped.len(),
                run.stats.errors.len(),
                run.stats.errors.is_empty(),
                run.allowed,
            )
        };
        Self {
            version: 1,
            tool: Tool::KEYAUDIT,
            scan: ScanSummary {
                roots: run.roots,
                scopes: run.scopes,
                repository: run.repository,
                files: run.stats.files,
                bytes: run.stats.bytes,
                blobs: run.stats.blobs,
                commits: run.stats.commits,
                skipped: run.stats.skipped,
                errors: run.stats.errors,
                duration_ms: run.duration_ms,
                salt_id: run.salt_id,
                shard: None,
                shards: Vec::new(),
                repos: None,
                incremental: run.incremental,
            },
            keys,
            unused,
            unmatched_evidence: audit
                .map(|a| a.unmatched_evidence.clone())
                .unwrap_or_default(),
            managed: inventory.managed.clone(),
            summary,
            generated_at: now_to_the_millisecond(),
            as_of: None,
        }
    }

    /// Whether some key was verified (`--verify`): views show verification only then.
    pub fn is_verified(&self) -> bool {
        self.keys.iter().any(|k| k.verification.is_some())
    }

    /// The keys in the order views for people list them: the keys declared revoked or
    /// compromised yet live per their provider first, then the report's order.
    pub fn keys_for_people(&self) -> Vec<&KeyEntry> {
        let mut keys: Vec<&KeyEntry> = self.keys.iter().collect();
        keys.sort_by_key(|k| !k.is_live_yet_withdrawn());
        keys
    }

    /// What the report is, for people: `keyaudit audit` or `keyaudit inventory`, and the
    /// repository it covers (`keyaudit audit of payments`). Plain text: views escape it.
    pub fn title(&self) -> String {
        let what = if self.summary.flagged.is_some() {
            "audit"
        } else {
            "inventory"
        };
        match &self.scan.repository {
            Some(repository) => format!("keyaudit {what} of {}", repository.name),
            None => format!("keyaudit {what}"),
        }
    }

    /// Writes one JSONL event line.
    fn write_event<T: Serialize>(
        &self,
        out: &mut dyn Write,
        event: &'static str,
        level: &'static str,
        message: String,
        body: T,
    ) -> io::Result<()> {
        write_jsonl_event(out, &self.generated_at, event, level, message, body)
    }

    /// Writes the report in `format`, a table laid out by `table`.
    pub fn render(
        &self,
        format: Format,
        table: &columns::TableStyle,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        match format {
            Format::Table => table::render(self, table, out),
            Format::Markdown => markdown::render(self, out),
            Format::Sarif => sarif::render(self, out),
            Format::Html => html::render(self, out),
            Format::Cyclonedx => cyclonedx::render(self, out),
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, self)?;
                writeln!(out)
            }
            Format::Jsonl => {
                for key in &self.keys {
                    let (level, message) = key_event(key);
                    self.write_event(out, "key", level, message, key)?;
                }
                for unused in &self.unused {
                    let message = format!("declared key {} found nowhere", unused.id);
                    self.write_event(out, "unused", "warning", message, UnusedLine { unused })?;
                }
                for unmatched in &self.unmatched_evidence {
                    let message = format!(
                        "evidence about {} matches no declared or found key",
                        unmatched.subject
                    );
                    let body = UnmatchedLine {
                        unmatched_evidence: unmatched,
                    };
                    self.write_event(out, "unmatched_evidence", "info", message, body)?;
                }
                for managed in &self.managed {
                    let message = format!(
                        "{} fetches {} from store {}",
                        managed.name,
                        managed.refs.len(),
                        managed.store
                    );
                    self.write_event(out, "managed", "info", message, ManagedLine { managed })?;
                }
                let message = format!(
                    "{} key{} in {} location{}",
                    self.summary.keys,
                    if self.summary.keys == 1 { "" } else { "s" },
                    self.summary.locations,
                    if self.summary.locations == 1 { "" } else { "s" }
                );
                let body = SummaryLine {
                    summary: &self.summary,
                    scan: &self.scan,
                };
                self.write_event(out, "summary", "info", message, body)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::KeyState;
    use crate::source::SourceKind;

    /// What serde writes for `value`, as a string.
    fn written<T: Serialize>(value: T) -> String {
        serde_json::to_value(value)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn enums_are_written_and_shown_by_their_report_names() {
        use Kind::*;
        for kind in [
            ApiKey,
            Token,
            PrivateKey,
            Password,
            ConnectionString,
            Certificate,
            Generic,
        ] {
            assert_eq!(written(kind), kind.as_str());
            assert_eq!(kind.to_string(), kind.as_str());
        }
        for tier in [
            Tier::Public,
            Tier::Read,
            Tier::Scoped,
            Tier::Full,
            Tier::Admin,
        ] {
            assert_eq!(written(tier), tier.as_str());
            assert_eq!(tier.to_string(), tier.as_str());
        }
        for environment in [Environment::Live, Environment::Test, Environment::Unknown] {
            assert_eq!(written(environment), environment.as_str());
            assert_eq!(environment.to_string(), environment.as_str());
        }
        for lifetime in [Lifetime::Short, Lifetime::Long] {
            assert_eq!(written(lifetime), lifetime.as_str());
            assert_eq!(lifetime.to_string(), lifetime.as_str());
        }
        for source in [
            SourceKind::File,
            SourceKind::Git,
            SourceKind::Staged,
            SourceKind::Stdin,
        ] {
            assert_eq!(written(source), source.as_str());
            assert_eq!(source.to_string(), source.as_str());
        }
        for state in [
            KeyState::Active,
            KeyState::Deprecated,
            KeyState::Revoked,
            KeyState::Compromised,
        ] {
            assert_eq!(written(state), state.as_str());
            assert_eq!(state.to_string(), state.as_str());
        }
    }

    #[test]
    fn tier_counts_are_written_in_the_order_of_their_names() {
        let summary = Summary {
            by_privilege: [(Tier::Public, 1), (Tier::Admin, 2), (Tier::Read, 3)].into(),
            ..Summary::of_keys(&[], 0, 0, true, 0)
        };
        let text = serde_json::to_string(&summary).unwrap();
        assert!(
            text.contains(r#""by_privilege":{"admin":2,"public":1,"read":3}"#),
            "{text}"
        );
        let named: Vec<(Tier, usize)> = summary.by_privilege_name();
        assert_eq!(
            named,
            [(Tier::Admin, 2), (Tier::Public, 1), (Tier::Read, 3)]
        );
    }
}
