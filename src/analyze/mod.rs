//! Offline assessment of a key: privilege tier, environment and lifetime, each with the
//! evidence behind it. The rule gives the defaults and the key's own prefix is the first
//! evidence; structured keys refine them: JWT claims (`jwt`), Azure SAS parameters
//! (`azure_sas`), PyPI macaroon caveats (`pypi`), PEM key algorithms (`pem`), GitHub token
//! checksums (`github`), AWS key ids (`aws`) and Discord bot tokens' ids (`discord`). Nothing here calls a provider.

pub mod aws;
pub mod azure_sas;
pub mod discord;
pub mod github;
pub mod jwt;
pub mod pem;
pub mod pypi;

use jiff::Timestamp;

use crate::rules::{Environment, Lifetime, Rule, Tier};

/// What keyaudit infers a key can do, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// Inferred tier.
    pub privilege: Tier,
    /// Why that tier.
    pub privilege_evidence: String,
    /// Inferred environment.
    pub environment: Environment,
    /// Why that environment.
    pub environment_evidence: String,
    /// Inferred lifetime.
    pub lifetime: Lifetime,
    /// Expiry carried by the key, when decodable.
    pub expires: Option<Timestamp>,
    /// Scopes carried by the key, when decodable.
    pub scopes: Option<Vec<String>>,
    /// The AWS account the key belongs to, when decodable.
    pub aws_account: Option<String>,
    /// The provider named where a generic rule found the key (`GEOCODIO_KEY=…`).
    pub provider: Option<String>,
    /// A non-secret id the key's content yields (a PEM key's public-key fingerprint), for
    /// keys whose rule captures none.
    pub key_id: Option<String>,
}

/// Assesses `secret` found by `rule`; `key_id` is the key's non-secret id, if any.
pub fn assess(rule: &Rule, secret: &[u8], key_id: Option<&str>) -> Assessment {
    let evidence = evidence_from_prefix(rule, secret);
    let mut assessment = Assessment {
        privilege: rule.privilege,
        privilege_evidence: evidence.clone(),
        environment: rule.environment,
        environment_evidence: evidence,
        lifetime: rule.lifetime,
        expires: None,
        scopes: None,
        aws_account: None,
        provider: None,
        key_id: None,
    };
    if let Some(facts) = jwt::decode(secret) {
        if let Some((tier, why)) = facts.tier {
            assessment.privilege = tier;
            assessment.privilege_evidence = why;
        }
        assessment.expires = facts.expires;
        assessment.scopes = facts.scopes;
        if let Some(lifetime) = facts.lifetime {
            assessment.lifetime = lifetime;
        }
        if let Some(why) = facts.test_environment {
            assessment.environment = Environment::Test;
            assessment.environment_evidence = why;
        }
    }
    if memchr::memmem::find(secret, b"sig=").is_some()
        && memchr::memmem::find(secret, b"sv=").is_some()
    {
        if let Some(facts) = azure_sas::analyze(secret) {
            if let Some((tier, why)) = facts.tier {
                assessment.privilege = tier;
                assessment.privilege_evidence = why;
            }
            assessment.expires = facts.expires.or(assessment.expires);
            if let Some(lifetime) = facts.lifetime {
                assessment.lifetime = lifetime;
            }
        }
    }
    if secret.starts_with(b"pypi-") {
        if let Some(facts) = pypi::analyze(secret) {
            if let Some((tier, why)) = facts.tier {
                assessment.privilege = tier;
                assessment.privilege_evidence = why;
            }
            assessment.expires = facts.expires.or(assessment.expires);
        }
    }
    if memchr::memmem::find(secret, b"-----BEGIN ").is_some() {
        if let Some(not_after) = pem::certificate_expiry(secret) {
            assessment.expires = Some(not_after);
        }
        if key_id.is_none() {
            assessment.key_id = pem::public_key_id(secret);
        }
    }
    if rule.kind == crate::rules::Kind::PrivateKey {
        if let Some(description) = pem::describe(secret) {
            assessment.privilege_evidence = format!("pem {description}");
        }
    }
    if let Some(holds) = github::checksum_holds(secret) {
        let verdict = if holds {
            "checksum valid"
        } else {
            "checksum does not match: random or fabricated"
        };
        assessment.privilege_evidence = format!("{}; {verdict}", assessment.privilege_evidence);
    }
    if let Some(account) = key_id.and_then(aws::account_id) {
        assessment.environment_evidence =
            format!("{}; aws account {account}", assessment.environment_evidence);
        assessment.aws_account = Some(account);
    }
    assessment
}

/// `prefix <kw>` when the key starts with one of the rule's keywords (the format itself says
/// what the key is), else `rule <id>`.
fn evidence_from_prefix(rule: &Rule, secret: &[u8]) -> String {
    let lower = secret.to_ascii_lowercase();
    rule.keywords
        .iter()
        .filter(|k| lower.starts_with(k.as_bytes()))
        .max_by_key(|k| k.len())
        .map(|k| {
            let original = String::from_utf8_lossy(&secret[..k.len()]);
            format!("prefix {original}")
        })
        .unwrap_or_else(|| format!("rule {}", rule.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    #[test]
    fn prefix_is_the_evidence_when_the_key_carries_it() {
        let rules = RuleSet::load(true, &[]).unwrap();
        let live = rules
            .rules()
            .iter()
            .find(|r| r.id == "stripe-secret-key-live")
            .unwrap();
        let found = assess(live, b"sk_live_51Q8ZrT2mW9xLp4vN7bK3sYc6d", None); // keyaudit:allow
        assert_eq!(found.privilege, Tier::Full);
        assert_eq!(found.privilege_evidence, "prefix sk_live_");
        assert_eq!(found.environment, Environment::Live);
    }

    #[test]
    fn jwt_claims_refine_the_rule() {
        let rules = RuleSet::load(true, &[]).unwrap();
        let jwt_rule = rules.rules().iter().find(|r| r.id == "jwt").unwrap();
        let token = jwt::tests::token(r#"{"role":"anon","exp":1800000000}"#);
        let found = assess(jwt_rule, token.as_bytes(), None);
        assert_eq!(found.privilege, Tier::Public);
        assert_eq!(found.privilege_evidence, "jwt claim role=anon");
        assert_eq!(found.expires.unwrap().as_second(), 1_800_000_000);
    }
}
