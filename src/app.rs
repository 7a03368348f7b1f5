//! One function per subcommand, wiring the pipeline: settings, rules, sources, scanner,
//! inventory, report. This is the edge where `anyhow` lives and where exit codes are decided.

use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::Table;
use serde::Serialize;

use crate::cli::{
    Cli, Command, RuleSourceArgs, RulesCommand, RulesFormat, RulesListArgs, ScanArgs,
};
use crate::config::Settings;
use crate::fingerprint::{fingerprint, DEFAULT_SALT};
use crate::inventory::Inventory;
use crate::report::{Report, RunInfo};
use crate::rules::RuleSet;
use crate::scan::{check::check_examples, Hit, Scanner};
use crate::source::{self, Origin, Stats};

/// Exit code: nothing found that fails.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: keys found (scan) or a failing audit class (audit).
pub const EXIT_FOUND: u8 = 1;
/// Exit code: an error.
pub const EXIT_ERROR: u8 = 2;

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Fingerprint => fingerprint_stdin(),
        Command::Rules(RulesCommand::List(args)) => rules_list(&args),
        Command::Rules(RulesCommand::Check(args)) => rules_check(&args),
    }
}

fn load_rules(source: &RuleSourceArgs) -> Result<RuleSet> {
    if source.no_builtin_rules && source.rules.is_empty() {
        bail!("--no-builtin-rules needs at least one --rules PATH");
    }
    Ok(RuleSet::load(!source.no_builtin_rules, &source.rules)?)
}

/// Writes a one-line message to stderr. Callers never pass secret values.
fn diag(message: &str) {
    let _ = writeln!(io::stderr(), "keyaudit: {message}");
}

fn scan(args: &ScanArgs) -> Result<u8> {
    let started = Instant::now();
    let settings = Settings::from_scan_args(args).map_err(anyhow::Error::msg)?;
    let rules = load_rules(&args.rule_source)?;
    for root in &settings.roots {
        if root.as_os_str() != "-" && std::fs::symlink_metadata(root).is_err() {
            bail!("{}: no such file or directory", root.display());
        }
    }
    let scanner = Scanner::new(&rules);
    let stats = Stats::default();
    let findings: Mutex<Vec<(Origin, Vec<Hit>)>> = Mutex::new(Vec::new());
    let visit = |origin: Origin, data: &[u8]| {
        let hits = scanner.scan(data);
        if !hits.is_empty() {
            findings.lock().expect("findings lock").push((origin, hits));
        }
    };
    for root in &settings.roots {
        if root.as_os_str() == "-" {
            source::read_stdin(settings.walk.max_file_size, &stats, &visit);
        } else {
            source::fs::walk_root(root, &settings.walk, &stats, &visit)?;
        }
    }
    let findings = findings.into_inner().expect("findings lock");
    let inventory = Inventory::build(&rules, DEFAULT_SALT, findings);
    let snapshot = stats.snapshot();
    report_problems(&settings, &snapshot);
    let incomplete = !snapshot.errors.is_empty();
    let run = RunInfo {
        roots: settings
            .roots
            .iter()
            .map(|r| r.to_string_lossy().into_owned())
            .collect(),
        stats: snapshot,
        duration_ms: started.elapsed().as_millis() as u64,
        show_secrets: settings.show_secrets,
    };
    let report = Report::new(&rules, &inventory, run);
    let mut rendered = Vec::new();
    report.render(settings.format, &mut rendered)?;
    emit(settings.output.as_deref(), &rendered)?;
    Ok(if incomplete && settings.strict {
        EXIT_ERROR
    } else if inventory.keys.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FOUND
    })
}

/// Tells stderr what could not be read (always) and what was skipped (with `-v`).
fn report_problems(settings: &Settings, stats: &source::StatsSnapshot) {
    if settings.verbosity == 0 {
        return;
    }
    for error in &stats.errors {
        diag(&format!("warning: {}: {}", error.path, error.message));
    }
    if settings.verbosity > 1 {
        for skipped in &stats.skipped {
            diag(&format!("skipped {}: {}", skipped.path, skipped.reason));
        }
    }
    if !stats.errors.is_empty() {
        diag(&format!(
            "warning: {} input{} could not be read; the inventory is incomplete",
            stats.errors.len(),
            if stats.errors.len() == 1 { "" } else { "s" }
        ));
    }
}

/// Writes a rendered report to `output` atomically, or to stdout. A closed stdout is not an
/// error: the run ends quietly with the code it would have had.
fn emit(output: Option<&Path>, rendered: &[u8]) -> Result<()> {
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
pub fn write_atomically(path: &Path, data: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
    file.write_all(data)
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    file.persist(path)
        .with_context(|| format!("{}: cannot replace", path.display()))?;
    Ok(())
}

fn fingerprint_stdin() -> Result<u8> {
    let mut input = Vec::new();
    io::stdin()
        .lock()
        .read_to_end(&mut input)
        .context("cannot read standard input")?;
    let secret = input
        .strip_suffix(b"\n")
        .map(|s| s.strip_suffix(b"\r").unwrap_or(s))
        .unwrap_or(&input);
    if secret.is_empty() {
        bail!("no secret on standard input");
    }
    let line = format!("{}\n", fingerprint(DEFAULT_SALT, secret));
    emit(None, line.as_bytes())?;
    Ok(EXIT_CLEAN)
}

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

fn rules_list(args: &RulesListArgs) -> Result<u8> {
    let rules = load_rules(&args.source)?;
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
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED).set_header([
                "id",
                "provider",
                "kind",
                "privilege",
                "environment",
                "lifetime",
            ]);
            for r in &listing {
                table.add_row([
                    r.id,
                    r.provider,
                    r.kind,
                    r.privilege,
                    r.environment,
                    r.lifetime,
                ]);
            }
            writeln!(out, "{table}\n{} rules", listing.len())?;
        }
    }
    emit(None, &out)?;
    Ok(EXIT_CLEAN)
}

fn rules_check(args: &RuleSourceArgs) -> Result<u8> {
    let rules = load_rules(args)?;
    for warning in rules.warnings() {
        diag(&format!(
            "warning: {}:{}: rule `{}`: {}",
            warning.origin.path.display(),
            warning.origin.line,
            warning.rule,
            warning.message
        ));
    }
    let failures = check_examples(&rules);
    for failure in &failures {
        diag(&format!("error: {failure}"));
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
