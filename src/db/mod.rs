//! `keyaudit db`: the inventory over time, in an embedded SQLite file. JSON reports of scan,
//! audit and merge are recorded as runs ([`ingest`]); per key, [`query`] works out first and
//! last seen, where, and whether it is still open or was resolved by a later complete run; the
//! renderers ([`render`], [`html`]) show that, and per run the counts that trends are drawn from.
//!
//! Data flows one way: report files -> [`input`] (validated, secrets dropped) -> [`ingest`] ->
//! the database ([`schema`]) -> [`query`] -> [`render`]/[`html`]. No secret value is ever
//! written: [`input`] has no field that could hold one. The `db` command itself (its arguments,
//! output and exit codes) is in `app`, with the others.

pub mod html;
pub mod ingest;
pub mod input;
pub mod query;
pub mod render;
pub mod schema;

use std::path::{Path, PathBuf};

use crate::error::one_line;

/// What can go wrong in `db`: every message is one line naming the file.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A file could not be read (the cause said once: not a `source`, whose chain repeats it).
    #[error("{}: {}", path.display(), crate::error::os_reason(cause))]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// A report is not a keyaudit JSON report, at a place in it.
    #[error("{}:{line}:{column}: {}", path.display(), one_line(message))]
    ReportAt {
        /// The report.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong (never a value from the report).
        message: String,
    },
    /// A report is refused as a whole.
    #[error("{}: {}", path.display(), one_line(message))]
    Report {
        /// The report.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A report's fingerprints are keyed by another salt than the database's.
    #[error(
        "{}: salt_id {report} differs from the database's {database}: fingerprints made with different salts cannot be compared",
        path.display()
    )]
    SaltMismatch {
        /// The report.
        path: PathBuf,
        /// The report's salt id.
        report: String,
        /// The database's salt id.
        database: String,
    },
    /// The database file has no usable schema.
    #[error("{}: {}", path.display(), one_line(message))]
    Schema {
        /// The database.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// SQLite failed.
    #[error("{}: {}", path.display(), one_line(&source.to_string()))]
    Sqlite {
        /// The database.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// `report` or `new` on a database that does not exist.
    #[error("{}: no such database (record reports with `keyaudit db ingest --db FILE REPORT...`)", path.display())]
    Missing {
        /// The database.
        path: PathBuf,
    },
}

impl DbError {
    /// An SQLite error on the database at `path`.
    pub fn sqlite(path: &Path, source: rusqlite::Error) -> Self {
        Self::Sqlite {
            path: path.to_path_buf(),
            source,
        }
    }
}
