//! Sources of blobs: the working tree (`fs`), standard input, and later git history. A source
//! hands each readable blob to a visitor together with its [`Origin`], and records in [`Stats`]
//! what it read, what it skipped and why, and what it could not read.

pub mod archive;
pub mod fs;
pub mod git;
pub mod pack;
pub mod refs;
pub mod window;

use std::any::Any;
use std::borrow::Cow;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

pub use window::Window;

/// What a source hands each piece of text to: its origin, its bytes, where they sit in it, and
/// how it relates to blobs read before it. Returns what its scan keeps for the blobs stored as
/// deltas of it, when [`Lineage::has_deltas`] asks for it.
pub type Visit<'a> = dyn Fn(Origin, &[u8], Window, Lineage<'_>) -> Option<Memo> + Sync + 'a;

/// What the scan of one blob keeps for the blobs a pack stores as deltas of it. The scanner
/// decides what that is; a source only carries it from a base to its deltas.
pub type Memo = Arc<dyn Any + Send + Sync>;

/// How a blob relates to the others read with it: a pack stores most versions of a file as
/// deltas of another version, copying most of their bytes from it.
#[derive(Clone, Copy, Default)]
pub struct Lineage<'a> {
    /// The blob is a delta of a blob already scanned.
    pub derived: Option<Derived<'a>>,
    /// Other blobs still to come are deltas of this one: its scan's [`Memo`] is wanted.
    pub has_deltas: bool,
}

/// A blob stored as a delta of one already scanned.
#[derive(Clone, Copy)]
pub struct Derived<'a> {
    /// What the base's scan kept.
    pub base: &'a Memo,
    /// The stretches of the blob copied from its base, in the blob's order; the bytes between
    /// them are new.
    pub copied: &'a [Copied],
}

/// One stretch of a blob copied from its base: `len` bytes from `from` in the base, at `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    /// Where the stretch starts in the base.
    pub from: usize,
    /// Where it starts in the blob.
    pub to: usize,
    /// Its length.
    pub len: usize,
}

/// Where a blob came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

impl SourceKind {
    /// The name used in reports: `file`, `git`, `staged` or `stdin`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::File => "file",
            SourceKind::Git => "git",
            SourceKind::Staged => "staged",
            SourceKind::Stdin => "stdin",
        }
    }
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
    /// The archives (and image) the blob is inside; empty for a plain file or blob.
    pub inside: archive::Inside,
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

    /// How many inputs could not be read so far.
    pub fn error_count(&self) -> usize {
        self.errors.lock().expect("stats lock").len()
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

/// Bytes at the start of an input that decide whether it is binary.
pub const BINARY_SNIFF_LEN: usize = 8192;

/// Whether `data` looks binary: a NUL byte in its first 8 KiB.
pub fn looks_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(BINARY_SNIFF_LEN)]).is_some()
}

/// Whether an input starting with `head` (its first [`BINARY_SNIFF_LEN`] bytes, or all of it)
/// is binary, as [`text_of`] judges the whole input: no byte-order mark and a NUL.
pub fn binary_head(head: &[u8]) -> bool {
    encoding_rs::Encoding::for_bom(head).is_none() && looks_binary(head)
}

/// The text of a blob as UTF-8 bytes to scan: UTF-16 with a byte-order mark is transcoded
/// (Windows tools write configs that way), a UTF-8 byte-order mark is dropped, and anything
/// else with a NUL in its first 8 KiB is binary (`None`).
pub fn text_of(data: &[u8]) -> Option<Cow<'_, [u8]>> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(data) {
        if encoding == encoding_rs::UTF_8 {
            return Some(Cow::Borrowed(&data[bom_len..]));
        }
        let (text, _) = encoding.decode_without_bom_handling(&data[bom_len..]);
        return Some(Cow::Owned(text.into_owned().into_bytes()));
    }
    (!looks_binary(data)).then_some(Cow::Borrowed(data))
}

/// A reader giving the text of `inner` as UTF-8, as [`text_of`] does for whole blobs.
pub fn text_reader<R: Read>(inner: R) -> impl Read {
    encoding_rs_io::DecodeReaderBytesBuilder::new()
        .bom_sniffing(true)
        .strip_bom(true)
        .utf8_passthru(true)
        .build(inner)
}

/// A reader giving the text of `file` as [`text_reader`] does: the file itself when it starts
/// with no byte-order mark (nearly always), so that windows are read straight into their buffer
/// rather than through the decoder's, which copies and zeroes every byte on the way.
pub fn file_text_reader(mut file: &std::fs::File) -> std::io::Result<Box<dyn Read + '_>> {
    let mut head = Vec::with_capacity(3);
    (&mut file).take(3).read_to_end(&mut head)?;
    std::io::Seek::rewind(&mut file)?;
    Ok(match encoding_rs::Encoding::for_bom(&head) {
        Some(_) => Box::new(text_reader(file)),
        None => Box::new(file),
    })
}

/// Reads a large input in windows (see [`window`]), handing each to `visit`; at most `max_size`
/// bytes are scanned. Returns the bytes scanned and whether the input went on past `max_size`,
/// or the error that stopped it. With `skip_binary`, a binary input (NUL in its first 8 KiB) is
/// not visited: `Ok(None)`.
pub fn scan_windows(
    reader: &mut dyn Read,
    max_size: u64,
    skip_binary: bool,
    visit: &mut dyn FnMut(&[u8], Window),
) -> std::io::Result<Option<(u64, bool)>> {
    let mut binary = false;
    let mut first = true;
    let read = window::read_windows(
        &mut reader.take(max_size),
        window::WINDOW_SIZE,
        window::OVERLAP,
        &mut |data, window| {
            if first && skip_binary && looks_binary(data) {
                binary = true;
                return false;
            }
            first = false;
            visit(data, window);
            true
        },
    )?;
    if binary {
        return Ok(None);
    }
    let more = read == max_size && reader.read(&mut [0u8])? > 0;
    Ok(Some((read, more)))
}

/// Reads standard input (up to `max_size` bytes) in windows and hands each to `visit` as text.
/// It is never judged binary: NUL separates entries (`/proc/PID/environ`, `env -0`), and is read
/// as a line end.
///
/// An archive piped in (its first bytes say so, and archives are read) is read whole into memory,
/// up to `--max-archive-size`, and opened as an archive file is.
pub fn read_stdin(
    max_size: u64,
    archives: Option<archive::ArchiveOptions>,
    stats: &Stats,
    visit: &Visit,
) {
    read_stream(
        std::io::stdin().lock(),
        "-",
        max_size,
        archives,
        stats,
        visit,
    );
}

/// Reads a stream named `label` (`-`, or a FIFO or device named as a PATH: `<(printenv)`) as
/// [`read_stdin`] reads standard input: as text, up to `max_size` bytes, or as an archive.
pub fn read_stream(
    mut stream: impl Read,
    label: &str,
    max_size: u64,
    archives: Option<archive::ArchiveOptions>,
    stats: &Stats,
    visit: &Visit,
) {
    let origin = Origin {
        source: SourceKind::Stdin,
        path: label.into(),
        commit: None,
        on_disk: None,
        in_head: false,
        inside: archive::Inside::default(),
    };
    let what = if label == "-" {
        "standard input".to_string()
    } else {
        label.to_string()
    };
    let mut head = Vec::with_capacity(archive::SNIFF_LEN);
    if let Err(err) = (&mut stream)
        .take(archive::SNIFF_LEN as u64)
        .read_to_end(&mut head)
    {
        return stats.error(label, format!("cannot read {what}: {err}"));
    }
    if let Some(limits) = archives.filter(|_| archive::sniff(&head).is_some()) {
        let mut data = head;
        let rest = limits.max_archive_size.saturating_sub(data.len() as u64);
        if let Err(err) = stream.take(rest.saturating_add(1)).read_to_end(&mut data) {
            return stats.error(label, format!("cannot read {what}: {err}"));
        }
        if data.len() as u64 > limits.max_archive_size {
            return stats.skip(
                label,
                format!(
                    "{what} is an archive larger than --max-archive-size ({} bytes): not read",
                    limits.max_archive_size
                ),
            );
        }
        archive::open_blob(archives, &data, origin, stats, visit);
        return;
    }
    let mut reader = text_reader(std::io::Cursor::new(head).chain(stream));
    let result = scan_windows(&mut reader, max_size, false, &mut |data, window| {
        if memchr::memchr(0, data).is_some() {
            let lines: Vec<u8> = data
                .iter()
                .map(|&b| if b == 0 { b'\n' } else { b })
                .collect();
            visit(origin.clone(), &lines, window, Lineage::default());
        } else {
            visit(origin.clone(), data, window, Lineage::default());
        }
    });
    match result {
        Err(err) => stats.error(label, format!("cannot read {what}: {err}")),
        Ok(None) => stats.skip(label, "binary input"),
        Ok(Some((read, more))) => {
            stats.scanned(usize::try_from(read).unwrap_or(usize::MAX));
            if more {
                stats.skip(
                    label,
                    format!(
                        "{what} is larger than --max-file-size: only its first {max_size} bytes were scanned"
                    ),
                );
            }
        }
    }
}
