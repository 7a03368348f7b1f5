//! GitHub (docs.github.com, REST API): a personal, OAuth or user-to-server token asks
//! `GET /user`, whose `login` is the identity and whose `X-OAuth-Scopes` header lists a classic
//! or OAuth token's scopes (fine-grained tokens send none); `GitHub-Authentication-Token-
//! Expiration` carries a token's expiry. An installation token (`ghs_`) cannot read `/user`,
//! so it asks `GET /installation/repositories?per_page=1`, whose first repository's owner is
//! the identity. `401` means the token is invalid, expired or revoked.

use crate::rules::Tier;
use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "api.github.com";

/// The GitHub verifier.
pub struct GitHub;

impl Provider for GitHub {
    fn name(&self) -> &'static str {
        "GitHub"
    }

    fn rules(&self) -> &'static [&'static str] {
        &[
            "github-classic-pat",
            "github-fine-grained-pat",
            "github-oauth-token",
            "github-user-to-server-token",
            "github-app-installation-token",
        ]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let installation = key.rule == "github-app-installation-token";
        let path = if installation {
            "/installation/repositories?per_page=1"
        } else {
            "/user"
        };
        let request = Request::get(HOST, path)
            .bearer(&key.secret.expose_str())
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        client.ask(&request, |response| match response.status {
            200 if installation => read_installation(response),
            200 => read_user(response),
            401 => Answer::dead("GitHub: HTTP 401 (bad credentials)"),
            403 if response.header("x-ratelimit-remaining") == Some("0") => {
                Answer::error("GitHub: rate limit exhausted")
            }
            _ => Answer::unexpected(response),
        })
    }
}

fn read_user(response: &Response) -> Answer {
    let Some(login) = response
        .json()
        .and_then(|body| body.get("login")?.as_str().map(str::to_string))
    else {
        return Answer::error("GitHub: HTTP 200 without a login");
    };
    let mut answer = Answer::live().identity(login);
    if let Some(header) = response.header("x-oauth-scopes") {
        let scopes: Vec<String> = header
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        answer = answer.tier(tier_of(&scopes)).scopes(scopes);
    }
    if let Some(expires) = response.header("github-authentication-token-expiration") {
        answer = answer.expires(expires.trim());
    }
    answer
}

fn read_installation(response: &Response) -> Answer {
    let owner = response.json().and_then(|body| {
        body.get("repositories")?
            .get(0)?
            .get("owner")?
            .get("login")?
            .as_str()
            .map(str::to_string)
    });
    match owner {
        Some(owner) => Answer::live().identity(owner),
        None => Answer::live().note("GitHub: installation with no repository"),
    }
}

/// The tier classic scopes amount to (docs: "Scopes for OAuth apps").
fn tier_of(scopes: &[String]) -> Tier {
    // Whole scope names: `repo_deployment`, `repo:status`, `admin:org_hook` and `user:email`
    // are narrower scopes of their own, not `repo`, `admin:org` or `user`.
    let has = |name: &str| scopes.iter().any(|s| s == name);
    if has("admin:org") || has("admin:enterprise") || has("site_admin") || has("delete_repo") {
        Tier::Admin
    } else if has("repo") || has("workflow") || has("user") {
        Tier::Full
    } else if scopes.iter().any(|s| {
        s.starts_with("write:")
            || s.starts_with("admin:")
            || matches!(
                s.as_str(),
                "public_repo"
                    | "gist"
                    | "repo:status"
                    | "repo_deployment"
                    | "repo:invite"
                    | "security_events"
                    | "codespace"
                    | "project"
                    | "notifications"
            )
    }) {
        Tier::Scoped
    } else if scopes.is_empty() {
        Tier::Public
    } else {
        Tier::Read
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::verify_with;
    use crate::verify::Status;

    const TOKEN: &str = "ghp_Q7w2E9r4T1y6U3i8O5p0A2s4D6f8G1h3J5k7"; // keyaudit:allow

    fn verify(rule: &str, server: &MockServer) -> crate::verify::Verification {
        verify_with(rule, TOKEN, &[], server)
    }

    #[test]
    fn a_classic_token_is_live_with_its_login_scopes_and_expiry() {
        let server = MockServer::start(vec![Route::new(
            "GET",
            "/user",
            Reply::json(200, r#"{"login":"octocat","id":1,"type":"User"}"#)
                .header("X-OAuth-Scopes", "repo, read:org")
                .header(
                    "GitHub-Authentication-Token-Expiration",
                    "2027-01-01 00:00:00 UTC",
                ),
        )
        .when("authorization", &format!("Bearer {TOKEN}"))]);
        let v = verify("github-classic-pat", &server);
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some("octocat"));
        assert_eq!(v.scopes, Some(vec!["repo".into(), "read:org".into()]));
        assert_eq!(v.expires.as_deref(), Some("2027-01-01 00:00:00 UTC"));
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].header("host"), Some(HOST));
    }

    #[test]
    fn bad_credentials_are_dead_and_a_server_error_is_an_error() {
        let server = MockServer::start(vec![Route::new(
            "GET",
            "/user",
            Reply::json(401, r#"{"message":"Bad credentials"}"#),
        )]);
        assert_eq!(
            verify("github-fine-grained-pat", &server).status,
            Status::Dead
        );
        let server = MockServer::start(vec![Route::new("GET", "/user", Reply::json(502, "{}"))]);
        assert_eq!(verify("github-classic-pat", &server).status, Status::Error);
        let server = MockServer::start(vec![Route::new(
            "GET",
            "/user",
            Reply::json(200, "not json"),
        )]);
        assert_eq!(verify("github-classic-pat", &server).status, Status::Error);
    }

    #[test]
    fn a_redirect_is_not_followed_and_proves_nothing() {
        let server = MockServer::start(vec![
            Route::new(
                "GET",
                "/user",
                Reply::json(302, "{}").header("Location", "/elsewhere"),
            ),
            Route::new("GET", "/elsewhere", Reply::json(200, r#"{"login":"x"}"#)),
        ]);
        let v = verify("github-classic-pat", &server);
        assert_eq!(v.status, Status::Error, "{v:?}");
        let asked: Vec<String> = server.received().into_iter().map(|r| r.path).collect();
        assert_eq!(asked, ["/user"], "the redirect was followed");
    }

    #[test]
    fn a_slow_answer_is_an_error_never_dead() {
        let slow = Reply::json(401, "{}").after(crate::verify::testing::SHORT * 3);
        let server = MockServer::start(vec![Route::new("GET", "/user", slow)]);
        let v = verify("github-classic-pat", &server);
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.unwrap().contains("in time"));
    }

    #[test]
    fn an_installation_token_asks_its_repositories() {
        let server = MockServer::start(vec![Route::new(
            "GET",
            "/installation/repositories?per_page=1",
            Reply::json(
                200,
                r#"{"total_count":3,"repositories":[{"full_name":"acme/app","owner":{"login":"acme"}}]}"#,
            ),
        )]);
        let v = verify("github-app-installation-token", &server);
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some("acme"));
    }

    #[test]
    fn scopes_map_to_tiers() {
        let tier = |s: &[&str]| tier_of(&s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(tier(&["admin:org", "repo"]), Tier::Admin);
        assert_eq!(tier(&["repo"]), Tier::Full);
        assert_eq!(tier(&["repo", "repo:status"]), Tier::Full);
        assert_eq!(tier(&["user", "user:email"]), Tier::Full);
        assert_eq!(tier(&["repo_deployment"]), Tier::Scoped);
        assert_eq!(tier(&["admin:org_hook"]), Tier::Scoped);
        assert_eq!(tier(&["public_repo"]), Tier::Scoped);
        assert_eq!(tier(&["read:org", "read:user"]), Tier::Read);
        assert_eq!(tier(&[]), Tier::Public);
    }
}
