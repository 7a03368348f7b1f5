//! The built-in rule files, compiled into the binary so keyaudit runs from anywhere.
//! A test checks that this table lists every file in `rules/`.

/// `(file name, contents)` of every built-in rule file.
pub const BUILTIN_RULE_FILES: &[(&str, &str)] = &[
    ("ai.toml", include_str!("../../rules/ai.toml")),
    ("apis.toml", include_str!("../../rules/apis.toml")),
    ("aws.toml", include_str!("../../rules/aws.toml")),
    ("azure.toml", include_str!("../../rules/azure.toml")),
    ("cloud.toml", include_str!("../../rules/cloud.toml")),
    (
        "communication.toml",
        include_str!("../../rules/communication.toml"),
    ),
    (
        "connection-strings.toml",
        include_str!("../../rules/connection-strings.toml"),
    ),
    (
        "current-formats.toml",
        include_str!("../../rules/current-formats.toml"),
    ),
    ("devtools.toml", include_str!("../../rules/devtools.toml")),
    ("generic.toml", include_str!("../../rules/generic.toml")),
    ("github.toml", include_str!("../../rules/github.toml")),
    ("gitlab.toml", include_str!("../../rules/gitlab.toml")),
    ("google.toml", include_str!("../../rules/google.toml")),
    (
        "long-tail-2.toml",
        include_str!("../../rules/long-tail-2.toml"),
    ),
    (
        "long-tail-3-al.toml",
        include_str!("../../rules/long-tail-3-al.toml"),
    ),
    (
        "long-tail-3-mz.toml",
        include_str!("../../rules/long-tail-3-mz.toml"),
    ),
    (
        "long-tail-4-al.toml",
        include_str!("../../rules/long-tail-4-al.toml"),
    ),
    (
        "long-tail-4-mz.toml",
        include_str!("../../rules/long-tail-4-mz.toml"),
    ),
    ("long-tail.toml", include_str!("../../rules/long-tail.toml")),
    ("more-apis.toml", include_str!("../../rules/more-apis.toml")),
    (
        "more-services.toml",
        include_str!("../../rules/more-services.toml"),
    ),
    ("packages.toml", include_str!("../../rules/packages.toml")),
    ("payments.toml", include_str!("../../rules/payments.toml")),
    (
        "private-keys.toml",
        include_str!("../../rules/private-keys.toml"),
    ),
    ("saas.toml", include_str!("../../rules/saas.toml")),
    ("services.toml", include_str!("../../rules/services.toml")),
    ("slack.toml", include_str!("../../rules/slack.toml")),
    ("tokens.toml", include_str!("../../rules/tokens.toml")),
];

#[cfg(test)]
mod tests {
    use super::BUILTIN_RULE_FILES;

    #[test]
    fn table_lists_every_rule_file() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("rules/ exists")
            .map(|e| {
                e.expect("readable")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let listed: Vec<String> = BUILTIN_RULE_FILES
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        assert_eq!(listed, on_disk);
    }

    /// The coverage files (`rules/coverage-*.tsv`) and the catalog agree: every provider line
    /// names rules that exist, or says why it has none.
    #[test]
    fn coverage_files_name_real_rules_or_a_reason() {
        let ids: std::collections::HashSet<&str> = BUILTIN_RULE_FILES
            .iter()
            .flat_map(|(_, text)| text.lines())
            .filter_map(|line| line.strip_prefix("id = \""))
            .filter_map(|rest| rest.strip_suffix('"'))
            .collect();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
        let mut lines = 0;
        for entry in std::fs::read_dir(dir).expect("rules/ exists") {
            let path = entry.expect("readable").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !(name.starts_with("coverage-") && name.ends_with(".tsv")) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            {
                let fields: Vec<&str> = line.split('\t').collect();
                assert!(fields.len() >= 3, "{name}: {line}");
                assert!(
                    fields[1]
                        .parse::<u8>()
                        .is_ok_and(|n| n >= 2 || (n == 1 && name.starts_with("coverage-once-"))),
                    "{name}: {line}"
                );
                if fields[2] == "-" {
                    assert!(
                        fields.get(3).is_some_and(|r| !r.trim().is_empty()),
                        "{name}: no rule and no reason: {line}"
                    );
                } else {
                    for id in fields[2].split(',') {
                        assert!(ids.contains(id.trim()), "{name}: no rule `{id}`: {line}");
                    }
                }
                lines += 1;
            }
        }
        assert!(lines >= 250, "only {lines} coverage lines");
    }
}
