//! The architecture test: `main` → `app` (one file per command; output and exit codes) →
//! `pipeline` (settings → sources → scanner → inventory → audit → report) → the lower modules,
//! read from the source text of `src/`. It holds that no file-level import cycle exists, that
//! nothing below `app` imports `app`, and that nothing below `pipeline` imports `pipeline`.
//!
//! The graph has one node per module file. An edge runs from a file to the module file each of
//! its paths names: `use` trees, inline `crate::…`, `super::…` and `self::…` paths, and paths
//! through a name a `use` bound to a module (`use crate::source::{self, …}`, then
//! `source::fs::walk_root`), resolved to the deepest module file the path reaches. A module's
//! own submodules are its parts, not imports: a parent naming its children makes no edge (its
//! children naming it, `super::Item`, do). Comments, string and character literals and
//! `#[cfg(test)]` items are left out. Inline modules other than tests are not modelled (`src/`
//! has none outside tests). `main.rs` is the top and is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module by its path below the crate root: `["report", "html"]`; the root is empty.
type Module = Vec<String>;

/// One reference from a file to a module file.
#[derive(Clone, Debug)]
struct Edge {
    to: Module,
    /// `file:line: path`, for the failure message.
    at: String,
}

/// The file-level module graph.
struct Graph {
    edges: BTreeMap<Module, Vec<Edge>>,
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        module.join("::")
    }
}

/// The module a file below `src/` defines: `report/mod.rs` and `report.rs` are `report`.
fn module_of(path: &str) -> Module {
    let path = path.strip_suffix(".rs").unwrap_or(path);
    let mut parts: Module = path.split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// `text` with comments, string and character literals blanked (lines kept, so offsets still
/// give line numbers).
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < c.len() {
        let after_ident = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if c[i] == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if !after_ident && (c[i] == 'r' || (c[i] == 'b' && next == Some('r'))) {
            // A raw string, r"…" or r#"…"#, else an identifier starting with r or br.
            let mut j = i + if c[i] == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while c.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if c.get(j) != Some(&'"') {
                out.push(c[i]);
                i += 1;
                continue;
            }
            let closes = |k: usize| c[k] == '"' && (1..=hashes).all(|h| c.get(k + h) == Some(&'#'));
            out.push('"');
            for &ch in &c[i + 1..=j] {
                blank(&mut out, ch);
            }
            let mut k = j + 1;
            while k < c.len() && !closes(k) {
                blank(&mut out, c[k]);
                k += 1;
            }
            out.push('"');
            for _ in 0..hashes {
                out.push(' ');
            }
            i = k + 1 + hashes;
        } else if c[i] == '"' {
            out.push('"');
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    blank(&mut out, c[i]);
                    i += 1;
                }
                if i < c.len() {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c[i] == '\'' && next == Some('\\') {
            // An escaped character literal: '\n', '\'', '\u{…}'.
            out.push_str("   ");
            i += 3;
            while i < c.len() && c[i] != '\'' {
                blank(&mut out, c[i]);
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else if c[i] == '\'' && c.get(i + 2) == Some(&'\'') {
            out.push_str("   ");
            i += 3;
        } else {
            // Code, a lifetime's quote included.
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// Blanks every `#[cfg(test)]` item: up to its `;`, or its block when a `{` comes first.
/// Returns the text and the names of the test modules declared as files (`mod tests;`).
fn without_tests(code: &str) -> (String, Vec<String>) {
    const MARK: &str = "#[cfg(test)]";
    let mut bytes = code.as_bytes().to_vec();
    let mut test_files = Vec::new();
    let mut from = 0;
    while let Some(found) = code[from..].find(MARK) {
        let start = from + found;
        let mut end = start + MARK.len();
        let item = &code[end..];
        let open = item.find('{');
        let semi = item.find(';');
        match (open, semi) {
            (Some(open), Some(semi)) if semi < open => end += semi + 1,
            (None, Some(semi)) => end += semi + 1,
            (Some(open), _) => {
                let mut depth = 0;
                for (k, ch) in item[open..].char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end += open + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            (None, None) => end = code.len(),
        }
        let words: Vec<&str> = code[start + MARK.len()..end]
            .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        if let [.., "mod", name] = words.as_slice() {
            if code[start..end].trim_end().ends_with(';') {
                test_files.push(name.to_string());
            }
        }
        for byte in &mut bytes[start..end] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
        from = end;
    }
    let text = String::from_utf8(bytes).expect("whole characters were blanked");
    (text, test_files)
}

/// The tokens of a `use` tree: identifiers, `::`, braces, commas and `*`.
fn use_tokens(tree: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = tree.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch.is_alphanumeric() || ch == '_' {
            let mut word = ch.to_string();
            while let Some(&next) = chars.peek() {
                if !(next.is_alphanumeric() || next == '_') {
                    break;
                }
                word.push(next);
                chars.next();
            }
            tokens.push(word);
        } else if ch == ':' && chars.peek() == Some(&':') {
            chars.next();
            tokens.push("::".to_string());
        } else if "{},*".contains(ch) {
            tokens.push(ch.to_string());
        }
    }
    tokens
}

/// One leaf of a `use` tree: its path and the name it binds (none for a glob).
struct UseLeaf {
    path: Vec<String>,
    binds: Option<String>,
}

/// Expands a `use` tree (`crate::a::{self, b::C as D, e::*}`) into its leaves.
fn use_leaves(tokens: &[String], pos: &mut usize, prefix: &[String], out: &mut Vec<UseLeaf>) {
    let mut path = prefix.to_vec();
    loop {
        match tokens.get(*pos).map(String::as_str) {
            Some("::") => *pos += 1,
            Some("{") => {
                *pos += 1;
                while *pos < tokens.len() && tokens[*pos] != "}" {
                    if tokens[*pos] == "," {
                        *pos += 1;
                        continue;
                    }
                    use_leaves(tokens, pos, &path, out);
                }
                *pos += 1;
                return;
            }
            Some("*") => {
                *pos += 1;
                out.push(UseLeaf { path, binds: None });
                return;
            }
            Some("," | "}") | None => break,
            Some("as") => {
                *pos += 1;
                let binds = tokens.get(*pos).cloned();
                *pos += 1;
                out.push(UseLeaf { path, binds });
                return;
            }
            Some(word) => {
                path.push(word.to_string());
                *pos += 1;
            }
        }
    }
    if path.last().map(String::as_str) == Some("self") {
        path.pop();
    }
    let binds = path.last().cloned();
    out.push(UseLeaf { path, binds });
}

/// The line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// Builds the graph of `files`: (path below `src/`, text) pairs.
fn graph(files: &[(String, String)]) -> Graph {
    let files: Vec<&(String, String)> = files.iter().filter(|(p, _)| p != "main.rs").collect();
    let modules: BTreeSet<Module> = files.iter().map(|(p, _)| module_of(p)).collect();
    // The deepest module file `segments` reaches from `start`, and whether it named only
    // modules.
    let walk = |start: Module, segments: &[String]| -> (Module, bool) {
        let mut module = start;
        for (i, segment) in segments.iter().enumerate() {
            let mut deeper = module.clone();
            deeper.push(segment.clone());
            if !modules.contains(&deeper) {
                return (module, i == segments.len());
            }
            module = deeper;
        }
        (module, true)
    };
    let resolve = |from: &Module, path: &[String], aliases: &BTreeMap<String, Module>| {
        let first = path.first()?.as_str();
        let (start, rest) = match first {
            "crate" => (Vec::new(), &path[1..]),
            "self" => (from.clone(), &path[1..]),
            "super" => {
                let ups = path.iter().take_while(|s| *s == "super").count();
                let start = from[..from.len().checked_sub(ups)?].to_vec();
                (start, &path[ups..])
            }
            alias => (aliases.get(alias)?.clone(), &path[1..]),
        };
        Some(walk(start, rest))
    };
    let mut test_modules = BTreeSet::new();
    let mut sources = Vec::new();
    for (path, text) in &files {
        let module = module_of(path);
        let (code, test_files) = without_tests(&code_only(text));
        for test in test_files {
            let mut child = module.clone();
            child.push(test);
            test_modules.insert(child);
        }
        sources.push((path, module, code));
    }
    let mut edges = BTreeMap::new();
    for (path, from, code) in sources {
        if test_modules.contains(&from) {
            continue;
        }
        // `use` declarations: their leaves, and the names they bind to modules.
        let mut uses = Vec::new();
        let mut from_at = 0;
        while let Some(found) = code[from_at..].find("use ") {
            let start = from_at + found;
            from_at = start + 4;
            let before = code[..start].chars().next_back();
            if before.is_some_and(|ch| ch.is_alphanumeric() || ch == '_') {
                continue;
            }
            let Some(len) = code[start..].find(';') else {
                break;
            };
            let mut leaves = Vec::new();
            use_leaves(
                &use_tokens(&code[start + 4..start + len]),
                &mut 0,
                &[],
                &mut leaves,
            );
            uses.extend(leaves.into_iter().map(|leaf| (start, leaf)));
        }
        let mut aliases = BTreeMap::new();
        for (_, leaf) in &uses {
            if let (Some(binds), Some((module, whole))) =
                (&leaf.binds, resolve(&from, &leaf.path, &BTreeMap::new()))
            {
                if whole {
                    aliases.insert(binds.clone(), module);
                }
            }
        }
        let mut found: Vec<(usize, Vec<String>)> =
            uses.into_iter().map(|(at, leaf)| (at, leaf.path)).collect();
        // Inline paths: `crate::x`, `super::x`, `self::x`, `alias::x`.
        let bytes = code.as_bytes();
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut i = 0;
        while i < bytes.len() {
            if !ident(bytes[i]) || (i > 0 && (ident(bytes[i - 1]) || b"$:".contains(&bytes[i - 1])))
            {
                i += 1;
                continue;
            }
            let start = i;
            let mut segments = Vec::new();
            loop {
                let word_start = i;
                while i < bytes.len() && ident(bytes[i]) {
                    i += 1;
                }
                segments.push(code[word_start..i].to_string());
                if code[i..].starts_with("::") && bytes.get(i + 2).is_some_and(|&b| ident(b)) {
                    i += 2;
                } else {
                    break;
                }
            }
            // `crate::a::{…}` and `crate::a::*` are `use` trees, read whole above.
            let tree = code[i..].starts_with("::{") || code[i..].starts_with("::*");
            if segments.len() > 1 && !tree {
                found.push((start, segments));
            }
        }
        let mut out: Vec<Edge> = Vec::new();
        for (at, path_segments) in found {
            let Some((to, _)) = resolve(&from, &path_segments, &aliases) else {
                continue;
            };
            // Itself, or one of its own parts.
            if to.starts_with(&from) {
                continue;
            }
            if out.iter().any(|e| e.to == to) {
                continue;
            }
            out.push(Edge {
                to,
                at: format!(
                    "src/{path}:{}: {}",
                    line_of(&code, at),
                    path_segments.join("::")
                ),
            });
        }
        edges.insert(from, out);
    }
    Graph { edges }
}

/// Every cycle: the strongly connected components of more than one file, each shown as the
/// edges between its members.
fn cycles(graph: &Graph) -> Vec<String> {
    struct Tarjan<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        components: Vec<Vec<&'a Module>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a Module) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            for edge in self.graph.edges.get(v).into_iter().flatten() {
                let Some((w, _)) = self.graph.edges.get_key_value(&edge.to) else {
                    continue;
                };
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                self.components.push(component);
            }
        }
    }
    let mut tarjan = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        components: Vec::new(),
    };
    for v in graph.edges.keys() {
        if !tarjan.index.contains_key(v) {
            tarjan.visit(v);
        }
    }
    tarjan
        .components
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|component| {
            let mut lines = vec![format!(
                "cycle between {}:",
                component
                    .iter()
                    .map(|m| name(m))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", ")
            )];
            for from in &component {
                for edge in &graph.edges[*from] {
                    if component.contains(&&edge.to) {
                        lines.push(format!(
                            "  {} -> {} ({})",
                            name(from),
                            name(&edge.to),
                            edge.at
                        ));
                    }
                }
            }
            lines.join("\n")
        })
        .collect()
}

/// Imports against the layers: a module outside `app` naming `app`, or a module outside
/// `app` and `pipeline` naming `pipeline`.
fn upward(graph: &Graph) -> Vec<String> {
    let under = |m: &Module, top: &str| m.first().is_some_and(|s| s == top);
    let mut found = Vec::new();
    for (from, edges) in &graph.edges {
        for edge in edges {
            let into_app = under(&edge.to, "app") && !under(from, "app");
            let into_pipeline =
                under(&edge.to, "pipeline") && !under(from, "app") && !under(from, "pipeline");
            if into_app || into_pipeline {
                found.push(format!(
                    "{} imports {}, a layer above it ({})",
                    name(from),
                    name(&edge.to),
                    edge.at
                ));
            }
        }
    }
    found
}

/// Every `.rs` file below `dir`, by its path below `root`.
fn read_tree(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_tree(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("below src");
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path).expect("a source file");
            out.push((rel, text));
        }
    }
}

fn source_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    read_tree(&src, &src, &mut files);
    assert!(files.len() > 50, "only {} files read in src/", files.len());
    graph(&files)
}

#[test]
fn every_module_file_is_in_the_module_map_of_docs_design() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let design = std::fs::read_to_string(root.join("docs/design.md")).unwrap();
    let mut files = Vec::new();
    read_tree(&root.join("src"), &root.join("src"), &mut files);
    let missing: Vec<String> = files
        .iter()
        .map(|(path, _)| match path.strip_suffix("/mod.rs") {
            Some(dir) => format!("`{dir}/`"),
            None => format!("`{path}`"),
        })
        .filter(|name| !design.contains(&format!("| {name} |")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/design.md's module map lacks {missing:?}: add a row with the module's first \
         sentence of `//!` documentation"
    );
}

#[test]
fn no_file_level_import_cycle_in_src() {
    let graph = source_graph();
    // The checker sees the imports: a graph with almost no edges would pass for nothing.
    let count: usize = graph.edges.values().map(Vec::len).sum();
    assert!(count > 100, "only {count} imports seen in src/");
    let cycles = cycles(&graph);
    assert!(cycles.is_empty(), "\n{}\n", cycles.join("\n"));
}

#[test]
fn nothing_below_app_imports_app_and_nothing_below_pipeline_imports_pipeline() {
    let upward = upward(&source_graph());
    assert!(upward.is_empty(), "\n{}\n", upward.join("\n"));
}

/// The checker itself, on made-up sources.
mod checker {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn a_cycle_between_siblings_is_found() {
        let graph = graph(&files(&[
            ("lib.rs", "pub mod report;"),
            (
                "report/mod.rs",
                "mod html; mod svg;\npub fn render() { html::render() }",
            ),
            ("report/html.rs", "use super::svg::{bar_chart, Bar};"),
            ("report/svg.rs", "use super::html::escape;"),
        ]));
        let found = cycles(&graph);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("cycle between report::html, report::svg:"));
        assert!(found[0]
            .contains("report::svg -> report::html (src/report/svg.rs:1: super::html::escape)"));
    }

    #[test]
    fn a_parent_using_its_parts_is_no_cycle() {
        let graph = graph(&files(&[
            (
                "report/mod.rs",
                "mod html;\npub struct Report;\npub fn f() { html::g() }",
            ),
            ("report/html.rs", "use super::Report;\npub fn g() {}"),
        ]));
        assert!(cycles(&graph).is_empty());
        assert_eq!(
            graph.edges[&vec!["report".to_string(), "html".to_string()]].len(),
            1
        );
    }

    #[test]
    fn a_cycle_through_an_aliased_module_is_found() {
        let graph = graph(&files(&[
            (
                "app.rs",
                "use crate::db::{self};\nfn f() { db::command::run() }",
            ),
            ("db/mod.rs", "pub mod command;"),
            ("db/command.rs", "use crate::app::emit;"),
        ]));
        let found = cycles(&graph);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("app -> db::command (src/app.rs:2: db::command::run)"));
        let upward = upward(&graph);
        assert_eq!(
            upward,
            ["db::command imports app, a layer above it (src/db/command.rs:1: crate::app::emit)"]
        );
    }

    #[test]
    fn comments_strings_tests_and_macros_make_no_edges() {
        let graph = graph(&files(&[
            ("app.rs", "pub fn emit() {}"),
            (
                "db.rs",
                concat!(
                    "//! Like [`crate::app`] for the other commands.\n",
                    "/* crate::app::emit /* nested */ crate::app */\n",
                    "const A: &str = \"crate::app::emit\";\n",
                    "const B: &str = r#\"use crate::app;\"#;\n",
                    "const C: char = '\\'';\n",
                    "fn f<'a>(x: &'a str) -> &'a str { x }\n",
                    "macro_rules! m { () => { $crate::app::emit() } }\n",
                    "#[cfg(test)]\nmod tests {\n    use crate::app::emit;\n",
                    "    fn g() { if true { crate::app::emit() } }\n}\n",
                    "pub fn h() {}\n",
                ),
            ),
        ]));
        assert!(upward(&graph).is_empty(), "{:?}", upward(&graph));
        assert!(graph.edges[&vec!["db".to_string()]].is_empty());
    }

    #[test]
    fn use_trees_expand() {
        let mut leaves = Vec::new();
        let tokens = use_tokens("crate::a::{self, b::{C as D, e::*}, f}");
        use_leaves(&tokens, &mut 0, &[], &mut leaves);
        let shown: Vec<String> = leaves
            .iter()
            .map(|l| {
                format!(
                    "{}={}",
                    l.path.join("::"),
                    l.binds.as_deref().unwrap_or("*")
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "crate::a=a",
                "crate::a::b::C=D",
                "crate::a::b::e=*",
                "crate::a::f=f"
            ]
        );
    }
}
