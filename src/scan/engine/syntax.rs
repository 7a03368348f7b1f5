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

/// A value a syntax gives a name: where it is in the line, and how it is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Value {
    /// Byte span in the line.
    pub span: (usize, usize),
    /// The quote that delimits it (`"`, `'`, `` ` ``), `<` for XML element text, or `None`
    /// for a bare word, where code can stand.
    pub quote: Option<u8>,
    /// Whether the syntax is a config file's (a directive, a YAML block scalar): a bare value
    /// there is a literal, not a name in code.
    pub config: bool,
}

impl Value {
    fn quoted(span: (usize, usize), quote: u8) -> Self {
        Self {
            span,
            quote: Some(quote),
            config: false,
        }
    }

    fn bare(span: (usize, usize)) -> Self {
        Self {
            span,
            quote: None,
            config: false,
        }
    }

    /// Whether a closing delimiter ends the value, so its punctuation is part of it.
    pub fn is_delimited(&self) -> bool {
        self.quote.is_some()
    }

    /// Whether `\` escapes the delimiter inside the value.
    pub fn has_escapes(&self) -> bool {
        matches!(self.quote, Some(b'"' | b'\'' | b'`'))
    }
}

/// The value starting at `at`: a quoted literal (its inside), an escaped literal inside a
/// string (`\"v\"`), or a bare word.
fn read_value(line: &[u8], at: usize, separators: &[u8]) -> Option<Value> {
    if let Some(q) = quote_at(line, at) {
        return read_quoted(line, at, q);
    }
    if line.get(at) == Some(&b'\\') && line.get(at + 1).is_some_and(|b| matches!(b, b'"' | b'\'')) {
        return read_escaped_quoted(line, at + 1, line[at + 1]);
    }
    read_bare(line, at, separators).map(Value::bare)
}

/// A bare word from `at`: up to whitespace, a quote, a closing tag (`</`), or one of the
/// `separators` of the line's `name=` pairs where it starts another pair (`&x=` in a query,
/// `;Timeout=` in a connection string). Statement punctuation at its end (`;`, `,`, a closing
/// bracket it does not open) belongs to the code around it.
fn read_bare(line: &[u8], at: usize, separators: &[u8]) -> Option<(usize, usize)> {
    // A quote ends a bare value where the value stands inside a string of that quote
    // (`"url?token=v"`, `"NAME=v"`); elsewhere it is one of the value's characters.
    let inside = |q: u8| line[..at].iter().filter(|&&b| b == q).count() % 2 == 1;
    let closing: Vec<u8> = [b'"', b'\'', b'`']
        .into_iter()
        .filter(|&q| inside(q))
        .collect();
    let mut end = at;
    while end < line.len() {
        let b = line[end];
        if b.is_ascii_whitespace()
            || closing.contains(&b)
            || (b == b'<' && line.get(end + 1) == Some(&b'/'))
            || (separators.contains(&b) && starts_pair(&line[end + 1..]))
        {
            break;
        }
        end += 1;
    }
    // In a connection string's `;` pairs (`Server=x;Password=v;`) the separator ends the
    // value: a bracket before it is the value's own. A query's (`[docs](…?token=v)`) is not.
    let pairs = separators.contains(&b';');
    loop {
        let value = &line[at..end];
        let Some(&last) = value.last() else { break };
        if pairs {
            if separators.contains(&last) || matches!(last, b';' | b',') {
                end -= 1;
                continue;
            }
            break;
        }
        let unopened = |open: u8, close: u8| {
            last == close
                && value.iter().filter(|&&b| b == open).count()
                    < value.iter().filter(|&&b| b == close).count()
        };
        if matches!(last, b';' | b',')
            || unopened(b'(', b')')
            || unopened(b'[', b']')
            || unopened(b'{', b'}')
        {
            end -= 1;
        } else {
            break;
        }
    }
    (end > at).then_some((at, end))
}

/// The separators of `name=` pairs on a line, for the value of the name at `start`: `&` in a
/// query string (`?a=1&token=v&b=2`), `;` in a connection string (`Server=x;Password=v;`).
fn pair_separators(line: &[u8], start: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let before = start.checked_sub(1).map(|i| line[i]);
    // A form body quoted whole (`"token=v&token_type_hint=access_token"`) pairs with `&` too:
    // its values are URL-encoded, so up to that `&` only unreserved characters stand (a
    // Django key's `&ch=` is one of its characters).
    let ampersand_pairs = || {
        let amp = memchr::memchr(b'&', &line[start..]).map(|i| start + i);
        amp.is_some_and(|amp| {
            line[start..amp].iter().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'~' | b'%' | b'=')
            }) && line[amp + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count()
                >= 3
                && starts_pair(&line[amp + 1..])
        })
    };
    if matches!(before, Some(b'?' | b'&')) || ampersand_pairs() {
        out.push(b'&');
    }
    let semicolon_pairs = || {
        line.iter()
            .enumerate()
            .any(|(i, &b)| b == b';' && starts_pair(&line[i + 1..]))
    };
    if before == Some(b';') || semicolon_pairs() {
        out.push(b';');
    }
    out
}

/// Whether `rest` starts a `name=` pair: a name of letters, digits, `_`, `.`, `-` or spaces
/// (`User Id=`), then `=`.
fn starts_pair(rest: &[u8]) -> bool {
    let name = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b' ')))
        .unwrap_or(rest.len());
    name > 0
        && rest[0].is_ascii_alphabetic()
        && rest.get(name) == Some(&b'=')
        && rest.get(name + 1) != Some(&b'=')
}

/// The inside of the literal quoted by `q` that opens at `at`.
fn read_quoted(line: &[u8], at: usize, q: u8) -> Option<Value> {
    let start = at + 1;
    let mut i = start;
    while i < line.len() {
        match line[i] {
            b'\\' => i += 2,
            // A `'` with a word run on after it is no closing quote: a Rust lifetime
            // (`'token: 'iter`), an apostrophe.
            b if b == q && q == b'\'' && is_word_byte(line.get(i + 1)) => return None,
            b if b == q => return (i > start).then_some(Value::quoted((start, i), q)),
            _ => i += 1,
        }
    }
    None
}

/// Whether `b` is a letter, digit or `_`.
fn is_word_byte(b: Option<&u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// The inside of a literal inside a string, whose quotes are escaped (`"{\"k\": \"v\"}"`):
/// `at` is the escaped opening quote, and `\` and `q` close it.
fn read_escaped_quoted(line: &[u8], at: usize, q: u8) -> Option<Value> {
    let start = at + 1;
    let close = line[start..]
        .windows(2)
        .position(|w| w[0] == b'\\' && w[1] == q)
        .map(|p| start + p)?;
    (close > start).then_some(Value {
        span: (start, close),
        // Escapes inside are the outer string's, doubled: no unescaping here.
        quote: Some(b'\\'),
        config: false,
    })
}

/// A literal wrapped in a conversion (`[]byte("v")`, `String::from("v")`, `b"v"`,
/// `SecretString::new("v")`): the position of its opening quote.
fn unwrap_literal(line: &[u8], at: usize) -> Option<usize> {
    // String prefixes: `b"…"`, `r"…"`, `u8"…"`, `L"…"`, `@"…"`.
    for prefix in [&b"b"[..], b"r", b"u", b"br", b"rb", b"u8", b"L", b"@", b"B"] {
        if line[at..].starts_with(prefix) && quote_at(line, at + prefix.len()).is_some() {
            return Some(at + prefix.len());
        }
    }
    let callee_end = line[at..]
        .iter()
        .position(|b| {
            !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'[' | b']' | b' '))
        })
        .map(|p| at + p)?;
    if line.get(callee_end) != Some(&b'(') {
        return None;
    }
    let callee = String::from_utf8_lossy(&line[at..callee_end]);
    let callee = callee.trim().trim_start_matches("new ");
    let last = callee.rsplit(['.', ':']).next().unwrap_or(callee);
    let converts = matches!(
        callee,
        "[]byte"
            | "[]rune"
            | "str"
            | "bytes"
            | "bytearray"
            | "String"
            | "string"
            | "Some"
            | "Ok"
            | "Secret"
            | "SecretStr"
            | "SecretString"
            | "Password"
            | "Zeroizing"
            | "std::string"
    ) || (callee.len() > last.len()
        && matches!(
            last,
            "from" | "new" | "from_static" | "Borrowed" | "of" | "valueOf"
        ));
    let open = skip_blanks(line, callee_end + 1);
    (converts && quote_at(line, open).is_some()).then_some(open)
}

/// String literals among a call's arguments, the call's `(` at `open`.
fn call_literals(line: &[u8], open: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut i = open + 1;
    while i < line.len() && line[i] != b')' {
        if let Some(q) = quote_at(line, i) {
            // An escaped quote opens a literal inside an outer string.
            let read = if i > 0 && line[i - 1] == b'\\' {
                read_escaped_quoted(line, i, q)
            } else {
                read_quoted(line, i, q)
            };
            match read {
                Some(value) => {
                    out.push(value);
                    i = value.span.1 + 1;
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
pub fn values_for_name(line: &[u8], start: usize, end: usize) -> Vec<Value> {
    let before = line[..start].last().copied();
    let quoted = before.filter(|b| matches!(b, b'"' | b'\''));
    let mut at = end;
    // A name quoted inside a string (`"{\"apiKey\": \"v\"}"`) closes its escaped quote.
    let escaped_name = quoted.is_some_and(|q| {
        start >= 2
            && line[start - 2] == b'\\'
            && line.get(at) == Some(&b'\\')
            && line.get(at + 1) == Some(&q)
    });
    if escaped_name {
        at += 1;
    }
    // A quoted name closes its quote (`"NAME": v`); `"NAME=v"` quotes the whole assignment.
    let quoted = quoted.filter(|&q| line.get(at) == Some(&q));
    if quoted.is_some() {
        at += 1;
    }
    let after_name = at;
    at = skip_blanks(line, at);
    let rest = &line[at..];
    let mut values = Vec::new();
    // `SECRET_KEY==svl…` or `PASSWORD=>DS5b…` opening a line (or a `;` pair) assigns a value
    // that starts with `=` or `>`: a comparison or an arrow does not stand there, unquoted
    // and followed by a bare value.
    let head = line[..start].trim_ascii();
    let opens_statement =
        matches!(head, b"" | b"export" | b"ENV" | b"set" | b"SET") || head.last() == Some(&b';');
    let symbol_led_value = opens_statement
        && quoted.is_none()
        && at == after_name
        && rest.first() == Some(&b'=')
        && rest
            .get(2)
            .is_some_and(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'$'))
        && !line.trim_ascii_end().ends_with(b",");
    let separator = [&b"=>"[..], b":=", b"<-", b"->", b"?=", b"+="]
        .iter()
        .find(|s| rest.starts_with(s) && !(symbol_led_value && **s == b"=>"))
        .map(|s| s.len())
        .or_else(|| {
            let single = rest.first().is_some_and(|b| *b == b'=' || *b == b':');
            let doubled = rest.get(1).is_some_and(|b| *b == b'=' || *b == b':');
            let scheme = rest.starts_with(b"://");
            // `--password==x…`: a flag's `=` is its separator, whatever follows.
            let flag = line[start] == b'-' && rest.first() == Some(&b'=');
            (single && (!doubled || flag || symbol_led_value) && !scheme).then_some(1)
        });
    // `arn:aws:secretsmanager:…:secret:prod/db`: a colon path names a resource, not a value.
    let colon_path = start > 0 && line[start - 1] == b':' && rest.first() == Some(&b':');
    // `--password :x…`: after a flag and a blank, the value is the next word, whatever it
    // starts with.
    let flag_then_blank = line[start] == b'-' && at > after_name;
    if let Some(len) = separator.filter(|_| !colon_path && !flag_then_blank) {
        let mut v = skip_blanks(line, at + len);
        // `let token: String = "…"`, `const TOKEN: &str = "…"`: a type before the value.
        if rest[0] == b':' && quote_at(line, v).is_none() {
            let ty_end = line[v..]
                .iter()
                .position(|b| {
                    !(b.is_ascii_alphanumeric()
                        || matches!(
                            b,
                            b'_' | b'<'
                                | b'>'
                                | b'?'
                                | b'&'
                                | b'\''
                                | b'['
                                | b']'
                                | b'*'
                                | b'.'
                                | b' '
                        ))
                })
                .map_or(line.len(), |p| v + p);
            let eq = skip_blanks(line, ty_end);
            // A type is followed by `=` and a value; base64 padding (`key: Ab3…x=`) is not.
            let after_eq = skip_blanks(line, eq + 1);
            // A type starts with a letter or `&`, `[`, `*` and stands apart from its `=`.
            let type_start = line
                .get(v)
                .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'&' | b'[' | b'*'));
            if ty_end > v
                && type_start
                && matches!(line.get(eq.wrapping_sub(1)), Some(b' ' | b'\t'))
                && line.get(eq) == Some(&b'=')
                && line.get(eq + 1) != Some(&b'=')
                && read_value(line, after_eq, &[]).is_some()
            {
                v = after_eq;
            }
        }
        let v = unwrap_literal(line, v).unwrap_or(v);
        // A name inside a string (`"… includes credentials: "+A`) is prose: the quote after
        // it closes that string and opens no value.
        let closes_string = quote_at(line, v).is_some_and(|q| {
            let name_from = if quoted == Some(q) { start - 1 } else { start };
            inside_string(&line[..name_from], q, false)
        }) || (line.get(v) == Some(&b'\\')
            && line.get(v + 1).is_some_and(|&q| {
                let name_from = if escaped_name { start - 2 } else { start };
                matches!(q, b'"' | b'\'') && inside_string(&line[..name_from], q, true)
            }));
        if !closes_string {
            values.extend(read_value(line, v, &pair_separators(line, start)));
        }
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
        // `{ "Name", "v" }`, `Setenv("NAME", "v")`, `define('NAME', 'v')`: a pair, closed
        // after its value; a longer list of strings (`("HTTPPasswordMgr", "urllib2",
        // "urllib.request")`) is a table of names.
        let v = skip_blanks(line, at + 1);
        if let Some(value) = quote_at(line, v).and_then(|q| read_quoted(line, v, q)) {
            let after = skip_blanks(line, value.span.1 + 1);
            if matches!(
                line.get(after),
                None | Some(b')' | b'}' | b']' | b';' | b'\r')
            ) {
                values.push(value);
            }
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
                values.extend(read_value(line, skip_blanks(line, eq + 1), &[]));
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
            values.push(Value::quoted((v, close), b'<'));
        }
    } else if at > after_name && line[start] == b'-' {
        // `--password v`, `-token v`.
        values.extend(read_value(line, at, &[]));
    } else if at > after_name && define_before(&line[..start]) {
        // `#define NAME "v"`: a string literal, not another macro.
        if let Some(q) = quote_at(line, at) {
            values.extend(read_quoted(line, at, q));
        }
    } else if at > after_name && quoted.is_none() && directive_before(&line[..start]) {
        // A config directive: `requirepass v`, `SetEnv API_TOKEN v`, `set $token "v";`.
        if let Some(mut value) = read_value(line, at, &[]) {
            if !value.is_delimited() {
                // A directive's bare argument runs to the next blank, brackets and quotes
                // included (`requirepass pN,5~A=TY]`); nginx ends it with `;`.
                let end = line[at..]
                    .iter()
                    .position(u8::is_ascii_whitespace)
                    .map_or(line.len(), |p| at + p);
                let end = if line[..end].ends_with(b";") {
                    end - 1
                } else {
                    end
                };
                // `TokenAccessLevels dwDesiredAccess,`: a parameter list, not a directive.
                if !line[..end].ends_with(b",") {
                    value.span = (at, end.max(value.span.1));
                }
            }
            let after = line[value.span.1..]
                .iter()
                .filter(|b| !matches!(b, b'"' | b'\'' | b';' | b' ' | b'\t' | b'\r'))
                .count();
            if after == 0 {
                value.config = true;
                values.push(value);
            }
        }
    }
    values
}

/// Whether `before` ends inside a string quoted with `q`: an odd count of `q`, counting
/// escaped ones (`\"`, a string inside a string) when `escaped`, else unescaped ones.
fn inside_string(before: &[u8], q: u8, escaped: bool) -> bool {
    let count = (0..before.len())
        .filter(|&i| before[i] == q && (i > 0 && before[i - 1] == b'\\') == escaped)
        .count();
    count % 2 == 1
}

/// Whether the text before a name leaves it a directive's name, or a directive's first
/// argument: nothing but indentation, or one word (`SetEnv`, `set $`, `fastcgi_param`).
fn directive_before(before: &[u8]) -> bool {
    let before = before.trim_ascii();
    let before = before.strip_suffix(b"$").unwrap_or(before).trim_ascii_end();
    before.is_empty()
        || (before.len() <= 24
            && before[0].is_ascii_alphabetic()
            && before
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'_'))
}

/// A YAML block scalar's indicator (`|`, `>-`): the value is on the lines below.
pub(super) fn is_block_indicator(value: &[u8]) -> bool {
    matches!(value, b"|" | b"|-" | b"|+" | b">" | b">-" | b">+")
}

/// The one-line content of a block scalar that starts on `next`, as a config value.
pub(super) fn block_scalar_value(next: &[u8]) -> Option<Value> {
    let at = skip_blanks(next, 0);
    if at == 0 {
        return None;
    }
    let end = next.trim_ascii_end().len();
    let content = &next[at..end];
    (!content.is_empty() && !content.iter().any(|b| *b == b' ' || *b == b'\t')).then_some(Value {
        span: (at, end),
        quote: Some(b'|'),
        config: true,
    })
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
pub fn next_line_value(line: &[u8], start: usize, end: usize, next: &[u8]) -> Option<Value> {
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
    read_value(next, at, &[])
}
