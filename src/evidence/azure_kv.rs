//! `az keyvault secret list` JSON (and `list-deleted`): per secret its creation, last update,
//! expiry and enabled flag, and for deleted secrets when they were deleted. Subjects are
//! `azure-kv:VAULT/NAME`, the vault taken from the secret's id
//! (`https://VAULT.vault.azure.net/secrets/NAME`).

use std::path::Path;

use serde_json::Value;

use super::{
    at_start, dated, export_source, json_list, normalize_store, Entry, Record, Stated, Subject,
};
use crate::error::Result;

/// The export, as reasons name it.
const KIND: &str = "az keyvault secret list";

/// Reads the export (the parsed JSON of `path`).
pub fn parse(path: &Path, value: Value) -> Result<Vec<Entry>> {
    let source = export_source(path, KIND);
    let list = json_list(
        path,
        &value,
        "",
        "a JSON array of secrets (az keyvault secret list)",
    )?;
    let mut entries = Vec::new();
    for (index, secret) in list.iter().enumerate() {
        let id = secret
            .get("id")
            .or_else(|| secret.get("recoveryId"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let (vault, name) = vault_and_name(id).ok_or_else(|| {
            at_start(
                path,
                format!(
                    "secret {} has no `id` of the form https://VAULT.vault.azure.net/secrets/NAME",
                    index + 1
                ),
            )
        })?;
        let store =
            normalize_store(&format!("azure-kv:{vault}/{name}")).map_err(|m| at_start(path, m))?;
        let attributes = secret.get("attributes").unwrap_or(&Value::Null);
        let record = Record {
            created: dated(attributes.get("created"), &source),
            rotated: dated(attributes.get("updated"), &source),
            expires: dated(attributes.get("expires"), &source),
            deleted: dated(secret.get("deletedDate"), &source),
            enabled: attributes
                .get("enabled")
                .and_then(Value::as_bool)
                .map(|value| Stated {
                    value,
                    source: source.clone(),
                }),
            ..Record::default()
        };
        entries.push(Entry::new(Subject::Store(store), record));
    }
    Ok(entries)
}

/// The vault and secret name in a Key Vault secret id, in any Azure cloud's domain.
pub(super) fn vault_and_name(id: &str) -> Option<(&str, &str)> {
    let rest = id.strip_prefix("https://")?;
    let (host, path) = rest.split_once('/')?;
    let vault = host.split('.').next().filter(|v| !v.is_empty())?;
    let mut segments = path.split('/');
    let kind = segments.next()?;
    let name = segments.next().filter(|n| !n.is_empty())?;
    matches!(kind, "secrets" | "deletedsecrets").then_some((vault, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_attributes_and_the_vault_from_the_id() {
        let value: Value = serde_json::from_str(
            r#"[
              {"attributes": {"created": "2025-02-01T10:00:00+00:00", "enabled": false,
                              "expires": null, "notBefore": null,
                              "recoveryLevel": "Recoverable+Purgeable",
                              "updated": "2025-08-01T10:00:00+00:00"},
               "contentType": null, "id": "https://Acme-Prod.vault.azure.net/secrets/db-password",
               "managed": null, "name": "db-password", "tags": {}}
            ]"#,
        )
        .unwrap();
        let entries = parse(Path::new("kv.json"), value).unwrap();
        assert_eq!(
            entries[0].subject,
            Subject::Store("azure-kv:acme-prod/db-password".into())
        );
        let record = &entries[0].record;
        assert!(!record.enabled.as_ref().unwrap().value);
        assert!(record.expires.is_none());
        assert!(record.rotated.is_some());
        assert_eq!(
            vault_and_name("https://v.vault.usgovcloudapi.net/secrets/n/0a1b"),
            Some(("v", "n"))
        );
        assert!(parse(Path::new("k.json"), serde_json::json!([{"attributes": {}}])).is_err());
    }
}
