//! Discord bot tokens are three base64url parts joined by dots: the bot's user id (a snowflake,
//! 17 to 20 decimal digits, encoded as text), a timestamp and an HMAC. The first part decoding
//! to an id is what tells a token from any other dotted string, with no name around it.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// base64url that accepts padding or none and trailing bits left set, as the token's first
/// part is cut from a padded encoding.
const LENIENT_URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Whether `token` is shaped like a Discord bot token whose first part is a user id.
pub fn is_bot_token(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b'.');
    let (Some(id), Some(stamp), Some(mac), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if stamp.len() != 6 || mac.len() < 27 {
        return false;
    }
    let Ok(decoded) = LENIENT_URL_SAFE.decode(id) else {
        return false;
    };
    (17..=20).contains(&decoded.len())
        && decoded[0] != b'0'
        && decoded.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_whose_first_part_is_a_user_id_is_one() {
        // "123456789012345678" in base64url, a timestamp, a made-up MAC.
        let id = LENIENT_URL_SAFE.encode("123456789012345678");
        let token = format!("{id}.GkqaRA.t3Mz2hXBHfD6cqv0a9Zq0NlQvzoi8xRk0q3ZVw");
        assert!(is_bot_token(token.as_bytes()), "{token}");
        let padded_19 = LENIENT_URL_SAFE.encode("1234567890123456789");
        let token = format!("{padded_19}.GkqaRA.t3Mz2hXBHfD6cqv0a9Zq0NlQvzoi8xRk0q3ZVw");
        assert!(is_bot_token(token.as_bytes()), "{token}");
    }

    #[test]
    fn other_dotted_strings_are_not() {
        // A JWT: its first part is JSON, not digits (joined here so the file holds no JWT).
        let jwt = [
            "eyJhbGciOiJIUzI1NiJ9",
            "eyJzdWIiOiIxIn0",
            "t3Mz2hXBHfD6cqv0a9Zq0NlQvzoi8xRk0q3ZVw",
        ];
        assert!(!is_bot_token(jwt.join(".").as_bytes()));
        // Letters where the id should be.
        let id = LENIENT_URL_SAFE.encode("12345678901234567a");
        let token = format!("{id}.GkqaRA.t3Mz2hXBHfD6cqv0a9Zq0NlQvzoi8xRk0q3ZVw");
        assert!(!is_bot_token(token.as_bytes()));
        // A timestamp part of the wrong length, a short MAC, a fourth part.
        let id = LENIENT_URL_SAFE.encode("123456789012345678");
        for token in [
            format!("{id}.GkqaRAx.t3Mz2hXBHfD6cqv0a9Zq0NlQvzoi8xRk0q3ZVw"),
            format!("{id}.GkqaRA.t3Mz2hXBHfD6"),
            format!("{id}.GkqaRA.t3Mz2hXBHfD6cqv0a9Zq0NlQvzoi8xRk0q3ZVw.x"),
        ] {
            assert!(!is_bot_token(token.as_bytes()), "{token}");
        }
    }
}
