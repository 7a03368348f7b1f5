//! `keyaudit scan PATH...`: the inventory of the keys found, reported; exit 1 when there are
//! any. `scan --repos` is in `org`.

use std::time::Instant;

use anyhow::Result;

use super::diag::Stderr;
use super::finish::finish;
use crate::cli::ScanArgs;
use crate::pipeline::collect::collect;
use crate::pipeline::prepare::{prepare, ManifestUse};

/// `scan PATH...`.
pub(super) fn run(args: &ScanArgs) -> Result<u8> {
    let started = Instant::now();
    let prepared = prepare(&args.input, ManifestUse::Optional)?;
    let collected = collect(&prepared, &Stderr)?;
    let found = !collected.inventory.keys.is_empty();
    finish(&prepared, collected, &args.output, started, None, found)
}
