//! Stripe (docs.stripe.com, API reference and error handling): a secret (`sk_`) or restricted
//! (`rk_`) key asks `GET /v1/account` with the key as a bearer; the account's `id` is the
//! identity. `401` means no valid key. A restricted key without the permission to read the
//! account gets `403`, a permission error, which Stripe only gives a key it has authenticated:
//! the key is live. A secret key is unrestricted (full), a restricted key is limited (scoped);
//! `_test_` keys work only in test mode. Publishable keys are never sent.

use serde_json::Value;

use crate::rules::Tier;
use crate::verify::{Answer, Candidate, Client, Provider, Request, Response, Status};

const HOST: &str = "api.stripe.com";
const PATH: &str = "/v1/account";

/// The Stripe verifier.
pub struct Stripe;

impl Provider for Stripe {
    fn name(&self) -> &'static str {
        "Stripe"
    }

    fn rules(&self) -> &'static [&'static str] {
        &[
            "stripe-secret-key-live",
            "stripe-secret-key-test",
            "stripe-restricted-key-live",
            "stripe-restricted-key-test",
        ]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let secret = key.secret.expose_str();
        let Some(kind) = KeyKind::of(&secret) else {
            return Answer::unknown("Stripe: not a secret or restricted key; not sent");
        };
        let request = Request::get(HOST, PATH).bearer(&secret);
        client.ask(&request, |response| read_answer(kind, response))
    }
}

/// What a key's prefix says: its tier and whether it works in test mode only.
#[derive(Debug, Clone, Copy)]
struct KeyKind {
    tier: Tier,
    test_mode: bool,
}

impl KeyKind {
    fn of(secret: &str) -> Option<Self> {
        let (tier, test_mode) = match secret.get(..8)? {
            "sk_live_" => (Tier::Full, false),
            "sk_test_" => (Tier::Full, true),
            "rk_live_" => (Tier::Scoped, false),
            "rk_test_" => (Tier::Scoped, true),
            _ => return None,
        };
        Some(Self { tier, test_mode })
    }
}

/// Reads the answer to `GET /v1/account` for a key of `kind`.
fn read_answer(kind: KeyKind, response: &Response) -> Answer {
    let restricted = kind.tier == Tier::Scoped;
    let answer = match response.status {
        200 => read_account(response),
        401 => return Answer::dead("Stripe: HTTP 401 (invalid API key)"),
        403 if restricted && is_stripe_error(response) => {
            Answer::live().note("Stripe: restricted key without permission to read the account")
        }
        _ => return Answer::unexpected(response),
    };
    if answer.status != Status::Live {
        return answer;
    }
    let answer = answer.tier(kind.tier);
    if kind.test_mode && answer.note.is_none() {
        answer.note("Stripe: test mode")
    } else {
        answer
    }
}

/// Reads the account's `id`.
fn read_account(response: &Response) -> Answer {
    match response
        .json()
        .and_then(|body| body.get("id")?.as_str().map(str::to_string))
    {
        Some(id) if id.starts_with("acct_") => Answer::live().identity(id),
        _ => Answer::error("Stripe: HTTP 200 without an account id"),
    }
}

/// Whether the body is Stripe's error object (`{"error": {"type": ...}}`).
fn is_stripe_error(response: &Response) -> bool {
    response
        .json()
        .and_then(|body| body.get("error")?.get("type").map(Value::is_string))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::Verification;

    const SECRET_LIVE: &str = "sk_live_w11AXhtkWgGoKabGdQzpwJlq"; // keyaudit:allow
    const RESTRICTED_TEST: &str = "rk_test_juwDNfcSDEJOgqhffCV4D63E"; // keyaudit:allow
    const ACCOUNT: &str = r#"{"id":"acct_1Nv0FGQ9RKHgCVdK","object":"account","country":"US",
        "email":"jenny.rosen@example.com","charges_enabled":true}"#;
    const PERMISSION_ERROR: &str = r#"{"error":{"type":"invalid_request_error",
        "message":"The provided key does not have the required permissions for this endpoint."}}"#;

    fn verify(rule: &str, key: &str, reply: Reply) -> (Verification, MockServer) {
        let server = MockServer::start(vec![
            Route::new("GET", PATH, reply).when("authorization", &format!("Bearer {key}"))
        ]);
        (verify_with(rule, key, &[], &server), server)
    }

    #[test]
    fn a_secret_key_is_live_with_its_account() {
        let (v, server) = verify(
            "stripe-secret-key-live",
            SECRET_LIVE,
            Reply::json(200, ACCOUNT),
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some("acct_1Nv0FGQ9RKHgCVdK"));
        assert_eq!(v.note, None);
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, PATH);
        assert_eq!(received[0].header("host"), Some(HOST));
    }

    #[test]
    fn a_restricted_key_without_the_permission_is_still_live() {
        let (v, _server) = verify(
            "stripe-restricted-key-test",
            RESTRICTED_TEST,
            Reply::json(403, PERMISSION_ERROR),
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity, None);
        assert!(v.note.unwrap().contains("without permission"));
        // A secret key is never refused a permission: its 403 proves nothing.
        let (v, _server) = verify(
            "stripe-secret-key-live",
            SECRET_LIVE,
            Reply::json(403, PERMISSION_ERROR),
        );
        assert_eq!(v.status, Status::Error, "{v:?}");
    }

    #[test]
    fn a_test_key_says_so_and_a_restricted_key_with_the_permission_names_the_account() {
        let (v, _server) = verify(
            "stripe-restricted-key-test",
            RESTRICTED_TEST,
            Reply::json(200, ACCOUNT),
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some("acct_1Nv0FGQ9RKHgCVdK"));
        assert_eq!(v.note.as_deref(), Some("Stripe: test mode"));
    }

    #[test]
    fn an_invalid_key_is_dead() {
        let (v, _server) = verify(
            "stripe-secret-key-live",
            SECRET_LIVE,
            Reply::json(
                401,
                r#"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided"}}"#,
            ),
        );
        assert_eq!(v.status, Status::Dead, "{v:?}");
        assert!(!v.note.unwrap().contains(SECRET_LIVE));
    }

    #[test]
    fn a_body_that_is_not_an_account_or_a_server_error_is_an_error() {
        for reply in [
            Reply::json(200, r#"{"object":"account"}"#),
            Reply::json(200, "null"),
            Reply::json(500, r#"{"error":{"type":"api_error"}}"#),
        ] {
            let (v, _server) = verify("stripe-secret-key-live", SECRET_LIVE, reply);
            assert_eq!(v.status, Status::Error, "{v:?}");
        }
        // A restricted key's 403 must be Stripe's error object to prove anything.
        let (v, _server) = verify(
            "stripe-restricted-key-test",
            RESTRICTED_TEST,
            Reply::typed(403, "text/html", "<html>Forbidden</html>"),
        );
        assert_eq!(v.status, Status::Error, "{v:?}");
    }

    #[test]
    fn a_slow_answer_is_an_error_never_dead() {
        let slow = Reply::json(401, "{}").after(SHORT * 3);
        let (v, _server) = verify("stripe-secret-key-live", SECRET_LIVE, slow);
        assert_eq!(v.status, Status::Error, "{v:?}");
    }

    #[test]
    fn a_publishable_key_is_never_sent() {
        let server = MockServer::start(vec![Route::new("GET", PATH, Reply::json(200, ACCOUNT))]);
        let publishable = "pk_live_aX9wQ2mLk3Jp7Rt4Vn8Bc1Zd"; // keyaudit:allow
        let v = verify_with("stripe-secret-key-live", publishable, &[], &server);
        assert_eq!(v.status, Status::Unknown, "{v:?}");
        assert!(server.received().is_empty());
    }

    #[test]
    fn the_prefix_sets_the_tier_of_a_live_key() {
        let response = |status: u16, body: &str| Response {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        };
        let secret = KeyKind::of(SECRET_LIVE).unwrap();
        let restricted = KeyKind::of(RESTRICTED_TEST).unwrap();
        assert_eq!(
            read_answer(secret, &response(200, ACCOUNT)).tier,
            Some(Tier::Full)
        );
        assert_eq!(
            read_answer(restricted, &response(200, ACCOUNT)).tier,
            Some(Tier::Scoped)
        );
        assert_eq!(
            read_answer(restricted, &response(403, PERMISSION_ERROR)).tier,
            Some(Tier::Scoped)
        );
        assert_eq!(read_answer(secret, &response(401, "{}")).tier, None);
    }
}
