//! Host names: hosts reserved for documentation or standing for "your host", and values
//! shaped as a host name.

/// Host names reserved for documentation (RFC 2606, RFC 6761): a credential in a URL to one
/// of these is an example, not a key.
const DOCUMENTATION_DOMAINS: &[&str] = &[
    "example.com",
    "example.net",
    "example.org",
    "example",
    "test",
    "invalid",
    // Not a real top-level domain: tests' stand-in for one (`evil.tld`).
    "tld",
];

/// Host names that stand for "your host" in documentation (`dbtype://user:pw@hostspec/db`).
const PLACEHOLDER_HOSTS: &[&str] = &[
    "host",
    "hostname",
    "hostspec",
    "yourhost",
    "your-host",
    "your_host",
    "myhost",
    "my-host",
];

/// Whether `host` is, or is under, a domain reserved for documentation, or a placeholder name.
pub fn is_documentation_host(host: &[u8]) -> bool {
    let host = String::from_utf8_lossy(host).to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    PLACEHOLDER_HOSTS.contains(&host)
        || DOCUMENTATION_DOMAINS.iter().any(|domain| {
            host == *domain
                || host
                    .strip_suffix(domain)
                    .is_some_and(|rest| rest.ends_with('.'))
        })
}

/// A host name (`s3.amazonaws.com`, `db-1.internal.example`): lower-case labels of letters,
/// digits and `-`, the last one letters only.
pub(super) fn is_hostname(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let tld_ok =
        |tld: &&str| (2..=12).contains(&tld.len()) && tld.bytes().all(|b| b.is_ascii_lowercase());
    labels.len() >= 2 && labels.iter().all(label_ok) && labels.last().is_some_and(tld_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_hosts_are_recognised() {
        for host in [
            "example.com",
            "db.example.org",
            "api.EXAMPLE.net.",
            "svc.test",
            "x.example",
            "hostspec",
            "HOSTNAME",
        ] {
            assert!(is_documentation_host(host.as_bytes()), "{host}");
        }
        for host in [
            "db.internal",
            "example.com.evil.io",
            "myexample.com",
            "localhost",
            "10.0.0.1",
            "host.corp.internal",
            "db-host",
        ] {
            assert!(!is_documentation_host(host.as_bytes()), "{host}");
        }
    }
}
