//! Telegram (core.telegram.org/bots/api): a bot token asks `GET /bot<token>/getMe`, the token in
//! the path as the Bot API requires, so nothing may ever print that path (the transport's
//! requests, errors and notes never do). The answer is `{"ok": true, "result": User}`, whose
//! `username` and `id` are the identity; a rejected token gets `ok: false` with HTTP and
//! `error_code` `401`.

use serde_json::Value;

use crate::verify::{Answer, Candidate, Client, Provider, Request};

const HOST: &str = "api.telegram.org";

/// The Telegram verifier.
pub struct Telegram;

impl Provider for Telegram {
    fn name(&self) -> &'static str {
        "Telegram"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["telegram-bot-token"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let token = key.secret.expose_str();
        // The rule's tokens are digits, `:` and base64url; anything else cannot sit in a path.
        let fits_a_path = !token.is_empty()
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-'));
        if !fits_a_path {
            return Answer::error("Telegram: the token cannot be put in a URL path; not sent");
        }
        let request = Request::get(HOST, format!("/bot{token}/getMe"));
        client.ask(&request, |response| {
            let body = response.json().unwrap_or(Value::Null);
            let ok = body.get("ok").and_then(Value::as_bool);
            match (response.status, ok) {
                (200, Some(true)) => read_bot(&body),
                (401, Some(false)) => Answer::dead("Telegram: HTTP 401 (unauthorized)"),
                (200, _) => Answer::error("Telegram: HTTP 200 without ok"),
                _ => Answer::unexpected(response),
            }
        })
    }
}

/// Reads the bot's `username` and `id` from `result`.
fn read_bot(body: &Value) -> Answer {
    let result = body.get("result");
    let username = result
        .and_then(|r| r.get("username"))
        .and_then(Value::as_str);
    let id = result.and_then(|r| r.get("id")).and_then(Value::as_i64);
    match (username, id) {
        (Some(username), Some(id)) => Answer::live().identity(format!("@{username} ({id})")),
        (Some(username), None) => Answer::live().identity(format!("@{username}")),
        _ => Answer::error("Telegram: ok without a bot"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{verify_one, ConnectTo, Status, Transport, Verification};

    const TOKEN: &str = "7645747023:AA1RMCCi5jnCKHsuHVz8TYCWCGUufntsOzU"; // keyaudit:allow
    const RULE: &str = "telegram-bot-token";

    fn path() -> String {
        format!("/bot{TOKEN}/getMe")
    }

    fn verify(reply: Reply) -> (Verification, MockServer) {
        let server = MockServer::start(vec![Route::new("GET", &path(), reply)]);
        (verify_with(RULE, TOKEN, &[], &server), server)
    }

    /// Nothing of the token in anything a report or a log line could show.
    fn assert_no_token(v: &Verification) {
        let shown = format!("{v:?}");
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains("AA1RMCCi5jnCKHsuHVz8"), "{shown}");
    }

    #[test]
    fn a_bot_token_is_live_with_its_username() {
        let (v, server) = verify(Reply::json(
            200,
            r#"{"ok":true,"result":{"id":7645747023,"is_bot":true,"first_name":"Release",
                "username":"release_notes_bot","can_join_groups":true}}"#,
        ));
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(
            v.identity.as_deref(),
            Some("@release_notes_bot (7645747023)")
        );
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        assert_no_token(&v);
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, path());
        assert_eq!(received[0].header("host"), Some(HOST));
        assert_eq!(received[0].header("authorization"), None);
    }

    #[test]
    fn an_unauthorized_token_is_dead() {
        let (v, _server) = verify(Reply::json(
            401,
            r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#,
        ));
        assert_eq!(v.status, Status::Dead, "{v:?}");
        assert_no_token(&v);
    }

    #[test]
    fn a_body_that_is_not_the_bot_api_shape_or_a_server_error_is_an_error() {
        for reply in [
            Reply::json(200, r#"{"ok":true,"result":{"id":1,"is_bot":true}}"#),
            Reply::json(200, r#"{"result":{"username":"x"}}"#),
            Reply::json(401, "{}"),
            Reply::json(
                404,
                r#"{"ok":false,"error_code":404,"description":"Not Found"}"#,
            ),
            Reply::json(502, "<html>Bad Gateway</html>"),
        ] {
            let (v, _server) = verify(reply);
            assert_eq!(v.status, Status::Error, "{v:?}");
            assert_no_token(&v);
        }
    }

    #[test]
    fn a_slow_answer_is_an_error_never_dead_and_its_note_holds_no_token() {
        let (v, _server) = verify(Reply::json(401, "{}").after(SHORT * 3));
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.as_deref().unwrap().contains("in time"));
        assert_no_token(&v);
    }

    #[test]
    fn a_network_error_names_the_host_and_never_the_token() {
        // A port nothing listens on: bind one, then let it go.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let connect_to = ConnectTo::parse(&format!("127.0.0.1:{port}")).unwrap();
        let transport = Transport::with_timeout(Some(connect_to), SHORT).unwrap();
        let secret = Secret::new(TOKEN.as_bytes().to_vec());
        let key = crate::verify::Candidate {
            rule: RULE,
            secret: &secret,
            key_id: None,
            account: None,
            companions: Vec::new(),
        };
        let v = verify_one(&key, &transport).verification;
        assert_eq!(v.status, Status::Error, "{v:?}");
        let note = v.note.clone().unwrap();
        assert!(note.contains(HOST), "{note}");
        assert!(!note.contains(TOKEN) && !note.contains("/bot"), "{note}");
        assert_no_token(&v);
    }

    #[test]
    fn a_token_that_cannot_sit_in_a_path_is_not_sent() {
        let server = MockServer::start(Vec::new());
        let v = verify_with(RULE, "123456789:AA/../../x?y", &[], &server);
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(server.received().is_empty());
    }
}
