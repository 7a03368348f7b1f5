//! What the database keeps of repositories' histories for incremental runs
//! (`docs/reference/incremental.md`): the refs each run read of each repository whole, which
//! the next `--incremental` run leaves out, and, when a run read only what is new, the base
//! run's history sightings carried forward into it, since that history is still there. So
//! every run's sightings are what a full run would have seen, and `db report` needs no
//! knowledge of incremental runs.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use rusqlite::{params, OptionalExtension, Transaction};

use crate::incremental::HistoryRead;

/// The ordering of runs: by report time, then by the order they were recorded.
type Order = (i64, i64);

/// The refs the latest run that recorded any for `scope` read, with that run's digest.
pub fn latest_refs(
    conn: &rusqlite::Connection,
    scope: &str,
) -> rusqlite::Result<Option<(String, BTreeMap<String, String>)>> {
    let latest: Option<(i64, String)> = conn
        .query_row(
            "SELECT r.id, r.digest FROM recorded_refs x
               JOIN runs r ON r.id = x.run JOIN scopes s ON s.id = x.scope
             WHERE s.name = ?1
             ORDER BY r.time_ms DESC, r.id DESC LIMIT 1",
            [scope],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((run, digest)) = latest else {
        return Ok(None);
    };
    let mut stmt = conn.prepare(
        "SELECT x.name, x.\"commit\" FROM recorded_refs x JOIN scopes s ON s.id = x.scope
         WHERE s.name = ?1 AND x.run = ?2",
    )?;
    let refs = stmt
        .query_map(params![scope, run], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<BTreeMap<String, String>>>()?;
    Ok(Some((digest, refs)))
}

/// The manifest ids that keys seen in `scope`'s history by run `base` were declared as (in
/// audit reports): keys an incremental audit does not see again but that are still there.
pub fn declared_in_history(
    conn: &rusqlite::Connection,
    base: &str,
    scope: &str,
) -> rusqlite::Result<BTreeSet<String>> {
    let Some(base) = run_id(conn, base)? else {
        return Ok(BTreeSet::new());
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT DISTINCT k.declared_as FROM sightings s JOIN keys k ON k.id = s.key
         WHERE {HISTORY_OF_SCOPE} AND k.declared_as IS NOT NULL"
    ))?;
    let ids = stmt
        .query_map(params![base, scope], |row| row.get(0))?
        .collect::<rusqlite::Result<BTreeSet<String>>>()?;
    Ok(ids)
}

/// The places (path, commit) where run `base` saw keys in `scope`'s history, each once.
pub fn history_places(
    conn: &rusqlite::Connection,
    base: &str,
    scope: &str,
) -> rusqlite::Result<Vec<(String, String)>> {
    let Some(base) = run_id(conn, base)? else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT DISTINCT s.path, s.\"commit\" FROM sightings s WHERE {HISTORY_OF_SCOPE}"
    ))?;
    let places = stmt
        .query_map(params![base, scope], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    Ok(places)
}

/// The sightings `s` of run `?1` in the history of scope `?2`: located at a commit, and in
/// that repository (a many-repository run names it; a run over one root needs not).
const HISTORY_OF_SCOPE: &str = "s.run = ?1 AND s.\"commit\" IS NOT NULL
    AND (s.repo = ?2 OR (s.repo IS NULL
         AND (SELECT count(*) FROM run_scopes rs WHERE rs.run = ?1) = 1))";

fn run_id(conn: &rusqlite::Connection, digest: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT id FROM runs WHERE digest = ?1", [digest], |r| {
        r.get(0)
    })
    .optional()
}

/// Records how run `run` (at `order`) read each repository's history. A repository read
/// forward from a base run gets that run's history sightings there, and the key presence they
/// mean; one whose base run this database lacks cannot, so the run is recorded incomplete (it
/// resolves nothing) and its refs are not kept. Returns what the caller should be told.
pub(super) fn record_reads(
    tx: &Transaction<'_>,
    run: i64,
    order: Order,
    reads: &BTreeMap<String, HistoryRead>,
    scope_ids: &std::collections::HashMap<&str, i64>,
) -> rusqlite::Result<Vec<String>> {
    let mut notes = Vec::new();
    for (scope, read) in reads {
        let Some(&scope_id) = scope_ids.get(scope.as_str()) else {
            continue;
        };
        let base = match &read.base {
            Some(digest) => run_id(tx, digest)?,
            None => None,
        };
        tx.execute(
            "INSERT INTO history_reads (run, scope, full, reason, base) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![run, scope_id, read.full, read.reason, base],
        )?;
        if !read.full {
            let Some(base) = base else {
                tx.execute("UPDATE runs SET complete = 0 WHERE id = ?1", [run])?;
                notes.push(format!(
                    "{scope}: read only what is new since a run this database does not have: \
                     recorded as incomplete (it resolves nothing); ingest the earlier run first"
                ));
                continue;
            };
            carry_forward(tx, base, run, order, scope, scope_id)?;
        }
        let mut insert = tx.prepare_cached(
            "INSERT OR REPLACE INTO recorded_refs (scope, run, name, \"commit\")
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (name, commit) in &read.refs {
            insert.execute(params![scope_id, run, name, commit])?;
        }
    }
    Ok(notes)
}

/// A history sighting as the carrying forward reads it: key, source, repo, path, line, column,
/// commit.
type Row = (i64, String, Option<String>, String, i64, i64, String);

/// The [`Row`] of a query selecting those seven columns in that order.
fn sighting(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

/// Copies run `base`'s history sightings in `scope` into run `run`, with the keys' presence
/// there; a key's latest run becomes `run` when `run` is later.
fn carry_forward(
    tx: &Transaction<'_>,
    base: i64,
    run: i64,
    order: Order,
    scope: &str,
    scope_id: i64,
) -> rusqlite::Result<()> {
    let mut select = tx.prepare_cached(&format!(
        "SELECT s.key, s.source, s.repo, s.path, s.line, s.\"column\", s.\"commit\"
         FROM sightings s WHERE {HISTORY_OF_SCOPE}"
    ))?;
    let rows: Vec<Row> = select
        .query_map(params![base, scope], sighting)?
        .collect::<rusqlite::Result<_>>()?;
    // What the run itself saw again is not copied twice.
    let mut own = tx.prepare_cached(
        "SELECT key, source, repo, path, line, \"column\", \"commit\" FROM sightings
         WHERE run = ?1 AND \"commit\" IS NOT NULL",
    )?;
    let seen: HashSet<Row> = own
        .query_map([run], sighting)?
        .collect::<rusqlite::Result<_>>()?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO sightings (run, key, source, repo, path, line, \"column\", \"commit\")
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut keys = BTreeSet::new();
    for row in rows.into_iter().filter(|row| !seen.contains(row)) {
        let (key, source, repo, path, line, column, commit) = row;
        insert.execute(params![run, key, source, repo, path, line, column, commit])?;
        keys.insert(key);
    }
    let mut presence =
        tx.prepare_cached("INSERT OR IGNORE INTO presence (key, run, scope) VALUES (?1, ?2, ?3)")?;
    let mut last = tx.prepare_cached(
        "SELECT l.time_ms, l.id FROM keys k JOIN runs l ON l.id = k.last_run WHERE k.id = ?1",
    )?;
    let mut set_last = tx.prepare_cached("UPDATE keys SET last_run = ?2 WHERE id = ?1")?;
    for key in keys {
        presence.execute(params![key, run, scope_id])?;
        let latest: Order = last.query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if order > latest {
            set_last.execute(params![key, run])?;
        }
    }
    Ok(())
}
