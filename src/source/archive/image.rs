//! Container images: `docker save` tarballs and OCI image layouts, each layer read as a tar in
//! layer order, with the image, the layer and the layer whose whiteout deletes a file named.
//!
//! An image is a tar read at random (a compressed one is read in two passes, see
//! `compressed_image`): its entries are indexed first, then `manifest.json`
//! (docker save: `Config`, `RepoTags`, `Layers`) or `oci-layout` and `index.json` (OCI: the
//! index's manifests, each naming its config and layers under `blobs/sha256/`) say which
//! entries are layers, in order. A layer (a tar, plain, gzip or zstd) is at
//! `image.tar!/<layer's path in the image>!/<file>`. Files a later layer deletes (`.wh.NAME`,
//! or every file below an opaque directory `.wh..wh..opq`) are still read, with
//! `deleted_in_layer`: every pull of the image still carries them. Layers are read from the
//! top down so that each file's deletion is known when the file is met.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, Read, SeekFrom};
use std::path::Path;

use serde_json::Value;

use super::compress::{Codec, Inflating, ZstdFrames};
use super::{enter, escape_name, join, sniff, Format, ImageRef, Inside, ReadSeek, Reader};

/// Metadata files (JSON) larger than this are not read.
pub(super) const MAX_METADATA: u64 = 4 << 20;

/// Where an entry of the image tarball lies.
#[derive(Debug, Clone, Copy)]
struct Span {
    offset: u64,
    size: u64,
}

/// One image of a tarball: its reference and its layers, bottom first, as (digest, path).
pub(super) struct Image {
    pub(super) reference: ImageRef,
    pub(super) kind: &'static str,
    pub(super) layers: Vec<(String, String)>,
}

/// Where an image's files are: the entries of a tarball, or the files of a directory.
pub(super) trait Store {
    /// The size of the file `name` (relative, `/`-separated), if there is one.
    fn size(&self, name: &str) -> Option<u64>;
    /// The file `name`, read at most its size.
    fn open(&mut self, name: &str) -> Option<Box<dyn Read + '_>>;
}

/// An image tarball, its entries indexed.
struct TarStore<'i> {
    input: &'i mut dyn ReadSeek,
    index: HashMap<String, Span>,
}

impl Store for TarStore<'_> {
    fn size(&self, name: &str) -> Option<u64> {
        self.index
            .get(name.trim_start_matches("./"))
            .map(|s| s.size)
    }

    fn open(&mut self, name: &str) -> Option<Box<dyn Read + '_>> {
        let span = *self.index.get(name.trim_start_matches("./"))?;
        self.input.seek(SeekFrom::Start(span.offset)).ok()?;
        Some(Box::new((&mut *self.input).take(span.size)))
    }
}

/// An OCI image layout that is a directory. Only plain names are opened (`blobs/ALG/HEX`,
/// `index.json`...), never through a symbolic link.
struct DirStore<'p> {
    root: &'p Path,
}

impl DirStore<'_> {
    fn file(&self, name: &str) -> Option<(std::path::PathBuf, u64)> {
        let plain = name
            .split('/')
            .all(|part| !part.is_empty() && part != ".." && part != ".");
        if !plain {
            return None;
        }
        let path = self.root.join(name);
        let meta = std::fs::symlink_metadata(&path).ok()?;
        meta.is_file().then_some((path, meta.len()))
    }
}

impl Store for DirStore<'_> {
    fn size(&self, name: &str) -> Option<u64> {
        self.file(name).map(|(_, size)| size)
    }

    fn open(&mut self, name: &str) -> Option<Box<dyn Read + '_>> {
        let (path, size) = self.file(name)?;
        let file = std::fs::File::open(path).ok()?;
        Some(Box::new(io::BufReader::new(file).take(size)))
    }
}

/// Reads `input` as an image if it is one (true), else leaves it to be read as a tar.
pub(super) fn read_if_image(
    reader: &Reader<'_>,
    input: &mut dyn ReadSeek,
    path: &str,
    inside: &Inside,
) -> bool {
    let Ok(index) = index_entries(input) else {
        return false;
    };
    let mut store = TarStore { input, index };
    read_store(reader, &mut store, path, inside)
}

/// Reads the OCI image layout in the directory `root`, shown as `path`; false when it is not
/// one.
pub(super) fn read_layout_dir(reader: &Reader<'_>, root: &Path, path: &str) -> bool {
    let mut store = DirStore { root };
    read_store(reader, &mut store, path, &Inside::default())
}

fn read_store(reader: &Reader<'_>, store: &mut dyn Store, path: &str, inside: &Inside) -> bool {
    let Some(images) = images(store, path) else {
        return false;
    };
    for image in images {
        read_image(reader, store, &image, path, inside);
        if reader.exhausted.get() {
            break;
        }
    }
    true
}

/// The regular files of the tarball `input`, by name (`./` dropped), with where their data
/// lies; `None` when it is not a tar that can be indexed.
fn index_entries(input: &mut dyn ReadSeek) -> io::Result<HashMap<String, Span>> {
    input.seek(SeekFrom::Start(0))?;
    let mut index = HashMap::new();
    let mut archive = ::tar::Archive::new(&mut *input);
    for entry in archive.entries()? {
        let entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = name.trim_start_matches("./").to_string();
        index.insert(
            name,
            Span {
                offset: entry.raw_file_position(),
                size: entry.size(),
            },
        );
    }
    Ok(index)
}

/// The JSON document in the file `name`, if there is one and it is small.
fn json(store: &mut dyn Store, name: &str) -> Option<Value> {
    if store.size(name)? > MAX_METADATA {
        return None;
    }
    let mut data = Vec::new();
    store
        .open(name)?
        .take(MAX_METADATA)
        .read_to_end(&mut data)
        .ok()?;
    serde_json::from_slice(&data).ok()
}

/// The entry holding the blob of `digest` in an OCI layout.
fn blob_path(digest: &str) -> Option<String> {
    let (algorithm, hex) = digest.split_once(':')?;
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
    (plain(algorithm) && plain(hex)).then(|| format!("blobs/{algorithm}/{hex}"))
}

/// The digest of the blob at `path` (`blobs/sha256/HEX` → `sha256:HEX`).
fn digest_of(path: &str) -> Option<String> {
    let rest = path.trim_start_matches("./").strip_prefix("blobs/")?;
    let (algorithm, hex) = rest.split_once('/')?;
    Some(format!("{algorithm}:{hex}"))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The images the tarball holds, or `None` when it is not an image.
pub(super) fn images(store: &mut dyn Store, image_path: &str) -> Option<Vec<Image>> {
    if let Some(Value::Array(manifests)) = json(store, "manifest.json") {
        let mut images = Vec::new();
        for manifest in &manifests {
            let config = manifest["Config"].as_str().unwrap_or_default().to_string();
            let layer_paths = strings(&manifest["Layers"]);
            if layer_paths.is_empty() {
                continue;
            }
            // A legacy layer (`ID/layer.tar`) is named by its config's diff id.
            let diff_ids = json(store, &config)
                .map(|c| strings(&c["rootfs"]["diff_ids"]))
                .unwrap_or_default();
            let layers = layer_paths
                .iter()
                .enumerate()
                .map(|(i, path)| {
                    let digest = digest_of(path)
                        .or_else(|| diff_ids.get(i).cloned())
                        .unwrap_or_else(|| path.clone());
                    (digest, path.trim_start_matches("./").to_string())
                })
                .collect();
            let digest = digest_of(&config).or_else(|| {
                let name = config.rsplit('/').next()?;
                let hex = name.strip_suffix(".json")?;
                Some(format!("sha256:{hex}"))
            });
            images.push(Image {
                reference: ImageRef {
                    path: image_path.to_string(),
                    tags: strings(&manifest["RepoTags"]),
                    digest,
                },
                kind: "docker-image",
                layers,
            });
        }
        return (!images.is_empty()).then_some(images);
    }
    store.size("oci-layout")?;
    let top = json(store, "index.json")?;
    let mut images = Vec::new();
    let mut pending: Vec<(Value, Vec<String>)> = vec![(top, Vec::new())];
    // An index may name further indexes (a multi-platform image): followed a few levels.
    let mut budget = 64;
    while let Some((document, tags)) = pending.pop() {
        for descriptor in document["manifests"].as_array().into_iter().flatten() {
            budget -= 1;
            if budget == 0 {
                break;
            }
            let Some(digest) = descriptor["digest"].as_str() else {
                continue;
            };
            let mut tags = tags.clone();
            if let Some(tag) =
                descriptor["annotations"]["org.opencontainers.image.ref.name"].as_str()
            {
                tags.push(tag.to_string());
            }
            let Some(manifest) = blob_path(digest).and_then(|p| json(store, &p)) else {
                continue;
            };
            if manifest["manifests"].is_array() {
                pending.push((manifest, tags));
                continue;
            }
            let layers = manifest["layers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|layer| {
                    let digest = layer["digest"].as_str()?;
                    Some((digest.to_string(), blob_path(digest)?))
                })
                .collect::<Vec<_>>();
            if layers.is_empty() {
                continue;
            }
            images.push(Image {
                reference: ImageRef {
                    path: image_path.to_string(),
                    tags,
                    digest: Some(digest.to_string()),
                },
                kind: "oci-image",
                layers,
            });
        }
    }
    Some(images)
}

/// What the layers above the one being read delete.
#[derive(Debug, Clone, Default)]
pub(super) struct Deletions {
    /// Paths deleted by a whiteout, with the lowest layer above that deletes them.
    paths: HashMap<String, String>,
    /// Directories made opaque, with the lowest layer above that does.
    opaque: HashMap<String, String>,
}

impl Deletions {
    /// The layer deleting `path`: a whiteout of it or of a directory above it, or an opaque
    /// directory above it.
    fn of(&self, path: &str) -> Option<&String> {
        if let Some(layer) = self.paths.get(path) {
            return Some(layer);
        }
        let mut dir = path;
        while let Some((parent, _)) = dir.rsplit_once('/') {
            if let Some(layer) = self.paths.get(parent).or_else(|| self.opaque.get(parent)) {
                return Some(layer);
            }
            dir = parent;
        }
        self.opaque.get("")
    }

    pub(super) fn merge(&mut self, layer: &str, whiteouts: Vec<String>, opaque: Vec<String>) {
        for path in whiteouts {
            self.paths.insert(path, layer.to_string());
        }
        for dir in opaque {
            self.opaque.insert(dir, layer.to_string());
        }
    }
}

fn read_image(
    reader: &Reader<'_>,
    store: &mut dyn Store,
    image: &Image,
    path: &str,
    inside: &Inside,
) {
    let image_inside = Inside {
        image: Some(image.reference.clone()),
        ..enter(inside, path, image.kind)
    };
    let mut deletions = Deletions::default();
    for (digest, layer_path) in image.layers.iter().rev() {
        let full = join(&image_inside, layer_path);
        let Some(mut layer) = store.open(layer_path) else {
            reader.skip(&full, "layer named by the image's manifest is missing");
            continue;
        };
        let mut whiteouts = Vec::new();
        let mut opaque = Vec::new();
        let result = read_layer(
            reader,
            &mut layer,
            &full,
            layer_path,
            digest,
            &image_inside,
            &deletions,
            &mut whiteouts,
            &mut opaque,
        );
        if let Err(err) = result {
            reader.damaged(&full, &err);
            if reader.exhausted.get() {
                return;
            }
        }
        deletions.merge(digest, whiteouts, opaque);
    }
}

/// The tar a layer holds (plain, gzip or zstd) and its kind (`tar`, `tar+gzip`, `tar+zstd`),
/// counting in `consumed` the layer's bytes read; `None` when the layer is none of these.
pub(super) fn layer_tar<'r>(
    input: &'r mut dyn Read,
    consumed: &'r Cell<u64>,
) -> io::Result<Option<(Box<dyn Read + 'r>, &'static str)>> {
    let mut head = Vec::with_capacity(super::SNIFF_LEN);
    input.take(super::SNIFF_LEN as u64).read_to_end(&mut head)?;
    let format = sniff(&head);
    let counting = Counted {
        inner: Box::new(io::Cursor::new(head).chain(input)),
        count: consumed,
    };
    Ok(match format {
        Some(Format::Tar) => Some((Box::new(counting), "tar")),
        Some(Format::Compressed(Codec::Gzip)) => Some((
            Box::new(flate2::read::MultiGzDecoder::new(counting)),
            "tar+gzip",
        )),
        Some(Format::Compressed(Codec::Zstd)) => {
            Some((Box::new(ZstdFrames::new(counting)), "tar+zstd"))
        }
        _ => None,
    })
}

/// What an entry of a layer is, by its name.
pub(super) enum LayerEntry<'n> {
    /// A whiteout (`.wh.NAME`): the path it deletes.
    Whiteout(String),
    /// An opaque directory (`.wh..wh..opq`): the directory whose lower content it hides.
    Opaque(&'n str),
    /// Anything else, its name without a leading `./` or `/`.
    Other(&'n str),
}

impl<'n> LayerEntry<'n> {
    pub(super) fn of(name: &'n str) -> Self {
        let name = name.trim_start_matches("./").trim_start_matches('/');
        let (dir, base) = name.rsplit_once('/').unwrap_or(("", name));
        if base == ".wh..wh..opq" {
            return LayerEntry::Opaque(dir);
        }
        match base.strip_prefix(".wh.") {
            Some(deleted) if dir.is_empty() => LayerEntry::Whiteout(deleted.to_string()),
            Some(deleted) => LayerEntry::Whiteout(format!("{dir}/{deleted}")),
            None => LayerEntry::Other(name),
        }
    }
}

/// Reads one layer: a tar, plain or compressed.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_layer(
    reader: &Reader<'_>,
    input: &mut dyn Read,
    full: &str,
    layer_path: &str,
    digest: &str,
    image_inside: &Inside,
    deletions: &Deletions,
    whiteouts: &mut Vec<String>,
    opaque: &mut Vec<String>,
) -> io::Result<()> {
    let consumed = Cell::new(0u64);
    let Some((tar_input, kind)) = layer_tar(input, &consumed)? else {
        reader.skip(full, "layer is not a tar, gzip or zstd tar");
        return Ok(());
    };
    let mut inflating = Inflating {
        inner: tar_input,
        consumed: &consumed,
        produced: 0,
        reader,
    };
    let level = Inside {
        layer: Some(digest.to_string()),
        ..enter(image_inside, &join(image_inside, layer_path), kind)
    };
    let mut archive = ::tar::Archive::new(&mut inflating as &mut dyn Read);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let raw = entry.path_bytes().into_owned();
        let name = escape_name(&raw);
        let name = match LayerEntry::of(&name) {
            LayerEntry::Opaque(dir) => {
                opaque.push(dir.to_string());
                continue;
            }
            LayerEntry::Whiteout(path) => {
                whiteouts.push(path);
                continue;
            }
            LayerEntry::Other(name) => name,
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let here = Inside {
            deleted_in_layer: deletions.of(name).cloned(),
            ..level.clone()
        };
        reader.entry(name, &mut entry, &here)?;
    }
    Ok(())
}

/// Counts the bytes read through it, for the ratio of a compressed layer.
struct Counted<'r> {
    inner: Box<dyn Read + 'r>,
    count: &'r Cell<u64>,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whiteouts_delete_paths_and_what_is_below_them() {
        let mut deletions = Deletions::default();
        deletions.merge(
            "sha256:c",
            vec!["etc/app/.env".into(), "var/cache".into()],
            vec!["opt/tool".into()],
        );
        deletions.merge("sha256:b", vec!["etc/app/.env".into()], Vec::new());
        assert_eq!(deletions.of("etc/app/.env").unwrap(), "sha256:b");
        assert_eq!(deletions.of("var/cache/x/y").unwrap(), "sha256:c");
        assert_eq!(deletions.of("opt/tool/conf").unwrap(), "sha256:c");
        assert_eq!(deletions.of("etc/app/other"), None);
        assert_eq!(deletions.of("opt/toolbox"), None);
    }

    #[test]
    fn blob_paths_and_digests_are_plain() {
        assert_eq!(blob_path("sha256:ab12").unwrap(), "blobs/sha256/ab12");
        assert_eq!(blob_path("sha256:../x"), None);
        assert_eq!(digest_of("./blobs/sha256/ab12").unwrap(), "sha256:ab12");
        assert_eq!(digest_of("abc/layer.tar"), None);
    }
}
