//! Slack (docs.slack.dev, Web API): a bot, user or app-level token asks `POST
//! https://slack.com/api/auth.test` with the token as a bearer; the method page lists bot, user
//! and app-level tokens, no scope required. Slack answers HTTP 200 either way: `ok: true` with the
//! `team` and `user` it belongs to, or `ok: false` with an `error` code, of which
//! `invalid_auth`, `token_revoked`, `token_expired` and `account_inactive` say the token is dead
//! (`invalid_auth` also covers a request from an IP address the workspace disallows). The
//! `x-oauth-scopes` header lists the token's scopes, comma-separated (Slack's own Web API client
//! reads them there).

use serde_json::Value;

use crate::rules::Tier;
use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "slack.com";
const PATH: &str = "/api/auth.test";

/// The `error` codes that mean the token itself is dead.
const DEAD: &[&str] = &[
    "invalid_auth",
    "token_revoked",
    "token_expired",
    "account_inactive",
];

/// The Slack verifier.
pub struct Slack;

impl Provider for Slack {
    fn name(&self) -> &'static str {
        "Slack"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["slack-bot-token", "slack-user-token", "slack-app-token"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let request = Request::post(HOST, PATH, "application/x-www-form-urlencoded", Vec::new())
            .bearer(&key.secret.expose_str());
        client.ask(&request, |response| match response.status {
            200 => read_answer(response),
            _ => Answer::unexpected(response),
        })
    }
}

/// Reads `auth.test`'s `ok`, identity or error code, and the scopes header.
fn read_answer(response: &Response) -> Answer {
    let body = response.json().unwrap_or(Value::Null);
    match body.get("ok").and_then(Value::as_bool) {
        Some(true) => {}
        Some(false) => {
            let code = body.get("error").and_then(Value::as_str).unwrap_or("");
            return match DEAD.iter().find(|dead| **dead == code) {
                Some(dead) => Answer::dead(format!("Slack: {dead}")),
                None if is_code(code) => Answer::error(format!("Slack: {code}")),
                None => Answer::error("Slack: ok false without an error code"),
            };
        }
        None => return Answer::error("Slack: HTTP 200 without ok"),
    }
    let field = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let team = match (field("team"), field("team_id")) {
        (Some(name), Some(id)) => Some(format!("{name} ({id})")),
        (name, id) => name.or(id).map(str::to_string),
    };
    let user = field("user").or(field("user_id"));
    let mut answer = Answer::live();
    match (user, team) {
        (Some(user), Some(team)) => answer = answer.identity(format!("{user} on {team}")),
        (user, team) => {
            if let Some(identity) = user.map(str::to_string).or(team) {
                answer = answer.identity(identity);
            }
        }
    }
    if let Some(header) = response.header("x-oauth-scopes") {
        let scopes: Vec<String> = header
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(tier) = tier_of(&scopes) {
            answer = answer.tier(tier);
        }
        answer = answer.scopes(scopes);
    }
    answer
}

/// Whether `code` looks like one of Slack's error codes, so it can be named in a note.
fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 40
        && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// The tier the scopes settle: an `admin` scope administers the workspace; scopes that only
/// read (`:read`, `:history`, `identify`) read. Anything else is left to the rule's default.
fn tier_of(scopes: &[String]) -> Option<Tier> {
    let reads = |s: &String| s.ends_with(":read") || s.ends_with(":history") || s == "identify";
    if scopes
        .iter()
        .any(|s| s == "admin" || s.starts_with("admin."))
    {
        Some(Tier::Admin)
    } else if !scopes.is_empty() && scopes.iter().all(reads) {
        Some(Tier::Read)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const BOT: &str = "xoxb-1626293479907-1910371738406-weMqYLgqRCK2pyqrq6ttXBHE"; // keyaudit:allow

    fn verify(rule: &str, token: &str, reply: Reply) -> (Verification, MockServer) {
        let server = MockServer::start(vec![
            Route::new("POST", PATH, reply).when("authorization", &format!("Bearer {token}"))
        ]);
        (verify_with(rule, token, &[], &server), server)
    }

    #[test]
    fn a_bot_token_is_live_with_its_team_user_and_scopes() {
        let (v, server) = verify(
            "slack-bot-token",
            BOT,
            Reply::json(
                200,
                r#"{"ok":true,"url":"https://subarachnoid.slack.com/","team":"Subarachnoid Workspace",
                    "user":"grace","team_id":"T12345678","user_id":"W12345678","bot_id":"B0123"}"#,
            )
            .header("x-oauth-scopes", "chat:write,channels:read, users:read"),
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(
            v.identity.as_deref(),
            Some("grace on Subarachnoid Workspace (T12345678)")
        );
        assert_eq!(
            v.scopes,
            Some(vec![
                "chat:write".into(),
                "channels:read".into(),
                "users:read".into()
            ])
        );
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, PATH);
        assert_eq!(received[0].header("host"), Some(HOST));
        assert!(received[0].body.is_empty(), "the token is not in the body");
    }

    #[test]
    fn an_app_level_token_asks_the_same_method() {
        let app = "xapp-1-AJ97180SX8P-2359225982558-ba4720f31c63759fc04b979ad80afb16c40985fdda80272149ff55f7bbde8ef4"; // keyaudit:allow
        let (v, _server) = verify(
            "slack-app-token",
            app,
            Reply::json(200, r#"{"ok":true,"team":"Acme","team_id":"T0001"}"#),
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some("Acme (T0001)"));
        assert_eq!(v.scopes, None);
    }

    #[test]
    fn documented_error_codes_are_dead_and_others_are_errors() {
        for (code, status) in [
            ("invalid_auth", Status::Dead),
            ("token_revoked", Status::Dead),
            ("token_expired", Status::Dead),
            ("account_inactive", Status::Dead),
            ("ratelimited", Status::Error),
            ("fatal_error", Status::Error),
        ] {
            let body = format!(r#"{{"ok":false,"error":"{code}"}}"#);
            let (v, _server) = verify("slack-user-token", BOT, Reply::json(200, &body));
            assert_eq!(v.status, status, "{code}: {v:?}");
            assert_eq!(v.note, Some(format!("Slack: {code}")));
        }
    }

    #[test]
    fn a_body_without_ok_or_a_server_error_is_an_error() {
        for reply in [
            Reply::json(200, r#"{"team":"Acme"}"#),
            Reply::typed(200, "text/html", "<html></html>"),
            Reply::json(200, r#"{"ok":false,"error":"<script>"}"#),
            Reply::json(503, "{}"),
        ] {
            let (v, _server) = verify("slack-bot-token", BOT, reply);
            assert_eq!(v.status, Status::Error, "{v:?}");
            assert!(!v.note.unwrap().contains("script"));
        }
    }

    #[test]
    fn a_slow_answer_is_an_error_never_dead() {
        let slow = Reply::json(200, r#"{"ok":false,"error":"invalid_auth"}"#).after(SHORT * 3);
        let (v, _server) = verify("slack-bot-token", BOT, slow);
        assert_eq!(v.status, Status::Error, "{v:?}");
    }

    #[test]
    fn scopes_settle_a_tier_only_when_they_clearly_can() {
        let tier = |s: &[&str]| tier_of(&s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            tier(&["admin.users:write", "chat:write"]),
            Some(Tier::Admin)
        );
        assert_eq!(
            tier(&["channels:read", "channels:history"]),
            Some(Tier::Read)
        );
        assert_eq!(tier(&["chat:write", "channels:read"]), None);
        assert_eq!(tier(&[]), None);
    }

    #[test]
    fn a_live_token_carries_the_tier_its_scopes_settle() {
        let response = Response {
            status: 200,
            headers: vec![("x-oauth-scopes".into(), "channels:read,users:read".into())],
            body: br#"{"ok":true,"team":"Acme","user":"grace"}"#.to_vec(),
        };
        assert_eq!(read_answer(&response).tier, Some(Tier::Read));
    }
}
