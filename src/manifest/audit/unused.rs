//! `unused`: a declared active key found nowhere in this run.

use std::collections::BTreeSet;

use super::{ReasonCode, UnusedKey};
use crate::manifest::model::{KeyState, Manifest};

/// The declared active keys not in `matched` (ids of the entries some found key matched).
pub(super) fn unused(manifest: &Manifest, matched: &BTreeSet<&str>) -> Vec<UnusedKey> {
    manifest
        .keys
        .iter()
        .filter(|d| d.state == KeyState::Active && !matched.contains(d.id.as_str()))
        .map(|d| UnusedKey {
            id: d.id.clone(),
            rule: d.rule.clone(),
            owner: d.owner.clone(),
            reason: "declared active but found nowhere in this run".into(),
            reason_code: ReasonCode::NotFound,
        })
        .collect()
}
