//! Single compressed streams (gzip, bzip2, xz, zstd), recognised by their magic bytes and
//! inflated as they are read, never whole (members, streams and frames one after another
//! included); what they hold is a tar (`tar+gzip`...) or one entry named after
//! the file without its extension (`config.env.gz!/config.env`).

use std::cell::Cell;
use std::io::{self, Read};

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

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

/// The most memory an xz stream's decoder may take (its dictionary and state), in KiB: `xz -9`
/// needs 65 MiB; a stream asking for more is refused before anything is allocated.
const XZ_MEMORY_LIMIT_KB: u32 = 96 << 10;

/// Zstandard frames one after another (what `zstd` writes for several inputs, or `cat a.zst
/// b.zst`), each decoded in turn as it is read; skippable frames are passed over.
pub(super) struct ZstdFrames<R: Read> {
    source: R,
    decoder: FrameDecoder,
    /// A frame's header was read and its blocks are being decoded.
    in_frame: bool,
}

impl<R: Read> ZstdFrames<R> {
    pub(super) fn new(source: R) -> Self {
        Self {
            source,
            decoder: FrameDecoder::new(),
            in_frame: false,
        }
    }

    /// Starts the next frame; false at the end of the input.
    fn next_frame(&mut self) -> io::Result<bool> {
        loop {
            let mut first = [0u8; 1];
            if read_some(&mut self.source, &mut first)? == 0 {
                return Ok(false);
            }
            let mut header = io::Cursor::new(first).chain(&mut self.source);
            match self.decoder.init(&mut header) {
                Ok(()) => return Ok(true),
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let mut skipped = (&mut self.source).take(u64::from(length));
                    if io::copy(&mut skipped, &mut io::sink())? < u64::from(length) {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                }
                Err(err) => return Err(invalid(err)),
            }
        }
    }
}

impl<R: Read> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if !self.next_frame()? {
                    return Ok(0);
                }
                self.in_frame = true;
            }
            while self.decoder.can_collect() == 0 && !self.decoder.is_finished() {
                self.decoder
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBlocks(1))
                    .map_err(invalid)?;
            }
            let n = self.decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            self.in_frame = false;
        }
    }
}

/// One read, retried when interrupted.
fn read_some(input: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match input.read(buf) {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            result => return result,
        }
    }
}

fn invalid(err: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, err.to_string())
}

/// A decoder of `codec` inflating `input` as it is read, counting in `consumed` the compressed
/// bytes it takes.
pub(super) fn decoder<'r>(
    codec: Codec,
    input: &'r mut dyn Read,
    consumed: &'r Cell<u64>,
) -> Box<dyn Read + 'r> {
    let counting = Counting {
        inner: input,
        count: consumed,
    };
    let inner: Box<dyn Read + 'r> = match codec {
        Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(counting)),
        Codec::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(counting)),
        Codec::Zstd => Box::new(ZstdFrames::new(counting)),
        Codec::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
            counting,
            true,
            XZ_MEMORY_LIMIT_KB,
        )),
    };
    Box::new(Fused {
        inner,
        failed: None,
    })
}

/// A decoder that keeps failing once it failed: read again after an error (a tar reader
/// skipping the rest of an entry), a decoder may resume mid-block and hand out raw bytes.
struct Fused<'r> {
    inner: Box<dyn Read + 'r>,
    failed: Option<io::ErrorKind>,
}

impl Read for Fused<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(kind) = self.failed {
            return Err(io::Error::new(kind, "stream already failed"));
        }
        self.inner.read(buf).inspect_err(|err| {
            if err.kind() != io::ErrorKind::Interrupted {
                self.failed = Some(err.kind());
            }
        })
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
    let decoder = decoder(codec, input, &consumed);
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
    fn zstd_frames_are_read_one_after_another_skippable_ones_passed_over() {
        let frame = |data: &[u8]| {
            ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
        };
        let mut input = frame(b"first ");
        // A skippable frame: magic 0x184D2A50..5F, a length, that many bytes.
        input.extend_from_slice(&[0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
        input.extend(frame(b"second"));
        let mut out = Vec::new();
        ZstdFrames::new(&input[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"first second");
        input.extend_from_slice(&[0x28, 0xb5]);
        let cut = ZstdFrames::new(&input[..]).read_to_end(&mut Vec::new());
        assert!(cut.is_err());
    }

    #[test]
    fn a_failed_decoder_keeps_failing() {
        let mut data = ruzstd::encoding::compress_to_vec(
            &b"text "[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        data.extend_from_slice(&[0x28, 0xb5, 0x2f, 0xfd, 0xff]);
        let consumed = Cell::new(0);
        let mut input = &data[..];
        let mut decoder = decoder(Codec::Zstd, &mut input, &consumed);
        assert!(decoder.read_to_end(&mut Vec::new()).is_err());
        assert!(decoder.read(&mut [0u8; 64]).is_err());
    }

    #[test]
    fn bombs_are_judged_past_the_floor_only() {
        assert!(!is_bomb(RATIO_FLOOR, 1));
        assert!(is_bomb(RATIO_FLOOR + 1, 1));
        assert!(!is_bomb(10 << 20, 20 << 10));
        assert!(is_bomb(10 << 20, 10 << 10));
    }
}
