//! Reading a run's input: every root (files, directories, standard input, staged content,
//! history) read, each blob scanned, the findings folded into an inventory, less what
//! `[[allow]]` covers. The pipeline writes nothing: what shows the reading and its progress is
//! the caller's [`Watch`], and what could not be read or was skipped reaches it as
//! [`Diagnostic`]s.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{Context, Result};

use super::incremental::Recording;
use super::prepare::Prepared;
use crate::config::Settings;
use crate::error::Diagnostic;
use crate::incremental::HistoryRead;
use crate::inventory::Inventory;
use crate::managed;
use crate::manifest::audit::{apply_allows, drop_manifest_references};
use crate::rules::RuleSet;
use crate::scan::{Hit, KeywordHits, Rejection, Scanner};
use crate::source::git::{self, CommitIndex};
use crate::source::{self, Lineage, Origin, Stats, StatsSnapshot, Visit, Window};

/// What watches a run read its input, for the person running it: the command layer, which
/// alone writes to stderr.
pub trait Watch: Sync {
    /// Whether to show progress while the input of `settings` is read.
    fn shows_progress(&self, settings: &Settings) -> bool;
    /// Shows files, bytes, blobs and keys found until `done`, on a thread of its own; called
    /// when [`Watch::shows_progress`] says so.
    fn progress(&self, stats: &Stats, found: &AtomicUsize, done: &AtomicBool);
    /// Something the person running keyaudit should know (what could not be read, what was
    /// skipped, a repository that could not be read, with `-v -v` each value the scanner
    /// turned down): the one channel the pipeline says anything through.
    fn diagnose(&self, diagnostic: Diagnostic);
}

/// What reading the input produced.
pub struct Collected {
    /// One entry per distinct key found.
    pub inventory: Inventory,
    /// What was read, skipped and could not be read.
    pub stats: StatsSnapshot,
    /// Keys removed by `[[allow]]`.
    pub allowed: usize,
    /// With `--db`: how each repository's history was read, by scope.
    pub history_reads: Option<BTreeMap<String, HistoryRead>>,
    /// With `--incremental`: the manifest ids of keys left in history it did not read again.
    pub declared_in_history: BTreeSet<String>,
}

/// Reads every root, scans it and builds the inventory, less what `[[allow]]` covers; with a
/// `recording`, each history as it says.
pub fn collect(
    prepared: &Prepared,
    recording: Option<&Recording>,
    watch: &dyn Watch,
) -> Result<Collected> {
    // With -v -v the scanner also says which candidate values it turned down, and why.
    let scanner = Scanner::new(&prepared.rules).explaining(prepared.settings.verbosity > 2);
    let read = |settings: &Settings, stats: &Stats, visit: &Visit| {
        read_inputs(settings, stats, visit, recording)
    };
    let mut collected = collect_from(prepared, &scanner, &read, None, watch)?;
    if let Some(recording) = recording {
        collected.history_reads = recording.take_reads();
        collected.declared_in_history = recording.declared_in_history();
    }
    Ok(collected)
}

/// Reads the input through `read`, scans it and builds the inventory, less what `[[allow]]`
/// covers. With `repo`, every location is in that repository: it carries its name, and is
/// related to manifest globs by its path in the repository. `scanner` is built once for all
/// the runs of one process: building its keyword automaton is most of a run's start-up.
/// `watch` shows the reading.
pub fn collect_from(
    prepared: &Prepared,
    scanner: &Scanner,
    read: &(dyn Fn(&Settings, &Stats, &Visit) -> Result<CommitIndex> + Sync),
    repo: Option<&str>,
    watch: &dyn Watch,
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
    let show_progress = watch.shows_progress(settings);
    let done = AtomicBool::new(false);
    let commits = std::thread::scope(|scope| {
        if show_progress {
            scope.spawn(|| watch.progress(&stats, &found, &done));
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
        .map_or(0, |m| apply_allows(&mut inventory, m));
    let stats = stats.snapshot();
    for diagnostic in read_problems(settings, &stats) {
        watch.diagnose(diagnostic);
    }
    // With -v -v: `path:line:col: rule-id: rejected (reason)`, never the value, in order of
    // place.
    for line in rejections.lines() {
        watch.diagnose(Diagnostic::listing(line));
    }
    Ok(Collected {
        inventory,
        stats,
        allowed,
        history_reads: None,
        declared_in_history: BTreeSet::new(),
    })
}

/// Reads every root (files, directories, standard input, staged content, history), handing each
/// blob to `visit`, each history as `recording` says; returns the commits history locations
/// refer to.
fn read_inputs(
    settings: &Settings,
    stats: &Stats,
    visit: &Visit,
    recording: Option<&Recording>,
) -> Result<CommitIndex> {
    let mut commits = CommitIndex::new();
    let mut repositories = HashSet::new();
    for root in &settings.roots {
        if root.as_os_str() == "-" {
            source::read_stdin(
                settings.walk.max_file_size,
                settings.walk.archives,
                stats,
                visit,
            );
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
                Some(repo) if repositories.insert(git::git_dir(&repo)) => match recording {
                    Some(recording) => recording.scan_history(
                        &crate::scope::of_one_root(root),
                        &repo,
                        &settings.git,
                        stats,
                        &mut commits,
                        visit,
                    )?,
                    None => {
                        git::scan_history(&repo, &settings.git, stats, &mut commits, visit)
                            .map_err(anyhow::Error::msg)?;
                    }
                },
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

/// With `-v -v`, the candidate values the scanner turned down, with where and why. Never the
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

    /// The lines `path:line:col: rule-id: rejected (reason)`, in order of place, each once
    /// (history repeats a file's lines).
    fn lines(self) -> Vec<String> {
        let mut noted = self.0.into_inner().expect("rejections lock");
        noted.sort();
        noted.dedup();
        noted
            .into_iter()
            .map(|(path, line, column, why)| format!("{path}:{line}:{column}: {why}"))
            .collect()
    }
}

/// What could not be read (always) and what was skipped (with `-v -v`), as diagnostics.
fn read_problems(settings: &Settings, stats: &StatsSnapshot) -> Vec<Diagnostic> {
    // Unread input is never silent: under --quiet, the count and the first few.
    if settings.verbosity == 0 {
        return (!stats.errors.is_empty())
            .then(|| {
                Diagnostic::warning(format!(
                    "{} could not be read, the inventory is incomplete: {}",
                    inputs(stats.errors.len()),
                    first_few_unread(stats)
                ))
            })
            .into_iter()
            .collect();
    }
    let mut said: Vec<Diagnostic> = stats
        .errors
        .iter()
        .map(|e| Diagnostic::warning(e.message.clone()).at(e.path.clone()))
        .collect();
    if settings.verbosity > 1 {
        said.extend(
            stats
                .skipped
                .iter()
                .map(|s| Diagnostic::info(format!("skipped {}: {}", s.path, s.reason))),
        );
    }
    if !stats.errors.is_empty() {
        said.push(Diagnostic::warning(format!(
            "{} could not be read; the inventory is incomplete",
            inputs(stats.errors.len())
        )));
    }
    said
}

/// `N input(s)`.
pub fn inputs(count: usize) -> String {
    format!("{count} input{}", if count == 1 { "" } else { "s" })
}

/// The first three inputs that could not be read, then how many more: one line however many.
pub fn first_few_unread(stats: &StatsSnapshot) -> String {
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
