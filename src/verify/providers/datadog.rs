//! Datadog (docs.datadoghq.com, API reference "Validate API key"): `GET /api/v1/validate` with
//! the key in `DD-API-KEY` answers `{"valid": true}`, and `403` for a key it does not know.
//! Each Datadog site (US1, EU, US3, US5, AP1, AP2, UK1 and the two US government sites) is
//! independent and knows only its own organisations' keys, and nothing in a key names its
//! site: the sites are asked in turn until one accepts the key, which is live there (the note
//! names the site; v1 names no organisation), and the key is dead only when every site
//! refuses it.

use crate::verify::{Answer, Candidate, Client, Provider, Request, Response, Status};

const PATH: &str = "/api/v1/validate";

/// Each site's API host with the site's name, the most used first.
const SITES: &[(&str, &str)] = &[
    ("api.datadoghq.com", "datadoghq.com"),
    ("api.datadoghq.eu", "datadoghq.eu"),
    ("api.us3.datadoghq.com", "us3.datadoghq.com"),
    ("api.us5.datadoghq.com", "us5.datadoghq.com"),
    ("api.ap1.datadoghq.com", "ap1.datadoghq.com"),
    ("api.ap2.datadoghq.com", "ap2.datadoghq.com"),
    ("api.uk1.datadoghq.com", "uk1.datadoghq.com"),
    ("api.ddog-gov.com", "ddog-gov.com"),
    ("api.us2.ddog-gov.com", "us2.ddog-gov.com"),
];

/// The Datadog API key verifier.
pub struct Datadog;

impl Provider for Datadog {
    fn name(&self) -> &'static str {
        "Datadog"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["datadog-api-key"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[
            "api.datadoghq.com",
            "api.datadoghq.eu",
            "api.us3.datadoghq.com",
            "api.us5.datadoghq.com",
            "api.ap1.datadoghq.com",
            "api.ap2.datadoghq.com",
            "api.uk1.datadoghq.com",
            "api.ddog-gov.com",
            "api.us2.ddog-gov.com",
        ]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let secret = key.secret.expose_str();
        let mut failure = None;
        for (host, site) in SITES {
            let request = Request::get(*host, PATH)
                .header("DD-API-KEY", secret.as_str())
                .header("Accept", "application/json");
            let answer = client.ask(&request, |response| read(response, site));
            match answer.status {
                Status::Dead => continue,
                Status::Live => return answer,
                _ => {
                    failure.get_or_insert(answer);
                }
            }
        }
        // A site that could not answer might have been the key's own.
        failure.unwrap_or_else(|| Answer::dead("Datadog: HTTP 403 at every Datadog site"))
    }
}

/// One site's answer: `dead` here means refused by this site only.
fn read(response: &Response, site: &str) -> Answer {
    match response.status {
        200 => match response.json().and_then(|b| b.get("valid")?.as_bool()) {
            Some(true) => Answer::live().note(format!("Datadog: valid at site {site}")),
            _ => Answer::error(format!(
                "Datadog: HTTP 200 from {site} without \"valid\": true"
            )),
        },
        403 => Answer::dead("Datadog: HTTP 403"),
        _ => Answer::unexpected(response),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, SHORT};
    use crate::verify::Verification;

    const KEY: &str = "7e3c9a1f5b2d8e4a6c0f9b3d1e7a5c2f"; // keyaudit:allow
    const VALID: &str = r#"{"valid":true}"#;
    const FORBIDDEN: &str = r#"{"errors":["Forbidden"]}"#;

    fn route(reply: Reply) -> Route {
        Route::new("GET", PATH, reply)
    }

    fn verify(server: &MockServer) -> Verification {
        verify_with("datadog-api-key", KEY, &[], server)
    }

    #[test]
    fn hosts_and_sites_agree() {
        let hosts: Vec<&str> = SITES.iter().map(|(host, _)| *host).collect();
        assert_eq!(hosts, Datadog.hosts());
    }

    #[test]
    fn a_key_is_live_at_the_first_site_that_accepts_it() {
        let server = MockServer::start(vec![
            route(Reply::json(200, VALID)).when("host", "api.datadoghq.eu"),
            route(Reply::json(403, FORBIDDEN)),
        ]);
        let v = verify(&server);
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(
            v.note.as_deref(),
            Some("Datadog: valid at site datadoghq.eu")
        );
        assert_eq!(v.identity, None);
        assert_eq!(v.endpoint.as_deref(), Some("api.datadoghq.eu"));
        let received = server.received();
        let hosts: Vec<_> = received.iter().map(|r| r.header("host").unwrap()).collect();
        assert_eq!(hosts, ["api.datadoghq.com", "api.datadoghq.eu"]);
        assert!(received.iter().all(|r| r.header("dd-api-key") == Some(KEY)));
    }

    #[test]
    fn a_key_every_site_refuses_is_dead() {
        let server = MockServer::start(vec![route(Reply::json(403, FORBIDDEN))]);
        let v = verify(&server);
        assert_eq!(v.status, Status::Dead, "{v:?}");
        assert_eq!(server.received().len(), SITES.len());
    }

    #[test]
    fn a_site_that_cannot_answer_makes_refusals_an_error_not_dead() {
        let server = MockServer::start(vec![
            route(Reply::json(503, "{}")).when("host", "api.us5.datadoghq.com"),
            route(Reply::json(403, FORBIDDEN)),
        ]);
        let v = verify(&server);
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.unwrap().contains("503"));
        let server = MockServer::start(vec![route(Reply::json(200, r#"{"valid":false}"#))]);
        assert_eq!(verify(&server).status, Status::Error);
        let server = MockServer::start(vec![route(Reply::json(200, "not json"))]);
        assert_eq!(verify(&server).status, Status::Error);
    }

    #[test]
    fn a_slow_site_is_an_error_even_when_the_others_refuse() {
        let server = MockServer::start(vec![
            route(Reply::json(200, VALID).after(SHORT * 3)).when("host", "api.datadoghq.com"),
            route(Reply::json(403, FORBIDDEN)),
        ]);
        let v = verify(&server);
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.unwrap().contains("in time"));
    }
}
