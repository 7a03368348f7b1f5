//! History read from every layout git stores objects in: loose objects, one pack, several packs
//! beside loose objects, the same objects in two packs at once (a repack caught mid-way), a
//! multi-pack index, a commit-graph file and alternates. Each must give the same inventory, down
//! to the commit and line of every location. Keys are random, drawn at test time.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::{json_report, keyaudit, make_writable, GitRepo};

/// A random token of `len` letters and digits.
fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).unwrap();
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// The date of every commit here, so the same keys give the same commits.
const DATE: &str = "2024-01-01T00:00:00Z";

/// A long file edited line by line, so that packs store its versions as delta chains.
fn long_file(version: usize, keys: &[String]) -> String {
    let mut text = String::new();
    for line in 0..400 {
        text.push_str(&format!(
            "setting_{line} = value {line} of a long configuration\n"
        ));
        if line % 97 == 0 {
            text.push_str(&format!("edited_at_{line} = {version}\n"));
        }
    }
    for (n, key) in keys.iter().enumerate() {
        text.push_str(&format!("GITHUB_TOKEN_{n}=ghp_{key}\n"));
    }
    text
}

/// Builds a repository whose history holds keys in delta-compressed versions of one file,
/// in a deleted file and (the last key) on a side branch; `between` runs after each of the
/// first commits. Dates are fixed, so the same keys give the same commits.
fn build(dir: &Path, keys: &[String], between: &Between) -> GitRepo {
    let repo = GitRepo::init(dir.join("repo")).dated(DATE);
    let (side, keys) = keys.split_last().unwrap();
    for version in 0..keys.len() {
        repo.write("app.conf", &long_file(version, &keys[..=version]));
        repo.write("notes.txt", &format!("note {version}\n"));
        repo.commit_all(&format!("v{version}"));
        between(&repo, version);
    }
    // A key only on a side branch, and one deleted from the tree.
    repo.run(&["checkout", "-q", "-b", "side"]);
    repo.write("side.env", &format!("TOKEN=ghp_{side}\n"));
    repo.commit_all("side");
    repo.run(&["checkout", "-q", "main"]);
    repo.run(&["rm", "-q", "app.conf"]);
    repo.run(&["commit", "-q", "-m", "drop"]);
    repo
}

/// The inventory, reduced to what must not depend on how objects are stored.
fn inventory(repo: &Path) -> Value {
    inventory_with(repo, &[])
}

/// The same, with extra arguments.
fn inventory_with(repo: &Path, extra: &[&str]) -> Value {
    let output = keyaudit()
        .args(["scan", "--history", "--no-manifest", "--format", "json"])
        .args(extra)
        .arg(repo)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(report["scan"]["errors"], serde_json::json!([]), "{report}");
    let mut keys: Vec<Value> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            serde_json::json!({
                "fingerprint": k["fingerprint"],
                "first_seen": k["first_seen"],
                "in_current_tree": k["in_current_tree"],
                "locations": k["locations"],
            })
        })
        .collect();
    keys.sort_by_key(|k| k["fingerprint"].to_string());
    serde_json::json!({
        "commits": report["scan"]["commits"],
        "blobs": report["scan"]["blobs"],
        "bytes": report["scan"]["bytes"],
        "keys": keys,
    })
}

/// What runs between the first commits of a build.
type Between = dyn Fn(&GitRepo, usize);

/// The same history, built with each layout in turn, gives one inventory.
#[test]
fn every_object_layout_gives_the_same_inventory() {
    let keys: Vec<String> = (0..7).map(|_| random_token(36)).collect();
    let layouts: Vec<(&str, Box<Between>)> = vec![
        ("loose", Box::new(|_: &GitRepo, _| {})),
        (
            "several packs and loose objects",
            Box::new(|repo: &GitRepo, version| {
                if version % 2 == 1 {
                    repo.run(&["repack", "-q", "-d"]);
                }
            }),
        ),
    ];
    let mut reference: Option<Value> = None;
    for (name, between) in &layouts {
        let dir = tempfile::tempdir().unwrap();
        let repo = build(dir.path(), &keys, between.as_ref());
        let found = inventory(repo.path());
        assert_eq!(
            found["keys"].as_array().unwrap().len(),
            keys.len(),
            "{name}"
        );
        match &reference {
            None => reference = Some(found),
            Some(reference) => assert_eq!(&found, reference, "{name}"),
        }
    }

    // One history, reshaped in place: each shape must read the same.
    let dir = tempfile::tempdir().unwrap();
    let built = build(dir.path(), &keys, &|repo, version| {
        if version == 2 {
            repo.run(&["repack", "-q", "-d"]);
        }
    });
    let repo = built.path();
    let base = inventory(repo);
    assert_eq!(Some(&base), reference.as_ref(), "packed once, part loose");
    // The walk split across threads finds what one walk finds.
    for threads in ["1", "3", "8"] {
        assert_eq!(inventory_with(repo, &["-j", threads]), base, "-j {threads}");
    }
    let shapes: &[(&str, &[&[&str]])] = &[
        ("one pack", &[&["gc", "-q"]]),
        (
            "the same objects in two packs (mid-gc)",
            &[&["repack", "-q", "-a", "-f", "--depth=5"]],
        ),
        (
            "a multi-pack index and a commit-graph",
            &[
                &["multi-pack-index", "write"],
                &["commit-graph", "write", "--reachable"],
            ],
        ),
    ];
    for (name, commands) in shapes {
        for command in *commands {
            built.run(command);
        }
        let packs = fs::read_dir(repo.join(".git/objects/pack"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "pack")
            })
            .count();
        assert!(packs >= 1, "{name}: packed");
        assert_eq!(inventory(repo), base, "{name}");
    }

    // Alternates: a clone sharing the objects above adds its own commit (loose, its own).
    let clone = dir.path().join("clone");
    GitRepo::at(dir.path()).run(&[
        "clone",
        "-q",
        "--shared",
        "--mirror",
        &repo.display().to_string(),
        &clone.display().to_string(),
    ]);
    assert!(clone.join("objects/info/alternates").exists());
    let borrowed = fs::read_dir(clone.join("objects/pack"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(borrowed, 0, "the clone's objects all live in the original");
    let shared = inventory(&clone);
    assert_eq!(shared["keys"], base["keys"], "alternates");
    assert_eq!(shared["blobs"], base["blobs"], "alternates");
}

/// A tree damaged inside a pack is named, with its path and commit, and everything it does not
/// hold is still scanned.
#[test]
fn a_damaged_packed_tree_is_named_and_the_rest_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    fs::create_dir_all(repo.join("kept")).unwrap();
    fs::create_dir_all(repo.join("lost")).unwrap();
    let (kept, lost) = (random_token(36), random_token(36));
    fs::write(repo.join("kept/a.env"), format!("TOKEN=ghp_{kept}\n")).unwrap();
    fs::write(repo.join("lost/b.env"), format!("TOKEN=ghp_{lost}\n")).unwrap();
    let git = GitRepo::init(&repo).dated(DATE);
    git.commit_all("one");
    git.run(&["gc", "-q"]);
    let tree = git.run(&["rev-parse", "HEAD:lost"]).trim().to_string();
    let pack_dir = repo.join(".git/objects/pack");
    let index = fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    // `verify-pack -v`: id, type, size, size in pack, offset.
    let listing = git.run(&["verify-pack", "-v", &index.display().to_string()]);
    let fields: Vec<&str> = listing
        .lines()
        .find(|l| l.starts_with(&tree))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(fields[1], "tree");
    let (packed, offset): (usize, usize) = (fields[3].parse().unwrap(), fields[4].parse().unwrap());
    let pack = index.with_extension("pack");
    let mut bytes = fs::read(&pack).unwrap();
    // Past the one- or two-byte entry header, inside the compressed data.
    for byte in &mut bytes[offset + 4..offset + packed - 1] {
        *byte ^= 0x55;
    }
    make_writable(&pack);
    fs::write(&pack, &bytes).unwrap();
    fs::remove_dir_all(repo.join("lost")).unwrap();

    let repo = repo.display().to_string();
    let args = [
        "scan",
        "--history",
        "--no-manifest",
        "--format",
        "json",
        &repo,
    ];
    let report = json_report(&args, 1);
    let errors = report["scan"]["errors"].to_string();
    assert!(
        errors.contains(&format!("tree {}", &tree[..12])),
        "{errors}"
    );
    assert!(errors.contains("lost/"), "{errors}");
    assert_eq!(report["summary"]["complete"], false);
    let keys = report["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{report}");
    assert_eq!(keys[0]["locations"][0]["path"], "kept/a.env");
}

/// A file of about `kib` KiB whose lines are numbered, with `keys` planted in its middle.
fn large_file(kib: usize, keys: &[String]) -> String {
    let mut text = String::new();
    let mut line = 0;
    while text.len() < kib << 10 {
        text.push_str(&format!("row {line:07} of a large generated data file\n"));
        line += 1;
        if line == 9_000 {
            for (n, key) in keys.iter().enumerate() {
                text.push_str(&format!("GITHUB_TOKEN_{n}=ghp_{key}\n"));
            }
        }
    }
    text
}

/// Chains of large blobs are read apart from the delta tree, and one over `--max-file-size` is
/// inflated only as a base: packed or loose, the inventory and the skipped blob are the same.
#[test]
fn large_blob_chains_give_the_same_inventory_and_skips() {
    let keys: Vec<String> = (0..5).map(|_| random_token(36)).collect();
    let dir = tempfile::tempdir().unwrap();
    let git = GitRepo::init(dir.path().join("repo")).dated(DATE);
    let repo = git.path();
    // Four versions of a 1.2 MiB file, each with one key more; then one of 1.6 MiB, over the
    // limit below, whose key must not be reported.
    for version in 0..4 {
        git.write("data.txt", &large_file(1_200, &keys[..=version]));
        git.commit_all(&format!("v{version}"));
    }
    git.write("data.txt", &large_file(1_600, &keys));
    git.commit_all("grown");
    let args = ["--max-file-size", "1400KiB"];
    let loose = inventory_with(repo, &args);
    let skipped = |repo: &Path| {
        let repo = repo.display().to_string();
        let report = json_report(
            &["scan", "--history", "--no-manifest", "--format", "json"]
                .into_iter()
                .chain(args)
                .chain([repo.as_str()])
                .collect::<Vec<_>>(),
            1,
        );
        report["scan"]["skipped"].clone()
    };
    let loose_skipped = skipped(repo);
    git.run(&["repack", "-adfq", "--depth=50", "--window=50"]);
    let listing = fs::read_dir(repo.join(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    let listing = git.run(&["verify-pack", "-v", &listing.display().to_string()]);
    let deltas = listing
        .lines()
        .filter(|l| l.contains(" blob ") && l.split_whitespace().count() == 7)
        .count();
    assert!(deltas >= 3, "the versions are packed as deltas:\n{listing}");
    assert_eq!(inventory_with(repo, &args), loose);
    assert_eq!(skipped(repo), loose_skipped);

    let found = loose["keys"].as_array().unwrap().len();
    assert_eq!(
        found, 4,
        "the key only in the skipped version is not found: {loose}"
    );
    let reasons = loose_skipped.to_string();
    assert!(reasons.contains("data.txt @"), "{reasons}");
    assert!(reasons.contains("larger than --max-file-size"), "{reasons}");
}
