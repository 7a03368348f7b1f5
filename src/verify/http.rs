//! The one door to the network for verification: HTTPS to a provider's declared host, no
//! redirects, a 10-second timeout per call, `HTTPS_PROXY` honoured, a `Retry-After` waited out
//! once, and a response body read into memory (at most 1 MiB) and never kept.
//!
//! `KEYAUDIT_VERIFY_CONNECT_TO=HOST:PORT` ([`ConnectTo`]) sends every request to a loopback
//! address over plain HTTP instead, unchanged otherwise (the provider's host in `Host:`), for
//! tests and local mirrors. Errors name the host and the failure, never the URL, a header or
//! a body, since a provider may take its key in any of them.

use std::cell::RefCell;
use std::fmt;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::error::{Error, Result};

use super::Provider;

/// The time one call may take, connection and answer included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The longest `Retry-After` waited out; a provider asking for longer gets an `error`.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The most of a response body read.
pub const MAX_BODY: u64 = 1 << 20;

/// The environment variable that points verification at a local server.
pub const CONNECT_TO_VAR: &str = "KEYAUDIT_VERIFY_CONNECT_TO";

/// An HTTP method; verifiers only read, and `POST` only where the documented read-only call
/// is one (a token exchange, Slack's `auth.test`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One request. Its path, headers and body may carry the key, so `Debug` shows the method and
/// host only.
#[derive(Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The provider's host: `api.github.com`.
    pub host: String,
    /// Path and query: `/user`.
    pub path: String,
    /// Headers, the credential among them.
    pub headers: Vec<(String, String)>,
    /// The body, for `POST`.
    pub body: Option<Vec<u8>>,
}

impl Request {
    /// A `GET` of `path` at `host`.
    pub fn get(host: impl Into<String>, path: impl Into<String>) -> Self {
        Self {
            method: Method::Get,
            host: host.into(),
            path: path.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// A `POST` of `body` (with its content type) to `path` at `host`.
    pub fn post(
        host: impl Into<String>,
        path: impl Into<String>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Self {
        let mut request = Self::get(host, path);
        request.method = Method::Post;
        request.body = Some(body);
        request.header("Content-Type", content_type)
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds `Authorization: Bearer TOKEN`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", format!("Bearer {token}"))
    }

    /// Adds HTTP basic authentication.
    pub fn basic(self, user: &str, password: &str) -> Self {
        use base64::Engine as _;
        let pair = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        self.header("Authorization", format!("Basic {pair}"))
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Request({} https://{}/<redacted>)",
            self.method.as_str(),
            self.host
        )
    }
}

/// A provider's answer: status, headers (names lower-cased) and body. The body stays in
/// memory for the verifier to read and is dropped with the response.
#[derive(Clone)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// The body, at most [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, or `None` when it is not JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Response({}, {} body bytes)",
            self.status,
            self.body.len()
        )
    }
}

/// Why a call failed. Names the host and the kind of failure only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The host is not one the provider declared.
    #[error("refused: {0} is not a documented host of this provider")]
    Refused(String),
    /// The call took longer than the timeout.
    #[error("{0} did not answer in time")]
    Timeout(String),
    /// The connection failed (resolution, refusal, TLS, proxy).
    #[error("could not reach {0}: {1}")]
    Network(String, &'static str),
    /// The answer was not HTTP a client can read.
    #[error("{0} answered with a malformed response")]
    Malformed(String),
    /// The provider kept asking to be called later.
    #[error("{0} is rate limiting (HTTP {1}) past one Retry-After")]
    RateLimited(String, u16),
}

/// `KEYAUDIT_VERIFY_CONNECT_TO`: a loopback address every request goes to over plain HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectTo(SocketAddr);

impl ConnectTo {
    /// Reads the variable, if set. A value that is not `HOST:PORT` with a loopback `HOST`
    /// (127.0.0.0/8, `::1`, `localhost`) is an error, so a typo can never send keys elsewhere.
    pub fn from_env() -> Result<Option<Self>> {
        match std::env::var_os(CONNECT_TO_VAR) {
            None => Ok(None),
            Some(value) => Self::parse(&value.to_string_lossy()).map(Some),
        }
    }

    /// Parses `HOST:PORT`, loopback hosts only.
    pub fn parse(text: &str) -> Result<Self> {
        let refuse = |why: &str| {
            Error::Value(format!(
                "{CONNECT_TO_VAR}={text:?} refused: {why}; it takes HOST:PORT with a loopback HOST (127.0.0.1, ::1, localhost)"
            ))
        };
        let (host, port) = text
            .trim()
            .rsplit_once(':')
            .ok_or_else(|| refuse("no port"))?;
        let port: u16 = port
            .parse()
            .map_err(|_| refuse("the port is not a number"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let ip = if host.eq_ignore_ascii_case("localhost") {
            IpAddr::from([127, 0, 0, 1])
        } else {
            host.parse::<IpAddr>()
                .map_err(|_| refuse("the host is not an IP address or localhost"))?
        };
        if !ip.is_loopback() {
            return Err(refuse("the host is not a loopback address"));
        }
        Ok(Self(SocketAddr::new(ip, port)))
    }

    /// The address.
    pub fn addr(self) -> SocketAddr {
        self.0
    }
}

/// The shared HTTP agent of one run.
pub struct Transport {
    agent: ureq::Agent,
    connect_to: Option<ConnectTo>,
}

impl Transport {
    /// An agent for real providers, or for the loopback server `connect_to` names.
    pub fn new(connect_to: Option<ConnectTo>) -> Result<Self> {
        Self::with_timeout(connect_to, TIMEOUT)
    }

    /// [`Transport::new`] with another timeout per call (tests of slow providers).
    pub fn with_timeout(connect_to: Option<ConnectTo>, timeout: Duration) -> Result<Self> {
        let proxy = match connect_to {
            Some(_) => None,
            None => proxy_from_env()?,
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .https_only(connect_to.is_none())
            .proxy(proxy)
            .user_agent(concat!("keyaudit/", env!("CARGO_PKG_VERSION")))
            .accept_encoding("identity")
            .build();
        Ok(Self {
            agent: config.new_agent(),
            connect_to,
        })
    }

    /// A client for `provider`'s declared hosts.
    pub fn client<'t>(&'t self, provider: &'t dyn Provider) -> Client<'t> {
        Client {
            transport: self,
            hosts: provider.hosts(),
            asked: RefCell::new(None),
        }
    }

    fn call_once(&self, request: &Request) -> std::result::Result<Response, HttpError> {
        let url = match self.connect_to {
            Some(to) => format!("http://{}{}", to.addr(), request.path),
            None => format!("https://{}{}", request.host, request.path),
        };
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(url);
        if self.connect_to.is_some() {
            builder = builder.header("Host", request.host.as_str());
        }
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let body = request.body.clone().unwrap_or_default();
        let http_request = builder
            .body(body)
            .map_err(|_| HttpError::Malformed(request.host.clone()))?;
        let response = self
            .agent
            .run(http_request)
            .map_err(|e| classify(&request.host, &e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(MAX_BODY)
            .read_to_end(&mut body)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::TimedOut => HttpError::Timeout(request.host.clone()),
                _ => HttpError::Malformed(request.host.clone()),
            })?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// `HTTPS_PROXY` (or `https_proxy`, else `ALL_PROXY`), if set.
fn proxy_from_env() -> Result<Option<ureq::Proxy>> {
    for var in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        if let Some(value) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            let proxy = ureq::Proxy::new(&value.to_string_lossy())
                .map_err(|_| Error::Value(format!("{var} is not a proxy URL")))?;
            return Ok(Some(proxy));
        }
    }
    Ok(None)
}

/// A failure by kind only: ureq's own messages may quote the URL, which may hold the key.
fn classify(host: &str, error: &ureq::Error) -> HttpError {
    let host = host.to_string();
    match error {
        ureq::Error::Timeout(_) => HttpError::Timeout(host),
        ureq::Error::HostNotFound => HttpError::Network(host, "host not found"),
        ureq::Error::ConnectionFailed => HttpError::Network(host, "connection failed"),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => HttpError::Timeout(host),
        ureq::Error::Io(_) => HttpError::Network(host, "connection error"),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => HttpError::Network(host, "TLS failed"),
        ureq::Error::ConnectProxyFailed(_) => HttpError::Network(host, "the proxy refused"),
        _ => HttpError::Malformed(host),
    }
}

/// One provider's way out: sends requests to that provider's declared hosts only, and
/// remembers the host asked (the verification's `endpoint`).
pub struct Client<'t> {
    transport: &'t Transport,
    hosts: &'static [&'static str],
    asked: RefCell<Option<String>>,
}

impl Client<'_> {
    /// Sends `request`; a `429` or `503` with a `Retry-After` of at most
    /// [`MAX_RETRY_AFTER`] is waited out and sent once more.
    pub fn send(&self, request: &Request) -> std::result::Result<Response, HttpError> {
        if !host_allowed(self.hosts, &request.host) {
            return Err(HttpError::Refused(request.host.clone()));
        }
        *self.asked.borrow_mut() = Some(request.host.clone());
        let response = self.transport.call_once(request)?;
        if !matches!(response.status, 429 | 503) {
            return Ok(response);
        }
        let Some(wait) = response.header("retry-after").and_then(retry_after) else {
            return Ok(response);
        };
        if wait > MAX_RETRY_AFTER {
            return Err(HttpError::RateLimited(
                request.host.clone(),
                response.status,
            ));
        }
        std::thread::sleep(wait);
        let again = self.transport.call_once(request)?;
        if matches!(again.status, 429 | 503) && again.header("retry-after").is_some() {
            return Err(HttpError::RateLimited(request.host.clone(), again.status));
        }
        Ok(again)
    }

    /// The host last asked.
    pub fn endpoint(&self) -> Option<String> {
        self.asked.borrow().clone()
    }
}

/// Whether `host` is one of `allowed` (`*.x` allows one label before `.x`).
pub fn host_allowed(allowed: &[&str], host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    allowed
        .iter()
        .any(|pattern| match pattern.strip_prefix("*.") {
            Some(suffix) => host
                .strip_suffix(suffix)
                .and_then(|label| label.strip_suffix('.'))
                .is_some_and(|label| {
                    !label.is_empty()
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                }),
            None => host == *pattern,
        })
}

/// A `Retry-After` in seconds (the HTTP-date form is read as "later than we wait").
fn retry_after(value: &str) -> Option<Duration> {
    match value.trim().parse::<u64>() {
        Ok(secs) => Some(Duration::from_secs(secs)),
        Err(_) => Some(MAX_RETRY_AFTER + Duration::from_secs(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_to_takes_loopback_only() {
        assert!(ConnectTo::parse("127.0.0.1:8080").is_ok());
        assert!(ConnectTo::parse("127.3.4.5:1").is_ok());
        assert!(ConnectTo::parse("localhost:9").is_ok());
        assert!(ConnectTo::parse("[::1]:443").is_ok());
        for bad in [
            "10.0.0.1:80",
            "example.com:80",
            "127.0.0.1",
            "0.0.0.0:80",
            "[::]:80",
            "1.2.3.4:x",
        ] {
            let err = ConnectTo::parse(bad).unwrap_err().to_string();
            assert!(err.contains("refused"), "{bad}: {err}");
        }
    }

    #[test]
    fn hosts_match_exactly_or_by_one_label() {
        let allowed = ["api.github.com", "*.blob.core.windows.net"];
        assert!(host_allowed(&allowed, "api.github.com"));
        assert!(host_allowed(&allowed, "API.GitHub.com"));
        assert!(host_allowed(&allowed, "acct1.blob.core.windows.net"));
        assert!(!host_allowed(&allowed, "evil.com"));
        assert!(!host_allowed(&allowed, "api.github.com.evil.com"));
        assert!(!host_allowed(&allowed, "a.b.blob.core.windows.net"));
        assert!(!host_allowed(&allowed, ".blob.core.windows.net"));
        assert!(!host_allowed(&allowed, "x.api.github.com"));
    }

    #[test]
    fn a_request_prints_no_path_header_or_body() {
        let request = Request::get("api.telegram.org", "/botSECRET123/getMe").bearer("SECRET456");
        let shown = format!("{request:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("api.telegram.org"));
    }

    #[test]
    fn retry_after_reads_seconds_and_treats_dates_as_too_long() {
        assert_eq!(retry_after("2"), Some(Duration::from_secs(2)));
        assert!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT").unwrap() > MAX_RETRY_AFTER);
    }
}
