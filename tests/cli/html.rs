//! HTML reports: one self-contained page that loads nothing, holds no secret (even with
//! `--show-secrets`) and survives hostile paths; and, in a real browser (headless Chromium),
//! a table that shows every key and sorts and filters, a screenshot that is not blank, and a
//! 10,000-key report that renders in under 30 seconds; and of `db report --format html`, a
//! self-contained page under the same policy, drawn with nothing on the console. Without
//! Chromium the browser tests print a one-line note and return; `.ci/run` installs it and sets
//! `KEYAUDIT_REQUIRE_CHROMIUM=1`, which turns a missing browser into a failure.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{
    assert_exit, keyaudit, planted_tree, random_text, skip_for_want_of, GitRepo, Planted, NO_VOWELS,
};

/// Renders an HTML report of `args` (run in `dir`); returns (exit code, page).
fn html(args: &[&str], dir: &Path) -> (i32, String) {
    let output = keyaudit()
        .current_dir(dir)
        .args(args)
        .args(["--format", "html"])
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).expect("HTML is UTF-8"),
    )
}

fn planted_audit_page(planted: &Planted, extra: &[&str]) -> String {
    let mut args = vec!["audit", ".", "--now", "2026-11-23"];
    args.extend_from_slice(extra);
    let (code, page) = html(&args, planted.dir.path());
    assert_eq!(code, 1);
    page
}

/// Nothing in `page` can make the browser fetch anything.
fn assert_self_contained(page: &str) {
    let lower = page.to_lowercase();
    for needle in [
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "<base",
        "@import",
        "url(",
        " src=",
        "<script src",
        "http-equiv=\"refresh\"",
    ] {
        assert!(!lower.contains(needle), "the page holds {needle}");
    }
    assert!(lower.contains("content-security-policy"));
    assert!(lower.contains("default-src 'none'"));
    // Every element's href is a plain anchor in the data, never markup that loads.
    assert!(
        !lower.contains(" href="),
        "no static href: rotation links are drawn as anchors"
    );
}

#[test]
fn page_is_self_contained_and_holds_no_secret_even_with_show_secrets() {
    let planted = planted_tree();
    for extra in [&[][..], &["--show-secrets"]] {
        let page = planted_audit_page(&planted, extra);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert_self_contained(&page);
        for secret in &planted.secrets {
            assert!(
                !page.contains(secret.as_str()),
                "a secret leaked ({extra:?})"
            );
        }
    }
}

#[test]
fn a_script_closing_path_cannot_break_out_of_the_data() {
    let planted = planted_tree();
    let page = planted_audit_page(&planted, &[]);
    // Exactly the two script elements the page has: the data and the code.
    assert_eq!(page.matches("</script>").count(), 2);
    assert!(page.contains("odd\\u003c/script\\u003e.env"));
}

#[test]
fn page_has_the_run_tiles_charts_and_sections() {
    let planted = planted_tree();
    let page = planted_audit_page(&planted, &[]);
    for tile in [
        "keys",
        "locations",
        "unknown",
        "stale",
        "over-privileged",
        "unused",
        "skipped",
        "unreadable",
    ] {
        assert!(
            page.contains(&format!("data-tile=\"{tile}\"")),
            "no {tile} tile"
        );
    }
    for chart in [
        "keys by provider",
        "keys by privilege tier",
        "keys by age",
        "keys by audit class",
    ] {
        assert!(
            page.contains(&format!("<title>{chart}</title>")),
            "no chart {chart}"
        );
    }
    assert!(page.contains("id=\"complete\" class=\"ok\""));
    let unused = &page[page
        .find("<section id=\"unused\">")
        .expect("an unused section")..];
    assert!(unused[..unused.find("</section>").unwrap()].contains("<td>retired-twilio</td>"));
    let skipped = &page[page
        .find("<section id=\"skipped\">")
        .expect("a skipped section")..];
    assert!(skipped[..skipped.find("</section>").unwrap()].contains("<td>logo.bin</td>"));
    assert!(page.contains("<dt>roots</dt><dd><code>.</code></dd>"));
}

#[test]
fn output_file_named_html_is_html() {
    let planted = planted_tree();
    let out = planted.dir.path().join("report.html");
    let output = keyaudit()
        .current_dir(planted.dir.path())
        .args(["scan", "."])
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("keyaudit inventory"));
}

/// A git repository where a key was committed and then deleted: found only in history.
fn history_only_repo() -> (GitRepo, String) {
    let repo = GitRepo::new();
    let key = format!("ghp_{}", random_text(NO_VOWELS, 36));
    repo.write("ci.env", &format!("GITHUB_TOKEN={key}\n"));
    repo.commit_all("add");
    std::fs::remove_file(repo.path().join("ci.env")).unwrap();
    repo.commit_all("remove");
    (repo, key)
}

#[test]
fn history_only_keys_say_rotate_in_table_markdown_and_html() {
    let (repo, key) = history_only_repo();
    let wording = "history only: removing it from the tree does not help, rotate it";
    for format in ["table", "markdown", "html"] {
        let output = keyaudit()
            .current_dir(repo.path())
            .args([
                "scan",
                "--no-manifest",
                "--history",
                ".",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains(wording), "{format}: {text}");
        assert!(!text.contains(&key), "{format} leaked the key");
    }
}

// ---- In a real browser ------------------------------------------------------------------

/// The Chromium binary, or `None` after a one-line note (a failure when CI requires it).
fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("KEYAUDIT_CHROMIUM").map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromium")),
        Some(PathBuf::from("/usr/bin/chromium-browser")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_file());
    if found.is_none() {
        skip_for_want_of(
            "KEYAUDIT_REQUIRE_CHROMIUM",
            "no /usr/bin/chromium for the browser test (apt-get install chromium; .ci/run does)",
        );
    }
    found
}

/// Runs headless Chromium on `url` with `args`; returns stdout and the wall time.
fn browse(chromium: &Path, url: &str, args: &[&str]) -> (String, Duration) {
    let (stdout, _, elapsed) = browse_logged(chromium, url, args);
    (stdout, elapsed)
}

/// [`browse`], with Chromium's log on stderr: returns stdout, stderr and the wall time. The
/// page's console messages (a script error, a resource the Content-Security-Policy refused)
/// are logged as `CONSOLE` lines.
fn browse_logged(chromium: &Path, url: &str, args: &[&str]) -> (String, String, Duration) {
    let profile = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs");
    let elapsed = start.elapsed();
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed,
    )
}

/// The DOM of `page` after its scripts ran, and every message its console got.
fn rendered_with_console(chromium: &Path, page: &Path) -> (String, Vec<String>) {
    let url = format!("file://{}", page.display());
    let (dom, log, _) = browse_logged(
        chromium,
        &url,
        &["--enable-logging=stderr", "--v=0", "--dump-dom"],
    );
    let console = log
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (dom, console)
}

/// The DOM after the page's scripts ran, at `fragment` (`#sort=p&dir=desc`, …).
fn rendered(chromium: &Path, page: &Path, fragment: &str) -> (String, Duration) {
    let url = format!("file://{}{fragment}", page.display());
    browse(chromium, &url, &["--dump-dom"])
}

/// The rendered rows of the key table.
fn rows(dom: &str) -> Vec<&str> {
    let start = dom.find("<tbody>").expect("a table body");
    let end = start + dom[start..].find("</tbody>").expect("a closed body");
    dom[start..end].split("<tr ").skip(1).collect()
}

/// The text of the first `<td class="{class}">` in `row`.
fn cell<'a>(row: &'a str, class: &str) -> &'a str {
    let open = format!("<td class=\"{class}\">");
    let start = row.find(&open).map(|i| i + open.len()).unwrap_or(0);
    let end = start + row[start..].find("</td>").unwrap_or(0);
    &row[start..end]
}

fn write_page(planted: &Planted, extra: &[&str]) -> PathBuf {
    let page = planted.dir.path().join("report.html");
    std::fs::write(&page, planted_audit_page(planted, extra)).unwrap();
    page
}

/// The JSON report of the audit [`planted_audit_page`] renders.
fn planted_audit_json(planted: &Planted) -> serde_json::Value {
    crate::common::json_report(
        &[
            "audit",
            &planted.dir.path().display().to_string(),
            "--manifest",
            &planted
                .dir
                .path()
                .join("keyaudit.toml")
                .display()
                .to_string(),
            "--now",
            "2026-11-23",
            "--format",
            "json",
        ],
        1,
    )
}

#[test]
fn browser_shows_every_key_with_hint_and_flags() {
    let Some(chromium) = chromium() else { return };
    let planted = planted_tree();
    let page = write_page(&planted, &["--show-secrets"]);
    let json = planted_audit_json(&planted);
    let (dom, _) = rendered(&chromium, &page, "");
    assert!(dom.contains("data-ready=\"true\""), "the script ran");
    let rows = rows(&dom);
    let keys = json["keys"].as_array().unwrap();
    assert_eq!(rows.len(), keys.len(), "one row per key");
    let mut owners = 0;
    for key in keys {
        let hint = key["redacted"].as_str().unwrap();
        let row = rows
            .iter()
            .find(|r| r.contains(key["fingerprint"].as_str().unwrap()))
            .expect("a row per fingerprint");
        assert!(row.contains(hint), "hint {hint} shown");
        for flag in key["flags"].as_array().unwrap() {
            let flag = flag.as_str().unwrap();
            assert!(
                row.contains(&format!(">{flag}</span>")),
                "flag {flag} shown"
            );
        }
        for reason in key["reasons"].as_array().unwrap() {
            let reason = reason
                .as_str()
                .unwrap()
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            assert!(row.contains(&reason), "reason shown: {reason}");
        }
        if let Some(owner) = key["declaration"]["owner"].as_str() {
            owners += 1;
            assert!(
                row.contains(&format!("<td class=\"owner\">{owner}</td>")),
                "owner {owner} shown: {row}"
            );
        }
    }
    assert!(owners > 0, "the planted manifest names an owner");
    for secret in &planted.secrets {
        assert!(!dom.contains(secret.as_str()), "a secret in the DOM");
    }
}

#[test]
fn browser_sorts_and_filters_from_the_fragment() {
    let Some(chromium) = chromium() else { return };
    let planted = planted_tree();
    let page = write_page(&planted, &[]);
    let providers = |fragment: &str| -> Vec<String> {
        let (dom, _) = rendered(&chromium, &page, fragment);
        rows(&dom)
            .iter()
            .map(|r| cell(r, "provider").to_string())
            .collect()
    };
    let ascending = providers("#sort=p");
    let mut sorted = ascending.clone();
    sorted.sort_by_key(|p| p.to_lowercase());
    assert_eq!(ascending, sorted);
    assert_eq!(ascending.len(), 4);
    let mut descending = providers("#sort=p&dir=desc");
    descending.reverse();
    assert_eq!(descending, sorted, "descending is the reverse");

    assert_eq!(providers("#flag=unknown"), ["Private key"]);
    assert_eq!(providers("#flag=stale").len(), 2, "revoked and compromised");
    assert_eq!(providers("#q=npm"), ["npm"]);
    assert_eq!(providers("#q=settings.py"), ["Stripe"], "filters on paths");
    assert!(providers("#q=no-such-thing").is_empty());
}

#[test]
fn browser_privilege_filter_shows_exactly_the_tiers_keys() {
    let Some(chromium) = chromium() else { return };
    let planted = planted_tree();
    // The planted keys are all `full`; a restricted Stripe key (`scoped`) makes the filter
    // choose between two tiers.
    std::fs::write(
        planted.dir.path().join("restricted.env"),
        format!(
            "STRIPE_RESTRICTED_KEY=rk_live_{}\n",
            random_text(NO_VOWELS, 32)
        ),
    )
    .unwrap();
    let page = write_page(&planted, &[]);
    // Each tier the JSON report of the same run holds shows exactly its keys; a tier it does
    // not hold shows none.
    let json = planted_audit_json(&planted);
    let keys = json["keys"].as_array().unwrap();
    let tiers: std::collections::BTreeSet<&str> = keys
        .iter()
        .map(|k| k["privilege"].as_str().unwrap())
        .collect();
    assert!(
        tiers.contains("full") && tiers.contains("scoped"),
        "{tiers:?}"
    );
    for tier in &tiers {
        let mut expected: Vec<&str> = keys
            .iter()
            .filter(|k| k["privilege"] == *tier)
            .map(|k| k["fingerprint"].as_str().unwrap())
            .collect();
        expected.sort_unstable();
        let (dom, _) = rendered(&chromium, &page, &format!("#privilege={tier}&sort=v"));
        let shown = rows(&dom);
        assert!(!shown.is_empty(), "{tier}: no row");
        assert_eq!(shown.len(), expected.len(), "{tier}: one row per key");
        for row in &shown {
            assert!(
                cell(row, "privilege").contains(&format!(">{tier}<")),
                "{tier}: {row}"
            );
        }
        let mut fingerprints: Vec<&str> = expected
            .iter()
            .copied()
            .filter(|fp| shown.iter().any(|row| row.contains(fp)))
            .collect();
        fingerprints.sort_unstable();
        assert_eq!(fingerprints, expected, "{tier}: the tier's keys are shown");
        assert!(
            dom.contains(&format!(
                "of {} (filtered from {})",
                expected.len(),
                keys.len()
            )),
            "{tier}: the count says filtered"
        );
    }
    let absent = ["public", "read", "scoped", "full", "admin"]
        .into_iter()
        .find(|t| !tiers.contains(t))
        .expect("a tier no planted key has");
    let (dom, _) = rendered(&chromium, &page, &format!("#privilege={absent}"));
    assert!(rows(&dom).is_empty(), "{absent}: rows shown");
    assert!(dom.contains("no key matches"), "{absent}");
}

/// The share of pixels that differ from the most common colour, and the number of colours.
fn png_variety(path: &Path) -> (f64, usize) {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut reader = png::Decoder::new(file).read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    let mut counts = std::collections::HashMap::new();
    for pixel in buffer[..info.buffer_size()].chunks(channels) {
        *counts.entry(pixel.to_vec()).or_insert(0usize) += 1;
    }
    let total: usize = counts.values().sum();
    let top = counts.values().max().copied().unwrap_or(0);
    ((total - top) as f64 / total as f64, counts.len())
}

#[test]
fn browser_screenshot_is_not_blank() {
    let Some(chromium) = chromium() else { return };
    let planted = planted_tree();
    let page = write_page(&planted, &[]);
    let shot = planted.dir.path().join("shot.png");
    browse(
        &chromium,
        &format!("file://{}", page.display()),
        &[
            "--window-size=1280,1000",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let (ink, colours) = png_variety(&shot);
    assert!(
        ink > 0.03,
        "only {:.1}% of the screenshot is drawn",
        ink * 100.0
    );
    assert!(colours > 50, "only {colours} colours");
}

#[test]
fn browser_renders_ten_thousand_keys_in_under_30_seconds() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!(
            "NPM_TOKEN_{i}=npm_{}\n",
            random_text(NO_VOWELS, 36)
        ));
    }
    std::fs::write(dir.path().join("tokens.env"), text).unwrap();
    let page = dir.path().join("big.html");
    let output = keyaudit()
        .current_dir(dir.path())
        .args(["scan", "--no-manifest", ".", "--format", "html", "-o"])
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let (dom, elapsed) = rendered(&chromium, &page, "");
    let keys = dom
        .split("data-tile=\"keys\"><span class=\"n\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|n| n.parse::<usize>().ok())
        .expect("a keys tile");
    // Random text can still look like a placeholder to the scan's filters now and then.
    assert!(keys >= 9_990, "{keys} of 10,000 planted tokens are keys");
    assert!(
        dom.contains(&format!("data-matching=\"{keys}\"")),
        "all keys are in the table's data"
    );
    assert_eq!(rows(&dom).len(), 200, "one page of rows");
    let _ = writeln!(
        std::io::stderr(),
        "note: 10,000-key HTML report ({} bytes) rendered by chromium in {:.1} s",
        std::fs::metadata(&page).unwrap().len(),
        elapsed.as_secs_f64()
    );
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    // The last page holds the last keys; a filter runs over all 10,000.
    let (dom, _) = rendered(&chromium, &page, "#page=50");
    assert_eq!(rows(&dom).len(), keys - 49 * 200, "the last page");
    // NPM_TOKEN_99, _990 to _999 and _9900 to _9999: 111 variables, less any skipped.
    let (dom, _) = rendered(&chromium, &page, "#q=NPM_TOKEN_99");
    let matching: usize = dom
        .split("data-matching=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .expect("a match count");
    assert!((101..=111).contains(&matching), "{matching} match");
}

/// `db report --format html` of `runs` reports, ingested in order into a fresh database in
/// `dir`; returns the page's path and the JSON of the same report.
fn db_page(dir: &Path, runs: &[PathBuf]) -> (PathBuf, serde_json::Value) {
    let db = dir.join("keys.db");
    let output = keyaudit()
        .args(["db", "ingest", "--quiet", "--db"])
        .arg(&db)
        .args(runs)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let page = dir.join("history.html");
    let db_arg = db.display().to_string();
    keyaudit()
        .args(["db", "report", "--db", &db_arg, "-o"])
        .arg(&page)
        .assert()
        .code(0);
    let json =
        crate::common::json_report(&["db", "report", "--db", &db_arg, "--format", "json"], 0);
    (page, json)
}

#[test]
fn db_page_is_self_contained_and_holds_no_secret() {
    let planted = planted_tree();
    let reports = tempfile::tempdir().unwrap();
    let (_, audit) = html(&["audit", ".", "--now", "2026-11-23"], planted.dir.path());
    assert!(audit.starts_with("<!DOCTYPE html>"));
    let run = reports.path().join("audit.json");
    let output = keyaudit()
        .current_dir(planted.dir.path())
        .args([
            "audit",
            ".",
            "--now",
            "2026-11-23",
            "--format",
            "json",
            "-o",
        ])
        .arg(&run)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let (page, _) = db_page(reports.path(), &[run]);
    let page = std::fs::read_to_string(page).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_self_contained(&page);
    // The same policy as the report page: both start with the kit's page start.
    let policy = |page: &str| {
        let start = page.find("Content-Security-Policy").unwrap();
        page[start..start + page[start..].find('>').unwrap()].to_string()
    };
    assert_eq!(policy(&page), policy(&audit));
    for secret in &planted.secrets {
        assert!(!page.contains(secret.as_str()), "a secret in the page");
    }
}

/// Both HTML pages in the browser: the db page draws its charts and every key, its script
/// runs, and neither page logs anything to the console (no script error, nothing the
/// Content-Security-Policy refused).
#[test]
fn browser_renders_the_db_page_and_both_pages_log_nothing() {
    let Some(chromium) = chromium() else { return };
    let planted = planted_tree();
    let reports = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for (i, command) in ["audit", "scan", "audit"].into_iter().enumerate() {
        let run = reports.path().join(format!("{i}-{command}.json"));
        let output = keyaudit()
            .current_dir(planted.dir.path())
            .args([command, ".", "--format", "json", "-o"])
            .arg(&run)
            .output()
            .unwrap();
        assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
        runs.push(run);
    }
    let (page, json) = db_page(reports.path(), &runs);
    let (dom, console) = rendered_with_console(&chromium, &page);
    assert!(console.is_empty(), "the db page logged: {console:#?}");
    assert!(dom.contains("data-ready=\"true\""), "the script ran");
    assert_eq!(dom.matches("<svg").count(), 3, "three charts");
    let keys_table = &dom[dom.find("id=\"keys\"").expect("the keys table")..];
    let body =
        &keys_table[keys_table.find("<tbody>").unwrap()..keys_table.find("</tbody>").unwrap()];
    assert_eq!(
        body.matches("<tr>").count(),
        json["keys"].as_array().unwrap().len(),
        "a row per key"
    );
    for run in json["runs"].as_array().unwrap() {
        let time = run["generated_at"].as_str().unwrap();
        assert!(dom.contains(time), "run {time} is not on the page");
    }

    let report = write_page(&planted, &[]);
    let (dom, console) = rendered_with_console(&chromium, &report);
    assert!(console.is_empty(), "the report page logged: {console:#?}");
    assert!(dom.contains("data-ready=\"true\""), "the script ran");
}
