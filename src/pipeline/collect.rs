//! Reading a run's input: every root (files, directories, standard input, staged content,
//! history) read, each blob scanned, the findings folded into an inventory, less what
//! `[[allow]]` covers. The pipeline writes nothing: what shows the reading, its progress and
//! what could not be read, is the caller's [`Watch`].

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{Context, Result};

use super::prepare::Prepared;
use crate::config::Settings;
use crate::inventory::Inventory;
use crate::managed;
use crate::manifest::audit::{apply_allows, drop_manifest_references};
use crate::scan::{Hit, KeywordHits, Scanner};
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
    /// The input has been read: tells what could not be read, and what was skipped.
    fn read(&self, settings: &Settings, stats: &StatsSnapshot);
    /// A repository listed for `--repos` could not be read (its report says so).
    fn unreadable_repo(&self, settings: &Settings, name: &str, message: &str);
}

/// What reading the input produced.
pub struct Collected {
    /// One entry per distinct key found.
    pub inventory: Inventory,
    /// What was read, skipped and could not be read.
    pub stats: StatsSnapshot,
    /// Keys removed by `[[allow]]`.
    pub allowed: usize,
}

/// Reads every root, scans it and builds the inventory, less what `[[allow]]` covers.
pub fn collect(prepared: &Prepared, watch: &dyn Watch) -> Result<Collected> {
    collect_from(
        prepared,
        &Scanner::new(&prepared.rules),
        &read_inputs,
        None,
        watch,
    )
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
        let (mut hits, keywords) = scanner.scan_file_reusing(Some(&origin.path), data, base);
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
        .map_or(0, |m| apply_allows(&mut inventory, m, &prepared.rules));
    let stats = stats.snapshot();
    watch.read(settings, &stats);
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
