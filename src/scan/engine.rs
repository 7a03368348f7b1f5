//! The context engine: how code and config associate a name with a value. Driven by the
//! prefilter's keyword hits (secret words), it takes the name around each hit, decides whether
//! the name says secret, finds the value the syntax gives it (`=`, `:`, `=>`, `:=`, `<-`, `->`,
//! `?=`, initialisers `{ "Name", "v" }`, calls `setPassword("v")` and `Setenv("NAME", "v")`,
//! brace initialisation, XML elements and `key="Name" value="v"` pairs, `--flag v`) and judges
//! the value. No regex runs here: each hit costs a few byte comparisons.

use std::collections::HashMap;

use super::filter;

/// A value the context engine associates with a secret-sounding name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Association {
    /// Byte span of the value in the scanned data.
    pub value: (usize, usize),
    /// The provider the name mentions (`GEOCODIO_KEY` → Geocodio), if any.
    pub provider: Option<&'static str>,
    /// Byte span of the name, when the value is on another line than its name.
    pub name: Option<(usize, usize)>,
}

/// Provider names as they appear in variable names, with the name reports use. Compiled in
/// from `rules/providers.txt`.
fn providers() -> &'static HashMap<String, String> {
    static TABLE: std::sync::LazyLock<HashMap<String, String>> = std::sync::LazyLock::new(|| {
        include_str!("../../rules/providers.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|name| {
                let word: String = name
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase();
                // Reports name providers with a capital (`chartmogul` → `Chartmogul`).
                let mut display = name.to_string();
                display[..1].make_ascii_uppercase();
                (word, display)
            })
            .filter(|(word, _)| word.len() >= 3)
            .collect()
    });
    &TABLE
}

/// The provider a name's words mention (`geocodio`, `chart` + `mogul` joined).
pub fn provider_in(words: &[String]) -> Option<&'static str> {
    let table = providers();
    for start in 0..words.len() {
        let mut joined = String::new();
        for word in &words[start..words.len().min(start + 3)] {
            joined.push_str(word);
            if let Some(display) = table.get(&joined) {
                return Some(display.as_str());
            }
        }
    }
    None
}

/// Characters of a name: identifiers joined by `.` and `-` (`app.db-password`).
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// Splits a name into lowercase words at `_ . - $` and camelCase boundaries.
pub fn name_words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .flat_map(filter::camel_words)
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Words that alone say a name holds a secret.
const SECRET_WORDS: &[&str] = &[
    "secret",
    "secrets",
    "token",
    "tokens",
    "password",
    "passwords",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "apikey",
    "credential",
    "credentials",
    "creds",
];

/// Words that make a following `key` a secret key (`api_key`, `AccountKey`, `license_key`).
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "private",
    "secret",
    "license",
    "licence",
    "account",
    "storage",
    "master",
    "auth",
    "signing",
    "encryption",
    "client",
    "app",
    "service",
    "subscription",
    "consumer",
    "shared",
    "admin",
    "server",
    "sas",
    "primary",
    "secondary",
    "write",
    "ingest",
    "deploy",
    "hmac",
    "session",
    "webhook",
    "rest",
    "sdk",
    "developer",
    "dev",
    "prod",
    "live",
    "test",
    "sandbox",
    "management",
    "mgmt",
    "root",
    "user",
    "application",
    "partner",
    "merchant",
];

/// Words that make a following `key` a name for data, not a secret (`primary_key`,
/// `cache_key`): any other word before `key` (`GEOCODIO_KEY`) makes it a secret key.
const NOT_SECRET_KEY_QUALIFIERS: &[&str] = &[
    "foreign",
    "rule",
    "project",
    "sort",
    "cache",
    "partition",
    "hash",
    "row",
    "lookup",
    "map",
    "dict",
    "i18n",
    "translation",
    "locale",
    "message",
    "msg",
    "label",
    "idempotency",
    "unique",
    "index",
    "object",
    "s3",
    "blob",
    "file",
    "storage",
    "bucket",
    "redis",
    "db",
    "table",
    "column",
    "field",
    "attr",
    "attribute",
    "prop",
    "property",
    "react",
    "list",
    "item",
    "node",
    "child",
    "parent",
    "group",
    "event",
    "metric",
    "route",
    "query",
    "search",
    "filter",
    "order",
    "composite",
    "natural",
    "surrogate",
    "shard",
    "routing",
    "sharding",
    "dedup",
    "dedupe",
    "public",
    "pub",
    "host",
    "ssh",
    "gpg",
    "pgp",
    "verify",
    "verification",
    "cert",
    "ca",
    "keyboard",
    "hot",
    "short",
    "shortcut",
    "press",
    "up",
    "down",
    "on",
    "by",
    "of",
    "to",
    "with",
    "json",
    "yaml",
    "config",
    "setting",
    "settings",
    "option",
    "dictionary",
    "hashmap",
    "registry",
    "state",
    "session",
    "context",
    "local",
    "global",
    "next",
    "prev",
    "previous",
    "current",
    "new",
    "old",
    "last",
    "first",
    "min",
    "max",
    "start",
    "end",
    "range",
    "sub",
    "super",
    "meta",
    "data",
    "value",
    "name",
    "id",
    "type",
    "kind",
    "mode",
    "enum",
    "memo",
    "cursor",
    "page",
    "pagination",
    "continuation",
    "resume",
    "offset",
    "version",
    "schema",
    "form",
    "template",
    "view",
    "widget",
    "component",
    "element",
    "entity",
    "model",
    "record",
    "doc",
    "document",
    "collection",
    "env",
    "environment",
    "var",
    "variable",
    "param",
];

/// The last word of names whose value is about a secret, not the secret (`token_expires_in`,
/// `password_min_length`, `secret_name`).
const NOT_SECRET_LAST_WORDS: &[&str] = &[
    "in",
    "at",
    "ttl",
    "timeout",
    "expiry",
    "expires",
    "expiration",
    "lifetime",
    "enabled",
    "disabled",
    "required",
    "min",
    "max",
    "length",
    "len",
    "size",
    "count",
    "type",
    "types",
    "name",
    "names",
    "id",
    "ids",
    "url",
    "uri",
    "urls",
    "endpoint",
    "path",
    "file",
    "files",
    "dir",
    "header",
    "format",
    "version",
    "prefix",
    "suffix",
    "field",
    "fields",
    "label",
    "param",
    "params",
    "hash",
    "digest",
    "checksum",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "policy",
    "regex",
    "pattern",
    "env",
    "var",
    "variable",
    "mode",
    "kind",
    "provider",
    "store",
    "manager",
    "class",
    "option",
    "options",
    "config",
    "helper",
    "input",
    "view",
    "form",
    "error",
    "errors",
    "message",
    "msg",
    "text",
    "hint",
    "placeholder",
    "source",
    "location",
    "strategy",
    "scope",
    "scopes",
    "audience",
    "issuer",
    "algorithm",
    "alg",
    "status",
    "state",
    "reset",
    "request",
    "response",
    "callback",
    "handler",
    "service",
    "validator",
    "generator",
    "cache",
    "storage",
    "table",
    "column",
    "index",
    "position",
    "offset",
    "start",
    "end",
    "limit",
    "rotation",
    "changed",
    "updated",
    "created",
    "last",
    "used",
    "usage",
    "exists",
    "present",
    "set",
    "valid",
    "invalid",
    "expired",
    "literal",
    "kw",
    "tag",
    "ref",
    "arn",
    "resource",
];

/// Whether a name, split into words, says its value is a secret. `query_param` marks a URL
/// query parameter, where `key`, `sig` and `code` alone are secrets.
pub fn is_secret_name(words: &[String], query_param: bool) -> bool {
    let Some(last) = words.last() else {
        return false;
    };
    if NOT_SECRET_LAST_WORDS.contains(&last.as_str()) {
        return false;
    }
    if query_param && matches!(last.as_str(), "key" | "sig" | "signature" | "apikey") {
        return true;
    }
    let ends_in_secret_word = |w: &str| {
        SECRET_WORDS.contains(&w)
            || ["secret", "token", "password", "passwd"]
                .iter()
                .any(|s| w.len() > s.len() + 2 && w.ends_with(s))
    };
    if words.iter().any(|w| ends_in_secret_word(w)) {
        return true;
    }
    if words.iter().any(|w| w == "auth") && words.len() >= 2 {
        return true;
    }
    // `key` after a qualifier (not one naming a data structure); `apiKey` split, `privatekey`
    // joined.
    for (i, w) in words.iter().enumerate() {
        let joined_key =
            w.len() > 3 && w.ends_with("key") && KEY_QUALIFIERS.contains(&&w[..w.len() - 3]);
        if joined_key {
            return true;
        }
        if w == "key" && i > 0 {
            let before = &words[i - 1];
            // A qualifier that names a data structure wins even after a provider's name
            // (`sonar…ruleKey`, `stripe_cache_key`).
            if KEY_QUALIFIERS.contains(&before.as_str())
                || !NOT_SECRET_KEY_QUALIFIERS.contains(&before.as_str())
            {
                return true;
            }
        }
    }
    false
}

/// The quote character a value starts with, if any.
fn quote_at(line: &[u8], at: usize) -> Option<u8> {
    line.get(at)
        .copied()
        .filter(|b| matches!(b, b'"' | b'\'' | b'`'))
}

fn skip_blanks(line: &[u8], mut at: usize) -> usize {
    while line.get(at).is_some_and(|b| *b == b' ' || *b == b'\t') {
        at += 1;
    }
    at
}

/// The value starting at `at`: a quoted literal (its inside) or a bare word, ended by
/// whitespace, a quote, `,`, `;`, `&`, `<` or a closing bracket.
fn read_value(line: &[u8], at: usize) -> Option<(usize, usize)> {
    if let Some(q) = quote_at(line, at) {
        return read_quoted(line, at, q);
    }
    let end = line[at..]
        .iter()
        .position(|b| {
            b.is_ascii_whitespace()
                || matches!(
                    b,
                    b'"' | b'\'' | b'`' | b',' | b';' | b'&' | b'<' | b')' | b']' | b'}'
                )
        })
        .map_or(line.len(), |p| at + p);
    (end > at).then_some((at, end))
}

/// The inside of the literal quoted by `q` that opens at `at`.
fn read_quoted(line: &[u8], at: usize, q: u8) -> Option<(usize, usize)> {
    let start = at + 1;
    let mut i = start;
    while i < line.len() {
        match line[i] {
            b'\\' => i += 2,
            b if b == q => return (i > start).then_some((start, i)),
            _ => i += 1,
        }
    }
    None
}

/// String literals among a call's arguments, the call's `(` at `open`.
fn call_literals(line: &[u8], open: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = open + 1;
    while i < line.len() && line[i] != b')' {
        if let Some(q) = quote_at(line, i) {
            match read_quoted(line, i, q) {
                Some((s, e)) => {
                    out.push((s, e));
                    i = e + 1;
                }
                None => break,
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Values the syntax around the name at `start..end` of `line` assigns to it.
pub fn values_for_name(line: &[u8], start: usize, end: usize) -> Vec<(usize, usize)> {
    let before = line[..start].last().copied();
    let quoted = before.filter(|b| matches!(b, b'"' | b'\''));
    let mut at = end;
    // A quoted name closes its quote (`"NAME": v`); `"NAME=v"` quotes the whole assignment.
    let quoted = quoted.filter(|&q| line.get(at) == Some(&q));
    if quoted.is_some() {
        at += 1;
    }
    let after_name = at;
    at = skip_blanks(line, at);
    let rest = &line[at..];
    let mut values = Vec::new();
    let separator = [&b"=>"[..], b":=", b"<-", b"->", b"?=", b"+="]
        .iter()
        .find(|s| rest.starts_with(s))
        .map(|s| s.len())
        .or_else(|| {
            let single = rest.first().is_some_and(|b| *b == b'=' || *b == b':');
            let doubled = rest.get(1).is_some_and(|b| *b == b'=' || *b == b':');
            let scheme = rest.starts_with(b"://");
            (single && !doubled && !scheme).then_some(1)
        });
    // `arn:aws:secretsmanager:…:secret:prod/db`: a colon path names a resource, not a value.
    let colon_path = start > 0 && line[start - 1] == b':' && rest.first() == Some(&b':');
    if let Some(len) = separator.filter(|_| !colon_path) {
        let mut v = skip_blanks(line, at + len);
        // `let token: String = "…"`: a type annotation before the value.
        if rest[0] == b':' && quote_at(line, v).is_none() {
            let ty_end = line[v..]
                .iter()
                .position(|b| {
                    !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'<' | b'>' | b'?'))
                })
                .map_or(line.len(), |p| v + p);
            let eq = skip_blanks(line, ty_end);
            // A type is followed by `=` and a value; base64 padding (`key: Ab3…x=`) is not.
            let after_eq = skip_blanks(line, eq + 1);
            if ty_end > v
                && line.get(eq) == Some(&b'=')
                && line.get(eq + 1) != Some(&b'=')
                && read_value(line, after_eq).is_some()
            {
                v = after_eq;
            }
        }
        values.extend(read_value(line, v));
    } else if quoted.is_some() && attribute_names_key(&line[..start - 1]) {
        // `<add key="Name" value="v" />`, `{"name": "NAME", "value": "v"}`.
        if let Some(p) = find(&line[after_name..], b"value") {
            let mut v = skip_blanks(line, after_name + p + 5);
            if line.get(v) == Some(&b'"') {
                v += 1;
            }
            if matches!(line.get(v), Some(b'=' | b':')) {
                let v = skip_blanks(line, v + 1);
                if let Some(q) = quote_at(line, v) {
                    values.extend(read_quoted(line, v, q));
                }
            }
        }
    } else if rest.first() == Some(&b',') && quoted.is_some() {
        // `{ "Name", "v" }`, `Setenv("NAME", "v")`, `define('NAME', 'v')`.
        let v = skip_blanks(line, at + 1);
        if let Some(q) = quote_at(line, v) {
            values.extend(read_quoted(line, v, q));
        }
    } else if rest.first() == Some(&b'(')
        && quoted.is_none()
        && at == after_name
        && is_setter(&line[start..end])
    {
        // A call whose callee names the secret: `setPassword("v")`, `withCredentials(u, "v")`.
        values.extend(call_literals(line, at));
    } else if rest.first() == Some(&b'{') && quoted.is_none() {
        // C++ brace initialisation `Key{"v"}`; C# `Key { get; set; } = "v"`.
        let v = skip_blanks(line, at + 1);
        if let Some(q) = quote_at(line, v) {
            values.extend(read_quoted(line, v, q));
        } else if let Some(close) = line[v..].iter().position(|b| *b == b'}') {
            let eq = skip_blanks(line, v + close + 1);
            if line.get(eq) == Some(&b'=') && line.get(eq + 1) != Some(&b'=') {
                values.extend(read_value(line, skip_blanks(line, eq + 1)));
            }
        }
    } else if rest.first() == Some(&b'>') && before == Some(b'<') && at == after_name {
        // `<password>v</password>`.
        let v = at + 1;
        let close = line[v..]
            .iter()
            .position(|b| *b == b'<')
            .map_or(line.len(), |p| v + p);
        if close > v && line[close..].starts_with(b"</") {
            values.push((v, close));
        }
    } else if at > after_name && line[start] == b'-' {
        // `--password v`, `-token v`.
        values.extend(read_value(line, at));
    } else if at > after_name && define_before(&line[..start]) {
        // `#define NAME "v"`: a string literal, not another macro.
        if let Some(q) = quote_at(line, at) {
            values.extend(read_quoted(line, at, q));
        }
    }
    values
}

/// Whether a callee gives its arguments a secret (`setPassword`, `set_token`,
/// `withCredentials`, `os.Setenv`), rather than taking one (`get_secret`, `make_cache_key`).
fn is_setter(callee: &[u8]) -> bool {
    let last = callee.rsplit(|b| *b == b'.').next().unwrap_or(callee);
    let words = name_words(&String::from_utf8_lossy(last));
    words.first().is_some_and(|w| {
        matches!(
            w.as_str(),
            "set"
                | "with"
                | "put"
                | "add"
                | "use"
                | "store"
                | "save"
                | "configure"
                | "login"
                | "authenticate"
                | "auth"
                | "basic"
                | "bearer"
        )
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Whether the text before a quoted name ends with `key=`, `name=` or `"name":`.
fn attribute_names_key(before: &[u8]) -> bool {
    let trimmed = before.trim_ascii_end();
    let Some(rest) = trimmed
        .strip_suffix(b"=")
        .or_else(|| trimmed.strip_suffix(b":"))
    else {
        return false;
    };
    let rest = rest.trim_ascii_end();
    let rest = rest.strip_suffix(b"\"").unwrap_or(rest);
    let lower = rest.to_ascii_lowercase();
    lower.ends_with(b"key") || lower.ends_with(b"name")
}

/// Whether the text before a name is `#define `.
fn define_before(before: &[u8]) -> bool {
    before.trim_ascii().eq_ignore_ascii_case(b"#define")
}

/// The name around a keyword hit at `hit` of `line`: the run of name characters holding it.
pub fn name_around(line: &[u8], hit: usize) -> (usize, usize) {
    let mut start = hit;
    while start > 0 && is_name_byte(line[start - 1]) {
        start -= 1;
    }
    let mut end = hit;
    while end < line.len() && is_name_byte(line[end]) {
        end += 1;
    }
    // A trailing `.` or `-` ends a sentence or a flag list, not a name.
    while end > start && matches!(line[end - 1], b'.' | b'-') {
        end -= 1;
    }
    (start, end)
}

/// The value the line after a name gives it when the name is itself the value of a `name:`
/// key: Kubernetes and compose environment lists (`- name: API_TOKEN` then `  value: "v"`).
/// `valueFrom:` gives no value. The span is in `next`.
pub fn next_line_value(
    line: &[u8],
    start: usize,
    end: usize,
    next: &[u8],
) -> Option<(usize, usize)> {
    // Before the name: `name:` (or `- name:`), an optional quote; after it: an optional quote.
    let before = line[..start].trim_ascii_end();
    let before = before
        .strip_suffix(b"\"")
        .or_else(|| before.strip_suffix(b"'"))
        .unwrap_or(before)
        .trim_ascii_end();
    let key = before.strip_suffix(b":")?.trim_ascii();
    let key = key
        .strip_prefix(b"-")
        .or_else(|| key.strip_prefix(b"{"))
        .unwrap_or(key)
        .trim_ascii_start();
    let key = key.strip_prefix(b"\"").unwrap_or(key);
    let key = key.strip_suffix(b"\"").unwrap_or(key);
    if !key.eq_ignore_ascii_case(b"name") {
        return None;
    }
    let after = &line[end..];
    let after = after
        .strip_prefix(b"\"")
        .or_else(|| after.strip_prefix(b"'"))
        .unwrap_or(after);
    let after = after.trim_ascii();
    if !(after.is_empty() || after == b",") {
        return None;
    }
    // The next line: `value:` (or `"value":`), then the value.
    let indent = next.len() - next.trim_ascii_start().len();
    let rest = &next[indent..];
    let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
    let rest = rest.strip_prefix(b"value")?;
    let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
    let colon = rest.iter().position(|b| !matches!(b, b' ' | b'\t'))?;
    if rest[colon] != b':' {
        return None;
    }
    let at = skip_blanks(next, next.len() - rest.len() + colon + 1);
    read_value(next, at)
}

/// Every secret value associated with a secret-sounding name in `line`, for the keyword hits
/// at `hits` (offsets in `line`). `next` is the line after `line`, for names whose value the
/// next line gives; spans in it are offsets past the end of `line` and its newline. Spans are
/// offsets in `line`.
pub fn associations(line: &[u8], hits: &[usize], next: Option<&[u8]>) -> Vec<Association> {
    let mut out = Vec::new();
    let mut last_name = None;
    for &hit in hits {
        let (start, end) = name_around(line, hit);
        if last_name == Some((start, end)) || start == end {
            continue;
        }
        last_name = Some((start, end));
        let name = String::from_utf8_lossy(&line[start..end]);
        let words = name_words(&name);
        let query_param = start > 0 && matches!(line[start - 1], b'?' | b'&' | b';');
        if !is_secret_name(&words, query_param) || filter::is_non_secret_name(name.as_bytes()) {
            continue;
        }
        for (s, e) in values_for_name(line, start, end) {
            if judge(&words, &line[s..e], line).is_ok() {
                out.push(Association {
                    value: (s, e),
                    provider: provider_in(&words),
                    name: None,
                });
            }
        }
        if let Some(next) = next {
            if let Some((s, e)) = next_line_value(line, start, end, next) {
                if judge(&words, &next[s..e], next).is_ok() {
                    let shift = line.len() + 1;
                    out.push(Association {
                        value: (shift + s, shift + e),
                        provider: provider_in(&words),
                        name: Some((start, end)),
                    });
                }
            }
        }
    }
    out
}

/// Why a value under a secret name is not a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// A placeholder, template or documented example.
    Placeholder,
    /// Code: a call, member access, operator, predicate or literal.
    Code,
    /// Too uniform for its length.
    LowEntropy,
    /// A word, identifier, number, date, version, path or URL.
    NotSecretShaped,
    /// A UUID under a name that does not end in a secret word.
    Identifier,
    /// A line of a message table (`NAME:123:text`).
    MessageTable,
    /// Words with spaces between: a message, a label, documentation.
    Prose,
    /// A password hash (`pbkdf2_sha256$…`, `$2b$…`), not a password.
    Hash,
}

/// Whether `value` holds whitespace: passwords and keys in code and config do not, messages
/// and labels (`"SSH password: "`, `"CA private key"`) do.
pub fn is_prose(value: &[u8]) -> bool {
    value.iter().any(u8::is_ascii_whitespace)
}

/// Whether `value` is a format string (`token: %s`, `interpreter_%d`).
pub fn is_format_string(value: &[u8]) -> bool {
    value.windows(2).any(|w| {
        w[0] == b'%' && matches!(w[1], b's' | b'd' | b'r' | b'v' | b'i' | b'x' | b'f' | b'q')
    })
}

/// Whether `value` is a word every tutorial uses, numbered (`password-1`, `secret2`, `test123`).
pub fn is_numbered_word(value: &[u8]) -> bool {
    // Not lower-cased here: a placeholder marker counts only in one case (`fake`, `FAKE`).
    let kept = value
        .iter()
        .rposition(|&b| !(b.is_ascii_digit() || b == b'-' || b == b'_'))
        .map_or(0, |last| last + 1);
    let word = &value[..kept];
    word.len() < value.len() && filter::is_placeholder(word)
}

/// Whether `value` is a password hash in a well-known storage format.
pub fn is_password_hash(value: &[u8]) -> bool {
    const SCHEMES: &[&[u8]] = &[
        b"pbkdf2_",
        b"pbkdf2:",
        b"$2a$",
        b"$2b$",
        b"$2y$",
        b"$argon2",
        b"$scrypt$",
        b"$1$",
        b"$5$",
        b"$6$",
        b"$apr1$",
        b"{SSHA}",
        b"{SHA}",
        b"{SSHA512}",
        b"sha1$",
        b"md5$",
        b"bcrypt$",
        b"scrypt:",
        b"argon2$",
    ];
    SCHEMES.iter().any(|s| value.starts_with(s))
}

/// Whether `value` spells the name it is assigned to, or part of it (`"tls13-kdf-key-check"`
/// under `PARAM_TLS13_KDF_KEY_CHECK`, `auth-gost01` under `AuthGOST01`).
pub fn repeats_name(words: &[String], value: &[u8]) -> bool {
    let name: String = words.concat();
    let flat: String = String::from_utf8_lossy(value)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    flat.len() >= 6 && name.contains(&flat)
}

/// Whether `value` is a number literal, with a sign or a type suffix (`-1073610705i32`,
/// `67108864u32`, `0L`).
pub fn is_number_literal(value: &[u8]) -> bool {
    let text = String::from_utf8_lossy(value);
    let text = text.trim_start_matches(['-', '+']);
    // `0xC029201F_u32`: hex digits after `0x`, then an optional `_` before the suffix.
    let (text, hex) = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let body_end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || (hex && c.is_ascii_hexdigit())))
        .map_or(text.len(), |(i, _)| i);
    let text = if text[body_end..].starts_with('_') {
        format!("{}{}", &text[..body_end], &text[body_end + 1..])
    } else {
        text.to_string()
    };
    body_end > 0
        && matches!(
            &text[body_end..],
            "" | "i8"
                | "i16"
                | "i32"
                | "i64"
                | "i128"
                | "isize"
                | "u8"
                | "u16"
                | "u32"
                | "u64"
                | "u128"
                | "usize"
                | "L"
                | "UL"
                | "LL"
                | "ULL"
                | "u"
                | "U"
                | "f32"
                | "f64"
        )
}

/// Whether `value` is words and numbers joined by punctuation (`value#fragment`,
/// `apples/oranges`, `SCRAM-SHA-256`, `esnext.typed-array.at`, `Orange-2`).
pub fn is_words(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let parts: Vec<&str> = text
        .split(['#', '/', '.', '_', ':', '-', '@', '*', '+', '&'])
        .filter(|p| !p.is_empty())
        .collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            p.bytes().all(|b| b.is_ascii_digit())
                || (p.bytes().all(|b| b.is_ascii_alphabetic())
                    && (p.bytes().all(|b| b.is_ascii_lowercase())
                        || p.bytes().all(|b| b.is_ascii_uppercase())
                        || filter::is_word_identifier(p.as_bytes())))
        })
}

/// Whether `value` is a camelCase identifier (`htmlChunks`, `isHmrRefresh`, `djb2Hash`):
/// lower-case start, each capital opening a word, few capitals and digits. Random keys have
/// capitals anywhere, often in pairs.
pub fn is_camel_identifier(value: &[u8]) -> bool {
    if !value.first().is_some_and(u8::is_ascii_lowercase)
        || !value.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let uppers = value.iter().filter(|b| b.is_ascii_uppercase()).count();
    let digits = value.iter().filter(|b| b.is_ascii_digit()).count();
    let words_open = value
        .windows(2)
        .all(|w| !w[0].is_ascii_uppercase() || w[1].is_ascii_lowercase());
    (1..=3).contains(&uppers) && digits <= 2 && words_open && value.len() < 24
}

/// Whether `value` is a relative file path or a directory (`ssl/worker.key`,
/// `testdata/rsa2048key.pkcs8.der`, `credentials/`).
pub fn is_file_path(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    if !text.contains('/') {
        return false;
    }
    if text.ends_with('/') {
        return true;
    }
    let last = text.rsplit('/').next().unwrap_or("");
    last.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && (1..=5).contains(&ext.len())
            && ext
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && ext.bytes().any(|b| b.is_ascii_lowercase())
    })
}

/// Judges `value` found under the name made of `words`, on `line`.
pub fn judge(words: &[String], value: &[u8], line: &[u8]) -> Result<(), Reject> {
    if is_message_table(line) {
        return Err(Reject::MessageTable);
    }
    if is_prose(value) {
        return Err(Reject::Prose);
    }
    if is_code(value) || is_format_string(value) {
        return Err(Reject::Code);
    }
    if filter::is_placeholder(value) || is_numbered_word(value) {
        return Err(Reject::Placeholder);
    }
    if is_password_hash(value) {
        return Err(Reject::Hash);
    }
    if repeats_name(words, value)
        || is_number_literal(value)
        || is_words(value)
        || is_camel_identifier(value)
        || is_file_path(value)
    {
        return Err(Reject::NotSecretShaped);
    }
    // A value shaped like a JWT must be one (a lone header is not a token).
    if value.starts_with(b"eyJ") && crate::analyze::jwt::decode(value).is_none() {
        return Err(Reject::NotSecretShaped);
    }
    if is_uuid(value) {
        // A UUID is an identifier unless the name says token, key, secret or password.
        let last = words.last().map_or("", String::as_str);
        let secret_last = SECRET_WORDS.contains(&last)
            || last == "sig"
            || ["key", "token", "secret", "password"]
                .iter()
                .any(|w| last.ends_with(w));
        return if secret_last {
            Ok(())
        } else {
            Err(Reject::Identifier)
        };
    }
    if value.len() < 8 {
        return Err(Reject::NotSecretShaped);
    }
    if !filter::is_plausible_secret_value(value) {
        return Err(Reject::NotSecretShaped);
    }
    if filter::shannon_entropy(value) < min_entropy_for(value.len()) {
        return Err(Reject::LowEntropy);
    }
    Ok(())
}

/// The entropy a value of `len` characters needs: random strings of 8 characters reach about
/// 2.8 bits, of 16 about 3.5, of 32 and more (hex included) about 3.6.
fn min_entropy_for(len: usize) -> f64 {
    match len {
        0..=11 => 2.5,
        12..=19 => 2.8,
        _ => 3.0,
    }
}

/// Whether `value` is a UUID.
pub fn is_uuid(value: &[u8]) -> bool {
    value.len() == 36
        && value.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Whether `value` is code rather than a literal: `15.minutes`, `ready?`, `a && b`, `#{x}`,
/// `nil`, `None`, `true`, `undefined`, `this`, `self`.
pub fn is_code(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    const LITERALS: &[&str] = &[
        "nil",
        "null",
        "none",
        "true",
        "false",
        "undefined",
        "this",
        "self",
        "nan",
        "void",
    ];
    if LITERALS.contains(&text.to_ascii_lowercase().as_str()) {
        return true;
    }
    if text.contains("#{") || text.contains("${") || text.contains("{{") || text.contains("%(") {
        return true;
    }
    // A predicate or a bang method: an identifier then `?` or `!`.
    if let Some(head) = text.strip_suffix(['?', '!']) {
        if !head.is_empty() && head.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return true;
        }
    }
    // A number with a method (`15.minutes`, `3.days.ago`).
    let mut parts = text.split('.');
    if parts
        .next()
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && parts.clone().count() >= 1
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    {
        return true;
    }
    // A member chain with a TypeScript non-null assertion or an optional access
    // (`process.env.TOKEN!`, `t.withCredentials?`).
    if let Some(head) = text.strip_suffix(['!', '?']) {
        if head.contains('.')
            && head
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        {
            return true;
        }
    }
    // Unary operators and pipes (`~mask`, `+count`, `|arg|`), quotes inside a value, escaped
    // markup, ternaries and nullish coalescing, lists (`a,b,c`).
    // Base64 has `+` anywhere, doubled too; code does not look like base64.
    let base64_like = value.len() >= 20
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        && value.iter().any(u8::is_ascii_digit)
        && value.iter().any(u8::is_ascii_uppercase)
        && value.iter().any(u8::is_ascii_lowercase);
    if (!base64_like && (text.starts_with('+') || text.contains("++")))
        || text.starts_with(['~', '|', ',', ';'])
        || text.ends_with(':')
        || text.contains('|')
        || text.ends_with(":*")
        || text.ends_with("/*")
        || text.ends_with(".*")
        || text.ends_with('|')
        || text.contains(['"', '\'', '`'])
        || text.contains("&lt;")
        || text.contains("&gt;")
        || text.contains("??")
        || text.contains("?.")
        || (!base64_like && (text.ends_with('+') || text.contains("+=")))
        || (text.contains('?') && text.contains(':'))
        || text.matches(',').count() >= 2
    {
        return true;
    }
    // Operators; base64 padding (`…==`) is not one. An assignment inside a value is code
    // (`t.sig=sig`, `StrictHostKeyChecking=no`): what stands before its `=` is a name.
    let body = text.trim_end_matches('=');
    let assignment = body.split_once('=').is_some_and(|(left, _)| {
        left.len() >= 3
            && left
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$'))
            && (left.contains('.') || filter::is_word_identifier(left.as_bytes()))
    });
    assignment
        || body.contains("&&")
        || body.contains("||")
        || body.contains("==")
        || body.contains("->")
}

/// Whether `line` is an entry of a message table: `NAME:123:text` (openssl's error tables).
pub fn is_message_table(line: &[u8]) -> bool {
    let line = line.trim_ascii();
    let mut parts = line.splitn(3, |b| *b == b':');
    let (Some(name), Some(number), Some(_text)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !name.is_empty()
        && name
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
        && !number.is_empty()
        && number.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(name: &str) -> Vec<String> {
        name_words(name)
    }

    /// The values associated with secret names in `line`, hits at every secret word.
    fn found(line: &str) -> Vec<String> {
        let lower = line.to_ascii_lowercase();
        let mut hits = Vec::new();
        for kw in [
            "secret",
            "token",
            "pass",
            "pwd",
            "key",
            "auth",
            "credential",
            "sig",
        ] {
            hits.extend(lower.match_indices(kw).map(|(i, _)| i));
        }
        hits.sort_unstable();
        associations(line.as_bytes(), &hits, None)
            .into_iter()
            .map(|a| line[a.value.0..a.value.1].to_string())
            .collect()
    }

    const V: &str = "Qm7xK2pL9vR4tZ8w";

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("StorageAccountKey"), ["storage", "account", "key"]);
        assert_eq!(words("GEOCODIO_KEY"), ["geocodio", "key"]);
        assert_eq!(words("app.dbPassword"), ["app", "db", "password"]);
        assert_eq!(words("--api-key"), ["api", "key"]);
    }

    #[test]
    fn secret_names() {
        for name in [
            "API_KEY",
            "geocodio_key",
            "license_key",
            "StorageAccountKey",
            "dbPassword",
            "SERVICE_TOKEN",
            "clientsecret",
            "smtp_pass",
            "admin_pwd",
            "setPassword",
            "withCredentials",
            "authToken",
            "privatekey",
        ] {
            assert!(is_secret_name(&words(name), false), "{name}");
        }
        for name in [
            "cache_key",
            "TOKEN_EXPIRES_IN",
            "password_min_length",
            "tokenizer",
            "passenger",
            "author",
            "secret_name",
            "key",
            "sort_key",
            "sonar.issue.ignore.multicriteria.e1.ruleKey",
            "projectKey",
        ] {
            assert!(!is_secret_name(&words(name), false), "{name}");
        }
        assert!(is_secret_name(&words("key"), true));
        assert!(is_secret_name(&words("sig"), true));
    }

    #[test]
    fn providers_in_names() {
        assert_eq!(provider_in(&words("CHARTMOGUL_KEY")), Some("Chartmogul"));
        assert_eq!(provider_in(&words("mailgun_api_key")), Some("Mailgun"));
        assert_eq!(provider_in(&words("db_password")), None);
    }

    #[test]
    fn associations_in_many_syntaxes() {
        for line in [
            format!("API_KEY={V}"),
            format!("$API_KEY = \"{V}\";"),
            format!("{{ \"AccountKey\", \"{V}\" }},"),
            format!("static const std::string StorageAccountKey{{\"{V}\"}};"),
            format!("<add key=\"ApiSecret\" value=\"{V}\" />"),
            format!("ds.setPassword(\"{V}\");"),
            format!("os.Setenv(\"SERVICE_TOKEN\", \"{V}\")"),
            format!("Client(api_key=\"{V}\", timeout=3)"),
            format!("configure(api_key: '{V}')"),
            format!("client.withCredentials(\"deploy\", \"{V}\");"),
            format!("<password>{V}</password>"),
            format!("'db_password' => '{V}',"),
            format!("token <- \"{V}\""),
            format!("\"token\" -> \"{V}\""),
            format!("deploy --api-token {V} --verbose"),
            format!("deploy --password={V}"),
            format!("let authToken: String = \"{V}\""),
            format!("public string ApiKey {{ get; set; }} = \"{V}\";"),
            format!("#define API_SECRET \"{V}\""),
            format!("TOKEN ?= {V}"),
            format!("Environment=\"SLACK_TOKEN={V}\""),
            format!("https://h.corp.internal/x?q=1&key={V}"),
            format!("jdbc:postgresql://db/app?user=app&password={V}"),
            format!("{{\"name\": \"API_TOKEN\", \"value\": \"{V}\"}}"),
        ] {
            assert_eq!(found(&line), [V], "{line}");
        }
    }

    /// The values `line` associates with secret names, the next line given too.
    fn found_with_next(line: &str, next: &str) -> Vec<String> {
        let hits: Vec<usize> = ["token", "pass", "secret"]
            .iter()
            .flat_map(|kw| {
                line.to_ascii_lowercase()
                    .match_indices(kw)
                    .map(|(i, _)| i)
                    .collect::<Vec<_>>()
            })
            .collect();
        let both = format!("{line}\n{next}");
        associations(line.as_bytes(), &hits, Some(next.as_bytes()))
            .into_iter()
            .map(|a| both[a.value.0..a.value.1].to_string())
            .collect()
    }

    #[test]
    fn a_name_item_gives_its_value_on_the_next_line() {
        for (line, next) in [
            ("  - name: API_TOKEN", "    value: \"Qm7xK2pL9vR4tZ8w\""),
            ("- name: 'DB_PASSWORD'", "  value: Qm7xK2pL9vR4tZ8w"),
            (
                "  {\"name\": \"SMTP_PASS\",",
                "   \"value\": \"Qm7xK2pL9vR4tZ8w\"}",
            ),
        ] {
            assert_eq!(found_with_next(line, next), [V], "{line} / {next}");
        }
        for (line, next) in [
            ("  - name: DB_PASSWORD", "    valueFrom:"),
            ("  - name: DB_PASSWORD", "    value: ${DB_PASSWORD}"),
            (
                "  - name: DB_PASSWORD",
                "    value: \"{{ .Values.db.password }}\"",
            ),
            ("  - name: LOG_LEVEL", "    value: Qm7xK2pL9vR4tZ8w"),
            ("  - image: token-service", "    value: Qm7xK2pL9vR4tZ8w"),
            (
                "  - name: API_TOKEN # the token",
                "    value: Qm7xK2pL9vR4tZ8w",
            ),
        ] {
            assert!(found_with_next(line, next).is_empty(), "{line} / {next}");
        }
        assert_eq!(
            next_line_value(b"- name: API_TOKEN", 8, 17, b"  value: \"abc\""),
            Some((10, 13))
        );
    }

    #[test]
    fn base64_padding_is_not_a_type_annotation() {
        let v = "DF1tj2w5GbdWXh9kCkmmW2T4kcAjV1sJieDxOklHD0W=";
        assert_eq!(found(&format!("db_password: {v}")), [v]);
        assert_eq!(found(&format!("let token: String = \"{V}\"")), [V]);
    }

    #[test]
    fn code_and_look_alikes_are_not_associated() {
        for line in [
            "DEFAULT_RESET_TOKEN_EXPIRES_IN = 15.minutes",
            "secret_key_base = Rails.application.secret_key_base",
            "skip_secret_key_base = environment_specified?",
            "BN_R_PRIVATE_KEY_TOO_LARGE:117:private key too large",
            "password = None",
            "if password == confirm_password:",
            "ds.setPassword(password);",
            "os.Setenv(\"TOKEN\", token)",
            "token_hash = a6784716295f3b4718ddb7692e07f7a2f9841ff5980458eec9b0fa232ca9770e",
            "client_id = 550e8400-e29b-41d4-a716-446655440000",
            "Pass the token to the client.",
            "cache_key = Qm7xK2pL9vR4tZ8w",
            "key = make_template_fragment_key(\"spam\", [\"abc:def9\"])",
            "pw = CLI._get_secret(\"Zq8rT2mW9x\")",
            "token(\"ghp_\", \"Q7w2E9r4T1y6U3i8O5p0A2s4\")",
            "\"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Ab12Cd\"",
        ] {
            assert!(found(line).is_empty(), "{line}");
        }
        // A UUID under a token name is a token.
        assert_eq!(
            found("api_token = 550e8400-e29b-41d4-a716-446655440000").len(), // keyaudit:allow
            1
        );
    }

    #[test]
    fn each_rejection_reason() {
        let w = words("api_key");
        assert_eq!(judge(&w, b"15.minutes", b""), Err(Reject::Code));
        assert_eq!(judge(&w, b"ready?", b""), Err(Reject::Code));
        assert_eq!(judge(&w, b"nil", b""), Err(Reject::Code));
        assert_eq!(judge(&w, b"#{encoded_password}", b""), Err(Reject::Code));
        assert_eq!(judge(&w, b"a&&b", b""), Err(Reject::Code));
        assert_eq!(judge(&w, b"q8Zr3mW9xLp4vN7bK3sYc6dF1gH5j==", b""), Ok(()));
        assert_eq!(
            judge(&w, b"GJ2Mq2GdA//tufKhDRo4Gdqjs+0AEOjSjUJU5mtSfQ+=", b""),
            Ok(())
        );
        assert_eq!(
            judge(&w, b"7buHjk8x9yetkwE+7AwMH713xoIRtba++nTa6+6mYw+=", b""),
            Ok(())
        );
        assert_eq!(
            judge(&w, b"your_api_key_here", b""),
            Err(Reject::Placeholder)
        );
        assert_eq!(judge(&w, b"2024-01-01", b""), Err(Reject::NotSecretShaped));
        assert_eq!(judge(&w, b"1.2.3", b""), Err(Reject::NotSecretShaped));
        assert_eq!(
            judge(&w, b"/etc/keys/api.key", b""),
            Err(Reject::NotSecretShaped)
        );
        assert_eq!(
            judge(&w, b"https://auth.corp.internal/token", b""),
            Err(Reject::NotSecretShaped)
        );
        assert_eq!(
            judge(&w, b"HttpRequestHandler", b""),
            Err(Reject::NotSecretShaped)
        );
        assert_eq!(judge(&w, b"aaaaaaab1", b""), Err(Reject::Placeholder));
        assert_eq!(judge(&w, b"ab12ab12ab12", b""), Err(Reject::LowEntropy));
        assert_eq!(
            judge(
                &words("request_uuid"),
                b"550e8400-e29b-41d4-a716-446655440000",
                b""
            ),
            Err(Reject::Identifier)
        );
        assert_eq!(
            judge(&w, b"x", b"EVP_R_BAD_KEY:12:bad key"),
            Err(Reject::MessageTable)
        );
        assert_eq!(judge(&w, b"SSH password: ", b""), Err(Reject::Prose));
        assert_eq!(judge(&w, b"discovered_%s", b""), Err(Reject::Code));
        assert_eq!(judge(&w, b"password-1", b""), Err(Reject::Placeholder));
        assert_eq!(judge(&w, b"FAKE-KEY-123", b""), Err(Reject::Placeholder));
        // Trailing digits do not make a chance `xXXx` a mask.
        assert_eq!(judge(&w, b"OAxXXxIXid8O0ExvUsJ59", b""), Ok(())); // keyaudit:allow
        assert_eq!(
            judge(
                &w,
                b"pbkdf2_sha256$30000$Vo0VlMnkR4Bk$qEvtdyZRWTcOsCnI=",
                b""
            ),
            Err(Reject::Hash)
        );
        let param = words("PARAM_TLS13_KDF_KEY_CHECK");
        assert_eq!(
            judge(&param, b"tls13-kdf-key-check", b""),
            Err(Reject::NotSecretShaped)
        );
        for shape in [
            "-1073610705i32",
            "67108864u32",
            "0xC029201F_u32",
            "SCRAM-SHA-256",
            "value#fragment",
            "Orange-2",
            "isHmrRefresh",
            "ssl/worker.key",
            "IntPtr.Zero",
            "credentials/",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        ] {
            assert_eq!(
                judge(&w, shape.as_bytes(), b""),
                Err(Reject::NotSecretShaped),
                "{shape}"
            );
        }
        for code in [
            "StrictHostKeyChecking=no",
            "t.tsIndexSignature=tsIndexSignature",
            "e.credentials??",
            "++this._bytesVal",
            "~disabled_auth",
            "AzureCredential|",
            "fe?T:void",
            "process.env.SESSION_PASSWORD!",
            "UACIA,eADAC,SCAAC",
            "attr_&lt;name&gt;",
            "schema.discriminatorMapping?.key",
            "y:s.username+=y",
            "domEventName+",
            "value|ns_key=value",
            ",DuplicateBinding:",
            "nextConfig.supportsImmutableAssets?",
            "relationship:*",
        ] {
            assert_eq!(judge(&w, code.as_bytes(), b""), Err(Reject::Code), "{code}");
        }
        assert_eq!(judge(&w, V.as_bytes(), b""), Ok(()));
        assert_eq!(judge(&w, b"Zx9!qT4m.Wk2L-p", b""), Ok(()));
        assert_eq!(judge(&w, b"k3jd9sl2mq7xb4", b""), Ok(()));
        assert_eq!(judge(&w, b"q8Zr3mW9xLp4vN7bK3sYc6dF1gH5j==", b""), Ok(()));
        assert_eq!(
            judge(&w, b"GJ2Mq2GdA//tufKhDRo4Gdqjs+0AEOjSjUJU5mtSfQ+=", b""),
            Ok(())
        );
        assert_eq!(
            judge(&w, b"7buHjk8x9yetkwE+7AwMH713xoIRtba++nTa6+6mYw+=", b""),
            Ok(())
        );

        assert!(is_message_table(
            b"BN_R_PRIVATE_KEY_TOO_LARGE:117:private key too large"
        ));
        assert!(!is_message_table(b"db.corp.internal:5432:app:user:pw"));
    }
}
