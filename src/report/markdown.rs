//! The Markdown view: a summary fit for a CI job summary or a compliance record. Counts first,
//! then every key with its flags and reasons. Never a raw secret unless `--show-secrets`.

use std::io::{self, Write};

use super::{KeyEntry, Report, HISTORY_ONLY};

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// `## Verification`: what each provider answered, keys nobody was asked about counted.
fn verification(keys: &[&KeyEntry], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Verification\n")?;
    let mut not_asked = 0;
    for key in keys {
        match &key.verification {
            Some(v) if v.was_asked() => writeln!(
                out,
                "- `{}` ({}): {}",
                cell(key.name()),
                key.rule,
                cell(&v.summary())
            )?,
            _ => not_asked += 1,
        }
    }
    if not_asked > 0 {
        writeln!(
            out,
            "- {not_asked} other key{} not asked (no verifier for the rule, left out by \
             `--verify-only`, or never sent: generic findings, passwords, connection strings)",
            if not_asked == 1 { "" } else { "s" }
        )?;
    }
    writeln!(out)
}

/// Renders `report` as Markdown.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let summary = &report.summary;
    let audited = summary.flagged.is_some();
    writeln!(out, "# {}\n", cell(&report.title()))?;
    if let Some(repository) = &report.scan.repository {
        let mut about = vec![format!("Repository **{}**", cell(&repository.name))];
        if let Some(remote) = &repository.remote {
            about.push(format!("`{}`", cell(remote)));
        }
        if let Some(branch) = &repository.branch {
            about.push(format!("branch `{}`", cell(branch)));
        }
        if let Some(commit) = &repository.commit {
            about.push(format!("commit `{}`", &commit[..commit.len().min(12)]));
        }
        writeln!(out, "{}\n", about.join(" · "))?;
    }
    if !report.generated_at.is_empty() {
        writeln!(out, "Generated {}\n", report.generated_at)?;
    }
    writeln!(
        out,
        "**{} key{}** in {} location{} · {} files ({} bytes) scanned · {} skipped · {} errors · {} allowed{}\n",
        summary.keys,
        if summary.keys == 1 { "" } else { "s" },
        summary.locations,
        if summary.locations == 1 { "" } else { "s" },
        report.scan.files,
        report.scan.bytes,
        summary.skipped,
        summary.errors,
        summary.allowed,
        if summary.complete { "" } else { " · **incomplete: some input could not be read**" },
    )?;
    if let Some(flagged) = &summary.flagged {
        if let Some(manifest) = &summary.manifest {
            writeln!(out, "Manifest: `{}`\n", cell(manifest))?;
        }
        writeln!(out, "| class | keys |\n|---|---:|")?;
        for (class, count) in flagged {
            writeln!(out, "| {class} | {count} |")?;
        }
        writeln!(out)?;
    }
    if !summary.by_provider.is_empty() {
        writeln!(out, "| provider | keys |\n|---|---:|")?;
        for (provider, count) in &summary.by_provider {
            writeln!(out, "| {} | {count} |", cell(provider))?;
        }
        writeln!(out)?;
        writeln!(out, "| privilege | keys |\n|---|---:|")?;
        for (tier, count) in summary.by_privilege_name() {
            writeln!(out, "| {tier} | {count} |")?;
        }
        writeln!(out)?;
    }
    let keys = report.keys_for_people();
    let verified = report.is_verified();
    if !keys.is_empty() {
        writeln!(out, "## Keys\n")?;
        write!(
            out,
            "| key | provider | rule | privilege | environment | locations | first location |{}",
            if verified { " verified |" } else { "" }
        )?;
        let owners = audited && keys.iter().any(|k| k.owner().is_some());
        writeln!(
            out,
            "{}",
            match (audited, owners) {
                (true, true) => " declared as | owner | flags |",
                (true, false) => " declared as | flags |",
                _ => "",
            }
        )?;
        writeln!(
            out,
            "|---|---|---|---|---|---:|---|{}{}",
            if verified { "---|" } else { "" },
            match (audited, owners) {
                (true, true) => "---|---|---|",
                (true, false) => "---|---|",
                _ => "",
            }
        )?;
        for key in &keys {
            let first = &key.locations[0];
            write!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | `{}:{}`{} |",
                cell(key.secret.as_deref().unwrap_or(&key.redacted)),
                cell(&key.provider),
                key.rule,
                key.privilege,
                key.environment,
                key.locations.len(),
                cell(&first.path),
                first.line,
                if key.in_current_tree {
                    ""
                } else {
                    " (history only)"
                }
            )?;
            if verified {
                write!(
                    out,
                    " {} |",
                    key.verification.as_ref().map_or("—", |v| v.status.as_str())
                )?;
            }
            if let Some(audit) = &key.audit {
                let flags: Vec<&str> = audit.flags.iter().map(|f| f.as_str()).collect();
                write!(
                    out,
                    " {} |",
                    audit.declared_as.as_deref().map_or("—".into(), cell)
                )?;
                if owners {
                    write!(out, " {} |", key.owner().map_or("—".into(), cell))?;
                }
                write!(
                    out,
                    " {} |",
                    if flags.is_empty() {
                        "ok".into()
                    } else {
                        flags.join(", ")
                    }
                )?;
            }
            writeln!(out)?;
        }
        writeln!(out)?;
    }
    let flagged_keys: Vec<_> = keys
        .iter()
        .filter_map(|k| k.audit.as_ref().map(|a| (k, a)))
        .filter(|(_, a)| !a.reasons.is_empty() || !a.warnings.is_empty())
        .collect();
    if !flagged_keys.is_empty() {
        writeln!(out, "## Findings\n")?;
        for (key, audit) in flagged_keys {
            let name = key.name();
            // A warning's code (`warning.…`) says it is one.
            for (code, text) in audit.coded_reasons().chain(audit.coded_warnings()) {
                writeln!(
                    out,
                    "- `{}` ({}): `[{code}]` {}",
                    cell(name),
                    key.rule,
                    cell(text)
                )?;
            }
        }
        writeln!(out)?;
    }
    if verified {
        verification(&keys, out)?;
    }
    let history_only: Vec<_> = keys.iter().filter(|k| !k.in_current_tree).collect();
    if !history_only.is_empty() {
        writeln!(out, "## Found only in git history\n")?;
        for key in history_only {
            writeln!(
                out,
                "- `{}` ({}): {HISTORY_ONLY}",
                cell(key.name()),
                key.rule
            )?;
        }
        writeln!(out)?;
    }
    if !report.unused.is_empty() {
        writeln!(out, "## Declared keys found nowhere\n")?;
        for unused in &report.unused {
            writeln!(
                out,
                "- `{}`: `[{}]` {}",
                cell(&unused.id),
                unused.reason_code,
                cell(&unused.reason)
            )?;
        }
        writeln!(out)?;
    }
    if !report.managed.is_empty() {
        writeln!(out, "## Centrally managed secrets (ExternalSecrets)\n")?;
        for managed in &report.managed {
            writeln!(out, "- {}", cell(&super::table::describe_managed(managed)))?;
        }
        writeln!(out)?;
    }
    if !report.unmatched_evidence.is_empty() {
        writeln!(out, "## Evidence that matches no key\n")?;
        for unmatched in &report.unmatched_evidence {
            writeln!(
                out,
                "- {} ({})",
                cell(&unmatched.subject),
                cell(&unmatched.sources.join(", "))
            )?;
        }
        writeln!(out)?;
    }
    if !report.scan.errors.is_empty() {
        writeln!(out, "## Inputs that could not be read\n")?;
        for error in &report.scan.errors {
            writeln!(out, "- `{}`: {}", cell(&error.path), cell(&error.message))?;
        }
    }
    Ok(())
}
