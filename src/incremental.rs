//! What a run recorded in a database (`--db`) read of each repository's history, as its report
//! says in `scan.incremental` (`docs/reference/incremental.md`): from which recorded commits it
//! read forward, or that it read everything and why, and the refs it read, which the database
//! keeps for the next `--incremental` run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How one repository's history was read, keyed in reports by the repository's identity (its
/// scope: a `--repos` name, `origin:URL`, `git:root:SHA` or `path:…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryRead {
    /// The commits left out, with their whole history: those the base run recorded. Empty
    /// when the history was read in full.
    pub since: Vec<String>,
    /// Whether the whole history was read.
    pub full: bool,
    /// Why it was read in full, or from what.
    pub reason: String,
    /// The digest of the run whose recorded refs were left out (`sha256:…`); the database
    /// carries that run's history sightings forward into this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// The refs read (name to commit), for the next run to start from; absent when the
    /// repository could not be read whole, so that nothing unread is ever left out later.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub refs: BTreeMap<String, String>,
}

/// Why a history was read in full, or from where.
pub mod reason {
    /// `--db` without `--incremental`.
    pub const NOT_INCREMENTAL: &str = "full run: --incremental not given";
    /// The database has no complete run of this repository.
    pub const FIRST: &str = "first run of this repository in the database";

    /// A recorded commit the current refs no longer reach.
    pub fn rewritten(commit: &str) -> String {
        format!(
            "recorded commit {} is no longer in the history (force-pushed, rewritten or deleted): read in full",
            &commit[..commit.len().min(12)]
        )
    }

    /// A digest as people read it: 12 hex digits.
    fn short(digest: &str) -> &str {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        &hex[..hex.len().min(12)]
    }

    /// Read forward from the refs of run `base`.
    pub fn from_recorded(refs: usize, base: &str) -> String {
        format!(
            "only commits not reachable from the {refs} ref{} recorded by run {}",
            if refs == 1 { "" } else { "s" },
            short(base)
        )
    }
}
