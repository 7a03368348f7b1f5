//! `keyaudit db`: turns its arguments into reads, an ingest or a rendering, writes the output,
//! and decides the exit code. As for the other commands, this is where `anyhow` lives; the
//! [`db`](crate::db) library below it returns the library [`Error`].

use std::io::{self, IsTerminal};

use anyhow::Result;

use super::diag::tell;
use super::exit::{EXIT_CLEAN, EXIT_FOUND};
use super::output::emit;
use crate::cli::{DbCommand, DbIngestArgs, DbNewArgs, DbReportArgs};
use crate::config::default_format;
use crate::db::html;
use crate::db::ingest::ingest;
use crate::db::input::read_report;
use crate::db::query;
use crate::db::render::{render_new, render_report, NewView, ReportFormat, ReportView};
use crate::db::schema;
use crate::error::{Diagnostic, Error};

/// Runs one `db` subcommand and returns its exit code.
pub(super) fn run(command: &DbCommand) -> Result<u8> {
    match command {
        DbCommand::Ingest(args) => ingest_command(args),
        DbCommand::Report(args) => report_command(args),
        DbCommand::New(args) => new_command(args),
    }
}

/// Reports are read one at a time inside one transaction: a bad one rolls back them all and
/// leaves the database unchanged. The first is read before the database is opened, so a bad
/// single report does not even create the file.
fn ingest_command(args: &DbIngestArgs) -> Result<u8> {
    let read = |path: &std::path::PathBuf| read_report(path).map(|run| (path.clone(), run));
    let Some((first, rest)) = args.reports.split_first() else {
        return Ok(EXIT_CLEAN);
    };
    let first = read(first)?;
    let mut conn = schema::open(&args.db, true)?;
    let runs = std::iter::once(Ok(first)).chain(rest.iter().map(read));
    let recorded = ingest(&mut conn, &args.db, runs)?;
    for r in &recorded {
        for note in &r.notes {
            tell(&Diagnostic::warning(note.as_str()).at(r.path.display().to_string()));
        }
        if !args.quiet {
            tell(&super::record::said(r));
        }
    }
    Ok(EXIT_CLEAN)
}

fn report_command(args: &DbReportArgs) -> Result<u8> {
    let conn = schema::open(&args.db, false)?;
    let history = query::load(&conn).map_err(|e| Error::sqlite(&args.db, e))?;
    let view = ReportView::new(&history, args.since);
    let format = args
        .format
        .unwrap_or_else(|| default_format(args.output.as_deref(), io::stdout().is_terminal()));
    let mut out = Vec::new();
    match format {
        ReportFormat::Html => html::render(&view, &history, &mut out)?,
        other => render_report(&view, other, &mut out)?,
    }
    emit(args.output.as_deref(), &out)?;
    Ok(EXIT_CLEAN)
}

fn new_command(args: &DbNewArgs) -> Result<u8> {
    let conn = schema::open(&args.db, false)?;
    let history = query::load(&conn).map_err(|e| Error::sqlite(&args.db, e))?;
    let view = NewView::new(&history);
    let format = args
        .format
        .unwrap_or_else(|| default_format(args.output.as_deref(), io::stdout().is_terminal()));
    let mut out = Vec::new();
    render_new(&view, format, &mut out)?;
    emit(args.output.as_deref(), &out)?;
    Ok(if view.keys.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FOUND
    })
}
