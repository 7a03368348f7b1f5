//! The end of a scan or an audit: its report built and delivered, its exit code decided (an
//! error for unreadable input under `--strict`, else keys found or failing, else clean), and the
//! `--strict` line said.

use std::time::Instant;

use anyhow::Result;

use super::diag::{first_few_unread, inputs, tell};
use super::exit::{EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND};
use super::output::publish;
use super::record::record;
use crate::cli::OutputArgs;
use crate::config::ReportSettings;
use crate::error::Diagnostic;
use crate::manifest::audit::AuditOutcome;
use crate::pipeline::collect::Collected;
use crate::pipeline::incremental::Recording;
use crate::pipeline::prepare::Prepared;
use crate::pipeline::report;
use crate::report::Report;

/// Renders and writes the report of a scan or audit, records it in the `recording`'s
/// database (`--db`), and decides its exit code: an error for unreadable input under
/// `--strict`, else `failing` or clean.
pub(super) fn finish(
    prepared: &Prepared,
    collected: Collected,
    output: &OutputArgs,
    started: Instant,
    outcome: Option<&AuditOutcome>,
    failing: bool,
    recording: Option<&Recording>,
) -> Result<u8> {
    let output = ReportSettings::from_output(output);
    let show_secrets = output.show_secrets;
    let quiet = prepared.settings.verbosity == 0;
    finish_with(
        prepared,
        collected,
        show_secrets,
        started,
        outcome,
        failing,
        |report, _| {
            publish(report, &output)?;
            record(recording, report, quiet)
        },
    )
}

/// Builds the report of a scan or audit, hands it to `deliver` with the exit code, and
/// returns that code: an error for unreadable input under `--strict`, else `failing` or clean.
pub(super) fn finish_with(
    prepared: &Prepared,
    collected: Collected,
    show_secrets: bool,
    started: Instant,
    outcome: Option<&AuditOutcome>,
    failing: bool,
    deliver: impl FnOnce(&Report, u8) -> Result<()>,
) -> Result<u8> {
    let stats = &collected.stats;
    let incomplete = !stats.errors.is_empty();
    let strict_failure = incomplete && prepared.settings.strict;
    let strict_message = strict_failure.then(|| {
        Diagnostic::error(format!(
            "--strict: {} could not be read: {}",
            inputs(stats.errors.len()),
            first_few_unread(stats)
        ))
    });
    let code = if strict_failure {
        EXIT_ERROR
    } else if failing {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    };
    let report = report::build(prepared, collected, show_secrets, started, outcome);
    deliver(&report, code)?;
    if let Some(message) = strict_message {
        tell(&message);
    }
    Ok(code)
}
