//! A mock HTTP server on 127.0.0.1 for verification tests: each route answers one method and
//! path (query included) with a canned status, headers and body, optionally after a delay,
//! and every request it receives is recorded for the test to inspect. Shared by the library's
//! unit tests and the CLI tests; standard library only.

#![allow(dead_code, unreachable_pub, missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What a route answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    /// `status` with a JSON body.
    pub fn json(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }

    /// `status` with a body of another type.
    pub fn typed(status: u16, content_type: &str, body: &str) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Answers only after `delay`.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// One route: a method, a path (with its query) and, optionally, a header the request must
/// carry (`("authorization", "Bearer x")`); the first matching route answers, and a request
/// no route matches gets `404`.
#[derive(Debug, Clone)]
pub struct Route {
    pub method: String,
    pub path: String,
    pub needs: Option<(String, String)>,
    pub replies: Vec<Reply>,
}

impl Route {
    pub fn new(method: &str, path: &str, reply: Reply) -> Self {
        Self {
            method: method.into(),
            path: path.into(),
            needs: None,
            replies: vec![reply],
        }
    }

    /// Matches only requests whose header `name` is `value`.
    pub fn when(mut self, name: &str, value: &str) -> Self {
        self.needs = Some((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// Answers the n-th matching request with the n-th reply (the last one repeats).
    pub fn then(mut self, reply: Reply) -> Self {
        self.replies.push(reply);
        self
    }
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The running server; it stops accepting when dropped.
pub struct MockServer {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    load: Arc<Load>,
}

/// Requests being answered now, and the most ever answered at once.
#[derive(Default)]
struct Load {
    now: AtomicUsize,
    most: AtomicUsize,
}

impl MockServer {
    pub fn start(routes: Vec<Route>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let routes = Arc::new(routes);
        let hits = Arc::new(Mutex::new(vec![0usize; routes.len()]));
        let log = Arc::clone(&received);
        let load = Arc::new(Load::default());
        let counted = Arc::clone(&load);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let (routes, hits, log, load) = (
                    Arc::clone(&routes),
                    Arc::clone(&hits),
                    Arc::clone(&log),
                    Arc::clone(&counted),
                );
                thread::spawn(move || serve(stream, &routes, &hits, &log, &load));
            }
        });
        Self {
            addr,
            received,
            load,
        }
    }

    /// The most requests the server was answering at one time (delays included).
    pub fn most_at_once(&self) -> usize {
        self.load.most.load(Ordering::SeqCst)
    }

    /// `127.0.0.1:PORT`, for `KEYAUDIT_VERIFY_CONNECT_TO`.
    pub fn addr(&self) -> String {
        self.addr.to_string()
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    routes: &[Route],
    hits: &Mutex<Vec<usize>>,
    log: &Mutex<Vec<Received>>,
    load: &Load,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let mut headers = Vec::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        let length = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request = Received {
            method,
            path,
            headers,
            body,
        };
        log.lock().unwrap().push(request.clone());
        let now = load.now.fetch_add(1, Ordering::SeqCst) + 1;
        load.most.fetch_max(now, Ordering::SeqCst);
        let found = routes.iter().position(|route| {
            route.method == request.method
                && route.path == request.path
                && route
                    .needs
                    .as_ref()
                    .is_none_or(|(name, value)| request.header(name) == Some(value.as_str()))
        });
        let reply = match found {
            Some(index) => {
                let mut hits = hits.lock().unwrap();
                let route = &routes[index];
                let reply = route.replies[hits[index].min(route.replies.len() - 1)].clone();
                hits[index] += 1;
                reply
            }
            None => Reply::json(404, r#"{"message":"Not Found"}"#),
        };
        thread::sleep(reply.delay);
        load.now.fetch_sub(1, Ordering::SeqCst);
        let mut head = format!(
            "HTTP/1.1 {} Mock\r\nContent-Length: {}\r\n",
            reply.status,
            reply.body.len()
        );
        for (name, value) in &reply.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&reply.body).is_err() {
            return;
        }
        let _ = writer.flush();
    }
}
