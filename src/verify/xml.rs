//! The little XML the verifiers read (AWS and Azure answer in XML): the text of the first
//! element of a name, entities unescaped. No parser: the answers are small, flat and
//! documented, and only a handful of elements are read.

/// The text of the first `<tag>…</tag>` in `body`, with the five predefined entities
/// unescaped; `None` when there is none or it holds markup.
pub fn element(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = body.find(&open)? + open.len();
    let length = body[start..].find(&close)?;
    let text = &body[start..start + length];
    if text.contains('<') {
        return None;
    }
    Some(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
            .trim()
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_first_element_and_unescapes_it() {
        let body = "<R><A>x &amp; y</A><A>second</A><B>\n  spaced \n</B><C><D>1</D></C></R>";
        assert_eq!(element(body, "A").as_deref(), Some("x & y"));
        assert_eq!(element(body, "B").as_deref(), Some("spaced"));
        assert_eq!(element(body, "C"), None, "markup inside");
        assert_eq!(element(body, "D").as_deref(), Some("1"));
        assert_eq!(element(body, "E"), None);
        assert_eq!(element("<A>unclosed", "A"), None);
    }
}
