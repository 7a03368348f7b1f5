//! CloudTrail events: a trail's log files (`{"Records": [...]}`) and `aws cloudtrail
//! lookup-events` output (`{"Events": [...]}`). The access key id and the time of each event give
//! the last use of every AWS key. Subjects are access key ids.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{at_start, export_source, json_time, Dated, Entry, Record, Subject};
use crate::error::Result;

/// Reads the export (the parsed JSON of `path`).
pub fn parse(path: &Path, value: Value) -> Result<Vec<Entry>> {
    // Trail files spell fields in camelCase; lookup-events in PascalCase.
    let (kind, events, key_field, time_field, user_field) = match value.get("Records") {
        Some(records) => (
            "CloudTrail events",
            records,
            "/userIdentity/accessKeyId",
            "eventTime",
            "/userIdentity/userName",
        ),
        None => (
            "aws cloudtrail lookup-events",
            value.get("Events").unwrap_or(&Value::Null),
            "/AccessKeyId",
            "EventTime",
            "/Username",
        ),
    };
    let source = export_source(path, kind);
    let events = events.as_array().ok_or_else(|| {
        at_start(
            path,
            "expected CloudTrail events: `Records` or `Events` as an array".into(),
        )
    })?;
    let mut last_use: BTreeMap<String, (jiff::Timestamp, Option<String>)> = BTreeMap::new();
    let mut timed = 0usize;
    for event in events {
        let Some(at) = json_time(event.get(time_field)) else {
            continue;
        };
        timed += 1;
        let Some(key_id) = event.pointer(key_field).and_then(Value::as_str) else {
            continue;
        };
        if key_id.is_empty() {
            continue;
        }
        let user = event
            .pointer(user_field)
            .and_then(Value::as_str)
            .map(str::to_string);
        let slot = last_use
            .entry(key_id.to_string())
            .or_insert((at, user.clone()));
        if at > slot.0 {
            *slot = (at, user.or(slot.1.take()));
        }
    }
    if timed == 0 && !events.is_empty() {
        return Err(at_start(
            path,
            format!("expected CloudTrail events with `{time_field}`: none has one"),
        ));
    }
    Ok(last_use
        .into_iter()
        .map(|(key_id, (at, user))| {
            let record = Record {
                user,
                last_used: Some(Dated {
                    at,
                    source: source.clone(),
                }),
                ..Record::default()
            };
            Entry::new(Subject::KeyId(key_id), record)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_rfc3339;

    #[test]
    fn the_latest_event_per_key_is_its_last_use() {
        let value: Value = serde_json::from_str(
            r#"{"Records": [
                {"eventTime": "2026-09-01T10:00:00Z", "eventName": "GetObject",
                 "userIdentity": {"type": "IAMUser", "userName": "ci", "accessKeyId": "AKIAQ3EXAMPLEKEYID01"}},
                {"eventTime": "2026-10-05T11:30:00Z", "eventName": "PutObject",
                 "userIdentity": {"type": "IAMUser", "userName": "ci", "accessKeyId": "AKIAQ3EXAMPLEKEYID01"}},
                {"eventTime": "2026-10-06T00:00:00Z", "eventName": "ConsoleLogin",
                 "userIdentity": {"type": "Root"}}
            ]}"#,
        )
        .unwrap();
        let entries = parse(Path::new("trail.json"), value).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            entries[0].subject,
            Subject::KeyId("AKIAQ3EXAMPLEKEYID01".into())
        );
        let used = entries[0].record.last_used.as_ref().unwrap();
        assert_eq!(format_rfc3339(used.at), "2026-10-05T11:30:00Z");
        assert_eq!(entries[0].record.user.as_deref(), Some("ci"));
    }

    #[test]
    fn lookup_events_output_is_read_too() {
        let value = serde_json::json!({"Events": [
            {"EventName": "ListBuckets", "EventTime": 1_790_000_000.0, "Username": "deploy",
             "AccessKeyId": "AKIAQ3EXAMPLEKEYID02"}
        ]});
        let entries = parse(Path::new("lookup.json"), value).unwrap();
        assert_eq!(entries[0].record.user.as_deref(), Some("deploy"));
        let err = parse(
            Path::new("t.json"),
            serde_json::json!({"Records": [{"x": 1}]}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("eventTime"), "{err}");
    }
}
