//! The archive reader on arbitrary bytes: any input recognised as an archive (zip, tar,
//! gzip, bzip2, xz, zstd, an image tarball) is read to the end or to a skipped entry, never a
//! panic, and every entry handed on is within the entry limit and at a `!/` path.
#![no_main]

use std::io::Cursor;

use keyaudit::source::archive::{sniff, ArchiveOptions, Reader, SNIFF_LEN};
use keyaudit::source::{Lineage, Memo, Origin, SourceKind, Stats, Window};
use libfuzzer_sys::fuzz_target;

const MAX_ENTRY: u64 = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Some(format) = sniff(&data[..data.len().min(SNIFF_LEN)]) else {
        return;
    };
    let stats = Stats::default();
    let visit = |origin: Origin, text: &[u8], _: Window, _: Lineage<'_>| -> Option<Memo> {
        assert!(origin.path.starts_with("fuzz!/"));
        assert!(!origin.inside.archive.is_empty());
        // UTF-16 entries grow by half when transcoded.
        assert!(text.len() as u64 <= MAX_ENTRY * 2);
        None
    };
    let options = ArchiveOptions {
        depth: 4,
        max_file_size: MAX_ENTRY,
        max_archive_size: 64 << 20,
    };
    let origin = Origin {
        source: SourceKind::File,
        path: "fuzz".into(),
        commit: None,
        on_disk: None,
        in_head: false,
        inside: Default::default(),
    };
    Reader::new(options, origin, String::new(), &stats, &visit)
        .read(format, &mut Cursor::new(data));
});
