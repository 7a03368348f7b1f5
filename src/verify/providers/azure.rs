//! Azure Storage account keys (learn.microsoft.com, "Authorize with Shared Key" and "List
//! Containers"): the key signs a `GET https://{account}.blob.core.windows.net/?comp=list&maxresults=1`
//! with Shared Key (HMAC-SHA256 of the documented string to sign, keyed by the decoded account
//! key), so the key itself is never sent. `200` proves it live, the account's name the
//! identity; `403 AuthenticationFailed` says the signature is not the account's: dead, unless
//! the service names the request's date (this machine's clock), an error. Any other `403`
//! (a storage firewall, Shared Key turned off for the account) proves nothing of the key.
//!
//! The account's name is not in the key: it is the key's id where the rule found one
//! (`AccountName=…;AccountKey=…`). Without one nothing is sent. Connection strings are never
//! verified.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::Sha256;

use crate::verify::xml::element;
use crate::verify::{Answer, Candidate, Client, Provider, Request, Response};

const HOSTS: &str = "*.blob.core.windows.net";
const PATH: &str = "/?comp=list&maxresults=1";
/// The REST API version asked for; Shared Key as signed here holds from 2015-02-21 on.
const VERSION: &str = "2021-08-06";

/// The Azure Storage account key verifier.
pub struct AzureStorage;

impl Provider for AzureStorage {
    fn name(&self) -> &'static str {
        "Azure Storage"
    }

    fn rules(&self) -> &'static [&'static str] {
        &["azure-storage-account-key"]
    }

    fn hosts(&self) -> &'static [&'static str] {
        &[HOSTS]
    }

    fn verify(&self, key: &Candidate<'_>, client: &Client<'_>) -> Answer {
        let Some(account) = key.account.and_then(account_name) else {
            return Answer::unknown("no storage account name found beside it");
        };
        let Ok(account_key) = STANDARD.decode(key.secret.expose()) else {
            return Answer::error("Azure Storage: the account key is not base64");
        };
        let date = Timestamp::now()
            .strftime("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let to_sign = string_to_sign(&account, &date);
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&account_key).expect("HMAC takes a key of any length");
        mac.update(to_sign.as_bytes());
        let signature = STANDARD.encode(mac.finalize().into_bytes());
        let request = Request::get(format!("{account}.blob.core.windows.net"), PATH)
            .header("x-ms-date", date.as_str())
            .header("x-ms-version", VERSION)
            .header("Authorization", format!("SharedKey {account}:{signature}"));
        client.ask(&request, |response| read(response, &account))
    }
}

/// A storage account's name: 3 to 24 lower-case letters and digits (its host's first label).
fn account_name(text: &str) -> Option<String> {
    let name = text.to_ascii_lowercase();
    ((3..=24).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(name)
}

/// Shared Key's string to sign for this request (a `GET` with no body): the verb, eleven
/// empty standard headers (`Content-Encoding` to `Range`), the `x-ms-` headers sorted, then
/// the canonicalized resource: `/account/` and the query's parameters sorted, one a line.
fn string_to_sign(account: &str, date: &str) -> String {
    format!(
        "GET\n{}x-ms-date:{date}\nx-ms-version:{VERSION}\n/{account}/\ncomp:list\nmaxresults:1",
        "\n".repeat(11)
    )
}

fn read(response: &Response, account: &str) -> Answer {
    let body = String::from_utf8_lossy(&response.body);
    match response.status {
        200 if body.contains("<EnumerationResults") => Answer::live().identity(account),
        200 => Answer::error("Azure Storage: HTTP 200 without a container list"),
        403 => {
            let code = response
                .header("x-ms-error-code")
                .map(str::to_string)
                .or_else(|| element(&body, "Code"));
            match code.as_deref() {
                Some("AuthenticationFailed") => {
                    let detail = element(&body, "AuthenticationErrorDetail").unwrap_or_default();
                    if detail.to_ascii_lowercase().contains("date") {
                        Answer::error(
                            "Azure Storage: the request's date was refused (check this machine's clock)",
                        )
                    } else {
                        Answer::dead(
                            "Azure Storage: AuthenticationFailed (the key is not the account's)",
                        )
                    }
                }
                Some(code) => Answer::unknown(format!(
                    "Azure Storage: HTTP 403 {code} (the request was refused, not the key)"
                )),
                None => Answer::unexpected(response),
            }
        }
        _ => Answer::unexpected(response),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::mock_http::{MockServer, Reply, Route};
    use crate::verify::testing::{verify_with, verify_with_account, SHORT};
    use crate::verify::{Status, Verification};

    const RULE: &str = "azure-storage-account-key";
    const ACCOUNT: &str = "billingprod";
    const HOST: &str = "billingprod.blob.core.windows.net";
    const KEY: &str =
        "PtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA/2O76UMFxFkM/R5Kjp1vRt+1fjORS/6ilI8ihN5KXSc7Tvg=="; // keyaudit:allow

    const LIST: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://billingprod.blob.core.windows.net/">
  <MaxResults>1</MaxResults>
  <Containers><Container><Name>invoices</Name></Container></Containers>
  <NextMarker>/billingprod/reports</NextMarker>
</EnumerationResults>"#;

    fn error_body(code: &str, detail: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>refused</Message><AuthenticationErrorDetail>{detail}</AuthenticationErrorDetail></Error>"#
        )
    }

    fn blob(reply: Reply) -> MockServer {
        MockServer::start(vec![Route::new("GET", PATH, reply)])
    }

    fn xml(status: u16, body: &str) -> Reply {
        Reply::typed(status, "application/xml", body)
    }

    #[test]
    fn the_string_to_sign_follows_the_documented_construction() {
        assert_eq!(
            string_to_sign(ACCOUNT, "Fri, 26 Jun 2015 23:39:12 GMT"),
            "GET\n\n\n\n\n\n\n\n\n\n\n\n\
             x-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\nx-ms-version:2021-08-06\n\
             /billingprod/\ncomp:list\nmaxresults:1"
        );
    }

    #[test]
    fn a_key_with_its_account_is_live_and_signs_what_it_sends() {
        let server = blob(xml(200, LIST));
        let v = verify_with_account(RULE, KEY, "BillingProd", &server);
        assert_eq!(v.status, Status::Live, "{v:?}");
        assert_eq!(v.identity.as_deref(), Some(ACCOUNT));
        assert_eq!(v.endpoint.as_deref(), Some(HOST));
        let received = server.received();
        assert_eq!(received.len(), 1);
        let request = &received[0];
        assert_eq!(request.header("host"), Some(HOST));
        assert_eq!(request.header("x-ms-version"), Some(VERSION));
        // As the service checks it: the signature of the documented string, with the date sent.
        let date = request.header("x-ms-date").unwrap();
        assert!(date.ends_with(" GMT"), "{date}");
        let mut mac = Hmac::<Sha256>::new_from_slice(&STANDARD.decode(KEY).unwrap()).unwrap();
        mac.update(string_to_sign(ACCOUNT, date).as_bytes());
        let expected = format!(
            "SharedKey {ACCOUNT}:{}",
            STANDARD.encode(mac.finalize().into_bytes())
        );
        assert_eq!(request.header("authorization"), Some(expected.as_str()));
        assert!(
            !format!("{request:?}").contains(KEY),
            "the key itself is never sent"
        );
    }

    #[test]
    fn without_an_account_name_nothing_is_sent() {
        let server = blob(xml(200, LIST));
        let v = verify_with(RULE, KEY, &[], &server);
        assert_eq!(v.status, Status::Unknown, "{v:?}");
        assert_eq!(
            v.note.as_deref(),
            Some("no storage account name found beside it")
        );
        let v = verify_with_account(RULE, KEY, "not an account!", &server);
        assert_eq!(v.status, Status::Unknown, "{v:?}");
        assert!(server.received().is_empty());
    }

    fn answer(reply: Reply) -> Verification {
        verify_with_account(RULE, KEY, ACCOUNT, &blob(reply))
    }

    #[test]
    fn authentication_failed_is_dead_unless_the_date_was_refused() {
        let failed = error_body(
            "AuthenticationFailed",
            "The MAC signature found in the HTTP request is not the same as any computed signature.",
        );
        let v = answer(xml(403, &failed).header("x-ms-error-code", "AuthenticationFailed"));
        assert_eq!(v.status, Status::Dead, "{v:?}");
        // The code read from the body when the header is missing.
        assert_eq!(answer(xml(403, &failed)).status, Status::Dead);
        let skewed = error_body(
            "AuthenticationFailed",
            "Request date header too old: 'Fri, 26 Jun 2015 23:39:12 GMT'",
        );
        let v = answer(xml(403, &skewed));
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.unwrap().contains("clock"));
    }

    #[test]
    fn other_refusals_prove_nothing_and_odd_answers_are_errors() {
        let firewall = error_body("AuthorizationFailure", "");
        let v = answer(xml(403, &firewall));
        assert_eq!(v.status, Status::Unknown, "{v:?}");
        assert!(v.note.unwrap().contains("AuthorizationFailure"));
        assert_eq!(answer(xml(403, "")).status, Status::Error);
        assert_eq!(answer(xml(500, "")).status, Status::Error);
        assert_eq!(answer(xml(200, "<html>hello</html>")).status, Status::Error);
        let v = answer(xml(403, &firewall).after(SHORT * 3));
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(v.note.unwrap().contains("in time"));
    }

    #[test]
    fn a_key_that_is_not_base64_is_an_error_and_sends_nothing() {
        let server = blob(xml(200, LIST));
        let v = verify_with_account(RULE, "not*base64", ACCOUNT, &server);
        assert_eq!(v.status, Status::Error, "{v:?}");
        assert!(server.received().is_empty());
    }

    #[test]
    fn the_rule_takes_the_account_name_beside_the_key() {
        let rules = crate::rules::RuleSet::load(true, &[]).unwrap();
        let scanner = crate::scan::Scanner::new(&rules);
        let line = format!("BlobEndpoint=https://{HOST}/;AccountName={ACCOUNT};AccountKey={KEY}\n");
        let hits = scanner.scan(line.as_bytes());
        let hit = hits
            .iter()
            .find(|h| rules.rules()[h.rule].id == RULE)
            .unwrap();
        assert_eq!(hit.secret.expose(), KEY.as_bytes());
        assert_eq!(hit.account.as_deref(), Some(ACCOUNT));
        assert_eq!(hit.key_id, None);
        let hits = scanner.scan(format!("AZURE_STORAGE_KEY={KEY}\n").as_bytes());
        assert_eq!(hits[0].account, None);
    }
}
