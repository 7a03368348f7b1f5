//! The built-in rule files, compiled into the binary so keyaudit runs from anywhere: one provider
//! family per file (`cloud-aws.toml`, `payments.toml`, `generic.toml`…). A test checks that this
//! table lists every file in `rules/`, in name order.
//!
//! The files load in that order, each file's rules in file order, and load order is behaviour:
//! when two rules match the same text at the same priority, the one loaded first wins
//! ([`super::Rule::precedence`]). So the file names keep the ties that matter: `weak-password`
//! (generic.toml) after the URL connection strings and before the JDBC, ODBC and NuGet password
//! rules, and the JWT rule (web-tokens.toml) last; a test holds these.

/// `(file name, contents)` of every built-in rule file.
pub const BUILTIN_RULE_FILES: &[(&str, &str)] = &[
    ("ai.toml", include_str!("../../rules/ai.toml")),
    ("apilayer.toml", include_str!("../../rules/apilayer.toml")),
    ("ci-cd.toml", include_str!("../../rules/ci-cd.toml")),
    ("cloud-aws.toml", include_str!("../../rules/cloud-aws.toml")),
    (
        "cloud-azure.toml",
        include_str!("../../rules/cloud-azure.toml"),
    ),
    ("cloud-gcp.toml", include_str!("../../rules/cloud-gcp.toml")),
    (
        "cloud-other.toml",
        include_str!("../../rules/cloud-other.toml"),
    ),
    (
        "communication.toml",
        include_str!("../../rules/communication.toml"),
    ),
    (
        "connection-strings.toml",
        include_str!("../../rules/connection-strings.toml"),
    ),
    (
        "crm-marketing.toml",
        include_str!("../../rules/crm-marketing.toml"),
    ),
    ("crypto.toml", include_str!("../../rules/crypto.toml")),
    ("data-apis.toml", include_str!("../../rules/data-apis.toml")),
    ("databases.toml", include_str!("../../rules/databases.toml")),
    (
        "developer-tools.toml",
        include_str!("../../rules/developer-tools.toml"),
    ),
    ("generic.toml", include_str!("../../rules/generic.toml")),
    ("identity.toml", include_str!("../../rules/identity.toml")),
    (
        "infrastructure.toml",
        include_str!("../../rules/infrastructure.toml"),
    ),
    ("jdbc-odbc.toml", include_str!("../../rules/jdbc-odbc.toml")),
    (
        "maps-geodata.toml",
        include_str!("../../rules/maps-geodata.toml"),
    ),
    ("media.toml", include_str!("../../rules/media.toml")),
    (
        "observability.toml",
        include_str!("../../rules/observability.toml"),
    ),
    (
        "package-registries.toml",
        include_str!("../../rules/package-registries.toml"),
    ),
    ("payments.toml", include_str!("../../rules/payments.toml")),
    (
        "private-keys.toml",
        include_str!("../../rules/private-keys.toml"),
    ),
    (
        "productivity.toml",
        include_str!("../../rules/productivity.toml"),
    ),
    (
        "secrets-management.toml",
        include_str!("../../rules/secrets-management.toml"),
    ),
    ("security.toml", include_str!("../../rules/security.toml")),
    (
        "vcs-github.toml",
        include_str!("../../rules/vcs-github.toml"),
    ),
    (
        "vcs-gitlab.toml",
        include_str!("../../rules/vcs-gitlab.toml"),
    ),
    ("vcs-other.toml", include_str!("../../rules/vcs-other.toml")),
    (
        "web-tokens.toml",
        include_str!("../../rules/web-tokens.toml"),
    ),
];

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

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

    /// Between rules of equal priority that match the same text, the one loaded first wins: a
    /// person's password in a connection string (`weak-password` or the string's own rule), a
    /// provider's token that is also a JWT. The file names keep the order these ties had.
    #[test]
    fn file_names_keep_the_order_of_equal_priority_ties() {
        let rules = crate::rules::RuleSet::load(true, &[]).expect("built-in rules compile");
        let at = |id: &str| {
            rules
                .rules()
                .iter()
                .position(|r| r.id == id)
                .unwrap_or_else(|| panic!("no rule `{id}`"))
        };
        let weak = at("weak-password");
        for id in [
            "postgres-connection-string",
            "mysql-connection-string",
            "mongodb-connection-string",
            "redis-connection-string",
            "amqp-connection-string",
        ] {
            assert!(at(id) < weak, "`{id}` loads before `weak-password`");
        }
        for id in [
            "jdbc-sqlserver-password",
            "jdbc-oracle-thin-password",
            "odbc-connection-string-password",
            "nuget-config-cleartext-password",
        ] {
            assert!(weak < at(id), "`{id}` loads after `weak-password`");
        }
        assert_eq!(rules.rules().last().map(|r| r.id.as_str()), Some("jwt"));
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
