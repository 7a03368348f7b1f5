//! `db report --format html`: one self-contained page that opens offline, drawn with the
//! views' shared kit (the page start and its Content-Security-Policy, the stylesheet, escaping
//! and the SVG charts of [`crate::report`]'s `markup`, `svg` and `text`) plus a few lines of
//! inline JavaScript for sorting and filtering: no request leaves it. Trend charts over runs
//! (keys, and each audit class, per run), the time open of resolved keys, the runs, and every
//! key with its status. Never a secret value: the views it renders hold none.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::query::{History, RunView, Status};
use super::render::{short_id, verified_since, ReportView};
use crate::report::markup::{escape as esc, page_start, PAGE_CSS};
use crate::report::svg::{bar_chart, figure, line_chart, Bar, Line};
use crate::report::text::{day, or_dash, plural};

/// This page's rules, after [`PAGE_CSS`]: sortable tables, numbers to the right, key status.
const CSS: &str = "
h2 { display: block; }
table.sortable th { cursor: pointer; user-select: none; white-space: nowrap; }
td.num, th.num { text-align: right; }
.status-open { color: var(--bad); font-weight: 600; } .status-resolved { color: var(--ok); }
.tile.ok .n { color: var(--ok); }
details summary { cursor: pointer; }
";

/// Sorting by a clicked header and filtering rows by a search box; nothing else.
const SCRIPT: &str = "
document.querySelectorAll('table.sortable').forEach(function(t){
  t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
    var rows=Array.from(t.tBodies[0].rows),asc=th.dataset.dir!=='asc';th.dataset.dir=asc?'asc':'desc';
    var num=th.classList.contains('num');
    rows.sort(function(a,b){var x=a.cells[i].dataset.v||a.cells[i].textContent,y=b.cells[i].dataset.v||b.cells[i].textContent;
      var c=num?(parseFloat(x)||0)-(parseFloat(y)||0):x.localeCompare(y);return asc?c:-c;});
    rows.forEach(function(r){t.tBodies[0].appendChild(r);});});});});
var f=document.getElementById('filter');
if(f){f.addEventListener('input',function(){var q=f.value.toLowerCase();
  document.querySelectorAll('#keys tbody tr').forEach(function(r){r.hidden=r.textContent.toLowerCase().indexOf(q)>=0?false:true;});});}
document.body.dataset.ready='true';
";

/// Colours of the series: keys, then the audit classes.
const COLOURS: [&str; 5] = ["#2f6db5", "#c0392b", "#d68910", "#8e44ad", "#7f8c8d"];

/// A line chart of `lines` over `runs`: each point is a run, named by its time.
fn runs_chart(title: &str, runs: &[&RunView], lines: Vec<Line>) -> String {
    let points: Vec<String> = runs.iter().map(|r| r.generated_at.clone()).collect();
    let ends = match (runs.first(), runs.last()) {
        (Some(first), Some(last)) => (day(&first.generated_at), day(&last.generated_at)),
        _ => ("", ""),
    };
    figure(title, &line_chart(title, &points, ends, &lines))
}

/// A line named `name` of colour `color`, with one value per run.
fn line(name: &str, color: &'static str, values: Vec<Option<u64>>) -> Line {
    Line {
        name: name.to_string(),
        color,
        values,
    }
}

/// Resolved keys by how long they stayed open: `days_open` holds the days of each resolved key.
fn days_open_buckets(days_open: impl IntoIterator<Item = i64>) -> Vec<Bar> {
    let mut buckets = [
        ("0 d", 0),
        ("1-7", 0),
        ("8-30", 0),
        ("31-90", 0),
        ("91-365", 0),
        ("> 365", 0),
    ];
    for days in days_open {
        let slot = match days {
            0 => 0,
            1..=7 => 1,
            8..=30 => 2,
            31..=90 => 3,
            91..=365 => 4,
            _ => 5,
        };
        buckets[slot].1 += 1;
    }
    buckets
        .into_iter()
        .map(|(label, count)| Bar {
            label: label.to_string(),
            count,
            color: "#1e824c",
        })
        .collect()
}

/// A tile: a number and what it counts, coloured by `class` (`bad`, `ok`) unless it is zero.
fn tile(class: &str, value: impl std::fmt::Display, label: &str) -> String {
    let value = value.to_string();
    let class = if value == "0" { "" } else { class };
    format!(
        "<div class=\"tile {class}\"><span class=\"n\">{}</span><span class=\"l\">{}</span></div>",
        esc(&value),
        esc(label)
    )
}

/// Renders the page.
pub fn render(view: &ReportView<'_>, history: &History, out: &mut dyn Write) -> io::Result<()> {
    let runs = &view.runs;
    let open = view.open();
    let resolved = view.keys.len() - open;
    let latest = history.runs.len().checked_sub(1);
    let new = history
        .keys
        .iter()
        .filter(|k| Some(k.first_index) == latest)
        .count();
    let mut days: Vec<i64> = view
        .keys
        .iter()
        .filter(|k| k.status == Status::Resolved)
        .map(|k| k.days_open)
        .collect();
    days.sort_unstable();
    let median = days
        .get(days.len() / 2)
        .map_or_else(|| "-".to_string(), |d| format!("{d} d"));

    let title = "keyaudit: keys over time";
    let mut page = page_start(title, &[PAGE_CSS, CSS]);
    page.reserve(64 * 1024 + view.keys.len() * 600);
    let _ = write!(page, "<header><h1>{}</h1><p class=\"muted\">", esc(title));
    match (runs.first(), runs.last()) {
        (Some(first), Some(last)) => {
            let _ = write!(
                page,
                "{} run{} from {} to {}",
                runs.len(),
                plural(runs.len()),
                esc(&first.generated_at),
                esc(&last.generated_at)
            );
        }
        _ => page.push_str("no runs in this period"),
    }
    if let Some(salt) = view.salt_id {
        let _ = write!(
            page,
            " · fingerprints keyed by salt id <code>{}</code>",
            esc(salt)
        );
    }
    page.push_str("</p></header><section class=\"tiles\">");
    page.push_str(&tile("", runs.len(), "runs"));
    page.push_str(&tile("", view.keys.len(), "keys"));
    page.push_str(&tile("bad", open, "open"));
    page.push_str(&tile("ok", resolved, "resolved"));
    page.push_str(&tile("bad", new, "new in the latest run"));
    page.push_str(&tile("", &median, "median days open (resolved)"));
    page.push_str("</section>");

    page.push_str("<h2>Trends</h2><section class=\"charts\">");
    let keys_lines = vec![
        line(
            "keys seen",
            COLOURS[0],
            runs.iter().map(|r| Some(r.counts.keys)).collect(),
        ),
        line(
            "open after the run",
            COLOURS[1],
            runs.iter().map(|r| Some(r.open)).collect(),
        ),
    ];
    page.push_str(&runs_chart("Keys per run", runs, keys_lines));
    if runs.iter().any(|r| r.counts.unknown.is_some()) {
        let classes = vec![
            line(
                "unknown",
                COLOURS[1],
                runs.iter().map(|r| r.counts.unknown).collect(),
            ),
            line(
                "stale",
                COLOURS[2],
                runs.iter().map(|r| r.counts.stale).collect(),
            ),
            line(
                "over-privileged",
                COLOURS[3],
                runs.iter().map(|r| r.counts.over_privileged).collect(),
            ),
            line(
                "unused",
                COLOURS[4],
                runs.iter().map(|r| r.counts.unused).collect(),
            ),
        ];
        page.push_str(&runs_chart("Audit classes per run", runs, classes));
    } else {
        page.push_str(&figure("Audit classes per run", "<p class=\"muted\">No audit reports recorded: ingest reports of <code>keyaudit audit</code> to chart unknown, stale, over-privileged and unused keys.</p>"));
    }
    let title = "Resolved keys by days open";
    page.push_str(&figure(
        title,
        &bar_chart(title, &days_open_buckets(days.iter().copied())),
    ));
    page.push_str("</section>");

    page.push_str("<h2>Runs</h2><table class=\"sortable\"><thead><tr><th>run</th><th>generated at</th><th>kind</th><th>complete</th><th>scope</th><th class=\"num\">keys</th><th class=\"num\">open</th><th class=\"num\">unknown</th><th class=\"num\">stale</th><th class=\"num\">over-privileged</th><th class=\"num\">unused</th></tr></thead><tbody>");
    for run in runs.iter().rev() {
        let _ = write!(
            page,
            "<tr><td><code title=\"{}\">{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&run.id),
            esc(short_id(&run.id)),
            esc(&run.generated_at),
            esc(&run.kind),
            if run.complete { "yes" } else { "<b>no</b>" },
            esc(&run.scope.join(", ")),
            run.counts.keys,
            run.open,
            or_dash(run.counts.unknown),
            or_dash(run.counts.stale),
            or_dash(run.counts.over_privileged),
            or_dash(run.counts.unused)
        );
    }
    page.push_str("</tbody></table>");

    page.push_str("<h2>Keys</h2><div class=\"controls\"><input type=\"search\" id=\"filter\" placeholder=\"filter keys (provider, rule, path, status…)\" aria-label=\"filter keys\"></div>");
    let verified = view.keys.iter().any(|k| k.verification.is_some());
    let _ = write!(
        page,
        "<table class=\"sortable\" id=\"keys\"><thead><tr><th>status</th><th>provider</th><th>rule</th><th>key</th><th>privilege</th>{}<th>declared as</th><th>first seen</th><th>last seen</th><th class=\"num\">days open</th><th>where (latest run)</th></tr></thead><tbody>",
        if verified { "<th>verified</th>" } else { "" }
    );
    for key in &view.keys {
        let status = key.status.as_str();
        let mut places = String::new();
        for l in &key.locations {
            let _ = write!(
                places,
                "<div><code>{}{}:{}{}</code></div>",
                l.repo
                    .as_deref()
                    .map(|r| format!("{}:", esc(r)))
                    .unwrap_or_default(),
                esc(&l.path),
                l.line,
                l.commit
                    .as_deref()
                    .map(|c| format!(" @{}", esc(c.get(..12).unwrap_or(c))))
                    .unwrap_or_default()
            );
        }
        let where_cell = match key.locations.len() {
            0 => "-".to_string(),
            1 => places,
            n => format!("<details><summary>{n} locations</summary>{places}</details>"),
        };
        let _ = write!(
            page,
            "<tr><td class=\"status-{status}\">{status}{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td>{}<td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{where_cell}</td></tr>",
            if key.reopened > 0 {
                format!(" <span class=\"muted\">(reopened {}×)</span>", key.reopened)
            } else {
                String::new()
            },
            esc(&key.provider),
            esc(&key.rule),
            esc(&key.redacted),
            esc(&key.privilege),
            if verified {
                format!("<td>{}</td>", esc(&verified_since(key)))
            } else {
                String::new()
            },
            esc(key.declared_as.as_deref().unwrap_or("-")),
            esc(&key.first_seen),
            esc(&key.last_seen),
            key.days_open
        );
    }
    page.push_str("</tbody></table><p class=\"muted\">A key is <b>open</b> while the latest run covering where it was seen still sees it, and <b>resolved</b> once a later complete run covering the same repository or directory (by its origin, root commit or path, not by how it was named) no longer does. Days open run from when it was (re)opened to when it was resolved, or to the latest run.</p>");
    page.push_str("<script>");
    page.push_str(SCRIPT);
    page.push_str("</script></body></html>\n");
    out.write_all(page.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolved_keys_fall_in_their_bucket() {
        let counts: Vec<(String, usize)> = days_open_buckets([0, 7, 8, 40, 365, 366, 4000])
            .into_iter()
            .map(|b| (b.label, b.count))
            .collect();
        let expected = [
            ("0 d", 1),
            ("1-7", 1),
            ("8-30", 1),
            ("31-90", 1),
            ("91-365", 1),
            ("> 365", 2),
        ];
        assert_eq!(counts, expected.map(|(l, n)| (l.to_string(), n)));
    }
}
