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
}
