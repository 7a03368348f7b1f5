//! The CycloneDX 1.6 view: a cryptographic bill of materials (`docs/reference/report-format.md`). One
//! `cryptographic-asset` component per key, built from the [`Report`] model alone, so scan,
//! audit and merge reports all render. The document is deterministic: components in inventory
//! order (sorted by first location, then fingerprint), properties in a fixed order, and no
//! timestamp or random serial number. `KEYAUDIT_BOM_SERIAL=content` adds a `serialNumber`
//! derived from the content, so the same inventory always gets the same one.

use std::io::{self, Write};

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::{KeyEntry, Report};
use crate::inventory::Location;
use crate::manifest::KeyState;
use crate::rules::Kind;

/// The environment variable that asks for a content-derived `serialNumber`.
pub const SERIAL_ENV: &str = "KEYAUDIT_BOM_SERIAL";

/// `relatedCryptoMaterialProperties.type` of a rule kind.
pub fn material_type(kind: Kind) -> &'static str {
    match kind {
        Kind::PrivateKey => "private-key",
        Kind::Password => "password",
        Kind::Token => "token",
        Kind::ApiKey => "secret-key",
        Kind::ConnectionString | Kind::Certificate => "credential",
        Kind::Generic => "key",
    }
}

/// NIST SP 800-57 state of a manifest state (undeclared keys have none).
pub fn nist_state(state: KeyState) -> &'static str {
    match state {
        KeyState::Active => "active",
        KeyState::Deprecated | KeyState::Revoked => "deactivated",
        KeyState::Compromised => "compromised",
    }
}

fn property(name: &str, value: impl Into<String>) -> Value {
    json!({"name": format!("keyaudit:{name}"), "value": value.into()})
}

/// One `evidence.occurrences` entry: the path as `location`, the variable as `symbol`, and
/// what else tells two occurrences apart (source, repository, commit, column, decoding) as
/// `additionalContext`.
fn occurrence(location: &Location) -> Value {
    let mut context = vec![format!("source={}", source_name(location))];
    if let Some(repo) = &location.repo {
        context.push(format!("repo={repo}"));
    }
    if let Some(commit) = &location.commit {
        context.push(format!("commit={commit}"));
    }
    context.push(format!("column={}", location.column));
    if let Some(decoded) = &location.decoded {
        context.push(format!("decoded={decoded}"));
    }
    let mut entry = Map::new();
    entry.insert("location".into(), json!(location.path));
    entry.insert("line".into(), json!(location.line));
    if let Some(variable) = &location.variable {
        entry.insert("symbol".into(), json!(variable));
    }
    entry.insert("additionalContext".into(), json!(context.join(" ")));
    Value::Object(entry)
}

/// `file`, `git`, `staged` or `stdin`, as the JSON report names the source.
pub(crate) fn source_name(location: &Location) -> String {
    serde_json::to_value(location.source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The component of one key. Dates prefer the manifest, then what the key itself carries
/// (an expiry), then evidence from central stores.
fn component(key: &KeyEntry) -> Value {
    let audit = key.audit.as_ref();
    let declaration = audit.and_then(|a| a.declaration.as_ref());
    let evidence = audit.and_then(|a| a.evidence.as_ref());
    let date = |declared: Option<&String>, evidenced: Option<&crate::evidence::Dated>| {
        declared
            .cloned()
            .or_else(|| evidenced.map(|d| crate::time::format_rfc3339(d.at)))
    };
    let mut material = Map::new();
    material.insert("type".into(), json!(material_type(key.kind)));
    if let Some(id) = &key.key_id {
        material.insert("id".into(), json!(id));
    }
    if let Some(state) = declaration.map(|d| nist_state(d.state)) {
        material.insert("state".into(), json!(state));
    }
    let created = date(
        declaration.and_then(|d| d.created.as_ref()),
        evidence.and_then(|e| e.created.as_ref()),
    );
    let updated = date(
        declaration.and_then(|d| d.rotated.as_ref()),
        evidence.and_then(|e| e.rotated.as_ref()),
    );
    let expires = declaration
        .and_then(|d| d.expires.clone())
        .or_else(|| key.expires.clone())
        .or_else(|| date(None, evidence.and_then(|e| e.expires.as_ref())));
    for (field, value) in [
        ("creationDate", created),
        ("updateDate", updated),
        ("expirationDate", expires),
    ] {
        if let Some(value) = value {
            material.insert(field.into(), json!(value));
        }
    }
    let mut properties = vec![
        property("provider", key.provider.as_str()),
        property("rule", key.rule.as_str()),
        property("kind", key.kind.as_str()),
        property("redacted", key.redacted.as_str()),
        property("privilege", key.privilege.as_str()),
        property("privilege_evidence", key.privilege_evidence.as_str()),
        property("environment", key.environment.as_str()),
        property("environment_evidence", key.environment_evidence.as_str()),
        property("lifetime", key.lifetime.as_str()),
        property("in_current_tree", key.in_current_tree.to_string()),
    ];
    if let Some(first) = &key.first_seen {
        properties.push(property("first_seen_commit", first.commit.as_str()));
        properties.push(property(
            "first_seen_date",
            crate::time::format_rfc3339(first.date),
        ));
    }
    if let Some(rotate) = &key.rotate {
        properties.push(property("rotate", rotate.as_str()));
    }
    if let Some(v) = &key.verification {
        properties.push(property("verification:status", v.status.as_str()));
        properties.push(property(
            "verification:checked_at",
            v.checked_at.to_string(),
        ));
        for (name, value) in [
            ("verification:endpoint", &v.endpoint),
            ("verification:identity", &v.identity),
            ("verification:expires", &v.expires),
            ("verification:note", &v.note),
        ] {
            if let Some(value) = value {
                properties.push(property(name, value.as_str()));
            }
        }
        if let Some(scopes) = &v.scopes {
            properties.push(property("verification:scopes", scopes.join(",")));
        }
    }
    if let Some(audit) = audit {
        if let Some(id) = &audit.declared_as {
            properties.push(property("declared_as", id.as_str()));
        }
        if let Some(d) = declaration {
            properties.push(property("state", d.state.as_str()));
            if let Some(store) = &d.store {
                properties.push(property("store", store.as_str()));
            }
        }
        let flags: Vec<&str> = audit.flags.iter().map(|f| f.as_str()).collect();
        properties.push(property(
            "flags",
            if flags.is_empty() {
                "none".to_string()
            } else {
                flags.join(",")
            },
        ));
        for reason in &audit.reasons {
            properties.push(property("reason", reason.as_str()));
        }
        if let Some(age) = audit.age_days {
            properties.push(property("age_days", age.to_string()));
        }
    }
    let name = audit
        .and_then(|a| a.declared_as.clone())
        .unwrap_or_else(|| key.rule.clone());
    // A report read back from JSON (merge) has no rule names: the id stands in.
    let rule_name = if key.rule_name.is_empty() {
        &key.rule
    } else {
        &key.rule_name
    };
    json!({
        "type": "cryptographic-asset",
        "bom-ref": key.fingerprint,
        "name": name,
        "description": format!("{} ({})", rule_name, key.provider),
        "cryptoProperties": {
            "assetType": "related-crypto-material",
            "relatedCryptoMaterialProperties": material,
        },
        "evidence": {
            "occurrences": key.locations.iter().map(occurrence).collect::<Vec<_>>(),
        },
        "properties": properties,
    })
}

/// Document-level facts: the run's roots, completeness, the salt id, and the declared keys
/// found nowhere (they are not components: nothing was found).
fn metadata_properties(report: &Report) -> Vec<Value> {
    let mut properties = vec![
        property(
            "report",
            if report.summary.flagged.is_some() {
                "audit"
            } else {
                "scan"
            },
        ),
        property("complete", report.summary.complete.to_string()),
        property("salt_id", report.scan.salt_id.as_str()),
    ];
    properties.extend(
        report
            .scan
            .roots
            .iter()
            .map(|r| property("root", r.as_str())),
    );
    if let Some(manifest) = &report.summary.manifest {
        properties.push(property("manifest", manifest.as_str()));
    }
    if let Some(flagged) = &report.summary.flagged {
        for (class, count) in flagged {
            properties.push(property(&format!("count:{class}"), count.to_string()));
        }
    }
    properties.extend(
        report
            .unused
            .iter()
            .map(|u| property("unused", u.id.as_str())),
    );
    properties.extend(
        report
            .scan
            .errors
            .iter()
            .map(|e| property("error", format!("{}: {}", e.path, e.message))),
    );
    properties
}

/// A UUID (RFC 4122 layout, version 5 bits) from the SHA-256 of `content`.
fn content_uuid(content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    let mut b: [u8; 16] = digest[..16].try_into().unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Builds the BOM; `serial` adds the content-derived serial number.
pub fn document(report: &Report, serial: bool) -> Value {
    let mut bom = Map::new();
    bom.insert("bomFormat".into(), json!("CycloneDX"));
    bom.insert("specVersion".into(), json!("1.6"));
    bom.insert("version".into(), json!(1));
    bom.insert(
        "metadata".into(),
        json!({
            "tools": {
                "components": [{
                    "type": "application",
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "description": "provisioning-key auditor",
                }],
            },
            "properties": metadata_properties(report),
        }),
    );
    bom.insert(
        "components".into(),
        Value::Array(report.keys.iter().map(component).collect()),
    );
    if serial {
        let content = serde_json::to_vec(&bom).unwrap_or_default();
        bom.insert("serialNumber".into(), json!(content_uuid(&content)));
    }
    Value::Object(bom)
}

/// Renders `report` as CycloneDX 1.6 JSON.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let serial = std::env::var(SERIAL_ENV).is_ok_and(|v| v == "content");
    serde_json::to_writer_pretty(&mut *out, &document(report, serial))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_states_map_as_the_spec_says() {
        assert_eq!(material_type(Kind::PrivateKey), "private-key");
        assert_eq!(material_type(Kind::ApiKey), "secret-key");
        assert_eq!(material_type(Kind::ConnectionString), "credential");
        assert_eq!(material_type(Kind::Generic), "key");
        assert_eq!(nist_state(KeyState::Revoked), "deactivated");
        assert_eq!(nist_state(KeyState::Deprecated), "deactivated");
        assert_eq!(nist_state(KeyState::Compromised), "compromised");
        assert_eq!(nist_state(KeyState::Active), "active");
    }

    #[test]
    fn content_uuid_is_stable_and_well_formed() {
        let a = content_uuid(b"one");
        assert_eq!(a, content_uuid(b"one"));
        assert_ne!(a, content_uuid(b"two"));
        let re = regex::Regex::new(
            r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )
        .unwrap();
        assert!(re.is_match(&a), "{a}");
    }
}
