//! Reads the blobs of a pack the way `git index-pack` does: in pack order, resolving each delta
//! chain as a tree from its base, so every object is inflated once, the chains spread over all
//! cores, and each blob handed to its consumer as it is produced (gitoxide's `gix-pack`).
//!
//! Only the blob chains are resolved: git deltas a blob only against a blob, so the chains of
//! trees, commits and tags (read by the history walk) are left alone. Memory is the pack's
//! mapping, a few words per blob of the pack, and the bases of the chains being resolved, each
//! freed once its children are.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gix_hash::Kind as HashKind;
use gix_pack::cache::delta::{traverse, Tree};
use gix_pack::data::entry::Header;
use gix_utils::progress::Discard;

/// What a pack entry resolves to, as far as this reader cares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chain {
    Unknown,
    Blob,
    Other,
}

/// Reads every blob of the pack at `pack_path` (with its index at `index_path`) on `threads`
/// threads, calling `on_blob(id, content)` for each as it is produced. Errors name what stopped
/// the traversal; blobs already handed on stay handed on.
pub fn read_blobs(
    index_path: &Path,
    pack_path: &Path,
    threads: usize,
    on_blob: &(dyn Fn(&gix_hash::oid, &[u8]) + Sync),
) -> Result<(), String> {
    let index = gix_pack::index::File::at(index_path, HashKind::Sha1).map_err(|e| e.to_string())?;
    let pack = gix_pack::data::File::at(pack_path, HashKind::Sha1).map_err(|e| e.to_string())?;
    let blobs = blob_entries(&index, &pack)?;
    if blobs.is_empty() {
        return Ok(());
    }
    let interrupt = AtomicBool::new(false);
    let tree = Tree::from_offsets_in_pack(
        pack.path(),
        blobs.into_iter(),
        &|&entry| index.pack_offset_at_index(entry),
        &|id| Ok(index.lookup(id).map(|i| index.pack_offset_at_index(i))),
        &mut Discard,
        &interrupt,
        HashKind::Sha1,
    )
    .map_err(|e| e.to_string())?;
    tree.traverse(
        |range, pack: &gix_pack::data::File| pack.entry_slice(range),
        &pack,
        pack.pack_end() as u64,
        |entry: &mut u32, _progress, context: traverse::Context<'_>| {
            if context.entry.header.as_kind() == Some(gix_object::Kind::Blob) {
                on_blob(index.oid_at_index(*entry), context.decompressed);
            }
            Ok(())
        },
        traverse::Options {
            object_progress: Box::new(Discard),
            size_progress: &mut Discard,
            thread_limit: Some(threads.max(1)),
            should_interrupt: &interrupt,
            object_hash: HashKind::Sha1,
            alloc_limit_bytes: None,
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}

/// The index positions of the pack's blob entries (bases and deltas), in pack order.
fn blob_entries(
    index: &gix_pack::index::File,
    pack: &gix_pack::data::File,
) -> Result<Vec<u32>, String> {
    let mut by_offset: Vec<(u64, u32)> = (0..index.num_objects())
        .map(|i| (index.pack_offset_at_index(i), i))
        .collect();
    by_offset.sort_unstable();
    let position: HashMap<u64, usize> = by_offset
        .iter()
        .enumerate()
        .map(|(pos, &(offset, _))| (offset, pos))
        .collect();
    // Each entry's base, as a position in `by_offset`, or its own kind.
    let mut base: Vec<Option<usize>> = Vec::with_capacity(by_offset.len());
    let mut chain = vec![Chain::Unknown; by_offset.len()];
    for (pos, &(offset, _)) in by_offset.iter().enumerate() {
        let entry = pack
            .entry(offset)
            .map_err(|e| format!("entry at offset {offset}: {e}"))?;
        let base_offset = match entry.header {
            Header::Blob => {
                chain[pos] = Chain::Blob;
                None
            }
            Header::Tree | Header::Commit | Header::Tag => {
                chain[pos] = Chain::Other;
                None
            }
            Header::OfsDelta { base_distance } => offset.checked_sub(base_distance),
            Header::RefDelta { base_id } => index
                .lookup(base_id.as_ref())
                .map(|i| index.pack_offset_at_index(i)),
        };
        let base_pos =
            match base_offset {
                Some(at) => Some(*position.get(&at).ok_or_else(|| {
                    format!("entry at offset {offset}: its base is not in the pack")
                })?),
                None if chain[pos] == Chain::Unknown => {
                    return Err(format!(
                        "entry at offset {offset}: its base is not in the pack"
                    ))
                }
                None => None,
            };
        base.push(base_pos);
    }
    // A chain's kind is its root's; bases usually come first, but a ref-delta's may not.
    let mut path = Vec::new();
    for start in 0..chain.len() {
        let mut at = start;
        while chain[at] == Chain::Unknown {
            path.push(at);
            at = base[at].expect("deltas have bases");
            if path.len() > chain.len() {
                return Err("a delta chain loops".into());
            }
        }
        let kind = chain[at];
        for p in path.drain(..) {
            chain[p] = kind;
        }
    }
    // The first entry is always kept: the delta tree's reader expects it (a tree or commit
    // root here is decoded alone and not handed on).
    Ok(by_offset
        .iter()
        .zip(&chain)
        .enumerate()
        .filter(|(pos, (_, &kind))| *pos == 0 || kind == Chain::Blob)
        .map(|(_, (&(_, entry), _))| entry)
        .collect())
}

/// Every object directory of a repository: its own, then its alternates (recursively).
pub fn object_dirs(objects: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut todo = vec![objects.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        if dirs.contains(&dir) || dirs.len() > 64 {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(dir.join("info/alternates")) {
            for line in text.lines().map(str::trim) {
                if !line.is_empty() && !line.starts_with('#') {
                    todo.push(dir.join(line));
                }
            }
        }
        dirs.push(dir);
    }
    dirs
}
