//! PyPI API tokens are `pypi-` and a base64url macaroon (version 2 binary format). Its caveats
//! say what the token may do: a project restriction makes it scoped, an `exp` gives it an
//! expiry. Both PyPI caveat styles are read: the JSON objects of the first tokens
//! (`{"permissions": {"projects": […]}}`, `{"exp": …}`) and the compact arrays that replaced
//! them (`[0, exp, nbf]`, `[1, [project names]]`, `[2, [project ids]]`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jiff::Timestamp;
use serde_json::Value;

use crate::rules::Tier;

/// What a PyPI token's caveats say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PypiFacts {
    /// Scoped when restricted to projects, with evidence.
    pub tier: Option<(Tier, String)>,
    /// Expiry caveat.
    pub expires: Option<Timestamp>,
}

const EOS: u8 = 0;
const IDENTIFIER: u8 = 2;

/// Reads one varint.
fn varint(bytes: &[u8], pos: &mut usize) -> Option<usize> {
    let mut value: usize = 0;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*pos)?;
        *pos += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// The identifiers of every section (header first, then each caveat) of a v2 macaroon.
fn section_identifiers(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    if bytes.first() != Some(&2) {
        return None;
    }
    let mut pos = 1;
    let mut identifiers = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut empty_section = true;
    while pos < bytes.len() {
        let kind = bytes[pos];
        pos += 1;
        if kind == EOS {
            if empty_section {
                // Two EOS in a row: the caveats are over; the signature follows.
                return Some(identifiers);
            }
            identifiers.push(current.take().unwrap_or_default());
            empty_section = true;
            continue;
        }
        let len = varint(bytes, &mut pos)?;
        let data = bytes.get(pos..pos.checked_add(len)?)?;
        pos += len;
        empty_section = false;
        if kind == IDENTIFIER {
            current = Some(data.to_vec());
        }
    }
    Some(identifiers)
}

/// Reads a `pypi-…` token's caveats; None when it is not a well-formed macaroon.
pub fn analyze(token: &[u8]) -> Option<PypiFacts> {
    let encoded = token.strip_prefix(b"pypi-")?;
    if encoded.len() > 64 * 1024 {
        return None;
    }
    let trimmed: Vec<u8> = encoded.iter().copied().filter(|&b| b != b'=').collect();
    let bytes = URL_SAFE_NO_PAD.decode(trimmed).ok()?;
    let sections = section_identifiers(&bytes)?;
    let mut facts = PypiFacts::default();
    for caveat in sections.iter().skip(1) {
        let Ok(value) = serde_json::from_slice::<Value>(caveat) else {
            continue;
        };
        read_caveat(&value, &mut facts);
    }
    Some(facts)
}

fn names(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn read_caveat(value: &Value, facts: &mut PypiFacts) {
    let time = |v: Option<&Value>| {
        v.and_then(Value::as_i64)
            .and_then(|s| Timestamp::from_second(s).ok())
    };
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(permissions)) = map.get("permissions") {
                let projects = names(permissions.get("projects"));
                facts.tier = Some((
                    Tier::Scoped,
                    format!("pypi caveat projects={}", projects.join(",")),
                ));
            }
            if let Some(exp) = time(map.get("exp")) {
                facts.expires = Some(exp);
            }
        }
        Value::Array(items) => match items.first().and_then(Value::as_i64) {
            Some(0) => facts.expires = time(items.get(1)).or(facts.expires),
            Some(1) => {
                let projects = names(items.get(1));
                facts.tier = Some((
                    Tier::Scoped,
                    format!("pypi caveat projects={}", projects.join(",")),
                ));
            }
            Some(2) => {
                let ids = names(items.get(1));
                facts.tier = Some((
                    Tier::Scoped,
                    format!("pypi caveat project ids={}", ids.join(",")),
                ));
            }
            _ => {}
        },
        _ => {}
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Encodes a v2 macaroon with `caveats` as a `pypi-` token (test helper; the signature is
    /// filler).
    pub(crate) fn token(caveats: &[&str]) -> String {
        let mut bytes = vec![2u8];
        let field = |bytes: &mut Vec<u8>, kind: u8, data: &[u8]| {
            bytes.push(kind);
            bytes.push(data.len() as u8);
            bytes.extend_from_slice(data);
        };
        field(&mut bytes, 1, b"pypi.org");
        field(&mut bytes, 2, b"\x01\x02macaroon-identifier-filler");
        bytes.push(EOS);
        for caveat in caveats {
            field(&mut bytes, 2, caveat.as_bytes());
            bytes.push(EOS);
        }
        bytes.push(EOS);
        field(&mut bytes, 6, &[7u8; 32]);
        format!("pypi-{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    #[test]
    fn the_prefix_is_what_keyaudit_rules_expect() {
        assert!(token(&[]).starts_with("pypi-AgEIcHlwaS5vcmc"));
    }

    #[test]
    fn project_caveats_make_it_scoped_and_expiry_is_read() {
        let legacy = token(&[r#"{"version": 1, "permissions": {"projects": ["billing-sdk"]}}"#]);
        assert_eq!(
            analyze(legacy.as_bytes()).unwrap().tier,
            Some((Tier::Scoped, "pypi caveat projects=billing-sdk".into()))
        );
        let compact = token(&[
            r#"[1,["billing-sdk","billing-cli"]]"#,
            "[0,1900000000,1800000000]",
        ]);
        let facts = analyze(compact.as_bytes()).unwrap();
        assert_eq!(
            facts.tier.unwrap().1,
            "pypi caveat projects=billing-sdk,billing-cli"
        );
        assert_eq!(facts.expires.unwrap().as_second(), 1_900_000_000);
        let user = token(&[r#"{"version": 1, "permissions": "user"}"#]);
        assert_eq!(
            analyze(user.as_bytes()).unwrap().tier,
            None,
            "an account-wide token keeps its rule's tier"
        );
    }

    #[test]
    fn malformed_tokens_read_as_nothing() {
        let good = token(&["[1,[\"x\"]]"]);
        let truncated = &good[..30];
        for bad in [truncated, "pypi-", "pypi-!!!!", "pypi-AAAA", "not-pypi"] {
            let facts = analyze(bad.as_bytes());
            assert!(
                facts.is_none() || facts == Some(PypiFacts::default()),
                "{bad}"
            );
        }
    }
}
