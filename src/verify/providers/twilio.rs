//! Twilio (twilio.com/docs, "REST API: Accounts" and "API keys overview"): an account SID
//! (`AC…`) and its auth token are HTTP basic credentials, and fetch the account itself,
//! `GET /2010-04-01/Accounts/{AccountSid}.json` at `api.twilio.com`, whose `sid` and
//! `friendly_name` are the identity; `401` means the pair is not valid. Each verifies with the
//! other found nearest beside it, and with none nothing is sent.
//!
//! API keys (`SK…`) are not verified: their secret is found by no rule, and a Standard key
//! may not read the Account resource anyway (only a Main key may).

use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "api.twilio.com";
const SID_RULE: &str = "twilio-account-sid";
const TOKEN_RULE: &str = "twilio-auth-token";

/// The Twilio verifier.
pub struct Twilio;

impl Provider for Twilio {
    fn name(&self) -> &'static str {
        "Twilio"
    }

    fn rules(&self) -> &'static [&'static str] {
        &[SID_RULE, TOKEN_RULE]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let own = key.secret.expose_str();
        let pair = if key.rule == SID_RULE {
            key.companion(&[TOKEN_RULE])
                .map(|token| (own, token.expose_str()))
                .ok_or("no auth token found beside it")
        } else {
            key.companion(&[SID_RULE])
                .map(|sid| (sid.expose_str(), own))
                .ok_or("no account SID found beside it")
        };
        let (sid, token) = match pair {
            Ok(pair) => pair,
            Err(missing) => return Answer::unknown(missing),
        };
        let request =
            Request::get(HOST, format!("/2010-04-01/Accounts/{sid}.json")).basic(&sid, &token);
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
            let Some(sid) = field("sid") else {
                return Answer::error("Twilio: HTTP 200 without an account sid");
            };
            let identity = match field("friendly_name") {
                Some(name) if !name.is_empty() => format!("{sid} ({name})"),
                _ => sid,
            };
            let answer = Answer::live().identity(identity);
            match field("status").as_deref() {
                Some(status @ ("suspended" | "closed")) => {
                    answer.note(format!("Twilio: the account is {status}"))
                }
                _ => answer,
            }
        }
        401 => Answer::dead("Twilio: HTTP 401 (the account SID and auth token are not valid)"),
        _ => Answer::unexpected(response),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const SID: &str = "AC5f3e9a1c7b2d4e6f8a0b1c2d3e4f5a6b"; // keyaudit:allow
    const TOKEN: &str = "9c2e4a6b8d0f1a3c5e7b9d1f3a5c7e9b"; // keyaudit:allow
    const PATH: &str = "/2010-04-01/Accounts/AC5f3e9a1c7b2d4e6f8a0b1c2d3e4f5a6b.json"; // keyaudit:allow

    fn account(status: &str) -> String {
        format!(
            r#"{{"sid":"{SID}","owner_account_sid":"{SID}","friendly_name":"Billing prod","status":"{status}","type":"Full","auth_token":"{TOKEN}","uri":"/2010-04-01/Accounts/{SID}.json"}}"#
        )
    }

    fn twilio(reply: Reply) -> MockServer {
        MockServer::start(vec![Route::new("GET", PATH, reply)])
    }

    #[test]
    fn an_auth_token_with_its_account_sid_is_live() {
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"));
        let server = MockServer::start(vec![Route::new(
            "GET",
            PATH,
            Reply::json(200, &account("active")),
        )
        .when("authorization", &format!("Basic {basic}"))]);
        let v = verify_with(TOKEN_RULE, TOKEN, &[(SID_RULE, SID)], &server);
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(
            v.identity.as_deref(),
            Some(format!("{SID} (Billing prod)").as_str())
        );
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        assert_eq!(v.note, None);
        assert!(
            !format!("{v:?}").contains(TOKEN),
            "the answer's auth_token is not kept"
        );
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].header("host"), Some(HOST));

        // The SID verifies with the token beside it, the same way.
        let v = verify_with(SID_RULE, SID, &[(TOKEN_RULE, TOKEN)], &server);
        assert_eq!(v.status, Status::Live, "{v:?}");
    }

    #[test]
    fn a_suspended_account_is_live_and_says_so() {
        let v = answer(Reply::json(200, &account("suspended")));
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.note.as_deref(), Some("Twilio: the account is suspended"));
    }

    #[test]
    fn a_missing_companion_is_unknown_and_sends_nothing() {
        let server = twilio(Reply::json(200, &account("active")));
        let v = verify_with(TOKEN_RULE, TOKEN, &[("twilio-api-key", "SK0")], &server);
        assert_eq!(v.status, Status::Unknown, "{v:?}");
        assert_eq!(v.note.as_deref(), Some("no account SID found beside it"));
        let v = verify_with(SID_RULE, SID, &[], &server);
        assert_eq!(v.note.as_deref(), Some("no auth token found beside it"));
        assert!(server.received().is_empty());
    }

    fn answer(reply: Reply) -> Verification {
        verify_with(TOKEN_RULE, TOKEN, &[(SID_RULE, SID)], &twilio(reply))
    }

    #[test]
    fn unauthorized_is_dead_and_odd_answers_are_errors() {
        let v = answer(Reply::json(
            401,
            r#"{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}"#,
        ));
        assert_eq!(v.status, Status::Dead, "{v:?}");
        assert_eq!(answer(Reply::json(500, "{}")).status, Status::Error);
        assert_eq!(answer(Reply::json(200, "not json")).status, Status::Error);
        assert_eq!(answer(Reply::json(404, "{}")).status, Status::Error);
        let v = answer(Reply::json(401, "{}").after(SHORT * 3));
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.unwrap().contains("in time"));
    }
}
