//! GitHub tokens end in a checksum: the last six characters are the CRC-32 of the 30 random
//! characters after the prefix, in base62 (`0-9A-Za-z`), zero-padded. A token whose checksum
//! holds is well-formed; one whose checksum fails is random or fabricated.

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// For a 40-character `gh?_` token: Some(true) when its checksum holds, Some(false) when not,
/// None for other shapes (fine-grained tokens have no such checksum).
pub fn checksum_holds(token: &[u8]) -> Option<bool> {
    if token.len() != 40 || !token.starts_with(b"gh") || token[3] != b'_' {
        return None;
    }
    let (entropy, checksum) = token[4..].split_at(30);
    let mut value: u64 = 0;
    for &c in checksum {
        let digit = BASE62.iter().position(|&b| b == c)? as u64;
        value = value * 62 + digit;
    }
    Some(value == u64::from(crc32fast::hash(entropy)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a token with a correct checksum (test helper).
    fn token(prefix: &str, entropy: &str) -> String {
        let mut value = u64::from(crc32fast::hash(entropy.as_bytes()));
        let mut digits = [b'0'; 6];
        for slot in digits.iter_mut().rev() {
            *slot = BASE62[(value % 62) as usize];
            value /= 62;
        }
        format!("{prefix}{entropy}{}", String::from_utf8_lossy(&digits))
    }

    #[test]
    fn a_correct_checksum_holds_and_a_random_one_fails() {
        let good = token("ghp_", "Q7w2E9r4T1y6U3i8O5p0A2s4D6f8G1");
        assert_eq!(checksum_holds(good.as_bytes()), Some(true));
        let mut bad = good.clone().into_bytes();
        bad[10] = if bad[10] == b'x' { b'y' } else { b'x' };
        assert_eq!(checksum_holds(&bad), Some(false));
        assert_eq!(checksum_holds(b"github_pat_11AAAA"), None);
        assert_eq!(
            checksum_holds(b"ghp_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"),
            None
        );
    }
}
