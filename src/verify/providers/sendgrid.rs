//! SendGrid (twilio.com/docs/sendgrid, API key permissions): an API key asks `GET /v3/scopes`
//! with the key as a bearer, which returns every scope assigned to the key that asks. `401`
//! means the key is not valid. The answer names no account. Keys of EU regional subusers live at
//! `api.eu.sendgrid.com`, which is not asked: the global host's `401` says nothing about them.

use serde_json::Value;

use crate::rules::Tier;
use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "api.sendgrid.com";
const PATH: &str = "/v3/scopes";

/// The scopes that create, change or delete other API keys, teammates or subusers.
const ADMINISTERS: &[&str] = &[
    "api_keys.create",
    "api_keys.update",
    "api_keys.delete",
    "teammates.create",
    "teammates.update",
    "teammates.delete",
    "subusers.create",
    "subusers.update",
    "subusers.delete",
];

/// The SendGrid verifier.
pub struct SendGrid;

impl Provider for SendGrid {
    fn name(&self) -> &'static str {
        "SendGrid"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["sendgrid-api-key"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let request = Request::get(HOST, PATH).bearer(&key.secret.expose_str());
        client.ask(&request, |response| match response.status {
            200 => read_scopes(response),
            401 => Answer::dead("SendGrid: HTTP 401 (authorization required)"),
            _ => Answer::unexpected(response),
        })
    }
}

/// Reads `{"scopes": [...]}`.
fn read_scopes(response: &Response) -> Answer {
    let scopes = response.json().and_then(|body| {
        let scopes = body.get("scopes")?.as_array()?;
        Some(
            scopes
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect::<Vec<_>>(),
        )
    });
    let Some(scopes) = scopes else {
        return Answer::error("SendGrid: HTTP 200 without scopes");
    };
    let mut answer = Answer::live();
    if let Some(tier) = tier_of(&scopes) {
        answer = answer.tier(tier);
    }
    answer.scopes(scopes)
}

/// The tier the scopes amount to: managing other keys, teammates or subusers administers the
/// account, scopes that all end in `.read` only read, anything else is a limited write.
fn tier_of(scopes: &[String]) -> Option<Tier> {
    if scopes.is_empty() {
        None
    } else if scopes.iter().any(|s| ADMINISTERS.contains(&s.as_str())) {
        Some(Tier::Admin)
    } else if scopes.iter().all(|s| s.ends_with(".read")) {
        Some(Tier::Read)
    } else {
        Some(Tier::Scoped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const KEY: &str = "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"; // keyaudit:allow

    fn verify(reply: Reply) -> (Verification, MockServer) {
        let server = MockServer::start(vec![
            Route::new("GET", PATH, reply).when("authorization", &format!("Bearer {KEY}"))
        ]);
        (verify_with("sendgrid-api-key", KEY, &[], &server), server)
    }

    #[test]
    fn a_key_is_live_with_its_scopes() {
        let (v, server) = verify(Reply::json(
            200,
            r#"{"scopes":["mail.send","stats.read","templates.read"]}"#,
        ));
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(
            v.scopes,
            Some(vec![
                "mail.send".into(),
                "stats.read".into(),
                "templates.read".into()
            ])
        );
        assert_eq!(v.identity, None);
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, PATH);
        assert_eq!(received[0].header("host"), Some(HOST));
    }

    #[test]
    fn an_unauthorized_key_is_dead() {
        let (v, _server) = verify(Reply::json(
            401,
            r#"{"errors":[{"field":null,"message":"authorization required"}]}"#,
        ));
        assert_eq!(v.status, Status::Dead, "{v:?}");
    }

    #[test]
    fn a_body_without_scopes_or_a_server_error_is_an_error() {
        for reply in [
            Reply::json(200, r#"{"result":[]}"#),
            Reply::json(200, r#"{"scopes":"mail.send"}"#),
            Reply::json(403, r#"{"errors":[{"message":"access forbidden"}]}"#),
            Reply::json(500, "{}"),
        ] {
            let (v, _server) = verify(reply);
            assert_eq!(v.status, Status::Error, "{v:?}");
        }
    }

    #[test]
    fn a_slow_answer_is_an_error_never_dead() {
        let (v, _server) = verify(Reply::json(401, "{}").after(SHORT * 3));
        assert_eq!(v.status, Status::Error, "{v:?}");
    }

    #[test]
    fn scopes_map_to_tiers() {
        let tier = |s: &[&str]| tier_of(&s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(tier(&["mail.send", "api_keys.create"]), Some(Tier::Admin));
        assert_eq!(tier(&["teammates.update"]), Some(Tier::Admin));
        assert_eq!(tier(&["mail.send", "stats.read"]), Some(Tier::Scoped));
        assert_eq!(tier(&["stats.read", "api_keys.read"]), Some(Tier::Read));
        assert_eq!(tier(&[]), None);
    }

    #[test]
    fn a_live_key_carries_the_tier_of_its_scopes() {
        let response = Response {
            status: 200,
            headers: Vec::new(),
            body: br#"{"scopes":["mail.send","api_keys.create"]}"#.to_vec(),
        };
        assert_eq!(read_scopes(&response).tier, Some(Tier::Admin));
    }
}
