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
//!
//! The delta tree holds every object on the path from a chain's root to the object being
//! resolved: fifty levels of a multi-megabyte file would be hundreds of megabytes per thread.
//! So chains whose root is large (`LARGE_ROOT`) are read apart, depth first, through an
//! [`ObjectReader`] whose cache of bases is bounded (`LARGE_CACHE_BYTES`), as `git cat-file`
//! reads every chain.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use gix_hash::Kind as HashKind;
use gix_pack::cache::delta::{traverse, Tree};
use gix_pack::cache::DecodeEntry;
use gix_pack::data::entry::Header;
use gix_utils::progress::Discard;

use super::{Copied, Derived, Lineage, Memo};
use crate::error::Error;

/// Decoded objects each [`ObjectReader`] keeps: the trees of successive commits are deltas of
/// one another, so with the links of their chains cached each tree costs one delta. (On a
/// history of 118,000 commits and 964,000 trees, 32 MiB per thread held 50 MiB more at the
/// peak and saved 5% of the time.)
const TREE_CACHE_BYTES: usize = 8 << 20;

/// A blob chain whose root inflates to this many bytes or more is read apart from the delta
/// tree, so no thread holds more than a chain's depth times this much (50 MiB at git's
/// default depth of 50, far less in practice).
const LARGE_ROOT: u64 = 1 << 20;

/// Bases each thread keeps while reading the large chains; an object over half of it is not
/// kept, and a delta of it resolves it again. (git's own `core.deltaBaseCacheLimit` is 96 MiB
/// for a whole `cat-file`.)
const LARGE_CACHE_BYTES: usize = 16 << 20;

/// A delta is handed on with the stretches it copies only when what it makes is at least this
/// many times its own size.
const MAX_DELTA_SHARE: u64 = 8;

/// A reader's buffer grown past this for one object is given back rather than kept.
const KEEP_BUFFER_BYTES: usize = 64 << 20;

/// One pack, its index and its data each mapped once.
pub struct Pack {
    index: gix_pack::index::File,
    data: gix_pack::data::File,
}

impl Pack {
    /// Maps the pack at `pack_path` and its index at `index_path`.
    pub fn open(index_path: &Path, pack_path: &Path) -> crate::error::Result<Self> {
        Ok(Self {
            index: gix_pack::index::File::at(index_path, HashKind::Sha1)
                .map_err(|e| Error::Git(e.to_string()))?,
            data: gix_pack::data::File::at(pack_path, HashKind::Sha1)
                .map_err(|e| Error::Git(e.to_string()))?,
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
        Self::with_cache(
            packs,
            BaseCache::new(TREE_CACHE_BYTES, TREE_CACHE_BYTES / 8),
        )
    }

    fn with_cache(packs: &'a [Pack], cache: BaseCache) -> Self {
        Self {
            packs,
            inflate: gix_zlib::Inflate::default(),
            cache,
            buffer: Vec::new(),
        }
    }

    /// The kind and content of object `id` from the first pack holding it; `Ok(None)` when no
    /// pack does (a loose object). The content lives until the next read.
    pub fn read(
        &mut self,
        id: &gix_hash::oid,
    ) -> crate::error::Result<Option<(gix_object::Kind, &[u8])>> {
        if self.buffer.capacity() > KEEP_BUFFER_BYTES {
            self.buffer = Vec::new();
        }
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
            let entry = pack.data.entry(at).map_err(|e| Error::Git(e.to_string()))?;
            if self.cache.holds(pack.data.id, entry.data_offset) {
                break;
            }
            at = match entry.header {
                Header::OfsDelta { base_distance } => {
                    at.checked_sub(base_distance).ok_or_else(|| {
                        Error::Git(format!("entry at offset {at}: its base is not in the pack"))
                    })?
                }
                Header::RefDelta { base_id } => match pack.index.lookup(base_id.as_ref()) {
                    Some(base) => pack.index.pack_offset_at_index(base),
                    None => break,
                },
                _ => break,
            };
            if chain.len() > MAX_CHAIN {
                return Err(Error::Git(format!(
                    "entry at offset {target}: its delta chain loops"
                )));
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
            let entry = pack
                .data
                .entry(link)
                .map_err(|e| Error::Git(e.to_string()))?;
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
                .map_err(|e| Error::Git(e.to_string()))?;
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
    /// Objects larger than this are not kept.
    largest: usize,
}

impl BaseCache {
    fn new(budget: usize, largest: usize) -> Self {
        Self {
            objects: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            budget,
            largest,
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
        if data.len() > self.largest || self.holds(pack, offset) {
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

/// A blob as [`read_blobs`] hands it on.
pub enum Blob<'a> {
    /// Its content.
    Content(&'a [u8]),
    /// Its size, over the reader's `max_size`: a large blob that no other blob read needs as a
    /// base is not inflated at all.
    TooLarge(u64),
}

/// Called with each blob's id and content (or size) as it is produced, and how it relates to the
/// blobs before it, from many threads. Returns what its scan keeps for its deltas, if asked.
pub type OnBlob<'a> = dyn Fn(&gix_hash::oid, Blob<'_>, Lineage<'_>) -> Option<Memo> + Sync + 'a;

/// Reads every blob of `pack` on `threads` threads, calling `on_blob` for each as it is
/// produced. Errors name what stopped the traversal; blobs already handed on stay handed on,
/// and a large chain that cannot be read stops only itself.
pub fn read_blobs(
    pack: &Pack,
    threads: usize,
    max_size: u64,
    on_blob: &OnBlob<'_>,
) -> crate::error::Result<()> {
    let entries = blob_entries(&pack.index, &pack.data)?;
    traverse_blobs(
        pack,
        entries.traversed,
        &entries.deltas_of,
        threads,
        on_blob,
    )?;
    read_large_chains(pack, &entries.large_chains, threads, max_size, on_blob)
}

/// Resolves the blob chains of `entries` as gitoxide's delta tree, across `threads`. A blob
/// with deltas (`deltas_of`, by pack offset) has its scan's memo kept until they are all read,
/// and each delta is handed on with it and with the stretches it copies from its base.
fn traverse_blobs(
    whole: &Pack,
    entries: Vec<u32>,
    deltas_of: &HashMap<u64, u32>,
    threads: usize,
    on_blob: &OnBlob<'_>,
) -> crate::error::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let (index, pack) = (&whole.index, &whole.data);
    // Memos of the blobs whose deltas are still to come, with how many are.
    let memos: Mutex<HashMap<u64, (Memo, u32)>> = Mutex::new(HashMap::new());
    let lock = || memos.lock().unwrap_or_else(|e| e.into_inner());
    let interrupt = AtomicBool::new(false);
    let tree = Tree::from_offsets_in_pack(
        pack.path(),
        entries.into_iter(),
        &|&entry| index.pack_offset_at_index(entry),
        &|id| Ok(index.lookup(id).map(|i| index.pack_offset_at_index(i))),
        &mut Discard,
        &interrupt,
        HashKind::Sha1,
    )
    .map_err(|e| Error::Git(e.to_string()))?;
    tree.traverse(
        |range, pack: &gix_pack::data::File| pack.entry_slice(range),
        pack,
        pack.pack_end() as u64,
        |entry: &mut u32, _progress, context: traverse::Context<'_>| {
            if context.entry.header.as_kind() != Some(gix_object::Kind::Blob) {
                return Ok(());
            }
            let offset = index.pack_offset_at_index(*entry);
            let base = (context.level > 0)
                .then(|| base_offset(whole, offset))
                .flatten();
            let base_memo = base.and_then(|base| lock().get(&base).map(|(memo, _)| memo.clone()));
            // A delta that is a large share of what it makes (versions far apart) copies in
            // small pieces: reading its instructions again would not pay.
            let small_delta = context
                .entry
                .decompressed_size
                .saturating_mul(MAX_DELTA_SHARE)
                <= context.decompressed.len() as u64;
            let copied = base_memo
                .as_ref()
                .filter(|_| small_delta)
                .and_then(|_| delta_copies(pack, &context));
            let derived = match (&base_memo, &copied) {
                (Some(base), Some(copied)) => Some(Derived { base, copied }),
                _ => None,
            };
            let deltas = deltas_of.get(&offset).copied().unwrap_or(0);
            let lineage = Lineage {
                derived,
                has_deltas: deltas > 0,
            };
            let id = index.oid_at_index(*entry);
            if let Some(memo) = on_blob(id, Blob::Content(context.decompressed), lineage) {
                if deltas > 0 {
                    lock().insert(offset, (memo, deltas));
                }
            }
            // This delta is read: its base's memo is dropped after the last one.
            if let Some(base) = base {
                let mut memos = lock();
                if let Some((_, left)) = memos.get_mut(&base) {
                    *left -= 1;
                    if *left == 0 {
                        memos.remove(&base);
                    }
                }
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
    .map_err(|e| Error::Git(e.to_string()))?;
    Ok(())
}

/// Reads the chains of large blobs, each depth first (so each object's base was usually the
/// last one read, and costs one delta), whole chains shared out among `threads`. A blob over
/// `max_size` is inflated only when a smaller one below it in its chain needs it as a base.
fn read_large_chains(
    pack: &Pack,
    chains: &[LargeChain],
    threads: usize,
    max_size: u64,
    on_blob: &OnBlob<'_>,
) -> crate::error::Result<()> {
    let next = AtomicUsize::new(0);
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    let packs = std::slice::from_ref(pack);
    let work = || {
        let cache = BaseCache::new(LARGE_CACHE_BYTES, LARGE_CACHE_BYTES / 2);
        let mut reader = ObjectReader::with_cache(packs, cache);
        let mut inflate = gix_zlib::Inflate::default();
        while let Some(chain) = chains.get(next.fetch_add(1, Ordering::Relaxed)) {
            let sizes: Vec<Option<u64>> = chain
                .iter()
                .map(|&(entry, _)| object_size(pack, entry, &mut inflate))
                .collect();
            // Depth first, every object comes after its base: so backwards, after all below it.
            let mut needed: Vec<bool> = sizes
                .iter()
                .map(|size| size.is_none_or(|size| size <= max_size))
                .collect();
            for (at, &(_, base)) in chain.iter().enumerate().rev() {
                if let (true, Some(base)) = (needed[at], base) {
                    needed[base] = true;
                }
            }
            for (at, &(entry, _)) in chain.iter().enumerate() {
                let id = pack.index.oid_at_index(entry);
                if let (false, Some(size)) = (needed[at], sizes[at]) {
                    on_blob(id, Blob::TooLarge(size), Lineage::default());
                    continue;
                }
                match reader.read(id) {
                    Ok(Some((gix_object::Kind::Blob, data))) => {
                        on_blob(id, Blob::Content(data), Lineage::default());
                    }
                    Ok(_) => {}
                    Err(e) => {
                        first_error
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .get_or_insert(e);
                        break;
                    }
                }
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, chains.len().max(1)) {
            scope.spawn(work);
        }
    });
    match first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The pack offset of the base of the delta at `offset`, if it is in the pack.
fn base_offset(pack: &Pack, offset: u64) -> Option<u64> {
    delta_base(&pack.index, offset, &pack.data.entry(offset).ok()?.header)
}

/// Where the base of the delta at `offset`, whose header is `header`, starts in the pack;
/// `None` for a whole object or a base not in the pack.
fn delta_base(index: &gix_pack::index::File, offset: u64, header: &Header) -> Option<u64> {
    match header {
        Header::OfsDelta { base_distance } => offset.checked_sub(*base_distance),
        Header::RefDelta { base_id } => index
            .lookup(base_id.as_ref())
            .map(|at| index.pack_offset_at_index(at)),
        _ => None,
    }
}

thread_local! {
    /// Each thread's inflater and buffer for re-reading deltas' instructions.
    static DELTA: std::cell::RefCell<(gix_zlib::Inflate, Vec<u8>)> = Default::default();
}

/// The stretches the delta just resolved in `context` copies from its base, read again from its
/// instructions (small beside what they make); `None` if they cannot be read.
fn delta_copies(
    pack: &gix_pack::data::File,
    context: &traverse::Context<'_>,
) -> Option<Vec<Copied>> {
    let compressed = pack.entry_slice(context.entry.data_offset..context.entry_end)?;
    let size = usize::try_from(context.entry.decompressed_size).ok()?;
    DELTA.with_borrow_mut(|(inflate, buffer)| {
        buffer.clear();
        buffer.resize(size, 0);
        inflate.reset();
        inflate.once(compressed, buffer).ok()?;
        parse_copies(buffer, context.decompressed.len())
    })
}

/// The copy instructions of a git delta (`instructions`, its size header included), checked
/// against the size of the object it makes.
fn parse_copies(instructions: &[u8], result_len: usize) -> Option<Vec<Copied>> {
    let mut at = 0;
    let mut varint = || {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = *instructions.get(at)?;
            at += 1;
            value |= usize::from(byte & 0x7f).checked_shl(shift)?;
            shift += 7;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
    };
    let base_len = varint()?;
    if varint()? != result_len {
        return None;
    }
    let mut copied: Vec<Copied> = Vec::new();
    let mut to = 0;
    while at < instructions.len() {
        let command = instructions[at];
        at += 1;
        if command & 0x80 != 0 {
            // Offset in bits 0-3 of the command, size in bits 4-6, each byte present if set.
            let mut field = |bits: std::ops::Range<u8>| {
                let mut value = 0usize;
                for (n, bit) in bits.enumerate() {
                    if command & (1 << bit) != 0 {
                        value |= usize::from(*instructions.get(at)?) << (8 * n);
                        at += 1;
                    }
                }
                Some(value)
            };
            let from = field(0..4)?;
            let len = match field(4..7)? {
                0 => 0x10000,
                len => len,
            };
            if from.checked_add(len)? > base_len {
                return None;
            }
            // git splits long copies in 64 KiB pieces: one stretch is no seam.
            match copied.last_mut() {
                Some(last) if last.from + last.len == from && last.to + last.len == to => {
                    last.len += len;
                }
                _ => copied.push(Copied { from, to, len }),
            }
            to += len;
        } else if command != 0 {
            at += usize::from(command);
            to += usize::from(command);
        } else {
            return None;
        }
    }
    (to == result_len && at == instructions.len()).then_some(copied)
}

/// The inflated size of the object at index position `entry`, from its entry's header or its
/// delta's, without inflating it; `None` when that cannot be read.
fn object_size(pack: &Pack, entry: u32, inflate: &mut gix_zlib::Inflate) -> Option<u64> {
    use gix_pack::data::decode::header::ResolvedBase;
    let entry = pack
        .data
        .entry(pack.index.pack_offset_at_index(entry))
        .ok()?;
    let resolve = |id: &gix_hash::oid| {
        Ok(pack.index.lookup(id).and_then(|at| {
            let entry = pack.data.entry(pack.index.pack_offset_at_index(at)).ok()?;
            Some(ResolvedBase::InPack(entry))
        }))
    };
    let header = pack.data.decode_header(entry, inflate, &resolve).ok()?;
    Some(header.object_size)
}

/// A chain of large blobs, depth first from its root: each entry's index position, and where
/// its base is in the chain.
type LargeChain = Vec<(u32, Option<usize>)>;

/// The blob entries of a pack, split by how they are read.
struct BlobEntries {
    /// Index positions of the entries resolved as gitoxide's delta tree, in pack order.
    traversed: Vec<u32>,
    /// How many deltas of each of those there are, by pack offset, where there are any.
    deltas_of: HashMap<u64, u32>,
    /// The chains whose root is large.
    large_chains: Vec<LargeChain>,
}

/// The blob entries of the pack (bases and deltas), split into those the delta tree resolves
/// and the chains of large blobs.
fn blob_entries(
    index: &gix_pack::index::File,
    pack: &gix_pack::data::File,
) -> crate::error::Result<BlobEntries> {
    let mut by_offset: Vec<(u64, u32)> = (0..index.num_objects())
        .map(|i| (index.pack_offset_at_index(i), i))
        .collect();
    by_offset.sort_unstable();
    // Per entry, in pack order: its base's position in `by_offset` (NO_BASE for a whole
    // object), its chain's kind, and whether its chain's root is a large blob. Compact on
    // purpose: a pack holds millions of entries, and this is built while the history walk's
    // results are held.
    const NO_BASE: u32 = u32::MAX;
    let mut base: Vec<u32> = Vec::with_capacity(by_offset.len());
    let mut chain = vec![Chain::Unknown; by_offset.len()];
    let mut large = vec![false; by_offset.len()];
    for (pos, &(offset, _)) in by_offset.iter().enumerate() {
        let entry = pack
            .entry(offset)
            .map_err(|e| Error::Git(format!("entry at offset {offset}: {e}")))?;
        let base_offset = match entry.header {
            Header::Blob => {
                chain[pos] = Chain::Blob;
                large[pos] = entry.decompressed_size >= LARGE_ROOT;
                None
            }
            Header::Tree | Header::Commit | Header::Tag => {
                chain[pos] = Chain::Other;
                None
            }
            Header::OfsDelta { .. } | Header::RefDelta { .. } => {
                delta_base(index, offset, &entry.header)
            }
        };
        let base_pos = match base_offset {
            Some(at) => by_offset
                .binary_search_by_key(&at, |&(offset, _)| offset)
                .map_err(|_| {
                    Error::Git(format!(
                        "entry at offset {offset}: its base is not in the pack"
                    ))
                })? as u32,
            None if chain[pos] == Chain::Unknown => {
                return Err(Error::Git(format!(
                    "entry at offset {offset}: its base is not in the pack"
                )))
            }
            None => NO_BASE,
        };
        base.push(base_pos);
    }
    let base_of = |pos: usize| (base[pos] != NO_BASE).then_some(base[pos] as usize);
    // A chain's kind and size class are its root's; bases usually come first, but a
    // ref-delta's may not.
    let mut path = Vec::new();
    for start in 0..chain.len() {
        let mut at = start;
        while chain[at] == Chain::Unknown {
            path.push(at);
            at = base_of(at).expect("deltas have bases");
            if path.len() > chain.len() {
                return Err(Error::Git("a delta chain loops".into()));
            }
        }
        let (kind, root_large) = (chain[at], large[at]);
        for p in path.drain(..) {
            chain[p] = kind;
            large[p] = root_large;
        }
    }
    let is_large = |pos: usize| chain[pos] == Chain::Blob && large[pos];
    // The first entry is always kept: the delta tree's reader expects it (a tree or commit
    // root here is decoded alone and not handed on).
    let traversed = (0..by_offset.len())
        .filter(|&pos| pos == 0 || (chain[pos] == Chain::Blob && !is_large(pos)))
        .map(|pos| by_offset[pos].1)
        .collect();
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for pos in (0..by_offset.len()).filter(|&pos| is_large(pos)) {
        match base_of(pos) {
            Some(parent) => children.entry(parent).or_default().push(pos),
            None => roots.push(pos),
        }
    }
    let large_chains = roots
        .into_iter()
        .map(|top| {
            let mut order = Vec::new();
            let mut stack = vec![(top, None)];
            while let Some((pos, base)) = stack.pop() {
                let at = order.len();
                order.push((by_offset[pos].1, base));
                if let Some(below) = children.get(&pos) {
                    stack.extend(below.iter().rev().map(|&child| (child, Some(at))));
                }
            }
            order
        })
        .collect();
    let mut deltas_of: HashMap<u64, u32> = HashMap::new();
    for pos in (0..by_offset.len()).filter(|&pos| chain[pos] == Chain::Blob && !is_large(pos)) {
        if let Some(parent) = base_of(pos) {
            *deltas_of.entry(by_offset[parent].0).or_default() += 1;
        }
    }
    Ok(BlobEntries {
        traversed,
        deltas_of,
        large_chains,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delta_s_copies_are_read_with_their_places() {
        // Base of 10 bytes, result of 7: copy 3 from 2, insert "xy", copy 2 from 5.
        let delta = [10, 7, 0x91, 2, 3, 2, b'x', b'y', 0x91, 5, 2];
        assert_eq!(
            parse_copies(&delta, 7),
            Some(vec![
                Copied {
                    from: 2,
                    to: 0,
                    len: 3
                },
                Copied {
                    from: 5,
                    to: 5,
                    len: 2
                },
            ])
        );
        assert_eq!(parse_copies(&delta, 8), None, "result size disagrees");
    }

    #[test]
    fn copies_contiguous_in_both_blobs_are_one_stretch() {
        let one = |len| {
            Some(vec![Copied {
                from: 0,
                to: 0,
                len,
            }])
        };
        // Two copies of 3 bytes, from 0 and from 3, side by side.
        assert_eq!(parse_copies(&[6, 6, 0x90, 3, 0x91, 3, 3], 6), one(6));
        // A copy's size of zero is 64 KiB.
        let whole = [0x80, 0x80, 4, 0x80, 0x80, 4, 0x80];
        assert_eq!(parse_copies(&whole, 0x10000), one(0x10000));
    }

    #[test]
    fn damaged_deltas_give_no_copies() {
        for delta in [
            &[10, 3, 0x91, 9, 3][..], // past the base's end
            &[10, 3, 0][..],          // command 0 is reserved
            &[10, 3, 0x91, 2][..],    // cut short
            &[10, 3, 5, b'a'][..],    // insert cut short
            &[10][..],                // no result size
        ] {
            assert_eq!(parse_copies(delta, 3), None, "{delta:?}");
        }
    }
}
