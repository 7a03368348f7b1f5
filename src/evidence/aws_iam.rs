//! AWS IAM evidence: the credential report (`aws iam get-credential-report`, CSV) and
//! `aws iam list-access-keys` (JSON). The report has no access key ids, only per-user slots
//! `access_key_1_*` and `access_key_2_*`; a slot's `last_rotated` is the creation date of the
//! key in it, so report rows join to listed keys by user name and creation time.

use std::path::Path;

use jiff::Timestamp;
use serde::Deserialize;

use super::{export_source, Dated, Record, Stated, Subject};
use crate::error::{Error, Result};
use crate::time::parse_date;

/// One access-key slot of one user in a credential report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSlot {
    /// The user.
    pub user: String,
    /// Whether the key in the slot is active.
    pub active: bool,
    /// Creation (last rotation) time of the key in the slot.
    pub last_rotated: Option<Timestamp>,
    /// Last use, if any.
    pub last_used: Option<Timestamp>,
}

/// A parsed credential report.
#[derive(Debug, Clone)]
pub struct CredentialReport {
    /// The file name.
    pub source: String,
    /// Every occupied slot.
    pub slots: Vec<ReportSlot>,
}

/// A key from `list-access-keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedKey {
    /// The user.
    pub user: String,
    /// The access key id.
    pub key_id: String,
    /// `Active` or `Inactive`.
    pub active: bool,
    /// Creation time.
    pub created: Option<Timestamp>,
}

/// A parsed `list-access-keys` output.
#[derive(Debug, Clone)]
pub struct AccessKeyList {
    /// The file name.
    pub source: String,
    /// The keys.
    pub keys: Vec<ListedKey>,
}

/// A report timestamp; `N/A`, `not_supported` and `no_information` mean none.
fn report_time(value: &str) -> Option<Timestamp> {
    match value.trim() {
        "" | "N/A" | "not_supported" | "no_information" => None,
        other => parse_date(other).ok(),
    }
}

/// Splits one CSV line, honouring double quotes.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Parses a credential report.
pub fn parse_credential_report(path: &Path, text: &str) -> Result<CredentialReport> {
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header = csv_fields(lines.next().unwrap_or_default());
    let column = |name: &str| -> Result<usize> {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| Error::Syntax {
                path: path.to_path_buf(),
                line: 1,
                column: 1,
                message: format!("credential report has no `{name}` column"),
            })
    };
    let user = column("user")?;
    let mut slot_columns = Vec::new();
    for n in 1..=2 {
        slot_columns.push((
            column(&format!("access_key_{n}_active"))?,
            column(&format!("access_key_{n}_last_rotated"))?,
            column(&format!("access_key_{n}_last_used_date"))?,
        ));
    }
    let mut slots = Vec::new();
    for (index, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields = csv_fields(line);
        if fields.len() < header.len() {
            return Err(Error::Syntax {
                path: path.to_path_buf(),
                line: index + 2,
                column: 1,
                message: format!(
                    "credential report row has {} fields, the header has {}",
                    fields.len(),
                    header.len()
                ),
            });
        }
        for &(active, rotated, used) in &slot_columns {
            let last_rotated = report_time(&fields[rotated]);
            if last_rotated.is_none() {
                continue;
            }
            slots.push(ReportSlot {
                user: fields[user].clone(),
                active: fields[active].trim() == "true",
                last_rotated,
                last_used: report_time(&fields[used]),
            });
        }
    }
    Ok(CredentialReport {
        source: export_source(path, "IAM credential report"),
        slots,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListSpec {
    access_key_metadata: Vec<MetadataSpec>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetadataSpec {
    user_name: String,
    access_key_id: String,
    status: String,
    create_date: String,
}

/// Parses `aws iam list-access-keys` JSON.
pub fn parse_access_key_list(path: &Path, text: &str) -> Result<AccessKeyList> {
    let spec: ListSpec = serde_json::from_str(text)
        .map_err(|err| super::json_error(path, &err, "`aws iam list-access-keys` JSON"))?;
    let keys = spec
        .access_key_metadata
        .into_iter()
        .map(|m| ListedKey {
            user: m.user_name,
            key_id: m.access_key_id,
            active: m.status == "Active",
            created: parse_date(&m.create_date).ok(),
        })
        .collect();
    Ok(AccessKeyList {
        source: export_source(path, "aws iam list-access-keys"),
        keys,
    })
}

/// Records joined from credential reports and key lists, each with the files it came from.
pub type Joined = Vec<(Subject, Record, String)>;

/// Joins listed keys to report slots by user and creation time (to the second). Returns the
/// records by access key id, and notes about what could not be joined.
pub fn join(reports: &[CredentialReport], lists: &[AccessKeyList]) -> (Joined, Vec<String>) {
    let mut joined = Vec::new();
    let mut notes = Vec::new();
    if !reports.is_empty() && lists.is_empty() {
        notes.push(
            "a credential report has no access key ids: add `aws iam list-access-keys` JSON to join it to keys"
                .to_string(),
        );
    }
    let at = |t: Option<Timestamp>, source: &str| {
        t.map(|at| Dated {
            at,
            source: source.to_string(),
        })
    };
    for list in lists {
        for key in &list.keys {
            let slot = reports.iter().find_map(|report| {
                report
                    .slots
                    .iter()
                    .find(|slot| {
                        slot.user == key.user
                            && key.created.is_some()
                            && slot.last_rotated.map(|t| t.as_second())
                                == key.created.map(|t| t.as_second())
                    })
                    .map(|slot| (report, slot))
            });
            if slot.is_none() && !reports.is_empty() {
                notes.push(format!(
                    "access key {} of user {} has no matching slot in the credential report",
                    key.key_id, key.user
                ));
            }
            // An access key is never rotated in place: its creation is its last rotation.
            let record = Record {
                user: Some(key.user.clone()),
                created: at(key.created, &list.source),
                rotated: at(key.created, &list.source),
                last_used: slot.and_then(|(report, slot)| at(slot.last_used, &report.source)),
                enabled: Some(Stated {
                    value: key.active,
                    source: list.source.clone(),
                }),
                tracks_use: slot.is_some(),
                ..Record::default()
            };
            let sources = match slot {
                Some((report, _)) => format!("{} + {}", report.source, list.source),
                None => list.source.clone(),
            };
            joined.push((Subject::KeyId(key.key_id.clone()), record, sources));
        }
    }
    (joined, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_rfc3339;

    const REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2026-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
deployer,arn:aws:iam::123456789012:user/deployer,2024-05-01T09:00:00+00:00,false,N/A,N/A,N/A,false,true,2025-01-10T08:00:00+00:00,2026-10-01T12:00:00+00:00,eu-west-1,s3,true,2026-06-01T10:30:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A
";

    const LIST: &str = r#"{
    "AccessKeyMetadata": [
        {"UserName": "deployer", "AccessKeyId": "AKIA2OLDKEYOLDKEY111", "Status": "Active", "CreateDate": "2025-01-10T08:00:00+00:00"},
        {"UserName": "deployer", "AccessKeyId": "AKIA2NEWKEYNEWKEY222", "Status": "Active", "CreateDate": "2026-06-01T10:30:00Z"}
    ]
}"#;

    #[test]
    fn joins_slots_to_keys_by_user_and_creation_time() {
        let report = parse_credential_report(Path::new("report.csv"), REPORT).unwrap();
        assert_eq!(report.slots.len(), 2, "root has no keys");
        let list = parse_access_key_list(Path::new("keys.json"), LIST).unwrap();
        let (joined, notes) = join(&[report], &[list]);
        let get = |id: &str| {
            joined
                .iter()
                .find(|(s, _, _)| *s == Subject::KeyId(id.into()))
                .unwrap()
        };
        let (_, old, sources) = get("AKIA2OLDKEYOLDKEY111");
        let used = old.last_used.as_ref().unwrap();
        assert_eq!(format_rfc3339(used.at), "2026-10-01T12:00:00Z");
        assert_eq!(used.source, "IAM credential report (report.csv)");
        assert_eq!(
            format_rfc3339(old.rotated.as_ref().unwrap().at),
            "2025-01-10T08:00:00Z"
        );
        assert_eq!(
            sources,
            "IAM credential report (report.csv) + aws iam list-access-keys (keys.json)"
        );
        let (_, new, _) = get("AKIA2NEWKEYNEWKEY222");
        assert_eq!(new.last_used, None, "N/A means never used");
        assert_eq!(
            format_rfc3339(new.rotated.as_ref().unwrap().at),
            "2026-06-01T10:30:00Z"
        );
        assert!(notes.is_empty());
    }

    #[test]
    fn a_report_alone_cannot_be_joined() {
        let report = parse_credential_report(Path::new("r.csv"), REPORT).unwrap();
        let (joined, notes) = join(&[report], &[]);
        assert!(joined.is_empty());
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn malformed_inputs_are_errors_with_positions() {
        let short = REPORT.replace(",false,N/A,false,N/A\n", "\n");
        let err = parse_credential_report(Path::new("r.csv"), &short).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("r.csv:2:1: credential report row has"),
            "{err}"
        );
        let err = parse_credential_report(Path::new("r.csv"), "user,arn\nx,y\n").unwrap_err();
        assert!(
            err.to_string().contains("no `access_key_1_active` column"),
            "{err}"
        );
        let err =
            parse_access_key_list(Path::new("k.json"), "{\"AccessKeyMetadata\": [{]}").unwrap_err();
        assert!(err.to_string().starts_with("k.json:1:"), "{err}");
        assert!(err.to_string().contains("list-access-keys"), "{err}");
    }

    #[test]
    fn csv_quotes_are_honoured() {
        assert_eq!(csv_fields(r#"a,"b,c","d""e""#), vec!["a", "b,c", "d\"e"]);
    }
}
