//! Heroku (devcenter.heroku.com, "Platform API Reference": Account, and "Errors"): an API key
//! is a bearer token for the Platform API, version 3 asked in `Accept`; `GET /account` at
//! `api.heroku.com` names the account's `email`, the identity. `401` (`unauthorized`,
//! "Invalid credentials provided") means the key is invalid, expired or revoked.

use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "api.heroku.com";

/// The Heroku verifier.
pub struct Heroku;

impl Provider for Heroku {
    fn name(&self) -> &'static str {
        "Heroku"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["heroku-api-key"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let request = Request::get(HOST, "/account")
            .bearer(&key.secret.expose_str())
            .header("Accept", "application/vnd.heroku+json; version=3");
        client.ask(&request, read)
    }
}

fn read(response: &Response) -> Answer {
    match response.status {
        200 => {
            let body = response.json();
            let field = |name: &str| {
                body.as_ref()
                    .and_then(|b| b.get(name)?.as_str().map(str::to_string))
            };
            match field("email").or_else(|| field("id")) {
                Some(identity) => Answer::live().identity(identity),
                None => Answer::error("Heroku: HTTP 200 without an account"),
            }
        }
        401 => Answer::dead("Heroku: HTTP 401 (invalid credentials)"),
        _ => Answer::unexpected(response),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const KEY: &str =
        "HRKU-AA4kq9Zt2Wm7Xc1Vb8Nn3Lp6Rs0Df5Gh2Jk9Qw4Er7Ty1Ui3Op8As5Dz6Fx0Cv2Bn7Mm4Lk9Jh1"; // keyaudit:allow
    const ACCOUNT: &str = r#"{"id":"01234567-89ab-cdef-0123-456789abcdef","email":"ops@billing.example","verified":true,"two_factor_authentication":true}"#;

    fn heroku(reply: Reply) -> MockServer {
        MockServer::start(vec![Route::new("GET", "/account", reply)])
    }

    fn answer(reply: Reply) -> Verification {
        verify_with("heroku-api-key", KEY, &[], &heroku(reply))
    }

    #[test]
    fn a_key_is_live_with_its_account_email() {
        let server = MockServer::start(vec![Route::new(
            "GET",
            "/account",
            Reply::json(200, ACCOUNT),
        )
        .when("authorization", &format!("Bearer {KEY}"))]);
        let v = verify_with("heroku-api-key", KEY, &[], &server);
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some("ops@billing.example"));
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].header("host"), Some(HOST));
        assert_eq!(
            received[0].header("accept"),
            Some("application/vnd.heroku+json; version=3")
        );
    }

    #[test]
    fn unauthorized_is_dead() {
        let v = answer(Reply::json(
            401,
            r#"{"id":"unauthorized","message":"Invalid credentials provided."}"#,
        ));
        assert_eq!(v.status, Status::Dead, "{v:?}");
    }

    #[test]
    fn server_errors_malformed_and_slow_answers_are_errors() {
        assert_eq!(answer(Reply::json(503, "{}")).status, Status::Error);
        assert_eq!(
            answer(Reply::json(403, r#"{"id":"forbidden"}"#)).status,
            Status::Error
        );
        assert_eq!(answer(Reply::json(200, "not json")).status, Status::Error);
        assert_eq!(answer(Reply::json(200, "{}")).status, Status::Error);
        let v = answer(Reply::json(401, "{}").after(SHORT * 3));
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.unwrap().contains("in time"));
    }
}
