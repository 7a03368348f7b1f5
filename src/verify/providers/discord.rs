//! Discord (discord.com/developers/docs, Users resource and Reference "Authentication"): a bot
//! token asks `GET /api/v10/users/@me` with `Authorization: Bot TOKEN`; the bot user's
//! `username` and `id` are the identity. `401` means the token is not valid.

use serde_json::Value;

use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "discord.com";
const PATH: &str = "/api/v10/users/@me";

/// The Discord verifier.
pub struct Discord;

impl Provider for Discord {
    fn name(&self) -> &'static str {
        "Discord"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["discord-bot-token", "discord-bot-token-by-structure"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let request = Request::get(HOST, PATH)
            .header("Authorization", format!("Bot {}", key.secret.expose_str()));
        client.ask(&request, |response| match response.status {
            200 => read_user(response),
            401 => Answer::dead("Discord: HTTP 401 (unauthorized)"),
            _ => Answer::unexpected(response),
        })
    }
}

/// Reads the bot user's `username` and `id`.
fn read_user(response: &Response) -> Answer {
    let body = response.json().unwrap_or(Value::Null);
    let field = |name: &str| body.get(name).and_then(Value::as_str);
    match (field("username"), field("id")) {
        (Some(username), Some(id)) => Answer::live().identity(format!("{username} ({id})")),
        _ => Answer::error("Discord: HTTP 200 without a user"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const TOKEN: &str = "OTg3NjU0MzIxMDk4NzY1NDMy.uVwOjE.qG1O141847f2XRmy207nFiiOBJ1oALmleos6jT"; // keyaudit:allow

    fn verify(reply: Reply) -> (Verification, MockServer) {
        let server = MockServer::start(vec![
            Route::new("GET", PATH, reply).when("authorization", &format!("Bot {TOKEN}"))
        ]);
        (
            verify_with("discord-bot-token", TOKEN, &[], &server),
            server,
        )
    }

    #[test]
    fn a_bot_token_is_live_with_its_bot_user() {
        let (v, server) = verify(Reply::json(
            200,
            r#"{"id":"987654321098765432","username":"release-bot","discriminator":"0",
                "global_name":null,"avatar":null,"bot":true,"mfa_enabled":false,"verified":true}"#,
        ));
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(
            v.identity.as_deref(),
            Some("release-bot (987654321098765432)")
        );
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, PATH);
        assert_eq!(received[0].header("host"), Some(HOST));
    }

    #[test]
    fn an_unauthorized_token_is_dead() {
        let (v, _server) = verify(Reply::json(
            401,
            r#"{"message":"401: Unauthorized","code":0}"#,
        ));
        assert_eq!(v.status, Status::Dead, "{v:?}");
    }

    #[test]
    fn a_body_that_is_not_a_user_or_a_server_error_is_an_error() {
        for reply in [
            Reply::json(200, r#"{"id":"987654321098765432"}"#),
            Reply::typed(200, "text/html", "<html></html>"),
            Reply::json(502, "{}"),
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
}
