//! Tar archives (ustar, GNU and pax, read with the `tar` crate) read front to back: each
//! regular file is an entry; links, devices and directories are passed over.

use std::io::{self, Read};

use super::{enter, escape_name, Inside, Reader};

/// Reads the tar stream `input`, the archive at `path` of `kind` (`tar`, `tar+gzip`...).
pub(super) fn read(
    reader: &Reader<'_>,
    input: &mut dyn Read,
    path: &str,
    kind: &str,
    inside: &Inside,
) -> io::Result<()> {
    let level = enter(inside, path, kind);
    let mut archive = ::tar::Archive::new(input);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = escape_name(&entry.path_bytes());
        reader.entry(&name, &mut entry, &level)?;
    }
    Ok(())
}
