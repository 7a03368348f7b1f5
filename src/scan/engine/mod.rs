//! The context engine: how code and config associate a name with a value. Driven by the
//! prefilter's keyword hits (secret words), it takes the name around each hit, decides whether
//! the name says secret, finds the value the syntax gives it (`=`, `:`, `=>`, `:=`, `<-`, `->`,
//! `?=`, initialisers `{ "Name", "v" }`, calls `setPassword("v")` and `Setenv("NAME", "v")`,
//! brace initialisation, XML elements and `key="Name" value="v"` pairs, `--flag v`) and judges
//! the value. No regex runs here: each hit costs a few byte comparisons.
//!
//! By concern: `names` says which names hold secrets, `syntax` reads the value a syntax
//! gives a name, `judge` decides whether that value is a secret, by the `shapes` of code,
//! identifiers, paths and the like and by what `passwords` people choose.

mod judge;
mod names;
mod passwords;
mod shapes;
mod syntax;

pub use judge::*;
pub use names::{is_secret_name, names_a_non_secret};
pub use passwords::*;
pub use shapes::*;
pub use syntax::{name_around, next_line_value, values_for_name, Value};

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
    /// The value with its literal's escapes resolved, when it holds any (`\"`).
    pub unescaped: Option<Vec<u8>>,
    /// A password a person chose rather than a generated secret.
    pub weak: bool,
    /// Whether it could be one: under a password name, shaped as people choose (a generated
    /// value too uniform for its rule's entropy is then reported as weak).
    pub chosen: bool,
}

/// A value the context engine turned down under a secret-sounding name, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected {
    /// Byte span of the value in the scanned data.
    pub value: (usize, usize),
    /// Why it is no secret.
    pub reason: Reject,
}

/// Provider names as they appear in variable names, with the name reports use. Compiled in
/// from `rules/providers.txt`.
fn providers() -> &'static HashMap<String, String> {
    static TABLE: std::sync::LazyLock<HashMap<String, String>> = std::sync::LazyLock::new(|| {
        include_str!("../../../rules/providers.txt")
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

/// Every secret value associated with a secret-sounding name in `line`, for the keyword hits
/// at `hits` (offsets in `line`). `next` is the line after `line`, for names whose value the
/// next line gives; spans in it are offsets past the end of `line` and its newline. Spans are
/// offsets in `line`. `code_file` says the line is source code, where a bare word may name a
/// variable. With `rejected`, the values turned down go there with their reasons.
pub fn associations(
    line: &[u8],
    hits: &[usize],
    next: Option<&[u8]>,
    code_file: bool,
    mut rejected: Option<&mut Vec<Rejected>>,
) -> Vec<Association> {
    let mut out = Vec::new();
    let mut last_name = None;
    let shift = line.len() + 1;
    let whole = line;
    for &hit in hits {
        // A generated line (a source map, minified code) is megabytes long: each hit is read
        // in a window around it, so that work per hit stays bounded however long the line.
        let (base, line) = window(whole, hit);
        let hit = hit - base;
        let (start, end) = name_around(line, hit);
        if last_name == Some((base + start, base + end)) || start == end {
            continue;
        }
        last_name = Some((base + start, base + end));
        let query_param = start > 0 && matches!(line[start - 1], b'?' | b'&' | b';');
        let Some(words) = secret_name_words(&line[start..end], query_param) else {
            continue;
        };
        if is_declaration(&line[..start])
            || is_label_or_field_doc(&line[..start])
            || is_paging_phrase(&words, &line[..start])
        {
            continue;
        }
        let name_is_flag =
            line[start] == b'-' && words.first().is_some_and(|w| w.starts_with("pass"));
        let mut push = |value: Value, text: &[u8], offset: usize, name: Option<(usize, usize)>| {
            let slot = Slot {
                delimited: value.is_delimited(),
                code_file: code_file && !value.config,
            };
            let (mut s, mut cut) = value.span;
            let mut reject = |s: usize, cut: usize, reason: Reject| {
                if let Some(rejected) = rejected.as_deref_mut() {
                    let value = (offset + s, offset + cut);
                    rejected.push(Rejected { value, reason });
                }
            };
            // A command substituted in backticks (`` `cat key.pem` ``) is no value.
            let backticked = value.quote == Some(b'`')
                || (text[s..cut].starts_with(b"`") && text[s..cut].ends_with(b"`"));
            if backticked && text[s..cut].contains(&b' ') {
                return reject(s, cut, Reject::Command);
            }
            // OpenSSL's passphrase arguments: `pass:` then the password; `env:`, `file:`,
            // `fd:` and `stdin` say where it is.
            if name_is_flag {
                let v = &text[s..cut];
                if v.starts_with(b"pass:") {
                    s += 5;
                } else if [&b"env:"[..], b"file:", b"fd:"]
                    .iter()
                    .any(|p| v.starts_with(p))
                    || v == b"stdin"
                {
                    return reject(s, cut, Reject::Reference);
                }
            }
            // A bare word that opens a sentence (`client_secret: Optional. A client secret
            // to…`) is prose.
            if !value.is_delimited()
                && text[s..cut].ends_with(b".")
                && text[cut..].starts_with(b" ")
                && text.get(cut + 1).is_some_and(u8::is_ascii_uppercase)
            {
                return reject(s, cut, Reject::Prose);
            }
            // Where code stands, `;`, `,` and closing brackets end an expression: minified
            // code runs on without blanks (`t.validateKey=validateKey;function f(e){…}`).
            if slot.code_file && !slot.delimited {
                if let Some(p) = text[s..cut]
                    .iter()
                    .position(|b| matches!(b, b';' | b',' | b')' | b'}'))
                {
                    cut = s + p;
                }
                if cut == s {
                    return;
                }
            }
            let unescaped = value
                .has_escapes()
                .then(|| unescape(&text[s..cut]))
                .flatten();
            let judged = unescaped.as_deref().unwrap_or(&text[s..cut]);
            let mut strength = match judge(&words, judged, text, slot) {
                Ok(strength) => strength,
                Err(reason) => return reject(s, cut, reason),
            };
            // A value that stands as one may own the punctuation it was cut before.
            let mut e = cut;
            if !slot.code_file && !slot.delimited && unescaped.is_none() {
                let through = through_closing_punctuation(text, s, cut);
                if let Ok(longer) = judge(&words, &text[s..through], text, slot) {
                    (e, strength) = (through, longer);
                }
            }
            let judged = unescaped.as_deref().unwrap_or(&text[s..e]);
            out.push(Association {
                value: (offset + s, offset + e),
                provider: provider_in(&words),
                name,
                weak: strength == Strength::Weak,
                chosen: names_password(&words) && is_chosen_password(judged, slot),
                unescaped,
            });
        };
        for value in values_for_name(line, start, end) {
            let (s, e) = value.span;
            // In source code a bare word after a type is a declaration
            // (`struct passphrase_data *data)`), not a config directive's argument.
            if code_file && value.config && !value.is_delimited() {
                continue;
            }
            // `key: |` then the value on the line below: a YAML block scalar (after a `:`,
            // not the `>` of an arrow: `Key { parent } => {`).
            if value.quote.is_none() && syntax::is_block_indicator(&line[s..e]) {
                if !line[..s].trim_ascii_end().ends_with(b":") {
                    continue;
                }
                if let Some(block) = next.and_then(syntax::block_scalar_value) {
                    let name = (base + start, base + end);
                    push(block, next.unwrap_or_default(), shift, Some(name));
                }
                continue;
            }
            push(value, line, base, None);
        }
        if let Some(next) = next {
            if let Some(value) = next_line_value(line, start, end, next) {
                push(value, next, shift, Some((base + start, base + end)));
            }
        }
    }
    out
}

/// The words of a name that says secret (and is not one of the names that only sound so),
/// or `None`. Code repeats its names on line after line: the answer is remembered per thread
/// for the names met last, so that a name is split and judged once, not at every hit.
fn secret_name_words(name: &[u8], query_param: bool) -> Option<std::rc::Rc<Vec<String>>> {
    // foldhash, seeded per process: a name is a few bytes, which SipHash took longer to hash
    // than the table took to answer; the bound below keeps a crafted file's collisions cheap.
    type Names = HashMap<Vec<u8>, Option<std::rc::Rc<Vec<String>>>, foldhash::fast::RandomState>;
    type Cache = [Names; 2];
    thread_local! {
        static KNOWN: std::cell::RefCell<Cache> = std::cell::RefCell::default();
    }
    KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        let known = &mut known[usize::from(query_param)];
        if let Some(answer) = known.get(name) {
            return answer.clone();
        }
        let words = name_words(&String::from_utf8_lossy(name));
        let answer = (is_secret_name(&words, query_param) && !filter::is_non_secret_name(name))
            .then(|| std::rc::Rc::new(words));
        // Bounded: a file of generated names must not grow the table without end.
        if known.len() >= 4096 {
            known.clear();
        }
        known.insert(name.to_vec(), answer.clone());
        answer
    })
}

/// Lines longer than this are generated (source maps, minified bundles), not written.
pub const LONG_LINE: usize = 16 * 1024;

/// The part of `line` a hit at `hit` is read in, and where it starts: the whole line, or for a
/// long line a window of a few KiB around the hit. Names and the values they are given sit
/// close together; the window only bounds how far the syntax readers look back (quotes and
/// brackets before the name) and ahead (a value's end).
fn window(line: &[u8], hit: usize) -> (usize, &[u8]) {
    const BEFORE: usize = 2 * 1024;
    const AFTER: usize = 6 * 1024;
    if line.len() <= LONG_LINE {
        return (0, line);
    }
    let start = hit.saturating_sub(BEFORE);
    let end = line.len().min(hit + AFTER);
    (start, &line[start..end])
}

/// Where a bare config value at `start..end` ends that was cut before closing punctuation
/// (`;`, `,`, a bracket it does not open): when nothing but blanks follows that punctuation
/// to the end of the line, no bracket is open before the value (`{user: u, password: v}`) and
/// the line does not separate its pairs with it (`Server=x;Password=v;`), the punctuation is
/// the value's own (`SMTP_PASSWD ?= 8w9c]Q=oR!_;`).
fn through_closing_punctuation(line: &[u8], start: usize, end: usize) -> usize {
    let open = |o: u8, c: u8| {
        let before = &line[..start];
        before.iter().filter(|&&b| b == o).count() > before.iter().filter(|&&b| b == c).count()
    };
    if open(b'(', b')') || open(b'[', b']') || open(b'{', b'}') {
        return end;
    }
    // A `;` or `,` the line has before the value separates its pairs
    // (`Server=x;Password=v;`).
    let tail = line[end..]
        .iter()
        .take_while(|b| matches!(b, b';' | b',' | b')' | b']' | b'}') && !line[..start].contains(b))
        .count();
    let rest = &line[end + tail..];
    if tail > 0 && rest.iter().all(u8::is_ascii_whitespace) {
        end + tail
    } else {
        end
    }
}

/// Whether the text before a name makes it a `case` label (`case "resetPassword":`) or a
/// documented field (`:param str client_secret:`, `:keyword client_secret:`), not an
/// assignment.
fn is_label_or_field_doc(before: &[u8]) -> bool {
    let before = before.trim_ascii_end();
    let before = before
        .strip_suffix(b"\"")
        .or_else(|| before.strip_suffix(b"'"))
        .unwrap_or(before)
        .trim_ascii_end();
    let ends_with_word = |text: &[u8], word: &[u8]| {
        text.strip_suffix(word).is_some_and(|head| {
            head.last()
                .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.'))
        })
    };
    if ends_with_word(before, b"case") {
        return true;
    }
    // `:param`, `:keyword`, `:ivar`, `:type`, then at most a type word.
    let field = before
        .rsplit(|b| *b == b' ')
        .take(2)
        .find(|word| word.first() == Some(&b':'));
    field.is_some_and(|word| {
        matches!(
            &word[1..],
            b"param" | b"keyword" | b"ivar" | b"cvar" | b"var" | b"type" | b"arg"
        )
    })
}

/// Whether a lone `token` is a page token in prose (`Next page token: …`): what a paged API
/// hands back, not a credential.
fn is_paging_phrase(words: &[String], before: &[u8]) -> bool {
    let before = before.trim_ascii_end();
    words.len() == 1
        && words[0] == "token"
        && ["page", "pagination", "continuation", "cursor", "sync"]
            .iter()
            .any(|w| {
                before.len() >= w.len()
                    && before[before.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes())
            })
}

/// Whether the text before a name declares a type, not a value: TypeScript and Flow `type`,
/// `interface`, `declare` (`type AccountToken = Stripe_.V2.Core.AccountToken;`).
fn is_declaration(before: &[u8]) -> bool {
    let before = before.trim_ascii_end();
    [
        "type",
        "interface",
        "declare",
        "declare const",
        "declare let",
        "declare var",
    ]
    .iter()
    .any(|w| {
        before.strip_suffix(w.as_bytes()).is_some_and(|head| {
            head.last()
                .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        })
    })
}

/// The value of a literal with `\` escapes, its escapes resolved (`\"` → `"`, `\\` → `\`);
/// `None` when it holds none. Escapes of letters (`\n`) stay as they are: credentials do not
/// hold control characters.
fn unescape(text: &[u8]) -> Option<Vec<u8>> {
    if !text.contains(&b'\\') {
        return None;
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'\\' && text.get(i + 1).is_some_and(u8::is_ascii_punctuation) {
            out.push(text[i + 1]);
            i += 2;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(name: &str) -> Vec<String> {
        name_words(name)
    }

    /// The values associated with secret names in `line`, hits at every secret word; the
    /// line is source code when `code_file`.
    fn found_as(line: &str, code_file: bool) -> Vec<String> {
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
        associations(line.as_bytes(), &hits, None, code_file, None)
            .into_iter()
            .map(|a| line[a.value.0..a.value.1].to_string())
            .collect()
    }

    /// The values associated with secret names in `line` of source code.
    fn found(line: &str) -> Vec<String> {
        found_as(line, true)
    }

    /// The values associated with secret names in `line` of a config file.
    fn found_in_config(line: &str) -> Vec<String> {
        found_as(line, false)
    }

    const V: &str = "Qm7xK2pL9vR4tZ8w";

    #[test]
    fn random_printable_values_in_config_are_whole_values() {
        for (line, value) in [
            ("db_password = m[^X7WANjm-uj:TKPWgE", "m[^X7WANjm-uj:TKPWgE"),
            ("SMTP_PASSWD ?= ,/B|g*a@P%8", ",/B|g*a@P%8"),
            ("DB_PASSWORD ?= 5<gl~@oJj9QM`?", "5<gl~@oJj9QM`?"),
            ("requirepass pN,54dm~nL-Go%A=TY]", "pN,54dm~nL-Go%A=TY]"),
            (
                "ENV SMTP_PASSWD=am>RS|JT|X2L99rOJX;69mfw!F",
                "am>RS|JT|X2L99rOJX;69mfw!F",
            ),
            (
                "Environment=\"ADMIN_PWD=;`OfS.e<6'lSg~=cFh\"",
                ";`OfS.e<6'lSg~=cFh",
            ),
            (
                "tool --api-key==_^=dxng3zwmd+vkkfp8wp+b3=0toj",
                "=_^=dxng3zwmd+vkkfp8wp+b3=0toj",
            ),
            ("mytool --smtp-passwd E,CZ1:QO,L!7+.", "E,CZ1:QO,L!7+."),
        ] {
            assert_eq!(found_in_config(line), [value], "{line}");
        }
    }

    #[test]
    fn random_values_are_not_paths_templates_or_arrows_by_chance() {
        for (line, value) in [
            // A slash among a password's symbols is not a path.
            ("DB_PASSWORD=N,L2T?k3(/", "N,L2T?k3(/"), // keyaudit:allow
            ("Environment=\"SMTP_PASSWD=/0ep.U7B8XU\"", "/0ep.U7B8XU"), // keyaudit:allow
            // `<%` without `%>`, `$(` before two letters, `%…%` around symbols: no template.
            (
                "api_key: '<%x+2rKI0H0w^!iAodDwTh[zIhcB2k'", // keyaudit:allow
                "<%x+2rKI0H0w^!iAodDwTh[zIhcB2k",
            ), // keyaudit:allow
            (
                "app_secret = ')8(m$(gw)o$086wouzy^%ccn'", // keyaudit:allow
                ")8(m$(gw)o$086wouzy^%ccn",
            ), // keyaudit:allow
            (
                "token: '%TE4ttF:gsni2h/SrDMMEw_WTzG%'", // keyaudit:allow
                "%TE4ttF:gsni2h/SrDMMEw_WTzG%",
            ), // keyaudit:allow
            // `%d` inside random characters is no format string.
            ("password = \"[cE%d#,)2\"", "[cE%d#,)2"), // keyaudit:allow
            // A value opening with `=` or `>` at the start of a line or a `;` pair.
            (
                "SECRET_KEY==svl5my_e(pgl7zc8w@_joded%3by=k+d^s17",
                "=svl5my_e(pgl7zc8w@_joded%3by=k+d^s17",
            ), // keyaudit:allow
            ("DB_PASSWORD=>DS5b}@8mv", ">DS5b}@8mv"), // keyaudit:allow
            ("Server=db;User Id=sa;Password==*oX/Avp;", "=*oX/Avp"), // keyaudit:allow
            // A bracket before a pair's separator is the value's own.
            (
                "Server=db;User Id=sa;Password=!_$g#fsivpc+ae!lj#d^s5or-ss3fej#(zdw1*d5tue1+)4+j);", // keyaudit:allow
                "!_$g#fsivpc+ae!lj#d^s5or-ss3fej#(zdw1*d5tue1+)4+j)", // keyaudit:allow
            ),
        ] {
            assert_eq!(found_in_config(line), [value], "{line}");
        }
        // A link's closing bracket is not its token's.
        assert_eq!(
            found_in_config("see [docs](https://x.corp.internal/?user=a&token=Xk3-9pLm2QzR7w)"), // keyaudit:allow
            ["Xk3-9pLm2QzR7w"]
        );
        // Still what they are: a comparison, templates, a Windows variable; and an arrow.
        for line in [
            "if token==expected_token_value_x:",
            "password: '<%= ENV[\"DB_PASSWORD\"] %>'",
            "password: '%DB_PASSWORD%'",
            "token: '$(cat /run/secrets/token)'",
        ] {
            assert!(found_in_config(line).is_empty(), "{line}");
        }
        let arrow = "    password=>'Xk3-9pLm2QzR7w',"; // keyaudit:allow
        assert_eq!(found(arrow), [&arrow[15..29]]);
    }

    #[test]
    fn closing_punctuation_ends_a_config_value_only_at_the_end_of_a_line() {
        assert_eq!(
            found_in_config("SMTP_PASSWD ?= 8w9c]Q=oR!_;"),
            ["8w9c]Q=oR!_;"]
        );
        assert_eq!(
            found_in_config("DB_PASSWORD=?YY&/R(ik6l]"),
            ["?YY&/R(ik6l]"]
        );
        assert_eq!(
            found_in_config("Server=db;User Id=sa;Password=Xk3-9pLm2QzR7w;"), // keyaudit:allow
            ["Xk3-9pLm2QzR7w"]
        );
        assert_eq!(
            found_in_config("auth: {user: bob, password: Xk3-9pLm2Qz}"), // keyaudit:allow
            ["Xk3-9pLm2Qz"]
        );
        assert_eq!(
            found_in_config("using token=Xk3-9pLm2QzR7w, for bucket"), // keyaudit:allow
            ["Xk3-9pLm2QzR7w"]
        );
    }

    #[test]
    fn minified_code_is_cut_at_statement_punctuation() {
        for line in [
            "function validateKey(e){return 1}t.validateKey=validateKey;function f(e){return 1}",
            "this.didWarnForKey=null,this.writtenDebugObjects=new WeakMap,this.x=1",
            "W.prototype.write=function(e){this.pass=true;return t};",
            "    TokenAccessLevels dwDesiredAccess,",
            "KEM_KEY *KEM_KEY_new(void);",
            "OPENSSL_EXPORT EVP_HPKE_KEY *EVP_HPKE_KEY_new(void);",
            "int ossl_pw_get_passphrase(char *pass, size_t pass_size, size_t *pass_len,",
            "pub const TOKEN: &str = \"$serde_json::private::Number\";",
            "    password: \"$y$jCT$ZiF3ZV39/maUl9Lzt2Hk80$Ih6bI4OXU52OnWWqt3T1BAmVn8eH.4\"",
        ] {
            assert!(found(line).is_empty(), "{line}");
        }
    }

    #[test]
    fn tables_types_paths_and_prose_are_not_values() {
        for line in [
            // A table of names, not a name and its value.
            "    MovedAttribute(\"HTTPPasswordMgr\", \"urllib2\", \"urllib.request\"),",
            // A name inside a string: the quote after it closes that string.
            "throw new TypeError(\"URL that includes credentials: \"+A)}s=f({u:[t]});n=\"cors\"}",
            "{\"c\":\"x.search(\\\"AccountKey=\\\") !== -1 && y\\\"z\\\"\"}",
            // Generated clients' type strings and module tables.
            "        \"token_requests\": \"List[StorageV1TokenRequest]\",",
            "        \"V1SecretKeySelector\": \".models.v1_secret_key_selector\",",
            // An option, documentation markup, a paginator's fields.
            "    accept_key = \"StrictHostKeyChecking=no\"",
            "{ \"internalDiskPassword\":\"<i>internal-disk-admin_password</i>\" }",
            "      \"output_token\": \"Jobs[-1].JobId\",",
        ] {
            assert!(found(line).is_empty(), "{line}");
        }
        assert!(found_in_config("primary_key: [some_table.c.uid, some_table.c.bar]").is_empty());
        // A pair closed after its value is still one; so is a quoted JSON name.
        assert_eq!(
            found("os.Setenv(\"API_TOKEN\", \"Xk3-9pLm2QzR7wT4\")"), // keyaudit:allow
            ["Xk3-9pLm2QzR7wT4"]                                     // keyaudit:allow
        ); // keyaudit:allow
        assert_eq!(
            found("{\"a\": \"b\", \"token\": \"Xk3-9pLm2QzR7wT4\"}"), // keyaudit:allow
            ["Xk3-9pLm2QzR7wT4"]                                      // keyaudit:allow
        ); // keyaudit:allow
    }

    #[test]
    fn code_in_config_is_still_code() {
        for line in [
            "secret = os.getenv(\"APP_SECRET\")",
            "apiKey := os.Getenv(\"API_KEY\")",
            "token = env(DB_SECRET)",
            "api_key = [a-z0-9]{32}",
            "password = ${DB_PASSWORD:-x}",
            "password: $ANSIBLE_VAULT;1.1;AES256",
        ] {
            assert!(found_in_config(line).is_empty(), "{line}");
        }
        // Where code stands, random punctuation is still an expression.
        assert!(found("token = 3})).unwrap_err(").is_empty());
        assert!(found("token = m[^X7WANjm-uj:TKPWgE").is_empty());
    }

    #[test]
    fn random_printable_shapes() {
        for v in [
            "oFy|*)jW",
            "m[^X7WANjm-uj:TKPWgE",
            ",/B|g*a@P%8",
            "E,CZ1:QO,L!7+.",
        ] {
            assert!(is_random_printable(v.as_bytes()), "{v}");
        }
        for v in [
            "os.Getenv(\"API_KEY\")",
            "env(DB_SECRET)",
            "Api::Key",
            "process.env.TOKEN!",
            "a && b",
            "Qm7xK2pL9vR4tZ8w",
        ] {
            assert!(!is_random_printable(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn a_chosen_password_on_a_common_base_is_weak() {
        let words = words("mysql_root_password");
        for v in ["admin@8207", "admin123", "qwerty$4728"] {
            assert_eq!(
                judge(&words, v.as_bytes(), b"", Slot::CONFIG),
                Ok(Strength::Weak),
                "{v}"
            );
        }
    }

    #[test]
    fn hex_keys_are_held_to_hex_entropy() {
        let words = words("api_key");
        // A random 32-digit hex key at 2.97 bits (one in 8,000 falls under 3.0).
        assert_eq!(
            judge(
                &words,
                b"4c46ce640101617c4f4c8e8888788cc0",
                b"",
                Slot::CONFIG
            ),
            Ok(Strength::Generated)
        );
        for pattern in [
            "3a3a3a3a5c5c5c5c3a3a3a3a5c5c5c5c",
            "3a3a3a3a5c5c5c5c3a3a3a3a5c5c5c71",
        ] {
            assert_eq!(
                judge(&words, pattern.as_bytes(), b"", Slot::CONFIG),
                Err(Reject::LowEntropy),
                "{pattern}"
            );
        }
    }

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
        associations(line.as_bytes(), &hits, Some(next.as_bytes()), true, None)
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
            next_line_value(b"- name: API_TOKEN", 8, 17, b"  value: \"abc\"").map(|v| v.span),
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
        assert_eq!(
            judge(&w, b"15.minutes", b"", Slot::CODE).map(drop),
            Err(Reject::Code)
        );
        assert_eq!(
            judge(&w, b"ready?", b"", Slot::CODE).map(drop),
            Err(Reject::Code)
        );
        assert_eq!(
            judge(&w, b"nil", b"", Slot::CODE).map(drop),
            Err(Reject::CodeLiteral)
        );
        assert_eq!(
            judge(&w, b"#{encoded_password}", b"", Slot::CODE).map(drop),
            Err(Reject::Template)
        );
        assert_eq!(
            judge(&w, b"a&&b", b"", Slot::CODE).map(drop),
            Err(Reject::Code)
        );
        assert_eq!(
            judge(&w, b"q8Zr3mW9xLp4vN7bK3sYc6dF1gH5j==", b"", Slot::CODE).map(drop),
            Ok(())
        );
        assert_eq!(
            judge(
                &w,
                b"GJ2Mq2GdA//tufKhDRo4Gdqjs+0AEOjSjUJU5mtSfQ+=",
                b"",
                Slot::CODE
            )
            .map(drop),
            Ok(())
        );
        assert_eq!(
            judge(
                &w,
                b"7buHjk8x9yetkwE+7AwMH713xoIRtba++nTa6+6mYw+=",
                b"",
                Slot::CODE
            )
            .map(drop),
            Ok(())
        );
        assert_eq!(
            judge(&w, b"your_api_key_here", b"", Slot::CODE).map(drop),
            Err(Reject::Placeholder)
        );
        assert_eq!(
            judge(&w, b"2024-01-01", b"", Slot::CODE).map(drop),
            Err(Reject::Number)
        );
        assert_eq!(
            judge(&w, b"1.2.3", b"", Slot::CODE).map(drop),
            Err(Reject::Number)
        );
        assert_eq!(
            judge(&w, b"/etc/keys/api.key", b"", Slot::CODE).map(drop),
            Err(Reject::Path)
        );
        assert_eq!(
            judge(&w, b"https://auth.corp.internal/token", b"", Slot::CODE).map(drop),
            Err(Reject::Url)
        );
        assert_eq!(
            judge(&w, b"HttpRequestHandler", b"", Slot::CODE).map(drop),
            Err(Reject::Identifier)
        );
        assert_eq!(
            judge(&w, b"aaaaaaab1", b"", Slot::CODE).map(drop),
            Err(Reject::Placeholder)
        );
        assert_eq!(
            judge(&w, b"ab12ab12ab12", b"", Slot::CODE).map(drop),
            Err(Reject::LowEntropy)
        );
        assert_eq!(
            judge(
                &words("request_uuid"),
                b"550e8400-e29b-41d4-a716-446655440000",
                b"",
                Slot::CODE
            )
            .map(drop),
            Err(Reject::Uuid)
        );
        assert_eq!(
            judge(&w, b"x", b"EVP_R_BAD_KEY:12:bad key", Slot::CODE).map(drop),
            Err(Reject::MessageTable)
        );
        assert_eq!(
            judge(&w, b"SSH password: ", b"", Slot::CODE).map(drop),
            Err(Reject::Prose)
        );
        assert_eq!(
            judge(&w, b"discovered_%s", b"", Slot::CODE).map(drop),
            Err(Reject::FormatString)
        );
        assert_eq!(
            judge(&w, b"password-1", b"", Slot::CODE).map(drop),
            Err(Reject::Placeholder)
        );
        assert_eq!(
            judge(&w, b"FAKE-KEY-123", b"", Slot::CODE).map(drop),
            Err(Reject::Placeholder)
        );
        // Trailing digits do not make a chance `xXXx` a mask.
        assert_eq!(
            judge(&w, b"OAxXXxIXid8O0ExvUsJ59", b"", Slot::CODE).map(drop),
            Ok(())
        ); // keyaudit:allow
        assert_eq!(
            judge(
                &w,
                b"pbkdf2_sha256$30000$Vo0VlMnkR4Bk$qEvtdyZRWTcOsCnI=",
                b"",
                Slot::CODE
            )
            .map(drop),
            Err(Reject::Hash)
        );
        let param = words("PARAM_TLS13_KDF_KEY_CHECK");
        assert_eq!(
            judge(&param, b"tls13-kdf-key-check", b"", Slot::CODE).map(drop),
            Err(Reject::RepeatsName)
        );
        for (shape, reason) in [
            ("-1073610705i32", Reject::Number),
            ("67108864u32", Reject::Number),
            ("0xC029201F_u32", Reject::Number),
            ("SCRAM-SHA-256", Reject::Words),
            ("value#fragment", Reject::Words),
            ("Orange-2", Reject::Words),
            ("isHmrRefresh", Reject::Identifier),
            ("ssl/worker.key", Reject::Path),
            ("IntPtr.Zero", Reject::Identifier),
            ("credentials/", Reject::Path),
            ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", Reject::BrokenJwt),
        ] {
            assert_eq!(
                judge(&w, shape.as_bytes(), b"", Slot::CODE).map(drop),
                Err(reason),
                "{shape}"
            );
        }
        assert_eq!(
            judge(&w, b"StrictHostKeyChecking=no", b"", Slot::CODE).map(drop),
            Err(Reject::Options)
        );
        for code in [
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
            assert_eq!(
                judge(&w, code.as_bytes(), b"", Slot::CODE).map(drop),
                Err(Reject::Code),
                "{code}"
            );
        }
        assert_eq!(judge(&w, V.as_bytes(), b"", Slot::CODE).map(drop), Ok(()));
        assert_eq!(
            judge(&w, b"Zx9!qT4m.Wk2L-p", b"", Slot::CODE).map(drop),
            Ok(())
        );
        assert_eq!(
            judge(&w, b"k3jd9sl2mq7xb4", b"", Slot::CODE).map(drop),
            Ok(())
        );
        assert_eq!(
            judge(&w, b"q8Zr3mW9xLp4vN7bK3sYc6dF1gH5j==", b"", Slot::CODE).map(drop),
            Ok(())
        );
        assert_eq!(
            judge(
                &w,
                b"GJ2Mq2GdA//tufKhDRo4Gdqjs+0AEOjSjUJU5mtSfQ+=",
                b"",
                Slot::CODE
            )
            .map(drop),
            Ok(())
        );
        assert_eq!(
            judge(
                &w,
                b"7buHjk8x9yetkwE+7AwMH713xoIRtba++nTa6+6mYw+=",
                b"",
                Slot::CODE
            )
            .map(drop),
            Ok(())
        );

        assert!(is_message_table(
            b"BN_R_PRIVATE_KEY_TOO_LARGE:117:private key too large"
        ));
        assert!(!is_message_table(b"db.corp.internal:5432:app:user:pw"));
    }

    #[test]
    fn code_and_documentation_from_provider_sdks_are_not_keys() {
        // Each line once reported on the precision corpus (bench/precision-corpus.sh).
        for line in [
            // Template expressions and substitutions.
            "const defaultStorageKey = `sb-${baseUrl.hostname.split(\".\")[0]}-auth-token`;",
            "$become_pass = \"password123!$([System.IO.Path]::GetRandomFileName())\"",
            "token = \"%HOMEPATH%\\\\\" + token[2:]",
            "<code>--private-key \\\"`cat encryption-key.pem`\\\"</code>",
            // Lookups, options and quoted phrases inside a literal.
            "test_password: \"{{ lookup('password', '/dev/null chars=ascii_letters,digits length=8') }}\"",
            ">>> token = 'variable|default:\"Default value\"|date:\"Y-m-d\"'",
            // Names and labels that are no assignment.
            "User.objects.filter(password__startswith=\"crypt$$\")",
            "authorityKeyIdentifier = keyid:always,issuer:always",
            "case\"recoverPassword\":case\"resetPassword\":t=o.PasswordRecoveryFlow,r=[]",
            ":keyword str client_secret: Optional. A client secret to authenticate.",
            "Next page token: eav1OzQB0OM8rLdGXOEsyQWSG",
            // A header name, a form body's own names, a path call, a type name.
            "let token = HeaderName::from_static(\"x-amz-s3session-token\");",
            "\"token=access_token_123&token_type_hint=access_token\",",
            "$pwd=Cwd::getcwd();",
            "export function decodeToken(token: string): JWTObject {",
            // Rust lifetimes are no quotes; a match arm's `=>` opens no block scalar.
            "impl<'iter, 'token: 'iter, I: Iterator<Item = Result<Token<'token>, Error>>> Lexed<I> {",
            // Markup, minified code, member chains, encoders' test vectors.
            "\"documentation\":\"<p>The secret must have a staging label <code>AWSCURRENT</code> and <i>Password</i>",
            "__SECRET_INTERNALS_DO_NOT_USE:Pr};if(!Qn)throw new Error(\"x\")",
            "questionKey: this.meta.contextualData!.enrolledQuestion!.questionKey,",
            "\"password\": \"%20!%22$%&'()*+,-.%3A%3B%3C%3D%3E%40%5B%5C%5D%5E_%60%7B%7C%7D~\",",
        ] {
            for code_file in [true, false] {
                assert_eq!(found_as(line, code_file), Vec::<String>::new(), "{line}");
            }
        }
        let arm = "Chain::NonStringKey { parent } => {";
        let next = "    segments.push(Segment::Unknown);";
        let hits: Vec<usize> = arm.match_indices("Key").map(|(i, _)| i).collect();
        assert!(associations(arm.as_bytes(), &hits, Some(next.as_bytes()), true, None).is_empty());
    }

    #[test]
    fn keys_beside_those_shapes_are_still_found() {
        for (line, value) in [
            // A Django key holds `$(` and `&name=` by chance.
            (
                "SECRET_KEY = 'hee9gy6dx+-4rldz$xn$(d9gpo&u$7p6x0-!)fu%4#3&h!)e1q'", // keyaudit:allow
                "hee9gy6dx+-4rldz$xn$(d9gpo&u$7p6x0-!)fu%4#3&h!)e1q", // keyaudit:allow
            ),
            (
                "client_secret = '^18p(+sx&ch=mo^bf_sj9ren1d!jy4z35m#si%zrk+r#felfu&'", // keyaudit:allow
                "^18p(+sx&ch=mo^bf_sj9ren1d!jy4z35m#si%zrk+r#felfu&", // keyaudit:allow
            ),
            // A password manager's `%T9FL_X6%` is no environment variable.
            (
                "password = \"V%T9FL_X6%BDK-F1S&Zj#w[2HhkM9e\"", // keyaudit:allow
                "V%T9FL_X6%BDK-F1S&Zj#w[2HhkM9e",                // keyaudit:allow
            ),
            // A form body's token, and OpenSSL's `pass:` argument.
            (
                "body = \"token=Zq8rT2mW9xLpV4nB7cK1&token_type_hint=access_token\"", // keyaudit:allow
                "Zq8rT2mW9xLpV4nB7cK1", // keyaudit:allow
            ),
            (
                "openssl pkcs12 -export -passout pass:Kp7wQ2zR9mX4vB", // keyaudit:allow
                "Kp7wQ2zR9mX4vB",                                      // keyaudit:allow
            ),
            // A key that holds a secret word beside its random part.
            (
                "MAILGUN_KEY=key-3ax6xnjp29jd6fds4gc373sgvjxteol0", // keyaudit:allow
                "key-3ax6xnjp29jd6fds4gc373sgvjxteol0",             // keyaudit:allow
            ),
        ] {
            assert_eq!(found_in_config(line), vec![value.to_string()], "{line}");
        }
        assert_eq!(
            found_in_config("openssl pkcs12 -export -passout env:EXPORT_PASS"),
            Vec::<String>::new()
        );
    }
}
