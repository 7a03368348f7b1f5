//! Google Cloud service-account keys: `gcloud iam service-accounts keys list --format=json`
//! (creation, expiry, disabled), `gcloud policy-intelligence query-activity
//! --activity-type=serviceAccountKeyLastAuthentication --format=json` (last authentication) and
//! Cloud Audit Logs from `gcloud logging read --format=json` (entries whose
//! `protoPayload.authenticationInfo.serviceAccountKeyName` names the key). Subjects are key ids:
//! the last segment of a key's resource name, which is the `private_key_id` of its JSON key file.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;
use serde_json::Value;

use super::{
    at_start, dated, export_source, json_list, json_time, Dated, Entry, Record, Stated, Subject,
};
use crate::error::Result;

const KEYS: &str = "gcloud iam service-accounts keys list";
const ACTIVITY: &str = "gcloud policy-intelligence query-activity";
const LOGS: &str = "gcloud logging read";

/// The key id a resource name ends in (`projects/P/serviceAccounts/SA/keys/KEY_ID`, with or
/// without the `//iam.googleapis.com/` prefix), lower-cased as key files write it.
pub fn key_id_of(name: &str) -> Option<String> {
    let (_, id) = name.rsplit_once("/keys/")?;
    (!id.is_empty() && !id.contains('/')).then(|| id.to_ascii_lowercase())
}

/// Google writes "no expiry" as `validBeforeTime` in year 9999 (beyond the range of the
/// time library, so read as text).
pub fn is_forever(value: Option<&Value>) -> bool {
    value
        .and_then(Value::as_str)
        .is_some_and(|t| t.trim().starts_with("9999-"))
}

/// The service account a key's resource name belongs to.
fn account_of(name: &str) -> Option<String> {
    let (head, _) = name.rsplit_once("/keys/")?;
    let (_, account) = head.rsplit_once("/serviceAccounts/")?;
    Some(account.to_string())
}

/// Reads `gcloud iam service-accounts keys list --format=json`. System-managed keys are
/// skipped: Google holds their private half, so no file can carry them.
pub fn parse_keys(path: &Path, value: Value) -> Result<Vec<Entry>> {
    let source = export_source(path, KEYS);
    let list = json_list(
        path,
        &value,
        "",
        "a JSON array of keys (gcloud iam service-accounts keys list --format=json)",
    )?;
    let mut entries = Vec::new();
    for (index, key) in list.iter().enumerate() {
        let name = key.get("name").and_then(Value::as_str).unwrap_or_default();
        let key_id = key_id_of(name).ok_or_else(|| {
            at_start(
                path,
                format!(
                    "key {} has no `name` of the form projects/P/serviceAccounts/SA/keys/KEY_ID",
                    index + 1
                ),
            )
        })?;
        if key.get("keyType").and_then(Value::as_str) == Some("SYSTEM_MANAGED") {
            continue;
        }
        let created = dated(key.get("validAfterTime"), &source);
        let before = key.get("validBeforeTime");
        let (expires, never_expires) = if is_forever(before) {
            let never = Stated {
                value: true,
                source: source.clone(),
            };
            (None, Some(never))
        } else {
            (dated(before, &source), None)
        };
        let record = Record {
            user: account_of(name),
            // A key's value never changes: its creation is its last rotation.
            rotated: created.clone(),
            created,
            expires,
            never_expires,
            enabled: Some(Stated {
                value: !key
                    .get("disabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                source: source.clone(),
            }),
            ..Record::default()
        };
        entries.push(Entry::new(Subject::KeyId(key_id), record));
    }
    Ok(entries)
}

/// Reads `gcloud policy-intelligence query-activity
/// --activity-type=serviceAccountKeyLastAuthentication --format=json`.
pub fn parse_activity(path: &Path, value: Value) -> Result<Vec<Entry>> {
    let source = export_source(path, ACTIVITY);
    let list = json_list(
        path,
        &value,
        "",
        "a JSON array of activities (gcloud policy-intelligence query-activity --format=json)",
    )?;
    let mut last_use = BTreeMap::new();
    for (index, item) in list.iter().enumerate() {
        let activity = item.get("activity").unwrap_or(&Value::Null);
        let kind = item
            .get("activityType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // Service-account (not key) activities say nothing about any one key.
        if kind == "serviceAccountLastAuthentication" || activity.get("serviceAccount").is_some() {
            continue;
        }
        let name = activity
            .pointer("/serviceAccountKey/fullResourceName")
            .or_else(|| item.get("fullResourceName"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let key_id = key_id_of(name).ok_or_else(|| {
            at_start(
                path,
                format!(
                    "activity {} names no key: expected activity.serviceAccountKey.fullResourceName ending in /keys/KEY_ID (--activity-type=serviceAccountKeyLastAuthentication)",
                    index + 1
                ),
            )
        })?;
        let at = json_time(activity.get("lastAuthenticatedTime")).ok_or_else(|| {
            at_start(
                path,
                format!(
                    "activity {} has no activity.lastAuthenticatedTime",
                    index + 1
                ),
            )
        })?;
        latest(&mut last_use, key_id, at, account_of(name));
    }
    Ok(last_uses(last_use, &source))
}

/// Reads Cloud Audit Logs entries (`gcloud logging read --format=json`): the latest entry per
/// service-account key is its last use. Entries that name no key are other principals' calls.
pub fn parse_audit_logs(path: &Path, value: Value) -> Result<Vec<Entry>> {
    let source = export_source(path, LOGS);
    let list = json_list(
        path,
        &value,
        "",
        "a JSON array of log entries (gcloud logging read --format=json)",
    )?;
    let mut last_use = BTreeMap::new();
    let mut timed = 0usize;
    for entry in list {
        let Some(at) = json_time(entry.get("timestamp")) else {
            continue;
        };
        timed += 1;
        let auth = entry.pointer("/protoPayload/authenticationInfo");
        let Some(key_id) = auth
            .and_then(|a| a.get("serviceAccountKeyName"))
            .and_then(Value::as_str)
            .and_then(key_id_of)
        else {
            continue;
        };
        let user = auth
            .and_then(|a| a.get("principalEmail"))
            .and_then(Value::as_str)
            .map(str::to_string);
        latest(&mut last_use, key_id, at, user);
    }
    if timed == 0 && !list.is_empty() {
        return Err(at_start(
            path,
            "expected Cloud Audit Logs entries with `timestamp`: none has one".into(),
        ));
    }
    Ok(last_uses(last_use, &source))
}

type LastUse = BTreeMap<String, (Timestamp, Option<String>)>;

/// Keeps the latest time (and its principal) per key id.
fn latest(map: &mut LastUse, key_id: String, at: Timestamp, user: Option<String>) {
    let slot = map.entry(key_id).or_insert((at, user.clone()));
    if at > slot.0 {
        *slot = (at, user.or(slot.1.take()));
    }
}

fn last_uses(map: LastUse, source: &str) -> Vec<Entry> {
    map.into_iter()
        .map(|(key_id, (at, user))| {
            let record = Record {
                user,
                last_used: Some(Dated {
                    at,
                    source: source.to_string(),
                }),
                ..Record::default()
            };
            Entry::new(Subject::KeyId(key_id), record)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_rfc3339;

    const KEY: &str = "1f0e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";

    #[test]
    fn keys_list_gives_creation_expiry_and_state() {
        let value: Value = serde_json::from_str(&format!(
            r#"[
              {{"disabled": true, "keyAlgorithm": "KEY_ALG_RSA_2048", "keyOrigin": "GOOGLE_PROVIDED",
                "keyType": "USER_MANAGED",
                "name": "projects/acme/serviceAccounts/ci@acme.iam.gserviceaccount.com/keys/{KEY}",
                "validAfterTime": "2024-03-01T10:00:00Z", "validBeforeTime": "9999-12-31T23:59:59Z"}},
              {{"keyType": "USER_MANAGED",
                "name": "projects/acme/serviceAccounts/ci@acme.iam.gserviceaccount.com/keys/AB12",
                "validAfterTime": "2026-01-01T00:00:00Z", "validBeforeTime": "2026-04-01T00:00:00Z"}},
              {{"keyType": "SYSTEM_MANAGED",
                "name": "projects/acme/serviceAccounts/ci@acme.iam.gserviceaccount.com/keys/cd34",
                "validAfterTime": "2026-01-01T00:00:00Z", "validBeforeTime": "2026-01-15T00:00:00Z"}}
            ]"#
        ))
        .unwrap();
        let entries = parse_keys(Path::new("keys.json"), value).unwrap();
        assert_eq!(entries.len(), 2, "system-managed keys are Google's own");
        assert_eq!(entries[0].subject, Subject::KeyId(KEY.into()));
        let first = &entries[0].record;
        assert_eq!(
            first.created.as_ref().unwrap().source,
            "gcloud iam service-accounts keys list (keys.json)"
        );
        assert!(first.expires.is_none(), "year 9999 is no expiry");
        assert!(first.never_expires.as_ref().unwrap().value);
        assert!(!first.enabled.as_ref().unwrap().value);
        assert_eq!(
            first.user.as_deref(),
            Some("ci@acme.iam.gserviceaccount.com")
        );
        assert_eq!(entries[1].subject, Subject::KeyId("ab12".into()));
        let second = &entries[1].record;
        assert_eq!(
            format_rfc3339(second.expires.as_ref().unwrap().at),
            "2026-04-01T00:00:00Z"
        );
        assert!(second.never_expires.is_none());
        assert!(second.enabled.as_ref().unwrap().value);
        let err = parse_keys(Path::new("k.json"), serde_json::json!([{"name": "x"}])).unwrap_err();
        assert!(err.to_string().contains("/keys/KEY_ID"), "{err}");
    }

    #[test]
    fn activity_gives_the_last_authentication() {
        let value: Value = serde_json::from_str(&format!(
            r#"[
              {{"activity": {{"lastAuthenticatedTime": "2026-05-02T07:00:00Z",
                "serviceAccountKey": {{"fullResourceName": "//iam.googleapis.com/projects/acme/serviceAccounts/1234/keys/{KEY}",
                  "projectNumber": "123456789012", "serviceAccountId": "1234"}}}},
               "activityType": "serviceAccountKeyLastAuthentication",
               "fullResourceName": "//iam.googleapis.com/projects/acme/serviceAccounts/1234/keys/{KEY}",
               "observationPeriod": {{"endTime": "2026-05-02T07:00:00Z", "startTime": "2026-05-02T07:00:00Z"}}}},
              {{"activity": {{"lastAuthenticatedTime": "2026-06-01T07:00:00Z",
                "serviceAccount": {{"fullResourceName": "//iam.googleapis.com/projects/acme/serviceAccounts/ci@acme.iam.gserviceaccount.com"}}}},
               "activityType": "serviceAccountLastAuthentication"}}
            ]"#
        ))
        .unwrap();
        let entries = parse_activity(Path::new("activity.json"), value).unwrap();
        assert_eq!(entries.len(), 1, "an account's activity is no key's");
        let used = entries[0].record.last_used.as_ref().unwrap();
        assert_eq!(format_rfc3339(used.at), "2026-05-02T07:00:00Z");
        assert_eq!(
            used.source,
            "gcloud policy-intelligence query-activity (activity.json)"
        );
        let err = parse_activity(
            Path::new("a.json"),
            serde_json::json!([{"activity": {"lastAuthenticatedTime": "2026-01-01T00:00:00Z"}}]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("activity 1 names no key"), "{err}");
    }

    #[test]
    fn audit_logs_give_the_latest_call_per_key() {
        let name = format!("//iam.googleapis.com/projects/acme/serviceAccounts/ci@acme.iam.gserviceaccount.com/keys/{KEY}");
        let value = serde_json::json!([
            {"timestamp": "2026-07-01T10:00:00.123456Z", "logName": "projects/acme/logs/cloudaudit.googleapis.com%2Fdata_access",
             "protoPayload": {"@type": "type.googleapis.com/google.cloud.audit.AuditLog",
               "authenticationInfo": {"principalEmail": "ci@acme.iam.gserviceaccount.com", "serviceAccountKeyName": name},
               "methodName": "storage.objects.get"}},
            {"timestamp": "2026-08-01T10:00:00Z", "logName": "projects/acme/logs/cloudaudit.googleapis.com%2Factivity",
             "protoPayload": {"authenticationInfo": {"principalEmail": "ci@acme.iam.gserviceaccount.com", "serviceAccountKeyName": name}}},
            {"timestamp": "2026-09-01T10:00:00Z", "logName": "projects/acme/logs/cloudaudit.googleapis.com%2Factivity",
             "protoPayload": {"authenticationInfo": {"principalEmail": "dev@acme.example"}}}
        ]);
        let entries = parse_audit_logs(Path::new("logs.json"), value).unwrap();
        assert_eq!(entries.len(), 1);
        let used = entries[0].record.last_used.as_ref().unwrap();
        assert_eq!(format_rfc3339(used.at), "2026-08-01T10:00:00Z");
        let err = parse_audit_logs(Path::new("l.json"), serde_json::json!([{"logName": "x"}]))
            .unwrap_err();
        assert!(err.to_string().contains("`timestamp`"), "{err}");
    }
}
