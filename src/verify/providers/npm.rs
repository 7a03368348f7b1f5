//! npm (docs.npmjs.com, `npm whoami`): an access token asks the public registry's `GET
//! /-/whoami` with the token as a bearer, the call `npm whoami` makes to find "the username
//! associated with the token"; its `username` is the identity. `401` means the registry does not
//! accept the token. Tokens found in an `.npmrc` for another registry are not asked.

use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "registry.npmjs.org";
const PATH: &str = "/-/whoami";

/// The npm verifier.
pub struct Npm;

impl Provider for Npm {
    fn name(&self) -> &'static str {
        "npm"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["npm-access-token"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let request = Request::get(HOST, PATH).bearer(&key.secret.expose_str());
        client.ask(&request, |response| match response.status {
            200 => read_username(response),
            401 => Answer::dead("npm: HTTP 401 (token not accepted)"),
            _ => Answer::unexpected(response),
        })
    }
}

/// Reads `{"username": ...}`.
fn read_username(response: &Response) -> Answer {
    match response
        .json()
        .and_then(|body| body.get("username")?.as_str().map(str::to_string))
        .filter(|name| !name.is_empty())
    {
        Some(username) => Answer::live().identity(username),
        None => Answer::error("npm: HTTP 200 without a username"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const TOKEN: &str = "npm_7kaYOlYBXvIHY2k1Oj3Y7mG7tZollJk3AYiS"; // keyaudit:allow

    fn verify(reply: Reply) -> (Verification, MockServer) {
        let server = MockServer::start(vec![
            Route::new("GET", PATH, reply).when("authorization", &format!("Bearer {TOKEN}"))
        ]);
        (verify_with("npm-access-token", TOKEN, &[], &server), server)
    }

    #[test]
    fn a_token_is_live_with_its_username() {
        let (v, server) = verify(Reply::json(200, r#"{"username":"octo-publisher"}"#));
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some("octo-publisher"));
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, PATH);
        assert_eq!(received[0].header("host"), Some(HOST));
    }

    #[test]
    fn an_unaccepted_token_is_dead() {
        let (v, _server) = verify(Reply::json(401, r#"{"error":"Unauthorized"}"#));
        assert_eq!(v.status, Status::Dead, "{v:?}");
    }

    #[test]
    fn a_body_without_a_username_or_a_server_error_is_an_error() {
        for reply in [
            Reply::json(200, r#"{"username":""}"#),
            Reply::json(200, r#"{"name":"octo"}"#),
            Reply::typed(200, "text/plain", "octo"),
            Reply::json(503, "{}"),
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
