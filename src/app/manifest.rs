//! `keyaudit manifest init`, `update` and `check`: write a manifest declaring the keys found,
//! add entries for keys found since, and check one.

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::audit::load_evidence;
use super::diag::{tell, Stderr};
use super::exit::EXIT_CLEAN;
use super::output::{emit, write_atomically};
use crate::cli::{InitArgs, InputArgs, ManifestFileArgs, UpdateArgs};
use crate::error::Diagnostic;
use crate::manifest::edit::fresh_salt;
use crate::manifest::{self, Manifest};
use crate::pipeline::collect::collect;
use crate::pipeline::declare::{self, dating_input, manifest_target};
use crate::pipeline::prepare::{manifest_path, prepare, ManifestUse};

/// `manifest init`.
pub(super) fn init(args: &InitArgs) -> Result<u8> {
    if args.input.no_manifest {
        bail!("--no-manifest makes no sense with `manifest init`");
    }
    let target = manifest_target(&args.input);
    if target.exists() && !args.force {
        bail!(
            "{}: a manifest already exists; use `keyaudit manifest update`, or --force to replace it",
            target.display()
        );
    }
    let salt = fresh_salt()?;
    let prepared = prepare(
        &dating_input(&args.input),
        ManifestUse::Fresh(salt.as_bytes().to_vec()),
    )?;
    let evidence = load_evidence(&args.evidence, &prepared)?;
    let collected = collect(&prepared, None, &Stderr)?;
    let (text, declared) =
        declare::init(&prepared, collected, &evidence, &args.input, &target, &salt)?;
    write_atomically(&target, text.as_bytes())?;
    if prepared.settings.verbosity > 0 {
        tell(&Diagnostic::info(format!(
            "wrote {} declaring {} key{}",
            target.display(),
            declared,
            if declared == 1 { "" } else { "s" }
        )));
    }
    Ok(EXIT_CLEAN)
}

/// `manifest update`.
pub(super) fn update(update: &UpdateArgs) -> Result<u8> {
    let args = &update.input;
    if args.no_manifest {
        bail!("--no-manifest makes no sense with `manifest update`");
    }
    let target = manifest_path(args).unwrap_or_else(|| manifest_target(args));
    if !target.is_file() {
        bail!(
            "{}: no manifest to update; create one with `keyaudit manifest init`",
            target.display()
        );
    }
    let original = std::fs::read_to_string(&target)
        .with_context(|| format!("{}: cannot read", target.display()))?;
    // `--no-manifest` was refused above, so the manifest named here is the one used.
    let input_with_target = InputArgs {
        manifest: Some(target.clone()),
        ..dating_input(args)
    };
    let prepared = prepare(&input_with_target, ManifestUse::Required)?;
    let evidence = load_evidence(&update.evidence, &prepared)?;
    let collected = collect(&prepared, None, &Stderr)?;
    let (text, declared) =
        declare::update(&prepared, collected, &evidence, args, &target, &original)?;
    if text != original {
        write_atomically(&target, text.as_bytes())?;
    }
    if prepared.settings.verbosity > 0 {
        tell(
            &Diagnostic::info(format!(
                "{} new key{} declared",
                declared,
                if declared == 1 { "" } else { "s" }
            ))
            .at(target.display().to_string()),
        );
    }
    Ok(EXIT_CLEAN)
}

/// `manifest check`.
pub(super) fn check(args: &ManifestFileArgs) -> Result<u8> {
    let path = args
        .manifest
        .clone()
        .or_else(|| manifest::discover(Path::new(".")))
        .context(
            "no keyaudit.toml found here or at the repository root; name one with --manifest",
        )?;
    let manifest = Manifest::load(&path)?;
    if let Some(problem) = manifest.salt_problem() {
        tell(&Diagnostic::warning(format!(
            "{problem}. Make one with `openssl rand -hex 16` and write it as salt = \"…\" (or salt = {{ env = \"NAME\" }}); every fingerprint depends on it, so recompute them with `keyaudit fingerprint` after the change"
        )).at(path.display().to_string()));
    }
    let line = format!(
        "{}: ok ({} key{}, {} allow entr{}, {} environment{})\n",
        path.display(),
        manifest.keys.len(),
        if manifest.keys.len() == 1 { "" } else { "s" },
        manifest.allows.len(),
        if manifest.allows.len() == 1 {
            "y"
        } else {
            "ies"
        },
        manifest.environments.len(),
        if manifest.environments.len() == 1 {
            ""
        } else {
            "s"
        },
    );
    emit(None, line.as_bytes())?;
    Ok(EXIT_CLEAN)
}
