//! `keyaudit scan PATH...`: the inventory of the keys found, reported; exit 1 when there are
//! any. `scan --repos` is in `org`.

use std::time::Instant;

use anyhow::Result;

use super::diag::Stderr;
use super::finish::finish;
use super::record;
use crate::cli::ScanArgs;
use crate::pipeline::collect::collect;
use crate::pipeline::prepare::{prepare, ManifestUse};
use crate::pipeline::verify::Verifier;

/// `scan PATH...`.
pub(super) fn run(args: &ScanArgs) -> Result<u8> {
    let started = Instant::now();
    // Before anything is read: a KEYAUDIT_VERIFY_CONNECT_TO keyaudit refuses stops the run.
    let verifier = Verifier::from_args(&args.verify)?;
    let prepared = prepare(&args.input, ManifestUse::Optional)?;
    let recording = record::open(&args.record, &args.input, false)?;
    let mut collected = collect(&prepared, recording.as_ref(), &Stderr)?;
    if let Some(verifier) = &verifier {
        verifier.verify(
            &mut collected.inventory,
            prepared.settings.verbosity,
            &Stderr,
        );
    }
    let found = !collected.inventory.keys.is_empty();
    finish(
        &prepared,
        collected,
        &args.output,
        started,
        None,
        found,
        recording.as_ref(),
    )
}
