//! The HTML view: one self-contained page (`docs/reference/report-format.md`). The run, tiles, SVG charts
//! (`svg`), unused keys, skipped and unreadable inputs are written here as static HTML; the
//! key table is drawn by the inline script from an inline JSON blob, so 10,000 keys stay
//! usable (sorted, filtered, paginated in the page). A Content-Security-Policy forbids every
//! request, and no secret value is ever written: the blob is built from fields that cannot
//! hold one, whatever `--show-secrets` put in the report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::markup::{escape, page_start, script_json, PAGE_CSS};
use super::svg::{bar_chart, figure, Bar};
use super::text::plural;
use super::{KeyEntry, Report, HISTORY_ONLY};
use crate::verify::Status;

/// The report's own rules, after [`PAGE_CSS`].
const CSS: &str = include_str!("html.css");
const SCRIPT: &str = include_str!("html.js");

/// Privilege tiers, lowest first.
const TIERS: [&str; 5] = ["public", "read", "scoped", "full", "admin"];

fn tier_color(tier: &str) -> &'static str {
    match tier {
        "public" => "#7cb386",
        "read" => "#5b9bd5",
        "scoped" => "#e8a33d",
        "full" => "#d9534f",
        "admin" => "#8e1b1b",
        _ => "#888888",
    }
}

fn class_color(class: &str) -> &'static str {
    match class {
        "unknown" => "#c0392b",
        "stale" => "#d68910",
        "over-privileged" => "#8e44ad",
        "unused" => "#7f8c8d",
        _ => "#888888",
    }
}

/// One location in the page's data.
#[derive(Serialize)]
struct Loc<'a> {
    s: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rp: Option<&'a str>,
    p: &'a str,
    n: usize,
    col: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    cm: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    v: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dc: Option<&'a str>,
}

/// One key in the page's data. Deliberately has no field that could carry the secret.
#[derive(Serialize)]
struct Row<'a> {
    p: &'a str,
    r: &'a str,
    k: &'static str,
    h: &'a str,
    v: &'static str,
    ve: &'a str,
    e: &'static str,
    a: Option<i64>,
    f: Vec<&'static str>,
    rs: &'a [String],
    w: &'a [String],
    d: Option<&'a str>,
    ow: Option<&'a str>,
    id: Option<&'a str>,
    fp: &'a str,
    x: Option<&'a str>,
    c: bool,
    o: Option<&'a str>,
    l: Vec<Loc<'a>>,
}

/// The page's data blob.
#[derive(Serialize)]
struct Data<'a> {
    audited: bool,
    tiers: [&'static str; 5],
    history_only: &'static str,
    keys: Vec<Row<'a>>,
}

fn row<'a>(key: &'a KeyEntry, generated_at: Option<jiff::Timestamp>) -> Row<'a> {
    let audit = key.audit.as_ref();
    Row {
        p: &key.provider,
        r: &key.rule,
        k: key.kind.as_str(),
        h: &key.redacted,
        v: key.privilege.as_str(),
        ve: &key.privilege_evidence,
        e: key.environment.as_str(),
        a: key.age_days(generated_at),
        f: audit
            .map(|a| a.flags.iter().map(|f| f.as_str()).collect())
            .unwrap_or_default(),
        rs: audit.map_or(&[], |a| a.reasons.as_slice()),
        w: audit.map_or(&[], |a| a.warnings.as_slice()),
        d: audit.and_then(|a| a.declared_as.as_deref()),
        ow: key.owner(),
        id: key.key_id.as_deref(),
        fp: &key.fingerprint,
        x: key.expires.as_deref(),
        c: key.in_current_tree,
        o: key.rotate.as_deref().filter(|u| u.starts_with("https://")),
        l: key
            .locations
            .iter()
            .map(|l| Loc {
                s: super::cyclonedx::source_name(l),
                rp: l.repo.as_deref(),
                p: &l.path,
                n: l.line,
                col: l.column,
                cm: l.commit.as_deref(),
                v: l.variable.as_deref(),
                dc: l.decoded.as_deref(),
            })
            .collect(),
    }
}

/// The age bucket of a key, for the age chart.
fn age_bucket(days: Option<i64>) -> &'static str {
    match days {
        None => "unknown",
        Some(d) if d < 90 => "< 90 days",
        Some(d) if d < 365 => "90 days – 1 year",
        Some(d) if d < 730 => "1 – 2 years",
        Some(_) => "> 2 years",
    }
}

const AGE_BUCKETS: [&str; 5] = [
    "< 90 days",
    "90 days – 1 year",
    "1 – 2 years",
    "> 2 years",
    "unknown",
];

/// The four charts.
fn charts(report: &Report, ages: &[Option<i64>]) -> String {
    let mut providers: Vec<(&String, &usize)> = report.summary.by_provider.iter().collect();
    providers.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let mut provider_bars: Vec<Bar> = providers
        .iter()
        .take(12)
        .map(|(p, n)| Bar {
            label: (*p).clone(),
            count: **n,
            color: "#4a7ab5",
        })
        .collect();
    let rest: usize = providers.iter().skip(12).map(|(_, n)| **n).sum();
    if rest > 0 {
        provider_bars.push(Bar {
            label: format!("{} others", providers.len() - 12),
            count: rest,
            color: "#9aa9bd",
        });
    }
    let tier_bars: Vec<Bar> = TIERS
        .iter()
        .map(|t| Bar {
            label: (*t).to_string(),
            count: report
                .summary
                .by_privilege
                .iter()
                .find(|(tier, _)| tier.as_str() == *t)
                .map_or(0, |(_, n)| *n),
            color: tier_color(t),
        })
        .collect();
    let mut by_age: BTreeMap<&str, usize> = BTreeMap::new();
    for days in ages {
        *by_age.entry(age_bucket(*days)).or_insert(0) += 1;
    }
    let age_bars: Vec<Bar> = AGE_BUCKETS
        .iter()
        .map(|b| Bar {
            label: (*b).to_string(),
            count: by_age.get(b).copied().unwrap_or(0),
            color: "#6b8e9f",
        })
        .collect();
    let class_chart = match &report.summary.flagged {
        Some(flagged) => {
            let mut bars: Vec<Bar> = flagged
                .iter()
                .map(|(c, n)| Bar {
                    label: (*c).to_string(),
                    count: *n,
                    color: class_color(c),
                })
                .collect();
            let clean = report
                .keys
                .iter()
                .filter(|k| k.audit.as_ref().is_some_and(|a| a.flags.is_empty()))
                .count();
            bars.push(Bar {
                label: "as declared".into(),
                count: clean,
                color: "#3c8d5a",
            });
            bar_chart("keys by audit class", &bars)
        }
        None => "<p class=\"muted\">Not audited: run <code>keyaudit audit</code> to sort keys into audit classes.</p>".into(),
    };
    let mut out = String::from("<section class=\"charts\">");
    for (title, svg) in [
        (
            "Keys by provider",
            bar_chart("keys by provider", &provider_bars),
        ),
        (
            "Keys by privilege tier",
            bar_chart("keys by privilege tier", &tier_bars),
        ),
        ("Keys by age", bar_chart("keys by age", &age_bars)),
        ("Keys by audit class", class_chart),
    ] {
        out.push_str(&figure(title, &svg));
    }
    out.push_str("</section>");
    out
}

fn tile(out: &mut String, name: &str, count: usize, class: &str) {
    let _ = write!(
        out,
        r#"<div class="tile {class}" data-tile="{name}"><span class="n">{count}</span><span class="l">{name}</span></div>"#,
        class = if count > 0 { class } else { "" },
        name = escape(name),
    );
}

/// The run header: what was read, when, and whether all of it could be.
fn header(report: &Report) -> String {
    let scan = &report.scan;
    let summary = &report.summary;
    let mut out = String::new();
    let _ = write!(
        out,
        "<header><h1>{}</h1><dl class=\"run\">",
        escape(&report.title())
    );
    let mut repos: Vec<&str> = report
        .keys
        .iter()
        .flat_map(|k| k.locations.iter().filter_map(|l| l.repo.as_deref()))
        .collect();
    repos.sort_unstable();
    repos.dedup();
    let roots = scan
        .roots
        .iter()
        .map(|r| format!("<code>{}</code>", escape(r)))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(repository) = &scan.repository {
        let _ = write!(
            out,
            "<dt>repository</dt><dd id=\"repository\"><strong>{}</strong>",
            escape(&repository.name)
        );
        if let Some(remote) = &repository.remote {
            let _ = write!(out, " · <code>{}</code>", escape(remote));
        }
        if let Some(branch) = &repository.branch {
            let _ = write!(out, " · branch <code>{}</code>", escape(branch));
        }
        if let Some(commit) = &repository.commit {
            let _ = write!(out, " · commit <code>{}</code>", escape(commit));
        }
        out.push_str("</dd>");
    }
    let _ = write!(out, "<dt>roots</dt><dd>{roots}</dd>");
    if !repos.is_empty() {
        let list = repos
            .iter()
            .map(|r| format!("<code>{}</code>", escape(r)))
            .collect::<Vec<_>>()
            .join(" ");
        let _ = write!(
            out,
            "<dt>repositories with keys</dt><dd>{} · {list}</dd>",
            repos.len()
        );
    }
    let _ = write!(
        out,
        "<dt>generated</dt><dd><time>{}</time></dd>",
        escape(&report.generated_at)
    );
    let _ = write!(
        out,
        "<dt>complete</dt><dd id=\"complete\" class=\"{}\">{}</dd>",
        if summary.complete { "ok" } else { "bad" },
        if summary.complete {
            "yes: every input was read".to_string()
        } else {
            format!(
                "NO: {} input{} could not be read",
                summary.errors,
                plural(summary.errors)
            )
        }
    );
    if let Some(manifest) = &summary.manifest {
        let _ = write!(
            out,
            "<dt>manifest</dt><dd><code>{}</code></dd>",
            escape(manifest)
        );
    }
    let _ = write!(
        out,
        "<dt>read</dt><dd>{} files · {} bytes · {} blobs · {} commits · {} ms</dd>",
        scan.files, scan.bytes, scan.blobs, scan.commits, scan.duration_ms
    );
    let _ = write!(
        out,
        "<dt>tool</dt><dd>{} {} · salt id <code>{}</code></dd></dl></header>",
        escape(report.tool.name),
        escape(report.tool.version),
        escape(&scan.salt_id)
    );
    out
}

fn tiles(report: &Report) -> String {
    let summary = &report.summary;
    let mut out = String::from("<section class=\"tiles\">");
    tile(&mut out, "keys", summary.keys, "");
    tile(&mut out, "locations", summary.locations, "");
    let history_only = report.keys.iter().filter(|k| !k.in_current_tree).count();
    tile(&mut out, "history only", history_only, "warn");
    if let Some(flagged) = &summary.flagged {
        for (class, count) in flagged {
            tile(&mut out, class, *count, "bad");
        }
    }
    if report.is_verified() {
        let count = |status: Status| {
            report
                .keys
                .iter()
                .filter(|k| k.verification.as_ref().is_some_and(|v| v.status == status))
                .count()
        };
        tile(&mut out, "verified live", count(Status::Live), "bad");
        tile(&mut out, "verified dead", count(Status::Dead), "");
        tile(&mut out, "verify errors", count(Status::Error), "warn");
    }
    tile(&mut out, "skipped", summary.skipped, "");
    tile(&mut out, "unreadable", summary.errors, "bad");
    tile(&mut out, "allowed", summary.allowed, "");
    out.push_str("</section>");
    out
}

/// A static table section, or nothing when there are no rows.
fn section(id: &str, title: &str, head: &[&str], rows: Vec<Vec<String>>, open: bool) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<section id=\"{id}\"><details{}><summary><h2>{title} ({})</h2></summary><table><thead><tr>",
        if open { " open" } else { "" },
        rows.len()
    );
    for h in head {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(&cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></details></section>");
    out
}

/// The verification section (`--verify`): what each key's provider answered, in the order of
/// the key table; nothing when no key was verified.
fn verification(keys: &[&KeyEntry]) -> String {
    section(
        "verification",
        "Verification",
        &[
            "key", "provider", "rule", "status", "asked", "identity", "scopes", "expires", "note",
            "checked",
        ],
        keys.iter()
            .filter_map(|k| k.verification.as_ref().map(|v| (k, v)))
            .map(|(k, v)| {
                vec![
                    k.name().to_string(),
                    k.provider.clone(),
                    k.rule.clone(),
                    v.status.as_str().to_string(),
                    v.endpoint.clone().unwrap_or_default(),
                    v.identity.clone().unwrap_or_default(),
                    v.scopes.as_ref().map(|s| s.join(", ")).unwrap_or_default(),
                    v.expires.clone().unwrap_or_default(),
                    v.note.clone().unwrap_or_default(),
                    v.checked_at.to_string(),
                ]
            })
            .collect(),
        true,
    )
}

/// Renders `report` as one HTML page.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let audited = report.summary.flagged.is_some();
    let generated_at: Option<jiff::Timestamp> = report.generated_at.parse().ok();
    let keys = report.keys_for_people();
    let rows: Vec<Row> = keys.iter().map(|k| row(k, generated_at)).collect();
    let ages: Vec<Option<i64>> = rows.iter().map(|r| r.a).collect();
    let data = Data {
        audited,
        tiers: TIERS,
        history_only: HISTORY_ONLY,
        keys: rows,
    };
    let mut page = page_start(&report.title(), &[PAGE_CSS, CSS]);
    page.push_str(&header(report));
    page.push_str(&tiles(report));
    page.push_str(&charts(report, &ages));
    page.push_str(concat!(
        "<section id=\"keys\"><h2>Keys</h2>",
        "<div class=\"controls\"><input id=\"q\" type=\"search\" placeholder=\"filter: provider, rule, path, reason…\" aria-label=\"filter\">",
        "<select id=\"provider\" aria-label=\"provider\"><option value=\"\">any provider</option></select>",
        "<select id=\"privilege\" aria-label=\"privilege\"><option value=\"\">any privilege</option></select>",
        "<select id=\"environment\" aria-label=\"environment\"><option value=\"\">any environment</option></select>",
        "<select id=\"flag\" aria-label=\"flag\"><option value=\"\">any flag</option></select>",
        "<select id=\"per\" aria-label=\"rows per page\"><option>50</option><option selected>200</option><option>1000</option><option value=\"all\">all</option></select>",
        "<span id=\"count\"></span></div>",
        "<table id=\"keytable\"><thead><tr>",
        "<th data-col=\"p\">provider</th><th data-col=\"r\">rule</th><th data-col=\"h\">key</th>",
        "<th data-col=\"v\">privilege</th><th data-col=\"e\">environment</th><th data-col=\"a\">age</th>",
        "<th data-col=\"f\">flags and reasons</th><th data-col=\"l\">locations</th><th data-col=\"d\">declared as</th><th data-col=\"ow\">owner</th>",
        "</tr></thead><tbody></tbody></table><nav id=\"pager\"></nav>",
        "<noscript><p>The key table needs JavaScript; the JSON and Markdown reports hold the same keys.</p></noscript></section>"
    ));
    page.push_str(&verification(&keys));
    page.push_str(&section(
        "unused",
        "Declared keys found nowhere",
        &["id", "rule", "owner", "reason"],
        report
            .unused
            .iter()
            .map(|u| {
                vec![
                    u.id.clone(),
                    u.rule.clone().unwrap_or_default(),
                    u.owner.clone().unwrap_or_default(),
                    u.reason.clone(),
                ]
            })
            .collect(),
        true,
    ));
    page.push_str(&section(
        "managed",
        "Centrally managed secrets (ExternalSecrets)",
        &["secret"],
        report
            .managed
            .iter()
            .map(|m| vec![super::table::describe_managed(m)])
            .collect(),
        false,
    ));
    page.push_str(&section(
        "unmatched",
        "Evidence that matches no key",
        &["subject", "exports"],
        report
            .unmatched_evidence
            .iter()
            .map(|u| vec![u.subject.clone(), u.sources.join(", ")])
            .collect(),
        false,
    ));
    page.push_str(&section(
        "errors",
        "Inputs that could not be read",
        &["path", "error"],
        report
            .scan
            .errors
            .iter()
            .map(|e| vec![e.path.clone(), e.message.clone()])
            .collect(),
        true,
    ));
    page.push_str(&section(
        "skipped",
        "Inputs skipped",
        &["path", "reason"],
        report
            .scan
            .skipped
            .iter()
            .map(|s| vec![s.path.clone(), s.reason.clone()])
            .collect(),
        false,
    ));
    let _ = write!(
        page,
        "<footer>keyaudit {} · no secret value is ever written to this page</footer>",
        escape(report.tool.version)
    );
    let _ = writeln!(
        page,
        "<script type=\"application/json\" id=\"keyaudit-data\">{}</script><script>{}</script></body></html>",
        script_json(&data),
        SCRIPT
    );
    out.write_all(page.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_fall_in_buckets() {
        assert_eq!(age_bucket(Some(10)), "< 90 days");
        assert_eq!(age_bucket(Some(200)), "90 days – 1 year");
        assert_eq!(age_bucket(Some(400)), "1 – 2 years");
        assert_eq!(age_bucket(Some(1000)), "> 2 years");
        assert_eq!(age_bucket(None), "unknown");
    }
}
