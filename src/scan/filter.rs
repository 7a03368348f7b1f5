//! Pure tests that reject matches which are not real keys: placeholders, templating and
//! low-entropy strings. Each is cheap and runs only on regex matches, never on whole files.

/// Shannon entropy of `data` in bits per byte.
pub fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for &byte in data {
        counts[byte as usize] += 1;
    }
    let len = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

/// Substrings (lowercase) that mark a value as a placeholder or a template, not a key.
const PLACEHOLDER_MARKERS: &[&str] = &[
    "example",
    "xxxx",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yoursecret",
    "yourpassword",
    "<",
    ">",
    "${",
    "{{",
    "}}",
    "%(",
    "redacted",
    "dummy",
    "****",
    "....",
    "…",
    "0123456789",
    "123456789",
    "abcdefghij",
];

/// Whole values (lowercase) that are words, not secrets.
const PLACEHOLDER_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "changeit",
    "admin",
    "root",
    "test",
    "none",
    "null",
    "nil",
    "todo",
    "tbd",
    "foo",
    "bar",
    "foobar",
    "token",
    "apikey",
    "api_key",
    "user",
    "username",
    "guest",
    "default",
    "empty",
    "undefined",
    "hunter2",
    "letmein",
    "qwerty",
];

/// Keys published in vendor documentation for local development, identical on every machine.
const DOCUMENTED_EXAMPLE_KEYS: &[&[u8]] = &[
    // The Azurite / Azure Storage Emulator account key for `devstoreaccount1`.
    b"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
];

/// Whether `secret` is a placeholder, a template reference or otherwise obviously not a key.
pub fn is_placeholder(secret: &[u8]) -> bool {
    if DOCUMENTED_EXAMPLE_KEYS.contains(&secret) {
        return true;
    }
    let lower = secret.to_ascii_lowercase();
    let text = String::from_utf8_lossy(&lower);
    if PLACEHOLDER_MARKERS.iter().any(|m| text.contains(m)) {
        return true;
    }
    if PLACEHOLDER_WORDS.contains(&text.as_ref()) {
        return true;
    }
    // `$NAME`, `%NAME%`: a reference to a variable, not a value.
    if secret.first() == Some(&b'$')
        || (secret.first() == Some(&b'%') && secret.last() == Some(&b'%'))
    {
        return true;
    }
    // A long value made of three or fewer distinct characters is filler (`0000…`, `abab…`).
    if secret.len() >= 8 {
        let mut distinct = [false; 256];
        let mut count = 0;
        for &byte in secret {
            if !distinct[byte as usize] {
                distinct[byte as usize] = true;
                count += 1;
            }
        }
        if count <= 3 {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy(b"Zq8rT2mW9xLp4vN7bK3s") > 4.0);
    }

    #[test]
    fn placeholders_are_rejected() {
        for value in [
            "AKIAIOSFODNN7EXAMPLE",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "<your-api-key>",
            "${STRIPE_KEY}",
            "{{ secrets.token }}",
            "%(password)s",
            "changeme",
            "password",
            "$DB_PASSWORD",
            "%DB_PASSWORD%",
            "00000000000000000000",
            "sk_live_1234567890abcdef",
            "REDACTED",
        ] {
            assert!(is_placeholder(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn random_keys_are_not_placeholders() {
        for value in [
            "ghp_Zq8rT2mW9xLp4vN7bK3sYc6dF1gH5jQ0aE2u",
            "sk_live_51Hq8ZrT2mW9xLp4vN7bK3sYc6d",
            "Tr0ub4dor&3-horse",
        ] {
            assert!(!is_placeholder(value.as_bytes()), "{value}");
        }
    }
}
