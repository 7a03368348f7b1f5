//! Sources of blobs: the working tree (`fs`), standard input, and later git history. A source
//! hands each readable blob to a visitor together with its [`Origin`], and records in [`Stats`]
//! what it read, what it skipped and why, and what it could not read.

pub mod fs;
pub mod git;

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;

/// Where a blob came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A file in a working tree.
    File,
    /// A blob in git history.
    Git,
    /// A blob staged in the index.
    Staged,
    /// Standard input.
    Stdin,
}

/// The origin of one blob.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// Which kind of source.
    pub source: SourceKind,
    /// Path relative to the scanned root (or `-` for standard input).
    pub path: String,
    /// The commit, for history.
    pub commit: Option<String>,
    /// The file on disk, for working-tree files (to match manifest globs).
    pub on_disk: Option<std::path::PathBuf>,
    /// For history blobs: whether the blob is in HEAD's tree (present now).
    pub in_head: bool,
}

/// An input that was passed over, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Skipped {
    /// The path.
    pub path: String,
    /// Why it was skipped.
    pub reason: String,
}

/// An input that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ReadError {
    /// The path.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// Counters shared by the worker threads of one run.
#[derive(Debug, Default)]
pub struct Stats {
    files: AtomicU64,
    bytes: AtomicU64,
    blobs: AtomicU64,
    binary_blobs: AtomicU64,
    commits: AtomicU64,
    skipped: Mutex<Vec<Skipped>>,
    errors: Mutex<Vec<ReadError>>,
}

/// A snapshot of [`Stats`], sorted so output never depends on thread timing.
#[derive(Debug, Clone, Default)]
pub struct StatsSnapshot {
    /// Files (or stdin) scanned.
    pub files: u64,
    /// Bytes scanned (files and blobs).
    pub bytes: u64,
    /// Git blobs scanned.
    pub blobs: u64,
    /// Git blobs passed over as binary (counted, not listed).
    pub binary_blobs: u64,
    /// Git commits walked.
    pub commits: u64,
    /// Inputs skipped.
    pub skipped: Vec<Skipped>,
    /// Inputs that could not be read.
    pub errors: Vec<ReadError>,
}

impl Stats {
    /// Counts one scanned blob of `len` bytes.
    pub fn scanned(&self, len: usize) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
    }

    /// Counts one scanned git blob of `len` bytes.
    pub fn scanned_blob(&self, len: usize) {
        self.blobs.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
    }

    /// Counts one binary git blob passed over.
    pub fn binary_blob(&self) {
        self.binary_blobs.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one walked commit.
    pub fn commit(&self) {
        self.commits.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a skipped input.
    pub fn skip(&self, path: impl Into<String>, reason: impl Into<String>) {
        let entry = Skipped {
            path: path.into(),
            reason: reason.into(),
        };
        self.skipped.lock().expect("stats lock").push(entry);
    }

    /// Records an unreadable input.
    pub fn error(&self, path: impl Into<String>, message: impl Into<String>) {
        let entry = ReadError {
            path: path.into(),
            message: message.into(),
        };
        self.errors.lock().expect("stats lock").push(entry);
    }

    /// Files, bytes and blobs read so far (for progress display).
    pub fn progress(&self) -> (u64, u64, u64) {
        (
            self.files.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
            self.blobs.load(Ordering::Relaxed),
        )
    }

    /// The counters so far, sorted.
    pub fn snapshot(&self) -> StatsSnapshot {
        let mut skipped = self.skipped.lock().expect("stats lock").clone();
        let mut errors = self.errors.lock().expect("stats lock").clone();
        skipped.sort();
        errors.sort();
        StatsSnapshot {
            files: self.files.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            blobs: self.blobs.load(Ordering::Relaxed),
            binary_blobs: self.binary_blobs.load(Ordering::Relaxed),
            commits: self.commits.load(Ordering::Relaxed),
            skipped,
            errors,
        }
    }
}

/// Whether `data` looks binary: a NUL byte in its first 8 KiB.
pub fn looks_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(8192)]).is_some()
}

/// Reads standard input (up to `max_size` bytes) and hands it to `visit` as text.
pub fn read_stdin(max_size: u64, stats: &Stats, visit: &(dyn Fn(Origin, &[u8]) + Sync)) {
    let mut data = Vec::new();
    let limit = max_size.saturating_add(1);
    match std::io::stdin().lock().take(limit).read_to_end(&mut data) {
        Err(err) => stats.error("-", format!("cannot read standard input: {err}")),
        Ok(_) if data.len() as u64 > max_size => stats.skip(
            "-",
            format!("standard input is larger than --max-file-size ({max_size} bytes)"),
        ),
        Ok(_) => {
            stats.scanned(data.len());
            let origin = Origin {
                source: SourceKind::Stdin,
                path: "-".into(),
                commit: None,
                on_disk: None,
                in_head: false,
            };
            visit(origin, &data);
        }
    }
}
