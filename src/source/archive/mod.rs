//! Archives read entry by entry, in memory, never extracted to disk: the zip family, tar (plain
//! or compressed), single compressed files and container images, recognised by their content
//! (magic bytes), each text entry handed to the visitor like a file at `outer!/inner`.
//!
//! Every read is bounded: an entry is read at most `--max-file-size` bytes, everything one
//! archive inflates (its nested archives included) at most `--max-archive-size`, and a stream
//! that inflates more than [`MAX_RATIO`] times what it consumed is a bomb. Each limit, an
//! encrypted entry and a damaged archive is a `skipped` entry; keys found before are kept.

mod compress;
mod compressed_image;
pub mod image;
mod tar;
mod zip;

use std::cell::Cell;
use std::io::{self, Read, Seek};

use serde::{Deserialize, Serialize};

use super::{text_of, Lineage, Origin, SourceKind, Stats, Visit, Window};

/// Compression ratio above which a stream is a bomb.
pub const MAX_RATIO: u64 = 1000;

/// The ratio is judged only once a stream has inflated this much: small streams of repetitive
/// text legitimately compress very well.
const RATIO_FLOOR: u64 = 1 << 20;

/// How archives are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveOptions {
    /// Archives nested deeper than this are not opened (the outermost is depth 1).
    pub depth: usize,
    /// Entries larger than this are skipped.
    pub max_file_size: u64,
    /// What one archive may inflate to, all its entries and nested archives together.
    pub max_archive_size: u64,
}

/// One level of archive a location is inside: the archive's path at its level and its kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Level {
    /// The archive's path: relative to the scanned root for the outermost, else its entry
    /// name inside the level above.
    pub path: String,
    /// `zip`, `tar`, `tar+gzip`, `tar+bzip2`, `tar+xz`, `tar+zstd`, `gzip`, `bzip2`, `xz`,
    /// `zstd`, `docker-image` or `oci-image`.
    pub kind: String,
}

/// The container image a location is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ImageRef {
    /// The image's path (relative to the scanned root, `!/` inside an archive).
    pub path: String,
    /// Its tags (`RepoTags`, or the OCI index's `org.opencontainers.image.ref.name`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The digest of its config (docker save) or manifest (OCI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Where inside archives and images a location is; empty for a plain file or blob, and then
/// absent from reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Inside {
    /// The archives, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub archive: Vec<Level>,
    /// The image, for a file in a container image's layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// The digest of the layer holding the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// The digest of a later layer that deletes the file (a whiteout): every pull still
    /// carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_in_layer: Option<String>,
}

impl Inside {
    /// Whether the location is in no archive.
    pub fn is_empty(&self) -> bool {
        self.archive.is_empty() && self.image.is_none()
    }
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A zip archive (jar, war, apk, whl, nupkg...).
    Zip,
    /// A tar archive (`ustar` at offset 257).
    Tar,
    /// A compressed stream.
    Compressed(compress::Codec),
}

/// Bytes needed to recognise every format (tar's magic sits at offset 257).
pub const SNIFF_LEN: usize = 263;

/// The archive format `head` (a file's first bytes) starts, if any.
pub fn sniff(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(Format::Zip);
    }
    if head.len() >= 262 && &head[257..262] == b"ustar" {
        return Some(Format::Tar);
    }
    compress::Codec::sniff(head).map(Format::Compressed)
}

/// The archive format `head` starts, for content not yet judged binary: a small compressed
/// file (a zstd or bzip2 stream of a few lines) may hold no NUL byte, yet no text starts with
/// these magic bytes. A tar is only ever binary (its headers are NUL-padded).
pub fn sniff_compressed_or_zip(head: &[u8]) -> Option<Format> {
    sniff(head).filter(|format| *format != Format::Tar)
}

/// Whether a blob's name says it may be an archive (`.jar`, `.tar.gz`, `.zst`...). Only asked
/// of git blobs over `--max-file-size`: git inflates a blob whole before its first bytes can be
/// looked at, so a large one is read (and then judged by its content) only when its name hints
/// that it is an archive.
pub fn named_like_archive(path: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".zip", ".jar", ".war", ".ear", ".aar", ".apk", ".whl", ".egg", ".nupkg", ".vsix", ".xpi",
        ".tar", ".tgz", ".gz", ".bz2", ".tbz", ".tbz2", ".xz", ".txz", ".zst", ".zstd", ".tzst",
    ];
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    EXTENSIONS.iter().any(|ext| name.ends_with(ext))
}

/// The limit on a git blob's size: `--max-file-size`, or `--max-archive-size` for one whose name
/// says it may be an archive, when archives are read.
pub fn blob_size_limit(path: &str, max_file_size: u64, archives: Option<ArchiveOptions>) -> u64 {
    match archives {
        Some(limits) if named_like_archive(path) => max_file_size.max(limits.max_archive_size),
        _ => max_file_size,
    }
}

/// Reads `content`, a whole blob or stream at `origin`, as an archive if its first bytes say
/// it is one and archives are read (true); false leaves it to be read as text or counted as
/// binary.
pub fn open_blob(
    archives: Option<ArchiveOptions>,
    content: &[u8],
    origin: Origin,
    stats: &Stats,
    visit: &Visit,
) -> bool {
    let head = &content[..content.len().min(SNIFF_LEN)];
    let Some((limits, format)) = archives.zip(sniff(head)) else {
        return false;
    };
    Reader::new(limits, origin, String::new(), stats, visit)
        .read(format, &mut io::Cursor::new(content));
    true
}

/// A name from inside an archive as text: invalid UTF-8 bytes as `\xNN`, control characters
/// and backslashes escaped. Such names are only shown, never used to reach anything.
pub fn escape_name(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.extend(c.escape_default()),
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

/// Why reading an archive stopped early.
#[derive(Debug)]
enum Stop {
    /// Everything inflated passed `--max-archive-size`: the whole outermost archive stops.
    Budget,
    /// A stream inflated more than [`MAX_RATIO`] times its input.
    Bomb,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Budget => f.write_str("inflates past --max-archive-size"),
            Stop::Bomb => write!(f, "compression ratio above {MAX_RATIO}:1 (a bomb)"),
        }
    }
}

impl std::error::Error for Stop {}

fn stop_of(err: &io::Error) -> Option<&Stop> {
    err.get_ref().and_then(|e| e.downcast_ref::<Stop>())
}

/// One outermost archive being read: where it came from and what it may still inflate.
pub struct Reader<'a> {
    options: ArchiveOptions,
    stats: &'a Stats,
    visit: &'a Visit<'a>,
    /// The origin of the outermost archive; entries extend its path and levels.
    base: Origin,
    /// Appended to skipped paths (` @ commit` in history).
    label_suffix: String,
    /// Bytes inflated so far, all levels together.
    inflated: Cell<u64>,
    /// The budget was spent: everything stops.
    exhausted: Cell<bool>,
    /// The spent budget was reported.
    reported: Cell<bool>,
}

/// A reader both `Read` and `Seek`: a file on disk or bytes in memory.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

impl<'a> Reader<'a> {
    /// A reader of the archive at `base` (its path relative to the scanned root).
    pub fn new(
        options: ArchiveOptions,
        base: Origin,
        label_suffix: String,
        stats: &'a Stats,
        visit: &'a Visit<'a>,
    ) -> Self {
        Self {
            options,
            stats,
            visit,
            base,
            label_suffix,
            inflated: Cell::new(0),
            exhausted: Cell::new(false),
            reported: Cell::new(false),
        }
    }

    /// Reads the outermost archive, of `format`, from `input`.
    pub fn read(&self, format: Format, input: &mut dyn ReadSeek) {
        let path = self.base.path.clone();
        self.open_seekable(format, input, &path, &Inside::default());
    }

    /// Reads the OCI image layout in the directory `root` (the base's path); false when it is
    /// not one.
    pub fn read_layout_dir(&self, root: &std::path::Path) -> bool {
        let path = self.base.path.clone();
        image::read_layout_dir(self, root, &path)
    }

    fn label(&self, path: &str) -> String {
        format!("{path}{}", self.label_suffix)
    }

    fn skip(&self, path: &str, reason: impl Into<String>) {
        self.stats.skip(self.label(path), reason);
    }

    /// Whether an archive at `path` would nest deeper than `--archive-depth`: then it is a
    /// skipped entry.
    fn too_deep(&self, path: &str, inside: &Inside) -> bool {
        let deep = inside.archive.len() >= self.options.depth;
        if deep {
            self.skip(
                path,
                format!(
                    "archive nested deeper than --archive-depth {}",
                    self.options.depth
                ),
            );
        }
        deep
    }

    /// Opens an archive that can be read at random (zip needs it; a tar may be an image).
    fn open_seekable(&self, format: Format, input: &mut dyn ReadSeek, path: &str, inside: &Inside) {
        if self.too_deep(path, inside) {
            return;
        }
        match format {
            Format::Zip => zip::read(self, input, path, inside),
            Format::Tar => {
                if image::read_if_image(self, input, path, inside) {
                    return;
                }
                if input.rewind().is_err() {
                    return self.skip(path, "corrupt or truncated archive: cannot rewind");
                }
                self.open_stream(format, input, path, inside);
            }
            Format::Compressed(codec) => {
                if compressed_image::read_if_image(self, codec, input, path, inside) {
                    return;
                }
                if input.rewind().is_err() {
                    return self.skip(path, "corrupt or truncated archive: cannot rewind");
                }
                self.open_stream(format, input, path, inside);
            }
        }
    }

    /// Opens an archive read front to back: tar, or a compressed stream.
    fn open_stream(&self, format: Format, input: &mut dyn Read, path: &str, inside: &Inside) {
        if self.too_deep(path, inside) {
            return;
        }
        let result = match format {
            Format::Tar => tar::read(self, input, path, "tar", inside),
            Format::Compressed(codec) => compress::read(self, codec, input, path, inside),
            Format::Zip => {
                // A zip inside a stream is buffered, within the entry limit, to be read at random.
                match self.read_bounded(input) {
                    Ok(Some(data)) => {
                        zip::read(self, &mut io::Cursor::new(data), path, inside);
                        Ok(())
                    }
                    Ok(None) => {
                        self.skip(path, self.too_large());
                        Ok(())
                    }
                    Err(err) => Err(err),
                }
            }
        };
        if let Err(err) = result {
            self.damaged(path, &err);
        }
    }

    /// Records why an archive stopped early.
    fn damaged(&self, path: &str, err: &io::Error) {
        match stop_of(err) {
            Some(Stop::Budget) => {
                if !self.reported.replace(true) {
                    self.skip(
                        &self.base.path,
                        format!(
                            "archive inflates past --max-archive-size ({} bytes): the rest was not read",
                            self.options.max_archive_size
                        ),
                    );
                }
            }
            Some(Stop::Bomb) => self.skip(path, format!("{}: not read further", Stop::Bomb)),
            None => self.skip(
                path,
                format!("corrupt or truncated archive: {}", damage(err)),
            ),
        }
    }

    fn too_large(&self) -> String {
        format!(
            "larger than --max-file-size ({} bytes)",
            self.options.max_file_size
        )
    }

    /// Reads `input` whole if it holds at most `--max-file-size` bytes (`None` if more).
    fn read_bounded(&self, input: &mut dyn Read) -> io::Result<Option<Vec<u8>>> {
        let mut data = Vec::new();
        input
            .take(self.options.max_file_size.saturating_add(1))
            .read_to_end(&mut data)?;
        Ok((data.len() as u64 <= self.options.max_file_size).then_some(data))
    }

    /// One entry of an archive, `name` inside the archive at `inside`: opened if it is an
    /// archive itself, else scanned if it is text. Errors are the enclosing stream's.
    fn entry(&self, name: &str, input: &mut dyn Read, inside: &Inside) -> io::Result<()> {
        if self.exhausted.get() {
            return Err(io::Error::other(Stop::Budget));
        }
        let path = join(inside, name);
        let mut head = Vec::with_capacity(SNIFF_LEN);
        input.take(SNIFF_LEN as u64).read_to_end(&mut head)?;
        let format = sniff(&head);
        let mut rest = io::Cursor::new(head).chain(input);
        match format {
            Some(format @ (Format::Tar | Format::Compressed(_))) => {
                // Streamed, not buffered: a layer or a tarball may be larger than an entry.
                let mut inner = Guarded::new(&mut rest);
                self.open_stream(format, &mut inner, &path, inside);
                // The nested archive's own damage was recorded; the enclosing stream fails
                // only when its own bytes could not be read or the budget ran out.
                match inner.error {
                    Some(err) => Err(err),
                    None => self.budget_left(),
                }
            }
            _ => {
                let Some(data) = self.read_bounded(&mut rest)? else {
                    self.skip(&path, self.too_large());
                    return Ok(());
                };
                self.blob(name, &data, inside)
            }
        }
    }

    /// An error once the budget is spent, so every enclosing reader stops.
    fn budget_left(&self) -> io::Result<()> {
        if self.exhausted.get() {
            Err(io::Error::other(Stop::Budget))
        } else {
            Ok(())
        }
    }

    /// A whole entry's bytes: opened if they are an archive, else scanned if they are text.
    fn blob(&self, name: &str, data: &[u8], inside: &Inside) -> io::Result<()> {
        let path = join(inside, name);
        if let Some(format) = sniff(&data[..data.len().min(SNIFF_LEN)]) {
            self.open_seekable(format, &mut io::Cursor::new(data), &path, inside);
            return self.budget_left();
        }
        let Some(text) = text_of(data) else {
            // Binary entries (classes, images) are many and hold no text keys: counted only.
            self.stats.binary_blob();
            return Ok(());
        };
        if self.base.source == SourceKind::Git {
            self.stats.scanned_blob(data.len());
        } else {
            self.stats.scanned(data.len());
        }
        let origin = Origin {
            path,
            inside: inside.clone(),
            ..self.base.clone()
        };
        (self.visit)(origin, &text, Window::whole(text.len()), Lineage::default());
        Ok(())
    }

    /// Counts `n` more inflated bytes against the budget.
    fn spend(&self, n: u64) -> io::Result<()> {
        let total = self.inflated.get().saturating_add(n);
        self.inflated.set(total);
        if total > self.options.max_archive_size {
            self.exhausted.set(true);
            return Err(io::Error::other(Stop::Budget));
        }
        Ok(())
    }
}

/// What a reader's error says of the damage, without what it quotes: a damaged header's
/// bytes (which could be anything, a key among them) follow the first `: ` in the tar crate's
/// messages, so only the text before it is kept, and only if it is plain ASCII.
fn damage(err: &io::Error) -> String {
    if err.kind() == io::ErrorKind::UnexpectedEof {
        return "unexpected end of data".into();
    }
    if err.kind() == io::ErrorKind::OutOfMemory {
        // The xz decoder refuses a dictionary past its limit before allocating it.
        return "its decoder would need more memory than allowed".into();
    }
    let text = err.to_string();
    let first = text.split(": ").next().unwrap_or_default().trim();
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        "unreadable data".into()
    } else {
        first.chars().take(120).collect()
    }
}

/// The path of `name` inside the archives of `inside`: levels joined by `!/`.
fn join(inside: &Inside, name: &str) -> String {
    let mut path = String::new();
    for level in &inside.archive {
        path.push_str(&level.path);
        path.push_str("!/");
    }
    path.push_str(name);
    path
}

/// `inside` with the archive at `path` (the full `!/` path of the archive) as its innermost
/// level: the level's own name is the last `!/` part.
fn enter(inside: &Inside, path: &str, kind: &str) -> Inside {
    let name = path.rsplit("!/").next().unwrap_or(path);
    let mut nested = inside.clone();
    nested.archive.push(Level {
        path: name.to_string(),
        kind: kind.to_string(),
    });
    nested
}

/// A reader that remembers the error its inner reader gave, so an enclosing stream's damage
/// is told apart from the nested archive's own.
struct Guarded<'r> {
    inner: &'r mut dyn Read,
    error: Option<io::Error>,
}

impl<'r> Guarded<'r> {
    fn new(inner: &'r mut dyn Read) -> Self {
        Self { inner, error: None }
    }
}

impl Read for Guarded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => Ok(n),
            Err(err) => {
                let copy = io::Error::new(err.kind(), err.to_string());
                let budget = matches!(stop_of(&err), Some(Stop::Budget));
                self.error = Some(if budget {
                    io::Error::other(Stop::Budget)
                } else {
                    err
                });
                Err(copy)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_by_their_first_bytes() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Format::Zip));
        assert_eq!(sniff(b"PK\x05\x06"), Some(Format::Zip));
        assert_eq!(sniff(b"PK\x07\x08"), None);
        let mut tar = vec![0u8; 512];
        tar[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(sniff(&tar), Some(Format::Tar));
        assert_eq!(sniff(&tar[..261]), None);
        let codec = |head: &[u8]| match sniff(head) {
            Some(Format::Compressed(codec)) => Some(codec.name()),
            _ => None,
        };
        assert_eq!(codec(&[0x1f, 0x8b, 8]), Some("gzip"));
        assert_eq!(codec(b"BZh91AY&SY"), Some("bzip2"));
        assert_eq!(codec(b"BZh9\x17\x72\x45\x38\x50\x90"), Some("bzip2"));
        assert_eq!(codec(b"BZh9 is text"), None);
        assert_eq!(codec(b"BZh01AY&SY"), None);
        assert_eq!(sniff_compressed_or_zip(&tar), None);
        assert_eq!(sniff_compressed_or_zip(b"PK\x03\x04"), Some(Format::Zip));
        assert_eq!(codec(&[0xfd, b'7', b'z', b'X', b'Z', 0]), Some("xz"));
        assert_eq!(codec(&[0x28, 0xb5, 0x2f, 0xfd]), Some("zstd"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn names_are_escaped_never_interpreted() {
        assert_eq!(escape_name(b"../../etc/passwd"), "../../etc/passwd");
        assert_eq!(escape_name(b"a\xffb"), "a\\xffb");
        assert_eq!(escape_name(b"a\nb\x1b"), "a\\nb\\u{1b}");
        assert_eq!(escape_name(b"C:\\x"), "C:\\\\x");
        assert_eq!(escape_name("caf\u{e9}".as_bytes()), "caf\u{e9}");
    }

    #[test]
    fn levels_join_with_bang_slash() {
        let outer = enter(&Inside::default(), "dist/app.war", "zip");
        let inner = enter(&outer, &join(&outer, "WEB-INF/lib/a.jar"), "zip");
        assert_eq!(inner.archive[1].path, "WEB-INF/lib/a.jar");
        assert_eq!(
            join(&inner, "conf.env"),
            "dist/app.war!/WEB-INF/lib/a.jar!/conf.env"
        );
        assert!(Inside::default().is_empty());
        assert!(!inner.is_empty());
    }

    #[test]
    fn damage_reasons_never_quote_what_they_read() {
        let quoted = io::Error::other("numeric field did not have utf-8 text: \u{fffd}sk_live_x"); // keyaudit:allow
        assert_eq!(damage(&quoted), "numeric field did not have utf-8 text");
        let odd = io::Error::other("\u{fffd}\u{fffd}: x");
        assert_eq!(damage(&odd), "unreadable data");
        let eof = io::Error::new(io::ErrorKind::UnexpectedEof, "early eof");
        assert_eq!(damage(&eof), "unexpected end of data");
    }
}

#[cfg(test)]
mod mutations {
    //! Valid archives of every format, damaged at random (bytes changed, cut short): reading
    //! them ends in skipped entries, never a panic.
    use std::io::Write;

    use super::*;

    fn archives() -> Vec<Vec<u8>> {
        let text = b"STRIPE_SECRET_KEY=not-a-key\nline two\n".repeat(20);
        let mut tar = ::tar::Builder::new(Vec::new());
        let mut header = ::tar::Header::new_ustar();
        header.set_size(text.len() as u64);
        header.set_cksum();
        tar.append_data(&mut header, "etc/a.env", &text[..])
            .unwrap();
        let tar = tar.into_inner().unwrap();
        // A gzipped `docker save` tarball of two layers, the second deleting the first's file.
        let tar_of = |entries: &[(&str, &[u8])]| {
            let mut builder = ::tar::Builder::new(Vec::new());
            for (name, data) in entries {
                let mut header = ::tar::Header::new_ustar();
                header.set_size(data.len() as u64);
                header.set_cksum();
                builder.append_data(&mut header, name, *data).unwrap();
            }
            builder.into_inner().unwrap()
        };
        let (one, two) = ("1".repeat(64), "2".repeat(64));
        let manifest = format!(
            r#"[{{"Config":"{}.json","RepoTags":["a:1"],"Layers":["{one}/layer.tar","{two}/layer.tar"]}}]"#,
            "c".repeat(64)
        );
        let image = tar_of(&[
            (&format!("{one}/layer.tar"), &tar),
            (
                &format!("{two}/layer.tar"),
                &tar_of(&[("etc/.wh.a.env", b"")]),
            ),
            (&format!("{}.json", "c".repeat(64)), br#"{"rootfs":{}}"#),
            ("manifest.json", manifest.as_bytes()),
        ]);
        let mut image_gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        image_gz.write_all(&image).unwrap();
        let mut zip = ::zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        zip.start_file("a.env", ::zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&text).unwrap();
        let zip = zip.finish().unwrap().into_inner();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(&tar).unwrap();
        let options = lzma_rust2::XzOptions::with_preset(1);
        let mut xz = lzma_rust2::XzWriter::new(Vec::new(), options).unwrap();
        xz.write_all(&tar).unwrap();
        let xz = xz.finish().unwrap();
        let zst = ruzstd::encoding::compress_to_vec(
            &tar[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        vec![
            image_gz.finish().unwrap(),
            tar,
            zip,
            gz.finish().unwrap(),
            bz.finish().unwrap(),
            xz,
            zst,
        ]
    }

    #[test]
    fn damaged_archives_never_panic() {
        let stats = Stats::default();
        let visit = |_: Origin, _: &[u8], _: Window, _: Lineage<'_>| None;
        let options = ArchiveOptions {
            depth: 4,
            max_file_size: 1 << 20,
            max_archive_size: 16 << 20,
        };
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for archive in archives() {
            for _ in 0..3000 {
                let mut data = archive.clone();
                // Keep the magic bytes (and tar's) so each damaged copy is still opened.
                for _ in 0..1 + next() % 4 {
                    let at = 4 + (next() as usize) % (data.len() - 4);
                    if !(257..263).contains(&at) {
                        data[at] = next() as u8;
                    }
                }
                if next() % 3 == 0 {
                    let keep = 300 + (next() as usize) % data.len().saturating_sub(300).max(1);
                    data.truncate(keep.min(data.len()));
                }
                let Some(format) = sniff(&data[..data.len().min(SNIFF_LEN)]) else {
                    continue;
                };
                let origin = Origin {
                    source: SourceKind::File,
                    path: "a".into(),
                    commit: None,
                    on_disk: None,
                    in_head: false,
                    inside: Inside::default(),
                };
                Reader::new(options, origin, String::new(), &stats, &visit)
                    .read(format, &mut io::Cursor::new(data));
            }
        }
    }
}
