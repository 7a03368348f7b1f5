//! Mailgun (documentation.mailgun.com, API reference "Authentication" and "Domains"): a key
//! is the password of HTTP basic authentication for the user `api`, and
//! `GET /v3/domains?limit=1` at `api.mailgun.net` lists the account's first domain, the
//! identity. `401` is documented as an invalid key (dead); `403` as valid credentials denied
//! access, as a domain sending key is for everything but sending (live).
//!
//! One account and one key serve both of Mailgun's regions (the EU's `api.eu.mailgun.net`
//! hosts only the domains created there), so the US host alone is asked.

use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "api.mailgun.net";
const PATH: &str = "/v3/domains?limit=1";

/// The Mailgun verifier.
pub struct Mailgun;

impl Provider for Mailgun {
    fn name(&self) -> &'static str {
        "Mailgun"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["mailgun-api-key", "mailgun-private-key"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let request = Request::get(HOST, PATH).basic("api", &key.secret.expose_str());
        client.ask(&request, read)
    }
}

fn read(response: &Response) -> Answer {
    match response.status {
        200 => {
            let Some(body) = response.json().filter(|b| b.get("items").is_some()) else {
                return Answer::error("Mailgun: HTTP 200 without a domain list");
            };
            let first = body["items"]
                .get(0)
                .and_then(|d| d.get("name")?.as_str().map(str::to_string));
            match first {
                Some(domain) => Answer::live().identity(domain),
                None => Answer::live().note("Mailgun: an account with no domain"),
            }
        }
        401 => Answer::dead("Mailgun: HTTP 401 (invalid API key)"),
        403 => Answer::live().note("Mailgun: HTTP 403, a valid key not allowed to list domains"),
        _ => Answer::unexpected(response),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const KEY: &str = "4f8e2a6c0b9d1e3f5a7c9e1b3d5f7a9c-3b7d9f1a-6e2c8a4d"; // keyaudit:allow
    const DOMAINS: &str = r#"{"total_count":2,"items":[{"name":"mg.billing.example","state":"active","type":"custom","created_at":"Thu, 13 Oct 2011 18:02:00 GMT"}]}"#;

    fn mailgun(reply: Reply) -> MockServer {
        MockServer::start(vec![Route::new("GET", PATH, reply)])
    }

    fn answer(reply: Reply) -> Verification {
        verify_with("mailgun-private-key", KEY, &[], &mailgun(reply))
    }

    #[test]
    fn a_key_is_live_with_its_first_domain() {
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("api:{KEY}"));
        let server = MockServer::start(vec![Route::new("GET", PATH, Reply::json(200, DOMAINS))
            .when("authorization", &format!("Basic {basic}"))]);
        let v = verify_with("mailgun-private-key", KEY, &[], &server);
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some("mg.billing.example"));
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].header("host"), Some(HOST));
        let empty = answer(Reply::json(200, r#"{"total_count":0,"items":[]}"#));
        assert_eq!(empty.status, Status::Live);
        assert_eq!(empty.identity, None);
    }

    #[test]
    fn unauthorized_is_dead_and_forbidden_is_a_valid_but_limited_key() {
        let v = answer(Reply::typed(401, "text/plain", "Forbidden"));
        assert_eq!(v.status, Status::Dead, "{v:?}");
        let v = answer(Reply::json(
            403,
            r#"{"message":"Domain sending keys may only send"}"#,
        ));
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert!(v.note.unwrap().contains("403"));
    }

    #[test]
    fn server_errors_malformed_and_slow_answers_are_errors() {
        assert_eq!(answer(Reply::json(500, "{}")).status, Status::Error);
        assert_eq!(answer(Reply::json(200, "<html>")).status, Status::Error);
        assert_eq!(answer(Reply::json(200, "{}")).status, Status::Error);
        let v = answer(Reply::json(401, "{}").after(SHORT * 3));
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.unwrap().contains("in time"));
    }
}
