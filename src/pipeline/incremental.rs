//! Runs recorded in a database (`--db`), and incremental ones (`--incremental`,
//! `docs/reference/incremental.md`): before a repository's history is read, the refs the
//! database recorded for it, if every one is still in its history, are what the scan leaves
//! out; after, the refs it read are noted for the report; after the run, the report is recorded
//! in the database as a run, exactly as `db ingest` records it.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use git2::{Oid, Repository};
use rusqlite::Connection;

use crate::db::ingest::{ingest, Recorded};
use crate::db::{history, schema};
use crate::error::Error;
use crate::incremental::{reason, HistoryRead};
use crate::report::Report;
use crate::source::git::{self, CommitIndex, GitOptions};
use crate::source::refs;
use crate::source::{Stats, Visit};

/// A run recorded in a database.
pub struct Recording {
    db: PathBuf,
    incremental: bool,
    /// Whether the refs read are kept for the next run: only when every history location of
    /// the run can be told to its repository (one root, or `--repos`).
    keep_refs: bool,
    /// The database as it was before the run; none when it does not exist yet.
    before: Option<Mutex<Connection>>,
    reads: Mutex<BTreeMap<String, HistoryRead>>,
    declared: Mutex<BTreeSet<String>>,
}

impl Recording {
    /// A run to record in `db`, reading only what is new when `incremental`; `keep_refs` when
    /// each history location can be told to its repository.
    pub fn open(db: &Path, incremental: bool, keep_refs: bool) -> Result<Self> {
        let before = if incremental && db.exists() {
            Some(Mutex::new(schema::open(db, false)?))
        } else {
            None
        };
        Ok(Self {
            db: db.to_path_buf(),
            incremental,
            keep_refs,
            before,
            reads: Mutex::default(),
            declared: Mutex::default(),
        })
    }

    /// Reads the history of `repo`, known as `scope`: with `--incremental`, only the commits
    /// the refs recorded for it do not reach, when every one of them is still in the history;
    /// else all of it, noting why.
    pub fn scan_history(
        &self,
        scope: &str,
        repo: &Repository,
        options: &GitOptions,
        stats: &Stats,
        commits: &mut CommitIndex,
        visit: &Visit,
    ) -> Result<()> {
        let (mut read, hidden, known_blobs) = self.plan(scope, repo)?;
        let options = if hidden.is_empty() {
            Cow::Borrowed(options)
        } else {
            Cow::Owned(GitOptions {
                hidden,
                known_blobs,
                ..options.clone()
            })
        };
        let errors_before = stats.error_count();
        let tips =
            git::scan_history(repo, &options, stats, commits, visit).map_err(anyhow::Error::msg)?;
        // A history not read whole must be read again next time: its refs are not kept.
        if self.keep_refs && stats.error_count() == errors_before {
            read.refs = tips
                .iter()
                .map(|t| (t.name.clone(), t.commit.to_string()))
                .collect();
        }
        self.reads
            .lock()
            .expect("reads lock")
            .insert(scope.to_string(), read);
        Ok(())
    }

    /// How to read `repo`'s history: the note for the report, the commits to leave out, and
    /// the blobs already scanned in them that held keys.
    fn plan(&self, scope: &str, repo: &Repository) -> Result<(HistoryRead, Vec<Oid>, Vec<Oid>)> {
        let full = |why: String| HistoryRead {
            since: Vec::new(),
            full: true,
            reason: why,
            base: None,
            refs: BTreeMap::new(),
        };
        if !self.incremental {
            return Ok((full(reason::NOT_INCREMENTAL.into()), Vec::new(), Vec::new()));
        }
        let Some(before) = &self.before else {
            return Ok((full(reason::FIRST.into()), Vec::new(), Vec::new()));
        };
        let before = before.lock().expect("database lock");
        let at = |e| Error::sqlite(&self.db, e);
        let Some((base, recorded)) = history::latest_refs(&before, scope).map_err(at)? else {
            return Ok((full(reason::FIRST.into()), Vec::new(), Vec::new()));
        };
        // What cannot be read of the refs here is said once, by the history scan itself.
        let current = refs::tips(repo, &Stats::default(), scope);
        if let Some(gone) = refs::first_unreachable(repo, &recorded, &current) {
            return Ok((full(reason::rewritten(&gone)), Vec::new(), Vec::new()));
        }
        let since: BTreeSet<&String> = recorded.values().collect();
        let hidden = since
            .iter()
            .map(|c| Oid::from_str(c.as_str()))
            .collect::<Result<Vec<Oid>, _>>()
            .context("a recorded commit id")?;
        self.declared
            .lock()
            .expect("declared lock")
            .extend(history::declared_in_history(&before, &base, scope).map_err(at)?);
        // Only the blobs that held keys matter: scanning any other again finds nothing.
        let known_blobs = history::history_places(&before, &base, scope)
            .map_err(at)?
            .iter()
            .filter_map(|(path, commit)| blob_at(repo, commit, path))
            .collect();
        let read = HistoryRead {
            since: since.into_iter().cloned().collect(),
            full: false,
            reason: reason::from_recorded(recorded.len(), &base),
            base: Some(base),
            refs: BTreeMap::new(),
        };
        Ok((read, hidden, known_blobs))
    }

    /// Whether histories are read only past the recorded refs (`--incremental`).
    pub fn is_incremental(&self) -> bool {
        self.incremental
    }

    /// How each repository's history was read so far (none when none was), leaving nothing.
    pub fn take_reads(&self) -> Option<BTreeMap<String, HistoryRead>> {
        let reads = std::mem::take(&mut *self.reads.lock().expect("reads lock"));
        (!reads.is_empty()).then_some(reads)
    }

    /// The manifest ids of keys an incremental run left in history it did not read again.
    pub fn declared_in_history(&self) -> BTreeSet<String> {
        self.declared.lock().expect("declared lock").clone()
    }

    /// Records `report` in the database as a run, as `db ingest` would.
    pub fn record(&self, report: &Report) -> Result<Recorded> {
        let json = serde_json::to_vec(report).context("the report as JSON")?;
        let run = crate::db::input::parse_report(&self.db, &json)?;
        let mut conn = schema::open(&self.db, true)?;
        let mut recorded = ingest(&mut conn, &self.db, [Ok((self.db.clone(), run))])?;
        Ok(recorded.remove(0))
    }
}

/// The blob at `path` in `commit`; for a place inside an archive (`a.jar!/x`), the archive's.
fn blob_at(repo: &Repository, commit: &str, path: &str) -> Option<Oid> {
    let outer = path.split("!/").next().unwrap_or(path);
    let commit = repo.find_commit(Oid::from_str(commit).ok()?).ok()?;
    let entry = commit.tree().ok()?.get_path(Path::new(outer)).ok()?;
    Some(entry.id())
}
