//! The exports keyaudit reads as evidence, in one table ([`EXPORTS`]): an export is registered
//! there and nowhere else. Recognising a file, reading it, the `--evidence` help and the error
//! for a file that is none of them all come from the table (`docs/reference/evidence.md` lists
//! the same exports; a test checks that it and the help name every one).

use std::path::Path;

use serde_json::Value;

use super::aws_iam::{self, AccessKeyList, CredentialReport};
use super::{
    at_start, aws_sm, azure_kv, azure_logs, cloudtrail, entra, gcp_iam, gcp_sm, json_error,
    normalize_store, source_name, vault, Entry, EvidenceArg, LoadContext,
};
use crate::error::{Error, Result};

/// How an export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma-separated values with a header line.
    Csv,
    /// One JSON document.
    Json,
}

impl FileFormat {
    /// `CSV` or `JSON`, as the help says it.
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "CSV",
            FileFormat::Json => "JSON",
        }
    }
}

/// One export keyaudit reads.
pub struct Export {
    /// What the help, the docs and errors call it.
    pub name: &'static str,
    /// The command that writes it.
    pub command: &'static str,
    /// How it is written.
    pub format: FileFormat,
    /// What it tells about a key.
    pub proves: &'static str,
    /// Whether a document is this export: a CSV file's first line, or a test of the JSON
    /// (already in list shape, see [`as_list`]).
    recognise: Recognise,
    /// Reads it.
    read: fn(Input<'_>) -> Result<Read>,
}

/// How an export is told from the others.
enum Recognise {
    /// A CSV file whose header starts so.
    CsvHeader(&'static str),
    /// A JSON document that passes the test.
    Json(fn(&Value) -> bool),
}

/// What a reader gets: the file, its argument, its text and, for JSON, the document.
pub(super) struct Input<'a> {
    path: &'a Path,
    arg: &'a EvidenceArg,
    text: &'a str,
    value: Value,
    context: &'a LoadContext<'a>,
    notes: &'a mut Vec<String>,
}

/// What a reader read: records, or one half of the AWS IAM pair, which are joined once every
/// file is read.
pub(super) enum Read {
    /// Records about subjects.
    Entries(Vec<Entry>),
    /// A credential report.
    CredentialReport(CredentialReport),
    /// An access key list.
    AccessKeyList(AccessKeyList),
}

/// Every export, in the order their tests run: the first that matches a document wins. Object
/// and list tests never overlap; among lists, Azure Key Vault's (`attributes`) is the loosest,
/// so it is last.
pub const EXPORTS: &[Export] = &[
    Export {
        name: "AWS IAM credential report",
        command: "aws iam get-credential-report",
        format: FileFormat::Csv,
        proves: "each access key's creation (= last rotation), last use and whether it is \
                 active; joined to key ids through `aws iam list-access-keys`",
        recognise: Recognise::CsvHeader("user,arn,"),
        read: |input| {
            aws_iam::parse_credential_report(input.path, input.text).map(Read::CredentialReport)
        },
    },
    Export {
        name: "AWS IAM access key list",
        command: "aws iam list-access-keys",
        format: FileFormat::Json,
        proves: "which user each access key id belongs to, when it was created, whether it is \
                 active",
        recognise: Recognise::Json(|v| v.is_object() && has(v, "AccessKeyMetadata")),
        read: |input| {
            aws_iam::parse_access_key_list(input.path, input.text).map(Read::AccessKeyList)
        },
    },
    Export {
        name: "AWS Secrets Manager secret list",
        command: "aws secretsmanager list-secrets",
        format: FileFormat::Json,
        proves: "a secret's creation, last rotation and last access, rotation on or off and its \
                 period, next rotation, deletion",
        recognise: Recognise::Json(|v| v.is_object() && has(v, "SecretList")),
        read: |input| aws_sm::parse(input.path, input.value).map(Read::Entries),
    },
    Export {
        name: "AWS CloudTrail events",
        command: "aws cloudtrail lookup-events",
        format: FileFormat::Json,
        proves: "the last use of each access key id (a trail's log files too)",
        recognise: Recognise::Json(|v| {
            v.is_object()
                && (v.get("Records").is_some_and(Value::is_array)
                    || v.get("Events").is_some_and(Value::is_array))
        }),
        read: |input| cloudtrail::parse(input.path, input.value).map(Read::Entries),
    },
    Export {
        name: "Vault KV v2 metadata",
        command: "vault kv metadata get -format=json",
        format: FileFormat::Json,
        proves: "a secret's creation, last change, versions, whether its current version is \
                 deleted; pass it as vault:PATH=FILE, since it does not name its path",
        recognise: Recognise::Json(|v| {
            vault_data(v).is_some_and(|d| has(d, "current_version") || has(d, "versions"))
        }),
        read: |mut input| {
            let store = vault_kv_store(&mut input)?;
            vault::parse_kv_metadata(input.path, input.value, &store).map(Read::Entries)
        },
    },
    Export {
        name: "Vault token lookup",
        command: "vault token lookup -format=json",
        format: FileFormat::Json,
        proves: "a token's creation, expiry and policies (the token itself is fingerprinted and \
                 dropped)",
        recognise: Recognise::Json(|v| {
            vault_data(v).is_some_and(|d| has(d, "accessor") || has(d, "policies"))
        }),
        read: |input| {
            vault::parse_token_lookup(input.path, input.value, input.context.salt)
                .map(Read::Entries)
        },
    },
    Export {
        name: "Google Cloud Secret Manager secret list",
        command: "gcloud secrets list --format=json",
        format: FileFormat::Json,
        proves: "a secret's creation, expiry, rotation period and next rotation",
        recognise: Recognise::Json(|v| {
            first(v).is_some_and(|f| {
                let name = text(f, "name");
                name.starts_with("projects/") && name.contains("/secrets/")
            })
        }),
        read: |input| gcp_sm::parse(input.path, input.value).map(Read::Entries),
    },
    Export {
        name: "Google Cloud service-account keys",
        command: "gcloud iam service-accounts keys list --format=json",
        format: FileFormat::Json,
        proves: "a key's creation (= last rotation), expiry (or none), whether it is disabled",
        recognise: Recognise::Json(|v| {
            first(v).is_some_and(|f| {
                let name = text(f, "name");
                has(f, "validAfterTime")
                    || (name.contains("/serviceAccounts/") && name.contains("/keys/"))
            })
        }),
        read: |input| gcp_iam::parse_keys(input.path, input.value).map(Read::Entries),
    },
    Export {
        name: "Google Cloud key activity",
        command: "gcloud policy-intelligence query-activity --format=json",
        format: FileFormat::Json,
        proves: "the last authentication of each service-account key",
        recognise: Recognise::Json(|v| {
            first(v).is_some_and(|f| f.get("activity").is_some_and(Value::is_object))
        }),
        read: |input| gcp_iam::parse_activity(input.path, input.value).map(Read::Entries),
    },
    Export {
        name: "Cloud Audit Logs",
        command: "gcloud logging read --format=json",
        format: FileFormat::Json,
        proves: "the last call made with each service-account key",
        recognise: Recognise::Json(|v| {
            first(v).is_some_and(|f| has(f, "protoPayload") || has(f, "logName"))
        }),
        read: |input| gcp_iam::parse_audit_logs(input.path, input.value).map(Read::Entries),
    },
    Export {
        name: "Entra application credentials",
        command: "az ad app credential list",
        format: FileFormat::Json,
        proves: "a credential's creation and expiry, and its secret's hint (checked, never \
                 reported)",
        recognise: Recognise::Json(|v| {
            first(v).is_some_and(|f| {
                has(f, "keyId")
                    && ["startDateTime", "endDateTime", "hint"]
                        .iter()
                        .any(|k| has(f, k))
            })
        }),
        read: |input| entra::parse_credentials(input.path, input.value).map(Read::Entries),
    },
    Export {
        name: "Entra sign-in logs",
        command: "az rest -u https://graph.microsoft.com/beta/auditLogs/signIns",
        format: FileFormat::Json,
        proves: "the last successful sign-in with each credential",
        recognise: Recognise::Json(|v| first(v).is_some_and(entra::is_sign_in)),
        read: |input| entra::parse_sign_ins(input.path, input.value).map(Read::Entries),
    },
    Export {
        name: "Azure Key Vault logs",
        command: "az monitor log-analytics query",
        format: FileFormat::Json,
        proves: "the last successful read (SecretGet) of each secret",
        recognise: Recognise::Json(|v| {
            first(v).is_some_and(|f| has(f, "OperationName") || has(f, "TimeGenerated"))
        }),
        read: |input| azure_logs::parse(input.path, input.value).map(Read::Entries),
    },
    Export {
        name: "Azure Key Vault secret list",
        command: "az keyvault secret list",
        format: FileFormat::Json,
        proves: "a secret's creation, last update (= last rotation), expiry, whether it is \
                 enabled or deleted",
        recognise: Recognise::Json(|v| {
            first(v).is_some_and(|f| text(f, "id").contains(".vault.") || has(f, "attributes"))
        }),
        read: |input| azure_kv::parse(input.path, input.value).map(Read::Entries),
    },
];

/// The `--evidence` help: what the option takes, then every export in [`EXPORTS`].
pub fn help() -> String {
    let mut help = String::from(
        "An export from a key store or log, read offline and recognised by its content \
         (repeatable). An export that does not name its store entry is passed as STORE=FILE \
         (vault:PATH=FILE). The exports keyaudit reads:\n",
    );
    for export in EXPORTS {
        help.push_str(&format!(
            "\n- {} ({}, `{}`): {}.\n",
            export.name,
            export.format.as_str(),
            export.command,
            export.proves
        ));
    }
    help
}

/// Reads one export: recognises it from its content, then hands it to its reader.
pub(super) fn read(
    arg: &EvidenceArg,
    text: &str,
    context: &LoadContext<'_>,
    notes: &mut Vec<String>,
) -> Result<Read> {
    let path = arg.path.as_path();
    let (export, value) = recognise(path, text)?;
    let Some(export) = export else {
        return Ok(Read::Entries(Vec::new()));
    };
    (export.read)(Input {
        path,
        arg,
        text,
        value,
        context,
        notes,
    })
}

/// Which export `text` is, and its JSON document in list shape (null for CSV). No export for
/// an empty list: every list command prints `[]` when it has nothing to list.
fn recognise(path: &Path, text: &str) -> Result<(Option<&'static Export>, Value)> {
    let csv = EXPORTS.iter().find(|e| match e.recognise {
        Recognise::CsvHeader(header) => text.trim_start().starts_with(header),
        Recognise::Json(_) => false,
    });
    if csv.is_some() {
        return Ok((csv, Value::Null));
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|err| json_error(path, &err, "JSON or an IAM credential report (CSV)"))?;
    let value = as_list(value);
    if value.as_array().is_some_and(Vec::is_empty) {
        return Ok((None, value));
    }
    let export = EXPORTS
        .iter()
        .find(|e| match e.recognise {
            Recognise::Json(test) => test(&value),
            Recognise::CsvHeader(_) => false,
        })
        .ok_or_else(|| unrecognised(path))?;
    Ok((Some(export), value))
}

fn has(value: &Value, key: &str) -> bool {
    value.get(key).is_some()
}

fn text<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The first entry of a list export.
fn first(value: &Value) -> Option<&Value> {
    value.as_array()?.first()
}

/// The `data` object of a Vault CLI response.
fn vault_data(value: &Value) -> Option<&Value> {
    value.as_object()?.get("data")
}

/// A single entry, as `aws secretsmanager describe-secret`, `gcloud secrets describe`, `gcloud
/// iam service-accounts keys describe` and `az keyvault secret show` print it, one log entry or
/// sign-in, CloudTrail events not wrapped in `Records`, or rows wrapped in a Graph `value` or a
/// Log Analytics `tables`, in the shape of the matching list output.
fn as_list(value: Value) -> Value {
    let text = |key: &str| text(&value, key);
    // CloudTrail: one event, one delivered through EventBridge (`detail`), or a bare array of
    // events (`jq .Records`).
    let is_event = |v: &Value| v.get("eventTime").is_some() && v.get("userIdentity").is_some();
    if is_event(&value) {
        return serde_json::json!({ "Records": [value] });
    }
    if let Some(detail) = value.get("detail").filter(|d| is_event(d)) {
        return serde_json::json!({ "Records": [detail] });
    }
    if first(&value).is_some_and(is_event) {
        return serde_json::json!({ "Records": value });
    }
    // Graph sign-in logs and the Log Analytics REST response wrap their rows.
    if value.get("value").is_some_and(Value::is_array) && value.get("@odata.context").is_some()
        || value
            .get("value")
            .and_then(first)
            .is_some_and(entra::is_sign_in)
    {
        return value["value"].clone();
    }
    if let Some(rows) = azure_logs::rows_of_tables(&value) {
        return rows;
    }
    // One Cloud Audit Logs entry, one sign-in (`signIns/{id}`).
    let log_entry = value.get("protoPayload").is_some() && value.get("timestamp").is_some();
    if log_entry || entra::is_sign_in(&value) {
        return Value::Array(vec![value]);
    }
    let gcp_key = text("name").contains("/serviceAccounts/") && text("name").contains("/keys/");
    let aws = value.get("ARN").is_some() && value.get("Name").is_some();
    let gcp = text("name").starts_with("projects/") && text("name").contains("/secrets/");
    let azure = text("id").contains(".vault.") && text("id").contains("/secrets/");
    if aws {
        serde_json::json!({ "SecretList": [value] })
    } else if gcp || azure || gcp_key {
        Value::Array(vec![value])
    } else {
        value
    }
}

/// The store a Vault KV metadata read is about: named on the command line, else the only
/// `vault:` store the manifest declares.
fn vault_kv_store(input: &mut Input<'_>) -> Result<String> {
    if let Some(store) = &input.arg.store {
        return Ok(store.clone());
    }
    if let Some(named) = input.value.pointer("/data/path").and_then(Value::as_str) {
        return normalize_store(&format!("vault:{named}")).map_err(|m| at_start(input.path, m));
    }
    match input.context.vault_stores.as_slice() {
        [only] => {
            input.notes.push(format!(
                "{}: Vault KV metadata names no path; linked to {only}, the only vault store in the manifest",
                source_name(input.path)
            ));
            Ok(only.clone())
        }
        _ => Err(at_start(
            input.path,
            "Vault KV metadata does not name its secret path: pass it as --evidence vault:PATH=FILE"
                .into(),
        )),
    }
}

/// A file that is none of the exports: the error names every one.
fn unrecognised(path: &Path) -> Error {
    let names: Vec<String> = EXPORTS
        .iter()
        .map(|e| format!("{} (`{}`)", e.name, e.command))
        .collect();
    at_start(
        path,
        format!(
            "unrecognised evidence: expected one of {}",
            names.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_export_is_in_the_help_and_the_unrecognised_error() {
        let help = help();
        let error = unrecognised(Path::new("x.json")).to_string();
        for export in EXPORTS {
            assert!(help.contains(export.name), "{}", export.name);
            assert!(help.contains(export.command), "{}", export.command);
            assert!(error.contains(export.name), "{}", export.name);
        }
        let mut names: Vec<&str> = EXPORTS.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EXPORTS.len(), "two exports share a name");
    }
}
