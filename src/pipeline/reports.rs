//! Reports read back: `merge` of JSON reports, and the audit of a report in scan's schema
//! (`audit --inventory`, and `audit --repos` after its scan) without scanning again.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::audit::{fails, manifest_or_empty};
use super::prepare::Prepared;
use crate::analyze::Assessment;
use crate::evidence::Evidence;
use crate::fingerprint::salt_id;
use crate::inventory::{Inventory, Key, RuleRef};
use crate::manifest::audit::{apply_allows, audit};
use crate::manifest::AuditClass;
use crate::org::merge::{assemble, merge, Input};
use crate::report::input;
use crate::report::Report;
use crate::rules::RuleSet;
use crate::secret::Secret;

/// Reads the JSON reports at `paths` and merges them into one. JSON reports carry rule ids, not
/// names: the built-in rules name theirs, for SARIF and Markdown.
pub fn merge_reports(paths: &[PathBuf]) -> Result<Report> {
    let inputs = paths
        .iter()
        .map(|path| {
            input::read(path).map(|report| Input {
                name: path.display().to_string(),
                report,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    // JSON reports carry rule ids, not names: name the built-in ones for SARIF and Markdown.
    let builtin = RuleSet::load(true, &[]).ok();
    let names: HashMap<&str, &str> = builtin
        .iter()
        .flat_map(|set| set.rules())
        .map(|r| (r.id.as_str(), r.name.as_str()))
        .collect();
    merge(inputs, &|id| names.get(id).map(|n| n.to_string())).map_err(anyhow::Error::msg)
}

/// Reads the report at `path` for `audit --inventory`: its fingerprints must be keyed by the
/// salt of this run, else they cannot be compared.
pub fn read_inventory(path: &Path, prepared: &Prepared) -> Result<Report> {
    let report = input::read(path)?;
    let expected = salt_id(&prepared.salt);
    if report.scan.salt_id != expected {
        let whose = prepared.manifest.as_ref().map_or_else(
            || "the fixed key keyaudit-v1 (no manifest)".to_string(),
            |m| format!("the salt of {}", m.path.display()),
        );
        bail!(
            "{}: salt_id {} differs from {expected}, that of {whose}: its fingerprints cannot be compared",
            path.display(),
            report.scan.salt_id
        );
    }
    Ok(report)
}

/// Audits a report in scan's schema against the manifest: the keys are rebuilt as an
/// inventory (each with its rule as the report names it), `[[allow]]` applies, and each entry gets its
/// verdict; a declared key is not unused when `in_history` (the manifest ids an incremental
/// run left in history it did not read again) names it. Returns the audit report and whether
/// it fails `fail_on` (`--fail-on`, if given).
pub fn audit_report(
    report: Report,
    prepared: &Prepared,
    evidence: &Evidence,
    fail_on: Option<&[AuditClass]>,
    in_history: &BTreeSet<String>,
) -> Result<(Report, bool)> {
    let mut inventory = inventory_of(&report)?;
    let manifest = &*manifest_or_empty(prepared)?;
    let allowed = apply_allows(&mut inventory, manifest);
    let mut outcome = audit(&inventory, manifest, evidence, prepared.now);
    outcome.unused.retain(|u| !in_history.contains(&u.id));
    let failing = fails(fail_on, manifest, &outcome);
    let complete = report.summary.complete;
    let allowed = report.summary.allowed + allowed;
    let mut entries: HashMap<String, _> = report
        .keys
        .into_iter()
        .map(|k| (k.fingerprint.clone(), k))
        .collect();
    let keys = inventory
        .keys
        .iter()
        .zip(&outcome.keys)
        .filter_map(|(key, verdict)| {
            let mut entry = entries.remove(&key.fingerprint)?;
            entry.locations = key.locations.clone();
            entry.audit = Some(verdict.clone());
            Some(entry)
        })
        .collect();
    let mut out = assemble(report.scan, keys, report.managed, allowed, complete);
    let mut flagged: BTreeMap<&'static str, usize> =
        AuditClass::ALL.iter().map(|c| (c.as_str(), 0)).collect();
    for class in out
        .keys
        .iter()
        .flat_map(|k| k.audit.iter().flat_map(|a| &a.flags))
    {
        *flagged.entry(class.as_str()).or_insert(0) += 1;
    }
    flagged.insert(AuditClass::Unused.as_str(), outcome.unused.len());
    out.summary.flagged = Some(flagged);
    out.summary.manifest = prepared
        .manifest
        .as_ref()
        .map(|m| m.path.display().to_string());
    out.unused = outcome.unused;
    out.unmatched_evidence = outcome.unmatched_evidence;
    Ok((out, failing))
}

/// The report's keys as an inventory: each key carries what the audit reads of its rule (id,
/// name, provider, kind) from the report itself.
fn inventory_of(report: &Report) -> Result<Inventory> {
    let keys = report
        .keys
        .iter()
        .map(|entry| {
            Ok(Key {
                fingerprint: entry.fingerprint.clone(),
                secret: Secret::new(entry.secret.clone().unwrap_or_default().into_bytes()),
                rule: RuleRef {
                    id: entry.rule.clone(),
                    name: entry.rule_name.clone(),
                    // The report's provider is final: keys of one generic rule may name
                    // different providers.
                    provider: entry.provider.clone(),
                    kind: entry.kind,
                    rotate: entry.rotate.clone(),
                },
                key_id: entry.key_id.clone(),
                account: None,
                assessment: Assessment {
                    privilege: entry.privilege,
                    privilege_evidence: entry.privilege_evidence.clone(),
                    environment: entry.environment,
                    environment_evidence: entry.environment_evidence.clone(),
                    lifetime: entry.lifetime,
                    expires: entry
                        .expires
                        .as_deref()
                        .map(str::parse)
                        .transpose()
                        .context("a key's expires is not an RFC 3339 time")?,
                    scopes: entry.scopes.clone(),
                    aws_account: entry.aws_account.clone(),
                    provider: Some(entry.provider.clone()),
                    key_id: entry.key_id.clone(),
                },
                in_current_tree: entry.in_current_tree,
                first_seen: entry.first_seen.clone(),
                locations: entry.locations.clone(),
                verification: entry.verification.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Inventory {
        keys,
        managed: report.managed.clone(),
    })
}
