//! Azure shared access signatures carry their power and lifetime in the query string: `sp`
//! (permissions), `se`/`st` (expiry and start), `ss` (services) and `srt` (resource types).

use jiff::Timestamp;

use crate::decode;
use crate::rules::{Lifetime, Tier};

/// What a SAS says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SasFacts {
    /// Tier from `sp`, with evidence.
    pub tier: Option<(Tier, String)>,
    /// `se`.
    pub expires: Option<Timestamp>,
    /// Long when valid for more than a year, else short.
    pub lifetime: Option<Lifetime>,
}

/// Reads a SAS token (`sv=…&sp=…&se=…&sig=…`).
pub fn analyze(token: &[u8]) -> Option<SasFacts> {
    let text = std::str::from_utf8(token).ok()?;
    let mut permissions = None;
    let mut expires = None;
    let mut starts = None;
    let mut scope = Vec::new();
    for pair in text.trim_start_matches('?').split('&') {
        let (name, value) = pair.split_once('=')?;
        let value = String::from_utf8_lossy(&decode::percent_decode(value.as_bytes())).into_owned();
        match name {
            "sp" => permissions = Some(value),
            "se" => expires = crate::time::parse_date(&value).ok(),
            "st" => starts = crate::time::parse_date(&value).ok(),
            "ss" | "srt" | "sr" => scope.push(format!("{name}={value}")),
            _ => {}
        }
    }
    let tier = permissions.map(|sp| {
        let read_only = !sp.is_empty() && sp.chars().all(|c| matches!(c, 'r' | 'l'));
        let tier = if read_only { Tier::Read } else { Tier::Scoped };
        let mut evidence = format!("sas sp={sp}");
        for part in &scope {
            evidence.push(' ');
            evidence.push_str(part);
        }
        (tier, evidence)
    });
    let lifetime = match (starts, expires) {
        (Some(s), Some(e)) if crate::time::days_between(s, e) > 365 => Some(Lifetime::Long),
        (_, Some(_)) => Some(Lifetime::Short),
        _ => None,
    };
    Some(SasFacts {
        tier,
        expires,
        lifetime,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_rfc3339;

    #[test]
    fn read_only_sas_is_read_with_its_expiry() {
        let facts = analyze(b"sp=rl&st=2026-03-01T09:00:00Z&se=2026-03-02T09%3A00%3A00Z&spr=https&sv=2022-11-02&sr=c&sig=abc%3D").unwrap();
        assert_eq!(facts.tier, Some((Tier::Read, "sas sp=rl sr=c".into())));
        assert_eq!(
            format_rfc3339(facts.expires.unwrap()),
            "2026-03-02T09:00:00Z"
        );
        assert_eq!(facts.lifetime, Some(Lifetime::Short));
    }

    #[test]
    fn write_letters_make_it_scoped() {
        let facts = analyze(b"sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2030-01-31T18:00:00Z&st=2026-01-31T10:00:00Z&sig=x").unwrap();
        assert_eq!(
            facts.tier.unwrap(),
            (Tier::Scoped, "sas sp=rwdlac ss=b srt=co".into())
        );
        assert_eq!(facts.lifetime, Some(Lifetime::Long));
    }

    #[test]
    fn malformed_tokens_do_not_panic() {
        assert_eq!(analyze(b"no-equals-sign"), None);
        // A percent escape next to a multi-byte character once sliced a str mid-character.
        let facts = analyze("sp=%aé&se=%+f&sig=x".as_bytes()).unwrap();
        assert_eq!(facts.tier.unwrap().1, "sas sp=%aé");
        let facts = analyze(b"sv=x&se=not-a-date&sig=%ZZ").unwrap();
        assert_eq!(facts.expires, None);
        assert_eq!(facts.tier, None);
    }
}
