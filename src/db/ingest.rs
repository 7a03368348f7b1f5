//! Records validated reports as runs: one write transaction per `db ingest`, so either every
//! report given is recorded or none is, and a concurrent ingest waits for this one (busy
//! timeout) instead of interleaving. A run already recorded (same digest) is left as it is.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::input::Run;
use crate::error::Error;

/// What happened to one report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The report file.
    pub path: PathBuf,
    /// The run's digest.
    pub digest: String,
    /// False when the run was already in the database.
    pub added: bool,
    /// Keys in the run.
    pub keys: usize,
    /// Keys the database had never seen.
    pub new_keys: usize,
    /// What the caller should be told: a repository read only forward from a run this
    /// database does not have.
    pub notes: Vec<String>,
}

/// The ordering of runs: by report time, then by the order they were recorded.
type Order = (i64, i64);

/// Records `runs` (each with the file it came from) in the database at `db`, atomically: the
/// first error (a report that could not be read, another salt, SQLite) rolls back every run.
/// Reports are taken one at a time, so memory holds one report however many are given.
pub fn ingest(
    conn: &mut Connection,
    db: &Path,
    runs: impl IntoIterator<Item = Result<(PathBuf, Run), Error>>,
) -> Result<Vec<Recorded>, Error> {
    let at = |source: rusqlite::Error| Error::sqlite(db, source);
    // IMMEDIATE takes the write lock up front: a deferred transaction that later upgrades can
    // fail with SQLITE_BUSY without waiting, which would break concurrent ingests.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(at)?;
    let mut salt: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE name = 'salt_id'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(at)?;
    let mut recorded = Vec::new();
    for item in runs {
        let (path, run) = item?;
        match &salt {
            Some(known) if *known != run.salt_id => {
                return Err(Error::SaltMismatch {
                    path: path.clone(),
                    report: run.salt_id.clone(),
                    database: known.clone(),
                });
            }
            Some(_) => {}
            None => {
                tx.execute(
                    "INSERT INTO meta (name, value) VALUES ('salt_id', ?1)",
                    [&run.salt_id],
                )
                .map_err(at)?;
                salt = Some(run.salt_id.clone());
            }
        }
        let exists: Option<i64> = tx
            .query_row(
                "SELECT id FROM runs WHERE digest = ?1",
                [&run.digest],
                |r| r.get(0),
            )
            .optional()
            .map_err(at)?;
        let (added, (new_keys, notes)) = match exists {
            Some(_) => (false, (0, Vec::new())),
            None => (true, record(&tx, &run).map_err(at)?),
        };
        recorded.push(Recorded {
            path,
            digest: run.digest.clone(),
            added,
            keys: run.keys.len(),
            new_keys,
            notes,
        });
    }
    tx.commit().map_err(at)?;
    Ok(recorded)
}

/// Inserts one run, its scopes, keys, presence, sightings, verifications and history reads;
/// returns how many keys were new, and what the caller should be told.
fn record(tx: &rusqlite::Transaction<'_>, run: &Run) -> rusqlite::Result<(usize, Vec<String>)> {
    let time_ms = run.generated_at.as_millisecond();
    let classes = run.classes;
    tx.execute(
        "INSERT INTO runs (digest, generated_at, time_ms, tool_version, salt_id, kind, complete,
           shard, keys, locations, unknown, stale, over_privileged, unused, ingested_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            run.digest,
            crate::time::format_rfc3339(run.generated_at),
            time_ms,
            run.tool_version,
            run.salt_id,
            if classes.is_some() { "audit" } else { "scan" },
            run.complete,
            run.shard,
            run.keys.len() as i64,
            run.locations() as i64,
            classes.map(|c| c.unknown as i64),
            classes.map(|c| c.stale as i64),
            classes.map(|c| c.over_privileged as i64),
            classes.map(|c| c.unused as i64),
            crate::time::format_rfc3339(Timestamp::now()),
        ],
    )?;
    let run_id = tx.last_insert_rowid();
    let order: Order = (time_ms, run_id);

    let mut scope_ids = std::collections::HashMap::new();
    {
        let mut insert = tx.prepare_cached("INSERT OR IGNORE INTO scopes (name) VALUES (?1)")?;
        let mut select = tx.prepare_cached("SELECT id FROM scopes WHERE name = ?1")?;
        let mut link =
            tx.prepare_cached("INSERT OR IGNORE INTO run_scopes (run, scope) VALUES (?1, ?2)")?;
        for name in &run.scope {
            insert.execute([name])?;
            let id: i64 = select.query_row([name], |r| r.get(0))?;
            link.execute(params![run_id, id])?;
            scope_ids.insert(name.as_str(), id);
        }
    }

    let mut find = tx.prepare_cached(
        "SELECT k.id, f.time_ms, f.id, l.time_ms, l.id FROM keys k
           JOIN runs f ON f.id = k.first_run JOIN runs l ON l.id = k.last_run
         WHERE k.fingerprint = ?1",
    )?;
    let mut insert_key = tx.prepare_cached(
        "INSERT INTO keys (fingerprint, rule, provider, kind, privilege, declared_as, redacted,
           first_run, last_run)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?;
    let mut set_first = tx.prepare_cached("UPDATE keys SET first_run = ?2 WHERE id = ?1")?;
    // A scan report says nothing about the manifest: it keeps the declared id already known.
    let mut set_last = tx.prepare_cached(
        "UPDATE keys SET last_run = ?2, rule = ?3, provider = ?4, kind = ?5, privilege = ?6,
           redacted = ?7, declared_as = CASE WHEN ?8 THEN ?9 ELSE declared_as END
         WHERE id = ?1",
    )?;
    let mut presence =
        tx.prepare_cached("INSERT OR IGNORE INTO presence (key, run, scope) VALUES (?1, ?2, ?3)")?;
    let mut sighting = tx.prepare_cached(
        "INSERT INTO sightings (run, key, source, repo, path, line, \"column\", \"commit\")
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut verification = tx.prepare_cached(
        "INSERT OR IGNORE INTO verifications (key, run, status, checked_at, checked_ms, endpoint,
           identity)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut new_keys = 0;
    for key in &run.keys {
        let declared = key.declared_as.clone().flatten();
        let existing: Option<(i64, Order, Order)> = find
            .query_row([&key.fingerprint], |r| {
                Ok((r.get(0)?, (r.get(1)?, r.get(2)?), (r.get(3)?, r.get(4)?)))
            })
            .optional()?;
        let key_id = match existing {
            None => {
                new_keys += 1;
                insert_key.execute(params![
                    key.fingerprint,
                    key.rule,
                    key.provider,
                    key.kind.as_str(),
                    key.privilege.as_str(),
                    declared,
                    key.redacted,
                    run_id
                ])?;
                tx.last_insert_rowid()
            }
            Some((id, first, last)) => {
                if order < first {
                    set_first.execute(params![id, run_id])?;
                }
                if order > last {
                    set_last.execute(params![
                        id,
                        run_id,
                        key.rule,
                        key.provider,
                        key.kind.as_str(),
                        key.privilege.as_str(),
                        key.redacted,
                        key.declared_as.is_some(),
                        declared
                    ])?;
                }
                id
            }
        };
        // Where the run saw it: its repository when the location names one the run covered,
        // else (scope 0) anywhere in what the run covered.
        let scopes: BTreeSet<i64> = if key.sightings.is_empty() {
            BTreeSet::from([0])
        } else {
            key.sightings
                .iter()
                .map(|s| {
                    s.repo
                        .as_deref()
                        .and_then(|r| scope_ids.get(r).copied())
                        .unwrap_or(0)
                })
                .collect()
        };
        for scope in scopes {
            presence.execute(params![key_id, run_id, scope])?;
        }
        if let Some(v) = &key.verification {
            verification.execute(params![
                key_id,
                run_id,
                v.status.as_str(),
                crate::time::format_rfc3339(v.checked_at),
                v.checked_at.as_millisecond(),
                v.endpoint,
                v.identity
            ])?;
        }
        for s in &key.sightings {
            sighting.execute(params![
                run_id,
                key_id,
                s.source.as_str(),
                s.repo,
                s.path,
                s.line as i64,
                s.column as i64,
                s.commit
            ])?;
        }
    }
    let notes = super::history::record_reads(tx, run_id, order, &run.history_reads, &scope_ids)?;
    Ok((new_keys, notes))
}
