//! `--db` and `--incremental` on `scan` and `audit` (`docs/reference/incremental.md`): the
//! run's recording opened before anything is read, with the combinations it cannot honour
//! refused, and the report recorded in the database once it is delivered, said as `db ingest`
//! says it.

use anyhow::{bail, Result};

use super::diag::tell;
use crate::cli::{InputArgs, RecordArgs};
use crate::db::ingest::Recorded;
use crate::db::render::short_id;
use crate::error::Diagnostic;
use crate::incremental::HistoryRead;
use crate::pipeline::incremental::Recording;
use crate::report::Report;

/// The run's recording, if `--db` is given. `repos`: a `--repos` run, whose locations each
/// name their repository.
pub(super) fn open(args: &RecordArgs, input: &InputArgs, repos: bool) -> Result<Option<Recording>> {
    let Some(db) = &args.db else {
        return Ok(None);
    };
    // `hook run` audits what is staged: part of a commit, which must not resolve anything.
    if input.staged {
        bail!("--db records runs over whole trees and histories, not what is staged");
    }
    // A run over one root knows which repository each history location is in; over several,
    // it does not, so what it read cannot be carried forward repository by repository.
    let one_root = input.paths.len() == 1 && input.paths[0].as_os_str() != "-";
    if args.incremental && !repos && !one_root {
        bail!(
            "--incremental reads one repository per PATH run: give one PATH, or list the repositories in --repos FILE"
        );
    }
    Ok(Some(Recording::open(
        db,
        args.incremental,
        repos || one_root,
    )?))
}

/// Records `report` in the database of `recording`, telling what happened unless `quiet`.
pub(super) fn record(recording: Option<&Recording>, report: &Report, quiet: bool) -> Result<()> {
    let Some(recording) = recording else {
        return Ok(());
    };
    let recorded = recording.record(report)?;
    for note in &recorded.notes {
        tell(&Diagnostic::warning(note.as_str()));
    }
    if !quiet {
        if recording.is_incremental() {
            if let Some(reads) = &report.scan.incremental {
                tell(&how_read(reads));
            }
        }
        tell(&said(&recorded));
    }
    Ok(())
}

/// One line on how an incremental run read the histories: how many forward, and which in full
/// (the first few, with why).
fn how_read(reads: &std::collections::BTreeMap<String, HistoryRead>) -> Diagnostic {
    const SHOWN: usize = 3;
    let forward = reads.values().filter(|r| !r.full).count();
    let full: Vec<(&String, &HistoryRead)> = reads.iter().filter(|(_, r)| r.full).collect();
    let mut line = format!(
        "{forward} histor{} read only past the recorded refs, {} in full",
        if forward == 1 { "y" } else { "ies" },
        full.len()
    );
    if !full.is_empty() {
        let named: Vec<String> = full
            .iter()
            .take(SHOWN)
            .map(|(scope, read)| format!("{scope}: {}", read.reason))
            .collect();
        line.push_str(&format!(" ({}", named.join("; ")));
        if full.len() > SHOWN {
            line.push_str(&format!("; and {} more", full.len() - SHOWN));
        }
        line.push(')');
    }
    Diagnostic::info(line)
}

/// What recording a report did, as one line naming the file: the run and its keys.
pub(super) fn said(recorded: &Recorded) -> Diagnostic {
    let what = if recorded.added {
        format!(
            "recorded as run {} ({} key{}, {} new)",
            short_id(&recorded.digest),
            recorded.keys,
            if recorded.keys == 1 { "" } else { "s" },
            recorded.new_keys
        )
    } else {
        format!(
            "already recorded as run {}: unchanged",
            short_id(&recorded.digest)
        )
    };
    Diagnostic::info(what).at(recorded.path.display().to_string())
}
