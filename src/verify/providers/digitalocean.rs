//! DigitalOcean (docs.digitalocean.com, API reference "Get User Information"): a personal access
//! token or OAuth access token asks `GET /v2/account` with the token as a bearer; `account.email`
//! (else `account.uuid`) is the identity and `account.status` is `active`, `warning` or `locked`.
//! `401` means the token is not valid. An OAuth refresh token (`dor_v1_`) is only ever exchanged
//! for a new token, which mints one: it is not asked.

use serde_json::Value;

use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "api.digitalocean.com";
const PATH: &str = "/v2/account";

/// The DigitalOcean verifier.
pub struct DigitalOcean;

impl Provider for DigitalOcean {
    fn name(&self) -> &'static str {
        "DigitalOcean"
    }

    fn rules(&self) -> &'static [&'static str] {
        &[
            "digitalocean-personal-access-token",
            "digitalocean-oauth-token",
        ]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let secret = key.secret.expose_str();
        if secret.starts_with("dor_") {
            return Answer::unknown("DigitalOcean: a refresh token is only exchanged; not sent");
        }
        let request = Request::get(HOST, PATH).bearer(&secret);
        client.ask(&request, |response| match response.status {
            200 => read_account(response),
            401 => Answer::dead("DigitalOcean: HTTP 401 (unable to authenticate)"),
            403 => Answer::unknown("DigitalOcean: HTTP 403 (the token may lack account:read)"),
            _ => Answer::unexpected(response),
        })
    }
}

/// Reads `account.email`, `account.uuid` and `account.status`.
fn read_account(response: &Response) -> Answer {
    let body = response.json().unwrap_or(Value::Null);
    let account = body.get("account");
    let field = |name: &str| {
        account
            .and_then(|a| a.get(name))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let Some(identity) = field("email").or(field("uuid")) else {
        return Answer::error("DigitalOcean: HTTP 200 without an account");
    };
    let answer = Answer::live().identity(identity);
    match field("status") {
        Some("active") | None => answer,
        Some("warning") => answer.note("DigitalOcean: account status warning"),
        Some("locked") => answer.note("DigitalOcean: account locked"),
        Some(_) => answer.note("DigitalOcean: account status not active"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const TOKEN: &str = "dop_v1_84bfad1006c87c6bda1cc60dc17b00f180827a089308bb4bb1ca49fe48ba8baf"; // keyaudit:allow
    const ACCOUNT: &str = r#"{"account":{"droplet_limit":25,"floating_ip_limit":5,
        "email":"sammy@example.com","name":"Sammy the Shark",
        "uuid":"b6fr89dbf6d9156cace5f3c78dc9851d957381ef","email_verified":true,
        "status":"active","status_message":" ","team":{"uuid":"5df3e300","name":"My Team"}}}"#;

    fn verify(rule: &str, token: &str, reply: Reply) -> (Verification, MockServer) {
        let server = MockServer::start(vec![
            Route::new("GET", PATH, reply).when("authorization", &format!("Bearer {token}"))
        ]);
        (verify_with(rule, token, &[], &server), server)
    }

    fn personal(reply: Reply) -> Verification {
        verify("digitalocean-personal-access-token", TOKEN, reply).0
    }

    #[test]
    fn a_token_is_live_with_its_account_email() {
        let (v, server) = verify(
            "digitalocean-personal-access-token",
            TOKEN,
            Reply::json(200, ACCOUNT),
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some("sammy@example.com"));
        assert_eq!(v.note, None);
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, PATH);
        assert_eq!(received[0].header("host"), Some(HOST));
        let locked = ACCOUNT.replace(r#""status":"active""#, r#""status":"locked""#);
        let v = personal(Reply::json(200, &locked));
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.note.as_deref(), Some("DigitalOcean: account locked"));
    }

    #[test]
    fn an_oauth_access_token_is_asked_and_a_refresh_token_is_not() {
        let access = "doo_v1_a7ce3753836087d1aa91a4a34d1863b8882e9c87c06c765ea524eeb2915b431b"; // keyaudit:allow
        let (v, _server) = verify(
            "digitalocean-oauth-token",
            access,
            Reply::json(200, ACCOUNT),
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        let refresh = "dor_v1_86ef9366acde53ebc0d32b2dde707e1dff1ec4c41feb7d1f44ecf519504b5798"; // keyaudit:allow
        let (v, server) = verify(
            "digitalocean-oauth-token",
            refresh,
            Reply::json(200, ACCOUNT),
        );
        assert_eq!(v.status, Status::Unknown, "{v:?}");
        assert!(server.received().is_empty());
    }

    #[test]
    fn an_unauthenticated_token_is_dead_and_a_forbidden_one_unknown() {
        let v = personal(Reply::json(
            401,
            r#"{"id":"unauthorized","message":"Unable to authenticate you."}"#,
        ));
        assert_eq!(v.status, Status::Dead, "{v:?}");
        let v = personal(Reply::json(
            403,
            r#"{"id":"forbidden","message":"You are not authorized to perform this operation."}"#,
        ));
        assert_eq!(v.status, Status::Unknown, "{v:?}");
    }

    #[test]
    fn a_body_without_an_account_or_a_server_error_is_an_error() {
        for reply in [
            Reply::json(200, r#"{"droplets":[]}"#),
            Reply::json(200, r#"{"account":{"status":"active"}}"#),
            Reply::json(500, r#"{"id":"server_error"}"#),
        ] {
            assert_eq!(personal(reply).status, Status::Error);
        }
    }

    #[test]
    fn a_slow_answer_is_an_error_never_dead() {
        let v = personal(Reply::json(401, "{}").after(SHORT * 3));
        assert_eq!(v.status, Status::Error, "{v:?}");
    }
}
