//! The table view: one row per key, then a summary line. Plain text, so it reads the same in a
//! terminal, a pipe or a CI log.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use super::{Report, HISTORY_ONLY};

/// Renders `report` as a table.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if !report.keys.is_empty() {
        let mut table = Table::new();
        let audited = report.summary.flagged.is_some();
        let mut header = vec![
            "provider",
            "rule",
            "key",
            "privilege",
            "env",
            "age",
            "locations",
            "first location",
        ];
        if audited {
            header.extend(["declared as", "flags"]);
        }
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header);
        for key in &report.keys {
            let first = &key.locations[0];
            let mut place = format!("{}:{}", first.path, first.line);
            if let Some(variable) = &first.variable {
                place.push_str(&format!(" ({variable})"));
            }
            if !key.in_current_tree {
                place.push_str(" [history only]");
            }
            let age = key
                .audit
                .as_ref()
                .and_then(|a| a.age_days)
                .map_or_else(|| "-".to_string(), |d| format!("{d}d"));
            let mut row = vec![
                key.provider.clone(),
                key.rule.clone(),
                key.secret.clone().unwrap_or_else(|| key.redacted.clone()),
                key.privilege.to_string(),
                key.environment.to_string(),
                age,
                key.locations.len().to_string(),
                place,
            ];
            if let Some(audit) = &key.audit {
                row.push(audit.declared_as.clone().unwrap_or_else(|| "-".into()));
                let flags: Vec<&str> = audit.flags.iter().map(|f| f.as_str()).collect();
                row.push(if flags.is_empty() {
                    "ok".into()
                } else {
                    flags.join(", ")
                });
            }
            table.add_row(row);
        }
        writeln!(out, "{table}")?;
        for key in report.keys.iter().filter(|k| !k.in_current_tree) {
            let name = key
                .audit
                .as_ref()
                .and_then(|a| a.declared_as.as_deref())
                .unwrap_or(&key.redacted);
            writeln!(out, "  {name} ({}): {HISTORY_ONLY}", key.rule)?;
        }
        if audited {
            for key in &report.keys {
                let Some(audit) = &key.audit else { continue };
                let name = audit.declared_as.as_deref().unwrap_or(&key.redacted);
                for reason in &audit.reasons {
                    writeln!(out, "  {name} ({}): {reason}", key.rule)?;
                }
                for warning in &audit.warnings {
                    writeln!(out, "  {name} ({}): warning: {warning}", key.rule)?;
                }
            }
        }
    }
    for unused in &report.unused {
        writeln!(out, "  {}: unused: {}", unused.id, unused.reason)?;
    }
    for managed in &report.managed {
        writeln!(out, "  managed: {}", describe_managed(managed))?;
    }
    for unmatched in &report.unmatched_evidence {
        writeln!(
            out,
            "  evidence about {} ({}) matches no declared or found key",
            unmatched.subject,
            unmatched.sources.join(", ")
        )?;
    }
    if let Some(flagged) = &report.summary.flagged {
        let counts: Vec<String> = flagged.iter().map(|(c, n)| format!("{n} {c}")).collect();
        write!(out, "{} · ", counts.join(", "))?;
    }
    let scan = &report.scan;
    let summary = &report.summary;
    writeln!(
        out,
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
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
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
