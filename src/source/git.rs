//! Git sources: full history (`--history`) and the staged index (`--staged`).
//!
//! History: every commit reachable from any ref (branches, tags, remote-tracking refs, stash,
//! HEAD) is walked oldest first, split into runs of commits across threads; each commit's tree
//! is walked while skipping tree ids already seen, so every distinct blob is found once, with
//! the oldest commit and path that introduced it. Trees are read from the packs by gitoxide
//! (through the same mapping the blobs are read from), loose ones through libgit2, which also
//! keeps the refs, the revision walk, commits and the index. The blobs are then read from the packs in
//! pack order ([`super::pack`]) and scanned as they are produced; those no pack gave (loose
//! objects, unreadable packs) are read one by one through libgit2. Commit details are kept so
//! provenance is resolved only for blobs that hold keys. Submodules are not followed; symbolic
//! links are not content.

use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use git2::{ObjectType, Oid, Repository, Sort};
use gix_hash::ObjectId;
use globset::GlobSet;
use jiff::Timestamp;
use rayon::prelude::*;

use super::fs::DEFAULT_EXCLUDED_DIRS;
use super::pack::{self, ObjectReader, Pack};
use super::refs::{self, Tip};
use super::{text_of, Lineage, Memo, Origin, SourceKind, Stats, Visit, Window};
use crate::error::Error;

/// Git's file mode for a symbolic link.
const SYMLINK_MODE: i32 = 0o120000;
/// Git's file mode for a submodule (a commit inside a tree).
const GITLINK_MODE: i32 = 0o160000;

/// Who made a commit and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMeta {
    /// Author date.
    pub date: Timestamp,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// Position in the oldest-first walk (smaller is older).
    pub order: usize,
}

/// Commit details of a history scan, by full commit id. A B-tree, not a hash table: it is held
/// through the blob scan, and a table of 118,000 commits doubles to 262,144 slots.
pub type CommitIndex = BTreeMap<String, CommitMeta>;

/// How to read git content.
#[derive(Debug, Clone)]
pub struct GitOptions {
    /// Only commits not reachable from this revision.
    pub since: Option<String>,
    /// Only commits not reachable from these (an incremental run's recorded refs, all known
    /// to be in the history).
    pub hidden: Vec<Oid>,
    /// Blobs of the hidden history already scanned: a new commit bringing one back adds no
    /// location, as a full run gives each blob once, where it first appeared.
    pub known_blobs: Vec<Oid>,
    /// Larger blobs are skipped and reported.
    pub max_file_size: u64,
    /// Paths to skip.
    pub excludes: GlobSet,
    /// Skip dependency and build folders.
    pub default_excludes: bool,
    /// Worker threads.
    pub threads: usize,
    /// How archives are read; `None` with `--no-archives`.
    pub archives: Option<super::archive::ArchiveOptions>,
}

impl GitOptions {
    fn excluded(&self, path: &str) -> bool {
        (self.default_excludes
            && path
                .split('/')
                .rev()
                .skip(1)
                .any(|dir| DEFAULT_EXCLUDED_DIRS.contains(&dir)))
            || (!self.excludes.is_empty() && self.excludes.is_match(path))
    }
}

/// Hashes object ids by their leading bytes: a SHA-1 digest is already evenly spread, so the
/// default hasher's work on each of the millions of ids a history walk meets is wasted.
#[derive(Default)]
struct OidHasher(u64);

impl Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8).take(1) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(8) ^ u64::from_le_bytes(word);
        }
    }
}

/// A set of object ids.
type OidSet = HashSet<Oid, BuildHasherDefault<OidHasher>>;

/// Sets libgit2's process-wide options for how keyaudit reads repositories. Call once, at
/// start, before any thread opens a repository.
///
/// - No object cache: the history walk reads each commit once and its trees through its own
///   reader ([`pack::ObjectReader`]), so libgit2's cache of up to 256 MiB per repository handle
///   would only cost memory.
/// - No hash check of every object read, as `git cat-file` does not check either: zlib's own
///   checksum still catches damaged objects.
pub fn configure_libgit2() {
    git2::opts::enable_caching(false);
    git2::opts::strict_hash_verification(false);
}

/// The repository holding `path`, if any.
pub fn discover(path: &Path) -> Option<Repository> {
    Repository::discover(path).ok()
}

/// A name for a repository in messages: its working directory, else its git directory.
fn repo_name(repo: &Repository) -> String {
    repo.workdir()
        .unwrap_or_else(|| repo.path())
        .display()
        .to_string()
}

fn short(oid: Oid) -> String {
    oid.to_string()[..12].to_string()
}

/// One blob to scan: where it first appeared.
struct BlobJob {
    oid: Oid,
    path: String,
    commit: Oid,
    order: usize,
}

/// Scans the whole history of `repo` (less what `options` hide) and returns the refs it
/// started from. Commit details go into `commits`; what could not be read goes into `stats`
/// and never stops the scan.
pub fn scan_history(
    repo: &Repository,
    options: &GitOptions,
    stats: &Stats,
    commits: &mut CommitIndex,
    visit: &Visit,
) -> crate::error::Result<Vec<Tip>> {
    let name = repo_name(repo);
    let packs = packs(repo, stats);
    if repo.is_shallow() {
        stats.skip(
            name.clone(),
            "shallow clone: history before the shallow boundary is not in this repository",
        );
    }
    // libgit2 maps the pack index, and windows of the pack, beside the packs' own mapping, and
    // unmaps them only when no handle holds the pack: so what it reads here goes through a
    // handle of its own, dropped before the blobs are read.
    let walker = Repository::open(repo.path())
        .map_err(|e| Error::Git(format!("{name}: cannot open: {}", e.message())))?;
    let mut walk = walker
        .revwalk()
        .map_err(|e| Error::Git(format!("{name}: cannot walk history: {}", e.message())))?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
        .map_err(|e| Error::Git(format!("{name}: {}", e.message())))?;
    let tips = refs::tips(&walker, stats, &name);
    for tip in &tips {
        if let Err(e) = walk.push(tip.commit) {
            stats.error(format!("{name}: {}", tip.name), e.message().to_string());
        }
    }
    for hidden in &options.hidden {
        walk.hide(*hidden)
            .map_err(|e| Error::Git(format!("{name}: {}: {}", short(*hidden), e.message())))?;
    }
    if let Some(since) = &options.since {
        let base = walker
            .revparse_single(since)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| Error::Git(format!("{name}: --since {since}: {}", e.message())))?;
        walk.hide(base.id())
            .map_err(|e| Error::Git(format!("{name}: --since {since}: {}", e.message())))?;
    }

    let mut seen_trees = OidSet::default();
    let mut seen_blobs = OidSet::default();
    let mut jobs: Vec<BlobJob> = Vec::new();
    let mut walked: Vec<Oid> = Vec::new();
    for step in walk {
        match step {
            Ok(oid) => walked.push(oid),
            Err(e) => stats.error(name.clone(), format!("history walk: {}", e.message())),
        }
    }
    if walked.is_empty() {
        // Nothing new (an incremental run of an unchanged repository): no tree to read.
        return Ok(tips);
    }
    seen_blobs.extend(options.known_blobs.iter().copied());
    if options.since.is_some() || !options.hidden.is_empty() {
        // Content already in the base is not new: mark the trees of the hidden parents of
        // the new commits as seen before walking.
        let new: HashSet<Oid> = walked.iter().copied().collect();
        let odb = walker.odb().ok();
        for oid in &walked {
            let Ok(commit) = walker.find_commit(*oid) else {
                continue;
            };
            for parent in commit.parents().filter(|p| !new.contains(&p.id())) {
                let tree = parent.tree_id();
                tree_contents(&packs, odb.as_ref(), tree, &mut seen_trees, &mut seen_blobs);
            }
        }
    }
    // The walk is split into consecutive runs of commits, one per thread, each skipping the
    // trees it has seen itself; merged in walk order, each blob keeps its oldest commit and
    // path, exactly as one walk would give (a blob first met in a run was never met before it).
    let threads = options.threads.clamp(1, 64).min(walked.len()).max(1);
    let runs: Vec<&[Oid]> = walked
        .chunks(walked.len().div_ceil(threads).max(1))
        .collect();
    let walks: Vec<Walked> = std::thread::scope(|scope| {
        let mut first = 0;
        let handles: Vec<_> = runs
            .iter()
            .map(|run| {
                let (trees, blobs) = (seen_trees.clone(), seen_blobs.clone());
                let start = first;
                first += run.len();
                let (name, git_dir, packs) = (&name, repo.path(), &packs[..]);
                scope.spawn(move || {
                    let seen = Seen { trees, blobs };
                    walk_run(git_dir, packs, name, run, start, seen, options, stats)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut reported = OidSet::default();
    // Held through the whole blob scan: sized exactly, not doubled as it grows.
    jobs.reserve_exact(walks.iter().map(|w| w.jobs.len()).sum());
    for walked in walks {
        for (oid, meta) in walked.commits {
            commits.insert(oid.to_string(), meta);
        }
        for job in walked.jobs {
            if seen_blobs.insert(job.oid) {
                jobs.push(job);
            }
        }
        for (tree, place, message) in walked.tree_errors {
            if reported.insert(tree) {
                stats.error(place, message);
            }
        }
    }
    drop(seen_trees);
    drop(seen_blobs);
    let head_blobs = head_blobs(&walker, &packs);
    drop(walker);
    let done = scan_packed_blobs(&packs, &jobs, &head_blobs, options, stats, visit);
    // What no pack held (loose objects, packs that could not be traversed) is read one by one;
    // versions of one file sit together, so their delta chains share libgit2's base cache.
    let mut rest: Vec<BlobJob> = jobs
        .into_iter()
        .zip(done)
        .filter(|(_, done)| !done.load(Ordering::Relaxed))
        .map(|(job, _)| job)
        .collect();
    rest.sort_by(|a, b| a.path.cmp(&b.path).then(a.order.cmp(&b.order)));
    scan_blobs(
        repo.path(),
        &name,
        &rest,
        &head_blobs,
        options,
        stats,
        visit,
    );
    Ok(tips)
}

/// What one run of the walk found.
#[derive(Default)]
struct Walked {
    jobs: Vec<BlobJob>,
    commits: Vec<(Oid, CommitMeta)>,
    /// Trees that could not be read: (id, where, why).
    tree_errors: Vec<(Oid, String, String)>,
}

/// Trees and blobs already met.
struct Seen {
    trees: OidSet,
    blobs: OidSet,
}

/// Walks the trees of `run` (commits `first..` of the oldest-first walk) on its own repository
/// handle, skipping trees seen before in the run (or marked seen beforehand). Trees are read
/// from the packs by this thread's own reader; loose trees through libgit2.
#[allow(clippy::too_many_arguments)]
fn walk_run(
    git_dir: &Path,
    packs: &[Pack],
    name: &str,
    run: &[Oid],
    first: usize,
    mut seen: Seen,
    options: &GitOptions,
    stats: &Stats,
) -> Walked {
    let mut out = Walked::default();
    let repo = match Repository::open(git_dir) {
        Ok(r) => r,
        Err(e) => {
            stats.error(name.to_string(), format!("cannot open: {}", e.message()));
            return out;
        }
    };
    let odb = repo.odb().ok();
    let mut reader = ObjectReader::new(packs);
    for (order, &oid) in (first..).zip(run) {
        let commit = match repo.find_commit(oid) {
            Ok(c) => c,
            Err(e) => {
                stats.error(
                    format!("{name}: commit {}", short(oid)),
                    e.message().to_string(),
                );
                continue;
            }
        };
        let author = commit.author();
        out.commits.push((
            oid,
            CommitMeta {
                date: Timestamp::from_second(author.when().seconds()).unwrap_or_default(),
                author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
                email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
                order,
            },
        ));
        stats.commit();
        let mut stack = vec![(commit.tree_id(), String::new())];
        while let Some((tree_id, prefix)) = stack.pop() {
            if !seen.trees.insert(tree_id) {
                continue;
            }
            let fail = |why: String| {
                let place = format!(
                    "{name}: tree {} ({}/ in commit {})",
                    short(tree_id),
                    prefix,
                    short(oid)
                );
                (tree_id, place, why)
            };
            let mut loose = None;
            let data = match read_tree(&mut reader, odb.as_ref(), tree_id, &mut loose) {
                Ok(data) => data,
                Err(why) => {
                    out.tree_errors.push(fail(why.to_string()));
                    continue;
                }
            };
            for entry in gix_object::TreeRefIter::from_bytes(data, gix_hash::Kind::Sha1) {
                let Ok(entry) = entry else {
                    out.tree_errors.push(fail("malformed tree".into()));
                    break;
                };
                let id = Oid::from_bytes(entry.oid.as_bytes()).expect("a SHA-1 id");
                // The path is built only for what is new: most entries of most trees were met
                // before, and formatting each of them was a large share of the walk.
                let is_tree = entry.mode.is_tree();
                let new = if is_tree {
                    !seen.trees.contains(&id)
                } else {
                    entry.mode.is_blob() && !seen.blobs.contains(&id)
                };
                if !new {
                    continue;
                }
                let path = join_path(&prefix, entry.filename);
                if is_tree {
                    stack.push((id, path));
                } else if !options.excluded(&path) {
                    seen.blobs.insert(id);
                    out.jobs.push(BlobJob {
                        oid: id,
                        path,
                        commit: oid,
                        order,
                    });
                }
            }
        }
    }
    out
}

/// The content of tree `id`: from the packs through `reader`, else (a loose object) from
/// `odb` into `loose`. The error says why it is not a readable tree.
fn read_tree<'r, 'o: 'r>(
    reader: &'r mut ObjectReader<'_>,
    odb: Option<&'o git2::Odb<'_>>,
    id: Oid,
    loose: &'r mut Option<git2::OdbObject<'o>>,
) -> crate::error::Result<&'r [u8]> {
    match reader.read(gix_hash::oid::from_bytes_unchecked(id.as_bytes()))? {
        Some((gix_object::Kind::Tree, data)) => Ok(data),
        Some((kind, _)) => Err(Error::Git(format!("object is a {kind}, not a tree"))),
        None => match odb.map(|odb| odb.read(id)) {
            Some(Ok(object)) if object.kind() == ObjectType::Tree => {
                Ok(loose.insert(object).data())
            }
            Some(Ok(object)) => Err(Error::Git(format!(
                "object is a {}, not a tree",
                object.kind()
            ))),
            Some(Err(e)) => Err(Error::Git(e.message().to_string())),
            None => Err(Error::Git("cannot open the object database".into())),
        },
    }
}

/// Adds the trees and blobs under tree `root` to `trees` and `blobs`, skipping trees already
/// there.
fn tree_contents(
    packs: &[Pack],
    odb: Option<&git2::Odb<'_>>,
    root: Oid,
    trees: &mut OidSet,
    blobs: &mut OidSet,
) {
    let mut reader = ObjectReader::new(packs);
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !trees.insert(id) {
            continue;
        }
        let mut loose = None;
        let Ok(data) = read_tree(&mut reader, odb, id, &mut loose) else {
            continue;
        };
        for entry in gix_object::TreeRefIter::from_bytes(data, gix_hash::Kind::Sha1).flatten() {
            let id = Oid::from_bytes(entry.oid.as_bytes()).expect("a SHA-1 id");
            if entry.mode.is_tree() {
                stack.push(id);
            } else if entry.mode.is_blob() {
                blobs.insert(id);
            }
        }
    }
}

/// `prefix/name`, or `name` at the root (names that are not UTF-8 are shown lossily).
fn join_path(prefix: &str, name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    if prefix.is_empty() {
        return name.into_owned();
    }
    let mut path = String::with_capacity(prefix.len() + 1 + name.len());
    path.push_str(prefix);
    path.push('/');
    path.push_str(&name);
    path
}

/// The packs of every object directory (the repository's own and its alternates), each as
/// (index, pack). A truncated or damaged pack, which libgit2 would silently ignore, is reported
/// and left out: a pack ends with its own checksum, which its index records just before its own.
fn packs(repo: &Repository, stats: &Stats) -> Vec<Pack> {
    let mut found = Vec::new();
    for objects in pack::object_dirs(&repo.commondir().join("objects")) {
        let Ok(entries) = std::fs::read_dir(objects.join("pack")) else {
            continue;
        };
        let mut indexes: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "idx"))
            .collect();
        indexes.sort();
        for index in indexes {
            let pack = index.with_extension("pack");
            let recorded = tail(&index, 40).map(|t| t[..20].to_vec());
            let actual = tail(&pack, 20);
            match (&recorded, &actual) {
                (Ok(r), Ok(a)) if r == a => match Pack::open(&index, &pack) {
                    Ok(opened) => found.push(opened),
                    Err(e) => {
                        stats.error(pack.display().to_string(), format!("unreadable pack: {e}"))
                    }
                },
                (Err(e), _) | (_, Err(e)) => {
                    stats.error(pack.display().to_string(), format!("unreadable pack: {e}"))
                }
                _ => stats.error(
                    pack.display().to_string(),
                    "unreadable pack: truncated or corrupt: its checksum does not match its index",
                ),
            }
        }
    }
    found
}

/// The last `n` bytes of a file.
fn tail(path: &Path, n: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len < n {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("only {len} bytes"),
        ));
    }
    file.seek(SeekFrom::Start(len - n))?;
    let mut buf = vec![0; n as usize];
    file.read_exact(&mut buf)?;
    Ok(buf)
}

/// Every blob in HEAD's tree: keys in them are present now. Read through the packs' own
/// mapping, as the walk's trees are: libgit2 would map the pack a second time.
fn head_blobs(repo: &Repository, packs: &[Pack]) -> OidSet {
    let mut blobs = OidSet::default();
    if let Ok(tree) = repo.head().and_then(|h| h.peel_to_tree()) {
        let odb = repo.odb().ok();
        tree_contents(
            packs,
            odb.as_ref(),
            tree.id(),
            &mut OidSet::default(),
            &mut blobs,
        );
    }
    blobs
}

/// Reads every pack's blobs in pack order (see [`pack`]) and scans those in `jobs` as they are
/// produced, each once even when several packs hold it. Returns which jobs were done.
fn scan_packed_blobs(
    packs: &[Pack],
    jobs: &[BlobJob],
    head_blobs: &OidSet,
    options: &GitOptions,
    stats: &Stats,
    visit: &Visit,
) -> Vec<AtomicBool> {
    let done: Vec<AtomicBool> = jobs.iter().map(|_| AtomicBool::new(false)).collect();
    if jobs.is_empty() {
        return done;
    }
    // The jobs by blob id, sorted for a binary search: a hash table would hold twice the room.
    let mut wanted: Vec<(ObjectId, u32)> = jobs
        .iter()
        .zip(0u32..)
        .map(|(job, i)| (ObjectId::from_bytes_or_panic(job.oid.as_bytes()), i))
        .collect();
    wanted.sort_unstable();
    let on_blob = |id: &gix_hash::oid, blob: pack::Blob<'_>, lineage: Lineage<'_>| {
        let at = wanted
            .binary_search_by(|(blob, _)| blob.as_ref().cmp(id))
            .ok()?;
        let i = wanted[at].1 as usize;
        let (size, content) = match blob {
            pack::Blob::Content(data) => (data.len() as u64, Some(data)),
            pack::Blob::TooLarge(size) => (size, None),
        };
        let job = &jobs[i];
        if size
            > super::archive::blob_size_limit(&job.path, options.max_file_size, options.archives)
        {
            if !done[i].swap(true, Ordering::Relaxed) {
                skip_large(job, size, options, stats);
            }
            return None;
        }
        // A large blob named like an archive and not inflated here is read whole afterwards.
        let content = content?;
        if done[i].swap(true, Ordering::Relaxed) {
            return None;
        }
        scan_content(job, content, head_blobs, options, stats, visit, lineage)
    };
    for pack in packs {
        // A pack that cannot be traversed is not an error by itself: its blobs are read one by
        // one afterwards, and those that cannot be read are reported by name.
        let _ = pack::read_blobs(pack, options.threads, options.max_file_size, &on_blob);
    }
    done
}

fn skip_large(job: &BlobJob, size: u64, options: &GitOptions, stats: &Stats) {
    stats.skip(
        format!("{} @ {}", job.path, short(job.commit)),
        format!(
            "larger than --max-file-size ({size} > {} bytes)",
            options.max_file_size
        ),
    );
}

/// Scans one blob's content as text, or counts it as binary. Returns what the scan keeps for the
/// blob's deltas, when `lineage` asks for it.
fn scan_content(
    job: &BlobJob,
    content: &[u8],
    head_blobs: &OidSet,
    options: &GitOptions,
    stats: &Stats,
    visit: &Visit,
    lineage: Lineage<'_>,
) -> Option<Memo> {
    let head = &content[..content.len().min(super::archive::SNIFF_LEN)];
    // Over --max-file-size, only an archive is read (its entries are bounded).
    let size = content.len() as u64;
    if size > options.max_file_size
        && (options.archives.is_none() || super::archive::sniff(head).is_none())
    {
        skip_large(job, size, options, stats);
        return None;
    }
    // A small compressed blob may hold no NUL byte: its magic bytes are looked at first.
    let text = match super::archive::sniff_compressed_or_zip(head) {
        Some(_) if options.archives.is_some() => None,
        _ => text_of(content),
    };
    let Some(text) = text else {
        match options.archives.zip(super::archive::sniff(head)) {
            Some((limits, format)) => {
                let origin = Origin {
                    source: SourceKind::Git,
                    path: job.path.clone(),
                    commit: Some(job.commit.to_string()),
                    on_disk: None,
                    in_head: head_blobs.contains(&job.oid),
                    inside: Default::default(),
                };
                let suffix = format!(" @ {}", short(job.commit));
                super::archive::Reader::new(limits, origin, suffix, stats, visit)
                    .read(format, &mut std::io::Cursor::new(content));
            }
            None => stats.binary_blob(),
        }
        return None;
    };
    stats.scanned_blob(content.len());
    // A delta's stretches are placed in the blob's bytes: text decoded from them (a byte-order
    // mark dropped, UTF-16) is scanned on its own.
    let lineage = if std::ptr::eq(text.as_ref(), content) {
        lineage
    } else {
        Lineage::default()
    };
    visit(
        Origin {
            source: SourceKind::Git,
            path: job.path.clone(),
            commit: Some(job.commit.to_string()),
            on_disk: None,
            in_head: head_blobs.contains(&job.oid),
            inside: Default::default(),
        },
        &text,
        Window::whole(text.len()),
        lineage,
    )
}

/// Reads and scans `jobs` in parallel; each chunk opens its own repository handle.
fn scan_blobs(
    git_dir: &Path,
    name: &str,
    jobs: &[BlobJob],
    head_blobs: &OidSet,
    options: &GitOptions,
    stats: &Stats,
    visit: &Visit,
) {
    if jobs.is_empty() {
        return;
    }
    let chunk = (jobs.len() / (options.threads.max(1) * 16)).clamp(32, 4096);
    let work = || {
        jobs.par_chunks(chunk).for_each(|chunk| {
            let repo = match Repository::open(git_dir) {
                Ok(r) => r,
                Err(e) => {
                    stats.error(name.to_string(), format!("cannot open: {}", e.message()));
                    return;
                }
            };
            let odb = repo.odb().ok();
            for job in chunk {
                scan_blob(
                    &repo,
                    odb.as_ref(),
                    name,
                    job,
                    head_blobs,
                    options,
                    stats,
                    visit,
                );
            }
        });
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.max(1))
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

#[allow(clippy::too_many_arguments)]
fn scan_blob(
    repo: &Repository,
    odb: Option<&git2::Odb<'_>>,
    name: &str,
    job: &BlobJob,
    head_blobs: &OidSet,
    options: &GitOptions,
    stats: &Stats,
    visit: &Visit,
) {
    let place = || format!("{} @ {}", job.path, short(job.commit));
    if let Some(Ok((size, _))) = odb.map(|o| o.read_header(job.oid)) {
        let limit =
            super::archive::blob_size_limit(&job.path, options.max_file_size, options.archives);
        if size as u64 > limit {
            skip_large(job, size as u64, options, stats);
            return;
        }
    }
    let blob = match repo.find_blob(job.oid) {
        Ok(b) => b,
        Err(e) => {
            stats.error(
                format!("{name}: blob {} ({})", short(job.oid), place()),
                e.message().to_string(),
            );
            return;
        }
    };
    scan_content(
        job,
        blob.content(),
        head_blobs,
        options,
        stats,
        visit,
        Lineage::default(),
    );
}

/// Scans what the index of `repo` holds that differs from HEAD: the content as it will be
/// committed. Works in a repository with no commit yet.
pub fn scan_staged(
    repo: &Repository,
    options: &GitOptions,
    stats: &Stats,
    visit: &Visit,
) -> crate::error::Result<()> {
    let name = repo_name(repo);
    let index = repo
        .index()
        .map_err(|e| Error::Git(format!("{name}: cannot read the index: {}", e.message())))?;
    let head = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    // The paths whose staged blob differs from HEAD's, found by one walk of HEAD's trees beside
    // the index: a lookup per index entry read every tree on its path again, which was most
    // of a hook's time in a repository of thousands of files.
    let mut diff_options = git2::DiffOptions::new();
    diff_options.ignore_submodules(true);
    let diff = repo
        .diff_tree_to_index(head.as_ref(), Some(&index), Some(&mut diff_options))
        .map_err(|e| {
            Error::Git(format!(
                "{name}: cannot compare the index with HEAD: {}",
                e.message()
            ))
        })?;
    let changed: HashSet<&[u8]> = diff
        .deltas()
        .filter(|delta| delta.new_file().exists() && delta.old_file().id() != delta.new_file().id())
        .filter_map(|delta| delta.new_file().path_bytes())
        .collect();
    for entry in index.iter() {
        let stage = (entry.flags >> 12) & 0x3;
        let mode = entry.mode as i32;
        if stage != 0 || mode == SYMLINK_MODE || mode == GITLINK_MODE {
            continue;
        }
        if !changed.contains(entry.path.as_slice()) {
            continue;
        }
        let path = String::from_utf8_lossy(&entry.path).into_owned();
        if options.excluded(&path) {
            continue;
        }
        let too_large = format!(
            "larger than --max-file-size ({} bytes)",
            options.max_file_size
        );
        // An archive may be larger than a file: its entries and what it inflates are bounded.
        let limit = super::archive::blob_size_limit(&path, options.max_file_size, options.archives);
        if u64::from(entry.file_size) > limit {
            stats.skip(path, too_large);
            continue;
        }
        match repo.find_blob(entry.id) {
            Ok(blob) => {
                let origin = Origin {
                    source: SourceKind::Staged,
                    path,
                    commit: None,
                    on_disk: repo
                        .workdir()
                        .map(|w| w.join(&*String::from_utf8_lossy(&entry.path))),
                    in_head: false,
                    inside: Default::default(),
                };
                let content = blob.content();
                let large = content.len() as u64 > options.max_file_size;
                // A small compressed blob may hold no NUL byte: its magic bytes are looked at first.
                let compressed = options.archives.is_some()
                    && super::archive::sniff_compressed_or_zip(
                        &content[..content.len().min(super::archive::SNIFF_LEN)],
                    )
                    .is_some();
                let text = (!large && !compressed).then(|| text_of(content)).flatten();
                let Some(text) = text else {
                    let path = origin.path.clone();
                    if !super::archive::open_blob(options.archives, content, origin, stats, visit) {
                        stats.skip(
                            path,
                            if large {
                                too_large
                            } else {
                                "binary file".into()
                            },
                        );
                    }
                    continue;
                };
                stats.scanned(content.len());
                visit(origin, &text, Window::whole(text.len()), Lineage::default());
            }
            Err(e) => stats.error(format!("{name}: staged {path}"), e.message().to_string()),
        }
    }
    Ok(())
}

/// The git directory of the repository holding `path`, for de-duplicating PATHs.
pub fn git_dir(repo: &Repository) -> PathBuf {
    std::fs::canonicalize(repo.path()).unwrap_or_else(|_| repo.path().to_path_buf())
}
