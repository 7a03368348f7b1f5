//! Kubernetes `ExternalSecret` manifests (External Secrets Operator): each names a secret store
//! (`secretStoreRef`) and the store entries (`remoteRef.key`, `dataFrom[].extract.key`) that
//! become a Kubernetes Secret. They hold no value, only references: the inventory lists them as
//! centrally managed names, so a reader sees which secrets are fetched from a store rather than
//! kept in files.

use serde::Serialize;
use yaml_rust2::{Yaml, YamlLoader};

/// One store entry an ExternalSecret reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteRef {
    /// The key in the resulting Kubernetes Secret (`data[].secretKey`); none for `dataFrom`.
    pub secret_key: Option<String>,
    /// The entry in the store (`remoteRef.key` or `extract.key`).
    pub remote_key: String,
    /// The field within the entry (`remoteRef.property`).
    pub property: Option<String>,
}

/// One ExternalSecret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagedSecret {
    /// The manifest file.
    pub path: String,
    /// The line of its `kind: ExternalSecret`.
    pub line: usize,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, if given.
    pub namespace: Option<String>,
    /// `spec.secretStoreRef.name`.
    pub store: String,
    /// `spec.secretStoreRef.kind` (SecretStore by default).
    pub store_kind: String,
    /// The Kubernetes Secret it creates (`spec.target.name`, by default its own name).
    pub target: String,
    /// The entries it reads.
    pub refs: Vec<RemoteRef>,
}

/// Whether a file at `path` holding `data` may hold ExternalSecrets (cheap; then [`parse`]).
pub fn may_hold(path: &str, data: &[u8]) -> bool {
    let lower = path.to_ascii_lowercase();
    (lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json"))
        && memchr::memmem::find(data, b"ExternalSecret").is_some()
}

/// Every ExternalSecret in the YAML or JSON `data` of the file at `path`; text that does not
/// parse as YAML holds none.
pub fn parse(path: &str, data: &[u8]) -> Vec<ManagedSecret> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Vec::new();
    };
    let Ok(documents) = YamlLoader::load_from_str(text) else {
        return Vec::new();
    };
    let kind_lines = kind_lines(text);
    let mut found = Vec::new();
    let mut nth = 0;
    for doc in &documents {
        // `kubectl get -o yaml` wraps objects in a List.
        let items: Vec<&Yaml> = match doc["items"].as_vec() {
            Some(items) if doc["kind"].as_str() == Some("List") => items.iter().collect(),
            _ => vec![doc],
        };
        for item in items {
            if item["kind"].as_str() != Some("ExternalSecret") {
                continue;
            }
            let line = kind_lines.get(nth).copied().unwrap_or(1);
            nth += 1;
            if let Some(secret) = external_secret(path, line, item) {
                found.push(secret);
            }
        }
    }
    found
}

/// The line of each `kind: ExternalSecret` (YAML) or `"kind": "ExternalSecret"` (JSON).
fn kind_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let t = line.trim().trim_start_matches('"');
            (t.starts_with("kind:") || t.starts_with("kind\":"))
                && t.contains("ExternalSecret")
                && !t.contains("ClusterExternalSecret")
        })
        .map(|(i, _)| i + 1)
        .collect()
}

fn text(node: &Yaml) -> Option<String> {
    node.as_str().map(str::to_string)
}

fn external_secret(path: &str, line: usize, item: &Yaml) -> Option<ManagedSecret> {
    let name = text(&item["metadata"]["name"])?;
    let spec = &item["spec"];
    let store_ref = &spec["secretStoreRef"];
    let mut refs = Vec::new();
    for data in spec["data"].as_vec().into_iter().flatten() {
        if let Some(remote_key) = text(&data["remoteRef"]["key"]) {
            refs.push(RemoteRef {
                secret_key: text(&data["secretKey"]),
                remote_key,
                property: text(&data["remoteRef"]["property"]),
            });
        }
    }
    for from in spec["dataFrom"].as_vec().into_iter().flatten() {
        if let Some(remote_key) = text(&from["extract"]["key"]) {
            refs.push(RemoteRef {
                secret_key: None,
                remote_key,
                property: None,
            });
        }
    }
    Some(ManagedSecret {
        path: path.to_string(),
        line,
        namespace: text(&item["metadata"]["namespace"]),
        store: text(&store_ref["name"]).unwrap_or_default(),
        store_kind: text(&store_ref["kind"]).unwrap_or_else(|| "SecretStore".into()),
        target: text(&spec["target"]["name"]).unwrap_or_else(|| name.clone()),
        name,
        refs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: ExternalSecret-free
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: billing-db
  namespace: payments
spec:
  refreshInterval: 1h
  secretStoreRef:
    name: vault-backend
    kind: ClusterSecretStore
  target:
    name: billing-db-credentials
  data:
    - secretKey: password
      remoteRef:
        key: secret/payments/db
        property: password
  dataFrom:
    - extract:
        key: secret/payments/stripe
";

    #[test]
    fn reads_store_target_and_every_reference() {
        assert!(may_hold("deploy/es.yaml", MANIFEST.as_bytes()));
        let found = parse("deploy/es.yaml", MANIFEST.as_bytes());
        assert_eq!(found.len(), 1);
        let es = &found[0];
        assert_eq!((es.line, es.name.as_str()), (9, "billing-db"));
        assert_eq!(es.namespace.as_deref(), Some("payments"));
        assert_eq!(
            (es.store.as_str(), es.store_kind.as_str()),
            ("vault-backend", "ClusterSecretStore")
        );
        assert_eq!(es.target, "billing-db-credentials");
        assert_eq!(
            es.refs,
            vec![
                RemoteRef {
                    secret_key: Some("password".into()),
                    remote_key: "secret/payments/db".into(),
                    property: Some("password".into()),
                },
                RemoteRef {
                    secret_key: None,
                    remote_key: "secret/payments/stripe".into(),
                    property: None,
                },
            ]
        );
    }

    #[test]
    fn broken_yaml_and_other_kinds_hold_none() {
        assert!(parse("a.yaml", b"kind: ExternalSecret\n  bad: [indent").is_empty());
        assert!(parse("a.yaml", b"kind: Secret\nmetadata: {name: x}\n").is_empty());
        assert!(!may_hold("a.txt", MANIFEST.as_bytes()));
    }
}
