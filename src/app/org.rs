//! The many-repository commands (`docs/reference/many-repositories.md`): `scan`/`audit --repos`, `merge`, and
//! `audit --inventory` (the audit of a report read back, without scanning). The work is the
//! [`pipeline`](crate::pipeline)'s ([`repos`](crate::pipeline::repos),
//! [`reports`](crate::pipeline::reports)); here are the commands' output and exit codes.

use std::time::Instant;

use anyhow::{bail, Result};

use super::audit::{load_evidence, note_no_manifest};
use super::diag::Stderr;
use super::exit::{EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND};
use super::output::publish;
use super::record;
use crate::cli::{AuditArgs, MergeArgs, ReposArgs, ScanArgs};
use crate::config::ReportSettings;
use crate::pipeline::prepare::{prepare, ManifestUse};
use crate::pipeline::reports::{audit_report, merge_reports, read_inventory};
use crate::pipeline::repos::repos_report;
use crate::pipeline::verify::Verifier;
use crate::report::Report;

/// `scan --repos`.
pub(super) fn scan_repos(args: &ScanArgs) -> Result<u8> {
    let started = Instant::now();
    let verifier = Verifier::from_args(&args.verify)?;
    let prepared = prepare(&args.input, ManifestUse::Optional)?;
    let recording = record::open(&args.record, &args.input, true)?;
    let output = ReportSettings::from_output(&args.output);
    let mut report = repos_report(
        &prepared,
        &args.repos,
        output.show_secrets,
        verifier.as_ref(),
        recording.as_ref(),
        &Stderr,
    )?;
    report.scan.duration_ms = started.elapsed().as_millis() as u64;
    publish(&report, &output)?;
    record::record(
        recording.as_ref(),
        &report,
        prepared.settings.verbosity == 0,
    )?;
    Ok(exit_code(
        &report,
        prepared.settings.strict,
        !report.keys.is_empty(),
    ))
}

/// `audit --repos`.
pub(super) fn audit_repos(args: &AuditArgs) -> Result<u8> {
    let started = Instant::now();
    let verifier = Verifier::from_args(&args.verify)?;
    let prepared = prepare(&args.input, ManifestUse::Optional)?;
    let evidence = load_evidence(&args.evidence, &prepared)?;
    let recording = record::open(&args.record, &args.input, true)?;
    let output = ReportSettings::from_output(&args.output);
    let report = repos_report(
        &prepared,
        &args.repos,
        output.show_secrets,
        verifier.as_ref(),
        recording.as_ref(),
        &Stderr,
    )?;
    let in_history = recording
        .as_ref()
        .map(|r| r.declared_in_history())
        .unwrap_or_default();
    let (mut report, failing) = audit_report(
        report,
        &prepared,
        &evidence,
        args.fail_on.as_deref(),
        &in_history,
    )?;
    if prepared.manifest.is_none() {
        note_no_manifest(&prepared, &args.input);
    }
    report.scan.duration_ms = started.elapsed().as_millis() as u64;
    publish(&report, &output)?;
    record::record(
        recording.as_ref(),
        &report,
        prepared.settings.verbosity == 0,
    )?;
    Ok(exit_code(&report, prepared.settings.strict, failing))
}

/// `audit --inventory REPORT`.
pub(super) fn audit_inventory(args: &AuditArgs) -> Result<u8> {
    let path = args.inventory.as_deref().expect("called with --inventory");
    let prepared = prepare(&args.input, ManifestUse::Optional)?;
    let report = read_inventory(path, &prepared)?;
    let evidence = load_evidence(&args.evidence, &prepared)?;
    let output = ReportSettings::from_output(&args.output);
    let (mut report, failing) = audit_report(
        report,
        &prepared,
        &evidence,
        args.fail_on.as_deref(),
        &Default::default(),
    )?;
    if prepared.manifest.is_none() {
        note_no_manifest(&prepared, &args.input);
    }
    if !output.show_secrets {
        for key in &mut report.keys {
            key.secret = None;
        }
    }
    publish(&report, &output)?;
    let recording = record::open(&args.record, &args.input, false)?;
    record::record(
        recording.as_ref(),
        &report,
        prepared.settings.verbosity == 0,
    )?;
    Ok(exit_code(&report, prepared.settings.strict, failing))
}

/// `merge REPORT...`.
pub(super) fn merge_command(args: &MergeArgs) -> Result<u8> {
    let mut report = merge_reports(&args.reports)?;
    let output = ReportSettings::from_output(&args.output);
    if !output.show_secrets {
        for key in &mut report.keys {
            key.secret = None;
        }
    }
    publish(&report, &output)?;
    Ok(exit_code(&report, false, !report.keys.is_empty()))
}

/// `--shard` and `--clone-dir` without `--repos` (clap lets them through beside a PATH).
pub(super) fn refuse_repo_flags(args: &ReposArgs) -> Result<()> {
    if args.shard.is_some() || args.clone_dir.is_some() {
        bail!("--shard and --clone-dir work only with --repos FILE");
    }
    Ok(())
}

/// An error under `--strict` when the report is incomplete, else found or clean.
fn exit_code(report: &Report, strict: bool, failing: bool) -> u8 {
    if strict && !report.summary.complete {
        EXIT_ERROR
    } else if failing {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    }
}
