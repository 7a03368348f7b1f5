//! The table view: one row per key, fitted to the terminal by [`columns`], then reasons and a
//! summary line. Plain text without a width in a pipe, a file or a CI log.

use std::io::{self, Write};

use super::columns::{self, Cell, Color, Column, TableStyle};
use super::text::plural;
use super::{KeyEntry, Report, HISTORY_ONLY};
use crate::manifest::AuditClass;
use crate::rules::Tier;
use crate::verify::Status;

/// The columns of the key table, in their order; the priority says which stay on the row
/// when the terminal is narrow: the key and what is wrong with it first.
const KEY_COLUMNS: [Column; 12] = [
    Column {
        header: "provider",
        priority: 2,
    },
    Column {
        header: "rule",
        priority: 9,
    },
    Column {
        header: "key",
        priority: 0,
    },
    Column {
        header: "privilege",
        priority: 3,
    },
    Column {
        header: "verified",
        priority: 2,
    },
    Column {
        header: "env",
        priority: 4,
    },
    Column {
        header: "age",
        priority: 5,
    },
    Column {
        header: "locations",
        priority: 10,
    },
    Column {
        header: "first location",
        priority: 8,
    },
    Column {
        header: "declared as",
        priority: 6,
    },
    Column {
        header: "owner",
        priority: 7,
    },
    Column {
        header: "flags",
        priority: 1,
    },
];

/// Which of [`KEY_COLUMNS`] a report has: audit columns only in an audit, `owner` only when
/// some declared key names one, `verified` only when some key was verified (`--verify`).
fn key_columns(report: &Report) -> Vec<Column> {
    let audited = report.summary.flagged.is_some();
    let owners = report.keys.iter().any(|k| k.owner().is_some());
    let verified = report.is_verified();
    KEY_COLUMNS
        .iter()
        .filter(|c| match c.header {
            "declared as" | "flags" => audited,
            "owner" => owners,
            "verified" => verified,
            _ => true,
        })
        .copied()
        .collect()
}

/// The colour a class is shown in on a terminal.
fn class_color(class: AuditClass) -> Color {
    match class {
        AuditClass::Unknown => Color::Red,
        AuditClass::Stale | AuditClass::Unused => Color::Yellow,
        AuditClass::OverPrivileged => Color::Magenta,
    }
}

/// The colour a verification status is shown in: a live key is one to act on.
fn status_color(status: Status) -> Option<Color> {
    match status {
        Status::Live => Some(Color::Red),
        Status::Dead => Some(Color::Green),
        Status::Error => Some(Color::Yellow),
        Status::Unknown => None,
    }
}

/// The cell of `key` of `report` under `header`.
fn key_cell(report: &Report, key: &KeyEntry, header: &str) -> Cell {
    match header {
        "provider" => Cell::plain(&key.provider),
        "rule" => Cell::plain(&key.rule),
        "key" => Cell::plain(key.secret.clone().unwrap_or_else(|| key.redacted.clone())),
        "privilege" => Cell::colored(
            key.privilege.as_str(),
            matches!(key.privilege, Tier::Admin | Tier::Full).then_some(Color::Bold),
        ),
        "verified" => match &key.verification {
            Some(v) => Cell::colored(v.status.as_str(), status_color(v.status)),
            None => Cell::plain("-"),
        },
        "env" => Cell::plain(key.environment.as_str()),
        "age" => Cell::plain(
            key.age_days(Some(ages_to(report)))
                .map_or_else(|| "-".to_string(), |d| format!("{d}d")),
        ),
        "locations" => Cell::plain(key.locations.len().to_string()),
        "first location" => {
            let first = &key.locations[0];
            let mut place = format!("{}:{}", first.path, first.line);
            if let Some(variable) = &first.variable {
                place.push_str(&format!(" ({variable})"));
            }
            if !key.in_current_tree {
                place.push_str(" [history only]");
            }
            Cell::plain(place)
        }
        "declared as" => Cell::plain(
            key.audit
                .as_ref()
                .and_then(|a| a.declared_as.clone())
                .unwrap_or_else(|| "-".into()),
        ),
        "owner" => Cell::plain(key.owner().unwrap_or("-")),
        "flags" => match &key.audit {
            Some(audit) if !audit.flags.is_empty() => {
                let flags: Vec<&str> = audit.flags.iter().map(|f| f.as_str()).collect();
                Cell::colored(flags.join(", "), Some(class_color(audit.flags[0])))
            }
            _ => Cell::colored("ok", Some(Color::Green)),
        },
        _ => Cell::default(),
    }
}

/// The time `report` counts ages to: `--now`, else when it was made.
fn ages_to(report: &Report) -> jiff::Timestamp {
    report
        .as_of
        .or_else(|| report.generated_at.parse().ok())
        .unwrap_or_else(jiff::Timestamp::now)
}

/// Renders `report` as a table laid out by `style`.
pub fn render(report: &Report, style: &TableStyle, out: &mut dyn Write) -> io::Result<()> {
    // What follows the key rows, fitted to the width as a whole.
    let mut tail: Vec<u8> = Vec::new();
    if !report.keys.is_empty() {
        let columns = key_columns(report);
        let keys = report.keys_for_people();
        let rows: Vec<Vec<Cell>> = keys
            .iter()
            .map(|key| {
                columns
                    .iter()
                    .map(|c| key_cell(report, key, c.header))
                    .collect()
            })
            .collect();
        out.write_all(columns::layout(&columns, &rows, style).as_bytes())?;
        let audited = report.summary.flagged.is_some();
        for key in keys.iter().filter(|k| !k.in_current_tree) {
            writeln!(tail, "  {} ({}): {HISTORY_ONLY}", key.name(), key.rule)?;
        }
        // What providers answered; keys nobody was asked about are counted, not listed.
        for key in &keys {
            let Some(v) = key.verification.as_ref().filter(|v| v.was_asked()) else {
                continue;
            };
            writeln!(
                tail,
                "  {} ({}): verify: {}",
                key.name(),
                key.rule,
                v.summary()
            )?;
        }
        if audited {
            for key in &keys {
                let Some(audit) = &key.audit else { continue };
                let name = audit.declared_as.as_deref().unwrap_or(&key.redacted);
                // A warning's code (`warning.…`) says it is one.
                for (code, text) in audit.coded_reasons().chain(audit.coded_warnings()) {
                    writeln!(tail, "  {name} ({}): [{code}] {text}", key.rule)?;
                }
            }
        }
    }
    for unused in &report.unused {
        writeln!(
            tail,
            "  {}: [{}] {}",
            unused.id, unused.reason_code, unused.reason
        )?;
    }
    for managed in &report.managed {
        writeln!(tail, "  managed: {}", describe_managed(managed))?;
    }
    for unmatched in &report.unmatched_evidence {
        writeln!(
            tail,
            "  evidence about {} ({}) matches no declared or found key",
            unmatched.subject,
            unmatched.sources.join(", ")
        )?;
    }
    if let Some(flagged) = &report.summary.flagged {
        let counts: Vec<String> = flagged.iter().map(|(c, n)| format!("{n} {c}")).collect();
        write!(tail, "{} · ", counts.join(", "))?;
    }
    let scan = &report.scan;
    let summary = &report.summary;
    writeln!(
        tail,
        "{} key{} in {} location{} · {} file{} ({} bytes) scanned · {} skipped · {} error{} · {} allowed{}",
        summary.keys,
        plural(summary.keys),
        summary.locations,
        plural(summary.locations),
        scan.files,
        plural(scan.files as usize),
        scan.bytes,
        summary.skipped,
        summary.errors,
        plural(summary.errors),
        summary.allowed,
        if summary.complete {
            ""
        } else {
            " · INCOMPLETE: some input could not be read"
        },
    )
    ?;
    out.write_all(columns::fit_lines(&String::from_utf8_lossy(&tail), style.width).as_bytes())
}

/// One line about an ExternalSecret: where it is, which store, which entries.
pub fn describe_managed(managed: &crate::managed::ManagedSecret) -> String {
    let entries: Vec<String> = managed
        .refs
        .iter()
        .map(|r| match &r.property {
            Some(p) => format!("{}#{p}", r.remote_key),
            None => r.remote_key.clone(),
        })
        .collect();
    format!(
        "{}:{} ExternalSecret {} from {} {}: {}",
        managed.path,
        managed.line,
        managed.name,
        managed.store_kind,
        managed.store,
        entries.join(", ")
    )
}
