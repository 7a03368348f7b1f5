//! Unit tests of the audit, one or more per cause.

use super::*;
use crate::analyze::assess;
use crate::evidence::{Dated, Record, Stated};
use crate::fingerprint::fingerprint;
use crate::inventory::RuleRef;
use crate::rules::{RuleSet, Tier};
use crate::secret::Secret;
use crate::source::SourceKind;
use crate::time::parse_date;

const SALT: &str = "unit-test-salt";

struct World {
    rules: RuleSet,
}

impl World {
    fn new() -> Self {
        Self {
            rules: RuleSet::load(true, &[]).unwrap(),
        }
    }

    /// A key found by `rule` at each of `paths` (line 1).
    fn key(&self, rule: &str, secret: &str, key_id: Option<&str>, paths: &[&str]) -> Key {
        let index = self
            .rules
            .rules()
            .iter()
            .position(|r| r.id == rule)
            .unwrap();
        Key {
            fingerprint: fingerprint(SALT.as_bytes(), secret.as_bytes()),
            secret: Secret::new(secret.as_bytes().to_vec()),
            rule: RuleRef::of(&self.rules.rules()[index]),
            key_id: key_id.map(str::to_string),
            account: None,
            assessment: assess(&self.rules.rules()[index], secret.as_bytes(), key_id),
            in_current_tree: true,
            first_seen: None,
            locations: paths
                .iter()
                .map(|p| Location {
                    source: SourceKind::File,
                    repo: None,
                    path: p.to_string(),
                    line: 1,
                    column: 1,
                    commit: None,
                    variable: None,
                    decoded: None,
                    on_disk: None,
                    inside: Default::default(),
                })
                .collect(),
            verification: None,
        }
    }

    fn run(&self, keys: Vec<Key>, manifest: &str, evidence: &Evidence) -> AuditOutcome {
        let manifest = manifest_from(manifest);
        let inventory = Inventory {
            keys,
            managed: Vec::new(),
        };
        audit(&inventory, &manifest, evidence, now())
    }
}

fn manifest_from(body: &str) -> Manifest {
    let text = format!("version = 1\nsalt = \"{SALT}\"\n{body}");
    Manifest::parse(Path::new("keyaudit.toml"), &text, &|_| None).unwrap()
}

fn now() -> Timestamp {
    parse_date("2026-11-23T12:00:00Z").unwrap()
}

fn fp(secret: &str) -> String {
    fingerprint(SALT.as_bytes(), secret.as_bytes())
}

const STRIPE: &str = "sk_live_Q8ZrT2mW9xLp4vN7bK3sYc6d"; // keyaudit:allow
const GITHUB: &str = "ghp_Q7w2E9r4T1y6U3i8O5p0A2s4D6f8G1h3J5k7"; // keyaudit:allow
const STRIPE_TEST: &str = "sk_test_Q8ZrT2mW9xLp4vN7bK3sYc6d"; // keyaudit:allow

fn declared(id: &str, secret: &str, extra: &str) -> String {
    format!(
        "[[key]]\nid = \"{id}\"\nfingerprint = \"{}\"\n{extra}\n",
        fp(secret)
    )
}

fn only(outcome: &AuditOutcome) -> &KeyAudit {
    assert_eq!(outcome.keys.len(), 1);
    &outcome.keys[0]
}

#[test]
fn a_declared_key_within_policy_has_no_flag() {
    let w = World::new();
    let manifest = format!(
        "[policy]\nmax_age = \"90d\"\n{}",
        declared(
            "billing",
            STRIPE,
            "rule = \"stripe-secret-key-live\"\nmax_privilege = \"full\"\nlocations = [\"env/**\"]\nrotated = 2026-10-01"
        )
    );
    let outcome = w.run(
        vec![w.key("stripe-secret-key-live", STRIPE, None, &["env/prod.env"])],
        &manifest,
        &Evidence::default(),
    );
    let verdict = only(&outcome);
    assert_eq!(verdict.declared_as.as_deref(), Some("billing"));
    assert!(verdict.flags.is_empty(), "{:?}", verdict.reasons);
    assert_eq!(verdict.age_days, Some(53));
    assert!(outcome.unused.is_empty());
}

#[test]
fn each_reason_keeps_its_class() {
    let w = World::new();
    let outcome = w.run(
        vec![w.key("stripe-secret-key-live", STRIPE, None, &["tests/a.env"])],
        "[policy]\ntest_paths = [\"tests/**\"]\n",
        &Evidence::default(),
    );
    let verdict = only(&outcome);
    assert_eq!(
        verdict.flags,
        vec![AuditClass::Unknown, AuditClass::OverPrivileged]
    );
    assert_eq!(verdict.reasons.len(), 2);
    let unknown: Vec<&str> = verdict.reasons_of(AuditClass::Unknown).collect();
    assert_eq!(unknown, vec!["not declared in keyaudit.toml"]);
    let over: Vec<&str> = verdict.reasons_of(AuditClass::OverPrivileged).collect();
    assert_eq!(over, vec!["live key under test_paths: tests/a.env:1"]);
    assert_eq!(verdict.reasons_of(AuditClass::Stale).count(), 0);
    assert_eq!(
        verdict.reason_codes,
        vec![ReasonCode::Undeclared, ReasonCode::TestPaths]
    );
}

#[test]
fn an_undeclared_key_is_unknown() {
    let w = World::new();
    let outcome = w.run(
        vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
        "",
        &Evidence::default(),
    );
    let verdict = only(&outcome);
    assert_eq!(verdict.flags, vec![AuditClass::Unknown]);
    assert_eq!(verdict.reasons, vec!["not declared in keyaudit.toml"]);
    assert_eq!(verdict.declared_as, None);
}

#[test]
fn age_past_max_age_is_stale() {
    let w = World::new();
    let manifest = declared("gh", GITHUB, "rotated = 2026-01-01\nmax_age = \"90d\"");
    let outcome = w.run(
        vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
        &manifest,
        &Evidence::default(),
    );
    let verdict = only(&outcome);
    assert_eq!(verdict.flags, vec![AuditClass::Stale]);
    assert_eq!(
        verdict.reasons,
        vec!["age 326 days since rotated 2026-01-01 exceeds max_age 90 days"]
    );
    assert_eq!(verdict.reason_codes, vec![ReasonCode::MaxAge]);
}

#[test]
fn unknown_key_first_seen_long_ago_is_also_stale() {
    let w = World::new();
    let mut key = w.key("github-classic-pat", GITHUB, None, &["a.env"]);
    key.first_seen = Some(crate::inventory::FirstSeen {
        commit: "0123456789abcdef0123".into(),
        date: parse_date("2025-01-01").unwrap(),
        author: "dev".into(),
        author_email: "dev@corp.example".into(),
    });
    let outcome = w.run(
        vec![key],
        "[policy]\nmax_age = \"1y\"",
        &Evidence::default(),
    );
    assert_eq!(
        only(&outcome).flags,
        vec![AuditClass::Unknown, AuditClass::Stale]
    );
    assert!(only(&outcome).reasons[1].contains("since first commit 0123456789ab 2025-01-01"));
}

#[test]
fn expiry_declared_or_decoded_is_stale_and_near_expiry_warns() {
    let w = World::new();
    let manifest = format!(
        "[policy]\nexpiry_warning = \"14d\"\n{}{}",
        declared("gh", GITHUB, "expires = 2026-11-01"),
        declared("st", STRIPE, "expires = 2026-12-01")
    );
    let outcome = w.run(
        vec![
            w.key("github-classic-pat", GITHUB, None, &["a.env"]),
            w.key("stripe-secret-key-live", STRIPE, None, &["b.env"]),
        ],
        &manifest,
        &Evidence::default(),
    );
    assert_eq!(outcome.keys[0].flags, vec![AuditClass::Stale]);
    assert_eq!(
        outcome.keys[0].reasons,
        vec!["expired on 2026-11-01 (declared expires)"]
    );
    assert!(outcome.keys[1].flags.is_empty());
    assert_eq!(
        outcome.keys[1].warnings,
        vec!["expires on 2026-12-01 (declared expires), in 7 days: within expiry_warning 14 days"]
    );
    assert_eq!(outcome.keys[0].reason_codes, vec![ReasonCode::Expired]);
    assert!(outcome.keys[1].reason_codes.is_empty());
    assert_eq!(
        outcome.keys[1].warning_codes,
        vec![ReasonCode::ExpiringSoon]
    );

    let token = crate::analyze::jwt::tests::token(r#"{"sub":"svc","exp":1893456000}"#);
    let expired = crate::analyze::jwt::tests::token(r#"{"sub":"svc","exp":1700000000}"#);
    let outcome = w.run(
        vec![
            w.key("jwt", &expired, None, &["c.env"]),
            w.key("jwt", &token, None, &["d.env"]),
        ],
        &format!(
            "{}{}",
            declared("old", &expired, ""),
            declared("new", &token, "")
        ),
        &Evidence::default(),
    );
    assert_eq!(
        outcome.keys[0].reasons,
        vec!["expired on 2023-11-14 (expiry carried by the key)"]
    );
    assert!(outcome.keys[1].flags.is_empty());
}

#[test]
fn revoked_or_compromised_yet_present_is_stale() {
    let w = World::new();
    for state in ["revoked", "compromised"] {
        let manifest = declared("gh", GITHUB, &format!("state = \"{state}\""));
        let outcome = w.run(
            vec![w.key("github-classic-pat", GITHUB, None, &["a.env", "b.env"])],
            &manifest,
            &Evidence::default(),
        );
        assert_eq!(only(&outcome).flags, vec![AuditClass::Stale]);
        assert_eq!(
            only(&outcome).reasons,
            vec![format!("declared {state} but still present in 2 locations")]
        );
        assert!(outcome.unused.is_empty());
    }
    // Found only in history: a revoked key is a record, reported for information; a
    // compromised one is still stale until someone rotates it and says so.
    for (state, stale) in [("revoked", false), ("compromised", true)] {
        let manifest = declared("gh", GITHUB, &format!("state = \"{state}\""));
        let mut old = w.key("github-classic-pat", GITHUB, None, &["a.env"]);
        old.in_current_tree = false;
        let outcome = w.run(vec![old], &manifest, &Evidence::default());
        assert_eq!(
            only(&outcome).flags == vec![AuditClass::Stale],
            stale,
            "{state}"
        );
        assert_eq!(
            only(&outcome).warnings.len(),
            usize::from(!stale),
            "{state}"
        );
    }
    let manifest = declared("gh", GITHUB, "state = \"deprecated\"");
    let outcome = w.run(
        vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
        &manifest,
        &Evidence::default(),
    );
    assert!(only(&outcome).flags.is_empty());
    assert_eq!(only(&outcome).warnings.len(), 1);
}

#[test]
fn an_overdue_scheduled_rotation_is_stale_and_store_links_meet_normalised() {
    let w = World::new();
    let mut evidence = Evidence::default();
    let at = |date: &str| Dated {
        at: parse_date(date).unwrap(),
        source: "list-secrets.json".into(),
    };
    evidence.add(
        Subject::Store("aws-sm:prod/stripe".into()),
        Record {
            rotated: Some(at("2026-10-01")),
            next_rotation: Some(at("2026-10-31")),
            rotation_enabled: Some(Stated {
                value: true,
                source: "list-secrets.json".into(),
            }),
            ..Record::default()
        },
        "list-secrets.json",
    );
    // Declared by ARN; the export names the secret: both normalise to aws-sm:prod/stripe.
    let manifest = declared(
        "stripe",
        STRIPE,
        "store = \"aws-sm:arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/stripe-Ab12Cd\"\nlocations = [\"a.env\"]",
    );
    let outcome = w.run(
        vec![w.key("stripe-secret-key-live", STRIPE, None, &["a.env"])],
        &manifest,
        &evidence,
    );
    let verdict = only(&outcome);
    assert_eq!(verdict.flags, vec![AuditClass::Stale]);
    assert_eq!(
        verdict.reasons,
        vec!["rotation overdue: next rotation was due on 2026-10-31 per list-secrets.json"]
    );
    assert!(outcome.unmatched_evidence.is_empty());
}

#[test]
fn usage_evidence_makes_idle_keys_stale_and_dates_ages() {
    let w = World::new();
    let akid = "AKIAQ2ZRT4MWXLP4VN7Q"; // keyaudit:allow
    let mut evidence = Evidence::default();
    let at = |date: &str, source: &str| Dated {
        at: parse_date(date).unwrap(),
        source: source.into(),
    };
    evidence.add(
        Subject::KeyId(akid.into()),
        Record {
            user: Some("deployer".into()),
            created: Some(at("2026-03-01", "keys.json")),
            rotated: Some(at("2026-03-01", "keys.json")),
            last_used: Some(at("2026-06-01", "report.csv")),
            enabled: Some(Stated {
                value: true,
                source: "keys.json".into(),
            }),
            tracks_use: true,
            ..Record::default()
        },
        "report.csv + keys.json",
    );
    let manifest = format!(
        "[policy]\nunused_after = \"90d\"\nmax_age = \"180d\"\n[[key]]\nid = \"deploy\"\nkey_id = \"{akid}\"\n"
    );
    let outcome = w.run(
        vec![w.key("aws-access-key-id", akid, Some(akid), &["a.env"])],
        &manifest,
        &evidence,
    );
    let verdict = only(&outcome);
    assert_eq!(verdict.declared_as.as_deref(), Some("deploy"));
    assert_eq!(verdict.flags, vec![AuditClass::Stale]);
    assert_eq!(
        verdict.reasons,
        vec![
            "age 267 days since created per keys.json 2026-03-01 exceeds max_age 180 days",
            "last used 2026-06-01 (175 days ago) per report.csv: exceeds unused_after 90 days",
        ]
    );
}

#[test]
fn more_power_than_declared_is_over_privileged() {
    let w = World::new();
    let manifest = declared("gh", GITHUB, "max_privilege = \"scoped\"");
    let outcome = w.run(
        vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
        &manifest,
        &Evidence::default(),
    );
    assert_eq!(only(&outcome).flags, vec![AuditClass::OverPrivileged]);
    assert_eq!(
        only(&outcome).reasons,
        vec!["privilege full (prefix ghp_; checksum does not match: random or fabricated) exceeds max_privilege scoped"]
    );
    assert!(Tier::Full > Tier::Scoped);
}

#[test]
fn decoded_scopes_beyond_declared_are_over_privileged() {
    let w = World::new();
    let token = crate::analyze::jwt::tests::token(r#"{"scope":"orders:read orders:write"}"#);
    let manifest = declared("svc", &token, "scopes = [\"orders:read\"]");
    let outcome = w.run(
        vec![w.key("jwt", &token, None, &["a.env"])],
        &manifest,
        &Evidence::default(),
    );
    assert_eq!(
        only(&outcome).reasons,
        vec!["scopes orders:write beyond the declared scopes [orders:read]"]
    );
}

#[test]
fn found_outside_locations_is_over_privileged() {
    let w = World::new();
    let manifest = declared("gh", GITHUB, "locations = [\"deploy/**\"]");
    let outcome = w.run(
        vec![w.key(
            "github-classic-pat",
            GITHUB,
            None,
            &["deploy/a.env", "src/x.py", "docs/y.md"],
        )],
        &manifest,
        &Evidence::default(),
    );
    assert_eq!(
        only(&outcome).reasons,
        vec!["found outside its declared locations [deploy/**]: src/x.py:1, docs/y.md:1"]
    );
}

#[test]
fn live_key_under_test_paths_is_over_privileged_even_when_unknown() {
    let w = World::new();
    let manifest = "[policy]\ntest_paths = [\"tests/**\"]";
    let outcome = w.run(
        vec![
            w.key(
                "stripe-secret-key-live",
                STRIPE,
                None,
                &["tests/fixtures/a.env"],
            ),
            w.key(
                "stripe-secret-key-test",
                STRIPE_TEST,
                None,
                &["tests/b.env"],
            ),
        ],
        manifest,
        &Evidence::default(),
    );
    assert_eq!(
        outcome.keys[0].flags,
        vec![AuditClass::Unknown, AuditClass::OverPrivileged]
    );
    assert_eq!(
        outcome.keys[0].reasons[1],
        "live key under test_paths: tests/fixtures/a.env:1"
    );
    assert_eq!(
        outcome.keys[1].flags,
        vec![AuditClass::Unknown],
        "a test key in tests is fine"
    );
}

#[test]
fn the_audit_reads_the_rule_from_the_key_not_from_a_rule_set() {
    // A key read back from a report names a rule this build may not have: the audit needs
    // only what the key carries.
    let w = World::new();
    let manifest = declared(
        "gh",
        GITHUB,
        "rule = \"github-fine-grained-pat\"\ncreated = 2026-11-01\nexpires = 2027-01-01\nmax_age = \"90d\"",
    );
    let mut key = w.key("github-classic-pat", GITHUB, None, &["a.env"]);
    key.rule = RuleRef {
        id: "custom-rule".into(),
        name: "Custom".into(),
        provider: "Acme".into(),
        kind: crate::rules::Kind::ApiKey,
        rotate: None,
    };
    let outcome = w.run(vec![key], &manifest, &Evidence::default());
    let reasons = &only(&outcome).reasons;
    assert_eq!(
        reasons[0],
        "found by rule custom-rule, but declared as rule github-fine-grained-pat"
    );
    assert!(
        reasons[1].ends_with("but a Acme api-key never expires by itself"),
        "{reasons:?}"
    );
}

#[test]
fn another_type_than_declared_is_over_privileged() {
    let w = World::new();
    let manifest = declared("gh", GITHUB, "rule = \"github-fine-grained-pat\"");
    let outcome = w.run(
        vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
        &manifest,
        &Evidence::default(),
    );
    assert_eq!(
        only(&outcome).reasons,
        vec!["found by rule github-classic-pat, but declared as rule github-fine-grained-pat"]
    );
}

#[test]
fn long_lived_key_declared_to_expire_within_max_age_is_over_privileged() {
    let w = World::new();
    let manifest = declared(
        "gh",
        GITHUB,
        "created = 2026-11-01\nexpires = 2027-01-01\nmax_age = \"90d\"",
    );
    let outcome = w.run(
        vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
        &manifest,
        &Evidence::default(),
    );
    assert_eq!(only(&outcome).flags, vec![AuditClass::OverPrivileged]);
    assert!(only(&outcome).reasons[0].contains("but a GitHub token never expires by itself"));
    let later = declared(
        "gh",
        GITHUB,
        "created = 2026-11-01\nexpires = 2027-06-01\nmax_age = \"90d\"",
    );
    let outcome = w.run(
        vec![w.key("github-classic-pat", GITHUB, None, &["a.env"])],
        &later,
        &Evidence::default(),
    );
    assert!(
        only(&outcome).flags.is_empty(),
        "expiry beyond max_age is not a promise of short life"
    );
}

#[test]
fn environment_paths_and_accounts_are_checked() {
    let w = World::new();
    let environments = "[[environment]]\nname = \"prod\"\npaths = [\"deploy/prod/**\"]\naws_accounts = [\"111111111111\"]\n[[environment]]\nname = \"staging\"\npaths = [\"deploy/staging/**\"]\n";
    let manifest = format!(
        "{environments}{}",
        declared("gh", GITHUB, "environment = \"prod\"")
    );
    let outcome = w.run(
        vec![w.key(
            "github-classic-pat",
            GITHUB,
            None,
            &["deploy/prod/a.env", "deploy/staging/b.env"],
        )],
        &manifest,
        &Evidence::default(),
    );
    assert_eq!(
        only(&outcome).reasons,
        vec![
            "found in environment staging's paths (deploy/staging/b.env:1), but declared for prod"
        ]
    );
    let akid = "AKIAQ2ZRT4MWXLP4VN7Q"; // keyaudit:allow
    let account = crate::analyze::aws::account_id(akid).unwrap();
    let manifest = format!(
        "{environments}[[key]]\nid = \"deploy\"\nkey_id = \"{akid}\"\nenvironment = \"prod\"\n"
    );
    let outcome = w.run(
        vec![w.key(
            "aws-access-key-id",
            akid,
            Some(akid),
            &["deploy/prod/a.env"],
        )],
        &manifest,
        &Evidence::default(),
    );
    assert_eq!(
        only(&outcome).reasons,
        vec![format!("belongs to AWS account {account}, which is not one of environment prod's accounts [111111111111]")]
    );
}

#[test]
fn declared_active_keys_found_nowhere_are_unused() {
    let w = World::new();
    let manifest = format!(
        "{}{}",
        declared("gone", GITHUB, "owner = \"platform\""),
        declared("revoked", STRIPE, "state = \"revoked\"")
    );
    let outcome = w.run(vec![], &manifest, &Evidence::default());
    assert_eq!(
        outcome.unused,
        vec![UnusedKey {
            id: "gone".into(),
            rule: None,
            owner: Some("platform".into()),
            reason: "declared active but found nowhere in this run".into(),
            reason_code: ReasonCode::NotFound,
        }]
    );
}

#[test]
fn allows_remove_keys_by_fingerprint_or_path_and_rule() {
    let w = World::new();
    let manifest = manifest_from(&format!(
        "[[allow]]\nfingerprint = \"{}\"\n[[allow]]\npath = \"docs/**\"\nrule = \"stripe-secret-key-live\"\n",
        fp(GITHUB)
    ));
    let mut inventory = Inventory {
        keys: vec![
            w.key("github-classic-pat", GITHUB, None, &["src/a.env"]),
            w.key(
                "stripe-secret-key-live",
                STRIPE,
                None,
                &["docs/a.md", "src/b.env"],
            ),
            w.key("stripe-secret-key-test", STRIPE_TEST, None, &["docs/c.md"]),
        ],
        managed: Vec::new(),
    };
    assert_eq!(apply_allows(&mut inventory, &manifest), 1);
    assert_eq!(inventory.keys.len(), 2);
    let paths: Vec<&str> = inventory.keys[0]
        .locations
        .iter()
        .map(|l| l.path.as_str())
        .collect();
    assert_eq!(
        paths,
        vec!["src/b.env"],
        "the docs location is allowed, the src one is not"
    );
    assert_eq!(
        inventory.keys[1].locations[0].path, "docs/c.md",
        "the allow names another rule"
    );
}

const ENTRA: &str = "Ab1.Q~zR8vT2mW9xLp4vN7bK3sYc6dQ8ZrT2mW9x"; // keyaudit:allow
const ENTRA_APP: &str = "3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9";
const ENTRA_KEY: &str = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"; // keyaudit:allow (a test fixture's made-up key id)

/// Evidence about an Entra credential: its hint and end date.
fn entra_evidence(hint: &str, end: &str) -> Evidence {
    let source = "az ad app credential list (creds.json)";
    let mut evidence = Evidence::default();
    evidence.add(
        Subject::KeyId(ENTRA_KEY.into()),
        Record {
            expires: Some(Dated {
                at: parse_date(end).unwrap(),
                source: source.into(),
            }),
            hint: Some(Stated {
                value: hint.into(),
                source: source.into(),
            }),
            ..Record::default()
        },
        "creds.json",
    );
    evidence
}

#[test]
fn an_entra_store_links_by_key_id_and_its_hint_is_checked() {
    let w = World::new();
    // Declared in upper case: the store normalises to the export's lower-case key id.
    let manifest = declared(
        "entra",
        ENTRA,
        &format!(
            "store = \"entra:{}/{}\"",
            ENTRA_APP.to_uppercase(),
            ENTRA_KEY.to_uppercase()
        ),
    );
    let key = || w.key("azure-entra-client-secret", ENTRA, None, &["a.env"]);
    let outcome = w.run(vec![key()], &manifest, &entra_evidence("Ab1", "2026-10-31"));
    let verdict = only(&outcome);
    assert_eq!(verdict.flags, vec![AuditClass::Stale]);
    assert_eq!(
        verdict.reasons,
        vec!["expired on 2026-10-31 (per az ad app credential list (creds.json))"],
        "an Entra store names a credential, not a place: no found-outside-it flag"
    );
    assert!(verdict.warnings.is_empty(), "{:?}", verdict.warnings);
    assert!(outcome.unmatched_evidence.is_empty());

    let outcome = w.run(vec![key()], &manifest, &entra_evidence("Xy9", "2027-10-31"));
    let verdict = only(&outcome);
    assert!(verdict.flags.is_empty());
    assert_eq!(verdict.warnings.len(), 1);
    let warning = &verdict.warnings[0];
    assert!(
        warning.contains(&format!("the hint of entra:{}", ENTRA_APP.to_uppercase()))
            && warning.contains("per az ad app credential list (creds.json)")
            && warning.contains("secret found at a.env:1"),
        "{warning}"
    );
    assert!(
        !warning.contains("Ab1") && !warning.contains("Xy9"),
        "{warning}"
    );
}

#[test]
fn a_key_the_provider_says_never_expires_fails_require_expiry_naming_the_export() {
    let w = World::new();
    let key_id = "136cb94838da83a906263ec23d03dce95d736c64";
    let source = "gcloud iam service-accounts keys list (keys.json)";
    let mut evidence = Evidence::default();
    evidence.add(
        Subject::KeyId(key_id.into()),
        Record {
            never_expires: Some(Stated {
                value: true,
                source: source.into(),
            }),
            ..Record::default()
        },
        "keys.json",
    );
    let manifest =
        format!("[policy]\nrequire_expiry = true\n[[key]]\nid = \"sa\"\nkey_id = \"{key_id}\"\n");
    let outcome = w.run(
        vec![w.key("github-classic-pat", GITHUB, Some(key_id), &["a.env"])],
        &manifest,
        &evidence,
    );
    assert_eq!(
        only(&outcome).reasons,
        vec![format!(
            "never expires per {source}, and [policy] require_expiry is set"
        )]
    );
}

/// A verification answered by GitHub's host with `status`, `scopes` and a note.
fn answered(status: crate::verify::Status, scopes: Option<&[&str]>) -> crate::verify::Verification {
    crate::verify::Verification {
        status,
        checked_at: now(),
        endpoint: Some("api.github.com".into()),
        identity: Some("octocat".into()),
        scopes: scopes.map(|s| s.iter().map(|s| s.to_string()).collect()),
        expires: None,
        note: (status == crate::verify::Status::Dead)
            .then(|| "GitHub: HTTP 401 (bad credentials)".into()),
    }
}

#[test]
fn revoked_or_compromised_yet_live_is_stale_and_said_first() {
    use crate::verify::Status;
    let w = World::new();
    for (state, code) in [
        ("revoked", ReasonCode::RevokedLive),
        ("compromised", ReasonCode::CompromisedLive),
    ] {
        // max_age makes a reason that an earlier check would otherwise put first.
        let manifest = declared(
            "gh",
            GITHUB,
            &format!("state = \"{state}\"\nmax_age = \"30d\"\ncreated = 2025-01-01"),
        );
        let mut key = w.key("github-classic-pat", GITHUB, None, &["a.env"]);
        key.verification = Some(answered(Status::Live, Some(&["repo"])));
        let outcome = w.run(vec![key], &manifest, &Evidence::default());
        let verdict = only(&outcome);
        assert_eq!(verdict.reason_codes[0], code, "{:?}", verdict.reasons);
        assert_eq!(
            verdict.reasons[0],
            format!(
                "declared {state} yet still live per GitHub (api.github.com), account octocat: revoke it at the provider now"
            )
        );
        assert!(verdict.reason_codes.len() > 2, "{:?}", verdict.reasons);
        // Dead, unknown or unanswered: the declaration stands, nothing more is said.
        for status in [Status::Dead, Status::Unknown, Status::Error] {
            let mut key = w.key("github-classic-pat", GITHUB, None, &["a.env"]);
            key.verification = Some(answered(status, None));
            let outcome = w.run(vec![key], &manifest, &Evidence::default());
            assert!(
                !only(&outcome).reason_codes.contains(&code),
                "{state} {status:?}"
            );
        }
    }
    // Revoked and found only in history, yet live: no longer for information only.
    let manifest = declared("gh", GITHUB, "state = \"revoked\"");
    let mut old = w.key("github-classic-pat", GITHUB, None, &["a.env"]);
    old.in_current_tree = false;
    old.verification = Some(answered(Status::Live, None));
    let outcome = w.run(vec![old], &manifest, &Evidence::default());
    assert_eq!(only(&outcome).flags, vec![AuditClass::Stale]);
    assert_eq!(only(&outcome).reason_codes, vec![ReasonCode::RevokedLive]);
}

#[test]
fn an_active_key_its_provider_says_is_dead_is_stale_and_errors_change_nothing() {
    use crate::verify::Status;
    let w = World::new();
    let manifest = declared("gh", GITHUB, "");
    let mut key = w.key("github-classic-pat", GITHUB, None, &["a.env"]);
    key.verification = Some(answered(Status::Dead, None));
    let outcome = w.run(vec![key], &manifest, &Evidence::default());
    assert_eq!(only(&outcome).flags, vec![AuditClass::Stale]);
    assert_eq!(
        only(&outcome).reasons,
        vec!["declared active but dead per GitHub (api.github.com): HTTP 401 (bad credentials)"]
    );
    for status in [Status::Error, Status::Unknown, Status::Live] {
        let mut key = w.key("github-classic-pat", GITHUB, None, &["a.env"]);
        key.verification = Some(answered(status, None));
        let outcome = w.run(vec![key], &manifest, &Evidence::default());
        assert!(only(&outcome).flags.is_empty(), "{status:?}");
    }
}

#[test]
fn verified_scopes_and_tier_beyond_the_declaration_are_over_privileged() {
    use crate::verify::Status;
    let w = World::new();
    let manifest = declared(
        "gh",
        GITHUB,
        "scopes = [\"repo\"]\nmax_privilege = \"full\"",
    );
    let mut key = w.key("github-classic-pat", GITHUB, None, &["a.env"]);
    let verification = answered(Status::Live, Some(&["repo", "admin:org"]));
    key.assessment.privilege = Tier::Admin;
    key.assessment.privilege_evidence = crate::verify::privilege_evidence("GitHub", &verification);
    key.verification = Some(verification);
    let outcome = w.run(vec![key], &manifest, &Evidence::default());
    let verdict = only(&outcome);
    assert_eq!(verdict.flags, vec![AuditClass::OverPrivileged]);
    assert_eq!(
        verdict.reason_codes,
        vec![ReasonCode::VerifiedTier, ReasonCode::VerifiedScopes]
    );
    assert_eq!(
        verdict.reasons,
        vec![
            "privilege admin (verified per GitHub (api.github.com): scopes repo, admin:org) exceeds max_privilege full",
            "verified scopes admin:org per GitHub (api.github.com) beyond the declared scopes [repo]",
        ]
    );
    // The same scopes in an answer that proves nothing raise nothing.
    let mut key = w.key("github-classic-pat", GITHUB, None, &["a.env"]);
    key.verification = Some(answered(Status::Error, Some(&["repo", "admin:org"])));
    let outcome = w.run(vec![key], &manifest, &Evidence::default());
    assert!(
        only(&outcome).flags.is_empty(),
        "{:?}",
        only(&outcome).reasons
    );
}
