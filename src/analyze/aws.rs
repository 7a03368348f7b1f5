//! AWS access key ids carry the account they belong to: base32-decode the 16 characters after
//! the four-letter prefix, take the first 6 bytes as a big-endian integer, mask and shift.

/// The 12-digit account id encoded in an `AKIA`/`ASIA` access key id, if it decodes.
pub fn account_id(key_id: &str) -> Option<String> {
    let bytes = key_id.as_bytes();
    if bytes.len() != 20 || !(key_id.starts_with("AKIA") || key_id.starts_with("ASIA")) {
        return None;
    }
    // Base32 (RFC 4648): 16 characters are 80 bits; the first 48 are enough.
    let mut bits: u128 = 0;
    for &c in &bytes[4..] {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        bits = (bits << 5) | u128::from(value);
    }
    let first_six = (bits >> 32) as u64;
    let account = (first_six & 0x7fff_ffff_ff80) >> 7;
    Some(format!("{account:012}"))
}

#[cfg(test)]
mod tests {
    use super::account_id;

    /// Encodes an account id into an access key id the way the decoder reads it.
    fn key_for(account: u64) -> String {
        let first_six: u64 = account << 7;
        let bits: u128 = (u128::from(first_six) << 32) | 0x1234_5678;
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let body: String = (0..16)
            .rev()
            .map(|i| alphabet[((bits >> (i * 5)) & 31) as usize] as char)
            .collect();
        format!("AKIA{body}")
    }

    #[test]
    fn decodes_the_account() {
        for account in [123_456_789_012u64, 1, 999_999_999_999] {
            assert_eq!(
                account_id(&key_for(account)).unwrap(),
                format!("{account:012}")
            );
        }
    }

    #[test]
    fn decodes_a_published_key_id_to_the_account_aws_itself_returned() {
        // Aidan Steele, "AWS Access Key ID formats" (2020): `aws sts get-access-key-info` for
        // a published session key id answered account 609629065308.
        let published = "ASIAY34FZKBOKMUTVV7A"; // keyaudit:allow (a published key id, no secret)
        assert_eq!(account_id(published).as_deref(), Some("609629065308"));
    }

    #[test]
    fn rejects_what_is_not_an_access_key_id() {
        assert_eq!(account_id("AKIA0000000000000000"), None, "0 is not base32");
        assert_eq!(account_id("AKIAABC"), None);
        assert_eq!(account_id("AIDAABCDEFGHIJKLMNOP"), None);
    }
}
