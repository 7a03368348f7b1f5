//! Judging an inventory: the evidence files loaded, the audit against the manifest (an empty
//! one when there is none), and whether its outcome fails `--fail-on`.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Result;

use super::collect::Collected;
use super::prepare::Prepared;
use crate::cli::EvidenceArgs;
use crate::evidence::{Evidence, LoadContext};
use crate::manifest::audit::{audit, AuditOutcome};
use crate::manifest::{AuditClass, Manifest};

/// Reads the evidence files. Their notes (what could not be joined) are the caller's to tell.
pub fn load_evidence(args: &EvidenceArgs, prepared: &Prepared) -> Result<Evidence> {
    let vault_stores = prepared
        .manifest
        .iter()
        .flat_map(|m| &m.keys)
        .filter_map(|k| k.store_ref.clone())
        .filter(|s| s.starts_with("vault:"))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let context = LoadContext {
        salt: &prepared.salt,
        vault_stores,
    };
    Ok(Evidence::load(&args.files, &context)?)
}

/// Audits the inventory against the manifest, an empty one when there is none (every key is
/// then unknown). A commit holds only part of the tree: with `--staged`, a declared key it does
/// not touch is not unused. `fail_on` is `--fail-on`, if given.
pub fn audit_collected(
    prepared: &Prepared,
    collected: &Collected,
    evidence: &Evidence,
    fail_on: Option<&[AuditClass]>,
) -> Result<(AuditOutcome, bool)> {
    let manifest = &*manifest_or_empty(prepared)?;
    let mut outcome = audit(&collected.inventory, manifest, evidence, prepared.now);
    // A commit holds only part of the tree: a declared key it does not touch is not unused.
    if prepared.settings.staged {
        outcome.unused.clear();
    }
    // Nor is one an incremental run left in the history it did not read again.
    outcome
        .unused
        .retain(|u| !collected.declared_in_history.contains(&u.id));
    let failing = fails(fail_on, manifest, &outcome);
    Ok((outcome, failing))
}

/// The run's manifest, or an empty one when it has none: an audit without a manifest finds
/// every key unknown.
pub fn manifest_or_empty(prepared: &Prepared) -> Result<std::borrow::Cow<'_, Manifest>> {
    Ok(match &prepared.manifest {
        Some(manifest) => std::borrow::Cow::Borrowed(manifest),
        None => std::borrow::Cow::Owned(empty_manifest()?),
    })
}

/// A manifest that declares nothing.
fn empty_manifest() -> Result<Manifest> {
    Ok(Manifest::parse(
        Path::new("keyaudit.toml"),
        "version = 1\n",
        &|_| None,
    )?)
}

/// Whether an audit's outcome has a key in a `--fail-on` class (or an unused declared key,
/// when `unused` is one). `fail_on` is `--fail-on`, if given, else the manifest's policy.
pub fn fails(fail_on: Option<&[AuditClass]>, manifest: &Manifest, outcome: &AuditOutcome) -> bool {
    let fail_on: Vec<AuditClass> = fail_on
        .map(<[AuditClass]>::to_vec)
        .or_else(|| manifest.policy.fail_on.clone())
        .unwrap_or_else(|| AuditClass::DEFAULT_FAIL_ON.to_vec());
    outcome
        .keys
        .iter()
        .any(|k| k.flags.iter().any(|f| fail_on.contains(f)))
        || (fail_on.contains(&AuditClass::Unused) && !outcome.unused.is_empty())
}
