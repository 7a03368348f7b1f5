//! Path globs with `.gitignore`-like conveniences, shared by `--exclude`, the manifest's
//! `locations`, `test_paths`, `[[environment]] paths` and `[[allow]] path`: a glob without `/`
//! matches a name at any depth, and `dir/**` also matches `dir` itself.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::error::{Error, Result};

/// Compiles `patterns` into one set; the error names the offending pattern.
pub fn compile(patterns: &[String]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        // A trailing slash names a directory, as in .gitignore: match it and what is under it.
        let trimmed = pattern.trim_start_matches("./");
        let (trimmed, is_dir) = match trimmed.strip_suffix('/') {
            Some(dir) if !dir.is_empty() => (dir, true),
            _ => (trimmed, false),
        };
        let mut variants = vec![trimmed.to_string()];
        if is_dir {
            variants.push(format!("{trimmed}/**"));
        }
        if !trimmed.contains('/') {
            variants.extend(variants.clone().iter().map(|v| format!("**/{v}")));
        }
        if let Some(dir) = trimmed.strip_suffix("/**") {
            variants.push(dir.to_string());
        }
        for variant in variants {
            let glob = GlobBuilder::new(&variant)
                .literal_separator(true)
                .build()
                .map_err(|err| Error::Value(format!("invalid glob `{pattern}`: {}", err.kind())))?;
            builder.add(glob);
        }
    }
    builder
        .build()
        .map_err(|err| Error::Value(format!("invalid globs: {err}")))
}

#[cfg(test)]
mod tests {
    use super::compile;

    #[test]
    fn matches_like_gitignore() {
        let set = compile(&["third_party/**".into(), "*.min.js".into()]).unwrap();
        assert!(set.is_match("third_party"));
        assert!(set.is_match("third_party/a/b.rs"));
        assert!(set.is_match("web/app.min.js"));
        assert!(!set.is_match("src/third_party.rs"));
        let tests = compile(&["**/*_test.*".into(), "tests/**".into()]).unwrap();
        assert!(tests.is_match("pkg/db_test.go"));
        assert!(tests.is_match("tests/fixtures/a.env"));
        assert!(!tests.is_match("src/tests.rs"));
        let dirs = compile(&["fuzz/corpus/".into(), "build/".into()]).unwrap();
        assert!(dirs.is_match("fuzz/corpus"));
        assert!(dirs.is_match("fuzz/corpus/jwt/0a1b"));
        assert!(!dirs.is_match("fuzz/corpus.rs"));
        assert!(dirs.is_match("web/build/app.js"));
        assert!(!dirs.is_match("web/builder.js"));
    }

    #[test]
    fn globs_reach_inside_archives() {
        let set = compile(&["dist/*.jar!/**".into()]).unwrap();
        assert!(set.is_match("dist/app.jar!/BOOT-INF/classes/application.properties"));
        assert!(set.is_match("dist/app.jar!/lib/inner.jar!/conf.env"));
        assert!(!set.is_match("dist/app.jar"));
        assert!(!set.is_match("other/app.jar!/a.env"));
        let names = compile(&["*.properties".into()]).unwrap();
        assert!(names.is_match("dist/app.jar!/BOOT-INF/classes/application.properties"));
    }

    #[test]
    fn names_the_bad_pattern() {
        let err = compile(&["ok/**".into(), "a[".into()])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid glob `a[`"), "{err}");
    }
}
