//! AWS Signature Version 4 (docs.aws.amazon.com, "Create a signed AWS API request"): the
//! canonical request, the string to sign, the signing key derived from the secret access key
//! by four HMAC-SHA256 steps, and the `Authorization` header that carries the signature. The
//! secret itself never leaves the machine; only the signature does.

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::Request;

/// The algorithm named in the string to sign and the `Authorization` header.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// An access key: its id, its secret and, for temporary keys, the session token.
pub struct Credentials<'a> {
    /// `AKIA…` or `ASIA…`.
    pub access_key_id: &'a str,
    /// The secret access key.
    pub secret_access_key: &'a str,
    /// The session token a temporary (`ASIA…`) key needs.
    pub session_token: Option<&'a str>,
}

/// Where a request is signed for: the region and the service (`us-east-1`, `sts`).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The region the signing key is derived for.
    pub region: &'a str,
    /// The service's signing name.
    pub service: &'a str,
}

/// Signs `request` at `now`: adds `X-Amz-Date`, the session token if any, and
/// `Authorization`. Every header already on the request is signed, and `Host` with them.
pub fn sign(
    mut request: Request,
    credentials: &Credentials<'_>,
    scope: Scope<'_>,
    now: Timestamp,
) -> Request {
    let amz_date = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    request = request.header("X-Amz-Date", amz_date.as_str());
    if let Some(token) = credentials.session_token {
        request = request.header("X-Amz-Security-Token", token);
    }
    let (path, query) = request
        .path
        .split_once('?')
        .unwrap_or((request.path.as_str(), ""));
    let mut headers = request.headers.clone();
    headers.push(("Host".to_string(), request.host.clone()));
    let canonical = canonical_request(
        request.method.as_str(),
        path,
        query,
        &headers,
        request.body.as_deref().unwrap_or_default(),
    );
    let authorization = authorization(credentials, scope, &amz_date, &canonical);
    request.header("Authorization", authorization)
}

/// A canonical request and the `SignedHeaders` list it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    /// The canonical request's text.
    pub text: String,
    /// Header names, lower-cased, sorted, joined by `;`.
    pub signed_headers: String,
}

/// The canonical request: method, path, query parameters sorted, headers lower-cased with
/// their values trimmed and inner runs of spaces collapsed, sorted by name, the list of
/// signed headers, and the hex SHA-256 of the payload, one to a line. `query` is taken as
/// already URI-encoded.
pub fn canonical_request(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    payload: &[u8],
) -> CanonicalRequest {
    let mut parameters: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    parameters.sort_by_key(|p| p.split_once('=').unwrap_or((p, "")));
    let mut canonical_headers: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| {
            let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
            (name.to_ascii_lowercase(), value)
        })
        .collect();
    canonical_headers.sort();
    let signed_headers = canonical_headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let header_lines: String = canonical_headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let path = if path.is_empty() { "/" } else { path };
    let text = format!(
        "{method}\n{path}\n{}\n{header_lines}\n{signed_headers}\n{}",
        parameters.join("&"),
        hex::encode(Sha256::digest(payload))
    );
    CanonicalRequest {
        text,
        signed_headers,
    }
}

/// The string to sign: the algorithm, the request's date and time, the credential scope
/// (`20150830/us-east-1/iam/aws4_request`) and the hex SHA-256 of the canonical request.
pub fn string_to_sign(amz_date: &str, credential_scope: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{credential_scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

/// The signing key: `HMAC("AWS4" + secret, date)`, then the region, the service and
/// `aws4_request` in turn, each keyed by the previous digest.
pub fn signing_key(secret_access_key: &str, date: &str, scope: Scope<'_>) -> [u8; 32] {
    let k_date = hmac_sha256(format!("AWS4{secret_access_key}").as_bytes(), date);
    let k_region = hmac_sha256(&k_date, scope.region);
    let k_service = hmac_sha256(&k_region, scope.service);
    hmac_sha256(&k_service, "aws4_request")
}

/// The `Authorization` header's value for `canonical` signed at `amz_date`.
pub fn authorization(
    credentials: &Credentials<'_>,
    scope: Scope<'_>,
    amz_date: &str,
    canonical: &CanonicalRequest,
) -> String {
    let date = amz_date.get(..8).unwrap_or(amz_date);
    let credential_scope = format!("{date}/{}/{}/aws4_request", scope.region, scope.service);
    let to_sign = string_to_sign(amz_date, &credential_scope, &canonical.text);
    let key = signing_key(credentials.secret_access_key, date, scope);
    let signature = hex::encode(hmac_sha256(&key, &to_sign));
    format!(
        "{ALGORITHM} Credential={}/{credential_scope}, SignedHeaders={}, Signature={signature}",
        credentials.access_key_id, canonical.signed_headers
    )
}

fn hmac_sha256(key: &[u8], data: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The worked example of AWS's General Reference ("Signature Version 4 signing process",
    // Tasks 1 to 4): IAM ListUsers, us-east-1, 2015-08-30 12:36:00 UTC, with the documented
    // example key.
    const EXAMPLE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"; // keyaudit:allow
    const EXAMPLE_SCOPE: Scope<'static> = Scope {
        region: "us-east-1",
        service: "iam",
    };

    fn example_headers() -> Vec<(String, String)> {
        vec![
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            ),
            ("Host".into(), "iam.amazonaws.com".into()),
            ("X-Amz-Date".into(), "20150830T123600Z".into()),
        ]
    }

    fn example_canonical() -> CanonicalRequest {
        canonical_request(
            "GET",
            "/",
            "Version=2010-05-08&Action=ListUsers",
            &example_headers(),
            b"",
        )
    }

    #[test]
    fn the_documented_canonical_request_and_its_hash() {
        let canonical = example_canonical();
        assert_eq!(
            canonical.text,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n\
             content-type:application/x-www-form-urlencoded; charset=utf-8\n\
             host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
             content-type;host;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let to_sign = string_to_sign(
            "20150830T123600Z",
            "20150830/us-east-1/iam/aws4_request",
            &canonical.text,
        );
        assert_eq!(
            to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n\
             f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
        );
    }

    #[test]
    fn the_documented_signing_key_and_signature() {
        let key = signing_key(EXAMPLE_SECRET, "20150830", EXAMPLE_SCOPE);
        assert_eq!(
            hex::encode(key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
        let credentials = Credentials {
            access_key_id: "AKIDEXAMPLE",
            secret_access_key: EXAMPLE_SECRET,
            session_token: None,
        };
        assert_eq!(
            authorization(
                &credentials,
                EXAMPLE_SCOPE,
                "20150830T123600Z",
                &example_canonical()
            ),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
    }

    #[test]
    fn sign_signs_the_request_as_sent_with_its_date_and_token() {
        let request = Request::get("iam.amazonaws.com", "/?Action=ListUsers&Version=2010-05-08")
            .header(
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            );
        let now: Timestamp = "2015-08-30T12:36:00Z".parse().unwrap();
        let credentials = Credentials {
            access_key_id: "AKIDEXAMPLE",
            secret_access_key: EXAMPLE_SECRET,
            session_token: None,
        };
        let signed = sign(request, &credentials, EXAMPLE_SCOPE, now);
        let header = |name: &str| {
            signed
                .headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("X-Amz-Date"), Some("20150830T123600Z"));
        assert!(header("Authorization").unwrap().ends_with(
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        ));

        // A session token is sent and signed.
        let temporary = Credentials {
            session_token: Some("FQoGZXIvYXdzEXAMPLE"), // keyaudit:allow
            ..credentials
        };
        let request = Request::get("sts.amazonaws.com", "/");
        let signed = sign(request, &temporary, EXAMPLE_SCOPE, now);
        let authorization = signed
            .headers
            .iter()
            .find(|(n, _)| n == "Authorization")
            .unwrap();
        assert!(authorization
            .1
            .contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"));
    }

    #[test]
    fn header_values_are_trimmed_and_their_spaces_collapsed() {
        let canonical = canonical_request(
            "POST",
            "",
            "",
            &[("My-Header".into(), "  a   b  c ".into())],
            b"x",
        );
        assert!(canonical
            .text
            .starts_with("POST\n/\n\nmy-header:a b c\n\nmy-header\n"));
    }
}
