//! The manifest's entries for found keys, as `manifest init` and `update` write them: what they
//! read (history too, for the dates), what they keep (the tree's keys, unless `--history`), and
//! the text, checked valid before anyone writes it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::collect::Collected;
use super::prepare::Prepared;
use crate::cli::InputArgs;
use crate::evidence::Evidence;
use crate::inventory::Inventory;
use crate::manifest::audit::{audit, drop_manifest_references};
use crate::manifest::edit::{init_text, render_entries, update_text};
use crate::manifest::{self, Manifest};
use crate::source::{self, git};

/// Where `manifest init/update` writes: `--manifest`, else the default location.
pub fn manifest_target(input: &InputArgs) -> PathBuf {
    input.manifest.clone().unwrap_or_else(|| {
        let first = input.paths.first().map_or(Path::new("."), |p| p.as_path());
        manifest::default_location(first)
    })
}

/// What `manifest init` and `update` read: in a git repository, its history too, so that a
/// key's `created` is the date of the oldest commit holding it, as `--history` would say.
pub fn dating_input(input: &InputArgs) -> InputArgs {
    let in_git = || input.paths.iter().any(|p| git::discover(p).is_some());
    InputArgs {
        history: input.history || (!input.staged && in_git()),
        ..input.clone()
    }
}

/// Without `--history`, `manifest init` and `update` declare what the tree holds: keys found
/// only in history, and locations in old commits, were read for their dates alone.
fn keep_what_was_asked(inventory: &mut Inventory, input: &InputArgs) {
    if input.history {
        return;
    }
    inventory.keys.retain(|key| key.in_current_tree);
    let in_history =
        |location: &crate::inventory::Location| location.source == source::SourceKind::Git;
    for key in &mut inventory.keys {
        // A key deleted from the working tree but still in HEAD keeps its HEAD locations.
        if !key.locations.iter().all(in_history) {
            key.locations.retain(|location| !in_history(location));
        }
    }
}

/// The text of a new manifest at `target` keyed by `salt`, declaring the keys `collected`
/// found (those of the tree, unless `input` asks for history), and how many.
pub fn init(
    prepared: &Prepared,
    mut collected: Collected,
    evidence: &Evidence,
    input: &InputArgs,
    target: &Path,
    salt: &str,
) -> Result<(String, usize)> {
    keep_what_was_asked(&mut collected.inventory, input);
    // The manifest being replaced is not part of the inventory.
    drop_manifest_references(&mut collected.inventory, target, None);
    let keys: Vec<_> = collected.inventory.keys.iter().collect();
    let mut taken = Default::default();
    let entries = render_entries(
        &keys,
        &prepared.salt,
        manifest::parent_dir(target),
        prepared.now,
        evidence,
        &mut taken,
    );
    let text = init_text(salt, &entries, prepared.now);
    Manifest::parse(target, &text, &|_| None).context("the manifest written would not be valid")?;
    Ok((text, keys.len()))
}

/// The text of the manifest at `target`, `original` with entries added for the keys
/// `collected` found that it does not declare, and how many; checked valid when it changed.
pub fn update(
    prepared: &Prepared,
    mut collected: Collected,
    evidence: &Evidence,
    input: &InputArgs,
    target: &Path,
    original: &str,
) -> Result<(String, usize)> {
    let manifest = prepared
        .manifest
        .as_ref()
        .expect("required manifest is loaded");
    keep_what_was_asked(&mut collected.inventory, input);
    let outcome = audit(&collected.inventory, manifest, evidence, prepared.now);
    let new_keys: Vec<_> = collected
        .inventory
        .keys
        .iter()
        .zip(&outcome.keys)
        .filter(|(_, verdict)| verdict.declared_as.is_none())
        .map(|(key, _)| key)
        .collect();
    let mut taken = manifest.keys.iter().map(|k| k.id.clone()).collect();
    let entries = render_entries(
        &new_keys,
        &prepared.salt,
        manifest::parent_dir(target),
        prepared.now,
        evidence,
        &mut taken,
    );
    let text = update_text(original, &entries);
    if text != original {
        Manifest::parse(target, &text, &|name| std::env::var(name).ok())
            .context("the updated manifest would not be valid")?;
    }
    Ok((text, new_keys.len()))
}
