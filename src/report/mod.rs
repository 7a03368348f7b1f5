//! The one serialisable [`Report`] model and its renderings. JSON and JSONL are serde of the
//! model; the table is a view of the same model. Nothing outside this module writes to stdout.

pub mod table;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::inventory::{Inventory, Location};
use crate::rules::RuleSet;
use crate::source::{ReadError, Skipped, StatsSnapshot};

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people (the default on a terminal).
    Table,
    /// One JSON document (the default when stdout is not a terminal).
    Json,
    /// One JSON object per key, then a summary line.
    Jsonl,
}

/// The tool that wrote the report.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// `keyaudit`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

/// What was read.
#[derive(Debug, Clone, Serialize)]
pub struct ScanSummary {
    /// The PATHs given.
    pub roots: Vec<String>,
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
}

/// The commit that introduced a key.
#[derive(Debug, Clone, Serialize)]
pub struct FirstSeen {
    /// Commit id.
    pub commit: String,
    /// Commit date, RFC 3339 UTC.
    pub date: String,
    /// Author.
    pub author: String,
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
    /// Provider.
    pub provider: String,
    /// Kind of secret.
    pub kind: &'static str,
    /// A hint safe to print.
    pub redacted: String,
    /// The raw secret, only with `--show-secrets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Inferred tier.
    pub privilege: &'static str,
    /// Why that tier.
    pub privilege_evidence: String,
    /// Inferred environment.
    pub environment: &'static str,
    /// Why that environment.
    pub environment_evidence: String,
    /// `short` or `long`.
    pub lifetime: &'static str,
    /// Expiry carried by the key.
    pub expires: Option<String>,
    /// With `--history`: the commit that introduced the key.
    pub first_seen: Option<FirstSeen>,
    /// Whether the key is present now.
    pub in_current_tree: bool,
    /// Where to revoke or rotate the key.
    pub rotate: Option<String>,
    /// Every place it appears.
    pub locations: Vec<Location>,
}

/// A declared key found nowhere (filled by `audit`).
#[derive(Debug, Clone, Serialize)]
pub struct UnusedEntry {
    /// The manifest id.
    pub id: String,
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
    /// Keys per privilege tier.
    pub by_privilege: BTreeMap<&'static str, usize>,
    /// Inputs skipped.
    pub skipped: usize,
    /// Inputs that could not be read.
    pub errors: usize,
    /// False when part of the input could not be read.
    pub complete: bool,
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
    pub unused: Vec<UnusedEntry>,
    /// Totals.
    pub summary: Summary,
}

/// Everything a report is made from besides the inventory.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// The PATHs given.
    pub roots: Vec<String>,
    /// What the sources counted.
    pub stats: StatsSnapshot,
    /// Wall time.
    pub duration_ms: u64,
    /// Include raw secrets.
    pub show_secrets: bool,
}

impl Report {
    /// Builds the report of a scan.
    pub fn new(rules: &RuleSet, inventory: &Inventory, run: RunInfo) -> Self {
        let keys: Vec<KeyEntry> = inventory
            .keys
            .iter()
            .map(|key| {
                let rule = &rules.rules()[key.rule];
                let a = &key.assessment;
                KeyEntry {
                    fingerprint: key.fingerprint.clone(),
                    key_id: key.key_id.clone(),
                    rule: rule.id.clone(),
                    provider: rule.provider.clone(),
                    kind: rule.kind.as_str(),
                    redacted: key.secret.redacted(),
                    secret: run.show_secrets.then(|| key.secret.expose_str()),
                    privilege: a.privilege.as_str(),
                    privilege_evidence: a.privilege_evidence.clone(),
                    environment: a.environment.as_str(),
                    environment_evidence: a.environment_evidence.clone(),
                    lifetime: a.lifetime.as_str(),
                    expires: a.expires.clone(),
                    first_seen: None,
                    in_current_tree: key.in_current_tree,
                    rotate: rule.rotate.clone(),
                    locations: key.locations.clone(),
                }
            })
            .collect();
        let mut by_provider = BTreeMap::new();
        let mut by_privilege = BTreeMap::new();
        for key in &keys {
            *by_provider.entry(key.provider.clone()).or_insert(0) += 1;
            *by_privilege.entry(key.privilege).or_insert(0) += 1;
        }
        let summary = Summary {
            keys: keys.len(),
            locations: keys.iter().map(|k| k.locations.len()).sum(),
            by_provider,
            by_privilege,
            skipped: run.stats.skipped.len(),
            errors: run.stats.errors.len(),
            complete: run.stats.errors.is_empty(),
        };
        Self {
            version: 1,
            tool: Tool {
                name: "keyaudit",
                version: env!("CARGO_PKG_VERSION"),
            },
            scan: ScanSummary {
                roots: run.roots,
                files: run.stats.files,
                bytes: run.stats.bytes,
                blobs: 0,
                commits: 0,
                skipped: run.stats.skipped,
                errors: run.stats.errors,
                duration_ms: run.duration_ms,
            },
            keys,
            unused: Vec::new(),
            summary,
        }
    }

    /// Writes the report in `format`.
    pub fn render(&self, format: Format, out: &mut dyn Write) -> io::Result<()> {
        match format {
            Format::Table => table::render(self, out),
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, self)?;
                writeln!(out)
            }
            Format::Jsonl => {
                for key in &self.keys {
                    serde_json::to_writer(&mut *out, key)?;
                    writeln!(out)?;
                }
                #[derive(Serialize)]
                struct SummaryLine<'a> {
                    summary: &'a Summary,
                    scan: &'a ScanSummary,
                }
                serde_json::to_writer(
                    &mut *out,
                    &SummaryLine {
                        summary: &self.summary,
                        scan: &self.scan,
                    },
                )?;
                writeln!(out)
            }
        }
    }
}
