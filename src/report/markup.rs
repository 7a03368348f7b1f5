//! Markup shared by the HTML views (the report's page, its SVG charts, and `db report --format
//! html`): text escaped for HTML and SVG, JSON that cannot end its `<script>`, and the start of
//! every page, with the Content-Security-Policy that forbids every request and the stylesheet
//! they share.

use serde::Serialize;

/// What a page may do: run and style itself from inline code, show `data:` images, and load,
/// send or navigate to nothing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// The stylesheet every page starts with: colours, type, the run header, tiles, charts, the
/// controls bar and tables. A view appends its own rules.
pub const PAGE_CSS: &str = include_str!("page.css");

/// A page up to its `<body>`: the policy, no referrer, the viewport, the escaped `title`, and
/// `styles` in one inline stylesheet.
pub fn page_start(title: &str, styles: &[&str]) -> String {
    format!(
        concat!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
            "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
            "<meta name=\"referrer\" content=\"no-referrer\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>{}</title><style>{}</style></head><body>"
        ),
        CONTENT_SECURITY_POLICY,
        escape(title),
        styles.concat()
    )
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// JSON made safe inside `<script>`: no `<`, `>` or `&` survives, so no `</script>` or
/// `<!--` in a path can end the element early.
pub fn script_json(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_its_element() {
        let text =
            script_json(&serde_json::json!({"p": "a</script><script>alert(1)</script>&<!--"}));
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["p"], "a</script><script>alert(1)</script>&<!--");
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;"
        );
    }
}
