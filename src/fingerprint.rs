//! Key fingerprints: `hmac-sha256:` and the first 16 bytes of HMAC-SHA256(salt, secret) in hex.
//!
//! Without a manifest the salt is the fixed key `keyaudit-v1`, so fingerprints are stable across
//! runs; a manifest's salt makes them useless to anyone who lacks it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The salt used when no manifest provides one.
pub const DEFAULT_SALT: &[u8] = b"keyaudit-v1";

/// The textual prefix of every fingerprint.
pub const PREFIX: &str = "hmac-sha256:";

/// Computes the fingerprint of `secret` keyed by `salt`.
pub fn fingerprint(salt: &[u8], secret: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(salt).expect("HMAC accepts keys of any length");
    mac.update(secret);
    let digest = mac.finalize().into_bytes();
    format!("{PREFIX}{}", hex::encode(&digest[..16]))
}

/// Names the fingerprint key without revealing it: the first 16 hex digits of
/// HMAC-SHA256(salt, `"keyaudit salt id"`). Reports whose salt ids differ hold fingerprints
/// that cannot be compared.
pub fn salt_id(salt: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(salt).expect("HMAC accepts keys of any length");
    mac.update(b"keyaudit salt id");
    hex::encode(&mac.finalize().into_bytes()[..8])
}

/// Whether `text` has the shape of a fingerprint (prefix and 32 lowercase hex digits).
pub fn is_well_formed(text: &str) -> bool {
    text.strip_prefix(PREFIX).is_some_and(|hex| {
        hex.len() == 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_4231_construction() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let fp = fingerprint(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(fp, "hmac-sha256:5bdcc146bf60754e6a042426089575c7");
        assert!(is_well_formed(&fp));
    }

    #[test]
    fn salt_changes_the_fingerprint() {
        assert_ne!(
            fingerprint(DEFAULT_SALT, b"abc"),
            fingerprint(b"other", b"abc")
        );
    }

    #[test]
    fn salt_id_is_sixteen_hex_digits_of_the_keyed_label() {
        // HMAC-SHA256(key "keyaudit-v1", "keyaudit salt id"), computed independently with
        // Python's hmac module.
        assert_eq!(salt_id(DEFAULT_SALT), "186558e90f536961");
        assert_ne!(salt_id(b"org salt"), salt_id(DEFAULT_SALT));
    }

    #[test]
    fn rejects_malformed() {
        assert!(!is_well_formed(
            "hmac-sha256:5BDCC146BF60754E6A042426089575C7"
        ));
        assert!(!is_well_formed("sha256:5bdcc146bf60754e6a042426089575c7"));
        assert!(!is_well_formed("hmac-sha256:5bdc"));
    }
}
