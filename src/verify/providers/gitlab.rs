//! GitLab (docs.gitlab.com, personal access tokens API): a personal, project or group access
//! token asks `GET /api/v4/personal_access_tokens/self` with `PRIVATE-TOKEN`, which describes the
//! token itself: its owner's `user_id` (the identity), its `scopes`, `expires_at`, and whether it
//! is `active` or `revoked`. `401` means the token does not exist, has expired or was revoked.
//! Only gitlab.com is asked: a token of a self-managed instance is unknown there, so its `401`
//! says nothing about the instance it belongs to.

use serde_json::Value;

use crate::rules::Tier;
use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "gitlab.com";
const PATH: &str = "/api/v4/personal_access_tokens/self";

/// The GitLab verifier.
pub struct GitLab;

impl Provider for GitLab {
    fn name(&self) -> &'static str {
        "GitLab"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["gitlab-personal-access-token"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let request = Request::get(HOST, PATH).header("PRIVATE-TOKEN", key.secret.expose_str());
        client.ask(&request, |response| match response.status {
            200 => read_token(response),
            401 => Answer::dead("GitLab: HTTP 401 (token unknown, expired or revoked)"),
            _ => Answer::unexpected(response),
        })
    }
}

/// Reads the token's own description.
fn read_token(response: &Response) -> Answer {
    let body = response.json().unwrap_or(Value::Null);
    let user = body.get("user_id").and_then(Value::as_u64);
    let scopes = body.get("scopes").and_then(Value::as_array).map(|scopes| {
        scopes
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    let (Some(user), Some(scopes)) = (user, scopes) else {
        return Answer::error("GitLab: HTTP 200 without a token description");
    };
    if body.get("revoked") == Some(&Value::Bool(true)) {
        return Answer::dead("GitLab: token revoked");
    }
    if body.get("active") == Some(&Value::Bool(false)) {
        return Answer::dead("GitLab: token inactive");
    }
    let mut answer = Answer::live().identity(format!("user {user}"));
    if let Some(tier) = tier_of(&scopes) {
        answer = answer.tier(tier);
    }
    answer = answer.scopes(scopes);
    if let Some(expires) = body.get("expires_at").and_then(Value::as_str) {
        answer = answer.expires(expires);
    }
    answer
}

/// The tier a token's scopes amount to (docs: "Personal access token scopes"): `sudo` and
/// `admin_mode` act as an administrator, `api` is the whole API, the `write_` scopes and the
/// runner, agent and AI scopes write a part of it, and `read_` scopes only read.
fn tier_of(scopes: &[String]) -> Option<Tier> {
    let has = |name: &str| scopes.iter().any(|s| s == name);
    if scopes.is_empty() {
        None
    } else if has("sudo") || has("admin_mode") {
        Some(Tier::Admin)
    } else if has("api") {
        Some(Tier::Full)
    } else if scopes.iter().all(|s| s.starts_with("read_")) {
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

    const TOKEN: &str = "glpat-6Rum3nIq4bnscuWnnZNX"; // keyaudit:allow
    const RULE: &str = "gitlab-personal-access-token";

    fn verify(reply: Reply) -> (Verification, MockServer) {
        let server = MockServer::start(vec![
            Route::new("GET", PATH, reply).when("private-token", TOKEN)
        ]);
        (verify_with(RULE, TOKEN, &[], &server), server)
    }

    #[test]
    fn a_token_is_live_with_its_owner_scopes_and_expiry() {
        let (v, server) = verify(Reply::json(
            200,
            r#"{"id":4,"name":"ci","revoked":false,"created_at":"2026-01-05T10:00:00.000Z",
                "scopes":["read_api","read_repository"],"user_id":24,"active":true,
                "expires_at":"2027-01-05"}"#,
        ));
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some("user 24"));
        assert_eq!(
            v.scopes,
            Some(vec!["read_api".into(), "read_repository".into()])
        );
        assert_eq!(v.expires.as_deref(), Some("2027-01-05"));
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, PATH);
        assert_eq!(received[0].header("host"), Some(HOST));
        assert_eq!(received[0].header("authorization"), None);
    }

    #[test]
    fn unauthorized_or_revoked_is_dead() {
        let (v, _server) = verify(Reply::json(401, r#"{"message":"401 Unauthorized"}"#));
        assert_eq!(v.status, Status::Dead, "{v:?}");
        let (v, _server) = verify(Reply::json(
            200,
            r#"{"id":4,"scopes":["api"],"user_id":24,"revoked":true,"active":false}"#,
        ));
        assert_eq!(v.status, Status::Dead, "{v:?}");
        assert_eq!(v.note.as_deref(), Some("GitLab: token revoked"));
    }

    #[test]
    fn a_body_that_is_not_a_token_or_a_server_error_is_an_error() {
        for reply in [
            Reply::json(200, r#"{"id":4,"name":"ci"}"#),
            Reply::json(200, "[]"),
            Reply::typed(200, "text/html", "<html>sign in</html>"),
            Reply::json(500, r#"{"message":"500 Internal Server Error"}"#),
        ] {
            let (v, _server) = verify(reply);
            assert_eq!(v.status, Status::Error, "{v:?}");
        }
    }

    #[test]
    fn a_slow_answer_is_an_error_never_dead() {
        let (v, _server) = verify(Reply::json(401, "{}").after(SHORT * 3));
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.unwrap().contains("in time"));
    }

    #[test]
    fn scopes_map_to_tiers() {
        let tier = |s: &[&str]| tier_of(&s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(tier(&["api", "sudo"]), Some(Tier::Admin));
        assert_eq!(tier(&["api"]), Some(Tier::Full));
        assert_eq!(tier(&["read_api", "write_repository"]), Some(Tier::Scoped));
        assert_eq!(tier(&["read_api", "read_registry"]), Some(Tier::Read));
        assert_eq!(tier(&[]), None);
    }

    #[test]
    fn a_live_token_carries_the_tier_of_its_scopes() {
        let response = Response {
            status: 200,
            headers: Vec::new(),
            body: br#"{"scopes":["api","read_user"],"user_id":7,"active":true}"#.to_vec(),
        };
        assert_eq!(read_token(&response).tier, Some(Tier::Full));
    }
}
