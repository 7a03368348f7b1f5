//! Cloudflare (developers.cloudflare.com, API reference "Verify Token"): a user API token asks
//! `GET /client/v4/user/tokens/verify` with the token as a bearer; `result.status` is `active`,
//! `disabled` or `expired`, `result.expires_on` its expiry and `result.id` the token's own id (the
//! identity: the account is not named). `401` means the token is not valid. An account-owned
//! token (`cfat_`) verifies only at `/accounts/{account_id}/tokens/verify` and a global API key
//! (`cfk_`) needs its account's email, neither of which the key carries: they are not asked. A
//! token found by its variable name alone may be account-owned too, which Cloudflare would
//! refuse here: its `401` note says so.

use serde_json::Value;

use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "api.cloudflare.com";
const PATH: &str = "/client/v4/user/tokens/verify";

/// The Cloudflare verifier.
pub struct Cloudflare;

impl Provider for Cloudflare {
    fn name(&self) -> &'static str {
        "Cloudflare"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["cloudflare-api-token", "cloudflare-scannable-credential"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let secret = key.secret.expose_str();
        if secret.starts_with("cfat_") {
            return Answer::unknown(
                "Cloudflare: an account token verifies only with its account id",
            );
        }
        if secret.starts_with("cfk_") {
            return Answer::unknown("Cloudflare: a global API key needs its account email");
        }
        let user_token = secret.starts_with("cfut_");
        let request = Request::get(HOST, PATH).bearer(&secret);
        client.ask(&request, |response| match response.status {
            200 => read_result(response),
            401 if user_token => Answer::dead("Cloudflare: HTTP 401 (invalid token)"),
            401 => Answer::dead("Cloudflare: HTTP 401 (invalid token, unless account-owned)"),
            _ => Answer::unexpected(response),
        })
    }
}

/// Reads `result.status`, `result.id` and `result.expires_on`.
fn read_result(response: &Response) -> Answer {
    let body = response.json().unwrap_or(Value::Null);
    let result = body.get("result");
    let field = |name: &str| result.and_then(|r| r.get(name)).and_then(Value::as_str);
    if body.get("success") != Some(&Value::Bool(true)) {
        return Answer::error("Cloudflare: HTTP 200 without success");
    }
    let mut answer = match field("status") {
        Some("active") => Answer::live(),
        Some("disabled") => Answer::dead("Cloudflare: token disabled"),
        Some("expired") => Answer::dead("Cloudflare: token expired"),
        _ => return Answer::error("Cloudflare: HTTP 200 without a token status"),
    };
    if let Some(id) = field("id") {
        answer = answer.identity(format!("token {id}"));
    }
    if let Some(expires) = field("expires_on") {
        answer = answer.expires(expires);
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const TOKEN: &str = "D72ZcwpFdeSR268oZl5PIFbyAvcURqlzDju3Uysp"; // keyaudit:allow
    const USER_TOKEN: &str = "cfut_KDf8DI5yrVw0i6g4gHlnht6FXXseoZrLlZhLffdca8b77321"; // keyaudit:allow

    fn verify(rule: &str, token: &str, reply: Reply) -> (Verification, MockServer) {
        let server = MockServer::start(vec![
            Route::new("GET", PATH, reply).when("authorization", &format!("Bearer {token}"))
        ]);
        (verify_with(rule, token, &[], &server), server)
    }

    fn result(status: &str) -> String {
        format!(
            r#"{{"success":true,"errors":[],"messages":[{{"code":10000,"message":"This API Token is valid and active"}}],
                "result":{{"id":"34c185658eaedae7c4e91aa44f9cee51","status":"{status}",
                "expires_on":"2027-01-01T00:00:00Z","not_before":"2026-01-01T00:00:00Z"}}}}"#
        )
    }

    #[test]
    fn an_active_token_is_live_with_its_id_and_expiry() {
        let (v, server) = verify(
            "cloudflare-api-token",
            TOKEN,
            Reply::json(200, &result("active")),
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(
            v.identity.as_deref(),
            Some("token 34c185658eaedae7c4e91aa44f9cee51")
        );
        assert_eq!(v.expires.as_deref(), Some("2027-01-01T00:00:00Z"));
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, PATH);
        assert_eq!(received[0].header("host"), Some(HOST));
    }

    #[test]
    fn a_disabled_expired_or_invalid_token_is_dead() {
        for status in ["disabled", "expired"] {
            let (v, _server) = verify(
                "cloudflare-scannable-credential",
                USER_TOKEN,
                Reply::json(200, &result(status)),
            );
            assert_eq!(v.status, Status::Dead, "{v:?}");
            assert_eq!(v.note, Some(format!("Cloudflare: token {status}")));
        }
        let invalid = r#"{"success":false,"errors":[{"code":1000,"message":"Invalid API Token"}],"messages":[],"result":null}"#;
        let (v, _server) = verify(
            "cloudflare-scannable-credential",
            USER_TOKEN,
            Reply::json(401, invalid),
        );
        assert_eq!(v.status, Status::Dead, "{v:?}");
        let (v, _server) = verify("cloudflare-api-token", TOKEN, Reply::json(401, invalid));
        assert_eq!(v.status, Status::Dead, "{v:?}");
        assert!(v.note.unwrap().contains("account-owned"));
    }

    #[test]
    fn account_tokens_and_global_keys_are_not_sent() {
        let server = MockServer::start(vec![Route::new(
            "GET",
            PATH,
            Reply::json(200, &result("active")),
        )]);
        for key in [
            "cfat_r7zP93nHBT1AzKwZ1R49KfqPzdVy35D74gv09uut9a864715", // keyaudit:allow
            "cfk_Wm3Yq8Rz1TnV5bKd9LpX2cF7hJ4sG6aE0uQoNiMt1b2c3d4e",  // keyaudit:allow
        ] {
            let v = verify_with("cloudflare-scannable-credential", key, &[], &server);
            assert_eq!(v.status, Status::Unknown, "{v:?}");
            assert_eq!(v.endpoint, None);
        }
        assert!(server.received().is_empty());
    }

    #[test]
    fn a_body_that_is_not_a_verification_or_a_server_error_is_an_error() {
        for reply in [
            Reply::json(200, r#"{"success":true,"result":{"id":"x"}}"#),
            Reply::json(200, r#"{"success":false,"result":{"status":"active"}}"#),
            Reply::typed(200, "text/html", "<html></html>"),
            Reply::json(400, r#"{"success":false,"errors":[{"code":6003}]}"#),
            Reply::json(500, "{}"),
        ] {
            let (v, _server) = verify("cloudflare-api-token", TOKEN, reply);
            assert_eq!(v.status, Status::Error, "{v:?}");
        }
    }

    #[test]
    fn a_slow_answer_is_an_error_never_dead() {
        let (v, _server) = verify(
            "cloudflare-api-token",
            TOKEN,
            Reply::json(401, "{}").after(SHORT * 3),
        );
        assert_eq!(v.status, Status::Error, "{v:?}");
    }
}
