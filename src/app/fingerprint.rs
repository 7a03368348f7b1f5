//! `keyaudit fingerprint`: the fingerprint of a secret read from standard input, keyed by the
//! manifest's salt, so that a key can be declared without being written down.

use std::io::{self, Read};
use std::path::Path;

use anyhow::{bail, Context, Result};

use super::exit::EXIT_CLEAN;
use super::output::emit;
use crate::cli::FingerprintArgs;
use crate::fingerprint::{fingerprint, DEFAULT_SALT};
use crate::manifest::{self, Manifest};

/// `fingerprint`.
pub(super) fn run(args: &FingerprintArgs) -> Result<u8> {
    let path = if args.no_manifest {
        None
    } else {
        args.manifest
            .clone()
            .or_else(|| manifest::discover(Path::new(".")))
    };
    let salt = match path {
        Some(path) => Manifest::load(&path)?.salt,
        None => DEFAULT_SALT.to_vec(),
    };
    let mut input = Vec::new();
    io::stdin()
        .lock()
        .read_to_end(&mut input)
        .context("cannot read standard input")?;
    let secret = input
        .strip_suffix(b"\n")
        .map(|s| s.strip_suffix(b"\r").unwrap_or(s))
        .unwrap_or(&input);
    if secret.is_empty() {
        bail!("no secret on standard input");
    }
    let line = format!("{}\n", fingerprint(&salt, secret));
    emit(None, line.as_bytes())?;
    Ok(EXIT_CLEAN)
}
