//! Writing manifests: `manifest init` (a new manifest declaring every key found) and
//! `manifest update` (new keys appended, every existing byte kept). Entries are rendered with
//! `toml_edit`, so values are always correctly quoted; `update` appends them to the original
//! text rather than re-serialising it, which keeps comments and layout exactly as they were.

use std::collections::BTreeSet;
use std::path::Path;

use jiff::Timestamp;
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table};

use super::audit::manifest_path_for;
use crate::error::Error;
use crate::evidence::{Evidence, Subject};
use crate::fingerprint::fingerprint;
use crate::inventory::Key;
use crate::time::format_date;

/// A fresh random salt: 16 bytes from the operating system, as 32 hex digits.
pub fn fresh_salt() -> crate::error::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Value(format!("cannot get random bytes for the salt: {e}")))?;
    Ok(hex::encode(bytes))
}

/// Lowercase words joined by dashes: `STRIPE_SECRET_KEY` → `stripe-secret-key`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// A readable id from the provider and the variable (or the file) where the key was found.
fn readable_id(key: &Key) -> String {
    let rule = &key.rule;
    let provider = slug(&rule.provider);
    let location = &key.locations[0];
    let subject = match &location.variable {
        Some(variable) => slug(variable),
        None if location.path == "-" => slug(&rule.id),
        None => {
            let name = Path::new(&location.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            slug(&name)
        }
    };
    if subject.is_empty() {
        provider
    } else if subject.starts_with(&provider) {
        subject
    } else {
        format!("{provider}-{subject}")
    }
}

/// Renders `[[key]]` tables declaring `keys`, with fingerprints under `salt`. Ids are unique
/// against `taken`, which gains the new ids.
pub fn render_entries(
    keys: &[&Key],
    salt: &[u8],
    manifest_dir: &Path,
    now: Timestamp,
    evidence: &Evidence,
    taken: &mut BTreeSet<String>,
) -> String {
    let mut tables = ArrayOfTables::new();
    for key in keys {
        let rule = &key.rule;
        let base = readable_id(key);
        let id = (1..)
            .map(|n| {
                if n == 1 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                }
            })
            .find(|candidate| !taken.contains(candidate))
            .expect("some suffix is free");
        taken.insert(id.clone());
        let mut table = Table::new();
        table["id"] = toml_edit::value(id);
        let key_fingerprint = fingerprint(salt, key.secret.expose());
        let subjects = [Subject::Fingerprint(key_fingerprint.clone())]
            .into_iter()
            .chain(key.key_id.clone().map(Subject::KeyId))
            .collect::<Vec<_>>();
        let record = evidence.about(&subjects);
        table["fingerprint"] = toml_edit::value(key_fingerprint);
        if let Some(key_id) = &key.key_id {
            table["key_id"] = toml_edit::value(key_id.as_str());
        }
        table["rule"] = toml_edit::value(rule.id.as_str());
        table["max_privilege"] = toml_edit::value(key.assessment.privilege.as_str());
        let places: BTreeSet<String> = key
            .locations
            .iter()
            .filter(|l| l.path != "-")
            .map(|l| manifest_path_for(l, manifest_dir))
            .collect();
        if !places.is_empty() {
            table["locations"] = toml_edit::value(places.into_iter().collect::<Array>());
        }
        // Evidence knows creation better than history does; history better than now.
        let created = record
            .as_ref()
            .and_then(|r| r.created.as_ref())
            .map(|d| d.at)
            .or_else(|| key.first_seen.as_ref().map(|f| f.date))
            .unwrap_or(now);
        table["created"] = toml_edit::value(toml_date(created));
        if let Some(rotated) = record
            .as_ref()
            .and_then(|r| r.rotated.as_ref())
            .filter(|d| d.at > created)
        {
            table["rotated"] = toml_edit::value(toml_date(rotated.at));
        }
        if let Some(expires) = record.as_ref().and_then(|r| r.expires.as_ref()) {
            table["expires"] = toml_edit::value(toml_date(expires.at));
        }
        // Found only in history: leaked, and declaring it must not approve it. The audit
        // flags it until someone rotates it and writes `state = "revoked"`.
        if !key.in_current_tree {
            table["state"] = toml_edit::value("compromised");
            let origin = key.first_seen.as_ref().map_or_else(
                || "an old commit".to_string(),
                |first| {
                    format!(
                        "commit {} of {}",
                        &first.commit[..first.commit.len().min(12)],
                        format_date(first.date)
                    )
                },
            );
            table.decor_mut().set_prefix(format!(
                "\n# Found only in history, first in {origin}: rotate it, then set state = \"revoked\".\n"
            ));
        }
        tables.push(table);
    }
    let mut doc = DocumentMut::new();
    doc.insert("key", Item::ArrayOfTables(tables));
    doc.to_string()
}

/// `ts` as a TOML calendar date.
fn toml_date(ts: Timestamp) -> toml_edit::Datetime {
    format_date(ts)
        .parse()
        .expect("a calendar date is a TOML date")
}

/// The text of a new manifest.
pub fn init_text(salt: &str, entries: &str, now: Timestamp) -> String {
    format!(
        "# keyaudit manifest: the keys expected here, declared by fingerprint, never by value.\n\
         # Written by `keyaudit manifest init` on {}. Add owners, purposes and policy;\n\
         # `keyaudit manifest update` appends keys found later and changes nothing else.\n\
         version = 1\n\
         salt = \"{salt}\"\n\
         \n\
         [policy]\n\
         # A key older than this, by its created or rotated date, is stale: rotate it.\n\
         max_age = \"365d\"\n\
         # The classes that make `keyaudit audit` exit 1 (add \"unused\" to hold the manifest tidy).\n\
         fail_on = [\"unknown\", \"stale\", \"over-privileged\"]\n\
         # expiry_warning = \"14d\"\n\
         # test_paths = [\"tests/**\", \"fixtures/**\"]\n\
         {}{entries}",
        format_date(now),
        if entries.is_empty() { "" } else { "\n" }
    )
}

/// `original` with `entries` appended after one blank line; nothing else changes.
pub fn update_text(original: &str, entries: &str) -> String {
    if entries.is_empty() {
        return original.to_string();
    }
    let mut text = original.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if !text.is_empty() && !text.ends_with("\n\n") {
        text.push('\n');
    }
    text.push_str(entries);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable() {
        assert_eq!(slug("STRIPE_SECRET_KEY"), "stripe-secret-key");
        assert_eq!(slug("Private key"), "private-key");
        assert_eq!(slug("id_rsa"), "id-rsa");
        assert_eq!(slug(".env"), "env");
        assert_eq!(slug("__x__"), "x");
    }

    #[test]
    fn fresh_salts_differ() {
        let a = fresh_salt().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, fresh_salt().unwrap());
    }

    #[test]
    fn update_appends_and_keeps_the_rest() {
        let original = "version = 1\n# note\n[[key]]\nid = \"a\"\nkey_id = \"AKIA\"";
        let updated = update_text(original, "[[key]]\nid = \"b\"\n");
        assert!(updated.starts_with(original));
        assert_eq!(&updated[original.len()..], "\n\n[[key]]\nid = \"b\"\n");
        assert_eq!(update_text(original, ""), original);
    }
}
