//! Rules: loading rule files (built-in and `--rules`), validating them and compiling their
//! patterns. A [`Rule`] here cannot be invalid; running a rule's examples is the scanner's job
//! (`scan::check`), which keeps this module free of scanning logic.

pub mod boundary;
pub mod builtin;
pub mod gitleaks;
pub mod literals;
pub mod spec;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::bytes::{Captures, Regex, RegexBuilder};

use crate::error::{one_line, toml_error, Error, Result};
pub use spec::{Environment, Kind, Lifetime, Tier, Validator};
use spec::{RuleFileSpec, RuleSpec};

/// Where a rule was defined, for error messages.
#[derive(Debug, Clone)]
pub struct RuleOrigin {
    /// The rule file (`builtin:NAME` for built-in files).
    pub path: PathBuf,
    /// 1-based line of the rule's id.
    pub line: usize,
}

/// Bytes of states a rule's lazy DFA may cache, per search engine and thread. The caches live
/// as long as the run, one per rule that ran and thread, so together they are most of a scan's
/// memory: 16 MiB each let the unanchored counted repetitions of a few patterns grow caches
/// worth 10 MiB more than the run needs. Every built-in rule's automaton fits this bound (a test
/// holds it); one that did not would be run by a slower engine, not refused.
const LAZY_DFA_CACHE: usize = 256 << 10;

/// A rule's compiled pattern and the capture groups it names.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// The compiled pattern, less a leading separator that `before` checks instead.
    pub regex: Regex,
    /// The bytes a match may follow, when the pattern starts with a separator.
    before: Option<boundary::Before>,
    /// Where matches start and how far they reach, when every match starts with a keyword.
    pub anchors: Option<literals::Anchors>,
    /// Capture groups that may hold the secret; the first that took part in a match does.
    pub secret_groups: Vec<usize>,
    /// Capture group holding a non-secret key id, if any.
    pub key_id_group: Option<usize>,
    /// Capture group holding the account the key belongs to (`account`), if any.
    pub account_group: Option<usize>,
    /// Capture groups holding the host a credential is for (`host`, `host2`); documentation
    /// hosts are skipped.
    pub host_groups: Vec<usize>,
    /// Capture group holding the variable name a generic value is assigned to.
    pub name_group: Option<usize>,
}

impl Matcher {
    /// Compiles `pattern` and finds its named groups: `secret` (else every unnamed group,
    /// since alternatives may each capture the key, else the whole match), `key_id`, `host`
    /// and `host2`, `name`. Refuses a pattern that matches the empty string.
    fn compile(pattern: &str, keywords: &[String]) -> std::result::Result<Self, String> {
        let (before, pattern) = match boundary::split(pattern) {
            Some((before, rest)) => (Some(before), Cow::Owned(rest)),
            None => (None, Cow::Borrowed(pattern)),
        };
        let pattern = pattern.as_ref();
        let regex = RegexBuilder::new(pattern)
            .unicode(false)
            .size_limit(32 << 20)
            .dfa_size_limit(LAZY_DFA_CACHE)
            .build()
            .map_err(|err| format!("invalid pattern: {}", one_line(&err.to_string())))?;
        // A pattern that can match nothing would report empty keys; probe the usual shapes.
        let probes: [&[u8]; 5] = [b"", b" ", b"x", b"x y", b"\n"];
        if probes
            .iter()
            .any(|p| regex.find_iter(p).any(|m| m.is_empty()))
        {
            return Err("pattern matches the empty string".into());
        }
        let names: Vec<Option<&str>> = regex.capture_names().collect();
        let named = |wanted: &str| names.iter().position(|n| *n == Some(wanted));
        let secret_groups = match named("secret") {
            Some(group) => vec![group],
            None => {
                let unnamed: Vec<usize> =
                    (1..names.len()).filter(|&g| names[g].is_none()).collect();
                if unnamed.is_empty() {
                    vec![0]
                } else {
                    unnamed
                }
            }
        };
        let key_id_group = named("key_id");
        let account_group = named("account");
        // A pattern with two ways to write its host names them `host` and `host2`.
        let host_groups = ["host", "host2"].into_iter().filter_map(named).collect();
        let name_group = named("name");
        Ok(Self {
            anchors: literals::Anchors::of(pattern, keywords),
            regex,
            before,
            secret_groups,
            key_id_group,
            account_group,
            host_groups,
            name_group,
        })
    }
}

impl Matcher {
    /// Every match in `data`, left to right, without overlaps.
    pub fn captures_iter<'a>(
        &'a self,
        data: &'a [u8],
    ) -> Box<dyn Iterator<Item = Captures<'a>> + 'a> {
        match &self.before {
            Some(before) => Box::new(boundary::captures_iter(&self.regex, before, data)),
            None => Box::new(self.regex.captures_iter(data)),
        }
    }

    /// Whether a match may start at `start` in `data`, for a matcher with anchors: one of its
    /// first literals is there, and the byte before is one its separator allows.
    pub fn may_start(&self, data: &[u8], start: usize) -> bool {
        self.anchors
            .as_ref()
            .is_some_and(|anchors| anchors.may_start(data, start))
            && self.before.as_ref().is_none_or(|b| b.allows(data, start))
    }

    /// The matches that start at `starts` (in order) in `data`, for a matcher with anchors
    /// whose first literals occur only there: exactly what [`Matcher::captures_iter`] finds,
    /// each match run in a window of its longest length.
    pub fn captures_at<'a>(
        &'a self,
        data: &'a [u8],
        starts: &'a [usize],
    ) -> impl Iterator<Item = Captures<'a>> + 'a {
        let mut covered = 0;
        starts.iter().filter_map(move |&start| {
            if start < covered {
                return None;
            }
            let caps = self.anchors.as_ref()?.match_at(&self.regex, data, start)?;
            if !self.before.as_ref().is_none_or(|b| b.allows(data, start)) {
                return None;
            }
            let whole = caps.get(0).expect("group 0 always exists");
            covered = whole.end().max(start + 1);
            Some(caps)
        })
    }
}

/// A validated rule; its pattern is compiled on first use ([`Rule::matcher`]).
#[derive(Debug)]
pub struct Rule {
    /// Unique id.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Provider.
    pub provider: String,
    /// Kind of secret.
    pub kind: Kind,
    /// The pattern as written (or as a compact rule's `context` and `secret` spell it).
    pattern: String,
    /// The compiled pattern and its groups, built on first use: a built-in rule whose
    /// keywords never occur is never compiled, which is most of start-up saved.
    matcher: OnceLock<Matcher>,
    /// Values are judged by shape (generic and password rules): code, paths, identifiers and
    /// UUIDs are not secrets.
    pub judges_value: bool,
    /// Prefilter literals, lowercase.
    pub keywords: Vec<String>,
    /// File names the rule runs in whatever the keywords.
    pub file_names: Vec<String>,
    /// Minimum Shannon entropy of the secret.
    pub min_entropy: Option<f64>,
    /// Default tier.
    pub privilege: Tier,
    /// Default environment.
    pub environment: Environment,
    /// Default lifetime.
    pub lifetime: Lifetime,
    /// Where to rotate.
    pub rotate: Option<String>,
    /// Higher wins when two rules match the same text.
    pub priority: i32,
    /// A structural check every match must pass.
    pub validate: Option<Validator>,
    /// Written in the compact form (`context` and `secret`).
    pub compact: bool,
    /// Declared `line_scoped`: every match lies on a line holding a keyword.
    pub line_scoped: bool,
    /// Imported from a gitleaks config: no examples to run.
    pub imported: bool,
    /// Only files whose path matches (gitleaks `path`).
    pub path: Option<regex::Regex>,
    /// Matches these allow are not keys (gitleaks allowlists).
    pub allowlists: Vec<Allowlist>,
    /// Inputs that must yield a key.
    pub examples: Vec<String>,
    /// Inputs that must yield nothing.
    pub negative_examples: Vec<String>,
    /// Where the rule was defined.
    pub origin: RuleOrigin,
}

impl Rule {
    /// Whether the rule runs line by line, only on lines holding one of its keywords: generic
    /// and compact rules, whose matches never span lines, and rules declared `line_scoped`.
    pub fn is_line_scoped(&self) -> bool {
        self.kind == Kind::Generic || self.compact || self.line_scoped
    }

    /// Orders rules that match the same text: higher priority first, then load order.
    pub fn precedence(&self, index: usize) -> (std::cmp::Reverse<i32>, usize) {
        (std::cmp::Reverse(self.priority), index)
    }

    /// The pattern as written.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The compiled pattern, built on first use. Every pattern was compiled once when its
    /// rule was loaded, or, for built-in rules, by the test that compiles them all
    /// (`every_builtin_rule_compiles`), so building it again cannot fail.
    pub fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| {
            Matcher::compile(&self.pattern, &self.keywords)
                .expect("a rule's pattern compiled when it was loaded or tested")
        })
    }

    /// Compiles the pattern now if it is not yet, saying why it cannot be compiled: what
    /// `rules check` runs over the built-in rules.
    pub fn compile_now(&self) -> Result<()> {
        if self.matcher.get().is_none() {
            let compiled =
                Matcher::compile(&self.pattern, &self.keywords).map_err(|message| Error::Rule {
                    path: self.origin.path.clone(),
                    line: self.origin.line,
                    rule: self.id.clone(),
                    message,
                })?;
            // Another thread may have compiled it meanwhile: the same pattern, the same result.
            let _ = self.matcher.set(compiled);
        }
        Ok(())
    }

    /// Whether the pattern is compiled yet.
    pub fn is_compiled(&self) -> bool {
        self.matcher.get().is_some()
    }
}

/// What an allowlist's regexes look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowTarget {
    /// The secret.
    Secret,
    /// The whole regex match.
    Match,
    /// The line holding the match.
    Line,
}

/// A gitleaks allowlist: a match it covers is not a key.
#[derive(Debug, Clone)]
pub struct Allowlist {
    /// Regexes over the target.
    pub regexes: Vec<Regex>,
    /// What the regexes look at.
    pub target: AllowTarget,
    /// Words (lowercase) whose presence in the secret allows it.
    pub stopwords: Vec<String>,
    /// Regexes over the file path.
    pub paths: Vec<regex::Regex>,
    /// All given criteria must hold (`condition = "AND"`); otherwise any one.
    pub all: bool,
}

impl Allowlist {
    /// Whether this allowlist covers a match: `secret`, the whole `matched` text, its `line`
    /// and the file `path`.
    pub fn allows(&self, secret: &[u8], matched: &[u8], line: &[u8], path: Option<&str>) -> bool {
        let mut checks = Vec::new();
        if !self.regexes.is_empty() {
            let target = match self.target {
                AllowTarget::Secret => secret,
                AllowTarget::Match => matched,
                AllowTarget::Line => line,
            };
            checks.push(self.regexes.iter().any(|r| r.is_match(target)));
        }
        if !self.stopwords.is_empty() {
            let lower = secret.to_ascii_lowercase();
            checks.push(
                self.stopwords
                    .iter()
                    .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some()),
            );
        }
        if !self.paths.is_empty() {
            checks.push(path.is_some_and(|p| self.paths.iter().any(|r| r.is_match(p))));
        }
        if checks.is_empty() {
            false
        } else if self.all {
            checks.iter().all(|&c| c)
        } else {
            checks.iter().any(|&c| c)
        }
    }
}

/// A warning about a rule that is valid but costly or doubtful.
#[derive(Debug, Clone)]
pub struct RuleWarning {
    /// The rule.
    pub rule: String,
    /// Where it is defined.
    pub origin: RuleOrigin,
    /// What is doubtful.
    pub message: String,
}

/// An ordered set of rules with unique ids.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// Things said while loading (imported rules that were skipped).
    notes: Vec<RuleWarning>,
}

impl RuleSet {
    /// Loads the built-in rules (unless `builtin` is false) and every extra rule file or
    /// directory of `*.toml` files.
    pub fn load(builtin: bool, extra: &[PathBuf]) -> Result<Self> {
        let mut rules = Vec::new();
        let mut notes = Vec::new();
        if builtin {
            for (name, text) in builtin::BUILTIN_RULE_FILES {
                let path = PathBuf::from(format!("rules/{name}"));
                rules.extend(parse_builtin_rule_file(&path, name, text)?);
            }
        }
        for path in extra {
            for file in rule_files_under(path)? {
                let text = std::fs::read_to_string(&file).map_err(|cause| Error::Io {
                    path: file.clone(),
                    cause,
                })?;
                if gitleaks::is_gitleaks_config(&text) {
                    let (imported, skipped) = gitleaks::parse_gitleaks(&file, &text)?;
                    rules.extend(imported);
                    let lines = id_lines(&text);
                    notes.extend(skipped.into_iter().map(|id| RuleWarning {
                        origin: RuleOrigin {
                            path: file.clone(),
                            line: line_of(&lines, &id),
                        },
                        rule: id,
                        message: "skipped: a path-only rule matches files, not keys".into(),
                    }));
                } else {
                    rules.extend(parse_rule_file(&file, &text, Compile::Now)?);
                }
            }
        }
        let mut set = Self::from_rules(rules)?;
        set.notes = notes;
        Ok(set)
    }

    /// Builds a set from compiled rules, rejecting duplicate ids.
    pub fn from_rules(rules: Vec<Rule>) -> Result<Self> {
        let mut seen: HashMap<&str, &RuleOrigin> = HashMap::new();
        for rule in &rules {
            if let Some(first) = seen.insert(&rule.id, &rule.origin) {
                return Err(Error::Rule {
                    path: rule.origin.path.clone(),
                    line: rule.origin.line,
                    rule: rule.id.clone(),
                    message: format!(
                        "duplicate rule id (first defined at {}:{})",
                        first.path.display(),
                        first.line
                    ),
                });
            }
        }
        Ok(Self {
            rules,
            notes: Vec::new(),
        })
    }

    /// The rules in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Valid but doubtful rules: no keywords means a full regex pass over every file, and an
    /// imported rule has no examples to test it with.
    pub fn warnings(&self) -> Vec<RuleWarning> {
        let mut warnings = self.notes.clone();
        for rule in &self.rules {
            let warn = |message: &str| RuleWarning {
                rule: rule.id.clone(),
                origin: rule.origin.clone(),
                message: message.into(),
            };
            if rule.keywords.is_empty() {
                warnings.push(warn("no keywords: the pattern runs over every file"));
            }
            if rule.imported {
                warnings.push(warn("imported without examples: nothing tests it"));
            }
        }
        warnings
    }
}

/// The rule files named by a `--rules` argument: the file itself, or a directory's `*.toml`
/// files in name order.
fn rule_files_under(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|cause| Error::Io {
        path: path.to_path_buf(),
        cause,
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let entries = std::fs::read_dir(path).map_err(|cause| Error::Io {
        path: path.to_path_buf(),
        cause,
    })?;
    for entry in entries {
        let entry = entry.map_err(|cause| Error::Io {
            path: path.to_path_buf(),
            cause,
        })?;
        let file = entry.path();
        if file.extension().is_some_and(|e| e == "toml") && file.is_file() {
            files.push(file);
        }
    }
    files.sort();
    Ok(files)
}

/// When a rule's pattern is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compile {
    /// While loading: a rule file given by the user, whose errors must show before a scan.
    Now,
    /// On first use: the built-in rules, compiled by the tests, of which a run needs few.
    OnFirstUse,
}

/// Parses and validates one rule file, compiling its patterns now or on first use.
pub fn parse_rule_file(path: &Path, text: &str, compile: Compile) -> Result<Vec<Rule>> {
    let spec: RuleFileSpec = toml::from_str(text).map_err(|err| toml_error(path, text, &err))?;
    rules_of(path, spec, text, compile)
}

/// Reads a built-in rule file from its JSON form (`builtin::BUILTIN_RULE_JSON`), its lines from
/// the TOML `text`; its patterns compile on first use. Should the JSON form be missing or not
/// read (it cannot be: a test compares the two forms), the TOML is parsed instead, with its
/// errors' line and column.
fn parse_builtin_rule_file(path: &Path, name: &str, text: &str) -> Result<Vec<Rule>> {
    let spec = builtin::BUILTIN_RULE_JSON
        .iter()
        .find(|(json_name, _)| *json_name == name)
        .and_then(|(_, json)| serde_json::from_str::<RuleFileSpec>(json).ok());
    let Some(spec) = spec else {
        return parse_rule_file(path, text, Compile::OnFirstUse);
    };
    rules_of(path, spec, text, Compile::OnFirstUse)
}

/// Validates the rules of a parsed file, `text` giving each its line.
fn rules_of(path: &Path, spec: RuleFileSpec, text: &str, compile: Compile) -> Result<Vec<Rule>> {
    let lines = id_lines(text);
    spec.rules
        .into_iter()
        .map(|rule| {
            let origin = RuleOrigin {
                path: path.to_path_buf(),
                line: line_of(&lines, &rule.id),
            };
            compile_rule(rule, origin, true, compile)
        })
        .collect()
}

/// The 1-based line of each `id = "<id>"` in a rule file, the first where an id repeats: one
/// pass over the file, where asking for each id in turn read it once per rule.
fn id_lines(text: &str) -> HashMap<&str, usize> {
    let mut lines = HashMap::new();
    for (index, line) in text.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("id") else {
            continue;
        };
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = match value.chars().next() {
            Some(quote @ ('"' | '\'')) => quote,
            _ => continue,
        };
        if let Some(id) = value[1..].split(quote).next() {
            lines.entry(id).or_insert(index + 1);
        }
    }
    lines
}

/// The line of rule `id` in `lines` (of [`id_lines`]), or 1.
fn line_of(lines: &HashMap<&str, usize>, id: &str) -> usize {
    lines.get(id).copied().unwrap_or(1)
}

/// Validates a rule spec and compiles its pattern. Imported rules (`require_examples` false)
/// may come without examples.
pub fn compile_rule(
    spec: RuleSpec,
    origin: RuleOrigin,
    require_examples: bool,
    compile: Compile,
) -> Result<Rule> {
    let fail = |message: String| Error::Rule {
        path: origin.path.clone(),
        line: origin.line,
        rule: spec.id.clone(),
        message,
    };
    if spec.id.is_empty()
        || !spec
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(fail(
            "id must be lowercase letters, digits and dashes".into(),
        ));
    }
    if spec.name.trim().is_empty() || spec.provider.trim().is_empty() {
        return Err(fail("name and provider must not be empty".into()));
    }
    if let Some(entropy) = spec.min_entropy {
        if !(0.0..=8.0).contains(&entropy) {
            return Err(fail(format!(
                "min_entropy {entropy} is outside 0 to 8 bits per character"
            )));
        }
    }
    if spec.keywords.iter().any(|k| k.trim().is_empty()) {
        return Err(fail("keywords must not be empty strings".into()));
    }
    if spec
        .file_names
        .iter()
        .any(|n| n.is_empty() || n.contains(['/', '\\']))
    {
        return Err(fail(
            "file_names must be file names, without a directory".into(),
        ));
    }
    if require_examples && spec.examples.is_empty() {
        return Err(fail("needs at least one example".into()));
    }
    if require_examples && spec.negative_examples.is_empty() {
        return Err(fail("needs at least one negative example".into()));
    }
    let (pattern, compact) = match (&spec.pattern, &spec.context, &spec.secret) {
        (Some(pattern), None, None) => (pattern.clone(), false),
        (None, Some(context), Some(secret)) if !context.is_empty() => {
            (compact_pattern(context, secret), true)
        }
        (None, Some(_), Some(_)) => return Err(fail("context must name at least one word".into())),
        (Some(_), _, _) => {
            return Err(fail("use pattern, or context with secret, not both".into()))
        }
        _ => return Err(fail("needs a pattern, or context with secret".into())),
    };
    let mut keywords = spec.keywords.clone();
    if keywords.is_empty() && compact {
        keywords = spec.context.clone().unwrap_or_default();
    }
    if !spec.file_names.is_empty() && (compact || spec.kind == Kind::Generic) {
        return Err(fail(
            "file_names apply to whole-file rules, not generic or compact ones".into(),
        ));
    }
    // Built-in rules are compiled when first used (the tests compile every one); a user's
    // rule is compiled now, so a bad pattern is refused with its file and line before any scan.
    let keywords: Vec<String> = keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
    let matcher = OnceLock::new();
    if compile == Compile::Now {
        let compiled = Matcher::compile(&pattern, &keywords).map_err(fail)?;
        matcher.set(compiled).expect("a new cell is empty");
    }
    Ok(Rule {
        keywords,
        file_names: spec.file_names,
        id: spec.id,
        name: spec.name,
        provider: spec.provider,
        kind: spec.kind,
        pattern,
        matcher,
        judges_value: matches!(spec.kind, Kind::Generic | Kind::Password),
        min_entropy: spec.min_entropy,
        privilege: spec.privilege,
        environment: spec.environment,
        lifetime: spec.lifetime,
        rotate: spec.rotate,
        validate: spec.validate,
        compact,
        line_scoped: spec.line_scoped && !spec.keywords.is_empty(),
        imported: false,
        path: None,
        allowlists: Vec::new(),
        priority: spec
            .priority
            .unwrap_or(if spec.kind == Kind::Generic { -10 } else { 0 }),
        examples: spec.examples,
        negative_examples: spec.negative_examples,
        origin,
    })
}

/// The regex of a compact rule: a context word, an optional rest of a name (`_API_KEY`), then
/// what parts a name from its value (a separator, a quote or a blank, never nothing: the key
/// does not run on from the name, as in `FastlyAccountCreateRequestAttributes_1`), then the
/// key in its own case-sensitive shape, ending where the key's alphabet ends.
fn compact_pattern(context: &[String], secret: &str) -> String {
    // A context that ends in punctuation (`api.netlify.com/build_hooks/`) is its own separator.
    let (paths, words): (Vec<&String>, Vec<&String>) = context
        .iter()
        .partition(|w| w.ends_with(|c: char| !c.is_ascii_alphanumeric() && c != '_'));
    let alternatives = |list: &[&String]| {
        list.iter()
            .map(|w| regex::escape(w))
            .collect::<Vec<_>>()
            .join("|")
    };
    let mut heads = Vec::new();
    if !words.is_empty() {
        heads.push(format!(
            r#"(?:{})[\w.\-]{{0,32}}?(?:["']?\s{{0,3}}(?:=>|:=|=|:|,)\s{{0,3}}["'`]?|["']\s{{0,3}}["'`]?|\s{{1,3}}["'`]?)"#,
            alternatives(&words)
        ));
    }
    if !paths.is_empty() {
        heads.push(format!("(?:{})", alternatives(&paths)));
    }
    format!(
        r#"(?i)(?:{})(?-i:(?P<secret>{secret}))(?:[^A-Za-z0-9_+/=\-]|$)"#,
        heads.join("|")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[rule]]
id = "demo-token"
name = "Demo token"
provider = "Demo"
kind = "token"
pattern = '\b(dmo_[a-z0-9]{12})\b'
keywords = ["DMO_"]
privilege = "scoped"
environment = "live"
lifetime = "long"
examples = ["x = dmo_a1b2c3d4e5f6"]
negative_examples = ["dmo_short"]
"#;

    #[test]
    fn compiles_a_good_rule() {
        let rules = parse_rule_file(Path::new("demo.toml"), GOOD, Compile::Now).unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].keywords, vec!["dmo_"]);
        assert_eq!(rules[0].matcher().secret_groups, vec![1]);
        assert_eq!(rules[0].origin.line, 3);
    }

    #[test]
    fn unknown_field_names_line_and_column() {
        let text = GOOD.replace(
            "lifetime = \"long\"",
            "lifetime = \"long\"\ncolour = \"red\"",
        );
        let err = parse_rule_file(Path::new("demo.toml"), &text, Compile::Now).unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with("demo.toml:12:1: "), "{shown}");
        assert!(shown.contains("colour"), "{shown}");
    }

    #[test]
    fn bad_tier_is_a_syntax_error() {
        let text = GOOD.replace("\"scoped\"", "\"godlike\"");
        let err = parse_rule_file(Path::new("demo.toml"), &text, Compile::Now).unwrap_err();
        assert!(err.to_string().starts_with("demo.toml:9:"), "{err}");
    }

    #[test]
    fn bad_regex_names_the_rule() {
        let text = GOOD.replace("{12})", "{12}");
        let err = parse_rule_file(Path::new("demo.toml"), &text, Compile::Now).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.starts_with("demo.toml:3: rule `demo-token`: invalid pattern"),
            "{shown}"
        );
    }

    #[test]
    fn empty_match_is_rejected() {
        let text = GOOD.replace("{12})", "{12})?");
        let err = parse_rule_file(Path::new("demo.toml"), &text, Compile::Now).unwrap_err();
        assert!(err.to_string().contains("empty string"), "{err}");
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let mut rules = parse_rule_file(Path::new("a.toml"), GOOD, Compile::Now).unwrap();
        rules.extend(parse_rule_file(Path::new("b.toml"), GOOD, Compile::Now).unwrap());
        let err = RuleSet::from_rules(rules).unwrap_err();
        assert!(err.to_string().contains("duplicate rule id"), "{err}");
        assert!(err.to_string().starts_with("b.toml:3"), "{err}");
    }

    #[test]
    fn missing_examples_are_rejected() {
        let text = GOOD.replace("negative_examples = [\"dmo_short\"]", "");
        let err = parse_rule_file(Path::new("demo.toml"), &text, Compile::Now).unwrap_err();
        assert!(err.to_string().contains("negative example"), "{err}");
    }

    #[test]
    fn compact_rules_compile_to_a_context_pattern() {
        let text = GOOD
            .replace(
                "pattern = '\\b(dmo_[a-z0-9]{12})\\b'",
                "context = [\"demoapp\"]\nsecret = '[a-z0-9]{12}'",
            )
            .replace("keywords = [\"DMO_\"]\n", "");
        let rules = parse_rule_file(Path::new("c.toml"), &text, Compile::Now).unwrap();
        let rule = &rules[0];
        assert!(rule.compact && rule.is_line_scoped());
        assert_eq!(rule.keywords, vec!["demoapp"]);
        for (text, found) in [
            ("DEMOAPP_API_KEY=q8w2e7r4t1y9", Some("q8w2e7r4t1y9")), // keyaudit:allow
            ("\"demoapp_token\": \"q8w2e7r4t1y9\"", Some("q8w2e7r4t1y9")), // keyaudit:allow
            ("demoapp key q8w2e7r4t1y9", None),
            ("demoapp: q8w2e7r4t1y9", Some("q8w2e7r4t1y9")),
            ("DEMOAPP_API_KEY=Q8W2E7R4T1Y9", None), // keyaudit:allow
            ("DEMOAPP_API_KEY=q8w2e7r4t1y9xx", None), // keyaudit:allow
            ("other_key=q8w2e7r4t1y9", None),       // keyaudit:allow
            // The key does not run on from a name (`FastlyAccountCreateRequestAttributes_1`).
            ("demoappq8w2e7r4t1y9", None),
            ("DemoappAccountcreatereq = 1", None),
            ("const DemoappAccountcreatereq_1 = require(x);", None),
        ] {
            let got = rule
                .matcher()
                .regex
                .captures(text.as_bytes())
                .and_then(|c| c.name("secret"))
                .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned());
            assert_eq!(got.as_deref(), found, "{text}");
        }
    }

    #[test]
    fn a_rule_needs_exactly_one_pattern_form() {
        let both = GOOD.replace("keywords =", "context = [\"x\"]\nsecret = 'y'\nkeywords =");
        let err = parse_rule_file(Path::new("c.toml"), &both, Compile::Now).unwrap_err();
        assert!(err.to_string().contains("not both"), "{err}");
        let neither = GOOD.replace("pattern = '\\b(dmo_[a-z0-9]{12})\\b'\n", "");
        let err = parse_rule_file(Path::new("c.toml"), &neither, Compile::Now).unwrap_err();
        assert!(err.to_string().contains("needs a pattern"), "{err}");
    }

    #[test]
    fn id_lines_find_the_line_of_every_rule_id() {
        let text = "[[rule]]\nid = \"a-b\"\nname = \"x\"\n\n[[rule]]\n  id='c'\nidea = \"d\"\n";
        let lines = id_lines(text);
        assert_eq!(lines.get("a-b"), Some(&2));
        assert_eq!(lines.get("c"), Some(&6));
        assert_eq!(lines.len(), 2);
        for (name, text) in builtin::BUILTIN_RULE_FILES {
            let lines = id_lines(text);
            let spec: RuleFileSpec = toml::from_str(text).unwrap();
            assert_eq!(lines.len(), spec.rules.len(), "{name}");
            let file_lines: Vec<&str> = text.lines().collect();
            for rule in &spec.rules {
                let line = file_lines[line_of(&lines, &rule.id) - 1].trim_start();
                assert!(
                    line.starts_with("id") && line.contains(&format!("\"{}\"", rule.id)),
                    "{name}: {}",
                    rule.id
                );
            }
        }
    }

    #[test]
    fn the_json_form_of_each_builtin_file_is_its_toml() {
        assert_eq!(
            builtin::BUILTIN_RULE_JSON.len(),
            builtin::BUILTIN_RULE_FILES.len()
        );
        for ((name, text), (json_name, json)) in builtin::BUILTIN_RULE_FILES
            .iter()
            .zip(builtin::BUILTIN_RULE_JSON)
        {
            assert_eq!(name, json_name);
            let from_toml: RuleFileSpec = toml::from_str(text).unwrap();
            let from_json: RuleFileSpec = serde_json::from_str(json).unwrap();
            assert_eq!(format!("{from_toml:?}"), format!("{from_json:?}"), "{name}");
        }
    }

    #[test]
    fn every_builtin_rule_compiles() {
        // Built-in rules are compiled on first use, which `Rule::matcher` expects to succeed.
        let set = RuleSet::load(true, &[]).unwrap();
        assert!(set.rules().len() > 400);
        assert!(set.rules().iter().all(|rule| !rule.is_compiled()));
        for rule in set.rules() {
            if let Err(err) = rule.compile_now() {
                panic!("{err}");
            }
            assert!(rule.is_compiled());
        }
    }

    #[test]
    fn every_builtin_rule_s_lazy_dfa_fits_its_cache() {
        // A lazy DFA whose cache cannot hold its minimum number of states is not built, and
        // the regex engine falls back to a much slower one: every rule must fit the bound, as
        // compiled (less a leading separator) and as written.
        use regex_automata::hybrid::dfa::DFA;
        use regex_automata::util::syntax;
        let fits = |pattern: &str| {
            DFA::builder()
                .configure(DFA::config().cache_capacity(LAZY_DFA_CACHE))
                .syntax(syntax::Config::new().unicode(false).utf8(false))
                .build(pattern)
                .is_ok()
        };
        let set = RuleSet::load(true, &[]).unwrap();
        for rule in set.rules() {
            let compiled = rule.matcher().regex.as_str();
            assert!(fits(compiled) && fits(rule.pattern()), "{}", rule.id);
        }
        // The bound is what decides: a pattern as large as a 40-way alternation of long
        // counted repetitions does not fit.
        let huge = (0..40)
            .map(|n| format!("k{n}_[A-Za-z0-9]{{100,400}}"))
            .collect::<Vec<_>>()
            .join("|");
        assert!(!fits(&huge));
    }

    #[test]
    fn a_builtin_rule_s_leading_separator_is_checked_outside_its_regex() {
        let set = RuleSet::load(true, &[]).unwrap();
        let rule = |id: &str| set.rules().iter().find(|r| r.id == id).unwrap();
        let facebook = rule("facebook-access-token").matcher();
        assert!(facebook.regex.as_str().starts_with(r"\b(EAA"));
        assert!(facebook.before.is_some());
        // Two keys one comma apart: the written pattern consumed the comma with the first.
        let key = |c: char| format!("EAA{}", c.to_string().repeat(120)); // keyaudit:allow
        let text = format!("{},{}", key('b'), key('c'));
        let found: Vec<_> = facebook.captures_iter(text.as_bytes()).collect();
        assert_eq!(found.len(), 2);
        // No literal to start from: the separator stays in the regex.
        let dsn = rule("dsn-with-password").matcher();
        assert!(dsn.regex.as_str().starts_with("(?:^|") && dsn.before.is_none());
    }

    #[test]
    fn a_rule_file_of_the_users_is_compiled_when_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, GOOD.replace("{12})", "{12}")).unwrap();
        let err = RuleSet::load(false, &[file]).unwrap_err().to_string();
        assert!(err.contains("rule `demo-token`: invalid pattern"), "{err}");
        let rules = parse_rule_file(Path::new("g.toml"), GOOD, Compile::Now).unwrap();
        assert!(rules[0].is_compiled());
        let lazy = parse_rule_file(Path::new("g.toml"), GOOD, Compile::OnFirstUse).unwrap();
        assert!(!lazy[0].is_compiled());
        assert_eq!(lazy[0].matcher().secret_groups, vec![1]);
        assert!(lazy[0].is_compiled());
    }

    #[test]
    fn warns_about_rules_without_keywords() {
        let text = GOOD.replace("keywords = [\"DMO_\"]", "");
        let set =
            RuleSet::from_rules(parse_rule_file(Path::new("d.toml"), &text, Compile::Now).unwrap())
                .unwrap();
        assert_eq!(set.warnings().len(), 1);
    }
}
