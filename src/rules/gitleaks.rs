//! Importing gitleaks and betterleaks configurations (`[[rules]]` with `id`, `description`,
//! `regex`, `secretGroup`, `entropy`, `keywords`, `path`, and allowlists), so users keep the
//! custom rules they already have. Imported rules have no examples; `rules check` says so.

use std::path::Path;

use regex::bytes::RegexBuilder;
use serde::Deserialize;

use super::{compile_rule, AllowTarget, Allowlist, Compile, Rule, RuleOrigin};
use crate::error::{toml_error, Error, Result};
use crate::rules::spec::{Environment, Kind, Lifetime, RuleSpec, Tier};

/// Whether `text` is a gitleaks-style config (`[[rules]]`) rather than a keyaudit rule file.
pub fn is_gitleaks_config(text: &str) -> bool {
    text.lines()
        .any(|line| line.trim_start().starts_with("[[rules]]"))
}

#[derive(Debug, Deserialize)]
struct ConfigSpec {
    #[serde(default)]
    rules: Vec<GitleaksRule>,
    allowlist: Option<AllowlistSpec>,
    #[serde(default)]
    allowlists: Vec<AllowlistSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GitleaksRule {
    id: String,
    description: Option<String>,
    regex: Option<String>,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    path: Option<String>,
    allowlist: Option<AllowlistSpec>,
    #[serde(default)]
    allowlists: Vec<AllowlistSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AllowlistSpec {
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    regex_target: Option<String>,
    condition: Option<String>,
}

/// Parses a gitleaks config into rules. Rules with only a `path` (no `regex`) match files,
/// not keys, and are skipped; their ids are returned so the caller can say so (`rules check`
/// warns about each).
pub fn parse_gitleaks(path: &Path, text: &str) -> Result<(Vec<Rule>, Vec<String>)> {
    let spec: ConfigSpec = toml::from_str(text).map_err(|err| toml_error(path, text, &err))?;
    let global: Vec<&AllowlistSpec> = spec.allowlist.iter().chain(&spec.allowlists).collect();
    let mut rules = Vec::new();
    let mut skipped = Vec::new();
    let lines = super::id_lines(text);
    for imported in &spec.rules {
        let origin = RuleOrigin {
            path: path.to_path_buf(),
            line: super::line_of(&lines, &imported.id),
        };
        let fail = |message: String| Error::Rule {
            path: origin.path.clone(),
            line: origin.line,
            rule: imported.id.clone(),
            message,
        };
        let Some(regex) = &imported.regex else {
            skipped.push(imported.id.clone());
            continue;
        };
        let rule_spec = RuleSpec {
            id: imported.id.to_ascii_lowercase().replace(['_', ' '], "-"),
            name: imported
                .description
                .clone()
                .unwrap_or_else(|| imported.id.clone()),
            provider: "imported".into(),
            kind: Kind::ApiKey,
            pattern: Some(regex.clone()),
            context: None,
            secret: None,
            keywords: imported.keywords.clone(),
            file_names: Vec::new(),
            line_scoped: false,
            min_entropy: imported.entropy,
            privilege: Tier::Full,
            environment: Environment::Unknown,
            lifetime: Lifetime::Long,
            rotate: None,
            validate: None,
            priority: Some(-1),
            examples: Vec::new(),
            negative_examples: Vec::new(),
        };
        let mut rule = compile_rule(rule_spec, origin.clone(), false, Compile::Now)?;
        rule.imported = true;
        if let Some(group) = imported.secret_group.filter(|&g| g > 0) {
            let matcher = rule.matcher.get_mut().expect("compiled now");
            if group >= matcher.regex.captures_len() {
                return Err(fail(format!(
                    "secretGroup {group} does not exist in the regex"
                )));
            }
            matcher.secret_groups = vec![group];
        }
        if let Some(path_pattern) = &imported.path {
            rule.path = Some(
                regex::Regex::new(path_pattern)
                    .map_err(|e| fail(format!("invalid path regex: {e}")))?,
            );
        }
        for allow in imported
            .allowlist
            .iter()
            .chain(&imported.allowlists)
            .chain(global.iter().copied())
        {
            rule.allowlists
                .push(compile_allowlist(allow).map_err(fail)?);
        }
        rules.push(rule);
    }
    Ok((rules, skipped))
}

fn compile_allowlist(spec: &AllowlistSpec) -> std::result::Result<Allowlist, String> {
    let regexes = spec
        .regexes
        .iter()
        .map(|r| {
            RegexBuilder::new(r)
                .build()
                .map_err(|e| format!("invalid allowlist regex `{r}`: {e}"))
        })
        .collect::<std::result::Result<_, _>>()?;
    let paths = spec
        .paths
        .iter()
        .map(|p| regex::Regex::new(p).map_err(|e| format!("invalid allowlist path `{p}`: {e}")))
        .collect::<std::result::Result<_, _>>()?;
    let target = match spec.regex_target.as_deref() {
        None | Some("secret") => AllowTarget::Secret,
        Some("match") => AllowTarget::Match,
        Some("line") => AllowTarget::Line,
        Some(other) => {
            return Err(format!(
                "unknown regexTarget `{other}`: expected secret, match or line"
            ))
        }
    };
    let all = match spec.condition.as_deref() {
        None => false,
        Some(c) if c.eq_ignore_ascii_case("or") => false,
        Some(c) if c.eq_ignore_ascii_case("and") => true,
        Some(other) => {
            return Err(format!(
                "unknown allowlist condition `{other}`: expected OR or AND"
            ))
        }
    };
    Ok(Allowlist {
        regexes,
        target,
        stopwords: spec
            .stopwords
            .iter()
            .map(|w| w.to_ascii_lowercase())
            .collect(),
        paths,
        all,
    })
}
