//! Joining a key to evidence: the subjects (fingerprint, key id, store) it may appear under,
//! and the check that an Entra credential's `hint` agrees with the secret linked to it.

use super::{list_places, place, KeyCheck, ReasonCode, Verdict};
use crate::evidence::{entra_key_id, Subject};
use crate::inventory::Key;
use crate::manifest::model::KeyDecl;

/// The evidence subjects a found key (and its declaration) may appear under.
pub(super) fn subjects_of(key: Option<&Key>, declaration: Option<&KeyDecl>) -> Vec<Subject> {
    let mut subjects = Vec::new();
    if let Some(key) = key {
        subjects.push(Subject::Fingerprint(key.fingerprint.clone()));
        subjects.extend(key.key_id.clone().map(Subject::KeyId));
    }
    if let Some(d) = declaration {
        subjects.extend(d.key_id.clone().map(Subject::KeyId));
        subjects.extend(d.store_ref.clone().map(Subject::Store));
        // Entra exports name a credential by its key id alone (they omit the application).
        subjects.extend(
            d.store_ref
                .as_deref()
                .and_then(entra_key_id)
                .map(|id| Subject::KeyId(id.to_string())),
        );
        subjects.extend(d.fingerprint.clone().map(Subject::Fingerprint));
    }
    subjects
}

impl KeyCheck<'_> {
    /// The credential evidence is about shows the first characters of its secret (an Entra
    /// `hint`); a found key that starts otherwise is another secret, or the credential was
    /// replaced. The warning names both ends, never the characters.
    pub(super) fn hint(&self, verdict: &mut Verdict) {
        let Some(hint) = self.record.and_then(|r| r.hint.as_ref()) else {
            return;
        };
        if self.key.secret.expose().starts_with(hint.value.as_bytes()) {
            return;
        }
        let credential = self
            .declaration
            .and_then(|d| d.store.clone())
            .unwrap_or_else(|| "the credential".into());
        let places: Vec<String> = self.key.locations.iter().map(place).collect();
        verdict.warn(
            ReasonCode::HintMismatch,
            format!(
                "the hint of {credential} per {} does not match the first characters of the secret found at {}: another secret, or the credential was replaced",
                hint.source,
                list_places(&places)
            ),
        );
    }
}
