//! `unknown`: a found key no `[[key]]` declares.

use super::{KeyCheck, ReasonCode, Verdict};
use crate::inventory::Key;
use crate::manifest::model::KeyDecl;

/// Whether declaration `d` is the entry for `key`.
pub(super) fn declares(d: &KeyDecl, key: &Key) -> bool {
    d.fingerprint.as_deref() == Some(key.fingerprint.as_str())
        || (d.key_id.is_some() && d.key_id == key.key_id)
}

impl KeyCheck<'_> {
    pub(super) fn unknown(&self, verdict: &mut Verdict, manifest_name: &str) {
        if self.declaration.is_none() {
            verdict.flag(
                ReasonCode::Undeclared,
                format!("not declared in {manifest_name}"),
            );
        }
    }
}
