//! The scanner: finds keys in one blob of bytes. The prefilter picks candidate rules, their
//! regexes run over the blob, filters drop placeholders and low-entropy matches, overlapping
//! matches resolve in favour of provider rules over generic ones, and each survivor gets its
//! position and variable name. A [`Scanner`] is shared by all worker threads.

pub mod check;
pub mod context;
pub mod engine;
pub mod filter;
mod keyword_dfa;
pub mod prefilter;
mod reject;

use std::collections::BTreeMap;

use crate::decode;
use crate::rules::{Matcher, Rule, RuleSet, Validator};
use crate::secret::Secret;
use crate::source::Copied;
use context::LineIndex;
pub use prefilter::KeywordHits;
use prefilter::{Candidates, Prefilter};
use reject::unless;
pub use reject::Reject;

/// One key found in one blob.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Index of the rule in the rule set.
    pub rule: usize,
    /// The secret.
    pub secret: Secret,
    /// A non-secret identifier carried by the key.
    pub key_id: Option<String>,
    /// The account the text names the key's (`account` group: a service-account key file's
    /// `client_email`), which verification needs beside the key.
    pub account: Option<String>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    /// The variable the key is assigned to, if any.
    pub variable: Option<String>,
    /// The decoding that revealed the key (`base64`), if any.
    pub decoded: Option<&'static str>,
    /// Byte span of the key in the scanned data (of the encoded run, for decoded keys).
    pub span: (usize, usize),
    /// The provider named in the key's context, when its rule names none (generic rules).
    pub provider: Option<&'static str>,
}

/// A candidate value a rule turned down, and why: where it is, never what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Index of the rule in the rule set.
    pub rule: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    /// Byte span of the value in the scanned data (of the encoded run, for decoded values).
    pub span: (usize, usize),
    /// Why it is not a key.
    pub reason: Reject,
}

/// What the scan of one blob found.
#[derive(Debug)]
pub struct Scanned {
    /// The keys.
    pub hits: Vec<Hit>,
    /// The blob's keyword occurrences, for the blobs stored as deltas of it.
    pub keywords: KeywordHits,
    /// The candidate values turned down, when the scanner explains ([`Scanner::explaining`]);
    /// otherwise none.
    pub rejected: Vec<Rejection>,
}

/// How many times encoded content is decoded and rescanned (a Secret's base64 data holding
/// a docker config whose auths are base64 again is two).
const DECODE_DEPTH: usize = 2;
/// Decoded bytes allowed per blob, at most: bounds memory and time on hostile input.
const DECODE_BUDGET: usize = 16 << 20;
/// A rule whose matches start with its keywords runs its regex in a window at each place one
/// occurs when there is at most one such place per this many bytes: a window's search, which
/// only asks whether a match starts there before it fills the groups, costs about what the
/// regex engine's search of the whole blob for the rule's literals costs over this many bytes
/// (4096 when each window filled the groups; on the registry tree 1024 takes 0.2% fewer
/// instructions than 4096).
const BYTES_PER_WINDOW: usize = 1024;

/// A candidate turned down, before positions are resolved.
#[derive(Debug, Clone, Copy)]
struct RawRejection {
    rule: usize,
    start: usize,
    end: usize,
    reason: Reject,
}

/// A regex match before positions are resolved.
#[derive(Debug, Clone)]
struct RawMatch {
    rule: usize,
    start: usize,
    end: usize,
    key_id: Option<(usize, usize)>,
    account: Option<(usize, usize)>,
    provider: Option<&'static str>,
    /// The name a value is assigned to, when it is not on the value's line.
    variable: Option<(usize, usize)>,
    /// The secret with its literal's escapes resolved, when the text holds escapes.
    unescaped: Option<Vec<u8>>,
}

/// Finds keys in blobs with a fixed rule set.
#[derive(Debug)]
pub struct Scanner<'r> {
    rules: &'r RuleSet,
    prefilter: Prefilter,
    /// Which rules run line by line, only on lines holding one of their keywords.
    line_scoped: Vec<bool>,
    /// The rule whose matches the context engine finds instead of its regex.
    engine_rule: Option<usize>,
    /// The rule the context engine reports passwords people chose under.
    weak_rule: Option<usize>,
    /// Rules that run in files of given names whatever the keywords.
    file_named: Vec<usize>,
    /// Whether scans return the candidates they turn down ([`Scanned::rejected`]).
    explain: bool,
}

/// The id of the rule the context engine ([`engine`]) reports under.
pub const ENGINE_RULE_ID: &str = "generic-secret-assignment";
/// The id of the rule the context engine reports a person's password under (`Summer2024`).
pub const WEAK_PASSWORD_RULE_ID: &str = "weak-password";

impl<'r> Scanner<'r> {
    /// Prepares a scanner (builds the keyword automaton).
    pub fn new(rules: &'r RuleSet) -> Self {
        let engine_driven = |id: &str| {
            rules
                .rules()
                .iter()
                .position(|r| r.id == id && !r.keywords.is_empty())
        };
        let engine_rule = engine_driven(ENGINE_RULE_ID);
        let weak_rule = engine_driven(WEAK_PASSWORD_RULE_ID);
        // The engine's rules run line by line whatever their kind.
        let line_scoped = rules
            .rules()
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                (rule.is_line_scoped() && !rule.keywords.is_empty())
                    || Some(i) == engine_rule
                    || Some(i) == weak_rule
            })
            .collect();
        let file_named = (0..rules.rules().len())
            .filter(|&i| !rules.rules()[i].file_names.is_empty())
            .collect();
        Self {
            file_named,
            prefilter: Prefilter::new(rules),
            rules,
            line_scoped,
            engine_rule,
            weak_rule,
            explain: false,
        }
    }

    /// The scanner, returning with each scan the candidate values it turned down and why
    /// (`-v -v`) when `explain` is set. Noting them costs nothing when it is not.
    pub fn explaining(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// The rule set.
    pub fn rules(&self) -> &'r RuleSet {
        self.rules
    }

    /// Every key in `data`, including keys inside base64 runs that decode to text.
    pub fn scan(&self, data: &[u8]) -> Vec<Hit> {
        self.scan_file(None, data)
    }

    /// Every key in `data`, the content of the file at `path` (rules and allowlists that look
    /// at paths need it).
    pub fn scan_file(&self, path: Option<&str>, data: &[u8]) -> Vec<Hit> {
        self.scan_file_reusing(path, data, None).hits
    }

    /// [`Scanner::scan_file`], for a blob that may be stored as a delta of one scanned before:
    /// `base` is then the base's keyword occurrences (as this returns them) and the stretches
    /// copied from it, and the keyword search runs only where the blob differs. Also returns
    /// this blob's keyword occurrences, for the blobs stored as deltas of it, and when the
    /// scanner explains, the candidates it turned down.
    pub fn scan_file_reusing(
        &self,
        path: Option<&str>,
        data: &[u8],
        base: Option<(&KeywordHits, &[Copied])>,
    ) -> Scanned {
        let mut budget = DECODE_BUDGET.min(data.len().saturating_mul(2).max(1 << 16));
        let keywords = match base {
            Some((base, copied)) => self.prefilter.translate(base, copied, data),
            None => self.prefilter.occurrences(data),
        };
        let mut candidates = self.prefilter.candidates_from(&keywords, &self.line_scoped);
        if let Some(name) = path.map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p)) {
            for &index in &self.file_named {
                if self.rules.rules()[index]
                    .file_names
                    .iter()
                    .any(|n| n == name)
                {
                    candidates.rules[index] = true;
                }
            }
        }
        let mut rejected = self.explain.then(Vec::new);
        let hits = self.scan_found(
            path,
            data,
            &candidates,
            DECODE_DEPTH,
            &mut budget,
            rejected.as_mut(),
        );
        Scanned {
            hits,
            keywords,
            rejected: rejected.unwrap_or_default(),
        }
    }

    /// Keys in `data` as it is, then in what its base64 runs decode to, `depth` levels deep;
    /// with `rejected`, the candidates turned down go there.
    fn scan_nested(
        &self,
        path: Option<&str>,
        data: &[u8],
        depth: usize,
        budget: &mut usize,
        rejected: Option<&mut Vec<Rejection>>,
    ) -> Vec<Hit> {
        let candidates = self.prefilter.candidates(data, &self.line_scoped);
        self.scan_found(path, data, &candidates, depth, budget, rejected)
    }

    /// [`Scanner::scan_nested`], once the prefilter has found the `candidates`.
    fn scan_found(
        &self,
        path: Option<&str>,
        data: &[u8],
        candidates: &Candidates,
        depth: usize,
        budget: &mut usize,
        mut rejected: Option<&mut Vec<Rejection>>,
    ) -> Vec<Hit> {
        let mut hits = self.scan_candidates(path, data, candidates, rejected.as_deref_mut());
        if depth == 0 || *budget == 0 {
            return hits;
        }
        let min_run = decode::base64::min_run_for(data);
        let in_secret = min_run == decode::base64::MIN_RUN_IN_SECRET;
        if in_secret {
            // A Kubernetes Secret's values are encoded: a generic match on one is the encoded
            // form, and the decoding below judges what it holds.
            let rules = self.rules.rules();
            hits.retain(|hit| {
                !(rules[hit.rule].is_line_scoped()
                    && decode::base64::is_alphabet(hit.secret.expose()))
            });
        }
        let runs = decode::base64::decode_runs(data, min_run, budget);
        if runs.is_empty() {
            return hits;
        }
        let lines = LineIndex::new(data);
        for run in runs {
            let outer_variable = lines.variable(run.start);
            // Rescan the decoded value under the name it was assigned to, so a bare decoded
            // password is judged like `NAME=value`. In a Secret's data every value is a secret
            // unless its key names an identity or a setting, so one under a neutral key
            // (`upstream`, `conn`) is judged as a password.
            let as_secret = in_secret
                && outer_variable.as_deref().is_some_and(|name| {
                    let words = engine::name_words(name);
                    !engine::is_secret_name(&words, false) && !engine::names_a_non_secret(&words)
                })
                && is_one_token(&run.bytes);
            let mut inner_rejected = rejected.is_some().then(Vec::new);
            let inner = match &outer_variable {
                Some(_) if as_secret => {
                    // Quoted, so that the value's punctuation is its own.
                    let mut named = b"secret_password=\"".to_vec();
                    for &b in &run.bytes {
                        if b == b'"' || b == b'\\' {
                            named.push(b'\\');
                        }
                        named.push(b);
                    }
                    named.push(b'"');
                    let mut found =
                        self.scan_nested(path, &named, depth - 1, budget, inner_rejected.as_mut());
                    for hit in &mut found {
                        hit.variable = None;
                    }
                    found
                }
                Some(name) => {
                    let mut named = format!("{name}=").into_bytes();
                    named.extend_from_slice(&run.bytes);
                    self.scan_nested(path, &named, depth - 1, budget, inner_rejected.as_mut())
                }
                None => {
                    self.scan_nested(path, &run.bytes, depth - 1, budget, inner_rejected.as_mut())
                }
            };
            // What the decoding turned down is where the encoded run is, as its keys are.
            if let (Some(rejected), Some(inner_rejected)) =
                (rejected.as_deref_mut(), inner_rejected)
            {
                let (line, column) = lines.position(run.start);
                rejected.extend(inner_rejected.into_iter().map(|r| Rejection {
                    line,
                    column,
                    span: (run.start, run.end),
                    ..r
                }));
            }
            if inner.is_empty() || lines.is_allowed(run.start, run.end) {
                continue;
            }
            // The encoded run is the same key as what it decodes to: keep the decoded finding.
            hits.retain(|hit| {
                hit.span.1 <= run.start || hit.span.0 >= run.end || hit.decoded.is_some()
            });
            // Report where the encoded run is: its line, column and variable.
            let (line, column) = lines.position(run.start);
            hits.extend(inner.into_iter().map(|hit| Hit {
                line,
                column,
                variable: hit.variable.or_else(|| outer_variable.clone()),
                decoded: Some("base64"),
                span: (run.start, run.end),
                ..hit
            }));
        }
        hits
    }
}

/// Whether decoded bytes are one printable line of a secret's length: what a Secret's data
/// value holding one credential decodes to (not a file, a PEM block or JSON).
fn is_one_token(bytes: &[u8]) -> bool {
    (8..=256).contains(&bytes.len())
        && bytes.iter().all(|&b| b.is_ascii_graphic() || b == b' ')
        && !matches!(bytes[0], b'{' | b'[' | b'<' | b' ')
        && bytes.last() != Some(&b' ')
}

impl<'r> Scanner<'r> {
    /// Keys that rule `index` alone finds in `data` (prefilter included): the rule self-test.
    pub fn scan_with_rule(&self, index: usize, data: &[u8]) -> Vec<Hit> {
        // The prefilter as a scan runs it, with only this rule's keyword positions recorded
        // and only this rule kept a candidate.
        let mut only = vec![false; self.rules.rules().len()];
        only[index] = self.line_scoped[index];
        let mut candidates = self.prefilter.candidates(data, &only);
        only[index] = candidates.rules[index];
        candidates.rules = only;
        self.scan_candidates(None, data, &candidates, None)
    }

    /// The keys the `candidates` rules find in `data`; with `rejected`, the candidates they
    /// turn down go there.
    fn scan_candidates(
        &self,
        path: Option<&str>,
        data: &[u8],
        candidates: &Candidates,
        rejected: Option<&mut Vec<Rejection>>,
    ) -> Vec<Hit> {
        let mut raw = Vec::new();
        let mut turned_down = rejected.is_some().then(Vec::new);
        for (index, rule) in self.rules.rules().iter().enumerate() {
            if !candidates.rules[index] {
                continue;
            }
            if self.line_scoped[index] {
                let positions = candidates
                    .positions
                    .iter()
                    .filter(|(rule, _, _)| *rule == index)
                    .map(|&(_, start, end)| (start, end));
                if Some(index) == self.engine_rule || Some(index) == self.weak_rule {
                    // The engine's pass reports both rules; the weak rule runs its own only
                    // when the engine's rule is not a candidate (its self-test).
                    let engine_runs = self.engine_rule.is_some_and(|e| candidates.rules[e]);
                    let reports = if Some(index) == self.engine_rule {
                        Reports::Both(self.weak_rule)
                    } else if engine_runs {
                        continue;
                    } else {
                        Reports::WeakOnly
                    };
                    let code_file = path.is_some_and(is_source_code);
                    // Generated values must reach the engine rule's entropy in either pass.
                    let min_entropy = self
                        .engine_rule
                        .map_or(rule.min_entropy, |e| self.rules.rules()[e].min_entropy);
                    let pass = EnginePass {
                        index,
                        min_entropy,
                        reports,
                        code_file,
                    };
                    collect_associations(&pass, data, positions, &mut raw, turned_down.as_mut());
                    continue;
                }
                for (start, end) in keyword_lines(positions, data) {
                    let line = &data[start..end];
                    let turned_down = turned_down.as_mut();
                    let matches = rule.matcher().captures_iter(line);
                    let text = (line, start);
                    collect_matches(index, rule, matches, text, path, &mut raw, turned_down);
                }
            } else {
                // A rule whose matches start with its keywords runs only where they occur
                // (after a byte its separator allows), when that is seldom enough that windows
                // cost less than a whole search.
                let matcher = rule.matcher();
                let starts = matcher.anchors.is_some().then(|| {
                    let most = data.len() / BYTES_PER_WINDOW;
                    let may_start = |start| matcher.may_start(data, start);
                    candidates.starts(&self.prefilter, index, may_start, most)
                });
                let starts = starts.flatten();
                if starts.as_ref().is_some_and(Vec::is_empty) {
                    continue;
                }
                let turned_down = turned_down.as_mut();
                let matches = match &starts {
                    Some(starts) => Box::new(matcher.captures_at(data, starts)),
                    None => matcher.captures_iter(data),
                };
                collect_matches(index, rule, matches, (data, 0), path, &mut raw, turned_down);
            }
        }
        if let (Some(rejected), Some(turned_down)) = (rejected, turned_down) {
            if !turned_down.is_empty() {
                let lines = LineIndex::new(data);
                rejected.extend(turned_down.into_iter().map(|r| {
                    let (line, column) = lines.position(r.start);
                    Rejection {
                        rule: r.rule,
                        line,
                        column,
                        span: (r.start, r.end),
                        reason: r.reason,
                    }
                }));
            }
        }
        if raw.is_empty() {
            return Vec::new();
        }
        let kept = self.resolve_overlaps(raw);
        let lines = LineIndex::new(data);
        kept.into_iter()
            .filter(|m| !lines.is_allowed(m.start, m.end))
            .map(|m| {
                let (line, column) = lines.position(m.start);
                Hit {
                    rule: m.rule,
                    secret: Secret::new(
                        m.unescaped.unwrap_or_else(|| data[m.start..m.end].to_vec()),
                    ),
                    key_id: m
                        .key_id
                        .map(|(s, e)| String::from_utf8_lossy(&data[s..e]).into_owned()),
                    account: m
                        .account
                        .map(|(s, e)| String::from_utf8_lossy(&data[s..e]).into_owned()),
                    line,
                    column,
                    variable: m
                        .variable
                        .map(|(s, e)| String::from_utf8_lossy(&data[s..e]).into_owned())
                        .or_else(|| lines.variable(m.start)),
                    decoded: None,
                    span: (m.start, m.end),
                    provider: m.provider,
                }
            })
            .collect()
    }

    /// Keeps one match per stretch of text: higher-priority rules (provider formats) beat
    /// lower ones (catch-alls), then earlier rules beat later ones. Returns the kept matches in
    /// order of position.
    fn resolve_overlaps(&self, mut raw: Vec<RawMatch>) -> Vec<RawMatch> {
        let rules = self.rules.rules();
        raw.sort_by_key(|m| (rules[m.rule].precedence(m.rule), m.start));
        let mut kept: BTreeMap<usize, RawMatch> = BTreeMap::new();
        for candidate in raw {
            let before = kept.range(..=candidate.start).next_back();
            let after = kept.range(candidate.start..).next();
            let overlaps = before.is_some_and(|(_, k)| k.end > candidate.start)
                || after.is_some_and(|(_, k)| k.start < candidate.end);
            if !overlaps {
                kept.insert(candidate.start, candidate);
            }
        }
        kept.into_values().collect()
    }
}

/// The lines of `data` (start, end) holding the keyword occurrences `positions` (in order of
/// position), each line once.
fn keyword_lines(
    positions: impl Iterator<Item = (usize, usize)>,
    data: &[u8],
) -> Vec<(usize, usize)> {
    // A generated line (a source map, a minified bundle) is read only near its keywords, so
    // that each rule's cost stays bounded by its hits, not by the line.
    const NEAR: usize = 4 * 1024;
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    for (start, end) in positions {
        let (line_start, line_end) = match current {
            Some((s, e)) if s <= start && end <= e => (s, e),
            _ => line_around(data, start, end),
        };
        current = Some((line_start, line_end));
        if line_end - line_start > engine::LONG_LINE {
            let from = line_start.max(start.saturating_sub(NEAR));
            let to = line_end.min(end + NEAR);
            match lines.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => lines.push((from, to)),
            }
        } else if lines.last() != Some(&(line_start, line_end)) {
            lines.push((line_start, line_end));
        }
    }
    lines
}

/// Whether a rule's password slot holds a password: random over the printable set, or one a
/// person chose (`Summer2024`, `Maggie1993!`: a closing `!` is a symbol, not a bang method).
fn is_password_shaped(bytes: &[u8]) -> bool {
    let head = bytes.strip_suffix(b"!").unwrap_or(bytes);
    engine::is_random_printable(bytes)
        || (!filter::is_code_shaped(head)
            && engine::is_chosen_password(bytes, engine::Slot::CONFIG))
}

/// The line of `data` (start, end, without its newline) holding the bytes `start..end`.
fn line_around(data: &[u8], start: usize, end: usize) -> (usize, usize) {
    let line_start = memchr::memrchr(b'\n', &data[..start]).map_or(0, |i| i + 1);
    let line_end = memchr::memchr(b'\n', &data[end..]).map_or(data.len(), |i| end + i);
    (line_start, line_end)
}

/// Takes one rule's regex `matches` in `data` (which starts at `offset` in the blob of the file
/// at `path`), keeping those that pass the rule's filters; with `rejected`, the matches they
/// turn down go there.
fn collect_matches<'a>(
    index: usize,
    rule: &Rule,
    matches: impl Iterator<Item = regex::bytes::Captures<'a>>,
    (data, offset): (&[u8], usize),
    path: Option<&str>,
    out: &mut Vec<RawMatch>,
    mut rejected: Option<&mut Vec<RawRejection>>,
) {
    if let Some(only) = &rule.path {
        if !path.is_some_and(|p| only.is_match(p)) {
            return;
        }
    }
    let matcher = rule.matcher();
    for caps in matches {
        let Some(secret) = matcher.secret_groups.iter().find_map(|&g| caps.get(g)) else {
            continue;
        };
        if secret.is_empty() {
            continue;
        }
        if let Err(reason) = check_match(rule, matcher, &caps, secret, data, path) {
            if let Some(rejected) = rejected.as_deref_mut() {
                rejected.push(RawRejection {
                    rule: index,
                    start: offset + secret.start(),
                    end: offset + secret.end(),
                    reason,
                });
            }
            continue;
        }
        out.push(RawMatch {
            rule: index,
            start: offset + secret.start(),
            end: offset + secret.end(),
            key_id: matcher
                .key_id_group
                .and_then(|g| caps.get(g))
                .map(|m| (offset + m.start(), offset + m.end())),
            account: matcher
                .account_group
                .and_then(|g| caps.get(g))
                .map(|m| (offset + m.start(), offset + m.end())),
            provider: None,
            variable: None,
            unescaped: None,
        });
    }
}

/// The rule's filters on one of its matches, `secret` in `caps`, in turn: placeholders,
/// entropy, documentation hosts, the validator, the value's shape where only a name says
/// secret, words and the provider's name spelled by a compact key, the rule's allowlists.
fn check_match(
    rule: &Rule,
    matcher: &Matcher,
    caps: &regex::bytes::Captures<'_>,
    secret: regex::bytes::Match<'_>,
    data: &[u8],
    path: Option<&str>,
) -> Result<(), Reject> {
    let bytes = secret.as_bytes();
    filter::check_placeholder(bytes)?;
    unless(
        rule.min_entropy
            .is_some_and(|min| filter::shannon_entropy(bytes) < min),
        Reject::LowEntropy,
    )?;
    unless(
        matcher
            .host_groups
            .iter()
            .filter_map(|&g| caps.get(g))
            .any(|host| filter::is_documentation_host(host.as_bytes())),
        Reject::DocumentationHost,
    )?;
    if let Some(validator) = rule.validate {
        let valid = match validator {
            Validator::Jwt => crate::analyze::jwt::decode(bytes).is_some(),
            Validator::PypiMacaroon => crate::analyze::pypi::analyze(bytes).is_some(),
            Validator::DiscordBotToken => crate::analyze::discord::is_bot_token(bytes),
        };
        unless(!valid, Reject::Invalid)?;
    }
    if rule.judges_value {
        check_named_value(rule, matcher.name_group.and_then(|g| caps.get(g)), bytes)?;
    }
    // A compact rule's key shape may also spell a name (`bound_health_check_url` is 22
    // characters of a Mandrill key's alphabet): a key is not made of words.
    unless(
        rule.compact && filter::is_word_identifier(bytes),
        Reject::Identifier,
    )?;
    // Nor does it spell its provider's name (`PagerDutyService_1`,
    // `FastlyAccounResponseAttributes_1`): that is a generated identifier.
    unless(
        rule.compact
            && rule.keywords.iter().any(|word| {
                word.len() >= 5
                    && bytes
                        .windows(word.len())
                        .any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
            }),
        Reject::ProviderName,
    )?;
    if !rule.allowlists.is_empty() {
        let whole = caps.get(0).expect("group 0 always exists");
        let (line_start, line_end) = line_around(data, secret.start(), secret.end());
        let line = &data[line_start..line_end];
        unless(
            rule.allowlists
                .iter()
                .any(|a| a.allows(bytes, whole.as_bytes(), line, path)),
            Reject::Allowlisted,
        )?;
    }
    Ok(())
}

/// For a rule that knows a key only by the name it is assigned to (`name`, when the rule
/// captures it): the value must look like a secret, and a value shaped like a JWT must be one.
fn check_named_value(
    rule: &Rule,
    name: Option<regex::bytes::Match<'_>>,
    bytes: &[u8],
) -> Result<(), Reject> {
    let broken_jwt = bytes.starts_with(b"eyJ")
        && bytes.iter().filter(|&&b| b == b'.').count() == 2
        && crate::analyze::jwt::decode(bytes).is_none();
    unless(broken_jwt, Reject::BrokenJwt)?;
    // A UUID is a token where nothing names it an id (`Bearer <uuid>`, `password <uuid>`).
    // A password slot (`-p'…'`, `user:…@`) holds what people choose too (`Summer2024`).
    if let Err(reason) = filter::check_secret_value(bytes) {
        let excused = (engine::is_uuid(bytes) && name.is_none())
            || (rule.kind == crate::rules::Kind::Password && is_password_shaped(bytes));
        if !excused {
            return Err(reason);
        }
    }
    unless(
        name.is_some_and(|name| filter::is_non_secret_name(name.as_bytes())),
        Reject::NonSecretName,
    )
}

/// Which of the context engine's findings a pass reports.
#[derive(Debug, Clone, Copy)]
enum Reports {
    /// Generated secrets under the pass's rule, people's passwords under this one (dropped
    /// when there is none).
    Both(Option<usize>),
    /// People's passwords only, under the pass's rule.
    WeakOnly,
}

/// One pass of the context engine over a blob's keyword lines.
#[derive(Debug, Clone, Copy)]
struct EnginePass {
    /// The rule the pass runs for.
    index: usize,
    /// The entropy a generated value needs.
    min_entropy: Option<f64>,
    /// What it reports.
    reports: Reports,
    /// Whether the blob is source code.
    code_file: bool,
}

/// Whether the file at `path` is source code, where a bare word after `=` may be a
/// variable's name; config files, scripts and environment dumps hold literals there.
fn is_source_code(path: &str) -> bool {
    const CODE: &[&str] = &[
        "py", "pyi", "js", "mjs", "cjs", "jsx", "ts", "tsx", "mts", "cts", "rb", "go", "rs",
        "java", "kt", "kts", "scala", "groovy", "cs", "fs", "vb", "php", "pl", "pm", "c", "h",
        "cc", "cpp", "cxx", "hpp", "hh", "m", "mm", "swift", "lua", "r", "ex", "exs", "erl",
        "dart", "jl", "clj", "hs", "ml", "zig", "nim", "cr", "vue", "svelte", "map", "ps1", "psm1",
        "psd1",
    ];
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && CODE.iter().any(|c| c.eq_ignore_ascii_case(ext))
    })
}

/// The context engine's matches for rule `index`: on each line holding its keywords
/// (`positions`, in order), the values associated with secret-sounding names; with
/// `rejected`, the values turned down go there.
fn collect_associations(
    pass: &EnginePass,
    data: &[u8],
    positions: impl Iterator<Item = (usize, usize)>,
    out: &mut Vec<RawMatch>,
    mut rejected: Option<&mut Vec<RawRejection>>,
) {
    let EnginePass {
        index,
        min_entropy,
        reports,
        code_file,
    } = *pass;
    let mut line: Option<(usize, usize)> = None;
    let mut hits: Vec<usize> = Vec::new();
    let mut turned_down = rejected.is_some().then(Vec::new);
    let mut flush = |line: (usize, usize), hits: &mut Vec<usize>, out: &mut Vec<RawMatch>| {
        let text = &data[line.0..line.1];
        // The next line, for names whose value it gives (`- name: TOKEN` / `  value: v`).
        let next = (line.1 < data.len()).then(|| {
            let from = line.1 + 1;
            let to = memchr::memchr(b'\n', &data[from..]).map_or(data.len(), |i| from + i);
            &data[from..to]
        });
        let mut reject = |(start, end): (usize, usize), reason: Reject| {
            if let Some(rejected) = rejected.as_deref_mut() {
                let (start, end) = (line.0 + start, line.0 + end);
                rejected.push(RawRejection {
                    rule: index,
                    start,
                    end,
                    reason,
                });
            }
        };
        let found = engine::associations(text, hits, next, code_file, turned_down.as_mut());
        for turned in turned_down.iter_mut().flat_map(|t| t.drain(..)) {
            reject(turned.value, turned.reason);
        }
        for found in found {
            let (start, end) = (line.0 + found.value.0, line.0 + found.value.1);
            let value = found.unescaped.as_deref().unwrap_or(&data[start..end]);
            // Too uniform for the rule: a person's password if it reads as one, else nothing.
            let too_uniform = !found.weak
                && min_entropy.is_some_and(|min| {
                    filter::shannon_entropy(value) < filter::entropy_floor(min, value)
                })
                && !engine::is_uuid(value);
            let weak = found.weak || too_uniform;
            if too_uniform && !found.chosen {
                reject(found.value, Reject::LowEntropy);
                continue;
            }
            let rule_index = match (reports, weak) {
                (Reports::Both(_), false) => index,
                (Reports::Both(Some(weak_rule)), true) => weak_rule,
                (Reports::WeakOnly, true) => index,
                _ => continue,
            };
            out.push(RawMatch {
                rule: rule_index,
                start,
                end,
                key_id: None,
                account: None,
                provider: found.provider,
                variable: found.name.map(|(s, e)| (line.0 + s, line.0 + e)),
                unescaped: found.unescaped,
            });
        }
        hits.clear();
    };
    for (start, _) in positions {
        if line.is_none_or(|(_, line_end)| start >= line_end) {
            if let Some(done) = line {
                flush(done, &mut hits, out);
            }
            // The hit's own line: a keyword may end in the newline (`key\n`).
            line = Some(line_around(data, start, start));
        }
        let (line_start, _) = line.expect("set above");
        hits.push(start - line_start);
    }
    if let Some(done) = line {
        flush(done, &mut hits, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{parse_rule_file, Compile};
    use std::path::Path;

    fn rule_set(text: &str) -> RuleSet {
        RuleSet::from_rules(parse_rule_file(Path::new("t.toml"), text, Compile::Now).unwrap())
            .unwrap()
    }

    const RULES: &str = r#"
[[rule]]
id = "demo-token"
name = "Demo token"
provider = "Demo"
kind = "token"
pattern = '\b(?P<secret>dmo_(?P<key_id>[a-z]{4})[a-z0-9]{12})\b'
keywords = ["dmo_"]
min_entropy = 2.5
privilege = "scoped"
environment = "live"
lifetime = "long"
examples = ["x"]
negative_examples = ["y"]

[[rule]]
id = "generic-secret"
name = "Generic"
provider = "Generic"
kind = "generic"
pattern = 'secret\s*=\s*(\S{8,})'
keywords = ["secret"]
privilege = "full"
environment = "unknown"
lifetime = "long"
examples = ["x"]
negative_examples = ["y"]
"#;

    #[test]
    fn finds_key_with_position_variable_and_key_id() {
        let rules = rule_set(RULES);
        let scanner = Scanner::new(&rules);
        let hits = scanner.scan(b"# config\nDEMO_TOKEN=dmo_abcd7q2w9e4r1t6y\n");
        assert_eq!(hits.len(), 1);
        let hit = &hits[0];
        assert_eq!(hit.secret.expose(), b"dmo_abcd7q2w9e4r1t6y");
        assert_eq!((hit.line, hit.column), (2, 12));
        assert_eq!(hit.variable.as_deref(), Some("DEMO_TOKEN"));
        assert_eq!(hit.key_id.as_deref(), Some("abcd"));
    }

    #[test]
    fn provider_rule_wins_over_generic_on_the_same_text() {
        let rules = rule_set(RULES);
        let scanner = Scanner::new(&rules);
        let hits = scanner.scan(b"secret = dmo_abcd7q2w9e4r1t6y");
        assert_eq!(hits.len(), 1);
        assert_eq!(rules.rules()[hits[0].rule].id, "demo-token");
    }

    #[test]
    fn low_entropy_and_allowed_lines_are_dropped() {
        let rules = rule_set(RULES);
        let scanner = Scanner::new(&rules);
        assert!(scanner.scan(b"dmo_aaaaaaaaaaaaaaab").is_empty());
        assert!(scanner
            .scan(b"dmo_abcd7q2w9e4r1t6y # keyaudit:allow")
            .is_empty());
    }

    #[test]
    fn keys_on_a_generated_line_of_megabytes_are_found_near_their_names() {
        // A minified bundle: one line far longer than engine::LONG_LINE, read near its hits.
        let rules = RuleSet::load(true, &[]).unwrap();
        let scanner = Scanner::new(&rules);
        let filler = "var a=b.c(d);function e(f){return f+1}".repeat(8_000);
        // Put together here so that the repository's own audit does not find them.
        let (secret, password) = (["Zq8rT2mW9x", "LpV4nB7cK1"].concat(), "Kp7wQ2zR9mX4");
        let line = format!(
            "{filler}const cfg={{api_secret:\"{secret}\"}};{filler}\
             db.open(\"svc:{password}@db-main.internal:5432/app\");{filler}\n"
        );
        assert!(line.len() > 40 * engine::LONG_LINE);
        let found: Vec<(&str, Vec<u8>)> = scanner
            .scan(line.as_bytes())
            .iter()
            .map(|h| {
                (
                    rules.rules()[h.rule].id.as_str(),
                    h.secret.expose().to_vec(),
                )
            })
            .collect();
        assert!(
            found.contains(&(
                "generic-secret-assignment",
                b"Zq8rT2mW9xLpV4nB7cK1".to_vec()
            )),
            "{:?}",
            found.iter().map(|f| f.0).collect::<Vec<_>>()
        );
        assert!(found.contains(&("dsn-with-password", b"Kp7wQ2zR9mX4".to_vec())));
    }

    #[test]
    fn an_explaining_scanner_says_what_it_turned_down_and_why() {
        let rules = rule_set(RULES);
        let data = b"a = 1\ndmo_aaaaaaaaaaaaaaab\nsecret = lowercaseonly\n";
        let quiet = Scanner::new(&rules).scan_file_reusing(None, data, None);
        assert!(quiet.hits.is_empty() && quiet.rejected.is_empty());
        let scanned = Scanner::new(&rules)
            .explaining(true)
            .scan_file_reusing(None, data, None);
        assert!(scanned.hits.is_empty());
        let seen: Vec<(&str, usize, usize, Reject)> = scanned
            .rejected
            .iter()
            .map(|r| {
                (
                    rules.rules()[r.rule].id.as_str(),
                    r.line,
                    r.column,
                    r.reason,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("demo-token", 2, 1, Reject::LowEntropy),
                ("generic-secret", 3, 10, Reject::OneClass),
            ]
        );
        assert_eq!(scanned.rejected[0].span, (6, 26));
    }

    #[test]
    fn the_context_engine_and_decoded_runs_say_why_too() {
        let rules = RuleSet::load(true, &[]).unwrap();
        let scanner = Scanner::new(&rules).explaining(true);
        let reasons = |data: &[u8]| -> Vec<(&str, usize, usize, &str)> {
            let scanned = scanner.scan_file_reusing(Some("app.conf"), data, None);
            assert!(scanned.hits.is_empty());
            scanned
                .rejected
                .iter()
                .map(|r| {
                    (
                        rules.rules()[r.rule].id.as_str(),
                        r.line,
                        r.column,
                        r.reason.name(),
                    )
                })
                .collect()
        };
        let found = reasons(b"# app\npassword = getenv(\"X\")\ntoken: ${TOKEN}\n");
        assert!(
            found.contains(&("generic-secret-assignment", 2, 12, "code")),
            "{found:?}"
        );
        assert!(
            found.contains(&("generic-secret-assignment", 3, 8, "template")),
            "{found:?}"
        );
        // What a base64 run decodes to is turned down where the run is.
        // `password = getenv("DB_PASSWORD_X")`
        let encoded = "cGFzc3dvcmQgPSBnZXRlbnYoIkRCX1BBU1NXT1JEX1giKQo=";
        let found = reasons(format!("x: 1\n  {encoded}\n").as_bytes());
        assert!(
            found.contains(&("generic-secret-assignment", 2, 3, "code")),
            "{found:?}"
        );
    }

    #[test]
    fn a_rule_run_only_where_its_keywords_occur_finds_what_a_whole_search_finds() {
        let rules = RuleSet::load(true, &[]).unwrap();
        let scanner = Scanner::new(&rules);
        // Filler without keywords, so that the example's keywords are seldom enough in the
        // padded blob for the windows to run.
        let filler = "lorem ipsum dolor sit amet 0123\n".repeat(400);
        let mut windowed = 0;
        for (index, rule) in rules.rules().iter().enumerate() {
            if rule.matcher().anchors.is_none() || scanner.line_scoped[index] {
                continue;
            }
            windowed += 1;
            for example in rule.examples.iter().chain(&rule.negative_examples) {
                let secrets = |hits: Vec<Hit>| -> Vec<Vec<u8>> {
                    hits.iter().map(|h| h.secret.expose().to_vec()).collect()
                };
                let alone = secrets(scanner.scan_with_rule(index, example.as_bytes()));
                let padded = format!("{filler}{example}\n{filler}{example} {example}\n{filler}");
                let padded = secrets(scanner.scan_with_rule(index, padded.as_bytes()));
                let expected: Vec<Vec<u8>> = [&alone, &alone, &alone]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect();
                assert_eq!(padded, expected, "{}: {example}", rule.id);
            }
        }
        assert!(windowed > 100, "only {windowed} rules run in windows");
    }

    #[test]
    fn keywords_gate_the_regex_case_insensitively() {
        let rules = rule_set(RULES);
        let scanner = Scanner::new(&rules);
        let hits = scanner.scan(b"SECRET = Zq8rT2mW9xLp"); // keyaudit:allow
        assert!(hits.is_empty(), "pattern is case-sensitive, keyword is not");
        assert_eq!(scanner.scan(b"secret = Zq8rT2mW9xLp").len(), 1); // keyaudit:allow
    }
}
