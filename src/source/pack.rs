//! Reads the blobs of a pack the way `git index-pack` does: in pack order, resolving each delta
//! chain as a tree from its base, so every object is inflated once, the chains spread over all
//! cores, and each blob handed to its consumer as it is produced (gitoxide's `gix-pack`).
//!
//! The history walk reads trees through the same mappings, at random, with an [`ObjectReader`]
//! per thread: one mapping of each pack serves both, so a large pack is held in memory once.
//!
//! Only the blob chains are resolved: git deltas a blob only against a blob, so the chains of
//! trees, commits and tags (read by the history walk) are left alone. Memory is the pack's
//! mapping, a few words per blob of the pack, and the bases of the chains being resolved, each
//! freed once its children are.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gix_hash::Kind as HashKind;
use gix_pack::cache::delta::{traverse, Tree};
use gix_pack::cache::DecodeEntry;
use gix_pack::data::entry::Header;
use gix_utils::progress::Discard;

/// Decoded objects each [`ObjectReader`] keeps: the trees of successive commits are deltas of
/// one another, so with the links of their chains cached each tree costs one delta.
const TREE_CACHE_BYTES: usize = 32 << 20;

/// One pack, its index and its data each mapped once.
pub struct Pack {
    index: gix_pack::index::File,
    data: gix_pack::data::File,
}

impl Pack {
    /// Maps the pack at `pack_path` and its index at `index_path`.
    pub fn open(index_path: &Path, pack_path: &Path) -> Result<Self, String> {
        Ok(Self {
            index: gix_pack::index::File::at(index_path, HashKind::Sha1)
                .map_err(|e| e.to_string())?,
            data: gix_pack::data::File::at(pack_path, HashKind::Sha1).map_err(|e| e.to_string())?,
        })
    }
}

/// Reads single objects from a set of packs, resolving deltas through a bounded cache of bases.
/// One per thread.
pub struct ObjectReader<'a> {
    packs: &'a [Pack],
    inflate: gix_zlib::Inflate,
    cache: BaseCache,
    buffer: Vec<u8>,
}

impl<'a> ObjectReader<'a> {
    /// A reader over `packs`, searched in order.
    pub fn new(packs: &'a [Pack]) -> Self {
        Self {
            packs,
            inflate: gix_zlib::Inflate::default(),
            cache: BaseCache::new(TREE_CACHE_BYTES),
            buffer: Vec::new(),
        }
    }

    /// The kind and content of object `id` from the first pack holding it; `Ok(None)` when no
    /// pack does (a loose object). The content lives until the next read.
    pub fn read(
        &mut self,
        id: &gix_hash::oid,
    ) -> Result<Option<(gix_object::Kind, &[u8])>, String> {
        let Some((pack, target)) = self.packs.iter().find_map(|pack| {
            let at = pack.index.lookup(id)?;
            Some((pack, pack.index.pack_offset_at_index(at)))
        }) else {
            return Ok(None);
        };
        // gix caches only the object it was asked for, and history asks for the oldest tree
        // of a chain first: so the chain is resolved link by link from its nearest cached (or
        // whole) object up, each link cached on the way, and the next tree costs one delta.
        // (The cache is keyed by where an entry's data starts, after its header.)
        let mut chain = vec![target];
        let mut at = target;
        loop {
            let entry = pack.data.entry(at).map_err(|e| e.to_string())?;
            if self.cache.holds(pack.data.id, entry.data_offset) {
                break;
            }
            at = match entry.header {
                Header::OfsDelta { base_distance } => at
                    .checked_sub(base_distance)
                    .ok_or_else(|| format!("entry at offset {at}: its base is not in the pack"))?,
                Header::RefDelta { base_id } => match pack.index.lookup(base_id.as_ref()) {
                    Some(base) => pack.index.pack_offset_at_index(base),
                    None => break,
                },
                _ => break,
            };
            if chain.len() > MAX_CHAIN {
                return Err(format!("entry at offset {target}: its delta chain loops"));
            }
            chain.push(at);
        }
        // A ref-delta's base sits in the same pack: git writes no thin pack to disk.
        let resolve = |base: &gix_hash::oid, _: &mut Vec<u8>| {
            let Some(at) = pack.index.lookup(base) else {
                return Ok(None);
            };
            pack.data
                .entry(pack.index.pack_offset_at_index(at))
                .map(|entry| Some(gix_pack::data::decode::entry::ResolvedBase::InPack(entry)))
        };
        let mut kind = gix_object::Kind::Tree;
        for &link in chain.iter().rev() {
            let entry = pack.data.entry(link).map_err(|e| e.to_string())?;
            let whole = !matches!(
                entry.header,
                Header::OfsDelta { .. } | Header::RefDelta { .. }
            );
            let data_offset = entry.data_offset;
            let outcome = pack
                .data
                .decode_entry(
                    entry,
                    &mut self.buffer,
                    &mut self.inflate,
                    &resolve,
                    &mut self.cache,
                )
                .map_err(|e| e.to_string())?;
            if whole && link != target {
                // gix caches resolved deltas itself, not whole objects.
                let packed = outcome.compressed_size;
                self.cache.put(
                    pack.data.id,
                    data_offset,
                    &self.buffer,
                    outcome.kind,
                    packed,
                );
            }
            kind = outcome.kind;
        }
        Ok(Some((kind, &self.buffer)))
    }
}

/// The longest delta chain followed (git's own limit is 4,095; `--depth` defaults to 50).
const MAX_CHAIN: usize = 10_000;

/// Decoded objects by pack and data offset, within a budget of bytes; the oldest is evicted first.
struct BaseCache {
    objects: HashMap<(u32, u64), (gix_object::Kind, usize, Vec<u8>)>,
    order: VecDeque<(u32, u64)>,
    bytes: usize,
    budget: usize,
}

impl BaseCache {
    fn new(budget: usize) -> Self {
        Self {
            objects: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            budget,
        }
    }

    fn holds(&self, pack: u32, offset: u64) -> bool {
        self.objects.contains_key(&(pack, offset))
    }
}

impl DecodeEntry for BaseCache {
    fn put(
        &mut self,
        pack: u32,
        offset: u64,
        data: &[u8],
        kind: gix_object::Kind,
        compressed_size: usize,
    ) {
        if data.len() > self.budget / 8 || self.holds(pack, offset) {
            return;
        }
        self.objects
            .insert((pack, offset), (kind, compressed_size, data.to_vec()));
        self.order.push_back((pack, offset));
        self.bytes += data.len();
        while self.bytes > self.budget {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some((_, _, data)) = self.objects.remove(&oldest) {
                self.bytes -= data.len();
            }
        }
    }

    fn get(
        &mut self,
        pack: u32,
        offset: u64,
        out: &mut Vec<u8>,
    ) -> Option<(gix_object::Kind, usize)> {
        let (kind, compressed_size, data) = self.objects.get(&(pack, offset))?;
        out.clear();
        out.extend_from_slice(data);
        Some((*kind, *compressed_size))
    }
}

/// What a pack entry resolves to, as far as this reader cares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chain {
    Unknown,
    Blob,
    Other,
}

/// Reads every blob of `pack` on `threads`
/// threads, calling `on_blob(id, content)` for each as it is produced. Errors name what stopped
/// the traversal; blobs already handed on stay handed on.
pub fn read_blobs(
    pack: &Pack,
    threads: usize,
    on_blob: &(dyn Fn(&gix_hash::oid, &[u8]) + Sync),
) -> Result<(), String> {
    let (index, pack) = (&pack.index, &pack.data);
    let blobs = blob_entries(index, pack)?;
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
        pack,
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
