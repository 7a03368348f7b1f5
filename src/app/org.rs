//! Wiring of the many-repository commands (SPEC section 11): `scan`/`audit --repos` (each
//! listed repository of the shard scanned on its own, then folded with `merge`'s rules, so an
//! unsharded run and the merge of its shards are the same inventory), `merge`, and
//! `audit --inventory` (the audit of a report read back, without scanning).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde::de::DeserializeOwned;

use super::{
    collect_from, diag, empty_manifest, fails, load_evidence, prepare, publish, ManifestUse,
    Prepared, EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND,
};
use crate::analyze::Assessment;
use crate::cli::{AuditArgs, MergeArgs, ReposArgs, ScanArgs};
use crate::config::{ReportSettings, Settings};
use crate::error::one_line;
use crate::evidence::Evidence;
use crate::fingerprint::salt_id;
use crate::inventory::{Inventory, Key};
use crate::manifest::audit::{apply_allows, audit};
use crate::manifest::AuditClass;
use crate::org::merge::{assemble, merge, Input};
use crate::org::mirror;
use crate::org::repos::{parse_list, Place, RepoEntry};
use crate::report::input;
use crate::report::{RepoSummary, Report, RunInfo, ScanSummary};
use crate::rules::spec::RuleSpec;
use crate::rules::{compile_rule, RuleOrigin, RuleSet};
use crate::scan::Scanner;
use crate::secret::Secret;
use crate::source::git::{self, CommitIndex};
use crate::source::{self, ReadError, Stats, Visit};

/// `scan --repos`.
pub(super) fn scan_repos(args: &ScanArgs) -> Result<u8> {
    let started = Instant::now();
    let prepared = prepare(&args.input, ManifestUse::Optional)?;
    let output = ReportSettings::from_output(&args.output);
    let mut report = repos_report(&prepared, &args.repos, output.show_secrets)?;
    report.scan.duration_ms = started.elapsed().as_millis() as u64;
    publish(&report, &output)?;
    Ok(exit_code(
        &report,
        prepared.settings.strict,
        !report.keys.is_empty(),
    ))
}

/// `audit --repos`.
pub(super) fn audit_repos(args: &AuditArgs) -> Result<u8> {
    let started = Instant::now();
    let prepared = prepare(&args.input, ManifestUse::Optional)?;
    let evidence = load_evidence(&args.evidence, &prepared)?;
    let output = ReportSettings::from_output(&args.output);
    let report = repos_report(&prepared, &args.repos, output.show_secrets)?;
    let (mut report, failing) = audit_report(report, &prepared, &evidence, args)?;
    report.scan.duration_ms = started.elapsed().as_millis() as u64;
    publish(&report, &output)?;
    Ok(exit_code(&report, prepared.settings.strict, failing))
}

/// `audit --inventory REPORT`.
pub(super) fn audit_inventory(args: &AuditArgs) -> Result<u8> {
    let path = args.inventory.as_deref().expect("called with --inventory");
    let prepared = prepare(&args.input, ManifestUse::Optional)?;
    let report = input::read(path).map_err(anyhow::Error::msg)?;
    let expected = salt_id(&prepared.salt);
    if report.scan.salt_id != expected {
        let whose = prepared.manifest.as_ref().map_or_else(
            || "the fixed key keyaudit-v1 (no manifest)".to_string(),
            |m| format!("the salt of {}", m.path.display()),
        );
        bail!(
            "{}: salt_id {} differs from {expected}, that of {whose}: its fingerprints cannot be compared",
            path.display(),
            report.scan.salt_id
        );
    }
    let evidence = load_evidence(&args.evidence, &prepared)?;
    let output = ReportSettings::from_output(&args.output);
    let (mut report, failing) = audit_report(report, &prepared, &evidence, args)?;
    if !output.show_secrets {
        for key in &mut report.keys {
            key.secret = None;
        }
    }
    publish(&report, &output)?;
    Ok(exit_code(&report, prepared.settings.strict, failing))
}

/// `merge REPORT...`.
pub(super) fn merge_command(args: &MergeArgs) -> Result<u8> {
    let inputs = args
        .reports
        .iter()
        .map(|path| {
            input::read(path).map(|report| Input {
                name: path.display().to_string(),
                report,
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(anyhow::Error::msg)?;
    // JSON reports carry rule ids, not names: name the built-in ones for SARIF and Markdown.
    let builtin = RuleSet::load(true, &[]).ok();
    let names: HashMap<&str, &str> = builtin
        .iter()
        .flat_map(|set| set.rules())
        .map(|r| (r.id.as_str(), r.name.as_str()))
        .collect();
    let mut report =
        merge(inputs, &|id| names.get(id).map(|n| n.to_string())).map_err(anyhow::Error::msg)?;
    let output = ReportSettings::from_output(&args.output);
    if !output.show_secrets {
        for key in &mut report.keys {
            key.secret = None;
        }
    }
    publish(&report, &output)?;
    Ok(exit_code(&report, false, !report.keys.is_empty()))
}

/// `--shard` and `--clone-dir` without `--repos` (clap lets them through beside a PATH).
pub(super) fn refuse_repo_flags(args: &ReposArgs) -> Result<()> {
    if args.shard.is_some() || args.clone_dir.is_some() {
        bail!("--shard and --clone-dir work only with --repos FILE");
    }
    Ok(())
}

/// An error under `--strict` when the report is incomplete, else found or clean.
fn exit_code(report: &Report, strict: bool, failing: bool) -> u8 {
    if strict && !report.summary.complete {
        EXIT_ERROR
    } else if failing {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    }
}

/// Reads the repository list, keeps the shard's repositories, scans each and folds them.
fn repos_report(prepared: &Prepared, args: &ReposArgs, show_secrets: bool) -> Result<Report> {
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
    let inputs: Vec<Input> = entries
        .iter()
        .map(|entry| Input {
            name: entry.display_name.clone(),
            report: scan_repo(
                prepared,
                &scanner,
                entry,
                clone_dir.as_deref(),
                show_secrets,
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

/// The report of one repository: its keys, located in it, or an error entry when it cannot
/// be cloned, fetched or opened.
fn scan_repo(
    prepared: &Prepared,
    scanner: &Scanner,
    entry: &RepoEntry,
    clone_dir: Option<&Path>,
    show_secrets: bool,
) -> Report {
    let started = Instant::now();
    let name = &entry.display_name;
    let target = match &entry.place {
        Place::Local(path) => match std::fs::metadata(path) {
            Ok(_) => Ok(Target::Local(path.clone())),
            Err(err) => Err(format!("cannot open {}: {err}", entry.shown)),
        },
        Place::Url(url) => {
            mirror::update(url, clone_dir.expect("a clone directory for URLs")).map(Target::Mirror)
        }
    };
    let collected = target.and_then(|target| {
        let dir = match &target {
            Target::Local(path) | Target::Mirror(path) => path.clone(),
        };
        let read = |settings: &Settings, stats: &Stats, visit: &Visit| {
            Ok(read_repo(&target, settings, stats, visit))
        };
        collect_from(prepared, scanner, &read, Some(name))
            .map(|c| (c, dir))
            .map_err(|e| one_line(&format!("{e:#}")))
    });
    let (collected, dir) = match collected {
        Ok(found) => found,
        Err(message) => {
            if prepared.settings.verbosity > 0 {
                diag(&format!("warning: {name}: {message}"));
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
        // A listed repository is known by its name (SPEC section 16), wherever it is cloned.
        scopes: vec![name.clone()],
        repository: None,
        stats: collected.stats,
        duration_ms: started.elapsed().as_millis() as u64,
        show_secrets,
        allowed: collected.allowed,
        manifest: None,
        salt_id: salt_id(&prepared.salt),
    };
    let mut report = Report::new(&prepared.rules, &collected.inventory, run, None);
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

/// Reads one repository as SPEC section 11 says: a working tree as the options say (its
/// history with `--history`), a bare repository or mirror through its whole history. What
/// cannot be read becomes an error entry; the rest is still read.
fn read_repo(target: &Target, settings: &Settings, stats: &Stats, visit: &Visit) -> CommitIndex {
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
            if let Err(err) = git::scan_history(&repo, &settings.git, stats, &mut commits, visit) {
                stats.error(".", one_line(&err));
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

/// Audits a report in scan's schema against the manifest: the keys are rebuilt as an
/// inventory (rules named by the report), `[[allow]]` applies, and each entry gets its
/// verdict. Returns the audit report and whether it fails.
fn audit_report(
    report: Report,
    prepared: &Prepared,
    evidence: &Evidence,
    args: &AuditArgs,
) -> Result<(Report, bool)> {
    let (rules, mut inventory) = inventory_of(&report)?;
    let empty;
    let manifest = match &prepared.manifest {
        Some(m) => m,
        None => {
            empty = empty_manifest(prepared, args)?;
            &empty
        }
    };
    let allowed = apply_allows(&mut inventory, manifest, &rules);
    let outcome = audit(&inventory, &rules, manifest, evidence, prepared.now);
    let failing = fails(args, manifest, &outcome);
    let complete = report.summary.complete;
    let allowed = report.summary.allowed + allowed;
    let mut entries: HashMap<String, _> = report
        .keys
        .into_iter()
        .map(|k| (k.fingerprint.clone(), k))
        .collect();
    let keys = inventory
        .keys
        .iter()
        .zip(&outcome.keys)
        .filter_map(|(key, verdict)| {
            let mut entry = entries.remove(&key.fingerprint)?;
            entry.locations = key.locations.clone();
            entry.audit = Some(verdict.clone());
            Some(entry)
        })
        .collect();
    let mut out = assemble(report.scan, keys, report.managed, allowed, complete);
    let mut flagged: BTreeMap<&'static str, usize> =
        AuditClass::ALL.iter().map(|c| (c.as_str(), 0)).collect();
    for class in out
        .keys
        .iter()
        .flat_map(|k| k.audit.iter().flat_map(|a| &a.flags))
    {
        *flagged.entry(class.as_str()).or_insert(0) += 1;
    }
    flagged.insert(AuditClass::Unused.as_str(), outcome.unused.len());
    out.summary.flagged = Some(flagged);
    out.summary.manifest = prepared
        .manifest
        .as_ref()
        .map(|m| m.path.display().to_string());
    out.unused = outcome.unused;
    out.unmatched_evidence = outcome.unmatched_evidence;
    Ok((out, failing))
}

/// A rule-set naming the report's rules (id, name, provider, kind: what the audit reads of a
/// rule; they never scan) and the report's keys as an inventory.
fn inventory_of(report: &Report) -> Result<(RuleSet, Inventory)> {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for entry in &report.keys {
        if index.contains_key(entry.rule.as_str()) {
            continue;
        }
        let spec = RuleSpec {
            id: entry.rule.clone(),
            name: entry.rule_name.clone(),
            provider: entry.provider.clone(),
            kind: from_name(entry.kind)?,
            // Matches nothing: this rule only names keys already found.
            pattern: Some(r"[^\s\S]".into()),
            context: None,
            secret: None,
            keywords: Vec::new(),
            file_names: Vec::new(),
            line_scoped: false,
            min_entropy: None,
            privilege: from_name(entry.privilege)?,
            environment: from_name(entry.environment)?,
            lifetime: from_name(entry.lifetime)?,
            rotate: entry.rotate.clone(),
            validate: None,
            priority: None,
            examples: Vec::new(),
            negative_examples: Vec::new(),
        };
        let origin = RuleOrigin {
            path: PathBuf::from("report"),
            line: 1,
        };
        rules.push(compile_rule(spec, origin, false)?);
        index.insert(&entry.rule, rules.len() - 1);
    }
    let keys = report
        .keys
        .iter()
        .map(|entry| {
            Ok(Key {
                fingerprint: entry.fingerprint.clone(),
                secret: Secret::new(entry.secret.clone().unwrap_or_default().into_bytes()),
                rule: index[entry.rule.as_str()],
                key_id: entry.key_id.clone(),
                assessment: Assessment {
                    privilege: from_name(entry.privilege)?,
                    privilege_evidence: entry.privilege_evidence.clone(),
                    environment: from_name(entry.environment)?,
                    environment_evidence: entry.environment_evidence.clone(),
                    lifetime: from_name(entry.lifetime)?,
                    expires: entry
                        .expires
                        .as_deref()
                        .map(str::parse)
                        .transpose()
                        .context("a key's expires is not an RFC 3339 time")?,
                    scopes: entry.scopes.clone(),
                    aws_account: entry.aws_account.clone(),
                    // The report's provider is final: keys of one generic rule may name
                    // different providers, which the shared rule cannot carry.
                    provider: Some(entry.provider.clone()),
                    key_id: entry.key_id.clone(),
                },
                in_current_tree: entry.in_current_tree,
                first_seen: entry.first_seen.clone(),
                locations: entry.locations.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((
        RuleSet::from_rules(rules)?,
        Inventory {
            keys,
            managed: report.managed.clone(),
        },
    ))
}

/// A kind, tier, environment or lifetime from its name in a report.
fn from_name<T: DeserializeOwned>(name: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .with_context(|| format!("unknown value `{name}` in the report"))
}
