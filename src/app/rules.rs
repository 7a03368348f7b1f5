//! `keyaudit rules list` and `rules check`: the rules loaded, as a table or JSON, and their
//! examples and negative examples run.

use std::io::{self, Write};

use anyhow::Result;
use serde::Serialize;

use super::diag::tell;
use super::exit::{EXIT_CLEAN, EXIT_ERROR};
use super::output::emit;
use crate::cli::{RuleSourceArgs, RulesFormat, RulesListArgs};
use crate::error::Diagnostic;
use crate::pipeline::prepare::load_rules;
use crate::scan::check::check_examples;

/// One rule as `rules list` shows it.
#[derive(Serialize)]
struct RuleListing<'a> {
    id: &'a str,
    name: &'a str,
    provider: &'a str,
    kind: &'static str,
    privilege: &'static str,
    environment: &'static str,
    lifetime: &'static str,
    keywords: &'a [String],
    min_entropy: Option<f64>,
    rotate: Option<&'a str>,
    pattern: &'a str,
    source: String,
}

/// `rules list`.
pub(super) fn list(args: &RulesListArgs) -> Result<u8> {
    let rules = load_rules(&args.source, &[])?;
    let listing: Vec<RuleListing> = rules
        .rules()
        .iter()
        .map(|r| RuleListing {
            id: &r.id,
            name: &r.name,
            provider: &r.provider,
            kind: r.kind.as_str(),
            privilege: r.privilege.as_str(),
            environment: r.environment.as_str(),
            lifetime: r.lifetime.as_str(),
            keywords: &r.keywords,
            min_entropy: r.min_entropy,
            rotate: r.rotate.as_deref(),
            pattern: r.pattern(),
            source: format!("{}:{}", r.origin.path.display(), r.origin.line),
        })
        .collect();
    let mut out = Vec::new();
    match args.format {
        RulesFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &listing)?;
            writeln!(out)?;
        }
        RulesFormat::Table => {
            use crate::report::columns::{layout, Cell, Column};
            let column = |header, priority| Column { header, priority };
            let columns = [
                column("id", 0),
                column("provider", 1),
                column("kind", 2),
                column("privilege", 3),
                column("environment", 4),
                column("lifetime", 5),
            ];
            let rows: Vec<Vec<Cell>> = listing
                .iter()
                .map(|r| {
                    [
                        r.id,
                        r.provider,
                        r.kind,
                        r.privilege,
                        r.environment,
                        r.lifetime,
                    ]
                    .into_iter()
                    .map(Cell::plain)
                    .collect()
                })
                .collect();
            let style = crate::config::table_style_for(args.color, io::stdout());
            write!(out, "{}", layout(&columns, &rows, &style))?;
            writeln!(out, "{} rules", listing.len())?;
        }
    }
    emit(None, &out)?;
    Ok(EXIT_CLEAN)
}

/// `rules check`.
pub(super) fn check(args: &RuleSourceArgs) -> Result<u8> {
    let rules = load_rules(args, &[])?;
    for warning in rules.warnings() {
        tell(
            &Diagnostic::warning(format!("rule `{}`: {}", warning.rule, warning.message)).at(
                format!("{}:{}", warning.origin.path.display(), warning.origin.line),
            ),
        );
    }
    let failures = check_examples(&rules);
    for failure in &failures {
        tell(&Diagnostic::error(failure.to_string()));
    }
    if !failures.is_empty() {
        return Ok(EXIT_ERROR);
    }
    let examples: usize = rules
        .rules()
        .iter()
        .map(|r| r.examples.len() + r.negative_examples.len())
        .sum();
    let line = format!(
        "{} rules ok ({examples} examples and negative examples passed)\n",
        rules.rules().len()
    );
    emit(None, line.as_bytes())?;
    Ok(EXIT_CLEAN)
}
