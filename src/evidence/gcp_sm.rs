//! `gcloud secrets list --format=json`: per secret its creation, expiry, and rotation schedule
//! (period and next rotation; a secret without `rotation` has none). Subjects are
//! `gcp-sm:NAME`.

use std::path::Path;

use serde_json::Value;

use super::{
    at_start, dated, export_source, json_list, normalize_store, Entry, Record, Stated, Subject,
};
use crate::error::Result;

/// The export, as reasons name it.
const KIND: &str = "gcloud secrets list";

/// Reads the export (the parsed JSON of `path`).
pub fn parse(path: &Path, value: Value) -> Result<Vec<Entry>> {
    let source = export_source(path, KIND);
    let list = json_list(
        path,
        &value,
        "",
        "a JSON array of secrets (gcloud secrets list --format=json)",
    )?;
    let mut entries = Vec::new();
    for (index, secret) in list.iter().enumerate() {
        let name = secret
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| {
                n.rsplit_once("/secrets/")
                    .is_some_and(|(_, s)| !s.is_empty())
            })
            .ok_or_else(|| {
                at_start(
                    path,
                    format!(
                        "secret {} has no `name` of the form projects/P/secrets/NAME",
                        index + 1
                    ),
                )
            })?;
        let store = normalize_store(&format!("gcp-sm:{name}")).map_err(|m| at_start(path, m))?;
        let rotation = secret.get("rotation");
        let record = Record {
            created: dated(secret.get("createTime"), &source),
            expires: dated(secret.get("expireTime"), &source),
            next_rotation: dated(rotation.and_then(|r| r.get("nextRotationTime")), &source),
            rotation_enabled: Some(Stated {
                value: rotation.is_some_and(|r| r.get("rotationPeriod").is_some()),
                source: source.clone(),
            }),
            rotation_period_days: rotation
                .and_then(|r| r.get("rotationPeriod"))
                .and_then(Value::as_str)
                .and_then(duration_days)
                .map(|days| Stated {
                    value: days,
                    source: source.clone(),
                }),
            ..Record::default()
        };
        entries.push(Entry::new(Subject::Store(store), record));
    }
    Ok(entries)
}

/// A protobuf duration (`2592000s`) in whole days.
fn duration_days(text: &str) -> Option<i64> {
    let seconds: f64 = text.strip_suffix('s')?.parse().ok()?;
    Some((seconds / 86_400.0).floor() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_creation_expiry_and_rotation() {
        let value: Value = serde_json::from_str(
            r#"[
              {"name": "projects/acme-prod/secrets/db-password",
               "createTime": "2025-03-01T09:00:00.123456Z",
               "expireTime": "2026-12-31T00:00:00Z",
               "rotation": {"nextRotationTime": "2026-12-01T00:00:00Z", "rotationPeriod": "2592000s"},
               "replication": {"automatic": {}}, "etag": "\"16\""},
              {"name": "projects/acme-prod/secrets/legacy-token",
               "createTime": "2023-01-01T00:00:00Z", "replication": {"automatic": {}}}
            ]"#,
        )
        .unwrap();
        let entries = parse(Path::new("gcp.json"), value).unwrap();
        assert_eq!(
            entries[0].subject,
            Subject::Store("gcp-sm:db-password".into())
        );
        assert_eq!(
            entries[0]
                .record
                .rotation_period_days
                .as_ref()
                .unwrap()
                .value,
            30
        );
        assert!(entries[0].record.expires.is_some());
        assert!(!entries[1].record.rotation_enabled.as_ref().unwrap().value);
        let err = parse(Path::new("g.json"), serde_json::json!([{"name": "x"}])).unwrap_err();
        assert!(err.to_string().contains("projects/P/secrets/NAME"), "{err}");
    }
}
