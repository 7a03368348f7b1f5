//! The JSON report validates against its published schema, `docs/reference/report.schema.json`
//! (see `docs/reference/report-format.md`), in every shape the real binary writes: scan, scan
//! with history and with `--show-secrets`, audit with flags and evidence, `audit --inventory`,
//! merge of shard reports, and `--repos` runs. The schema is closed where the model is, so a
//! field added to the report without the schema fails here.

use std::path::Path;

use serde_json::Value;

use crate::common::{fresh_stripe_key, json_report, keyaudit, GitRepo};

fn schema() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/reference/report.schema.json"
    );
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("report schema not found at {path} ({e})"));
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// The schema's errors about `document`, each with where it is.
fn errors(document: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(&schema()).expect("the schema compiles");
    validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

/// Fails with every schema error unless `document` is a valid report.
fn assert_valid(what: &str, document: &Value) {
    let errors = errors(document);
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

/// The JSON report keyaudit writes with `args` (run from the repository root), which must
/// exit with `code`.
fn report(args: &[&str], code: i32) -> Value {
    let mut args = args.to_vec();
    args.extend(["--format", "json"]);
    json_report(&args, code)
}

/// `report` written to `path`, for the commands that read reports back.
fn save(path: &Path, report: &Value) -> String {
    std::fs::write(path, serde_json::to_vec_pretty(report).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn scan_reports_follow_the_schema() {
    let scan = report(&["scan", "--no-manifest", "fixtures"], 1);
    assert!(scan["keys"].as_array().unwrap().len() > 10);
    assert_valid("scan", &scan);
    let secrets = report(
        &["scan", "--no-manifest", "--show-secrets", "fixtures/basic"],
        1,
    );
    assert!(secrets["keys"][0]["secret"].is_string());
    assert_valid("scan --show-secrets", &secrets);
}

#[test]
fn incremental_reports_follow_the_schema() {
    let repo = GitRepo::new();
    repo.write(".env", &format!("STRIPE_KEY={}\n", fresh_stripe_key()));
    repo.commit_all("a key");
    let db = repo.path().parent().unwrap().join("k.db");
    let db = db.to_str().unwrap();
    let root = repo.path().to_str().unwrap();
    let args = ["scan", "--history", "--incremental", "--db", db, "-q", root];
    let first = report(&args, 1);
    assert_eq!(first["scan"]["incremental"].as_object().unwrap().len(), 1);
    assert_valid("scan --incremental, first run", &first);
    repo.write("b.txt", "no key\n");
    repo.commit_all("more");
    let second = report(&args, 1);
    let read = second["scan"]["incremental"].as_object().unwrap();
    assert!(read
        .values()
        .all(|r| r["full"] == false && r["base"].is_string()));
    assert_valid("scan --incremental, forward", &second);
}

#[test]
fn history_reports_follow_the_schema() {
    let repo = GitRepo::new();
    repo.write(
        "config/.env",
        &format!("STRIPE_KEY={}\n", fresh_stripe_key()),
    );
    repo.commit_all("add a key");
    repo.write("config/.env", "STRIPE_KEY=\n");
    repo.commit_all("remove it");
    let root = repo.path().to_str().unwrap();
    let history = report(&["scan", "--history", "--no-manifest", root], 1);
    let key = &history["keys"][0];
    assert_eq!(key["locations"][0]["source"], "git");
    assert!(key["first_seen"]["commit"].is_string());
    assert_eq!(key["in_current_tree"], false);
    assert_valid("scan --history", &history);
}

#[test]
fn audit_reports_follow_the_schema() {
    for case in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/audit")).unwrap() {
        let case = case.unwrap().path();
        let output = keyaudit()
            .arg("audit")
            .arg(&case)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let document: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert!(document["summary"]["flagged"].is_object());
        assert_valid(&case.display().to_string(), &document);
    }
    let exports = "fixtures/evidence/exports";
    let evidence = report(
        &[
            "audit",
            "fixtures/evidence",
            "--evidence",
            &format!("{exports}/az-keyvault-secrets.json"),
            "--evidence",
            &format!("{exports}/cloudtrail.json"),
            "--evidence",
            &format!("{exports}/gcloud-secrets.json"),
            "--evidence",
            &format!("{exports}/list-secrets.json"),
        ],
        1,
    );
    let keys = evidence["keys"].as_array().unwrap();
    assert!(keys.iter().any(|k| k["evidence"].is_object()));
    assert!(keys.iter().any(|k| k["declaration"].is_object()));
    assert!(!evidence["unmatched_evidence"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_valid("audit with evidence", &evidence);
}

#[test]
fn reports_read_back_follow_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let scan = report(&["scan", "--no-manifest", "fixtures/basic"], 1);
    let saved = save(&dir.path().join("scan.json"), &scan);
    let inventory = report(&["audit", "--no-manifest", "--inventory", &saved], 1);
    assert!(inventory["keys"][0]["flags"].is_array());
    assert_valid("audit --inventory", &inventory);

    // Two shards of one --repos run, merged.
    let list = dir.path().join("repos.txt");
    std::fs::write(
        &list,
        "fixtures/basic basic\nfixtures/clean clean\nfixtures/formats formats\n",
    )
    .unwrap();
    let list = list.to_str().unwrap();
    let mut shards = Vec::new();
    // The first shard holds the tree without keys: a clean run, exit 0.
    for (shard, code) in [("0/2", 0), ("1/2", 1)] {
        let part = report(
            &["scan", "--no-manifest", "--repos", list, "--shard", shard],
            code,
        );
        assert!(part["scan"]["repos"].is_array());
        assert_eq!(part["scan"]["shard"], shard);
        assert_valid(&format!("scan --repos --shard {shard}"), &part);
        let name = format!("shard-{}.json", &shard[..1]);
        shards.push(save(&dir.path().join(name), &part));
    }
    let merged = report(&["merge", &shards[0], &shards[1]], 1);
    assert_eq!(merged["scan"]["shards"], serde_json::json!(["0/2", "1/2"]));
    assert_valid("merge", &merged);
    let audit_repos = report(&["audit", "--no-manifest", "--repos", list], 1);
    assert_valid("audit --repos", &audit_repos);
}

#[test]
fn the_schema_refuses_what_the_model_does_not_write() {
    let scan = report(&["scan", "--no-manifest", "fixtures/basic"], 1);
    for (pointer, value) in [
        ("/keys/0/kind", "passkey"),
        ("/keys/0/privilege", "root"),
        ("/keys/0/locations/0/source", "ftp"),
        ("/keys/0/fingerprint", "sha256:00"),
    ] {
        let mut bad = scan.clone();
        *bad.pointer_mut(pointer).unwrap() = Value::from(value);
        assert!(!errors(&bad).is_empty(), "{pointer} = {value} passed");
    }
    let mut extra = scan.clone();
    extra["keys"][0]["surprise"] = Value::from(1);
    assert!(!errors(&extra).is_empty(), "an unknown key field passed");
    let mut half_audit = scan;
    half_audit["keys"][0]["declared_as"] = Value::Null;
    assert!(
        !errors(&half_audit).is_empty(),
        "declared_as without the rest of the verdict passed"
    );
}

#[test]
fn verified_reports_follow_the_schema() {
    use crate::mock_http::{MockServer, Reply};
    use crate::verify::{bad_credentials, github_token, live, user_route, verifying, Tree};

    let (live_key, dead_key, error_key) = (github_token(), github_token(), github_token());
    let tree = Tree::new(&[(
        ".env",
        format!("A={live_key}\nB={dead_key}\nC={error_key}\nDB_PASSWORD=Qx7+vR2mT9wLp4\n"), // keyaudit:allow
    )]);
    let manifest = tree.manifest(&[("old", &live_key, "state = \"revoked\"\nscopes = [\"repo\"]")]);
    let server = MockServer::start(vec![
        user_route(&live_key, live("octocat", "repo, admin:org")),
        user_route(&dead_key, bad_credentials()),
        user_route(&error_key, Reply::json(502, "{}")),
    ]);
    for command in ["scan", "audit"] {
        let output = verifying(&server)
            .args([command, "--verify", "--format", "json", "--manifest"])
            .arg(&manifest)
            .arg(tree.path())
            .output()
            .unwrap();
        crate::common::assert_exit(&output, 1);
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let statuses: std::collections::BTreeSet<&str> = report["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["verification"]["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses,
            ["dead", "error", "live", "unknown"].into(),
            "{command}"
        );
        assert_valid(&format!("{command} --verify"), &report);
        let mut bad = report.clone();
        bad["keys"][0]["verification"]["status"] = Value::from("maybe");
        assert!(!errors(&bad).is_empty(), "an unknown status passed");
        let mut extra = report;
        extra["keys"][0]["verification"]["body"] = Value::from("{}");
        assert!(!errors(&extra).is_empty(), "a verification body passed");
    }
}

#[test]
fn archive_locations_follow_the_schema_and_survive_a_merge() {
    use crate::archives::{gzip, tar_of, zip_of};
    let dir = tempfile::tempdir().unwrap();
    let line = format!("STRIPE_SECRET_KEY={}\n", fresh_stripe_key());
    let jar = zip_of(&[("conf/app.env", line.as_bytes())]);
    std::fs::write(
        dir.path().join("bundle.tar.gz"),
        gzip(&tar_of(&[(b"lib/app.jar", &jar)])),
    )
    .unwrap();
    let root = dir.path().to_str().unwrap();
    let scan = report(&["scan", "--no-manifest", root], 1);
    assert_valid("scan of an archive", &scan);
    let location = &scan["keys"][0]["locations"][0];
    assert_eq!(location["path"], "bundle.tar.gz!/lib/app.jar!/conf/app.env");
    let levels = serde_json::json!([
        {"path": "bundle.tar.gz", "kind": "tar+gzip"},
        {"path": "lib/app.jar", "kind": "zip"}
    ]);
    assert_eq!(location["archive"], levels);
    // An image's locations too: image, layer, deleted_in_layer.
    let image_dir = tempfile::tempdir().unwrap();
    std::fs::write(
        image_dir.path().join("api.tar"),
        crate::archives::docker_image(&fresh_stripe_key()),
    )
    .unwrap();
    let image = report(
        &["scan", "--no-manifest", image_dir.path().to_str().unwrap()],
        1,
    );
    assert!(image["keys"][0]["locations"][0]["deleted_in_layer"].is_string());
    assert_valid("scan of an image", &image);
    // Read back by merge: the levels are kept.
    let saved = save(&dir.path().join("scan.json"), &scan);
    let merged = report(&["merge", &saved], 1);
    assert_valid("merge of an archive scan", &merged);
    assert_eq!(merged["keys"][0]["locations"][0]["archive"], levels);
}
