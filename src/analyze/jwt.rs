//! JSON Web Tokens: decode the (unverified) claims to refine tier, scopes, lifetime and expiry.
//! Signatures are never checked: keyaudit never calls out and never needs the signing key.
//! Anything that does not decode as a JWT leaves the rule's defaults untouched.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::rules::{Lifetime, Tier};

/// What a JWT's claims say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JwtFacts {
    /// `exp`.
    pub expires: Option<Timestamp>,
    /// A tier refined from `role` or scopes, with evidence.
    pub tier: Option<(Tier, String)>,
    /// `scope` (space-separated) or `scp`.
    pub scopes: Option<Vec<String>>,
    /// Short when `exp` is within a day of `iat`, long when over a year, else none.
    pub lifetime: Option<Lifetime>,
    /// `test` when `iss` or `aud` names a test, staging, sandbox or local environment, with
    /// evidence.
    pub test_environment: Option<String>,
}

/// Longest token decoded, to bound work on hostile input.
const MAX_LEN: usize = 16 * 1024;

fn decode_segment(segment: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(segment.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Decodes `token`'s claims; None when it is not a well-formed JWT.
pub fn decode(token: &[u8]) -> Option<JwtFacts> {
    if token.len() > MAX_LEN {
        return None;
    }
    let text = std::str::from_utf8(token).ok()?;
    let mut parts = text.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header = decode_segment(header)?;
    if !header.contains_key("alg") {
        return None;
    }
    let claims = decode_segment(payload)?;
    let time = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_i64)
            .and_then(|s| Timestamp::from_second(s).ok())
    };
    let expires = time("exp");
    let issued = time("iat");
    let scopes: Option<Vec<String>> = match claims.get("scope").or_else(|| claims.get("scp")) {
        Some(Value::String(s)) => Some(s.split_whitespace().map(str::to_string).collect()),
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    };
    let tier = role_tier(&claims).or_else(|| scopes.as_ref().and_then(|s| scope_tier(s)));
    let lifetime = match (issued, expires) {
        (Some(i), Some(e)) if e.as_second() - i.as_second() <= 86_400 => Some(Lifetime::Short),
        (Some(i), Some(e)) if e.as_second() - i.as_second() > 365 * 86_400 => Some(Lifetime::Long),
        (_, None) => Some(Lifetime::Long),
        _ => None,
    };
    let test_environment = ["iss", "aud"].iter().find_map(|claim| {
        let value = match claims.get(*claim)? {
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            _ => return None,
        };
        let lower = value.to_ascii_lowercase();
        ["test", "staging", "sandbox", "localhost", "dev."]
            .iter()
            .any(|marker| lower.contains(marker))
            .then(|| format!("jwt claim {claim}={value}"))
    });
    Some(JwtFacts {
        expires,
        tier,
        scopes,
        lifetime,
        test_environment,
    })
}

fn role_tier(claims: &Map<String, Value>) -> Option<(Tier, String)> {
    let role = claims.get("role").and_then(Value::as_str)?;
    let lower = role.to_ascii_lowercase();
    let tier = match lower.as_str() {
        "service_role" | "supabase_admin" => Tier::Admin,
        "anon" | "anonymous" | "public" => Tier::Public,
        "authenticated" => Tier::Scoped,
        _ if lower.contains("admin") || lower == "root" || lower == "owner" => Tier::Admin,
        _ if lower.contains("read") => Tier::Read,
        _ => return None,
    };
    Some((tier, format!("jwt claim role={role}")))
}

/// `read` when every scope is a read scope (`read`, `x:read`, `x.read`, `x.readonly`).
fn scope_tier(scopes: &[String]) -> Option<(Tier, String)> {
    if scopes.is_empty() {
        return None;
    }
    let read_only = scopes.iter().all(|s| {
        let s = s.to_ascii_lowercase();
        s == "read"
            || s.ends_with(":read")
            || s.ends_with(".read")
            || s.ends_with("readonly")
            || s.starts_with("read:")
    });
    read_only.then(|| (Tier::Read, format!("jwt scope {}", scopes.join(" "))))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An unsigned-looking JWT with `claims` (tests only; the signature is filler).
    pub(crate) fn token(claims: &str) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.as_bytes());
        format!("{header}.{payload}.c2lnbmF0dXJlLWZpbGxlci1ub3QtdmVyaWZpZWQ")
    }

    #[test]
    fn supabase_roles_set_the_tier() {
        let service = decode(
            token(r#"{"iss":"supabase","role":"service_role","iat":1700000000,"exp":2015000000}"#)
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            service.tier,
            Some((Tier::Admin, "jwt claim role=service_role".into()))
        );
        assert_eq!(service.lifetime, Some(Lifetime::Long));
        let anon = decode(token(r#"{"role":"anon"}"#).as_bytes()).unwrap();
        assert_eq!(anon.tier.unwrap().0, Tier::Public);
        assert_eq!(anon.test_environment, None);
        let staging =
            decode(token(r#"{"iss":"https://auth.staging.corp.dev","aud":"api"}"#).as_bytes())
                .unwrap();
        assert_eq!(
            staging.test_environment.as_deref(),
            Some("jwt claim iss=https://auth.staging.corp.dev")
        );
    }

    #[test]
    fn expiry_and_scopes_are_decoded() {
        let facts = decode(
            token(r#"{"scope":"repo:read user:read","iat":1700000000,"exp":1700003600}"#)
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(facts.expires.unwrap().as_second(), 1_700_003_600);
        assert_eq!(
            facts.scopes,
            Some(vec!["repo:read".into(), "user:read".into()])
        );
        assert_eq!(facts.tier.unwrap().0, Tier::Read);
        assert_eq!(facts.lifetime, Some(Lifetime::Short));
        let scp = decode(token(r#"{"scp":["files.write","files.read"]}"#).as_bytes()).unwrap();
        assert_eq!(scp.tier, None, "a write scope is not read-only");
    }

    #[test]
    fn malformed_tokens_decode_to_nothing() {
        for bad in [
            "eyJhbGciOiJIUzI1NiJ9.eyJub3QganNvbg.sig",
            "eyJhbGciOiJIUzI1NiJ9.%%%.sig",
            "only.two",
            "a.b.c.d",
            "eyJ0eXAiOiJKV1QifQ.eyJyb2xlIjoiYW5vbiJ9.sig",
            "",
        ] {
            assert_eq!(decode(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(decode(&vec![b'a'; MAX_LEN + 1]), None);
    }
}
