//! HashiCorp Vault: `vault kv metadata get -format=json` (creation, last update, versions and
//! whether the current version is deleted or destroyed; subject `vault:PATH`, the path coming
//! from the command line or the manifest since the output does not name it) and `vault token
//! lookup -format=json` (creation, expiry, TTL and policies; subject the token's accessor, and
//! the token's fingerprint when the output carries the token, which is hashed and dropped).

use std::path::Path;

use serde_json::Value;

use super::{at_start, dated, export_source, json_time, Dated, Entry, Record, Stated, Subject};
use crate::error::Result;
use crate::secret::Secret;

/// The `data` object of a Vault CLI response, or an error naming the command expected.
fn response_data<'v>(path: &Path, value: &'v Value, command: &str) -> Result<&'v Value> {
    value
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| at_start(path, format!("expected `data` ({command})")))
}

/// Reads a KV metadata read about `store`.
pub fn parse_kv_metadata(path: &Path, value: Value, store: &str) -> Result<Vec<Entry>> {
    let source = export_source(path, "vault kv metadata get");
    let data = response_data(path, &value, "vault kv metadata get -format=json")?;
    let current = data.get("current_version").and_then(Value::as_u64);
    let versions = data.get("versions").and_then(Value::as_object);
    let current_meta = current.and_then(|v| versions.and_then(|all| all.get(&v.to_string())));
    // The current version's creation is when the value last changed.
    let rotated = dated(current_meta.and_then(|m| m.get("created_time")), &source)
        .or_else(|| dated(data.get("updated_time"), &source));
    let deleted = current_meta.and_then(|m| {
        let destroyed = m.get("destroyed").and_then(Value::as_bool).unwrap_or(false);
        dated(m.get("deletion_time"), &source)
            .or_else(|| destroyed.then(|| rotated.clone()).flatten())
    });
    let record = Record {
        created: dated(data.get("created_time"), &source),
        rotated,
        deleted,
        versions: versions.map(|v| v.len() as u64),
        ..Record::default()
    };
    Ok(vec![Entry::new(Subject::Store(store.to_string()), record)])
}

/// Reads a token lookup; `salt` fingerprints the token if the output carries it.
pub fn parse_token_lookup(path: &Path, value: Value, salt: &[u8]) -> Result<Vec<Entry>> {
    let source = export_source(path, "vault token lookup");
    let data = response_data(path, &value, "vault token lookup -format=json")?;
    let fingerprint = data
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(|id| {
            let secret = Secret::new(id.as_bytes().to_vec());
            Subject::Fingerprint(crate::fingerprint::fingerprint(salt, secret.expose()))
        });
    let accessor = data
        .get("accessor")
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())
        .map(|a| Subject::KeyId(a.to_string()));
    let (subject, alias) = match (accessor, fingerprint) {
        (Some(a), f) => (a, f),
        (None, Some(f)) => (f, None),
        (None, None) => {
            return Err(at_start(
                path,
                "a token lookup with neither `accessor` nor `id`: nothing to link it to".into(),
            ))
        }
    };
    let created = dated(data.get("issue_time"), &source)
        .or_else(|| dated(data.get("creation_time"), &source));
    let expires = json_time(data.get("expire_time")).map(|at| Dated {
        at,
        source: source.clone(),
    });
    let policies = data
        .get("policies")
        .and_then(Value::as_array)
        .map(|p| {
            p.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let record = Record {
        user: data
            .get("display_name")
            .and_then(Value::as_str)
            .map(str::to_string),
        created,
        expires,
        // A token is usable until it expires; Vault has no separate switch.
        enabled: Some(Stated {
            value: true,
            source: source.clone(),
        }),
        policies,
        ..Record::default()
    };
    Ok(vec![Entry {
        subject,
        alias,
        record,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kv_metadata_gives_creation_the_current_version_and_deletion() {
        let value: Value = serde_json::from_str(
            r#"{"request_id": "5e1b0b6a-1111-2222-3333-444455556666", "lease_id": "", "lease_duration": 0,
                "renewable": false, "warnings": null,
                "data": {"cas_required": false, "created_time": "2025-01-10T09:00:00.123456789Z",
                         "current_version": 2, "custom_metadata": null, "delete_version_after": "0s",
                         "max_versions": 0, "oldest_version": 0,
                         "updated_time": "2025-04-02T09:00:00.5Z",
                         "versions": {"1": {"created_time": "2025-01-10T09:00:00.123456789Z", "deletion_time": "", "destroyed": false},
                                      "2": {"created_time": "2025-04-02T09:00:00.5Z", "deletion_time": "2026-11-01T00:00:00Z", "destroyed": false}}}}"#,
        )
        .unwrap();
        let entries =
            parse_kv_metadata(Path::new("kv.json"), value, "vault:secret/app/db").unwrap();
        let record = &entries[0].record;
        assert_eq!(record.versions, Some(2));
        assert_eq!(
            crate::time::format_date(record.rotated.as_ref().unwrap().at),
            "2025-04-02"
        );
        assert_eq!(
            crate::time::format_date(record.deleted.as_ref().unwrap().at),
            "2026-11-01"
        );
    }

    #[test]
    fn token_lookup_links_by_accessor_and_fingerprint_and_keeps_no_token() {
        let value: Value = serde_json::from_str(
            r#"{"data": {"accessor": "8Qx4mV2bN7cL1pZ9rT3wY6uE", "creation_time": 1767225600,
                         "creation_ttl": 0, "display_name": "token-ci", "expire_time": null,
                         "id": "hvs.CAESIJq3mZ8xWvT2nR5kL7pQ9sD4fG6hJ1kL3mN5bV7cX9z", "note": "keyaudit:allow",
                         "policies": ["default", "root"], "ttl": 0, "type": "service"}}"#,
        )
        .unwrap();
        let entries = parse_token_lookup(Path::new("tok.json"), value, b"salt").unwrap();
        let entry = &entries[0];
        assert_eq!(
            entry.subject,
            Subject::KeyId("8Qx4mV2bN7cL1pZ9rT3wY6uE".into())
        );
        assert!(
            matches!(entry.alias, Some(Subject::Fingerprint(ref f)) if f.starts_with("hmac-sha256:"))
        );
        assert!(entry.record.expires.is_none(), "ttl 0: never expires");
        assert_eq!(entry.record.policies, vec!["default", "root"]);
        assert!(
            !format!("{entry:?}").contains("hvs."),
            "the token is not kept"
        );
    }
}
