//! Store references (`aws-sm:NAME`, `gcp-sm:NAME`, `azure-kv:VAULT/NAME`, `vault:PATH`,
//! `entra:APP_ID/KEY_ID`), normalised so that a manifest's and an export's spellings meet.

/// The store prefixes a manifest `store` may use.
pub const STORE_PREFIXES: &[&str] = &["aws-sm:", "gcp-sm:", "azure-kv:", "vault:", "entra:"];

/// Normalises a store reference so a manifest's and an export's spellings meet: a Vault path
/// loses its `#field`, leading slash and KV v2 `data/` or `metadata/` segment; an Azure vault
/// vault and secret name are lower-cased (Key Vault compares them so); an Entra credential's
/// application and key ids must be GUIDs, lower-cased. Errors say what is expected.
pub fn normalize_store(store: &str) -> std::result::Result<String, String> {
    let expected =
        "expected aws-sm:NAME, gcp-sm:NAME, azure-kv:VAULT/NAME, vault:PATH or entra:APP_ID/KEY_ID";
    let (prefix, rest) = store
        .split_once(':')
        .ok_or_else(|| format!("unknown store: {expected}"))?;
    let rest = rest.trim();
    if rest.is_empty() {
        return Err(format!("store `{prefix}:` names no entry: {expected}"));
    }
    match prefix {
        // An ARN names the secret too, with six random characters AWS appends.
        "aws-sm" => {
            let name = match rest.split_once(":secret:") {
                Some((_, tail)) if rest.starts_with("arn:") => match tail.rsplit_once('-') {
                    Some((name, suffix)) if suffix.len() == 6 => name,
                    _ => tail,
                },
                _ => rest,
            };
            Ok(format!("aws-sm:{name}"))
        }
        // A full resource name names the secret by its last segment.
        "gcp-sm" => match rest.rsplit_once("/secrets/").map_or(rest, |(_, name)| name) {
            "" => Err(format!("store `{store}` names no secret: gcp-sm:NAME")),
            name => Ok(format!("gcp-sm:{name}")),
        },
        "azure-kv" => match rest.split_once('/') {
            Some((vault, name)) if !vault.is_empty() && !name.is_empty() && !name.contains('/') => {
                Ok(format!(
                    "azure-kv:{}/{}",
                    vault.to_ascii_lowercase(),
                    name.to_ascii_lowercase()
                ))
            }
            _ => Err(format!(
                "store `{store}` needs a vault and a secret name: azure-kv:VAULT/NAME"
            )),
        },
        "vault" => {
            let path = rest.split('#').next().unwrap_or_default().trim_matches('/');
            let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            if segments.len() > 2 && matches!(segments[1], "data" | "metadata") {
                segments.remove(1);
            }
            if segments.is_empty() {
                return Err(format!("store `{store}` names no path: vault:PATH"));
            }
            Ok(format!("vault:{}", segments.join("/")))
        }
        "entra" => match rest.split_once('/') {
            Some((app, key)) if is_guid(app) && is_guid(key) => Ok(format!(
                "entra:{}/{}",
                app.to_ascii_lowercase(),
                key.to_ascii_lowercase()
            )),
            _ => Err(format!(
                "store `{store}` needs an application (client) id and a credential key id, both GUIDs: entra:APP_ID/KEY_ID"
            )),
        },
        _ => Err(format!("unknown store `{prefix}:`: {expected}")),
    }
}

/// Whether `text` is a GUID (`8-4-4-4-12` hex digits), as Entra ids are.
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The key id an Entra store (`entra:APP_ID/KEY_ID`, normalised) names.
pub fn entra_key_id(store: &str) -> Option<&str> {
    store
        .strip_prefix("entra:")?
        .split_once('/')
        .map(|(_, key)| key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_normalise_so_manifest_and_export_meet() {
        assert_eq!(
            normalize_store("vault:/secret/data/app/db#password").unwrap(),
            "vault:secret/app/db"
        );
        assert_eq!(
            normalize_store("vault:kv/billing#stripe").unwrap(),
            "vault:kv/billing"
        );
        assert_eq!(
            normalize_store("azure-kv:MyVault/db-password").unwrap(),
            "azure-kv:myvault/db-password"
        );
        assert_eq!(normalize_store("aws-sm:prod/db").unwrap(), "aws-sm:prod/db");
        assert_eq!(
            normalize_store(
                "aws-sm:arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-a1B2c3"
            )
            .unwrap(),
            "aws-sm:prod/db"
        );
        assert_eq!(
            normalize_store("gcp-sm:projects/acme-prod/secrets/db-password").unwrap(),
            "gcp-sm:db-password"
        );
        assert!(normalize_store("s3:bucket")
            .unwrap_err()
            .contains("expected aws-sm:NAME"));
        assert!(normalize_store("azure-kv:only").is_err());
        assert_eq!(
            normalize_store(
                "entra:3F2A1B0C-9D8E-4F7A-B6C5-D4E3F2A1B0C9/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
            )
            .unwrap(),
            "entra:3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
        );
        assert_eq!(
            entra_key_id(
                "entra:3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
            ),
            Some("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")
        );
        for bad in [
            "entra:app/key",
            "entra:3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9",
            "entra:",
        ] {
            assert!(normalize_store(bad).is_err(), "{bad}");
        }
        assert!(normalize_store("entra:x/y")
            .unwrap_err()
            .contains("entra:APP_ID/KEY_ID"));
        assert!(normalize_store("vault:").is_err());
    }
}
