//! Single compressed streams (gzip, bzip2, xz, zstd), recognised by their magic bytes and
//! inflated as they are read; what they hold is a tar (`tar+gzip`...) or one entry named after
//! the file without its extension (`config.env.gz!/config.env`).

use std::cell::Cell;
use std::io::{self, BufReader, Read};

use super::{enter, Format, Inside, Reader, Stop, MAX_RATIO, RATIO_FLOOR, SNIFF_LEN};

/// A compression format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// gzip (`1f 8b`).
    Gzip,
    /// bzip2 (`BZh`).
    Bzip2,
    /// xz (`fd 37 7a 58 5a 00`).
    Xz,
    /// Zstandard (`28 b5 2f fd`).
    Zstd,
}

impl Codec {
    /// The codec whose magic bytes start `head`.
    pub fn sniff(head: &[u8]) -> Option<Codec> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Codec::Gzip)
        } else if head.starts_with(b"BZh")
            && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b))
            && head.get(4..10).is_some_and(|magic| {
                // A block (the digits of pi) or the end of the stream (of sqrt(pi)) follows.
                magic == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
                    || magic == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]
            })
        {
            Some(Codec::Bzip2)
        } else if head.starts_with(&[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) {
            Some(Codec::Xz)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Codec::Zstd)
        } else {
            None
        }
    }

    /// Its name in a level's `kind`.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Bzip2 => "bzip2",
            Codec::Xz => "xz",
            Codec::Zstd => "zstd",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            Codec::Gzip => &[".gz", ".tgz", ".z"],
            Codec::Bzip2 => &[".bz2", ".tbz2", ".tbz"],
            Codec::Xz => &[".xz", ".txz"],
            Codec::Zstd => &[".zst", ".zstd", ".tzst"],
        }
    }
}

/// The name of what a compressed file holds: its own name without the codec's extension.
fn inner_name(path: &str, codec: Codec) -> String {
    let name = path.rsplit("!/").next().unwrap_or(path);
    let name = name.rsplit('/').next().unwrap_or(name);
    let lower = name.to_ascii_lowercase();
    codec
        .extensions()
        .iter()
        .find(|ext| lower.ends_with(*ext) && lower.len() > ext.len())
        .map_or_else(
            || name.to_string(),
            |ext| name[..name.len() - ext.len()].to_string(),
        )
}

/// Counts the compressed bytes a decoder consumes.
struct Counting<'r> {
    inner: &'r mut dyn Read,
    count: &'r Cell<u64>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Inflated bytes, counted against the archive's budget and judged against what was consumed.
pub(super) struct Inflating<'r, 'a> {
    pub(super) inner: Box<dyn Read + 'r>,
    pub(super) consumed: &'r Cell<u64>,
    pub(super) produced: u64,
    pub(super) reader: &'r Reader<'a>,
}

impl Read for Inflating<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        self.reader.spend(n as u64)?;
        if is_bomb(self.produced, self.consumed.get()) {
            return Err(io::Error::other(Stop::Bomb));
        }
        Ok(n)
    }
}

/// Whether `produced` inflated bytes from `consumed` compressed ones is a bomb.
pub(super) fn is_bomb(produced: u64, consumed: u64) -> bool {
    produced > RATIO_FLOOR && produced > consumed.max(1).saturating_mul(MAX_RATIO)
}

/// Collects xz's output (the decoder writes rather than reads), within the budget.
struct Collect<'r, 'a> {
    data: Vec<u8>,
    consumed: &'r Cell<u64>,
    reader: &'r Reader<'a>,
}

impl io::Write for Collect<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.reader.spend(buf.len() as u64)?;
        self.data.extend_from_slice(buf);
        if is_bomb(self.data.len() as u64, self.consumed.get()) {
            return Err(io::Error::other(Stop::Bomb));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads the compressed stream `input` at `path`: a tar inside is read entry by entry, anything
/// else is one entry.
pub(super) fn read(
    reader: &Reader<'_>,
    codec: Codec,
    input: &mut dyn Read,
    path: &str,
    inside: &Inside,
) -> io::Result<()> {
    let consumed = Cell::new(0);
    let mut counting = Counting {
        inner: input,
        count: &consumed,
    };
    let decoder: Box<dyn Read + '_> = match codec {
        Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(&mut counting)),
        Codec::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(&mut counting)),
        Codec::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new(&mut counting)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?,
        ),
        Codec::Xz => {
            // lzma-rs decodes xz into a writer: the output is held, within the budget.
            let mut out = Collect {
                data: Vec::new(),
                consumed: &consumed,
                reader,
            };
            let result = lzma_rs::xz_decompress(&mut BufReader::new(&mut counting), &mut out);
            if let Err(err) = result {
                return Err(match err {
                    lzma_rs::error::Error::IoError(io) => io,
                    other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
                });
            }
            return contents(reader, codec, &mut io::Cursor::new(out.data), path, inside);
        }
    };
    let mut inflating = Inflating {
        inner: decoder,
        consumed: &consumed,
        produced: 0,
        reader,
    };
    contents(reader, codec, &mut inflating, path, inside)
}

/// What a stream inflates to: a tar, or one entry.
fn contents(
    reader: &Reader<'_>,
    codec: Codec,
    inflated: &mut dyn Read,
    path: &str,
    inside: &Inside,
) -> io::Result<()> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    inflated.take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    let is_tar = matches!(super::sniff(&head), Some(Format::Tar));
    let mut rest = io::Cursor::new(head).chain(inflated);
    if is_tar {
        let kind = format!("tar+{}", codec.name());
        return super::tar::read(reader, &mut rest, path, &kind, inside);
    }
    let level = enter(inside, path, codec.name());
    reader.entry(&inner_name(path, codec), &mut rest, &level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_names_drop_the_codec_extension() {
        assert_eq!(inner_name("a/config.env.gz", Codec::Gzip), "config.env");
        assert_eq!(inner_name("x.tar!/b.ZST", Codec::Zstd), "b");
        assert_eq!(inner_name("dump", Codec::Xz), "dump");
        assert_eq!(inner_name(".gz", Codec::Gzip), ".gz");
    }

    #[test]
    fn bombs_are_judged_past_the_floor_only() {
        assert!(!is_bomb(RATIO_FLOOR, 1));
        assert!(is_bomb(RATIO_FLOOR + 1, 1));
        assert!(!is_bomb(10 << 20, 20 << 10));
        assert!(is_bomb(10 << 20, 10 << 10));
    }
}
