//! Zip archives (jar, war, ear, aar, apk, whl, egg, nupkg, vsix, xpi): read through the central
//! directory; a zip without one (truncated) is read front to back from its local headers, so
//! the entries before the damage are still scanned.

use std::cell::Cell;
use std::io::{self, Read, SeekFrom};

use ::zip::read::read_zipfile_from_stream;
use ::zip::ZipArchive;

use super::compress::Inflating;
use super::{enter, escape_name, join, stop_of, Inside, ReadSeek, Reader, Stop};

/// Reads the zip archive `input` at `path`.
pub(super) fn read(reader: &Reader<'_>, input: &mut dyn ReadSeek, path: &str, inside: &Inside) {
    let level = enter(inside, path, "zip");
    let mut archive = match ZipArchive::new(&mut *input) {
        Ok(archive) => archive,
        Err(err) => {
            reader.skip(
                path,
                format!(
                    "corrupt or truncated archive: {}; entries read front to back",
                    super::damage(&io::Error::other(err.to_string()))
                ),
            );
            if input.seek(SeekFrom::Start(0)).is_ok() {
                read_stream(reader, input, &level);
            }
            return;
        }
    };
    for index in 0..archive.len() {
        let (name, encrypted, compressed) = match archive.by_index_raw(index) {
            Ok(file) if file.is_dir() => continue,
            Ok(file) => (
                escape_name(file.name_raw()),
                file.encrypted(),
                file.compressed_size(),
            ),
            Err(err) => {
                reader.skip(
                    path,
                    format!(
                        "corrupt entry {index}: {}",
                        super::damage(&io::Error::other(err.to_string()))
                    ),
                );
                continue;
            }
        };
        let entry_path = join(&level, &name);
        if encrypted {
            reader.skip(&entry_path, "encrypted entry");
            continue;
        }
        let file = match archive.by_index(index) {
            Ok(file) => file,
            Err(err) => {
                reader.skip(
                    &entry_path,
                    format!(
                        "corrupt entry: {}",
                        super::damage(&io::Error::other(err.to_string()))
                    ),
                );
                continue;
            }
        };
        let consumed = Cell::new(compressed);
        let mut inflating = Inflating {
            inner: Box::new(file),
            consumed: &consumed,
            produced: 0,
            reader,
        };
        if !entry(reader, &name, &mut inflating, &level) {
            return;
        }
    }
}

/// Scans one entry; false when the archive's budget is spent and reading must stop.
fn entry(reader: &Reader<'_>, name: &str, input: &mut dyn Read, level: &Inside) -> bool {
    match reader.entry(name, input, level) {
        Ok(()) => true,
        Err(err) => {
            if matches!(stop_of(&err), Some(Stop::Budget)) {
                reader.damaged(name, &err);
                return false;
            }
            reader.damaged(&join(level, name), &err);
            true
        }
    }
}

/// Reads a zip without a central directory front to back, until the first damage.
fn read_stream(reader: &Reader<'_>, input: &mut dyn ReadSeek, level: &Inside) {
    let mut input: &mut dyn ReadSeek = input;
    loop {
        match read_zipfile_from_stream(&mut input) {
            Ok(Some(file)) => {
                if file.is_dir() {
                    continue;
                }
                let name = escape_name(file.name_raw());
                if file.encrypted() {
                    reader.skip(&join(level, &name), "encrypted entry");
                    continue;
                }
                let consumed = Cell::new(file.compressed_size());
                let mut inflating = Inflating {
                    inner: Box::new(file),
                    consumed: &consumed,
                    produced: 0,
                    reader,
                };
                if !entry(reader, &name, &mut inflating, level) {
                    return;
                }
            }
            Ok(None) | Err(_) => return,
        }
    }
}
