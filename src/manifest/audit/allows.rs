//! `[[allow]]` entries and the manifest's own mentions of key ids: what leaves the inventory
//! before the audit sees it.

use std::collections::BTreeSet;
use std::path::Path;

use super::{canonical_dir, manifest_path};
use crate::inventory::Inventory;
use crate::manifest::model::Manifest;

/// Removes what `[[allow]]` covers: keys allowed by fingerprint, and locations allowed by
/// path (and rule); a key left with no location is removed. Returns how many keys went.
pub fn apply_allows(inventory: &mut Inventory, manifest: &Manifest) -> usize {
    if manifest.allows.is_empty() {
        return 0;
    }
    let dir = canonical_dir(manifest);
    let before = inventory.keys.len();
    inventory.keys.retain_mut(|key| {
        let rule_id = &key.rule.id;
        let applies =
            |allow_rule: &Option<String>| allow_rule.as_ref().is_none_or(|r| r == rule_id);
        if manifest
            .allows
            .iter()
            .any(|a| a.fingerprint.as_deref() == Some(key.fingerprint.as_str()) && applies(&a.rule))
        {
            return false;
        }
        key.locations.retain(|location| {
            let path = manifest_path(location, &dir);
            !manifest.allows.iter().any(|a| {
                a.path.as_ref().is_some_and(|globs| globs.is_match(&path)) && applies(&a.rule)
            })
        });
        !key.locations.is_empty()
    });
    before - inventory.keys.len()
}

/// Removes locations inside the manifest file at `manifest_file` that are only the manifest
/// naming a key: an identifier it declares as `key_id` (AWS access key ids are their own
/// key ids). With `declared_ids` None every location in the file goes (a manifest being
/// replaced). Keys left with no location are removed.
pub fn drop_manifest_references(
    inventory: &mut Inventory,
    manifest_file: &Path,
    declared_ids: Option<&BTreeSet<String>>,
) {
    let Ok(target) = std::fs::canonicalize(manifest_file) else {
        return;
    };
    inventory.keys.retain_mut(|key| {
        let is_reference = match declared_ids {
            None => true,
            Some(ids) => key
                .key_id
                .as_ref()
                .is_some_and(|id| ids.contains(id) && id.as_bytes() == key.secret.expose()),
        };
        if is_reference {
            key.locations.retain(|location| {
                location
                    .on_disk
                    .as_ref()
                    .and_then(|p| std::fs::canonicalize(p).ok())
                    .is_none_or(|p| p != target)
            });
        }
        !key.locations.is_empty()
    });
}
