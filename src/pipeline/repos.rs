//! Many repositories in one run (`docs/reference/many-repositories.md`): each listed repository of the shard read on
//! its own, then the reports folded with `merge`'s rules, so that an unsharded run and the
//! merge of its shards are the same inventory.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use super::collect::{collect_from, Watch};
use super::incremental::Recording;
use super::prepare::Prepared;
use super::verify::Verifier;
use crate::cli::ReposArgs;
use crate::config::Settings;
use crate::error::{one_line, Diagnostic};
use crate::fingerprint::salt_id;
use crate::org::merge::{assemble, merge, Input};
use crate::org::mirror;
use crate::org::repos::{parse_list, Place, RepoEntry};
use crate::report::{RepoSummary, Report, RunInfo, ScanSummary};
use crate::scan::Scanner;
use crate::source::git::{self, CommitIndex};
use crate::source::{self, ReadError, Stats, Visit};

/// Reads the repository list (`--repos`), keeps the shard's repositories, scans each (with
/// `verifier`, asking providers about its keys, each key once in the run; each history as
/// `recording` says) and folds them; `watch` shows the reading.
pub fn repos_report(
    prepared: &Prepared,
    args: &ReposArgs,
    show_secrets: bool,
    verifier: Option<&Verifier>,
    recording: Option<&Recording>,
    watch: &dyn Watch,
) -> Result<Report> {
    let list = args.repos.as_deref().expect("called with --repos");
    let (source, text) = if list.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the repository list from standard input")?;
        ("-".to_string(), text)
    } else {
        let text = std::fs::read_to_string(list)
            .with_context(|| format!("{}: cannot read", list.display()))?;
        (list.display().to_string(), text)
    };
    let entries: Vec<RepoEntry> = parse_list(&source, &text)
        .map_err(anyhow::Error::msg)?
        .into_iter()
        .filter(|e| args.shard.is_none_or(|s| s.holds(&e.name)))
        .collect();
    let needs_clones = entries.iter().any(|e| matches!(e.place, Place::Url(_)));
    let clone_dir =
        match &args.clone_dir {
            Some(dir) => Some(dir.clone()),
            None if needs_clones => Some(mirror::default_clone_dir().context(
                "no cache directory for mirrors of clone URLs: name one with --clone-dir",
            )?),
            None => None,
        };
    let scanner = Scanner::new(&prepared.rules);
    let targets = locate_all(&entries, clone_dir.as_deref());
    let inputs: Vec<Input> = entries
        .iter()
        .zip(targets)
        .map(|(entry, target)| Input {
            name: entry.display_name.clone(),
            report: scan_repo(
                prepared,
                &scanner,
                entry,
                target,
                show_secrets,
                verifier,
                recording,
                watch,
            ),
        })
        .collect();
    let mut report = if inputs.is_empty() {
        let scan = empty_scan(prepared, Vec::new(), Vec::new());
        assemble(scan, Vec::new(), Vec::new(), 0, true)
    } else {
        merge(inputs, &|_| None).map_err(anyhow::Error::msg)?
    };
    report.scan.repos.get_or_insert_with(Vec::new);
    report.scan.shard = args.shard.map(|s| s.to_string());
    Ok(report)
}

/// A scan summary with nothing read; its roots are repository names, so they are its scopes.
fn empty_scan(prepared: &Prepared, roots: Vec<String>, errors: Vec<ReadError>) -> ScanSummary {
    ScanSummary {
        scopes: roots.clone(),
        repository: None,
        roots,
        files: 0,
        bytes: 0,
        blobs: 0,
        commits: 0,
        skipped: Vec::new(),
        errors,
        duration_ms: 0,
        salt_id: salt_id(&prepared.salt),
        shard: None,
        shards: Vec::new(),
        repos: None,
        incremental: None,
    }
}

/// What a listed repository is, once opened or mirrored.
enum Target {
    /// A local directory: its working tree (and history with `--history`), or only its
    /// history when it is a bare repository.
    Local(PathBuf),
    /// A bare mirror: its whole history.
    Mirror(PathBuf),
}

/// How many mirrors are cloned or fetched at once: waiting on the network, not the cores.
const FETCHES_AT_ONCE: usize = 8;

/// Where each listed repository is: a local path, or its mirror cloned or brought up to date
/// (several at once, before any is read), else why it cannot be had.
fn locate_all(entries: &[RepoEntry], clone_dir: Option<&Path>) -> Vec<Result<Target, String>> {
    let locate = |entry: &RepoEntry| match &entry.place {
        Place::Local(path) => match std::fs::metadata(path) {
            Ok(_) => Ok(Target::Local(path.clone())),
            Err(err) => Err(format!("cannot open {}: {err}", entry.shown)),
        },
        Place::Url(url) => mirror::update(url, clone_dir.expect("a clone directory for URLs"))
            .map(Target::Mirror)
            .map_err(|e| e.to_string()),
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let located: Vec<std::sync::Mutex<Option<Result<Target, String>>>> = entries
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    let workers = FETCHES_AT_ONCE.min(entries.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(entry) = entries.get(i) else { break };
                *located[i].lock().expect("located lock") = Some(locate(entry));
            });
        }
    });
    located
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .expect("located lock")
                .expect("every entry located")
        })
        .collect()
}

/// The report of one repository (at `target`, or why it could not be had): its keys, located
/// in it, or an error entry when it cannot be cloned, fetched or opened.
#[allow(clippy::too_many_arguments)]
fn scan_repo(
    prepared: &Prepared,
    scanner: &Scanner,
    entry: &RepoEntry,
    target: Result<Target, String>,
    show_secrets: bool,
    verifier: Option<&Verifier>,
    recording: Option<&Recording>,
    watch: &dyn Watch,
) -> Report {
    let started = Instant::now();
    let name = &entry.display_name;
    let collected = target.and_then(|target| {
        let dir = match &target {
            Target::Local(path) | Target::Mirror(path) => path.clone(),
        };
        let read = |settings: &Settings, stats: &Stats, visit: &Visit| {
            Ok(read_repo(&target, name, settings, stats, visit, recording))
        };
        collect_from(prepared, scanner, &read, Some(name), watch)
            .map(|c| (c, dir))
            .map_err(|e| one_line(&format!("{e:#}")))
    });
    // Taken whatever happened: what this repository read must not be reported with the next.
    let history_reads = recording.and_then(Recording::take_reads);
    let (mut collected, dir) = match collected {
        Ok(found) => found,
        Err(message) => {
            if prepared.settings.verbosity > 0 {
                watch.diagnose(Diagnostic::warning(message.clone()).at(name.clone()));
            }
            let error = ReadError {
                path: name.clone(),
                message,
            };
            let mut scan = empty_scan(prepared, vec![name.clone()], vec![error]);
            scan.repos = Some(vec![RepoSummary {
                name: name.clone(),
                source: entry.shown.clone(),
                files: 0,
                bytes: 0,
                blobs: 0,
                commits: 0,
                keys: 0,
                locations: 0,
                skipped: 0,
                errors: 1,
            }]);
            return assemble(scan, Vec::new(), Vec::new(), 0, false);
        }
    };
    if let Some(verifier) = verifier {
        verifier.verify(&mut collected.inventory, prepared.settings.verbosity, watch);
    }
    let stats = &collected.stats;
    let summary = RepoSummary {
        name: name.clone(),
        source: entry.shown.clone(),
        files: stats.files,
        bytes: stats.bytes,
        blobs: stats.blobs,
        commits: stats.commits,
        keys: 0,
        locations: 0,
        skipped: stats.skipped.len(),
        errors: stats.errors.len(),
    };
    let run = RunInfo {
        roots: vec![name.clone()],
        // A listed repository is known by its name (`docs/reference/db.md`), wherever it is cloned.
        scopes: vec![name.clone()],
        repository: None,
        stats: collected.stats,
        duration_ms: started.elapsed().as_millis() as u64,
        show_secrets,
        allowed: collected.allowed,
        manifest: None,
        salt_id: salt_id(&prepared.salt),
        incremental: history_reads,
    };
    let mut report = Report::new(&collected.inventory, run, None);
    // Skipped and unreadable inputs, and ExternalSecrets, are named within the repository.
    let places = RepoPlaces::new(name, &dir);
    for skipped in &mut report.scan.skipped {
        skipped.path = places.path(&skipped.path);
    }
    for error in &mut report.scan.errors {
        error.path = places.path(&error.path);
        error.message = places.message(&error.message);
    }
    for managed in &mut report.managed {
        managed.path = places.path(&managed.path);
    }
    report.scan.repos = Some(vec![summary]);
    report
}

/// Reads one repository as `docs/reference/many-repositories.md` says: a working tree as the options say (its
/// history with `--history`), a bare repository or mirror through its whole history. What
/// cannot be read becomes an error entry; the rest is still read.
fn read_repo(
    target: &Target,
    name: &str,
    settings: &Settings,
    stats: &Stats,
    visit: &Visit,
    recording: Option<&Recording>,
) -> CommitIndex {
    let mut commits = CommitIndex::new();
    let (repo, walk_tree) = match target {
        Target::Mirror(dir) => match git2::Repository::open_bare(dir) {
            Ok(repo) => (Some(repo), false),
            Err(err) => {
                stats.error(".", format!("cannot open the mirror: {}", err.message()));
                return commits;
            }
        },
        Target::Local(path) => {
            let repo = git::discover(path);
            let bare = repo.as_ref().is_some_and(|r| r.is_bare());
            (repo.filter(|_| bare || settings.history), !bare)
        }
    };
    if walk_tree {
        if let Target::Local(path) = target {
            if let Err(err) = source::fs::walk_root(path, &settings.walk, stats, visit) {
                stats.error(".", one_line(&err.to_string()));
            }
        }
    }
    match repo {
        Some(repo) => {
            let read = match recording {
                Some(recording) => {
                    recording.scan_history(name, &repo, &settings.git, stats, &mut commits, visit)
                }
                None => git::scan_history(&repo, &settings.git, stats, &mut commits, visit)
                    .map(drop)
                    .map_err(anyhow::Error::msg),
            };
            if let Err(err) = read {
                stats.error(".", one_line(&format!("{err:#}")));
            }
        }
        None if settings.history => {
            stats.skip(".", "not in a git repository: no history to scan");
        }
        None => {}
    }
    commits
}

/// Renames what a repository's scan reports by machine-specific path (its clone or checkout
/// directory) to names within the repository: `NAME/path`.
struct RepoPlaces {
    name: String,
    dirs: Vec<String>,
}

impl RepoPlaces {
    fn new(name: &str, dir: &Path) -> Self {
        let mut dirs: Vec<String> = [
            std::fs::canonicalize(dir).ok(),
            std::path::absolute(dir).ok(),
        ]
        .into_iter()
        .flatten()
        .map(|d| d.display().to_string().trim_end_matches('/').to_string())
        .filter(|d| !d.is_empty())
        .collect();
        dirs.sort_by_key(|d| std::cmp::Reverse(d.len()));
        dirs.dedup();
        Self {
            name: name.to_string(),
            dirs,
        }
    }

    fn path(&self, path: &str) -> String {
        let mut rest = path;
        for dir in &self.dirs {
            if let Some(inside) = rest.strip_prefix(dir.as_str()) {
                rest = inside;
                break;
            }
        }
        let rest = rest.trim_start_matches('/');
        if rest.is_empty() || rest == "." {
            self.name.clone()
        } else {
            format!("{}/{rest}", self.name)
        }
    }

    fn message(&self, message: &str) -> String {
        let mut text = message.to_string();
        for dir in &self.dirs {
            text = text
                .replace(&format!("{dir}/"), "")
                .replace(dir.as_str(), "");
        }
        text.trim_start_matches([':', ' ']).to_string()
    }
}
