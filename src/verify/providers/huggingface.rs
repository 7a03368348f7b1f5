//! Hugging Face (huggingface.co/docs, Hub API and huggingface.js): a user access token asks
//! `GET /api/whoami-v2` with the token as a bearer; the account's `name` is the identity and
//! `auth.accessToken` describes the token: its `role` (`read`, `write`, or `fineGrained` with the
//! permissions under `fineGrained.global` and `fineGrained.scoped[].permissions`) and, when it
//! has one, its `expiration`. `401` means the token is not valid.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::rules::Tier;
use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "huggingface.co";
const PATH: &str = "/api/whoami-v2";

/// The Hugging Face verifier.
pub struct HuggingFace;

impl Provider for HuggingFace {
    fn name(&self) -> &'static str {
        "Hugging Face"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["huggingface-token"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let request = Request::get(HOST, PATH).bearer(&key.secret.expose_str());
        client.ask(&request, |response| match response.status {
            200 => read_whoami(response),
            401 => Answer::dead("Hugging Face: HTTP 401 (invalid credentials)"),
            _ => Answer::unexpected(response),
        })
    }
}

/// Reads the account name and the token's role, permissions and expiry.
fn read_whoami(response: &Response) -> Answer {
    let body = response.json().unwrap_or(Value::Null);
    let Some(name) = body.get("name").and_then(Value::as_str) else {
        return Answer::error("Hugging Face: HTTP 200 without a name");
    };
    let mut answer = Answer::live().identity(name);
    let token = body.get("auth").and_then(|auth| auth.get("accessToken"));
    let Some(token) = token else {
        return answer;
    };
    let role = token.get("role").and_then(Value::as_str).unwrap_or("");
    let scopes = match role {
        "fineGrained" => fine_grained_permissions(token),
        "" => Vec::new(),
        role => vec![role.to_string()],
    };
    if let Some(tier) = tier_of(role, &scopes) {
        answer = answer.tier(tier);
    }
    if !scopes.is_empty() {
        answer = answer.scopes(scopes);
    }
    if let Some(expires) = token.get("expiration").and_then(Value::as_str) {
        answer = answer.expires(expires);
    }
    answer
}

/// A fine-grained token's permissions, global and per entity, each once.
fn fine_grained_permissions(token: &Value) -> Vec<String> {
    let Some(grants) = token.get("fineGrained") else {
        return Vec::new();
    };
    let strings = |list: Option<&Value>| {
        list.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let mut permissions: BTreeSet<String> = strings(grants.get("global")).into_iter().collect();
    for scoped in grants
        .get("scoped")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        permissions.extend(strings(scoped.get("permissions")));
    }
    permissions.into_iter().collect()
}

/// The tier a role settles: `read` reads, `write` writes to everything the account can,
/// `admin` administers; a fine-grained token reads when every permission ends in `read` and
/// is a limited write otherwise.
fn tier_of(role: &str, permissions: &[String]) -> Option<Tier> {
    match role {
        "read" => Some(Tier::Read),
        "write" => Some(Tier::Full),
        "admin" => Some(Tier::Admin),
        "contributor" => Some(Tier::Scoped),
        "fineGrained" if permissions.is_empty() => None,
        "fineGrained" if permissions.iter().all(|p| p.ends_with("read")) => Some(Tier::Read),
        "fineGrained" => Some(Tier::Scoped),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const TOKEN: &str = "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"; // keyaudit:allow

    fn verify(reply: Reply) -> (Verification, MockServer) {
        let server = MockServer::start(vec![
            Route::new("GET", PATH, reply).when("authorization", &format!("Bearer {TOKEN}"))
        ]);
        (
            verify_with("huggingface-token", TOKEN, &[], &server),
            server,
        )
    }

    #[test]
    fn a_token_is_live_with_its_account_role_and_expiry() {
        let (v, server) = verify(Reply::json(
            200,
            r#"{"type":"user","id":"62f264b9f3c90f4b6514a269","name":"ada-lovelace",
                "fullname":"Ada","orgs":[],"auth":{"type":"access_token",
                "accessToken":{"displayName":"ci","role":"read",
                "createdAt":"2026-01-05T10:00:00.000Z","expiration":"2027-01-05T10:00:00.000Z"}}}"#,
        ));
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some("ada-lovelace"));
        assert_eq!(v.scopes, Some(vec!["read".into()]));
        assert_eq!(v.expires.as_deref(), Some("2027-01-05T10:00:00.000Z"));
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, PATH);
        assert_eq!(received[0].header("host"), Some(HOST));
    }

    #[test]
    fn a_fine_grained_token_lists_its_permissions_once() {
        let (v, _server) = verify(Reply::json(
            200,
            r#"{"type":"user","name":"ada-lovelace","auth":{"type":"access_token",
                "accessToken":{"displayName":"deploy","role":"fineGrained",
                "fineGrained":{"canReadGatedRepos":false,"global":["discussion.write"],
                "scoped":[{"entity":{"type":"org","name":"acme"},
                           "permissions":["repo.content.read","repo.write"]},
                          {"entity":{"type":"user","name":"ada-lovelace"},
                           "permissions":["repo.content.read"]}]}}}}"#,
        ));
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(
            v.scopes,
            Some(vec![
                "discussion.write".into(),
                "repo.content.read".into(),
                "repo.write".into()
            ])
        );
    }

    #[test]
    fn invalid_credentials_are_dead() {
        let (v, _server) = verify(Reply::json(
            401,
            r#"{"error":"Invalid credentials in Authorization header"}"#,
        ));
        assert_eq!(v.status, Status::Dead, "{v:?}");
    }

    #[test]
    fn a_body_without_a_name_or_a_server_error_is_an_error() {
        for reply in [
            Reply::json(200, r#"{"type":"user"}"#),
            Reply::typed(200, "text/html", "<html></html>"),
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
    fn roles_map_to_tiers() {
        let perms = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(tier_of("read", &[]), Some(Tier::Read));
        assert_eq!(tier_of("write", &[]), Some(Tier::Full));
        assert_eq!(
            tier_of(
                "fineGrained",
                &perms(&["repo.content.read", "user.webhooks.read"])
            ),
            Some(Tier::Read)
        );
        assert_eq!(
            tier_of("fineGrained", &perms(&["repo.content.read", "repo.write"])),
            Some(Tier::Scoped)
        );
        assert_eq!(tier_of("fineGrained", &[]), None);
        assert_eq!(tier_of("", &[]), None);
    }

    #[test]
    fn a_live_token_carries_the_tier_of_its_role() {
        let response = Response {
            status: 200,
            headers: Vec::new(),
            body: br#"{"name":"ada","auth":{"accessToken":{"role":"write"}}}"#.to_vec(),
        };
        assert_eq!(read_whoami(&response).tier, Some(Tier::Full));
    }
}
