//! `aws secretsmanager list-secrets` JSON: per secret its creation, last rotation, last access,
//! rotation switch and period, next rotation and deletion. Subjects are `aws-sm:NAME`.

use std::path::Path;

use serde_json::Value;

use super::{
    at_start, dated, export_source, json_list, normalize_store, Entry, Record, Stated, Subject,
};
use crate::error::Result;

/// The export, as reasons name it.
const KIND: &str = "aws secretsmanager list-secrets";

/// Reads the export (the parsed JSON of `path`).
pub fn parse(path: &Path, value: Value) -> Result<Vec<Entry>> {
    let source = export_source(path, KIND);
    let list = json_list(
        path,
        &value,
        "/SecretList",
        "`SecretList` to be an array of secrets (aws secretsmanager list-secrets)",
    )?;
    let mut entries = Vec::new();
    for (index, secret) in list.iter().enumerate() {
        let name = secret.get("Name").and_then(Value::as_str).ok_or_else(|| {
            at_start(
                path,
                format!("secret {} of SecretList has no `Name`", index + 1),
            )
        })?;
        let store = normalize_store(&format!("aws-sm:{name}")).map_err(|m| at_start(path, m))?;
        // Absent means off: list-secrets leaves the flag out for secrets never set to rotate.
        let rotation_on = secret
            .get("RotationEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let record = Record {
            created: dated(secret.get("CreatedDate"), &source),
            rotated: dated(secret.get("LastRotatedDate"), &source),
            last_used: dated(secret.get("LastAccessedDate"), &source),
            next_rotation: dated(secret.get("NextRotationDate"), &source),
            deleted: dated(secret.get("DeletedDate"), &source),
            rotation_enabled: Some(Stated {
                value: rotation_on,
                source: source.clone(),
            }),
            rotation_period_days: secret
                .pointer("/RotationRules/AutomaticallyAfterDays")
                .and_then(Value::as_i64)
                .map(|days| Stated {
                    value: days,
                    source: source.clone(),
                }),
            tracks_use: true,
            ..Record::default()
        };
        entries.push(Entry::new(Subject::Store(store), record));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_rfc3339;

    #[test]
    fn reads_dates_and_rotation_in_both_timestamp_styles() {
        let value: Value = serde_json::from_str(
            r#"{"SecretList": [
                {"ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Ab12Cd",
                 "Name": "prod/db", "RotationEnabled": true,
                 "RotationRules": {"AutomaticallyAfterDays": 30},
                 "LastRotatedDate": "2026-10-01T08:00:00.512000+00:00",
                 "LastAccessedDate": "2026-11-20T00:00:00+00:00",
                 "CreatedDate": 1735689600.0},
                {"Name": "legacy/api", "CreatedDate": "2024-01-01T00:00:00Z",
                 "DeletedDate": "2026-11-01T00:00:00Z"}
            ]}"#,
        )
        .unwrap();
        let entries = parse(Path::new("sm.json"), value).unwrap();
        assert_eq!(entries[0].subject, Subject::Store("aws-sm:prod/db".into()));
        let db = &entries[0].record;
        assert_eq!(
            format_rfc3339(db.rotated.as_ref().unwrap().at),
            "2026-10-01T08:00:00Z"
        );
        assert_eq!(
            format_rfc3339(db.created.as_ref().unwrap().at),
            "2025-01-01T00:00:00Z"
        );
        assert_eq!(db.rotation_period_days.as_ref().unwrap().value, 30);
        assert!(db.rotation_enabled.as_ref().unwrap().value);
        let legacy = &entries[1].record;
        assert!(!legacy.rotation_enabled.as_ref().unwrap().value);
        assert_eq!(
            legacy.deleted.as_ref().unwrap().source,
            "aws secretsmanager list-secrets (sm.json)"
        );
    }

    #[test]
    fn a_foreign_shape_is_an_error_saying_what_was_expected() {
        let err = parse(Path::new("x.json"), serde_json::json!({"SecretList": 3})).unwrap_err();
        assert!(
            err.to_string().contains("aws secretsmanager list-secrets"),
            "{err}"
        );
        let err = parse(Path::new("x.json"), serde_json::json!({"SecretList": [{}]})).unwrap_err();
        assert!(err.to_string().contains("has no `Name`"), "{err}");
    }
}
