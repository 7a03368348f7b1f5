//! Google Cloud service-account keys (developers.google.com, "Using OAuth 2.0 for Server to
//! Server Applications"): the key signs a JWT (RS256; `iss` the account's `client_email`,
//! `aud` `https://oauth2.googleapis.com/token`, a read-only `scope`, one hour at most
//! between `iat` and `exp`) and exchanges it at `oauth2.googleapis.com/token` for an access
//! token, which is dropped unread: an answer with one proves the key live, and the account's
//! email is the identity. `invalid_grant` answers naming a signature no key of the account
//! matches (the key deleted or disabled), or an account not found or disabled, are dead; a
//! time refused (this machine's clock) and every other refusal is an error.
//!
//! The exchange needs the account's `client_email` beside the private key: it is read from
//! the key itself when the key is the whole JSON key file, else from the key's id when that
//! is the account's email. Without one nothing is sent.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jiff::Timestamp;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::sha2::Sha256;
use rsa::PrivateKey;

use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "oauth2.googleapis.com";
const TOKEN_PATH: &str = "/token";
/// The `aud` of every assertion exchanged for an access token.
const AUDIENCE: &str = "https://oauth2.googleapis.com/token";
/// The narrowest scope every Google Cloud service account may ask for; asking grants
/// nothing the account's roles do not, and the token is never used.
const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform.read-only";
/// How long the assertion is valid: Google takes one hour at most.
const LIFETIME_SECONDS: i64 = 600;
const GRANT_TYPE: &str = "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer";

/// The Google Cloud service-account key verifier.
pub struct Google;

impl Provider for Google {
    fn name(&self) -> &'static str {
        "Google Cloud"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["gcp-service-account-key"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let account = match ServiceAccount::of(key) {
            Ok(account) => account,
            Err(missing) => return Answer::unknown(missing),
        };
        let Some(private_key) = read_private_key(&account.private_key) else {
            return Answer::error("Google: the private key is not an RSA key in PKCS#8 or PKCS#1");
        };
        let Some(assertion) = assertion(&account.client_email, &private_key, Timestamp::now())
        else {
            return Answer::error("Google: the assertion could not be signed");
        };
        let body = format!("grant_type={GRANT_TYPE}&assertion={assertion}");
        let request = Request::post(
            HOST,
            TOKEN_PATH,
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        );
        client.ask(&request, |response| read(response, &account.client_email))
    }
}

/// The two values the exchange needs.
struct ServiceAccount {
    client_email: String,
    /// PEM, as found: JSON's `\n` escapes are read as line breaks.
    private_key: String,
}

impl ServiceAccount {
    fn of(key: &Candidate<'_>) -> Result<Self, &'static str> {
        let own = key.secret.expose_str();
        if let Ok(serde_json::Value::Object(file)) = serde_json::from_str(&own) {
            let field = |name: &str| file.get(name).and_then(|v| v.as_str()).map(str::to_string);
            return match (field("client_email"), field("private_key")) {
                (Some(client_email), Some(private_key)) if is_account_email(&client_email) => {
                    Ok(Self {
                        client_email,
                        private_key,
                    })
                }
                _ => Err("a key file without its client_email or private_key"),
            };
        }
        let client_email = key
            .account
            .filter(|account| is_account_email(account))
            .ok_or("no client_email found beside it")?;
        Ok(Self {
            client_email: client_email.to_string(),
            private_key: own,
        })
    }
}

/// `name@project.iam.gserviceaccount.com` and Google's older service-account domains.
fn is_account_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(name, domain)| {
        !name.is_empty()
            && domain.ends_with("gserviceaccount.com")
            && !text.contains(|c: char| c.is_whitespace() || c == '"')
    })
}

/// The key, from PKCS#8 (`BEGIN PRIVATE KEY`, what Google issues) or PKCS#1 PEM.
fn read_private_key(pem: &str) -> Option<PrivateKey> {
    let pem = pem
        .replace("\\r", "")
        .replace("\\n", "\n")
        .replace('\r', "");
    PrivateKey::from_pkcs8_pem(&pem)
        .ok()
        .or_else(|| PrivateKey::from_pkcs1_pem(&pem).ok())
}

/// The signed JWT asking for an access token for `client_email` at `now`.
fn assertion(client_email: &str, key: &PrivateKey, now: Timestamp) -> Option<String> {
    let issued = now.as_second();
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
    let claims = serde_json::json!({
        "iss": client_email,
        "scope": SCOPE,
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + LIFETIME_SECONDS,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.pkcs1v15_sign::<Sha256>(signing_input.as_bytes()).ok()?;
    Some(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

fn read(response: &Response, client_email: &str) -> Answer {
    let body = response.json();
    let field = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name)?.as_str().map(str::to_string))
    };
    match response.status {
        200 => match field("access_token") {
            Some(token) if !token.is_empty() => Answer::live().identity(client_email),
            _ => Answer::error("Google: HTTP 200 without an access token"),
        },
        400 | 401 | 403 => {
            let Some(error) = field("error") else {
                return Answer::unexpected(response);
            };
            let description = field("error_description").unwrap_or_default();
            refusal(&error, &description)
        }
        _ => Answer::unexpected(response),
    }
}

/// What an OAuth error answer means for the key.
fn refusal(error: &str, description: &str) -> Answer {
    let described = |phrases: &[&str]| {
        let description = description.to_ascii_lowercase();
        phrases.iter().any(|p| description.contains(p))
    };
    match error {
        "invalid_grant" if described(&["invalid jwt signature"]) => Answer::dead(
            "Google: invalid_grant, Invalid JWT Signature (the key was deleted, disabled or never the account's)",
        ),
        "invalid_grant"
            if described(&[
                "account not found",
                "invalid email or user id",
                "not a valid email",
                "is disabled",
            ]) =>
        {
            Answer::dead("Google: invalid_grant (the service account is deleted or disabled)")
        }
        "invalid_grant" if described(&["short-lived", "reasonable timeframe"]) => {
            Answer::error("Google: invalid_grant, the assertion's time was refused (check this machine's clock)")
        }
        "deleted_client" | "disabled_client" => Answer::dead(format!("Google: {error}")),
        _ => Answer::error(format!("Google: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Received, Reply, Route};
    use crate::verify::testing::{verify_with, verify_with_account, SHORT};
    use crate::verify::{Status, Verification};
    use rsa::pkcs8::EncodePrivateKey as _;
    use std::sync::OnceLock;

    const EMAIL: &str = "deployer@billing-prod.iam.gserviceaccount.com";
    const RULE: &str = "gcp-service-account-key";

    /// The operating system's random bytes, for key generation in tests.
    struct SystemRandom;

    impl rsa::rand_core::TryRng for SystemRandom {
        type Error = std::convert::Infallible;

        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(getrandom::u32().expect("the system's random bytes"))
        }

        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(getrandom::u64().expect("the system's random bytes"))
        }

        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            getrandom::fill(dst).expect("the system's random bytes");
            Ok(())
        }
    }

    impl rsa::rand_core::TryCryptoRng for SystemRandom {}

    /// A key made for this test run, shared by the tests.
    fn test_key() -> &'static PrivateKey {
        static KEY: OnceLock<PrivateKey> = OnceLock::new();
        KEY.get_or_init(|| PrivateKey::new(&mut SystemRandom, 2048).unwrap())
    }

    /// The key as the rule captures it from a key file: PEM with JSON's `\n` escapes.
    fn captured_pem() -> String {
        let pem = test_key().to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        pem.replace('\n', "\\n")
    }

    fn key_file() -> String {
        serde_json::json!({
            "type": "service_account",
            "project_id": "billing-prod",
            "private_key_id": "2fb7828a700d42632c0944dcef8f2a7985297086",
            "private_key": test_key().to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap().as_str(),
            "client_email": EMAIL,
            "token_uri": "https://oauth2.googleapis.com/token",
        })
        .to_string()
    }

    /// The key file as Google writes it, fields in Google's order.
    fn key_file_as_written() -> String {
        format!(
            "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"billing-prod\",\n  \"private_key_id\": \"2fb7828a700d42632c0944dcef8f2a7985297086\",\n  \"private_key\": \"{}\",\n  \"client_email\": \"{EMAIL}\",\n  \"client_id\": \"109876543210987654321\"\n}}\n",
            captured_pem()
        )
    }

    #[test]
    fn the_rule_takes_the_client_email_after_the_key_as_its_account() {
        let rules = crate::rules::RuleSet::load(true, &[]).unwrap();
        let scanner = crate::scan::Scanner::new(&rules);
        let hits = scanner.scan(key_file_as_written().as_bytes());
        let hit = hits
            .iter()
            .find(|h| rules.rules()[h.rule].id == RULE)
            .expect("the key file's key is found");
        assert_eq!(hit.account.as_deref(), Some(EMAIL));
        assert_eq!(
            hit.key_id.as_deref(),
            Some("2fb7828a700d42632c0944dcef8f2a7985297086")
        );
    }

    fn token_server(reply: Reply) -> MockServer {
        MockServer::start(vec![Route::new("POST", TOKEN_PATH, reply)])
    }

    /// Checks, as Google would, the assertion the request carries: signed by the test key's
    /// public half, for the account, the token endpoint and the read-only scope.
    fn assert_assertion(request: &Received) {
        let body = String::from_utf8(request.body.clone()).unwrap();
        let (grant, assertion) = body.split_once('&').unwrap();
        assert_eq!(
            grant,
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
        );
        let jwt = assertion.strip_prefix("assertion=").unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        test_key()
            .to_public_key()
            .pkcs1v15_verify::<Sha256>(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .expect("the assertion is signed by the key");
        let decode = |part: &str| -> serde_json::Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
        };
        assert_eq!(decode(parts[0])["alg"], "RS256");
        let claims = decode(parts[1]);
        assert_eq!(claims["iss"], EMAIL);
        assert_eq!(claims["aud"], AUDIENCE);
        assert_eq!(claims["scope"], SCOPE);
        let (iat, exp) = (
            claims["iat"].as_i64().unwrap(),
            claims["exp"].as_i64().unwrap(),
        );
        assert!(exp > iat && exp - iat <= 3600, "{iat} {exp}");
        assert!((iat - Timestamp::now().as_second()).abs() < 60);
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(request.header("host"), Some(HOST));
    }

    const TOKEN: &str =
        r#"{"access_token":"ya29.c.b0AXv0zTOf","expires_in":3599,"token_type":"Bearer"}"#; // keyaudit:allow

    #[test]
    fn a_key_with_its_account_email_is_live_and_the_token_is_dropped() {
        let server = token_server(Reply::json(200, TOKEN));
        let v = verify_with_account(RULE, &captured_pem(), EMAIL, &server);
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some(EMAIL));
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        assert!(
            !format!("{v:?}").contains("ya29"),
            "the token is never kept"
        );
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_assertion(&received[0]);
    }

    #[test]
    fn a_whole_key_file_carries_its_own_email() {
        let server = token_server(Reply::json(200, TOKEN));
        let v = verify_with(RULE, &key_file(), &[], &server);
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some(EMAIL));
        assert_assertion(&server.received()[0]);
    }

    #[test]
    fn without_the_account_email_nothing_is_sent() {
        let server = token_server(Reply::json(200, TOKEN));
        let v = verify_with(RULE, &captured_pem(), &[], &server);
        assert_eq!(v.status, Status::Unknown, "{v:?}");
        assert_eq!(v.note.as_deref(), Some("no client_email found beside it"));
        // An account that is not a service account's email is not asked about.
        let v = verify_with_account(RULE, &captured_pem(), "deployer", &server);
        assert_eq!(v.status, Status::Unknown, "{v:?}");
        assert!(server.received().is_empty());
    }

    fn answer(reply: Reply) -> Verification {
        verify_with_account(RULE, &captured_pem(), EMAIL, &token_server(reply))
    }

    #[test]
    fn a_signature_no_key_matches_or_a_missing_account_is_dead() {
        for description in ["Invalid JWT Signature.", "Invalid grant: account not found"] {
            let body =
                serde_json::json!({"error": "invalid_grant", "error_description": description});
            let v = answer(Reply::json(400, &body.to_string()));
            assert_eq!(v.status, Status::Dead, "{description}: {v:?}");
        }
        let v = answer(Reply::json(
            401,
            r#"{"error":"disabled_client","error_description":"The OAuth client was disabled."}"#,
        ));
        assert_eq!(v.status, Status::Dead, "{v:?}");
    }

    #[test]
    fn a_refused_clock_or_request_is_an_error() {
        let v = answer(Reply::json(
            400,
            r#"{"error":"invalid_grant","error_description":"Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."}"#,
        ));
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.unwrap().contains("clock"));
        let v = answer(Reply::json(400, r#"{"error":"invalid_scope"}"#));
        assert_eq!(v.status, Status::Error, "{v:?}");
    }

    #[test]
    fn server_errors_malformed_and_slow_answers_are_errors() {
        assert_eq!(answer(Reply::json(503, "{}")).status, Status::Error);
        assert_eq!(answer(Reply::json(200, "not json")).status, Status::Error);
        assert_eq!(answer(Reply::json(200, "{}")).status, Status::Error);
        assert_eq!(answer(Reply::json(400, "<html>")).status, Status::Error);
        let v = answer(Reply::json(400, r#"{"error":"invalid_grant"}"#).after(SHORT * 3));
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.unwrap().contains("in time"));
    }

    #[test]
    fn a_key_that_is_not_rsa_is_an_error_and_sends_nothing() {
        let server = token_server(Reply::json(200, TOKEN));
        let v = verify_with_account(
            RULE,
            "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0B\\n-----END PRIVATE KEY-----\\n", // keyaudit:allow
            EMAIL,
            &server,
        );
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(server.received().is_empty());
    }

    #[test]
    fn service_account_emails() {
        assert!(is_account_email(EMAIL));
        assert!(is_account_email(
            "123-compute@developer.gserviceaccount.com"
        ));
        assert!(!is_account_email("alice@example.com"));
        assert!(!is_account_email("@x.iam.gserviceaccount.com"));
        assert!(!is_account_email(
            "2fb7828a700d42632c0944dcef8f2a7985297086"
        ));
    }
}
