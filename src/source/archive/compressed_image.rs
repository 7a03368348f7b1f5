//! Container images in a compressed tarball (`image.tar.gz`, a gzipped `docker save`), which
//! cannot be read at random: read in two passes over the inflated stream, each bounded.
//!
//! The first pass keeps only what is small: every entry's size, the image's metadata (JSON
//! documents, at most [`MAX_KEPT`] bytes in all) and the whiteouts of each layer (the layers
//! are inflated to walk their headers, their content is not kept). It gives up at the first
//! entry whose name no image tarball has (`blobs/`, `manifest.json`, `index.json`, `oci-layout`,
//! `repositories`, hex ids), so a tarball that is not an image costs one header. The second
//! pass inflates the stream again and reads each layer as it comes, knowing already which
//! later layer deletes each of its files. Only the second pass counts against
//! `--max-archive-size`; the first is bounded by it on its own.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::io::{self, Read};

use super::compress::{self, is_bomb, Codec, Inflating};
use super::image::{self, Deletions, LayerEntry, Store, MAX_METADATA};
use super::{enter, join, sniff, Format, Guarded, Inside, ReadSeek, Reader, Stop, SNIFF_LEN};

/// Metadata kept by the first pass, all entries together.
const MAX_KEPT: u64 = 16 << 20;

/// Whiteouts kept by the first pass, all layers together; past it, files deleted by further
/// whiteouts are reported without `deleted_in_layer`.
const MAX_WHITEOUTS: usize = 1 << 16;

/// What the first pass learns of the image tarball.
#[derive(Default)]
struct Survey {
    /// Every regular entry's size, by name (`./` dropped).
    sizes: HashMap<String, u64>,
    /// The bytes of the entries that may be metadata.
    kept: HashMap<String, Vec<u8>>,
    kept_bytes: u64,
    /// Each layer's whiteouts and opaque directories, by the layer's name.
    whiteouts: HashMap<String, (Vec<String>, Vec<String>)>,
    whiteout_count: usize,
}

impl Store for Survey {
    fn size(&self, name: &str) -> Option<u64> {
        self.sizes.get(name.trim_start_matches("./")).copied()
    }

    fn open(&mut self, name: &str) -> Option<Box<dyn Read + '_>> {
        let data = self.kept.get(name.trim_start_matches("./"))?;
        Some(Box::new(&data[..]))
    }
}

/// Reads the compressed stream `input` of `codec` as an image if it holds one (true), else
/// leaves it to be read as a compressed tar.
pub(super) fn read_if_image(
    reader: &Reader<'_>,
    codec: Codec,
    input: &mut dyn ReadSeek,
    path: &str,
    inside: &Inside,
) -> bool {
    let Some(mut survey) = survey(reader, codec, input) else {
        return false;
    };
    let Some(images) = image::images(&mut survey, path) else {
        return false;
    };
    // Each layer is read once, for the first image naming it, with what the layers above it
    // in that image delete.
    let mut plan: HashMap<String, (usize, String, Deletions)> = HashMap::new();
    for (owner, image) in images.iter().enumerate() {
        let mut deletions = Deletions::default();
        for (digest, layer_path) in image.layers.iter().rev() {
            plan.entry(layer_path.clone())
                .or_insert_with(|| (owner, digest.clone(), deletions.clone()));
            if let Some((whiteouts, opaque)) = survey.whiteouts.get(layer_path) {
                deletions.merge(digest, whiteouts.clone(), opaque.clone());
            }
        }
    }
    drop(survey);
    let insides: Vec<Inside> = images
        .iter()
        .map(|image| Inside {
            image: Some(image.reference.clone()),
            ..enter(inside, path, image.kind)
        })
        .collect();
    let mut met = HashSet::new();
    if input.rewind().is_err() {
        reader.skip(path, "corrupt or truncated archive: cannot rewind");
        return true;
    }
    let layers = Layers {
        plan: &plan,
        insides: &insides,
    };
    if let Err(err) = layers.read(reader, codec, input, &mut met) {
        reader.damaged(path, &err);
    }
    if !reader.exhausted.get() {
        for (layer_path, (owner, _, _)) in &plan {
            if !met.contains(layer_path) {
                reader.skip(
                    &join(&insides[*owner], layer_path),
                    "layer named by the image's manifest is missing",
                );
            }
        }
    }
    true
}

/// The second pass: which entries are layers, and the images they are read in.
struct Layers<'p> {
    /// By layer name: the image reading it, its digest, what the layers above delete.
    plan: &'p HashMap<String, (usize, String, Deletions)>,
    /// Each image's location.
    insides: &'p [Inside],
}

impl Layers<'_> {
    fn read(
        &self,
        reader: &Reader<'_>,
        codec: Codec,
        input: &mut dyn ReadSeek,
        met: &mut HashSet<String>,
    ) -> io::Result<()> {
        let consumed = Cell::new(0);
        let mut inflating = Inflating {
            inner: compress::decoder(codec, input, &consumed),
            consumed: &consumed,
            produced: 0,
            reader,
        };
        let mut archive = ::tar::Archive::new(&mut inflating as &mut dyn Read);
        for entry in archive.entries()? {
            let mut entry = entry?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = entry_name(&entry);
            let Some((owner, digest, deletions)) = self.plan.get(&name) else {
                continue;
            };
            if !met.insert(name.clone()) {
                continue;
            }
            let image_inside = &self.insides[*owner];
            let full = join(image_inside, &name);
            let mut guarded = Guarded::new(&mut entry);
            let result = image::read_layer(
                reader,
                &mut guarded,
                &full,
                &name,
                digest,
                image_inside,
                deletions,
                &mut Vec::new(),
                &mut Vec::new(),
            );
            // The tarball's own damage stops it; a layer's is the layer's.
            if let Some(err) = guarded.error {
                return Err(err);
            }
            if let Err(err) = result {
                reader.damaged(&full, &err);
            }
            reader.budget_left()?;
        }
        Ok(())
    }
}

/// An entry's name as the image's metadata names it: lossy UTF-8, `./` dropped.
fn entry_name<R: Read>(entry: &::tar::Entry<'_, R>) -> String {
    let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
    name.trim_start_matches("./").to_string()
}

/// Whether an image tarball (`docker save`, OCI) may hold an entry named `name`.
fn image_name(name: &str) -> bool {
    let top = name.split('/').next().unwrap_or_default();
    let id = top.strip_suffix(".json").unwrap_or(top);
    matches!(
        top,
        "" | "." | "blobs" | "manifest.json" | "index.json" | "oci-layout" | "repositories"
    ) || (id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Inflated bytes of the first pass: bounded by what the archive may still inflate, all the
/// first pass's streams together, and judged against what each stream consumed.
struct Metered<'r> {
    inner: Box<dyn Read + 'r>,
    consumed: &'r Cell<u64>,
    produced: u64,
    total: &'r Cell<u64>,
    limit: u64,
}

impl Read for Metered<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        self.total.set(self.total.get() + n as u64);
        if self.total.get() > self.limit {
            return Err(io::Error::other(Stop::Budget));
        }
        if is_bomb(self.produced, self.consumed.get()) {
            return Err(io::Error::other(Stop::Bomb));
        }
        Ok(n)
    }
}

/// The first pass; `None` when the stream is not an image tarball or cannot be read through
/// (then it is read as a compressed tar, which reports why).
fn survey(reader: &Reader<'_>, codec: Codec, input: &mut dyn ReadSeek) -> Option<Survey> {
    input.rewind().ok()?;
    let limit = reader
        .options
        .max_archive_size
        .saturating_sub(reader.inflated.get());
    let total = Cell::new(0);
    let consumed = Cell::new(0);
    let mut inflated = Metered {
        inner: compress::decoder(codec, input, &consumed),
        consumed: &consumed,
        produced: 0,
        total: &total,
        limit,
    };
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut inflated)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .ok()?;
    if sniff(&head) != Some(Format::Tar) {
        return None;
    }
    let mut stream = io::Cursor::new(head).chain(inflated);
    let mut archive = ::tar::Archive::new(&mut stream as &mut dyn Read);
    let mut survey = Survey::default();
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        let name = entry_name(&entry);
        if !image_name(&name) {
            return None;
        }
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let size = entry.size();
        survey.sizes.insert(name.clone(), size);
        let mut head = Vec::with_capacity(SNIFF_LEN);
        (&mut entry)
            .take(SNIFF_LEN as u64)
            .read_to_end(&mut head)
            .ok()?;
        let layer = matches!(
            sniff(&head),
            Some(Format::Tar | Format::Compressed(Codec::Gzip | Codec::Zstd))
        );
        let mut rest = io::Cursor::new(head).chain(&mut entry);
        if layer {
            let mut guarded = Guarded::new(&mut rest);
            let found = whiteouts(&mut guarded, &mut survey, &total, limit);
            if guarded.error.is_some() || total.get() > limit {
                return None;
            }
            survey.whiteouts.insert(name, found);
        } else if size <= MAX_METADATA && survey.kept_bytes + size <= MAX_KEPT {
            let mut data = Vec::new();
            rest.take(MAX_METADATA).read_to_end(&mut data).ok()?;
            if data.first() == Some(&b'{') || data.first() == Some(&b'[') {
                survey.kept_bytes += data.len() as u64;
                survey.kept.insert(name, data);
            }
        }
    }
    Some(survey)
}

/// The whiteouts and opaque directories of the layer `input`, walking its headers; what was
/// found before damage is kept. Its inflated bytes count in `total`.
fn whiteouts(
    input: &mut dyn Read,
    survey: &mut Survey,
    total: &Cell<u64>,
    limit: u64,
) -> (Vec<String>, Vec<String>) {
    let mut found = (Vec::new(), Vec::new());
    let consumed = Cell::new(0);
    let Ok(Some((tar, _))) = image::layer_tar(input, &consumed) else {
        return found;
    };
    let metered = Metered {
        inner: tar,
        consumed: &consumed,
        produced: 0,
        total,
        limit,
    };
    let mut archive = ::tar::Archive::new(metered);
    let Ok(entries) = archive.entries() else {
        return found;
    };
    for entry in entries {
        let Ok(entry) = entry else {
            break;
        };
        let name = super::escape_name(&entry.path_bytes());
        let full = survey.whiteout_count >= MAX_WHITEOUTS;
        match LayerEntry::of(&name) {
            LayerEntry::Whiteout(path) if !full => found.0.push(path),
            LayerEntry::Opaque(dir) if !full => found.1.push(dir.to_string()),
            _ => continue,
        }
        survey.whiteout_count += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_an_image_tarball_holds_are_images() {
        let hex = "ab".repeat(32);
        for name in [
            "manifest.json",
            "index.json",
            "oci-layout",
            "repositories",
            "blobs/sha256/00",
            "blobs/",
            &format!("{hex}/layer.tar"),
            &format!("{hex}.json"),
        ] {
            assert!(image_name(name), "{name}");
        }
        for name in [
            "src/main.rs",
            "manifest.json.bak",
            "ab/layer.tar",
            "etc/app/.env",
        ] {
            assert!(!image_name(name), "{name}");
        }
    }
}
