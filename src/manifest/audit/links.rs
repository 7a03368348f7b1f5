//! Joining a key to evidence: the subjects (fingerprint, key id, store) it may appear under.

use crate::evidence::Subject;
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
        subjects.extend(d.fingerprint.clone().map(Subject::Fingerprint));
    }
    subjects
}
