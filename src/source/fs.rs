//! The working-tree source: a parallel walk (the `ignore` crate) over each directory root.
//! Hidden and git-ignored files are included by default, because a git-ignored `.env` is what
//! an inventory must see; `.git` is always skipped, dependency and build folders by default.
//! Symbolic links are not followed; FIFOs, sockets and devices are never opened.

use std::io::Read;
use std::path::Path;

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};

use super::archive::{self, ArchiveOptions};
use super::window::WINDOW_SIZE;
use super::{
    binary_head, file_text_reader, scan_windows, text_of, Lineage, Origin, SourceKind, Stats,
    Visit, Window, BINARY_SNIFF_LEN,
};
use crate::error::{one_line, Error, Result};

/// Folders skipped unless `--no-default-excludes` is given.
pub const DEFAULT_EXCLUDED_DIRS: &[&str] = &[
    "node_modules",
    "target",
    "vendor",
    ".venv",
    "venv",
    "__pycache__",
];

/// How to walk a working tree.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Paths to skip, matched against the path relative to the root.
    pub excludes: GlobSet,
    /// Skip [`DEFAULT_EXCLUDED_DIRS`].
    pub default_excludes: bool,
    /// Honour `.gitignore` and `.ignore` files.
    pub respect_gitignore: bool,
    /// Larger files are skipped.
    pub max_file_size: u64,
    /// Worker threads.
    pub threads: usize,
    /// How archives are read; `None` with `--no-archives`.
    pub archives: Option<ArchiveOptions>,
}

/// The path of `path` relative to `root`, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let text = rel.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        path.to_string_lossy().into_owned()
    } else {
        text
    }
}

/// Whether `meta` is a FIFO or a character device: a stream to read, not a file to walk.
#[cfg(unix)]
fn is_stream(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_fifo() || meta.file_type().is_char_device()
}

#[cfg(not(unix))]
fn is_stream(_: &std::fs::Metadata) -> bool {
    false
}

/// Walks one root (a directory, a single file, or a FIFO or device read as a stream), handing
/// every readable text file to `visit`. Fails only when the root itself does not exist or
/// cannot be inspected or opened.
pub fn walk_root(root: &Path, options: &WalkOptions, stats: &Stats, visit: &Visit) -> Result<()> {
    // The root was named by the user, so a link there is followed.
    let meta = std::fs::metadata(root).map_err(|cause| Error::Io {
        path: root.to_path_buf(),
        cause,
    })?;
    let display = root.to_string_lossy().trim_start_matches("./").to_string();
    if !meta.is_dir() {
        if meta.is_file() {
            read_file(root, display, options, stats, visit);
        } else if is_stream(&meta) {
            // `keyaudit scan <(printenv)`: named on the command line, read as `-` is.
            let stream = std::fs::File::open(root).map_err(|cause| Error::Io {
                path: root.to_path_buf(),
                cause,
            })?;
            super::read_stream(
                stream,
                &display,
                options.max_file_size,
                options.archives,
                stats,
                visit,
            );
        } else {
            stats.skip(display, "not a regular file");
        }
        return Ok(());
    }
    let excludes = options.excludes.clone();
    let default_excludes = options.default_excludes;
    let archives = options.archives.is_some();
    let filter_root = root.to_path_buf();
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .ignore(options.respect_gitignore)
        .git_ignore(options.respect_gitignore)
        .git_global(options.respect_gitignore)
        .git_exclude(options.respect_gitignore)
        .parents(options.respect_gitignore)
        .require_git(false)
        .follow_links(false)
        .threads(options.threads)
        .filter_entry(move |entry| {
            let name = entry.file_name();
            if name == ".git" {
                return false;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && default_excludes && DEFAULT_EXCLUDED_DIRS.iter().any(|d| name == *d) {
                return false;
            }
            // An OCI image layout's blobs are read as the image's layers, from `oci-layout`.
            if is_dir && archives && name == "blobs" && is_oci_layout(entry.path().parent()) {
                return false;
            }
            excludes.is_empty() || !excludes.is_match(relative(&filter_root, entry.path()))
        })
        .build_parallel();
    walker.run(|| {
        Box::new(|result| {
            match result {
                Err(err) => {
                    let path = error_path(&err).unwrap_or_else(|| display.clone());
                    stats.error(path, one_line(&error_reason(&err)));
                }
                Ok(entry) => {
                    let path = entry.path();
                    let rel = relative(root, path);
                    match entry.file_type() {
                        Some(t) if t.is_dir() => {}
                        Some(t) if t.is_symlink() => stats.skip(rel, "symbolic link not followed"),
                        Some(t)
                            if t.is_file()
                                && entry.file_name() == "oci-layout"
                                && options.archives.is_some()
                                && is_oci_layout(path.parent()) =>
                        {
                            read_layout_dir(path.parent(), root, options, stats, visit);
                            read_file(path, rel, options, stats, visit);
                        }
                        Some(t) if t.is_file() => read_file(path, rel, options, stats, visit),
                        _ => stats.skip(rel, "not a regular file"),
                    }
                }
            }
            WalkState::Continue
        })
    });
    Ok(())
}

/// Reads the regular file at `path` and scans it. Its size is asked of the open file, not of
/// the path: a path's every lookup costs a walk through the directory cache, and a tree of small
/// files spends much of its time in system calls.
fn read_file(path: &Path, display: String, options: &WalkOptions, stats: &Stats, visit: &Visit) {
    let opened = std::fs::File::open(path).and_then(|file| Ok((file.metadata()?.len(), file)));
    let (len, file) = match opened {
        Ok(opened) => opened,
        Err(err) => return stats.error(display, crate::error::os_reason(&err)),
    };
    if len > options.max_file_size {
        // An archive may be larger than a file: its entries and what it inflates are bounded.
        if open_archive(&file, path, &display, options, stats, visit) {
            return;
        }
        stats.skip(
            display,
            format!(
                "larger than --max-file-size ({len} > {} bytes)",
                options.max_file_size
            ),
        );
        return;
    }
    let origin = Origin {
        source: SourceKind::File,
        path: display,
        commit: None,
        on_disk: Some(path.to_path_buf()),
        in_head: false,
        inside: Default::default(),
    };
    if len <= WINDOW_SIZE as u64 {
        read_whole(file, path, origin, len, options, stats, visit);
        return;
    }
    let mut text = match file_text_reader(&file) {
        Ok(text) => text,
        Err(err) => return stats.error(origin.path, crate::error::os_reason(&err)),
    };
    // UTF-16 grows by up to half when transcoded; the size check above bounds the file itself.
    let limit = options.max_file_size.saturating_mul(2);
    let result = scan_windows(&mut text, limit, true, &mut |data, window| {
        visit(origin.clone(), data, window, Lineage::default());
    });
    match result {
        Err(err) => stats.error(
            origin.path,
            format!("read failed part-way: {}", crate::error::os_reason(&err)),
        ),
        Ok(None) => {
            if !open_archive(&file, path, &origin.path, options, stats, visit) {
                stats.skip(origin.path, "binary file");
            }
        }
        Ok(Some((read, more))) => {
            stats.scanned(usize::try_from(read).unwrap_or(usize::MAX));
            if more {
                stats.skip(
                    origin.path,
                    format!("grew while being read: only its first {read} bytes were scanned"),
                );
            }
        }
    }
}

/// Reads `file` (at `path`), of at most [`WINDOW_SIZE`] bytes, whole and scans it, its first
/// 8 KiB first: a binary file (a quarter of the bytes in a tree of registry packages) is judged,
/// and opened as an archive or skipped, without reading the rest of it.
fn read_whole(
    mut file: std::fs::File,
    path: &Path,
    origin: Origin,
    len: u64,
    options: &WalkOptions,
    stats: &Stats,
    visit: &Visit,
) {
    let mut read = |data: &mut Vec<u8>| -> std::io::Result<bool> {
        (&mut file)
            .take(BINARY_SNIFF_LEN as u64)
            .read_to_end(data)?;
        let head = &data[..data.len().min(archive::SNIFF_LEN)];
        if (options.archives.is_some() && archive::sniff_compressed_or_zip(head).is_some())
            || binary_head(data)
        {
            return Ok(false);
        }
        // Short of the head's length, the read above already met the end of the file.
        if data.len() == BINARY_SNIFF_LEN {
            // One more byte than the size, so a file that grew is read in one allocation.
            data.reserve_exact((len as usize + 1).saturating_sub(data.len()));
            // Through `Take`, which reads to the end without asking the file its size and
            // position again, as `File`'s own `read_to_end` does.
            (&mut file).take(u64::MAX).read_to_end(data)?;
        }
        Ok(true)
    };
    // A file up to the head's length is read, and found to end, in one allocation.
    let mut data = Vec::with_capacity(BINARY_SNIFF_LEN.min(len as usize + 1));
    match read(&mut data) {
        Err(err) => stats.error(origin.path, crate::error::os_reason(&err)),
        Ok(whole) => match whole.then(|| text_of(&data)).flatten() {
            None => {
                if !open_archive(&file, path, &origin.path, options, stats, visit) {
                    stats.skip(origin.path, "binary file");
                }
            }
            Some(text) => {
                stats.scanned(data.len());
                let window = Window::whole(text.len());
                visit(origin, &text, window, Lineage::default());
            }
        },
    }
}

/// Whether `dir` is an OCI image layout: `oci-layout` and `index.json` beside `blobs/`.
fn is_oci_layout(dir: Option<&Path>) -> bool {
    dir.is_some_and(|dir| {
        ["oci-layout", "index.json"]
            .iter()
            .all(|name| std::fs::symlink_metadata(dir.join(name)).is_ok_and(|meta| meta.is_file()))
    })
}

/// Reads the OCI image layout directory `dir` as an image.
fn read_layout_dir(
    dir: Option<&Path>,
    root: &Path,
    options: &WalkOptions,
    stats: &Stats,
    visit: &Visit,
) {
    let (Some(dir), Some(limits)) = (dir, options.archives) else {
        return;
    };
    let origin = Origin {
        source: SourceKind::File,
        path: relative(root, dir),
        commit: None,
        on_disk: Some(dir.to_path_buf()),
        in_head: false,
        inside: Default::default(),
    };
    let reader = archive::Reader::new(limits, origin, String::new(), stats, visit);
    if !reader.read_layout_dir(dir) {
        stats.skip(
            relative(root, dir),
            "OCI image layout without a readable image",
        );
    }
}

/// Reads `file`, open at `path`, as an archive if its first bytes say it is one and archives
/// are read; false when it is not one. The file already open is read again from its start,
/// rather than opened a second time by its path.
fn open_archive(
    mut file: &std::fs::File,
    path: &Path,
    display: &str,
    options: &WalkOptions,
    stats: &Stats,
    visit: &Visit,
) -> bool {
    let Some(limits) = options.archives else {
        return false;
    };
    let origin = Origin {
        source: SourceKind::File,
        path: display.to_string(),
        commit: None,
        on_disk: Some(path.to_path_buf()),
        in_head: false,
        inside: Default::default(),
    };
    let reader = archive::Reader::new(limits, origin, String::new(), stats, visit);
    if std::io::Seek::rewind(&mut file).is_err() {
        return false;
    }
    let mut head = Vec::with_capacity(archive::SNIFF_LEN);
    if (&mut file)
        .take(archive::SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .is_err()
    {
        return false;
    }
    let Some(format) = archive::sniff(&head) else {
        return false;
    };
    if std::io::Seek::rewind(&mut file).is_err() {
        return false;
    }
    reader.read(format, &mut std::io::BufReader::new(file));
    true
}

/// The reason of a walk error without the path it names: the path is reported beside it.
fn error_reason(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_reason(err),
        ignore::Error::Io(io) => crate::error::os_reason(io),
        other => other.to_string(),
    }
}

fn error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.to_string_lossy().into_owned()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}
