//! AWS (docs.aws.amazon.com, STS API Reference): an access key asks STS
//! `GetCallerIdentity`, a `POST /` to `sts.amazonaws.com` signed with Signature Version 4
//! (`us-east-1`, `sts`), which needs no permission and names the caller's `Arn` and `Account`.
//! A key is two values found apart, the access key id and the secret access key, and a
//! temporary (`ASIA…`) key a session token as well: each verifies with its nearest
//! companions, and with one missing nothing is sent. `InvalidClientTokenId` (the key id, or
//! the session token, is not known) and `ExpiredToken` are dead; `SignatureDoesNotMatch` says
//! the secret beside the id is not its own, which proves nothing of either.
//!
//! The global endpoint answers for the `aws` partition only: a key of AWS China or GovCloud
//! answers `InvalidClientTokenId` there too.

use jiff::Timestamp;

use crate::rules::Tier;
use crate::verify::sigv4::{self, Credentials, Scope};
use crate::verify::xml::element;
use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "sts.amazonaws.com";
const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
const SCOPE: Scope<'static> = Scope {
    region: "us-east-1",
    service: "sts",
};

const KEY_ID_RULES: &[&str] = &["aws-access-key-id", "aws-temporary-access-key-id"];
const SECRET_RULE: &str = "aws-secret-access-key";
const SESSION_TOKEN_RULE: &str = "aws-session-token";

/// The AWS verifier.
pub struct Aws;

impl Provider for Aws {
    fn name(&self) -> &'static str {
        "AWS"
    }

    fn rules(&self) -> &'static [&'static str] {
        &[
            "aws-access-key-id",
            "aws-temporary-access-key-id",
            "aws-secret-access-key",
            "aws-session-token",
        ]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let parts = match KeyParts::of(key) {
            Ok(parts) => parts,
            Err(missing) => return Answer::unknown(missing),
        };
        let credentials = Credentials {
            access_key_id: &parts.access_key_id,
            secret_access_key: &parts.secret_access_key,
            session_token: parts.session_token.as_deref(),
        };
        let request = Request::post(
            HOST,
            "/",
            "application/x-www-form-urlencoded; charset=utf-8",
            BODY.as_bytes().to_vec(),
        );
        let request = sigv4::sign(request, &credentials, SCOPE, Timestamp::now());
        client.ask(&request, read)
    }
}

/// The three values of one key, whichever of them was found by the rule being verified.
struct KeyParts {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

impl KeyParts {
    /// The key's values, or why it cannot be asked about (a value missing beside it).
    fn of(key: &Candidate<'_>) -> Result<Self, &'static str> {
        let companion = |rules: &[&str]| key.companion(rules).map(|s| s.expose_str());
        let own = key.secret.expose_str();
        let (access_key_id, secret_access_key) = match key.rule {
            SECRET_RULE => (
                companion(KEY_ID_RULES).ok_or("no access key id found beside it")?,
                own.clone(),
            ),
            SESSION_TOKEN_RULE => (
                companion(&["aws-temporary-access-key-id"])
                    .ok_or("no temporary access key id found beside it")?,
                companion(&[SECRET_RULE]).ok_or("no secret access key found beside it")?,
            ),
            _ => (
                own.clone(),
                companion(&[SECRET_RULE]).ok_or("no secret access key found beside it")?,
            ),
        };
        // A temporary key without its session token would be refused as an unknown token,
        // which would read as dead: it is not asked about.
        let session_token = if access_key_id.starts_with("ASIA") {
            Some(match key.rule {
                SESSION_TOKEN_RULE => own,
                _ => companion(&[SESSION_TOKEN_RULE])
                    .ok_or("a temporary key id with no session token found beside it")?,
            })
        } else {
            None
        };
        Ok(Self {
            access_key_id,
            secret_access_key,
            session_token,
        })
    }
}

fn read(response: &Response) -> Answer {
    let body = String::from_utf8_lossy(&response.body);
    if response.status == 200 {
        let Some(arn) = element(&body, "Arn") else {
            return Answer::error("AWS: HTTP 200 without an Arn");
        };
        let mut answer = Answer::live().identity(arn.as_str());
        if let Some(account) = element(&body, "Account") {
            answer = answer.note(format!("AWS account {account}"));
        }
        // The account's root user: its keys can do anything, and no policy limits them.
        if arn.ends_with(":root") {
            answer = answer.tier(Tier::Admin);
        }
        return answer;
    }
    match element(&body, "Code").as_deref() {
        Some("InvalidClientTokenId") => {
            Answer::dead("AWS: InvalidClientTokenId (the key id or session token is not known)")
        }
        Some("ExpiredToken") => Answer::dead("AWS: ExpiredToken (the session token has expired)"),
        Some("SignatureDoesNotMatch") => Answer::unknown(
            "AWS: SignatureDoesNotMatch (the secret found beside the key id is not its own)",
        ),
        Some(code @ ("IncompleteSignature" | "MissingAuthenticationToken" | "RequestExpired")) => {
            Answer::error(format!("AWS: {code} (a signing problem on this side)"))
        }
        Some(code) if response.status >= 400 && response.status < 500 => {
            Answer::error(format!("AWS: HTTP {} {code}", response.status))
        }
        _ => Answer::unexpected(response),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Received, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const KEY_ID: &str = "AKIA4HK7Q2ZWBN3XR5TM"; // keyaudit:allow
    const TEMPORARY_KEY_ID: &str = "ASIA6PJ2W8KDQ4ZN7RXC"; // keyaudit:allow
    const SECRET: &str = "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"; // keyaudit:allow
    const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEXd2h8Kq3Lr7Tz1Vn5Pm9Wx2Yb4Cf6Dg8Hj0Kl3Mn5Op7Qr9St1Uv3Wx5Yz7Ab9Cd1Ef3Gh5Ij7Kl9Mn1Op3Qr5St7Uv9Wx1Yz3Ab5Cd7Ef9Gh1Ij3Kl5Mn7Op9"; // keyaudit:allow

    const IDENTITY: &str = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
   <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>"#;

    fn error_body(code: &str) -> String {
        format!(
            r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>denied</Message></Error>
  <RequestId>4c3b2a10-0000-0000-0000-000000000000</RequestId>
</ErrorResponse>"#
        )
    }

    fn sts(reply: Reply) -> MockServer {
        MockServer::start(vec![Route::new("POST", "/", reply)])
    }

    fn xml(status: u16, body: &str) -> Reply {
        Reply::typed(status, "text/xml", body)
    }

    /// Checks, as AWS would, that the request carries a valid signature of what was sent.
    fn assert_signed_by(request: &Received, key_id: &str, secret: &str) {
        let authorization = request.header("authorization").expect("an Authorization");
        let signed_headers = authorization
            .split("SignedHeaders=")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .unwrap();
        let headers: Vec<(String, String)> = signed_headers
            .split(';')
            .map(|name| (name.to_string(), request.header(name).unwrap().to_string()))
            .collect();
        let canonical =
            sigv4::canonical_request(&request.method, &request.path, "", &headers, &request.body);
        let amz_date = request.header("x-amz-date").unwrap();
        let credentials = Credentials {
            access_key_id: key_id,
            secret_access_key: secret,
            session_token: None,
        };
        assert_eq!(
            authorization,
            sigv4::authorization(&credentials, SCOPE, amz_date, &canonical)
        );
        assert!(authorization.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential={key_id}/{}/us-east-1/sts/aws4_request, ",
            &amz_date[..8]
        )));
        assert!(signed_headers.contains("host"), "{signed_headers}");
    }

    #[test]
    fn a_secret_with_its_key_id_beside_it_is_live_with_its_arn() {
        let server = sts(xml(200, IDENTITY));
        let v = verify_with(
            "aws-secret-access-key",
            SECRET,
            &[("aws-access-key-id", KEY_ID)],
            &server,
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(
            v.identity.as_deref(),
            Some("arn:aws:iam::123456789012:user/Alice")
        );
        assert_eq!(v.note.as_deref(), Some("AWS account 123456789012"));
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        let request = &received[0];
        assert_eq!(request.header("host"), Some(HOST));
        assert_eq!(request.body, BODY.as_bytes());
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded; charset=utf-8")
        );
        assert_signed_by(request, KEY_ID, SECRET);
        let sent = format!("{request:?}");
        assert!(!sent.contains(SECRET), "the secret itself is never sent");
    }

    #[test]
    fn a_key_id_verifies_with_the_nearest_secret_and_root_keys_are_admin() {
        let root = IDENTITY.replace("user/Alice", "root");
        let server = sts(xml(200, &root));
        let farther_secret = "Zx8Wv6Ut4Sr2Qp0On8Ml6Kj4Ih2Gf0Ed8Cb6Az4Y"; // keyaudit:allow
        let v = verify_with(
            "aws-access-key-id",
            KEY_ID,
            &[
                ("github-classic-pat", "ghp_unrelated"),
                (SECRET_RULE, SECRET),
                (SECRET_RULE, farther_secret),
            ],
            &server,
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(
            v.identity.as_deref(),
            Some("arn:aws:iam::123456789012:root")
        );
        assert_signed_by(&server.received()[0], KEY_ID, SECRET);
        let answer = read(&Response {
            status: 200,
            headers: Vec::new(),
            body: root.into_bytes(),
        });
        assert_eq!(answer.tier, Some(Tier::Admin));
        let user = read(&Response {
            status: 200,
            headers: Vec::new(),
            body: IDENTITY.as_bytes().to_vec(),
        });
        assert_eq!(user.tier, None, "GetCallerIdentity reports no permissions");
    }

    #[test]
    fn a_temporary_key_sends_its_session_token() {
        let server = sts(xml(200, IDENTITY));
        let v = verify_with(
            "aws-temporary-access-key-id",
            TEMPORARY_KEY_ID,
            &[(SESSION_TOKEN_RULE, SESSION_TOKEN), (SECRET_RULE, SECRET)],
            &server,
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        let received = server.received();
        assert_eq!(
            received[0].header("x-amz-security-token"),
            Some(SESSION_TOKEN)
        );
        assert!(received[0]
            .header("authorization")
            .unwrap()
            .contains(";x-amz-security-token,"));
        assert_signed_by(&received[0], TEMPORARY_KEY_ID, SECRET);

        // The session token itself verifies with its id and secret.
        let v = verify_with(
            SESSION_TOKEN_RULE,
            SESSION_TOKEN,
            &[
                ("aws-temporary-access-key-id", TEMPORARY_KEY_ID),
                (SECRET_RULE, SECRET),
            ],
            &server,
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
    }

    /// A rule, its value, its companions, and the note expected.
    type Case = (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static str,
    );

    #[test]
    fn a_missing_companion_is_unknown_and_sends_nothing() {
        let server = sts(xml(200, IDENTITY));
        let cases: [Case; 4] = [
            (
                "aws-access-key-id",
                KEY_ID,
                &[],
                "no secret access key found beside it",
            ),
            (
                SECRET_RULE,
                SECRET,
                &[("aws-session-token", SESSION_TOKEN)],
                "no access key id",
            ),
            (
                "aws-temporary-access-key-id",
                TEMPORARY_KEY_ID,
                &[(SECRET_RULE, SECRET)],
                "no session token",
            ),
            (
                SESSION_TOKEN_RULE,
                SESSION_TOKEN,
                &[(SECRET_RULE, SECRET)],
                "no temporary",
            ),
        ];
        for (rule, value, companions, note) in cases {
            let v = verify_with(rule, value, companions, &server);
            assert_eq!(v.status, Status::Unknown, "{rule}: {v:?}");
            assert!(v.note.as_deref().unwrap().contains(note), "{rule}: {v:?}");
            assert_eq!(v.endpoint, None);
        }
        assert!(server.received().is_empty());
    }

    fn answer(reply: Reply) -> Verification {
        let server = sts(reply);
        verify_with(
            SECRET_RULE,
            SECRET,
            &[("aws-access-key-id", KEY_ID)],
            &server,
        )
    }

    #[test]
    fn unknown_or_expired_keys_are_dead_and_signature_mismatches_prove_nothing() {
        let v = answer(xml(403, &error_body("InvalidClientTokenId")));
        assert_eq!(v.status, Status::Dead, "{v:?}");
        assert!(v.note.unwrap().contains("InvalidClientTokenId"));
        assert_eq!(
            answer(xml(400, &error_body("ExpiredToken"))).status,
            Status::Dead
        );
        let v = answer(xml(403, &error_body("SignatureDoesNotMatch")));
        assert_eq!(v.status, Status::Unknown, "{v:?}");
        for code in ["IncompleteSignature", "RequestExpired", "Throttling"] {
            let v = answer(xml(400, &error_body(code)));
            assert_eq!(v.status, Status::Error, "{code}: {v:?}");
            assert!(v.note.unwrap().contains(code));
        }
    }

    #[test]
    fn server_errors_malformed_and_slow_answers_are_errors() {
        let v = answer(xml(500, &error_body("InternalFailure")));
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert_eq!(answer(xml(200, "<nope/>")).status, Status::Error);
        assert_eq!(answer(xml(403, "not xml at all")).status, Status::Error);
        let v = answer(xml(403, &error_body("InvalidClientTokenId")).after(SHORT * 3));
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.unwrap().contains("in time"));
    }
}
