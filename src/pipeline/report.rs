//! The report of a scan or an audit: what the run read and where (roots, scopes, repository),
//! its inventory, and the audit's verdicts when there is one.

use std::time::Instant;

use super::collect::Collected;
use super::prepare::Prepared;
use crate::config::Settings;
use crate::manifest::audit::AuditOutcome;
use crate::report::{Report, RunInfo};

/// Builds the report of a run that started at `started`, with the audit's `outcome` if it was
/// an audit. Secret values are in it only with `show_secrets`.
pub fn build(
    prepared: &Prepared,
    collected: Collected,
    show_secrets: bool,
    started: Instant,
    outcome: Option<&AuditOutcome>,
) -> Report {
    let run = RunInfo {
        roots: roots_of(&prepared.settings),
        scopes: crate::scope::of_roots(&prepared.settings.roots),
        repository: prepared
            .settings
            .roots
            .first()
            .and_then(|root| crate::scope::repository_of(root)),
        stats: collected.stats,
        duration_ms: started.elapsed().as_millis() as u64,
        show_secrets,
        allowed: collected.allowed,
        manifest: prepared
            .manifest
            .as_ref()
            .map(|m| m.path.display().to_string()),
        salt_id: crate::fingerprint::salt_id(&prepared.salt),
        incremental: collected.history_reads,
    };
    let mut report = Report::new(&collected.inventory, run, outcome);
    report.as_of = Some(prepared.now);
    report
}

fn roots_of(settings: &Settings) -> Vec<String> {
    settings
        .roots
        .iter()
        .map(|r| r.to_string_lossy().into_owned())
        .collect()
}
