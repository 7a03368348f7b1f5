//! A run's start, everything read before its input: the manifest it uses, its settings, its
//! rules, and the PATHs named on the command line checked readable.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use jiff::Timestamp;

use crate::cli::{InputArgs, RuleSourceArgs};
use crate::config::Settings;
use crate::error::os_reason;
use crate::fingerprint::DEFAULT_SALT;
use crate::manifest::{self, Manifest};
use crate::rules::RuleSet;

/// The rules of a run: the built-in ones unless `--no-builtin-rules`, then those of `--rules`
/// and of the manifest.
pub fn load_rules(source: &RuleSourceArgs, manifest_rules: &[PathBuf]) -> Result<RuleSet> {
    if source.no_builtin_rules && source.rules.is_empty() && manifest_rules.is_empty() {
        bail!("--no-builtin-rules needs at least one --rules PATH");
    }
    let mut extra = source.rules.clone();
    extra.extend(manifest_rules.iter().cloned());
    Ok(RuleSet::load(!source.no_builtin_rules, &extra)?)
}

/// Which manifest a run uses.
pub enum ManifestUse {
    /// `--manifest`, else a discovered one, else none (scan, audit).
    Optional,
    /// Must exist (manifest update).
    Required,
    /// None is read: a new one is being written, keyed by this salt (manifest init).
    Fresh(Vec<u8>),
}

/// The manifest named by `--manifest`, or found by discovery, unless `--no-manifest`.
pub fn manifest_path(input: &InputArgs) -> Option<PathBuf> {
    if input.no_manifest {
        return None;
    }
    input.manifest.clone().or_else(|| {
        let first = input.paths.first().map_or(Path::new("."), |p| p.as_path());
        manifest::discover(first)
    })
}

/// Everything a run needs before reading input.
pub struct Prepared {
    /// The run's settings, from its flags and the manifest's excludes.
    pub settings: Settings,
    /// The manifest in use, if any.
    pub manifest: Option<Manifest>,
    /// The compiled rules.
    pub rules: RuleSet,
    /// The key of every fingerprint: the manifest's salt, else the fixed default.
    pub salt: Vec<u8>,
    /// The time ages are counted to (`--now`, else now).
    pub now: Timestamp,
}

/// Loads the manifest `manifest_use` asks for, then the settings and rules, and checks that
/// every PATH can be read.
pub fn prepare(input: &InputArgs, manifest_use: ManifestUse) -> Result<Prepared> {
    let (manifest, salt) = match manifest_use {
        ManifestUse::Fresh(salt) => (None, salt),
        ManifestUse::Optional | ManifestUse::Required => {
            let path = manifest_path(input);
            if matches!(manifest_use, ManifestUse::Required) && path.is_none() {
                bail!("no keyaudit.toml found: create one with `keyaudit manifest init` or name it with --manifest");
            }
            let manifest = path.map(|p| Manifest::load(&p)).transpose()?;
            let salt = manifest
                .as_ref()
                .map_or_else(|| DEFAULT_SALT.to_vec(), |m| m.salt.clone());
            (manifest, salt)
        }
    };
    let (excludes, manifest_rules) = manifest
        .as_ref()
        .map(|m| (m.exclude.clone(), m.rules.clone()))
        .unwrap_or_default();
    let settings = Settings::from_input(input, &excludes)?;
    let rules = load_rules(&input.rule_source, &manifest_rules)?;
    for root in &settings.roots {
        if root.as_os_str() != "-" {
            check_readable(root)?;
        }
    }
    Ok(Prepared {
        settings,
        manifest,
        rules,
        salt,
        now: input.now.unwrap_or_else(Timestamp::now),
    })
}

/// Fails closed on a PATH named on the command line that cannot be read: one line naming it
/// and the operating system's reason (`locked: permission denied`), a dangling link as such.
fn check_readable(root: &Path) -> Result<()> {
    let fail = |reason: String| anyhow::anyhow!("{}: {reason}", root.display());
    let meta = match std::fs::metadata(root) {
        Ok(meta) => meta,
        Err(err) if std::fs::symlink_metadata(root).is_ok() => {
            return Err(fail(format!(
                "dangling symbolic link ({})",
                os_reason(&err)
            )));
        }
        Err(err) => return Err(fail(os_reason(&err))),
    };
    // FIFOs and devices are not opened here: opening one can block.
    let opened = if meta.is_dir() {
        std::fs::read_dir(root).map(drop)
    } else if meta.is_file() {
        std::fs::File::open(root).map(drop)
    } else {
        Ok(())
    };
    opened.map_err(|err| fail(os_reason(&err)))
}
