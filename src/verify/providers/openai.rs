//! OpenAI (developers.openai.com, API reference and error codes): a project, service-account or
//! legacy user key asks `GET /v1/models` with the key as a bearer; an Admin API key, which the
//! reference says cannot call other endpoints, asks `GET /v1/organization/projects?limit=1`. The
//! `openai-organization` response header names the organization (the identity). A `401` is dead
//! only as `invalid_api_key` ("Incorrect API key provided": a wrong, deleted or deactivated
//! key); its other documented causes (an IP allowlist, no organization, a restricted key lacking
//! the permission) prove nothing about the key being revoked, and the last one proves it live.

use serde_json::Value;

use crate::rules::Tier;
use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOST: &str = "api.openai.com";
const MODELS: &str = "/v1/models";
const PROJECTS: &str = "/v1/organization/projects?limit=1";

/// The OpenAI verifier.
pub struct OpenAi;

impl Provider for OpenAi {
    fn name(&self) -> &'static str {
        "OpenAI"
    }

    fn rules(&self) -> &'static [&'static str] {
        &[
            "openai-project-key",
            "openai-service-account-key",
            "openai-legacy-key",
            "openai-admin-key",
        ]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOST]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let admin = key.rule == "openai-admin-key";
        let path = if admin { PROJECTS } else { MODELS };
        let request = Request::get(HOST, path).bearer(&key.secret.expose_str());
        client.ask(&request, |response| match response.status {
            200 => read_list(response, admin),
            401 => read_unauthorized(response),
            _ => Answer::unexpected(response),
        })
    }
}

/// Reads a list answer (`{"object": "list", "data": [...]}`) and the organization header.
fn read_list(response: &Response, admin: bool) -> Answer {
    let is_list = response
        .json()
        .is_some_and(|body| body.get("data").is_some_and(Value::is_array));
    if !is_list {
        return Answer::error("OpenAI: HTTP 200 without a list");
    }
    let mut answer = Answer::live();
    if let Some(organization) = response
        .header("openai-organization")
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        answer = answer.identity(organization);
    }
    if admin {
        answer = answer.tier(Tier::Admin);
    }
    answer
}

/// Tells the documented causes of a `401` apart by the error's `code` and `message`.
fn read_unauthorized(response: &Response) -> Answer {
    let body = response.json().unwrap_or(Value::Null);
    let error = body.get("error");
    let text = |name: &str| {
        error
            .and_then(|e| e.get(name))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let (code, message) = (text("code"), text("message"));
    if code == "invalid_api_key" || message.starts_with("Incorrect API key provided") {
        Answer::dead("OpenAI: invalid_api_key")
    } else if message.contains("insufficient permissions") {
        Answer::live().note("OpenAI: key lacks the permission for this call")
    } else if message.contains("IP not authorized") {
        Answer::unknown("OpenAI: IP not authorized by the key's allowlist")
    } else {
        Answer::unknown("OpenAI: HTTP 401 without invalid_api_key")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::{Status, Verification};

    const PROJECT_KEY: &str = "sk-proj-OMujipEaEJjLDOt2ddayW-ehW_VWiZltP-c4P84cTk89FbBe"; // keyaudit:allow
    const ADMIN_KEY: &str = "sk-admin-raGVLvjke1xyLq-KbvAcspIzuB_kN1rJRv5z1hamHjMmQNUl"; // keyaudit:allow
    const MODEL_LIST: &str = r#"{"object":"list","data":[{"id":"gpt-4o-mini","object":"model",
        "created":1721172741,"owned_by":"system"}]}"#;

    fn verify(rule: &str, key: &str, path: &str, reply: Reply) -> (Verification, MockServer) {
        let server = MockServer::start(vec![
            Route::new("GET", path, reply).when("authorization", &format!("Bearer {key}"))
        ]);
        (verify_with(rule, key, &[], &server), server)
    }

    fn project(reply: Reply) -> Verification {
        verify("openai-project-key", PROJECT_KEY, MODELS, reply).0
    }

    #[test]
    fn a_project_key_is_live_with_its_organization() {
        let (v, server) = verify(
            "openai-project-key",
            PROJECT_KEY,
            MODELS,
            Reply::json(200, MODEL_LIST).header("openai-organization", "org-3fQ9vZk2"),
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some("org-3fQ9vZk2"));
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, MODELS);
        assert_eq!(received[0].header("host"), Some(HOST));
    }

    #[test]
    fn an_admin_key_asks_the_administration_api() {
        let (v, server) = verify(
            "openai-admin-key",
            ADMIN_KEY,
            PROJECTS,
            Reply::json(
                200,
                r#"{"object":"list","data":[{"id":"proj_abc","object":"organization.project",
                    "name":"Default project","created_at":1711471533,"status":"active"}],
                    "first_id":"proj_abc","last_id":"proj_abc","has_more":true}"#,
            ),
        );
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(server.received()[0].path, PROJECTS);
    }

    #[test]
    fn only_an_incorrect_key_is_dead() {
        let v = project(Reply::json(
            401,
            r#"{"error":{"message":"Incorrect API key provided: sk-proj-****BfBe.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
        ));
        assert_eq!(v.status, Status::Dead, "{v:?}");
        assert_eq!(v.note.as_deref(), Some("OpenAI: invalid_api_key"));
        let v = project(Reply::json(
            401,
            r#"{"error":{"message":"You have insufficient permissions for this operation. Missing scopes: api.model.read.","type":"invalid_request_error","param":null,"code":null}}"#,
        ));
        assert_eq!(v.status, Status::Live, "{v:?}");
        let v = project(Reply::json(
            401,
            r#"{"error":{"message":"IP not authorized","type":"invalid_request_error","code":null}}"#,
        ));
        assert_eq!(v.status, Status::Unknown, "{v:?}");
        let v = project(Reply::json(401, "{}"));
        assert_eq!(v.status, Status::Unknown, "{v:?}");
    }

    #[test]
    fn a_body_that_is_not_a_list_or_a_server_error_is_an_error() {
        for reply in [
            Reply::json(200, r#"{"object":"list"}"#),
            Reply::typed(200, "text/plain", "ok"),
            Reply::json(
                403,
                r#"{"error":{"code":"unsupported_country_region_territory"}}"#,
            ),
            Reply::json(502, "{}"),
        ] {
            assert_eq!(project(reply).status, Status::Error);
        }
    }

    #[test]
    fn a_slow_answer_is_an_error_never_dead() {
        let v =
            project(Reply::json(401, r#"{"error":{"code":"invalid_api_key"}}"#).after(SHORT * 3));
        assert_eq!(v.status, Status::Error, "{v:?}");
    }

    #[test]
    fn an_admin_key_is_admin_and_a_project_key_leaves_its_tier_alone() {
        let response = Response {
            status: 200,
            headers: Vec::new(),
            body: MODEL_LIST.as_bytes().to_vec(),
        };
        assert_eq!(read_list(&response, true).tier, Some(Tier::Admin));
        assert_eq!(read_list(&response, false).tier, None);
    }
}
