//! One function per subcommand, wiring the pipeline: settings, manifest, rules, sources,
//! scanner, inventory, audit, report. This is the edge where `anyhow` lives and where exit codes
//! are decided. Runs over many repositories, `merge` and `audit --inventory` are wired in
//! [`org`].

mod hook;
mod man;
mod org;

use std::collections::{BTreeSet, HashSet};
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use jiff::Timestamp;
use serde::Serialize;

use clap::CommandFactory;

use crate::cli::{
    AuditArgs, Cli, Command, EvidenceArgs, FingerprintArgs, HookCommand, InitArgs, InputArgs,
    ManifestCommand, ManifestFileArgs, OutputArgs, RuleSourceArgs, RulesCommand, RulesFormat,
    RulesListArgs, ScanArgs, UpdateArgs,
};
use crate::config::{ReportSettings, Settings};
use crate::error::os_reason;
use crate::evidence::{Evidence, LoadContext};
use crate::fingerprint::{fingerprint, DEFAULT_SALT};
use crate::inventory::Inventory;
use crate::managed;
use crate::manifest::audit::{apply_allows, audit, drop_manifest_references, AuditOutcome};
use crate::manifest::edit::{fresh_salt, init_text, render_entries, update_text};
use crate::manifest::{self, AuditClass, Manifest};
use crate::report::{Report, RunInfo};
use crate::rules::RuleSet;
use crate::scan::{check::check_examples, Hit, KeywordHits, Rejection, Scanner};
use crate::source::git::{self, CommitIndex};
use crate::source::{self, Lineage, Origin, Stats, StatsSnapshot, Visit, Window};

/// Exit code: nothing found that fails.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: keys found (scan) or a failing audit class (audit).
pub const EXIT_FOUND: u8 = 1;
/// Exit code: an error.
pub const EXIT_ERROR: u8 = 2;

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) if args.repos.repos.is_some() => org::scan_repos(&args),
        Command::Scan(args) => {
            org::refuse_repo_flags(&args.repos)?;
            scan(&args)
        }
        Command::Audit(args) if args.inventory.is_some() => org::audit_inventory(&args),
        Command::Audit(args) if args.repos.repos.is_some() => org::audit_repos(&args),
        Command::Audit(args) => {
            org::refuse_repo_flags(&args.repos)?;
            audit_command(&args)
        }
        Command::Merge(args) => org::merge_command(&args),
        Command::Manifest(ManifestCommand::Init(args)) => manifest_init(&args),
        Command::Manifest(ManifestCommand::Update(args)) => manifest_update(&args),
        Command::Manifest(ManifestCommand::Check(args)) => manifest_check(&args),
        Command::Fingerprint(args) => fingerprint_stdin(&args),
        Command::Rules(RulesCommand::List(args)) => rules_list(&args),
        Command::Rules(RulesCommand::Check(args)) => rules_check(&args),
        Command::Hook(HookCommand::Install(args)) => hook::install(&args),
        Command::Hook(HookCommand::Run(mut args)) => {
            // What a commit will hold, and no chatter: a clean commit prints nothing.
            args.input.staged = true;
            args.input.quiet = true;
            hook::run(&args)
        }
        Command::Completions(args) => {
            let mut out = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "keyaudit", &mut out);
            emit(None, &out)?;
            Ok(EXIT_CLEAN)
        }
        Command::Db(command) => crate::db::command::run(&command),
        Command::Man => man::run(),
    }
}

/// Writes a one-line message to stderr. Callers never pass secret values.
fn diag(message: &str) {
    let _ = writeln!(io::stderr(), "keyaudit: {message}");
}

fn load_rules(source: &RuleSourceArgs, manifest_rules: &[PathBuf]) -> Result<RuleSet> {
    if source.no_builtin_rules && source.rules.is_empty() && manifest_rules.is_empty() {
        bail!("--no-builtin-rules needs at least one --rules PATH");
    }
    let mut extra = source.rules.clone();
    extra.extend(manifest_rules.iter().cloned());
    Ok(RuleSet::load(!source.no_builtin_rules, &extra)?)
}

/// Which manifest a run uses.
enum ManifestUse {
    /// `--manifest`, else a discovered one, else none (scan, audit).
    Optional,
    /// Must exist (manifest update).
    Required,
    /// None is read: a new one is being written, keyed by this salt (manifest init).
    Fresh(Vec<u8>),
}

/// The manifest named by `--manifest`, or found by discovery, unless `--no-manifest`.
fn manifest_path(input: &InputArgs) -> Option<PathBuf> {
    if input.no_manifest {
        return None;
    }
    input.manifest.clone().or_else(|| {
        let first = input.paths.first().map_or(Path::new("."), |p| p.as_path());
        manifest::discover(first)
    })
}

/// Everything a run needs before reading input.
struct Prepared {
    settings: Settings,
    manifest: Option<Manifest>,
    rules: RuleSet,
    salt: Vec<u8>,
    now: Timestamp,
}

fn prepare(input: &InputArgs, manifest_use: ManifestUse) -> Result<Prepared> {
    let (manifest, salt) = match manifest_use {
        ManifestUse::Fresh(salt) => (None, salt),
        ManifestUse::Optional | ManifestUse::Required => {
            let path = manifest_path(input);
            if matches!(manifest_use, ManifestUse::Required) && path.is_none() {
                bail!("no keyaudit.toml found: create one with `keyaudit manifest init` or name it with --manifest");
            }
            let manifest = path.map(|p| Manifest::load(&p)).transpose()?;
            let salt = manifest
                .as_ref()
                .map_or_else(|| DEFAULT_SALT.to_vec(), |m| m.salt.clone());
            (manifest, salt)
        }
    };
    let (excludes, manifest_rules) = manifest
        .as_ref()
        .map(|m| (m.exclude.clone(), m.rules.clone()))
        .unwrap_or_default();
    let settings = Settings::from_input(input, &excludes).map_err(anyhow::Error::msg)?;
    let rules = load_rules(&input.rule_source, &manifest_rules)?;
    for root in &settings.roots {
        if root.as_os_str() != "-" {
            check_readable(root)?;
        }
    }
    Ok(Prepared {
        settings,
        manifest,
        rules,
        salt,
        now: input.now.unwrap_or_else(Timestamp::now),
    })
}

/// Fails closed on a PATH named on the command line that cannot be read: one line naming it
/// and the operating system's reason (`locked: permission denied`), a dangling link as such.
fn check_readable(root: &Path) -> Result<()> {
    let fail = |reason: String| anyhow::anyhow!("{}: {reason}", root.display());
    let meta = match std::fs::metadata(root) {
        Ok(meta) => meta,
        Err(err) if std::fs::symlink_metadata(root).is_ok() => {
            return Err(fail(format!(
                "dangling symbolic link ({})",
                os_reason(&err)
            )));
        }
        Err(err) => return Err(fail(os_reason(&err))),
    };
    // FIFOs and devices are not opened here: opening one can block.
    let opened = if meta.is_dir() {
        std::fs::read_dir(root).map(drop)
    } else if meta.is_file() {
        std::fs::File::open(root).map(drop)
    } else {
        Ok(())
    };
    opened.map_err(|err| fail(os_reason(&err)))
}

/// What reading the input produced.
struct Collected {
    inventory: Inventory,
    stats: StatsSnapshot,
    allowed: usize,
}

/// Reads every root, scans it and builds the inventory, less what `[[allow]]` covers.
fn collect(prepared: &Prepared) -> Result<Collected> {
    // With -v -v the scanner also says which candidate values it turned down, and why.
    let scanner = Scanner::new(&prepared.rules).explaining(prepared.settings.verbosity > 2);
    collect_from(prepared, &scanner, &read_inputs, None)
}

/// Reads the input through `read`, scans it and builds the inventory, less what `[[allow]]`
/// covers. With `repo`, every location is in that repository: it carries its name, and is
/// related to manifest globs by its path in the repository. `scanner` is built once for all
/// the runs of one process: building its keyword automaton is most of a run's start-up.
fn collect_from(
    prepared: &Prepared,
    scanner: &Scanner,
    read: &(dyn Fn(&Settings, &Stats, &Visit) -> Result<CommitIndex> + Sync),
    repo: Option<&str>,
) -> Result<Collected> {
    let settings = &prepared.settings;
    let stats = Stats::default();
    let found = AtomicUsize::new(0);
    let findings: Mutex<Vec<(Origin, Vec<Hit>)>> = Mutex::new(Vec::new());
    let managed = Mutex::new(Vec::new());
    let rejections = Rejections::default();
    let visit = |origin: Origin, data: &[u8], window: Window, lineage: Lineage<'_>| {
        // ExternalSecrets in the files as they are now (history would repeat them).
        if window.is_whole && origin.commit.is_none() && managed::may_hold(&origin.path, data) {
            let found = managed::parse(&origin.path, data);
            managed.lock().expect("managed lock").extend(found);
        }
        // A delta of a blob scanned before reuses that scan's keyword search where it copies.
        let base = lineage.derived.and_then(|derived| {
            let keywords = derived.base.downcast_ref::<KeywordHits>()?;
            Some((keywords, derived.copied))
        });
        let scanned = scanner.scan_file_reusing(Some(&origin.path), data, base);
        rejections.note(&prepared.rules, &origin.path, &window, &scanned.rejected);
        let (mut hits, keywords) = (scanned.hits, scanned.keywords);
        let memo = lineage
            .has_deltas
            .then(|| std::sync::Arc::new(keywords) as source::Memo);
        if !window.is_whole {
            // Windows overlap: each reports the keys starting in its own stretch, placed in
            // the file.
            hits.retain(|hit| window.owns(hit.span.0));
            for hit in &mut hits {
                (hit.line, hit.column) = window.position(hit.line, hit.column);
            }
        }
        if !hits.is_empty() {
            found.fetch_add(hits.len(), Ordering::Relaxed);
            findings.lock().expect("findings lock").push((origin, hits));
        }
        memo
    };
    // Progress only for a person watching: stderr is a terminal and --quiet is not given.
    let show_progress = settings.verbosity > 0 && io::stderr().is_terminal();
    let done = AtomicBool::new(false);
    let commits = std::thread::scope(|scope| {
        if show_progress {
            scope.spawn(|| progress(&stats, &found, &done));
        }
        let result = read(settings, &stats, &visit);
        done.store(true, Ordering::Relaxed);
        result
    })?;
    let findings = findings.into_inner().expect("findings lock");
    let mut inventory = Inventory::build(&prepared.rules, &prepared.salt, findings, &commits);
    if let Some(name) = repo {
        for location in inventory.keys.iter_mut().flat_map(|k| &mut k.locations) {
            location.repo = Some(name.to_string());
            location.on_disk = None;
        }
    }
    inventory.managed = managed.into_inner().expect("managed lock");
    inventory
        .managed
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    if let Some(manifest) = &prepared.manifest {
        let ids = manifest
            .keys
            .iter()
            .filter_map(|k| k.key_id.clone())
            .collect();
        drop_manifest_references(&mut inventory, &manifest.path, Some(&ids));
    }
    let allowed = prepared
        .manifest
        .as_ref()
        .map_or(0, |m| apply_allows(&mut inventory, m, &prepared.rules));
    let stats = stats.snapshot();
    report_problems(settings, &stats);
    rejections.print();
    Ok(Collected {
        inventory,
        stats,
        allowed,
    })
}

/// Reads every root (files, directories, standard input, staged content, history), handing each
/// blob to `visit`; returns the commits history locations refer to.
fn read_inputs(settings: &Settings, stats: &Stats, visit: &Visit) -> Result<CommitIndex> {
    let mut commits = CommitIndex::new();
    let mut repositories = HashSet::new();
    for root in &settings.roots {
        if root.as_os_str() == "-" {
            source::read_stdin(settings.walk.max_file_size, stats, visit);
            continue;
        }
        let repo = (settings.history || settings.staged)
            .then(|| git::discover(root))
            .flatten();
        if settings.staged {
            let repo = repo
                .with_context(|| format!("{}: --staged needs a git repository", root.display()))?;
            if repositories.insert(git::git_dir(&repo)) {
                git::scan_staged(&repo, &settings.git, stats, visit).map_err(anyhow::Error::msg)?;
            }
            continue;
        }
        // A bare repository has no working tree: its files are git's own.
        if !repo.as_ref().is_some_and(|r| r.is_bare()) {
            source::fs::walk_root(root, &settings.walk, stats, visit)?;
        }
        if settings.history {
            match repo {
                Some(repo) if repositories.insert(git::git_dir(&repo)) => {
                    git::scan_history(&repo, &settings.git, stats, &mut commits, visit)
                        .map_err(anyhow::Error::msg)?;
                }
                Some(_) => {}
                None => stats.skip(
                    root.display().to_string(),
                    "not in a git repository: no history to scan",
                ),
            }
        }
    }
    Ok(commits)
}

/// Shows files, bytes, blobs and keys found on a stderr spinner until `done`.
fn progress(stats: &Stats, found: &AtomicUsize, done: &AtomicBool) {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    while !done.load(Ordering::Relaxed) {
        let (files, bytes, blobs) = stats.progress();
        let mut message = format!("{files} files, {} MiB", bytes >> 20);
        if blobs > 0 {
            message.push_str(&format!(", {blobs} blobs"));
        }
        message.push_str(&format!(", {} keys", found.load(Ordering::Relaxed)));
        bar.set_message(message);
        bar.tick();
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    bar.finish_and_clear();
}

fn roots_of(settings: &Settings) -> Vec<String> {
    settings
        .roots
        .iter()
        .map(|r| r.to_string_lossy().into_owned())
        .collect()
}

/// Renders and writes a report.
fn publish(report: &Report, output: &ReportSettings) -> Result<()> {
    let mut rendered = Vec::new();
    report.render(output.format, &output.table, &mut rendered)?;
    emit(output.output.as_deref(), &rendered)
}

fn scan(args: &ScanArgs) -> Result<u8> {
    let started = Instant::now();
    let prepared = prepare(&args.input, ManifestUse::Optional)?;
    let collected = collect(&prepared)?;
    let found = !collected.inventory.keys.is_empty();
    finish(&prepared, collected, &args.output, started, None, found)
}

fn audit_command(args: &AuditArgs) -> Result<u8> {
    let run = run_audit(args)?;
    finish(
        &run.prepared,
        run.collected,
        &args.output,
        run.started,
        Some(&run.outcome),
        run.failing,
    )
}

/// An audit run, before it is reported.
struct AuditRun {
    prepared: Prepared,
    collected: Collected,
    outcome: AuditOutcome,
    /// A key is in a `--fail-on` class.
    failing: bool,
    started: Instant,
}

/// Scans and audits against the manifest (an empty one when there is none).
fn run_audit(args: &AuditArgs) -> Result<AuditRun> {
    let started = Instant::now();
    let prepared = prepare(&args.input, ManifestUse::Optional)?;
    let evidence = load_evidence(&args.evidence, &prepared)?;
    let collected = collect(&prepared)?;
    let empty;
    let manifest = match &prepared.manifest {
        Some(m) => m,
        None => {
            empty = empty_manifest(&prepared, args)?;
            &empty
        }
    };
    let mut outcome = audit(
        &collected.inventory,
        &prepared.rules,
        manifest,
        &evidence,
        prepared.now,
    );
    // A commit holds only part of the tree: a declared key it does not touch is not unused.
    if prepared.settings.staged {
        outcome.unused.clear();
    }
    if prepared.settings.verbosity > 0 && !outcome.unmatched_evidence.is_empty() {
        diag(&format!(
            "note: evidence about {} subject{} matches no declared or found key (listed in the report)",
            outcome.unmatched_evidence.len(),
            if outcome.unmatched_evidence.len() == 1 { "" } else { "s" }
        ));
    }
    let failing = fails(args, manifest, &outcome);
    Ok(AuditRun {
        prepared,
        collected,
        outcome,
        failing,
        started,
    })
}

/// Without a manifest every key is unknown: an audit runs against an empty one.
fn empty_manifest(prepared: &Prepared, args: &AuditArgs) -> Result<Manifest> {
    if prepared.settings.verbosity > 0 {
        diag(if args.input.no_manifest {
            "note: no manifest in use (--no-manifest), so every key is unknown"
        } else {
            "note: no keyaudit.toml found, so every key is unknown (create one with `keyaudit manifest init`)"
        });
    }
    Ok(Manifest::parse(
        Path::new("keyaudit.toml"),
        "version = 1\n",
        &|_| None,
    )?)
}

/// Whether an audit's outcome has a key in a `--fail-on` class (or an unused declared key,
/// when `unused` is one).
fn fails(args: &AuditArgs, manifest: &Manifest, outcome: &AuditOutcome) -> bool {
    let fail_on: Vec<AuditClass> = args
        .fail_on
        .clone()
        .or_else(|| manifest.policy.fail_on.clone())
        .unwrap_or_else(|| AuditClass::DEFAULT_FAIL_ON.to_vec());
    outcome
        .keys
        .iter()
        .any(|k| k.flags.iter().any(|f| fail_on.contains(f)))
        || (fail_on.contains(&AuditClass::Unused) && !outcome.unused.is_empty())
}

/// Renders and writes the report of a scan or audit, and decides its exit code: an error for
/// unreadable input under `--strict`, else `failing` or clean.
fn finish(
    prepared: &Prepared,
    collected: Collected,
    output: &OutputArgs,
    started: Instant,
    outcome: Option<&AuditOutcome>,
    failing: bool,
) -> Result<u8> {
    let output = ReportSettings::from_output(output);
    let show_secrets = output.show_secrets;
    finish_with(
        prepared,
        collected,
        show_secrets,
        started,
        outcome,
        failing,
        |report, _| publish(report, &output),
    )
}

/// Builds the report of a scan or audit, hands it to `deliver` with the exit code, and
/// returns that code: an error for unreadable input under `--strict`, else `failing` or clean.
fn finish_with(
    prepared: &Prepared,
    collected: Collected,
    show_secrets: bool,
    started: Instant,
    outcome: Option<&AuditOutcome>,
    failing: bool,
    deliver: impl FnOnce(&Report, u8) -> Result<()>,
) -> Result<u8> {
    let incomplete = !collected.stats.errors.is_empty();
    let run = RunInfo {
        roots: roots_of(&prepared.settings),
        scopes: crate::scope::of_roots(&prepared.settings.roots),
        repository: prepared
            .settings
            .roots
            .first()
            .and_then(|root| crate::scope::repository_of(root)),
        stats: collected.stats,
        duration_ms: started.elapsed().as_millis() as u64,
        show_secrets,
        allowed: collected.allowed,
        manifest: prepared
            .manifest
            .as_ref()
            .map(|m| m.path.display().to_string()),
        salt_id: crate::fingerprint::salt_id(&prepared.salt),
    };
    let strict_failure = incomplete && prepared.settings.strict;
    let strict_message = strict_failure.then(|| {
        format!(
            "error: --strict: {} could not be read: {}",
            inputs(run.stats.errors.len()),
            first_few_unread(&run.stats)
        )
    });
    let code = if strict_failure {
        EXIT_ERROR
    } else if failing {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    };
    let mut report = Report::new(&prepared.rules, &collected.inventory, run, outcome);
    report.as_of = Some(prepared.now);
    deliver(&report, code)?;
    if let Some(message) = strict_message {
        diag(&message);
    }
    Ok(code)
}

/// Reads the evidence files, telling the user what could not be joined.
fn load_evidence(args: &EvidenceArgs, prepared: &Prepared) -> Result<Evidence> {
    let vault_stores = prepared
        .manifest
        .iter()
        .flat_map(|m| &m.keys)
        .filter_map(|k| k.store_ref.clone())
        .filter(|s| s.starts_with("vault:"))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let context = LoadContext {
        salt: &prepared.salt,
        vault_stores,
    };
    let evidence = Evidence::load(&args.files, &context)?;
    if prepared.settings.verbosity > 0 {
        for note in &evidence.notes {
            diag(&format!("note: {note}"));
        }
    }
    Ok(evidence)
}

/// Where `manifest init/update` writes: `--manifest`, else the default location.
fn manifest_target(input: &InputArgs) -> PathBuf {
    input.manifest.clone().unwrap_or_else(|| {
        let first = input.paths.first().map_or(Path::new("."), |p| p.as_path());
        manifest::default_location(first)
    })
}

/// What `manifest init` and `update` read: in a git repository, its history too, so that a
/// key's `created` is the date of the oldest commit holding it, as `--history` would say.
fn dating_input(input: &InputArgs) -> InputArgs {
    let in_git = || input.paths.iter().any(|p| git::discover(p).is_some());
    InputArgs {
        history: input.history || (!input.staged && in_git()),
        ..input.clone()
    }
}

/// Without `--history`, `manifest init` and `update` declare what the tree holds: keys found
/// only in history, and locations in old commits, were read for their dates alone.
fn keep_what_was_asked(inventory: &mut Inventory, input: &InputArgs) {
    if input.history {
        return;
    }
    inventory.keys.retain(|key| key.in_current_tree);
    let in_history =
        |location: &crate::inventory::Location| location.source == source::SourceKind::Git;
    for key in &mut inventory.keys {
        // A key deleted from the working tree but still in HEAD keeps its HEAD locations.
        if !key.locations.iter().all(in_history) {
            key.locations.retain(|location| !in_history(location));
        }
    }
}

fn manifest_init(args: &InitArgs) -> Result<u8> {
    if args.input.no_manifest {
        bail!("--no-manifest makes no sense with `manifest init`");
    }
    let target = manifest_target(&args.input);
    if target.exists() && !args.force {
        bail!(
            "{}: a manifest already exists; use `keyaudit manifest update`, or --force to replace it",
            target.display()
        );
    }
    let salt = fresh_salt().map_err(anyhow::Error::msg)?;
    let prepared = prepare(
        &dating_input(&args.input),
        ManifestUse::Fresh(salt.as_bytes().to_vec()),
    )?;
    let evidence = load_evidence(&args.evidence, &prepared)?;
    let mut collected = collect(&prepared)?;
    keep_what_was_asked(&mut collected.inventory, &args.input);
    // The manifest being replaced is not part of the inventory.
    drop_manifest_references(&mut collected.inventory, &target, None);
    let keys: Vec<_> = collected.inventory.keys.iter().collect();
    let mut taken = Default::default();
    let entries = render_entries(
        &keys,
        &prepared.rules,
        &prepared.salt,
        manifest::parent_dir(&target),
        prepared.now,
        &evidence,
        &mut taken,
    );
    let text = init_text(&salt, &entries, prepared.now);
    Manifest::parse(&target, &text, &|_| None)
        .context("the manifest written would not be valid")?;
    write_atomically(&target, text.as_bytes())?;
    if prepared.settings.verbosity > 0 {
        diag(&format!(
            "wrote {} declaring {} key{}",
            target.display(),
            keys.len(),
            if keys.len() == 1 { "" } else { "s" }
        ));
    }
    Ok(EXIT_CLEAN)
}

fn manifest_update(update: &UpdateArgs) -> Result<u8> {
    let args = &update.input;
    if args.no_manifest {
        bail!("--no-manifest makes no sense with `manifest update`");
    }
    let target = manifest_path(args).unwrap_or_else(|| manifest_target(args));
    if !target.is_file() {
        bail!(
            "{}: no manifest to update; create one with `keyaudit manifest init`",
            target.display()
        );
    }
    let original = std::fs::read_to_string(&target)
        .with_context(|| format!("{}: cannot read", target.display()))?;
    // `--no-manifest` was refused above, so the manifest named here is the one used.
    let input_with_target = InputArgs {
        manifest: Some(target.clone()),
        ..dating_input(args)
    };
    let prepared = prepare(&input_with_target, ManifestUse::Required)?;
    let manifest = prepared
        .manifest
        .as_ref()
        .expect("required manifest is loaded");
    let evidence = load_evidence(&update.evidence, &prepared)?;
    let mut collected = collect(&prepared)?;
    keep_what_was_asked(&mut collected.inventory, args);
    let outcome = audit(
        &collected.inventory,
        &prepared.rules,
        manifest,
        &evidence,
        prepared.now,
    );
    let new_keys: Vec<_> = collected
        .inventory
        .keys
        .iter()
        .zip(&outcome.keys)
        .filter(|(_, verdict)| verdict.declared_as.is_none())
        .map(|(key, _)| key)
        .collect();
    let mut taken = manifest.keys.iter().map(|k| k.id.clone()).collect();
    let entries = render_entries(
        &new_keys,
        &prepared.rules,
        &prepared.salt,
        manifest::parent_dir(&target),
        prepared.now,
        &evidence,
        &mut taken,
    );
    let text = update_text(&original, &entries);
    if text != original {
        Manifest::parse(&target, &text, &|name| std::env::var(name).ok())
            .context("the updated manifest would not be valid")?;
        write_atomically(&target, text.as_bytes())?;
    }
    if prepared.settings.verbosity > 0 {
        diag(&format!(
            "{}: {} new key{} declared",
            target.display(),
            new_keys.len(),
            if new_keys.len() == 1 { "" } else { "s" }
        ));
    }
    Ok(EXIT_CLEAN)
}

fn manifest_check(args: &ManifestFileArgs) -> Result<u8> {
    let path = args
        .manifest
        .clone()
        .or_else(|| manifest::discover(Path::new(".")))
        .context(
            "no keyaudit.toml found here or at the repository root; name one with --manifest",
        )?;
    let manifest = Manifest::load(&path)?;
    if let Some(problem) = manifest.salt_problem() {
        diag(&format!(
            "warning: {}: {problem}. Make one with `openssl rand -hex 16` and write it as salt = \"…\" (or salt = {{ env = \"NAME\" }}); every fingerprint depends on it, so recompute them with `keyaudit fingerprint` after the change",
            path.display()
        ));
    }
    let line = format!(
        "{}: ok ({} key{}, {} allow entr{}, {} environment{})\n",
        path.display(),
        manifest.keys.len(),
        if manifest.keys.len() == 1 { "" } else { "s" },
        manifest.allows.len(),
        if manifest.allows.len() == 1 {
            "y"
        } else {
            "ies"
        },
        manifest.environments.len(),
        if manifest.environments.len() == 1 {
            ""
        } else {
            "s"
        },
    );
    emit(None, line.as_bytes())?;
    Ok(EXIT_CLEAN)
}

/// `N input(s)`.
fn inputs(count: usize) -> String {
    format!("{count} input{}", if count == 1 { "" } else { "s" })
}

/// The first three inputs that could not be read, then how many more: one line however many.
fn first_few_unread(stats: &StatsSnapshot) -> String {
    const SHOWN: usize = 3;
    let first: Vec<&str> = stats
        .errors
        .iter()
        .take(SHOWN)
        .map(|e| e.path.as_str())
        .collect();
    match stats.errors.len().saturating_sub(SHOWN) {
        0 => first.join(", "),
        more => format!("{} and {more} more", first.join(", ")),
    }
}

/// Tells stderr what could not be read (always) and what was skipped (with `-v`).
fn report_problems(settings: &Settings, stats: &StatsSnapshot) {
    // Unread input is never silent: under --quiet, the count and the first few.
    if settings.verbosity == 0 {
        if !stats.errors.is_empty() {
            diag(&format!(
                "warning: {} could not be read, the inventory is incomplete: {}",
                inputs(stats.errors.len()),
                first_few_unread(stats)
            ));
        }
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
            "warning: {} could not be read; the inventory is incomplete",
            inputs(stats.errors.len())
        ));
    }
}

/// With `-v -v`, the candidate values the scanner turned down, as lines `path:line:col:
/// rule-id: rejected (reason)`, printed in order of place once the input is read. Never the
/// value: a candidate turned down may still be a secret.
#[derive(Default)]
struct Rejections(Mutex<Vec<(String, usize, usize, String)>>);

impl Rejections {
    /// Notes what the scan of the file at `path`, read in `window`, turned down.
    fn note(&self, rules: &RuleSet, path: &str, window: &Window, rejected: &[Rejection]) {
        if rejected.is_empty() {
            return;
        }
        let mut noted = self.0.lock().expect("rejections lock");
        for rejection in rejected.iter().filter(|r| window.owns(r.span.0)) {
            let (line, column) = window.position(rejection.line, rejection.column);
            let rule = &rules.rules()[rejection.rule].id;
            let why = format!("{rule}: rejected ({})", rejection.reason.name());
            noted.push((path.to_string(), line, column, why));
        }
    }

    /// Prints them on stderr, each once (history repeats a file's lines).
    fn print(self) {
        let mut noted = self.0.into_inner().expect("rejections lock");
        noted.sort();
        noted.dedup();
        let mut stderr = io::stderr().lock();
        for (path, line, column, why) in noted {
            let _ = writeln!(stderr, "{path}:{line}:{column}: {why}");
        }
    }
}

/// Writes a rendered report to `output` atomically, or to stdout. A closed stdout is not an
/// error: the run ends quietly with the code it would have had.
pub fn emit(output: Option<&Path>, rendered: &[u8]) -> Result<()> {
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

fn fingerprint_stdin(args: &FingerprintArgs) -> Result<u8> {
    let path = if args.no_manifest {
        None
    } else {
        args.manifest
            .clone()
            .or_else(|| manifest::discover(Path::new(".")))
    };
    let salt = match path {
        Some(path) => Manifest::load(&path)?.salt,
        None => DEFAULT_SALT.to_vec(),
    };
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
    let line = format!("{}\n", fingerprint(&salt, secret));
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

fn rules_check(args: &RuleSourceArgs) -> Result<u8> {
    let rules = load_rules(args, &[])?;
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
