//! Where a command's output goes: a rendered report or listing to stdout or, with `--output`,
//! to a file replaced atomically.

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::config::ReportSettings;
use crate::manifest;
use crate::report::Report;

/// Renders and writes a report.
pub(super) fn publish(report: &Report, output: &ReportSettings) -> Result<()> {
    let mut rendered = Vec::new();
    report.render(output.format, &output.table, &mut rendered)?;
    emit(output.output.as_deref(), &rendered)
}

/// Writes a rendered report to `output` atomically, or to stdout. A closed stdout is not an
/// error: the run ends quietly with the code it would have had.
pub(super) fn emit(output: Option<&Path>, rendered: &[u8]) -> Result<()> {
    match output {
        Some(path) => write_atomically(path, rendered),
        None => {
            let mut stdout = io::stdout().lock();
            match stdout.write_all(rendered).and_then(|()| stdout.flush()) {
                Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    }
}

/// Writes `data` to a temporary file (mode 0600) beside `path`, then renames it into place.
/// A path that is not a regular file (`/dev/null`, a pipe, a terminal) is written into: a
/// rename would replace the device or pipe itself with a file.
pub(super) fn write_atomically(path: &Path, data: &[u8]) -> Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut file| file.write_all(data))
            .with_context(|| format!("{}: cannot write", path.display()));
    }
    let dir = manifest::parent_dir(path);
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
    file.write_all(data)
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    file.persist(path)
        .with_context(|| format!("{}: cannot replace", path.display()))?;
    Ok(())
}
