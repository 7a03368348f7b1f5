//! Anthropic (docs.anthropic.com / platform.claude.com, API reference): an API key asks `GET
//! /v1/models` with `x-api-key` and `anthropic-version: 2023-06-01`; the
//! `anthropic-organization-id` response header names the key's organization (the identity). An
//! Admin API key asks `GET /v1/organizations/me`, which names the organization. `401`
//! (`authentication_error`) means the key is invalid; `403` (`permission_error`) means a key
//! without permission for the resource, which is still a key Anthropic knows.

use serde_json::Value;

use crate::rules::Tier;
use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "api.anthropic.com";
const MODELS: &str = "/v1/models";
const ORGANIZATION: &str = "/v1/organizations/me";
const VERSION: &str = "2023-06-01";

/// The Anthropic verifier.
pub struct Anthropic;

impl Provider for Anthropic {
    fn name(&self) -> &'static str {
        "Anthropic"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["anthropic-api-key", "anthropic-admin-key"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let admin = key.rule == "anthropic-admin-key";
        let path = if admin { ORGANIZATION } else { MODELS };
        let request = Request::get(HOST, path)
            .header("x-api-key", key.secret.expose_str())
            .header("anthropic-version", VERSION);
        client.ask(&request, |response| match response.status {
            200 if admin => read_organization(response),
            200 => read_models(response),
            401 => Answer::dead("Anthropic: HTTP 401 (authentication_error)"),
            403 if error_type(response).as_deref() == Some("permission_error") => {
                Answer::live().note("Anthropic: permission_error (key lacks access to this call)")
            }
            _ => Answer::unexpected(response),
        })
    }
}

/// Reads the model list and the organization header.
fn read_models(response: &Response) -> Answer {
    let is_list = response
        .json()
        .is_some_and(|body| body.get("data").is_some_and(Value::is_array));
    if !is_list {
        return Answer::error("Anthropic: HTTP 200 without a model list");
    }
    match response
        .header("anthropic-organization-id")
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        Some(organization) => Answer::live().identity(organization),
        None => Answer::live(),
    }
}

/// Reads the organization an Admin API key administers.
fn read_organization(response: &Response) -> Answer {
    let body = response.json().unwrap_or(Value::Null);
    let field = |name: &str| body.get(name).and_then(Value::as_str);
    match (field("type"), field("id"), field("name")) {
        (Some("organization"), Some(id), name) => {
            let identity = match name {
                Some(name) => format!("{name} ({id})"),
                None => id.to_string(),
            };
            Answer::live().identity(identity).tier(Tier::Admin)
        }
        _ => Answer::error("Anthropic: HTTP 200 without an organization"),
    }
}

/// The `error.type` of Anthropic's error body.
fn error_type(response: &Response) -> Option<String> {
    let body = response.json()?;
    Some(body.get("error")?.get("type")?.as_str()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const API_KEY: &str = "sk-ant-api03-XZbEhSTmWpRPzDa8kwU0CIMzy9euYxT3sXCgr2goWdhF6ohoB3fJDJcwJLpQm8mIy4j6tMBDas6eq_0GOijcOk8Y0p8LN"; // keyaudit:allow
    const ADMIN_KEY: &str = "sk-ant-admin01-YOJji0Rr9hKQr_zPoxcKvt4VnDaavPiR3Q49RPATN-zVnyV6joQoI0OXPEKW2yOSK-Rvps-T7fdPOSdmeAsQuy5hLaneD"; // keyaudit:allow
    const MODEL_LIST: &str = r#"{"data":[{"type":"model","id":"claude-sonnet-4-5",
        "display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"}],
        "has_more":false,"first_id":"claude-sonnet-4-5","last_id":"claude-sonnet-4-5"}"#;

    fn verify(rule: &str, key: &str, path: &str, reply: Reply) -> (Verification, MockServer) {
        let server = MockServer::start(vec![Route::new("GET", path, reply).when("x-api-key", key)]);
        (verify_with(rule, key, &[], &server), server)
    }

    fn api(reply: Reply) -> Verification {
        verify("anthropic-api-key", API_KEY, MODELS, reply).0
    }

    #[test]
    fn an_api_key_is_live_with_its_organization() {
        let (v, server) = verify(
            "anthropic-api-key",
            API_KEY,
            MODELS,
            Reply::json(200, MODEL_LIST).header(
                "anthropic-organization-id",
                "0b7d3c2a-5e41-4f8e-9c6d-1a2b3c4d5e6f",
            ),
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(
            v.identity.as_deref(),
            Some("0b7d3c2a-5e41-4f8e-9c6d-1a2b3c4d5e6f")
        );
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, MODELS);
        assert_eq!(received[0].header("host"), Some(HOST));
        assert_eq!(received[0].header("anthropic-version"), Some(VERSION));
        assert_eq!(received[0].header("authorization"), None);
    }

    #[test]
    fn an_admin_key_is_live_with_the_organization_it_administers() {
        let (v, server) = verify(
            "anthropic-admin-key",
            ADMIN_KEY,
            ORGANIZATION,
            Reply::json(
                200,
                r#"{"id":"12345678-1234-5678-1234-567812345678","name":"Acme Research","type":"organization"}"#,
            ),
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(
            v.identity.as_deref(),
            Some("Acme Research (12345678-1234-5678-1234-567812345678)")
        );
        assert_eq!(server.received()[0].path, ORGANIZATION);
    }

    #[test]
    fn an_invalid_key_is_dead_and_a_key_without_permission_is_live() {
        let v = api(Reply::json(
            401,
            r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
        ));
        assert_eq!(v.status, Status::Dead, "{v:?}");
        let v = api(Reply::json(
            403,
            r#"{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission to use the specified resource."}}"#,
        ));
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert!(v.note.unwrap().starts_with("Anthropic: permission_error"));
    }

    #[test]
    fn a_body_that_is_not_the_documented_shape_or_a_server_error_is_an_error() {
        for reply in [
            Reply::json(200, r#"{"models":[]}"#),
            Reply::typed(200, "text/html", "<html></html>"),
            Reply::json(403, "{}"),
            Reply::json(
                529,
                r#"{"type":"error","error":{"type":"overloaded_error"}}"#,
            ),
        ] {
            assert_eq!(api(reply).status, Status::Error);
        }
        let (v, _server) = verify(
            "anthropic-admin-key",
            ADMIN_KEY,
            ORGANIZATION,
            Reply::json(200, r#"{"data":[]}"#),
        );
        assert_eq!(v.status, Status::Error, "{v:?}");
    }

    #[test]
    fn a_slow_answer_is_an_error_never_dead() {
        let v = api(Reply::json(401, "{}").after(SHORT * 3));
        assert_eq!(v.status, Status::Error, "{v:?}");
    }

    #[test]
    fn an_admin_key_is_admin_and_an_api_key_leaves_its_tier_alone() {
        let response = |body: &str| Response {
            status: 200,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        };
        let organization = r#"{"id":"12345678-1234-5678-1234-567812345678","type":"organization"}"#;
        assert_eq!(
            read_organization(&response(organization)).tier,
            Some(Tier::Admin)
        );
        assert_eq!(read_models(&response(MODEL_LIST)).tier, None);
    }
}
