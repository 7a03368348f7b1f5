//! The database's schema, in one place: the DDL of every version, `PRAGMA user_version`, and
//! the migrations that bring an older file up to date. Opening a database always goes through
//! [`open`], which sets WAL mode and a busy timeout and migrates inside one write transaction,
//! so two processes opening a fresh file at once create the schema once.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::Error;

/// The schema version this build writes.
pub const VERSION: u32 = 3;

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// One step: brings a database at version `i` to `i + 1`.
pub type Migration = fn(&Transaction<'_>) -> rusqlite::Result<()>;

/// `MIGRATIONS[i]` migrates version `i` to `i + 1`; version 0 is an empty file.
pub const MIGRATIONS: &[Migration] = &[create_v1, add_verifications, add_history_reads];

/// Version 1: runs, the scopes they covered, keys, where each key was seen per run. A scope's
/// `name` is what the report gives: an identity of `scan.scopes` (`origin:…`, `git:root:…`,
/// `path:…`, `stdin`, a `--repos` name), or an older report's repository name or literal root.
fn create_v1(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- salt_id: the fingerprint key every run here shares.
        CREATE TABLE meta (
            name  TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        -- One ingested report. digest identifies it: ingesting it again changes nothing.
        CREATE TABLE runs (
            id              INTEGER PRIMARY KEY,
            digest          TEXT NOT NULL UNIQUE,
            generated_at    TEXT NOT NULL,        -- RFC 3339, UTC
            time_ms         INTEGER NOT NULL,     -- generated_at, for ordering
            tool_version    TEXT NOT NULL,
            salt_id         TEXT NOT NULL,
            kind            TEXT NOT NULL CHECK (kind IN ('scan', 'audit')),
            complete        INTEGER NOT NULL CHECK (complete IN (0, 1)),
            shard           TEXT,
            keys            INTEGER NOT NULL,
            locations       INTEGER NOT NULL,
            unknown         INTEGER,              -- per audit class: audit reports only
            stale           INTEGER,
            over_privileged INTEGER,
            unused          INTEGER,
            ingested_at     TEXT NOT NULL
        );
        CREATE INDEX runs_time ON runs (time_ms, id);

        -- A root or repository name; runs cover scopes, keys are seen in them.
        CREATE TABLE scopes (
            id   INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );

        CREATE TABLE run_scopes (
            run   INTEGER NOT NULL REFERENCES runs (id),
            scope INTEGER NOT NULL REFERENCES scopes (id),
            PRIMARY KEY (run, scope)
        ) WITHOUT ROWID;

        -- One distinct key (never its value): attributes as of the latest run that saw it.
        CREATE TABLE keys (
            id          INTEGER PRIMARY KEY,
            fingerprint TEXT NOT NULL UNIQUE,
            rule        TEXT NOT NULL,
            provider    TEXT NOT NULL,
            kind        TEXT NOT NULL,
            privilege   TEXT NOT NULL,
            declared_as TEXT,
            redacted    TEXT NOT NULL,
            first_run   INTEGER NOT NULL REFERENCES runs (id),
            last_run    INTEGER NOT NULL REFERENCES runs (id)
        );

        -- The key was seen by the run in this scope; scope 0: somewhere in the run's scope
        -- (runs over several roots do not say which root a location is under).
        CREATE TABLE presence (
            key   INTEGER NOT NULL REFERENCES keys (id),
            run   INTEGER NOT NULL REFERENCES runs (id),
            scope INTEGER NOT NULL,
            PRIMARY KEY (key, run, scope)
        ) WITHOUT ROWID;

        -- Every location of every key in every run.
        CREATE TABLE sightings (
            run     INTEGER NOT NULL REFERENCES runs (id),
            key     INTEGER NOT NULL REFERENCES keys (id),
            source  TEXT NOT NULL,
            repo    TEXT,
            path    TEXT NOT NULL,
            line    INTEGER NOT NULL,
            \"column\" INTEGER NOT NULL,
            \"commit\" TEXT
        );
        CREATE INDEX sightings_key_run ON sightings (key, run);
        ",
    )
}

/// Version 2: what each run's verification (`--verify`) said of each key: the status, when and
/// which host was asked, and the account the provider named. Never a response body, a scope
/// list or a note: what `db report` needs to say since when a key is live or dead.
fn add_verifications(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        CREATE TABLE verifications (
            key        INTEGER NOT NULL REFERENCES keys (id),
            run        INTEGER NOT NULL REFERENCES runs (id),
            status     TEXT NOT NULL CHECK (status IN ('live', 'dead', 'unknown', 'error')),
            checked_at TEXT NOT NULL,              -- RFC 3339, UTC
            checked_ms INTEGER NOT NULL,           -- checked_at, for ordering
            endpoint   TEXT,                       -- the host asked
            identity   TEXT,                       -- the account it belongs to
            PRIMARY KEY (key, run)
        ) WITHOUT ROWID;
        ",
    )
}

/// Version 3: how each run recorded with `--db` read each repository's history (in full, or
/// forward from a base run's refs), and the refs it read, which the next `--incremental` run
/// of that repository leaves out.
fn add_history_reads(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        CREATE TABLE history_reads (
            run    INTEGER NOT NULL REFERENCES runs (id),
            scope  INTEGER NOT NULL REFERENCES scopes (id),
            full   INTEGER NOT NULL CHECK (full IN (0, 1)),
            reason TEXT NOT NULL,
            base   INTEGER REFERENCES runs (id),  -- the run whose refs were left out
            PRIMARY KEY (run, scope)
        ) WITHOUT ROWID;

        -- Only for repositories a run read whole: what the next run may leave out.
        CREATE TABLE recorded_refs (
            scope    INTEGER NOT NULL REFERENCES scopes (id),
            run      INTEGER NOT NULL REFERENCES runs (id),
            name     TEXT NOT NULL,
            \"commit\" TEXT NOT NULL,
            PRIMARY KEY (scope, run, name)
        ) WITHOUT ROWID;

        -- Carrying a run's history sightings forward reads them by run.
        CREATE INDEX sightings_run ON sightings (run);
        ",
    )
}

/// Opens (creating if `create`) the database at `path` and brings its schema to [`VERSION`].
pub fn open(path: &Path, create: bool) -> Result<Connection, Error> {
    open_with(path, create, MIGRATIONS)
}

/// [`open`] with an explicit list of migrations (tests pass a longer one).
pub fn open_with(path: &Path, create: bool, migrations: &[Migration]) -> Result<Connection, Error> {
    let at = |source: rusqlite::Error| Error::sqlite(path, source);
    if !create && !path.exists() {
        return Err(Error::Missing {
            path: path.to_path_buf(),
        });
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let mut conn = Connection::open_with_flags(path, flags).map_err(at)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(at)?;
    // Reading the schema first turns "not a database" into an error here, not mid-ingest.
    // Switching a file another process is just creating to WAL can fail busy at once, without
    // the busy handler: waited out here as the handler would.
    let mode: String =
        while_busy(|| conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)))
            .map_err(at)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Schema {
            path: path.to_path_buf(),
            message: format!("cannot switch to WAL mode (journal mode is {mode})"),
        });
    }
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
        .map_err(at)?;
    migrate(&mut conn, path, migrations)?;
    Ok(conn)
}

/// Runs `step` again while SQLite answers busy or locked without waiting, for at most
/// [`BUSY_TIMEOUT`].
fn while_busy<T>(mut step: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match step() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// The schema version stored in the file.
pub fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Runs every migration from the file's version to the newest, in one write transaction:
/// another process migrating at the same time waits, then finds nothing left to do.
fn migrate(conn: &mut Connection, path: &Path, migrations: &[Migration]) -> Result<(), Error> {
    let at = |source: rusqlite::Error| Error::sqlite(path, source);
    let target = u32::try_from(migrations.len()).unwrap_or(u32::MAX);
    if user_version(conn).map_err(at)? == target {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(at)?;
    let current = user_version(&tx).map_err(at)?;
    if current > target {
        return Err(Error::Schema {
            path: path.to_path_buf(),
            message: format!(
                "schema version {current} is newer than this keyaudit knows ({target}): upgrade keyaudit"
            ),
        });
    }
    if current == 0 {
        let tables: i64 = tx
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
                [],
                |row| row.get(0),
            )
            .map_err(at)?;
        if tables > 0 {
            return Err(Error::Schema {
                path: path.to_path_buf(),
                message: "an SQLite database, but not one of keyaudit's".into(),
            });
        }
    }
    for (from, step) in migrations.iter().enumerate().skip(current as usize) {
        step(&tx).map_err(at)?;
        tx.pragma_update(None, "user_version", (from + 1) as i64)
            .map_err(at)?;
    }
    tx.commit().map_err(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A later schema version, as a future change would add it.
    fn fake_v4(tx: &Transaction<'_>) -> rusqlite::Result<()> {
        tx.execute_batch(
            "ALTER TABLE runs ADD COLUMN note TEXT;
             UPDATE runs SET note = 'migrated from v1';",
        )
    }

    #[test]
    fn a_fresh_file_gets_the_current_schema_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let conn = open(&path, true).unwrap();
        assert_eq!(user_version(&conn).unwrap(), VERSION);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(conn);
        // Opening again changes nothing.
        let conn = open(&path, false).unwrap();
        assert_eq!(user_version(&conn).unwrap(), VERSION);
    }

    #[test]
    fn an_older_file_is_migrated_keeping_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let conn = open(&path, true).unwrap();
        conn.execute(
            "INSERT INTO runs (digest, generated_at, time_ms, tool_version, salt_id, kind,
               complete, keys, locations, ingested_at)
             VALUES ('d', 't', 0, 'v', 's', 'scan', 1, 0, 0, 'i')",
            [],
        )
        .unwrap();
        drop(conn);
        let conn = open_with(
            &path,
            false,
            &[create_v1, add_verifications, add_history_reads, fake_v4],
        )
        .unwrap();
        assert_eq!(user_version(&conn).unwrap(), 4);
        let note: String = conn
            .query_row("SELECT note FROM runs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(note, "migrated from v1");
        drop(conn);
        // This build (version 3) refuses the newer file rather than misreading it.
        let err = open(&path, false).unwrap_err().to_string();
        assert!(err.contains("newer"), "{err}");
    }

    #[test]
    fn a_version_1_file_gains_the_verifications_table_keeping_its_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let conn = open_with(&path, true, &[create_v1]).unwrap();
        assert_eq!(user_version(&conn).unwrap(), 1);
        conn.execute(
            "INSERT INTO runs (digest, generated_at, time_ms, tool_version, salt_id, kind,
               complete, keys, locations, ingested_at)
             VALUES ('d', 't', 0, 'v', 's', 'scan', 1, 0, 0, 'i')",
            [],
        )
        .unwrap();
        drop(conn);
        let conn = open(&path, false).unwrap();
        assert_eq!(user_version(&conn).unwrap(), VERSION);
        let runs: i64 = conn
            .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(runs, 1);
        let checks: i64 = conn
            .query_row("SELECT count(*) FROM verifications", [], |r| r.get(0))
            .unwrap();
        assert_eq!(checks, 0);
        // A status no verification has is refused by the table itself.
        let refused = conn.execute(
            "INSERT INTO verifications (key, run, status, checked_at, checked_ms)
             VALUES (1, 1, 'maybe', 't', 0)",
            [],
        );
        assert!(refused.is_err());
    }

    #[test]
    fn connections_racing_to_create_one_file_all_get_the_schema() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("k.db");
            let barrier = std::sync::Barrier::new(6);
            std::thread::scope(|scope| {
                for _ in 0..6 {
                    scope.spawn(|| {
                        barrier.wait();
                        let conn = open(&path, true).unwrap();
                        assert_eq!(user_version(&conn).unwrap(), VERSION);
                    });
                }
            });
        }
    }

    #[test]
    fn foreign_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let err = open(&other, false).unwrap_err().to_string();
        assert!(err.contains("not one of keyaudit's"), "{err}");
        let text = dir.path().join("text.db");
        std::fs::write(&text, "this is not a database, just some text long enough").unwrap();
        let err = open(&text, false).unwrap_err().to_string();
        assert!(err.starts_with(&text.display().to_string()), "{err}");
        let missing = dir.path().join("missing.db");
        assert!(open(&missing, false).is_err());
        assert!(!missing.exists());
    }
}
