//! `db report --format html`: one self-contained page (inline CSS, a few lines of inline
//! JavaScript for sorting and filtering, SVG charts drawn here) that opens offline: no request
//! leaves it. Trend charts over runs (keys, and each audit class, per run), the time open of
//! resolved keys, the runs, and every key with its status. Never a secret value: the views it
//! renders hold none.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::query::{History, KeyView, RunView, Status};
use super::render::{short_id, ReportView};
use crate::report::markup::escape as esc;

const STYLE: &str = "
:root{--fg:#1d2330;--muted:#5b6475;--line:#d8dde6;--bg:#f6f7f9;--card:#fff;--open:#c0392b;--ok:#1e824c}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.muted{color:var(--muted)}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:18px 0}
.tile{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;min-width:130px}
.tile b{display:block;font-size:24px}.tile.open b{color:var(--open)}.tile.resolved b{color:var(--ok)}
.charts{display:flex;flex-wrap:wrap;gap:16px}
.chart{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px}
.chart h3{font-size:14px;margin:0 0 6px}
svg text{font:11px system-ui,sans-serif;fill:var(--muted)}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line)}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef1f5;cursor:pointer;user-select:none;white-space:nowrap}
td.num,th.num{text-align:right}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
.status-open{color:var(--open);font-weight:600}.status-resolved{color:var(--ok)}
.legend span{margin-right:12px;white-space:nowrap}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
input[type=search]{padding:6px 8px;border:1px solid var(--line);border-radius:6px;width:320px;margin-bottom:8px}
details summary{cursor:pointer}
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
  document.querySelectorAll('#keys tbody tr').forEach(function(r){r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';});});}
";

/// Colours of the series: keys, then the audit classes.
const COLOURS: [&str; 5] = ["#2f6db5", "#c0392b", "#d68910", "#8e44ad", "#7f8c8d"];

/// One series of a line chart: a name, a colour, a value per run (none: not measured).
struct Series<'a> {
    name: &'a str,
    colour: &'a str,
    values: Vec<Option<u64>>,
}

/// A line chart of `series` over `runs` (evenly spaced, oldest on the left).
fn line_chart(title: &str, runs: &[&RunView], series: &[Series<'_>]) -> String {
    let (w, h, left, right, top, bottom) = (560.0, 220.0, 44.0, 12.0, 10.0, 34.0);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let n = runs.len();
    let x = |i: usize| {
        if n <= 1 {
            left + (w - left - right) / 2.0
        } else {
            left + (w - left - right) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: u64| top + (h - top - bottom) * (1.0 - v as f64 / max as f64);
    let mut svg = format!(
        "<div class=\"chart\"><h3>{}</h3><svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        esc(title)
    );
    for tick in [0, max / 2, max] {
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e3e7ee\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{tick}</text>",
            w - right,
            left - 6.0,
            y(tick) + 4.0,
            y = y(tick)
        );
    }
    if let (Some(first), Some(last)) = (runs.first(), runs.last()) {
        let _ = write!(
            svg,
            "<text x=\"{left}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            h - 10.0,
            esc(first.generated_at.get(..10).unwrap_or_default()),
            w - right,
            h - 10.0,
            esc(last.generated_at.get(..10).unwrap_or_default())
        );
    }
    for s in series {
        // Runs without a value (scans, in the audit chart) break the line.
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{:.1},{:.1}",
                        if pen_down { " L" } else { " M" },
                        x(i),
                        y(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                svg,
                "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
                path.trim_start(),
                s.colour
            );
        }
        if n <= 120 {
            for (i, v) in s.values.iter().enumerate() {
                if let Some(v) = v {
                    let _ = write!(
                        svg,
                        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"><title>{}: {v} ({})</title></circle>",
                        x(i),
                        y(*v),
                        s.colour,
                        esc(s.name),
                        esc(&runs[i].generated_at)
                    );
                }
            }
        }
    }
    svg.push_str("</svg><div class=\"legend\">");
    for s in series {
        let _ = write!(
            svg,
            "<span><i style=\"background:{}\"></i>{}</span>",
            s.colour,
            esc(s.name)
        );
    }
    svg.push_str("</div></div>");
    svg
}

/// A bar chart of labelled counts.
fn bar_chart(title: &str, bars: &[(&str, u64)]) -> String {
    let (w, h, left, bottom, top) = (420.0, 230.0, 36.0, 34.0, 20.0);
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let slot = (w - left - 8.0) / bars.len().max(1) as f64;
    let mut svg = format!(
        "<div class=\"chart\"><h3>{}</h3><svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        esc(title)
    );
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{max}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>",
        left - 6.0,
        top + 4.0,
        left - 6.0,
        h - bottom + 4.0
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let bar_h = (h - top - bottom) * *value as f64 / max as f64;
        let bx = left + slot * i as f64 + slot * 0.15;
        let _ = write!(
            svg,
            "<rect x=\"{bx:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bar_h:.1}\" fill=\"#1e824c\"><title>{}: {value}</title></rect><text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{value}</text>",
            h - bottom - bar_h,
            slot * 0.7,
            esc(label),
            bx + slot * 0.35,
            h - bottom + 16.0,
            esc(label),
            bx + slot * 0.35,
            h - bottom - bar_h - 4.0
        );
    }
    svg.push_str("</svg></div>");
    svg
}

/// Resolved keys by how long they stayed open.
fn days_open_buckets(keys: &[&KeyView]) -> Vec<(&'static str, u64)> {
    let mut buckets = vec![
        ("0 d", 0),
        ("1-7", 0),
        ("8-30", 0),
        ("31-90", 0),
        ("91-365", 0),
        ("> 365", 0),
    ];
    for key in keys.iter().filter(|k| k.status == Status::Resolved) {
        let slot = match key.days_open {
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
}

fn tile(class: &str, value: impl std::fmt::Display, label: &str) -> String {
    format!(
        "<div class=\"tile {class}\"><b>{value}</b><span class=\"muted\">{}</span></div>",
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

    let mut page = String::with_capacity(64 * 1024 + view.keys.len() * 600);
    page.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    page.push_str("<title>keyaudit: keys over time</title><style>");
    page.push_str(STYLE);
    page.push_str("</style></head><body>");
    page.push_str("<h1>keyaudit: keys over time</h1><p class=\"muted\">");
    match (runs.first(), runs.last()) {
        (Some(first), Some(last)) => {
            let _ = write!(
                page,
                "{} run{} from {} to {}",
                runs.len(),
                if runs.len() == 1 { "" } else { "s" },
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
    page.push_str("</p><div class=\"tiles\">");
    page.push_str(&tile("", runs.len(), "runs"));
    page.push_str(&tile("", view.keys.len(), "keys"));
    page.push_str(&tile("open", open, "open"));
    page.push_str(&tile("resolved", resolved, "resolved"));
    page.push_str(&tile("open", new, "new in the latest run"));
    page.push_str(&tile("", &median, "median days open (resolved)"));
    page.push_str("</div>");

    page.push_str("<h2>Trends</h2><div class=\"charts\">");
    let keys_series = [
        Series {
            name: "keys seen",
            colour: COLOURS[0],
            values: runs.iter().map(|r| Some(r.counts.keys)).collect(),
        },
        Series {
            name: "open after the run",
            colour: COLOURS[1],
            values: runs.iter().map(|r| Some(r.open)).collect(),
        },
    ];
    page.push_str(&line_chart("Keys per run", runs, &keys_series));
    if runs.iter().any(|r| r.counts.unknown.is_some()) {
        let classes = [
            Series {
                name: "unknown",
                colour: COLOURS[1],
                values: runs.iter().map(|r| r.counts.unknown).collect(),
            },
            Series {
                name: "stale",
                colour: COLOURS[2],
                values: runs.iter().map(|r| r.counts.stale).collect(),
            },
            Series {
                name: "over-privileged",
                colour: COLOURS[3],
                values: runs.iter().map(|r| r.counts.over_privileged).collect(),
            },
            Series {
                name: "unused",
                colour: COLOURS[4],
                values: runs.iter().map(|r| r.counts.unused).collect(),
            },
        ];
        page.push_str(&line_chart("Audit classes per run", runs, &classes));
    } else {
        page.push_str("<div class=\"chart\"><h3>Audit classes per run</h3><p class=\"muted\">No audit reports recorded: ingest reports of <code>keyaudit audit</code> to chart unknown, stale, over-privileged and unused keys.</p></div>");
    }
    page.push_str(&bar_chart(
        "Resolved keys by days open",
        &days_open_buckets(&view.keys),
    ));
    page.push_str("</div>");

    page.push_str("<h2>Runs</h2><table class=\"sortable\"><thead><tr><th>run</th><th>generated at</th><th>kind</th><th>complete</th><th>scope</th><th class=\"num\">keys</th><th class=\"num\">open</th><th class=\"num\">unknown</th><th class=\"num\">stale</th><th class=\"num\">over-privileged</th><th class=\"num\">unused</th></tr></thead><tbody>");
    let count = |v: Option<u64>| v.map_or_else(|| "-".to_string(), |n| n.to_string());
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
            count(run.counts.unknown),
            count(run.counts.stale),
            count(run.counts.over_privileged),
            count(run.counts.unused)
        );
    }
    page.push_str("</tbody></table>");

    page.push_str("<h2>Keys</h2><input type=\"search\" id=\"filter\" placeholder=\"filter keys (provider, rule, path, status…)\">");
    page.push_str("<table class=\"sortable\" id=\"keys\"><thead><tr><th>status</th><th>provider</th><th>rule</th><th>key</th><th>privilege</th><th>declared as</th><th>first seen</th><th>last seen</th><th class=\"num\">days open</th><th>where (latest run)</th></tr></thead><tbody>");
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
            "<tr><td class=\"status-{status}\">{status}{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{where_cell}</td></tr>",
            if key.reopened > 0 {
                format!(" <span class=\"muted\">(reopened {}×)</span>", key.reopened)
            } else {
                String::new()
            },
            esc(&key.provider),
            esc(&key.rule),
            esc(&key.redacted),
            esc(&key.privilege),
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
    fn text_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn bars_count_resolved_keys_only_in_their_bucket() {
        let chart = bar_chart("t", &[("a", 2), ("b", 0)]);
        assert!(chart.contains("<title>a: 2</title>"));
        assert!(chart.contains("<title>b: 0</title>"));
    }
}
