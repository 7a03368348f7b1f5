//! The toxic-data wrapper for raw secret bytes.
//!
//! A [`Secret`] never prints its content through `Debug` or `Display`: only code that means to
//! reveal a secret (the report with `--show-secrets`, the fingerprint) reads the bytes.

use std::fmt;

/// Raw secret bytes whose `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps raw bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The raw bytes; callers must not log them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The secret as text, with invalid UTF-8 replaced; callers must not log it.
    pub fn expose_str(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }

    /// A hint safe to print: at most the first 4 and last 2 characters with `…` between,
    /// never more than a third of the secret's characters.
    pub fn redacted(&self) -> String {
        let text = self.expose_str();
        let chars: Vec<char> = text.chars().collect();
        let budget = (chars.len() / 3).min(6);
        let suffix = budget / 3;
        let prefix = (budget - suffix).min(4);
        let head: String = chars[..prefix].iter().collect();
        let tail: String = chars[chars.len() - suffix..].iter().collect();
        format!("{head}…{tail}")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes redacted>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new(b"ghp_canaryCANARYcanary".to_vec());
        let shown = format!("{secret:?}");
        assert!(!shown.contains("canary"), "{shown}");
        assert!(shown.contains("22 bytes"));
    }

    #[test]
    fn redaction_shows_at_most_a_third() {
        let long = Secret::new(b"sk_live_abcdefghijklmnopqrstuvwx".to_vec());
        assert_eq!(long.redacted(), "sk_l…wx");
        let twelve = Secret::new(b"abcdefghijkl".to_vec());
        assert_eq!(twelve.redacted(), "abc…l");
        let tiny = Secret::new(b"ab".to_vec());
        assert_eq!(tiny.redacted(), "…");
        for len in 0..40 {
            let s = Secret::new(vec![b'z'; len]);
            let shown = s.redacted().chars().filter(|c| *c == 'z').count();
            assert!(shown * 3 <= len && shown <= 6, "len {len} showed {shown}");
        }
    }

    #[test]
    fn redaction_is_char_safe() {
        let s = Secret::new("pässwörd-ünïcödé-value".as_bytes().to_vec());
        assert!(s.redacted().starts_with("päss"));
    }
}
