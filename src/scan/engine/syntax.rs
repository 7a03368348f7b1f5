//! Syntax readers: the value a line of code or config gives a name (`=`, `:`, `=>`, calls,
//! initialisers, XML, flags, directives), as a span of the line.

use super::{is_name_byte, name_words};

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

