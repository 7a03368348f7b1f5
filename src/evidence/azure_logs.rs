//! Key Vault data-plane logs from Log Analytics: `az monitor log-analytics query` rows of
//! `AzureDiagnostics` (one JSON object per row, or the REST API's `tables[].columns/rows`).
//! Each successful `SecretGet` names the secret it read in `id_s`
//! (`https://VAULT.vault.azure.net/secrets/NAME/VERSION`, any version); the latest
//! `TimeGenerated` per secret is its last use. Subjects are `azure-kv:VAULT/NAME`.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;
use serde_json::Value;

use super::{
    at_start, azure_kv::vault_and_name, export_source, json_list, json_time, normalize_store,
    Dated, Entry, Record, Subject,
};
use crate::error::Result;

const KIND: &str = "az monitor log-analytics query";

/// The rows of the first table of a Log Analytics REST response (`{"tables": [{"columns":
/// [{"name"}], "rows": [[...]]}]}`) as one object per row, the shape the CLI prints.
pub fn rows_of_tables(value: &Value) -> Option<Value> {
    let table = value.get("tables")?.as_array()?.first()?;
    let columns: Vec<&str> = table
        .get("columns")?
        .as_array()?
        .iter()
        .map(|c| c.get("name").and_then(Value::as_str).unwrap_or_default())
        .collect();
    let rows = table.get("rows")?.as_array()?;
    Some(Value::Array(
        rows.iter()
            .map(|row| {
                let cells = row.as_array().map(Vec::as_slice).unwrap_or_default();
                Value::Object(
                    columns
                        .iter()
                        .zip(cells)
                        .map(|(name, cell)| (name.to_string(), cell.clone()))
                        .collect(),
                )
            })
            .collect(),
    ))
}

/// Whether a row records a failed call (forbidden, not found): no use of the secret.
fn failed(row: &Value) -> bool {
    let status = row.get("httpStatusCode_d").and_then(|v| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    });
    let result = row.get("ResultType").and_then(Value::as_str);
    status.is_some_and(|s| !(200.0..300.0).contains(&s))
        || result.is_some_and(|r| !r.eq_ignore_ascii_case("success"))
}

/// Reads the rows (already unwrapped from `tables` if the export was a REST response).
pub fn parse(path: &Path, value: Value) -> Result<Vec<Entry>> {
    let source = export_source(path, KIND);
    let rows = json_list(
        path,
        &value,
        "",
        "a JSON array of AzureDiagnostics rows (az monitor log-analytics query)",
    )?;
    let mut last_use: BTreeMap<String, Timestamp> = BTreeMap::new();
    let mut timed = 0usize;
    for (index, row) in rows.iter().enumerate() {
        let Some(at) = json_time(row.get("TimeGenerated")) else {
            continue;
        };
        timed += 1;
        if row.get("OperationName").and_then(Value::as_str) != Some("SecretGet") || failed(row) {
            continue;
        }
        let id = row.get("id_s").and_then(Value::as_str).unwrap_or_default();
        let (vault, name) = vault_and_name(id).ok_or_else(|| {
            at_start(
                path,
                format!(
                    "row {}: a SecretGet without an `id_s` of the form https://VAULT.vault.azure.net/secrets/NAME",
                    index + 1
                ),
            )
        })?;
        let store =
            normalize_store(&format!("azure-kv:{vault}/{name}")).map_err(|m| at_start(path, m))?;
        let slot = last_use.entry(store).or_insert(at);
        *slot = (*slot).max(at);
    }
    if timed == 0 && !rows.is_empty() {
        return Err(at_start(
            path,
            "expected AzureDiagnostics rows with `TimeGenerated`: none has one".into(),
        ));
    }
    Ok(last_use
        .into_iter()
        .map(|(store, at)| {
            let record = Record {
                last_used: Some(Dated {
                    at,
                    source: source.clone(),
                }),
                ..Record::default()
            };
            Entry::new(Subject::Store(store), record)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_rfc3339;

    #[test]
    fn the_latest_successful_secret_get_is_the_last_use() {
        let value = serde_json::json!([
            {"TableName": "PrimaryResult", "TimeGenerated": "2026-03-01T09:00:00Z", "OperationName": "SecretGet",
             "id_s": "https://Acme-Prod.vault.azure.net/secrets/DB-Password/0a1b2c", "ResultType": "Success",
             "httpStatusCode_d": 200},
            {"TableName": "PrimaryResult", "TimeGenerated": "2026-04-01T09:00:00Z", "OperationName": "SecretGet",
             "id_s": "https://acme-prod.vault.azure.net/secrets/db-password/9f8e", "ResultType": "Success",
             "httpStatusCode_d": "200"},
            {"TableName": "PrimaryResult", "TimeGenerated": "2026-10-01T09:00:00Z", "OperationName": "SecretGet",
             "id_s": "https://acme-prod.vault.azure.net/secrets/db-password", "ResultType": "Forbidden",
             "httpStatusCode_d": 403},
            {"TableName": "PrimaryResult", "TimeGenerated": "2026-10-02T09:00:00Z", "OperationName": "SecretList",
             "id_s": "https://acme-prod.vault.azure.net/secrets"}
        ]);
        let entries = parse(Path::new("kv-logs.json"), value).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            entries[0].subject,
            Subject::Store("azure-kv:acme-prod/db-password".into())
        );
        let used = entries[0].record.last_used.as_ref().unwrap();
        assert_eq!(format_rfc3339(used.at), "2026-04-01T09:00:00Z");
        assert_eq!(used.source, "az monitor log-analytics query (kv-logs.json)");
        let err = parse(
            Path::new("l.json"),
            serde_json::json!([{"TimeGenerated": "2026-01-01T00:00:00Z", "OperationName": "SecretGet"}]),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("row 1: a SecretGet without"),
            "{err}"
        );
    }

    #[test]
    fn rest_tables_read_like_cli_rows() {
        let value = serde_json::json!({"tables": [{"name": "PrimaryResult",
            "columns": [{"name": "TimeGenerated", "type": "datetime"}, {"name": "OperationName", "type": "string"},
                        {"name": "id_s", "type": "string"}],
            "rows": [["2026-05-01T00:00:00Z", "SecretGet", "https://kv.vault.azure.net/secrets/api/1"]]}]});
        let rows = rows_of_tables(&value).unwrap();
        let entries = parse(Path::new("rest.json"), rows).unwrap();
        assert_eq!(entries[0].subject, Subject::Store("azure-kv:kv/api".into()));
    }
}
