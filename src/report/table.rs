//! The table view: one row per key, then a summary line. Plain text, so it reads the same in a
//! terminal, a pipe or a CI log.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use super::Report;

/// Renders `report` as a table.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if !report.keys.is_empty() {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header([
                "provider",
                "rule",
                "key",
                "privilege",
                "env",
                "age",
                "locations",
                "first location",
            ]);
        for key in &report.keys {
            let first = &key.locations[0];
            let mut place = format!("{}:{}", first.path, first.line);
            if let Some(variable) = &first.variable {
                place.push_str(&format!(" ({variable})"));
            }
            table.add_row([
                key.provider.clone(),
                key.rule.clone(),
                key.secret.clone().unwrap_or_else(|| key.redacted.clone()),
                key.privilege.to_string(),
                key.environment.to_string(),
                "-".to_string(),
                key.locations.len().to_string(),
                place,
            ]);
        }
        writeln!(out, "{table}")?;
    }
    let scan = &report.scan;
    let summary = &report.summary;
    writeln!(
        out,
        "{} key{} in {} location{} · {} file{} ({} bytes) scanned · {} skipped · {} error{}",
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
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
