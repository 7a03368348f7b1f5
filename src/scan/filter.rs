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

/// Fragments (lowercase) of well-known documentation credentials and their near copies:
/// AWS's example access key and secret, RFC 7617's `Aladdin:open sesame`, and xkcd 936.
const DOCUMENTED_EXAMPLE_FRAGMENTS: &[&str] = &[
    "iosfodnn7",
    "wjalrxutnfemi",
    "bpxrficy",
    "opensesame",
    "open sesame",
    "open%20sesame",
    "correcthorse",
    "correct horse",
    "correct%20horse",
];

/// Host names reserved for documentation (RFC 2606, RFC 6761): a credential in a URL to one
/// of these is an example, not a key.
const DOCUMENTATION_DOMAINS: &[&str] = &[
    "example.com",
    "example.net",
    "example.org",
    "example",
    "test",
    "invalid",
];

/// Whether `host` is, or is under, a domain reserved for documentation.
pub fn is_documentation_host(host: &[u8]) -> bool {
    let host = String::from_utf8_lossy(host).to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    DOCUMENTATION_DOMAINS.iter().any(|domain| {
        host == *domain
            || host
                .strip_suffix(domain)
                .is_some_and(|rest| rest.ends_with('.'))
    })
}

/// Percent-decodes `%XX` escapes, leaving malformed ones as they are.
fn percent_decode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if data[i] == b'%' && i + 2 < data.len() {
            if let (Some(hi), Some(lo)) = (hex(data[i + 1]), hex(data[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(data[i]);
        i += 1;
    }
    out
}

/// Whether `secret` is a placeholder, a template reference or otherwise obviously not a key.
pub fn is_placeholder(secret: &[u8]) -> bool {
    if DOCUMENTED_EXAMPLE_KEYS.contains(&secret) {
        return true;
    }
    let lower = secret.to_ascii_lowercase();
    let text = String::from_utf8_lossy(&lower);
    if PLACEHOLDER_MARKERS.iter().any(|m| text.contains(m))
        || DOCUMENTED_EXAMPLE_FRAGMENTS
            .iter()
            .any(|m| text.contains(m))
    {
        return true;
    }
    // A word dressed in punctuation or escapes (`[password]`, `pass%5B`) is still the word.
    let word: String = String::from_utf8_lossy(&percent_decode(&lower))
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if PLACEHOLDER_WORDS.contains(&word.as_str()) {
        return true;
    }
    // `{name}`, `[name]`, `(name)`: template or documentation syntax around a name.
    let wrapped = matches!(
        (secret.first(), secret.last()),
        (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']')) | (Some(b'('), Some(b')'))
    );
    if wrapped {
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
            "AKIAIOSFODNN7EXAMPLF",
            "[password]",
            "password]",
            "{encoded_password}",
            "pass%5B%7F",
            "opensesame",
            "correct%20horse%20battery%20staple",
        ] {
            assert!(is_placeholder(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn documentation_hosts_are_recognised() {
        for host in [
            "example.com",
            "db.example.org",
            "api.EXAMPLE.net.",
            "svc.test",
            "x.example",
        ] {
            assert!(is_documentation_host(host.as_bytes()), "{host}");
        }
        for host in [
            "db.internal",
            "example.com.evil.io",
            "myexample.com",
            "localhost",
            "10.0.0.1",
        ] {
            assert!(!is_documentation_host(host.as_bytes()), "{host}");
        }
    }

    #[test]
    fn percent_decoding_tolerates_malformed_escapes() {
        assert_eq!(percent_decode(b"a%20b"), b"a b");
        assert_eq!(percent_decode(b"100%"), b"100%");
        assert_eq!(percent_decode(b"%zz%4"), b"%zz%4");
    }

    #[test]
    fn random_keys_are_not_placeholders() {
        for value in [
            "ghp_Zq8rT2mW9xLp4vN7bK3sYc6dF1gH5jQ0aE2u", // keyaudit:allow
            "sk_live_51Hq8ZrT2mW9xLp4vN7bK3sYc6d",      // keyaudit:allow
            "Tr0ub4dor&3-horse",
        ] {
            assert!(!is_placeholder(value.as_bytes()), "{value}");
        }
    }
}
