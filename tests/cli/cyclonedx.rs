//! CycloneDX reports: valid against the CycloneDX 1.6 schema (kept with its SPDX and JSF
//! references in `tests/schemas/cyclonedx/`, resolved locally), one component per key mapped
//! as `docs/reference/report-format.md` says, deterministic, never a secret; and loaded by an independent
//! consumer (`cyclonedx-python-lib`) when Python has it.

use std::path::Path;

use serde_json::Value;

use crate::common::{keyaudit, planted_tree, skip_for_want_of, Planted};

fn schema_file(name: &str) -> Value {
    let path = format!(
        "{}/tests/schemas/cyclonedx/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("schema not found at {path} ({e})"));
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// Validates `document` against CycloneDX 1.6 without touching the network.
pub(crate) fn assert_valid_cyclonedx(document: &Value) {
    let mut options = jsonschema::options();
    for name in ["spdx.schema.json", "jsf-0.82.schema.json"] {
        let resource = jsonschema::Resource::from_contents(schema_file(name)).unwrap();
        options = options.with_resource(format!("http://cyclonedx.org/schema/{name}"), resource);
    }
    let validator = options
        .build(&schema_file("bom-1.6.schema.json"))
        .expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Runs keyaudit with `args` plus `--format cyclonedx`; returns (exit code, stdout).
fn run(args: &[&str], dir: Option<&Path>) -> (i32, Vec<u8>) {
    let mut cmd = keyaudit();
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let output = cmd
        .args(args)
        .args(["--format", "cyclonedx"])
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap(), output.stdout)
}

fn planted_audit(planted: &Planted, extra: &[&str]) -> (Vec<u8>, Value) {
    let mut args = vec!["audit", ".", "--now", "2026-11-23"];
    args.extend_from_slice(extra);
    let (code, bytes) = run(&args, Some(planted.dir.path()));
    assert_eq!(code, 1, "the planted tree has unknown and stale keys");
    let document = serde_json::from_slice(&bytes).expect("CycloneDX is JSON");
    (bytes, document)
}

fn component<'a>(document: &'a Value, name: &str) -> &'a Value {
    document["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no component named {name}"))
}

fn property<'a>(component: &'a Value, name: &str) -> Vec<&'a str> {
    component["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == name)
        .map(|p| p["value"].as_str().unwrap())
        .collect()
}

#[test]
fn scan_bom_is_valid_with_one_component_per_key() {
    let (_, bytes) = run(&["scan", "--no-manifest", "fixtures/basic"], None);
    let document: Value = serde_json::from_slice(&bytes).unwrap();
    assert_valid_cyclonedx(&document);
    let json = crate::common::basic_report(&[]);
    let keys = json["keys"].as_array().unwrap();
    let components = document["components"].as_array().unwrap();
    assert_eq!(components.len(), keys.len());
    for (key, component) in keys.iter().zip(components) {
        assert_eq!(component["type"], "cryptographic-asset");
        assert_eq!(component["bom-ref"], key["fingerprint"]);
        assert_eq!(component["name"], key["rule"], "undeclared: named by rule");
        let material = &component["cryptoProperties"]["relatedCryptoMaterialProperties"];
        assert!(material.get("state").is_none(), "a scan declares nothing");
        let occurrences = component["evidence"]["occurrences"].as_array().unwrap();
        assert_eq!(
            occurrences.len(),
            key["locations"].as_array().unwrap().len()
        );
        assert_eq!(
            property(component, "keyaudit:privilege"),
            [key["privilege"].as_str().unwrap()]
        );
        assert_eq!(
            property(component, "keyaudit:environment"),
            [key["environment"].as_str().unwrap()]
        );
    }
    let aws = components
        .iter()
        .find(|c| c["name"] == "aws-access-key-id")
        .unwrap();
    assert_eq!(
        aws["cryptoProperties"]["relatedCryptoMaterialProperties"]["id"],
        "AKIADNWZNCZWK3GXEFCU"
    );
    let tools = &document["metadata"]["tools"]["components"][0];
    assert_eq!(tools["name"], "keyaudit");
}

#[test]
fn audit_bom_maps_types_states_dates_and_occurrences() {
    let planted = planted_tree();
    let (bytes, document) = planted_audit(&planted, &[]);
    assert_valid_cyclonedx(&document);
    assert_eq!(document["specVersion"], "1.6");
    let components = document["components"].as_array().unwrap();
    assert_eq!(components.len(), 4, "one component per key");

    let billing = component(&document, "billing");
    let material = &billing["cryptoProperties"]["relatedCryptoMaterialProperties"];
    assert_eq!(
        billing["cryptoProperties"]["assetType"],
        "related-crypto-material"
    );
    assert_eq!(material["type"], "secret-key");
    assert_eq!(material["state"], "active");
    assert_eq!(material["creationDate"], "2026-01-05T00:00:00Z");
    assert_eq!(material["updateDate"], "2026-06-01T00:00:00Z");
    assert_eq!(material["expirationDate"], "2029-01-01T00:00:00Z");
    assert_eq!(
        property(billing, "keyaudit:store"),
        ["aws-sm:billing/stripe"]
    );
    // A key declared to live in a store, found in files, is over-privileged.
    assert_eq!(property(billing, "keyaudit:flags"), ["over-privileged"]);
    assert!(property(billing, "keyaudit:reason")[0].contains("aws-sm:billing/stripe"));
    let occurrences: Vec<(&str, u64)> = billing["evidence"]["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["location"].as_str().unwrap(), o["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(occurrences, [("app.env", 1), ("src/settings.py", 2)]);
    assert_eq!(
        billing["evidence"]["occurrences"][0]["symbol"],
        "STRIPE_SECRET_KEY"
    );

    let revoked = component(&document, "old-ci-token");
    let material = &revoked["cryptoProperties"]["relatedCryptoMaterialProperties"];
    assert_eq!(material["type"], "token");
    assert_eq!(material["state"], "deactivated");
    assert_eq!(property(revoked, "keyaudit:flags"), ["stale"]);
    let leaked = component(&document, "leaked-npm");
    assert_eq!(
        leaked["cryptoProperties"]["relatedCryptoMaterialProperties"]["state"],
        "compromised"
    );
    assert_eq!(
        leaked["evidence"]["occurrences"][0]["location"],
        "odd</script>.env"
    );
    let private = component(&document, "private-key-rsa");
    let material = &private["cryptoProperties"]["relatedCryptoMaterialProperties"];
    assert_eq!(material["type"], "private-key");
    assert!(material.get("state").is_none(), "undeclared: no state");
    assert_eq!(property(private, "keyaudit:flags"), ["unknown"]);
    assert_eq!(property(private, "keyaudit:privilege"), ["full"]);

    let metadata = &document["metadata"];
    assert_eq!(property(metadata, "keyaudit:unused"), ["retired-twilio"]);
    assert_eq!(property(metadata, "keyaudit:count:unused"), ["1"]);
    assert_eq!(property(metadata, "keyaudit:complete"), ["true"]);
    let text = String::from_utf8(bytes).unwrap();
    for secret in &planted.secrets {
        assert!(!text.contains(secret.as_str()), "a secret leaked");
    }
}

#[test]
fn bom_never_holds_a_secret_even_with_show_secrets() {
    let planted = planted_tree();
    let (bytes, _) = planted_audit(&planted, &["--show-secrets"]);
    let text = String::from_utf8(bytes).unwrap();
    for secret in [&planted.active, &planted.revoked, &planted.compromised] {
        assert!(!text.contains(secret.as_str()));
    }
    assert!(!text.contains(&planted.private_key));
}

#[test]
fn bom_is_deterministic_and_serial_only_when_asked() {
    let planted = planted_tree();
    let (first, document) = planted_audit(&planted, &[]);
    let (second, _) = planted_audit(&planted, &[]);
    assert_eq!(first, second, "two runs write the same bytes");
    assert!(document.get("serialNumber").is_none());

    let serial = |dir: &Path| {
        let output = keyaudit()
            .current_dir(dir)
            .env("KEYAUDIT_BOM_SERIAL", "content")
            .args(["audit", ".", "--now", "2026-11-23", "--format", "cyclonedx"])
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    let a = serial(planted.dir.path());
    let b = serial(planted.dir.path());
    assert_valid_cyclonedx(&a);
    assert!(a["serialNumber"].as_str().unwrap().starts_with("urn:uuid:"));
    assert_eq!(a["serialNumber"], b["serialNumber"]);
}

#[test]
fn output_file_named_cdx_json_is_cyclonedx() {
    let planted = planted_tree();
    let out = planted.dir.path().join("report.cdx.json");
    let status = keyaudit()
        .current_dir(planted.dir.path())
        .args(["audit", "."])
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(1));
    let document: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(document["bomFormat"], "CycloneDX");
}

/// `cyclonedx-python-lib`'s strict 1.6 validator and its deserialiser, when Python has the
/// library (CI installs it and sets `KEYAUDIT_REQUIRE_CYCLONEDX_PY`); otherwise a printed
/// note, never a silent pass.
#[test]
fn python_cyclonedx_library_loads_the_bom() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import cyclonedx.validation.json"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        skip_for_want_of(
            "KEYAUDIT_REQUIRE_CYCLONEDX_PY",
            "python3 module cyclonedx is not installed (pip install 'cyclonedx-python-lib[json-validation]')",
        );
        return;
    }
    let planted = planted_tree();
    let (bytes, _) = planted_audit(&planted, &[]);
    let path = planted.dir.path().join("bom.cdx.json");
    std::fs::write(&path, &bytes).unwrap();
    let script = r#"
import json, sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
text = open(sys.argv[1]).read()
error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
if error is not None:
    sys.exit(f"invalid: {error}")
from cyclonedx.model.bom import Bom
bom = Bom.from_json(json.loads(text))
print(len(bom.components))
"#;
    let output = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "4");
}

/// Runs a tool that may be missing; `None` (after a printed note) when it is.
fn tool(dir: &Path, program: &str, args: &[&str]) -> Option<String> {
    match std::process::Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
    {
        Ok(output) if output.status.success() => {
            Some(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        Ok(output) => panic!(
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(_) => {
            skip_for_want_of(
                "KEYAUDIT_REQUIRE_PEM_TOOLS",
                &format!("{program} is not installed"),
            );
            None
        }
    }
}

/// Keys made now by ssh-keygen and openssl: each key's `id` is the fingerprint `ssh-keygen -l`
/// prints for it, a certificate shares its private key's id, and its notAfter (as openssl
/// reads it) is the component's `expirationDate`.
#[test]
fn pem_keys_carry_ssh_fingerprints_and_certificates_their_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let keygen = |args: &[&str]| tool(d, "ssh-keygen", args);
    let made = [
        keygen(&[
            "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", "rsa.pem",
        ]),
        keygen(&["-q", "-t", "ecdsa", "-m", "PEM", "-N", "", "-f", "ec.pem"]),
        keygen(&["-q", "-t", "ed25519", "-N", "", "-f", "id_ed25519"]),
        tool(
            d,
            "openssl",
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "tls.key",
                "-out",
                "tls.crt",
                "-days",
                "45",
                "-subj",
                "/CN=keyaudit-test",
            ],
        ),
    ];
    if made.iter().any(Option::is_none) {
        return;
    }
    for public in ["rsa.pem.pub", "ec.pem.pub", "id_ed25519.pub"] {
        std::fs::remove_file(d.join(public)).unwrap();
    }
    let certificate = std::fs::read_to_string(d.join("tls.crt")).unwrap();
    let rules = d.join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("certificate.toml"),
        format!(
            r#"[[rule]]
id = "x509-certificate"
name = "X.509 certificate (PEM)"
provider = "X.509"
kind = "certificate"
pattern = '''(-----BEGIN CERTIFICATE-----[\sA-Za-z0-9+/=]{{64,}}?-----END CERTIFICATE-----)'''
keywords = ["BEGIN CERTIFICATE"]
privilege = "public"
environment = "unknown"
lifetime = "long"
examples = ['''{}''']
negative_examples = ["-----BEGIN CERTIFICATE----- -----END CERTIFICATE-----"]
"#,
            certificate.trim()
        ),
    )
    .unwrap();
    let rules_arg = rules.display().to_string();
    let (_, bytes) = run(
        &[
            "scan",
            "--no-manifest",
            "--rules",
            &rules_arg,
            "--exclude",
            "rules/**",
            ".",
        ],
        Some(d),
    );
    let document: Value = serde_json::from_slice(&bytes).unwrap();
    assert_valid_cyclonedx(&document);
    let by_path = |path: &str| {
        document["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["evidence"]["occurrences"][0]["location"] == path)
            .unwrap_or_else(|| panic!("no key at {path}"))
    };
    for (file, key_file) in [
        ("rsa.pem", "rsa.pem"),
        ("ec.pem", "ec.pem"),
        ("id_ed25519", "id_ed25519"),
        ("tls.key", "tls.key"),
        ("tls.crt", "tls.key"),
    ] {
        let printed = keygen(&["-l", "-f", key_file]).unwrap();
        let expected = printed.split_whitespace().nth(1).unwrap();
        let material = &by_path(file)["cryptoProperties"]["relatedCryptoMaterialProperties"];
        assert_eq!(material["id"], expected, "{file}");
    }
    let end = tool(
        d,
        "openssl",
        &[
            "x509", "-in", "tls.crt", "-noout", "-enddate", "-dateopt", "iso_8601",
        ],
    )
    .unwrap();
    let end = end
        .trim()
        .strip_prefix("notAfter=")
        .unwrap()
        .replace(' ', "T");
    let material = &by_path("tls.crt")["cryptoProperties"]["relatedCryptoMaterialProperties"];
    assert_eq!(material["expirationDate"], end.as_str());
    assert_eq!(material["type"], "credential");
    assert_eq!(
        by_path("tls.key")["cryptoProperties"]["relatedCryptoMaterialProperties"]["type"],
        "private-key"
    );
}
