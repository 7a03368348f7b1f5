//! `keyaudit audit PATH...`: the inventory judged against the manifest, reported with its
//! verdicts; exit 1 when a key is in a `--fail-on` class. `audit --repos` and
//! `audit --inventory` are in `org`; `hook run` is this audit of what is staged.

use std::time::Instant;

use anyhow::Result;

use super::diag::{tell, Stderr};
use super::finish::finish;
use super::record;
use crate::cli::{AuditArgs, EvidenceArgs, InputArgs};
use crate::error::Diagnostic;
use crate::evidence::Evidence;
use crate::manifest::audit::AuditOutcome;
use crate::pipeline::audit::audit_collected;
use crate::pipeline::collect::{collect, Collected};
use crate::pipeline::incremental::Recording;
use crate::pipeline::prepare::{prepare, ManifestUse, Prepared};
use crate::pipeline::verify::Verifier;

/// `audit PATH...`.
pub(super) fn run(args: &AuditArgs) -> Result<u8> {
    let run = run_audit(args)?;
    finish(
        &run.prepared,
        run.collected,
        &args.output,
        run.started,
        Some(&run.outcome),
        run.failing,
        run.recording.as_ref(),
    )
}

/// An audit run, before it is reported.
pub(super) struct AuditRun {
    pub(super) prepared: Prepared,
    pub(super) collected: Collected,
    pub(super) outcome: AuditOutcome,
    /// A key is in a `--fail-on` class.
    pub(super) failing: bool,
    pub(super) started: Instant,
    /// With `--db`: the database the run is recorded in.
    pub(super) recording: Option<Recording>,
}

/// Scans and audits against the manifest (an empty one when there is none).
pub(super) fn run_audit(args: &AuditArgs) -> Result<AuditRun> {
    let started = Instant::now();
    // Before anything is read: a KEYAUDIT_VERIFY_CONNECT_TO keyaudit refuses stops the run.
    let verifier = Verifier::from_args(&args.verify)?;
    let prepared = prepare(&args.input, ManifestUse::Optional)?;
    let evidence = load_evidence(&args.evidence, &prepared)?;
    let recording = record::open(&args.record, &args.input, false)?;
    let mut collected = collect(&prepared, recording.as_ref(), &Stderr)?;
    if let Some(verifier) = &verifier {
        verifier.verify(
            &mut collected.inventory,
            prepared.settings.verbosity,
            &Stderr,
        );
    }
    if prepared.manifest.is_none() {
        note_no_manifest(&prepared, &args.input);
    }
    let (outcome, failing) =
        audit_collected(&prepared, &collected, &evidence, args.fail_on.as_deref())?;
    if prepared.settings.verbosity > 0 && !outcome.unmatched_evidence.is_empty() {
        tell(&Diagnostic::note(format!(
            "evidence about {} subject{} matches no declared or found key (listed in the report)",
            outcome.unmatched_evidence.len(),
            if outcome.unmatched_evidence.len() == 1 {
                ""
            } else {
                "s"
            }
        )));
    }
    Ok(AuditRun {
        prepared,
        collected,
        outcome,
        failing,
        started,
        recording,
    })
}

/// Without a manifest every key is unknown: says so with `-v`.
pub(super) fn note_no_manifest(prepared: &Prepared, input: &InputArgs) {
    if prepared.settings.verbosity > 0 {
        tell(&Diagnostic::note(if input.no_manifest {
            "no manifest in use (--no-manifest), so every key is unknown"
        } else {
            "no keyaudit.toml found, so every key is unknown (create one with `keyaudit manifest init`)"
        }));
    }
}

/// Reads the evidence files, telling the user what could not be joined.
pub(super) fn load_evidence(args: &EvidenceArgs, prepared: &Prepared) -> Result<Evidence> {
    let evidence = crate::pipeline::audit::load_evidence(args, prepared)?;
    if prepared.settings.verbosity > 0 {
        for note in &evidence.notes {
            tell(&Diagnostic::note(note.as_str()));
        }
    }
    Ok(evidence)
}
