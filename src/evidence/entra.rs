//! Microsoft Entra application credentials: `az ad app credential list --id APP_ID` (and `az ad
//! sp credential list`), per credential its start, end and `hint` (the secret's first three
//! characters), and service-principal sign-in logs as Microsoft Graph returns them (`value[]`
//! with `servicePrincipalCredentialKeyId` and `createdDateTime`), whose latest successful
//! sign-in per credential is its last use. Subjects are the credentials' key ids, which a
//! manifest names as `store = "entra:APP_ID/KEY_ID"`.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;
use serde_json::Value;

use super::{
    at_start, dated, export_source, gcp_iam::is_forever, is_guid, json_list, json_time, Dated,
    Entry, Record, Stated, Subject,
};
use crate::error::Result;

const CREDENTIALS: &str = "az ad app credential list";
const SIGN_INS: &str = "Entra sign-in logs";

/// Whether `entry` looks like a Graph sign-in record (an application object has
/// `createdDateTime` and `appId` too, but no `status`).
pub fn is_sign_in(entry: &Value) -> bool {
    let has = |key: &str| entry.get(key).is_some();
    has("servicePrincipalCredentialKeyId")
        || (has("createdDateTime") && has("appId") && has("status"))
}

/// A credential's key id, lower-cased, if it is a GUID.
fn key_id(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|id| is_guid(id))
        .map(str::to_ascii_lowercase)
}

/// Reads `az ad app credential list` or `az ad sp credential list` output: password
/// credentials (with a `hint`) and certificate credentials alike.
pub fn parse_credentials(path: &Path, value: Value) -> Result<Vec<Entry>> {
    let source = export_source(path, CREDENTIALS);
    let list = json_list(
        path,
        &value,
        "",
        "a JSON array of credentials (az ad app credential list)",
    )?;
    let mut entries = Vec::new();
    for (index, credential) in list.iter().enumerate() {
        let id = key_id(credential.get("keyId")).ok_or_else(|| {
            at_start(
                path,
                format!("credential {} has no `keyId` GUID", index + 1),
            )
        })?;
        let created = dated(credential.get("startDateTime"), &source);
        let end = credential.get("endDateTime");
        let (expires, never_expires) = if is_forever(end) {
            let never = Stated {
                value: true,
                source: source.clone(),
            };
            (None, Some(never))
        } else {
            (dated(end, &source), None)
        };
        let hint = credential
            .get("hint")
            .and_then(Value::as_str)
            .filter(|h| !h.is_empty())
            .map(|h| Stated {
                value: h.to_string(),
                source: source.clone(),
            });
        let record = Record {
            // A secret's value never changes: a new one is a new credential.
            rotated: created.clone(),
            created,
            expires,
            never_expires,
            hint,
            ..Record::default()
        };
        entries.push(Entry::new(Subject::KeyId(id), record));
    }
    Ok(entries)
}

/// Reads service-principal sign-ins (the Graph response's `value`, already unwrapped). Failed
/// sign-ins (a non-zero `status.errorCode`) are no use of the credential.
pub fn parse_sign_ins(path: &Path, value: Value) -> Result<Vec<Entry>> {
    let source = export_source(path, SIGN_INS);
    let list = json_list(
        path,
        &value,
        "",
        "Entra sign-in logs: `value` as an array of sign-ins (Microsoft Graph auditLogs/signIns)",
    )?;
    let mut last_use: BTreeMap<String, (Timestamp, Option<String>)> = BTreeMap::new();
    let mut timed = 0usize;
    for sign_in in list {
        let Some(at) = json_time(sign_in.get("createdDateTime")) else {
            continue;
        };
        timed += 1;
        let failed = sign_in
            .pointer("/status/errorCode")
            .and_then(Value::as_i64)
            .is_some_and(|code| code != 0);
        let Some(id) = key_id(sign_in.get("servicePrincipalCredentialKeyId")) else {
            continue;
        };
        if failed {
            continue;
        }
        let user = ["servicePrincipalName", "appDisplayName", "appId"]
            .iter()
            .find_map(|k| sign_in.get(*k).and_then(Value::as_str))
            .map(str::to_string);
        let slot = last_use.entry(id).or_insert((at, user.clone()));
        if at > slot.0 {
            *slot = (at, user.or(slot.1.take()));
        }
    }
    if timed == 0 && !list.is_empty() {
        return Err(at_start(
            path,
            "expected Entra sign-ins with `createdDateTime`: none has one".into(),
        ));
    }
    Ok(last_use
        .into_iter()
        .map(|(id, (at, user))| {
            let record = Record {
                user,
                last_used: Some(Dated {
                    at,
                    source: source.clone(),
                }),
                ..Record::default()
            };
            Entry::new(Subject::KeyId(id), record)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_rfc3339;

    const KEY: &str = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";

    #[test]
    fn credentials_give_start_end_and_hint() {
        let value = serde_json::json!([
            {"customKeyIdentifier": null, "displayName": "ci", "endDateTime": "2026-10-31T00:00:00Z",
             "hint": "Ab1", "keyId": KEY.to_uppercase(), "secretText": null,
             "startDateTime": "2025-10-31T00:00:00Z"},
            {"customKeyIdentifier": "qg==", "displayName": "CN=ci", "endDateTime": "9999-12-31T23:59:59Z",
             "keyId": "00000000-0000-4000-8000-000000000001", "startDateTime": "2025-01-01T00:00:00Z",
             "type": "AsymmetricX509Cert", "usage": "Verify"}
        ]);
        let entries = parse_credentials(Path::new("creds.json"), value).unwrap();
        assert_eq!(entries[0].subject, Subject::KeyId(KEY.into()));
        let record = &entries[0].record;
        assert_eq!(record.hint.as_ref().unwrap().value, "Ab1");
        assert_eq!(
            record.expires.as_ref().unwrap().source,
            "az ad app credential list (creds.json)"
        );
        assert_eq!(
            format_rfc3339(record.created.as_ref().unwrap().at),
            "2025-10-31T00:00:00Z"
        );
        assert!(!serde_json::to_string(record).unwrap().contains("Ab1"));
        assert!(entries[1].record.never_expires.is_some());
        let err = parse_credentials(Path::new("c.json"), serde_json::json!([{"keyId": "x"}]))
            .unwrap_err();
        assert!(err.to_string().contains("no `keyId` GUID"), "{err}");
    }

    #[test]
    fn the_latest_successful_sign_in_is_the_last_use() {
        let value = serde_json::json!([
            {"id": "a", "createdDateTime": "2026-04-01T08:00:00Z", "appId": "app",
             "servicePrincipalCredentialKeyId": KEY, "servicePrincipalName": "ci",
             "status": {"errorCode": 0}},
            {"id": "b", "createdDateTime": "2026-09-01T08:00:00Z", "appId": "app",
             "servicePrincipalCredentialKeyId": KEY, "status": {"errorCode": 7000222}},
            {"id": "c", "createdDateTime": "2026-09-02T08:00:00Z", "appId": "app",
             "servicePrincipalCredentialKeyId": ""}
        ]);
        let entries = parse_sign_ins(Path::new("signins.json"), value).unwrap();
        assert_eq!(entries.len(), 1);
        let used = entries[0].record.last_used.as_ref().unwrap();
        assert_eq!(
            format_rfc3339(used.at),
            "2026-04-01T08:00:00Z",
            "a failed sign-in is no use"
        );
        assert_eq!(used.source, "Entra sign-in logs (signins.json)");
        assert!(is_sign_in(
            &serde_json::json!({"createdDateTime": "x", "appId": "y", "status": {}})
        ));
        assert!(
            !is_sign_in(&serde_json::json!({"createdDateTime": "x", "appId": "y"})),
            "an application (az ad app show)"
        );
    }
}
