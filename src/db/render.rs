//! Views of the history for `db report` and `db new`: the selections ([`ReportView`],
//! [`NewView`]) and their table, JSON, JSONL and Markdown renderings. JSON is serde of the
//! views; the JSONL lines follow the report events of `scan --format jsonl` (`timestamp`,
//! `event`, `level`, `message`, `tool`, then the body), so the same log pipelines take them.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use jiff::Timestamp;
use serde::Serialize;

use super::query::{History, KeyView, RunView, Status};
use crate::report::text::{counted, day, or_dash};
use crate::report::write_jsonl_event;

/// Formats of `db report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Tables for people (the default on a terminal).
    Table,
    /// One JSON document (the default when stdout is not a terminal).
    Json,
    /// One JSON event per run and per key, then a summary line.
    Jsonl,
    /// Markdown, for a job summary or a compliance record.
    Markdown,
    /// One self-contained HTML page with trend charts.
    Html,
}

/// Formats of `db new`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NewFormat {
    /// A table for people (the default on a terminal).
    Table,
    /// One JSON document (the default when stdout is not a terminal).
    Json,
    /// One JSON event per new key, then a summary line: for log pipelines and alerting.
    Jsonl,
    /// Markdown.
    Markdown,
}

/// The JSON format version of `db report` and `db new`.
const VERSION: u32 = 1;

/// What `db report` shows: runs and keys, limited by `--since`.
#[derive(Debug, Serialize)]
pub struct ReportView<'a> {
    /// Format version.
    pub version: u32,
    /// The fingerprint key's id.
    pub salt_id: Option<&'a str>,
    /// Runs at or after `--since`, oldest first.
    pub runs: Vec<&'a RunView>,
    /// Keys seen or resolved at or after `--since`, and every open key.
    pub keys: Vec<&'a KeyView>,
}

impl<'a> ReportView<'a> {
    /// Selects from `history` what happened at or after `since` (everything without it). Open
    /// keys are always shown: nothing has resolved them, however long ago they were seen.
    pub fn new(history: &'a History, since: Option<Timestamp>) -> Self {
        let after = |t: Timestamp| since.is_none_or(|s| t >= s);
        Self {
            version: VERSION,
            salt_id: history.salt_id.as_deref(),
            runs: history.runs.iter().filter(|r| after(r.time)).collect(),
            keys: history
                .keys
                .iter()
                .filter(|k| {
                    k.status == Status::Open
                        || after(k.last_time)
                        || k.resolved_time.is_some_and(after)
                })
                .collect(),
        }
    }

    /// Open keys.
    pub fn open(&self) -> usize {
        self.keys
            .iter()
            .filter(|k| k.status == Status::Open)
            .count()
    }
}

/// What `db new` shows: the keys first seen in the latest run.
#[derive(Debug, Serialize)]
pub struct NewView<'a> {
    /// Format version.
    pub version: u32,
    /// The latest run (null in an empty database).
    pub run: Option<&'a RunView>,
    /// Keys whose first sighting is that run.
    pub keys: Vec<&'a KeyView>,
}

impl<'a> NewView<'a> {
    /// Selects the latest run and the keys it saw first.
    pub fn new(history: &'a History) -> Self {
        let latest = history.runs.len().checked_sub(1);
        Self {
            version: VERSION,
            run: history.runs.last(),
            keys: history
                .keys
                .iter()
                .filter(|k| Some(k.first_index) == latest)
                .collect(),
        }
    }
}

/// `path:line` of a key's first location, with its repository when it has one.
fn place(key: &KeyView) -> String {
    key.locations.first().map_or_else(
        || "-".to_string(),
        |l| match &l.repo {
            Some(repo) => format!("{repo}:{}:{}", l.path, l.line),
            None => format!("{}:{}", l.path, l.line),
        },
    )
}

/// What a key's provider said, and since when: `live since 2026-01-02`; `-` when it was never
/// verified.
pub fn verified_since(key: &KeyView) -> String {
    key.verification.as_ref().map_or_else(
        || "-".to_string(),
        |v| format!("{} since {}", v.status, day(&v.since)),
    )
}

/// The short form of a run id, for tables.
pub fn short_id(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..hex.len().min(12)]
}

#[derive(Serialize)]
struct RunLine<'a> {
    run: &'a RunView,
}

#[derive(Serialize)]
struct ReportSummary {
    runs: usize,
    keys: usize,
    open: usize,
    resolved: usize,
}

#[derive(Serialize)]
struct NewSummary<'a> {
    run: Option<&'a RunView>,
    new: usize,
}

/// Renders `db report` in a format other than HTML.
pub fn render_report(
    view: &ReportView<'_>,
    format: ReportFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, view)?;
            writeln!(out)
        }
        ReportFormat::Jsonl => {
            let latest = view.runs.last().map_or("", |r| r.generated_at.as_str());
            for run in &view.runs {
                let message = format!(
                    "run {} at {}: {}{}",
                    short_id(&run.id),
                    run.generated_at,
                    counted(run.counts.keys as usize, "key"),
                    if run.complete { "" } else { " (incomplete)" }
                );
                write_jsonl_event(
                    out,
                    &run.generated_at,
                    "run",
                    "info",
                    message,
                    RunLine { run },
                )?;
            }
            for key in &view.keys {
                let (level, message, time) = match key.status {
                    Status::Open => (
                        "warning",
                        format!(
                            "{} {} open since {} at {}",
                            key.provider,
                            key.kind,
                            day(&key.opened_at),
                            place(key)
                        ),
                        key.last_seen.as_str(),
                    ),
                    Status::Resolved => (
                        "info",
                        format!(
                            "{} {} resolved after {} days",
                            key.provider, key.kind, key.days_open
                        ),
                        key.resolved_at.as_deref().unwrap_or(&key.last_seen),
                    ),
                };
                write_jsonl_event(out, time, "key", level, message, key)?;
            }
            let open = view.open();
            let summary = ReportSummary {
                runs: view.runs.len(),
                keys: view.keys.len(),
                open,
                resolved: view.keys.len() - open,
            };
            let message = format!(
                "{}: {open} open, {} resolved, over {}",
                counted(view.keys.len(), "key"),
                view.keys.len() - open,
                counted(view.runs.len(), "run")
            );
            write_jsonl_event(out, latest, "summary", "info", message, summary)
        }
        ReportFormat::Table | ReportFormat::Html => {
            runs_table(&view.runs, out)?;
            keys_table(&view.keys, out)?;
            let open = view.open();
            writeln!(
                out,
                "{}: {open} open, {} resolved, over {}",
                counted(view.keys.len(), "key"),
                view.keys.len() - open,
                counted(view.runs.len(), "run")
            )
        }
        ReportFormat::Markdown => {
            writeln!(out, "# keyaudit: keys over time\n")?;
            let open = view.open();
            writeln!(
                out,
                "**{}**: {open} open, {} resolved, over {}\n",
                counted(view.keys.len(), "key"),
                view.keys.len() - open,
                counted(view.runs.len(), "run")
            )?;
            writeln!(out, "## Runs\n")?;
            markdown_runs(&view.runs, out)?;
            writeln!(out, "\n## Keys\n")?;
            markdown_keys(&view.keys, out)
        }
    }
}

/// Renders `db new`.
pub fn render_new(view: &NewView<'_>, format: NewFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        NewFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, view)?;
            writeln!(out)
        }
        NewFormat::Jsonl => {
            let time = view.run.map_or("", |r| r.generated_at.as_str());
            for key in &view.keys {
                let message = format!(
                    "new {} {} ({}) at {}",
                    key.provider,
                    key.kind,
                    key.privilege,
                    place(key)
                );
                write_jsonl_event(out, time, "new_key", "error", message, key)?;
            }
            let message = match view.run {
                Some(run) => format!(
                    "{} first seen in run {}",
                    counted(view.keys.len(), "new key"),
                    short_id(&run.id)
                ),
                None => "no runs recorded".to_string(),
            };
            let summary = NewSummary {
                run: view.run,
                new: view.keys.len(),
            };
            write_jsonl_event(out, time, "summary", "info", message, summary)
        }
        NewFormat::Table => {
            if !view.keys.is_empty() {
                keys_table(&view.keys, out)?;
            }
            match view.run {
                Some(run) => writeln!(
                    out,
                    "{} first seen in run {} ({})",
                    counted(view.keys.len(), "new key"),
                    short_id(&run.id),
                    run.generated_at
                ),
                None => writeln!(out, "no runs recorded"),
            }
        }
        NewFormat::Markdown => {
            writeln!(out, "# keyaudit: new keys\n")?;
            match view.run {
                Some(run) => writeln!(
                    out,
                    "**{}** first seen in run `{}` ({}).\n",
                    counted(view.keys.len(), "new key"),
                    short_id(&run.id),
                    run.generated_at
                )?,
                None => writeln!(out, "No runs recorded.\n")?,
            }
            if view.keys.is_empty() {
                return Ok(());
            }
            markdown_keys(&view.keys, out)
        }
    }
}

fn runs_table(runs: &[&RunView], out: &mut dyn Write) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "run",
            "generated at",
            "kind",
            "complete",
            "scope",
            "keys",
            "unknown",
            "stale",
            "over-priv.",
            "unused",
        ]);
    for run in runs {
        table.add_row([
            short_id(&run.id).to_string(),
            run.generated_at.clone(),
            run.kind.clone(),
            if run.complete { "yes" } else { "no" }.to_string(),
            scope_text(&run.scope),
            run.counts.keys.to_string(),
            or_dash(run.counts.unknown),
            or_dash(run.counts.stale),
            or_dash(run.counts.over_privileged),
            or_dash(run.counts.unused),
        ]);
    }
    writeln!(out, "{table}")
}

fn scope_text(scope: &[String]) -> String {
    match scope.len() {
        0..=3 => scope.join(", "),
        n => format!("{}, … ({n})", scope[..2].join(", ")),
    }
}

fn keys_table(keys: &[&KeyView], out: &mut dyn Write) -> io::Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let verified = keys.iter().any(|k| k.verification.is_some());
    let mut header = vec![
        "status",
        "provider",
        "rule",
        "key",
        "privilege",
        "declared as",
        "first seen",
        "last seen",
        "days open",
        "where",
    ];
    if verified {
        header.insert(5, "verified");
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    for key in keys {
        let mut row = vec![
            key.status.as_str().to_string(),
            key.provider.clone(),
            key.rule.clone(),
            key.redacted.clone(),
            key.privilege.clone(),
            key.declared_as.clone().unwrap_or_else(|| "-".into()),
            day(&key.first_seen).to_string(),
            day(&key.last_seen).to_string(),
            key.days_open.to_string(),
            place(key),
        ];
        if verified {
            row.insert(5, verified_since(key));
        }
        table.add_row(row);
    }
    writeln!(out, "{table}")
}

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn markdown_runs(runs: &[&RunView], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "| run | generated at | complete | scope | keys | unknown | stale | over-privileged | unused |\n|---|---|---|---|---:|---:|---:|---:|---:|"
    )?;
    for run in runs {
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            short_id(&run.id),
            run.generated_at,
            if run.complete { "yes" } else { "**no**" },
            cell(&scope_text(&run.scope)),
            run.counts.keys,
            or_dash(run.counts.unknown),
            or_dash(run.counts.stale),
            or_dash(run.counts.over_privileged),
            or_dash(run.counts.unused)
        )?;
    }
    Ok(())
}

fn markdown_keys(keys: &[&KeyView], out: &mut dyn Write) -> io::Result<()> {
    let verified = keys.iter().any(|k| k.verification.is_some());
    writeln!(
        out,
        "| status | provider | rule | key | privilege |{} declared as | first seen | last seen | days open | where |\n|---|---|---|---|---|{}---|---|---|---:|---|",
        if verified { " verified |" } else { "" },
        if verified { "---|" } else { "" }
    )?;
    for key in keys {
        writeln!(
            out,
            "| {} | {} | {} | `{}` | {} |{} {} | {} | {} | {} | {} |",
            key.status.as_str(),
            cell(&key.provider),
            cell(&key.rule),
            cell(&key.redacted),
            key.privilege,
            if verified {
                format!(" {} |", cell(&verified_since(key)))
            } else {
                String::new()
            },
            cell(key.declared_as.as_deref().unwrap_or("-")),
            day(&key.first_seen),
            day(&key.last_seen),
            key.days_open,
            cell(&place(key))
        )?;
    }
    Ok(())
}
