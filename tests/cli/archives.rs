//! Archives, packages and images (`docs/reference/archives.md`): every format read by content,
//! `!/` paths and `archive` levels, nesting and its limit, `--no-archives`, the limits (entry
//! size, total inflated, bombs, encrypted entries, damage), odd entry names, history blobs that
//! are archives, and manifest globs inside archives. Every archive is built here, at test time,
//! with the crates' writers, around freshly random keys: none is committed.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::common::{fresh_stripe_key, keyaudit, skipped, GitRepo};

/// A zip of `entries` (deflated).
pub(crate) fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// A ustar archive of `entries`, their names written as given (bytes, unchecked).
pub(crate) fn tar_of(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut header = tar::Header::new_ustar();
        header.as_old_mut().name[..name.len()].copy_from_slice(name);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

/// `data` gzipped.
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// `data` in bzip2.
pub(crate) fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// `data` in xz.
pub(crate) fn xz(data: &[u8]) -> Vec<u8> {
    let options = lzma_rust2::XzOptions::with_preset(1);
    let mut encoder = lzma_rust2::XzWriter::new(Vec::new(), options).unwrap();
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// `data` in Zstandard.
pub(crate) fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// A `.env` line assigning `key`.
fn env_line(key: &str) -> Vec<u8> {
    format!("STRIPE_SECRET_KEY={key}\n").into_bytes()
}

/// Scans `path` with `extra` flags; returns (exit code, JSON report).
fn scan(path: &Path, extra: &[&str]) -> (i32, Value) {
    let output = keyaudit()
        .args(["scan", "--no-manifest", "--format", "json"])
        .args(extra)
        .arg(path)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stderr}"));
    (output.status.code().unwrap(), report)
}

/// Every location's path, with its archive levels as `path:kind` strings.
fn located(report: &Value) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|k| k["locations"].as_array().unwrap().iter())
        .map(|l| {
            let levels = l["archive"].as_array().map_or_else(Vec::new, |levels| {
                levels
                    .iter()
                    .map(|v| {
                        format!(
                            "{}:{}",
                            v["path"].as_str().unwrap(),
                            v["kind"].as_str().unwrap()
                        )
                    })
                    .collect()
            });
            (l["path"].as_str().unwrap().to_string(), levels)
        })
        .collect();
    out.sort();
    out
}

fn paths(report: &Value) -> Vec<String> {
    located(report).into_iter().map(|(p, _)| p).collect()
}

/// A tree with one archive of every format, each holding the same key.
fn every_format(dir: &Path, key: &str) {
    let line = env_line(key);
    let tar = tar_of(&[(b"etc/app/.env", &line)]);
    let jar = zip_of(&[
        ("BOOT-INF/classes/application.properties", &line),
        ("BOOT-INF/classes/App.class", b"\xca\xfe\xba\xbe\0\0\0\x34"),
    ]);
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("dist/app.jar", jar.clone()),
        ("dist/app.war", zip_of(&[("WEB-INF/lib/inner.jar", &jar)])),
        ("layers/plain.tar", tar.clone()),
        ("layers/a.tar.gz", gzip(&tar)),
        ("layers/a.tar.bz2", bzip2(&tar)),
        ("layers/a.tar.xz", xz(&tar)),
        ("layers/a.tar.zst", zstd(&tar)),
        ("backup/prod.env.gz", gzip(&line)),
        ("backup/prod.env.bz2", bzip2(&line)),
        ("backup/prod.env.xz", xz(&line)),
        ("backup/prod.env.zst", zstd(&line)),
        // Recognised by content, whatever the name says.
        ("misnamed.txt", zip_of(&[("conf/.env", &line)])),
    ];
    for (name, data) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
}

#[test]
fn every_format_is_read_by_content_with_bang_paths_and_levels() {
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    every_format(dir.path(), &key);
    let (code, report) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        report["keys"].as_array().unwrap().len(),
        1,
        "one key, many places"
    );
    let app = "BOOT-INF/classes/application.properties";
    let expected: Vec<(String, Vec<String>)> = vec![
        (
            "backup/prod.env.bz2!/prod.env",
            vec!["backup/prod.env.bz2:bzip2"],
        ),
        (
            "backup/prod.env.gz!/prod.env",
            vec!["backup/prod.env.gz:gzip"],
        ),
        (
            "backup/prod.env.xz!/prod.env",
            vec!["backup/prod.env.xz:xz"],
        ),
        (
            "backup/prod.env.zst!/prod.env",
            vec!["backup/prod.env.zst:zstd"],
        ),
        (&format!("dist/app.jar!/{app}"), vec!["dist/app.jar:zip"]),
        (
            &format!("dist/app.war!/WEB-INF/lib/inner.jar!/{app}"),
            vec!["dist/app.war:zip", "WEB-INF/lib/inner.jar:zip"],
        ),
        (
            "layers/a.tar.bz2!/etc/app/.env",
            vec!["layers/a.tar.bz2:tar+bzip2"],
        ),
        (
            "layers/a.tar.gz!/etc/app/.env",
            vec!["layers/a.tar.gz:tar+gzip"],
        ),
        (
            "layers/a.tar.xz!/etc/app/.env",
            vec!["layers/a.tar.xz:tar+xz"],
        ),
        (
            "layers/a.tar.zst!/etc/app/.env",
            vec!["layers/a.tar.zst:tar+zstd"],
        ),
        (
            "layers/plain.tar!/etc/app/.env",
            vec!["layers/plain.tar:tar"],
        ),
        ("misnamed.txt!/conf/.env", vec!["misnamed.txt:zip"]),
    ]
    .into_iter()
    .map(|(p, l)| (p.to_string(), l.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(located(&report), expected);
    // Binary entries (a class file) are passed over without a skipped entry each.
    assert!(skipped(&report).is_empty(), "{:?}", skipped(&report));
}

#[test]
fn no_archives_skips_them_as_binary_files_as_before() {
    let dir = tempfile::tempdir().unwrap();
    every_format(dir.path(), &fresh_stripe_key());
    let (code, report) = scan(dir.path(), &["--no-archives"]);
    assert_eq!(code, 0);
    assert!(report["keys"].as_array().unwrap().is_empty());
    let skipped = skipped(&report);
    assert_eq!(skipped.len(), 12);
    assert!(skipped.iter().all(|(_, reason)| reason == "binary file"));
}

#[test]
fn nesting_stops_at_the_archive_depth() {
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    let line = env_line(&key);
    let level3 = zip_of(&[("deep.env", &line)]);
    let level2 = zip_of(&[("l3.zip", &level3), ("shallow.env", &line)]);
    let level1 = tar_of(&[(b"l2.zip", &level2)]);
    std::fs::write(dir.path().join("l1.tar.gz"), gzip(&level1)).unwrap();
    let (_, report) = scan(dir.path(), &[]);
    assert_eq!(
        paths(&report),
        [
            "l1.tar.gz!/l2.zip!/l3.zip!/deep.env",
            "l1.tar.gz!/l2.zip!/shallow.env"
        ]
    );
    let (_, report) = scan(dir.path(), &["--archive-depth", "2"]);
    assert_eq!(paths(&report), ["l1.tar.gz!/l2.zip!/shallow.env"]);
    assert_eq!(
        skipped(&report),
        [(
            "l1.tar.gz!/l2.zip!/l3.zip".to_string(),
            "archive nested deeper than --archive-depth 2".to_string()
        )]
    );
    let output = keyaudit()
        .args(["scan", "--no-manifest", "--archive-depth", "0"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_bomb_is_skipped_with_its_ratio() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = vec![0u8; 10 << 20];
    std::fs::write(dir.path().join("bomb.gz"), gzip(&zeros)).unwrap();
    std::fs::write(
        dir.path().join("bomb.zip"),
        zip_of(&[("zeros.bin", &zeros)]),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bomb.tar.bz2"),
        bzip2(&tar_of(&[(b"z", &zeros)])),
    )
    .unwrap();
    let (code, report) = scan(dir.path(), &[]);
    assert_eq!(code, 0);
    let reason = "compression ratio above 1000:1 (a bomb): not read further".to_string();
    assert_eq!(
        skipped(&report),
        [
            ("bomb.gz".to_string(), reason.clone()),
            ("bomb.tar.bz2".to_string(), reason.clone()),
            ("bomb.zip!/zeros.bin".to_string(), reason),
        ]
    );
}

/// Text that does not compress: random letters in lines.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..len)
        .map(|i| {
            if i % 64 == 63 {
                return b'\n';
            }
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            b"BCDFGHJKLMNPQRSTVWXZ"[(state % 20) as usize] + 32
        })
        .collect()
}

#[test]
fn limits_on_entries_and_on_what_an_archive_inflates_are_skipped_entries() {
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    let line = env_line(&key);
    let big = noise(2 << 20);
    let tar = tar_of(&[
        (b"a/first.env", &line),
        (b"a/noise1.txt", &big),
        (b"a/noise2.txt", &big),
        (b"a/late.env", &env_line(&fresh_stripe_key())),
    ]);
    std::fs::write(dir.path().join("big.tar.gz"), gzip(&tar)).unwrap();
    let (_, report) = scan(
        dir.path(),
        &["--max-file-size", "1MiB", "--max-archive-size", "3MiB"],
    );
    // The first key is kept; the budget runs out in the second noise entry.
    assert_eq!(paths(&report), ["big.tar.gz!/a/first.env"]);
    assert_eq!(
        skipped(&report),
        [
            (
                "big.tar.gz".to_string(),
                format!(
                    "archive inflates past --max-archive-size ({} bytes): the rest was not read",
                    3 << 20
                )
            ),
            (
                "big.tar.gz!/a/noise1.txt".to_string(),
                format!("larger than --max-file-size ({} bytes)", 1 << 20)
            ),
        ]
    );
    let (_, report) = scan(dir.path(), &["--max-file-size", "1MiB"]);
    assert_eq!(report["keys"].as_array().unwrap().len(), 2);
}

#[test]
fn encrypted_entries_are_skipped_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    let mut zip = zip_of(&[("plain.env", &env_line(&key)), ("secret.env", b"x=1\n")]);
    // Mark the second entry encrypted (general purpose bit 0) in its local header and in the
    // central directory, as an encrypting tool would.
    let local = find_all(&zip, b"PK\x03\x04")[1];
    zip[local + 6] |= 1;
    let central = find_all(&zip, b"PK\x01\x02")[1];
    zip[central + 8] |= 1;
    std::fs::write(dir.path().join("bundle.zip"), zip).unwrap();
    let (_, report) = scan(dir.path(), &[]);
    assert_eq!(paths(&report), ["bundle.zip!/plain.env"]);
    assert_eq!(
        skipped(&report),
        [(
            "bundle.zip!/secret.env".to_string(),
            "encrypted entry".to_string()
        )]
    );
}

fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn damaged_archives_keep_the_keys_before_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    let first = fresh_stripe_key();
    let tar = tar_of(&[
        (b"first.env", &env_line(&first)),
        (b"filler.txt", &noise(256 << 10)),
        (b"last.env", &env_line(&fresh_stripe_key())),
    ]);
    let gz = gzip(&tar);
    std::fs::write(dir.path().join("cut.tar.gz"), &gz[..gz.len() / 2]).unwrap();
    let zip = zip_of(&[
        ("first.env", &env_line(&first)),
        ("filler.txt", &noise(256 << 10)),
        ("last.env", &env_line(&fresh_stripe_key())),
    ]);
    std::fs::write(dir.path().join("cut.zip"), &zip[..zip.len() - 200]).unwrap();
    let mut garbled = tar.clone();
    garbled[1024..1536].fill(0xff);
    std::fs::write(dir.path().join("garbled.tar"), &garbled).unwrap();
    let (code, report) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        paths(&report),
        [
            "cut.tar.gz!/first.env",
            "cut.zip!/first.env",
            "garbled.tar!/first.env"
        ]
    );
    let skipped = skipped(&report);
    let paths: Vec<&str> = skipped.iter().map(|(p, _)| p.as_str()).collect();
    // The truncated zip is read front to back from its local headers: its last entry is cut.
    assert_eq!(
        paths,
        ["cut.tar.gz", "cut.zip", "cut.zip!/last.env", "garbled.tar"],
        "{skipped:?}"
    );
    // A garbled header's bytes are never quoted.
    assert!(
        skipped.iter().all(|(_, reason)| reason.is_ascii()),
        "{skipped:?}"
    );
    assert!(skipped
        .iter()
        .all(|(_, reason)| reason.starts_with("corrupt or truncated archive")));
}

#[test]
fn odd_entry_names_are_only_names_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let line = env_line(&fresh_stripe_key());
    let tar = tar_of(&[
        (b"../../escape.env", &line),
        (b"/etc/abs.env", &line),
        (b"bad\xffname\x1b.env", &line),
    ]);
    std::fs::write(dir.path().join("odd.tar"), tar).unwrap();
    let (_, report) = scan(dir.path(), &[]);
    assert_eq!(
        paths(&report),
        [
            "odd.tar!/../../escape.env",
            "odd.tar!//etc/abs.env",
            "odd.tar!/bad\\xffname\\u{1b}.env",
        ]
    );
    assert!(!dir.path().parent().unwrap().join("escape.env").exists());
}

#[test]
fn every_format_shows_the_bang_path() {
    let dir = tempfile::tempdir().unwrap();
    let line = env_line(&fresh_stripe_key());
    std::fs::write(
        dir.path().join("app.jar"),
        zip_of(&[("conf/app.env", &line)]),
    )
    .unwrap();
    for format in ["table", "markdown", "sarif", "html", "cyclonedx", "jsonl"] {
        let output = keyaudit()
            .args(["scan", "--no-manifest", "--format", format])
            .arg(dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("app.jar!/conf/app.env"), "{format}: {text}");
    }
}

#[test]
fn a_history_blob_that_is_an_archive_is_opened() {
    let repo = GitRepo::new();
    let key = fresh_stripe_key();
    std::fs::write(
        repo.path().join("release.zip"),
        zip_of(&[("config/prod.env", &env_line(&key))]),
    )
    .unwrap();
    let commit = repo.commit_all("release");
    repo.run(&["rm", "-q", "release.zip"]);
    repo.commit_all("drop the release");
    let (code, report) = scan(repo.path(), &["--history"]);
    assert_eq!(code, 1);
    let key = &report["keys"][0];
    assert_eq!(key["in_current_tree"], false);
    let location = &key["locations"][0];
    assert_eq!(location["source"], "git");
    assert_eq!(location["path"], "release.zip!/config/prod.env");
    assert_eq!(location["commit"], commit.as_str());
    assert_eq!(location["archive"][0]["path"], "release.zip");
    let (_, report) = scan(repo.path(), &["--history", "--no-archives"]);
    assert!(report["keys"].as_array().unwrap().is_empty());
}

#[test]
fn manifest_globs_match_inside_archives() {
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    let jar = zip_of(&[("BOOT-INF/classes/application.properties", &env_line(&key))]);
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::create_dir_all(dir.path().join("old")).unwrap();
    std::fs::write(dir.path().join("dist/app.jar"), &jar).unwrap();
    std::fs::write(dir.path().join("old/app.jar"), &jar).unwrap();
    let manifest = dir.path().join("keyaudit.toml");
    let head = "version = 1\nsalt = \"archives-test-salt\"\n";
    std::fs::write(&manifest, head).unwrap();
    let fingerprint = keyaudit()
        .args(["fingerprint", "--manifest"])
        .arg(&manifest)
        .write_stdin(key.clone())
        .output()
        .unwrap();
    let fingerprint = String::from_utf8(fingerprint.stdout).unwrap();
    std::fs::write(
        &manifest,
        format!(
            "{head}\n[[key]]\nid = \"billing\"\nfingerprint = \"{}\"\n\
             max_privilege = \"admin\"\nlocations = [\"dist/*.jar!/**\"]\n\
             created = 2026-01-01\n",
            fingerprint.trim()
        ),
    )
    .unwrap();
    let output = keyaudit()
        .args(["audit", "--format", "json", "--now", "2026-02-01"])
        .arg(dir.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    let reasons = reasons(&report);
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("found outside its declared locations")
                && r.contains("old/app.jar!/BOOT-INF/classes/application.properties")
                && !r.contains("dist/app.jar")),
        "{reasons:?}"
    );
}

/// Every audit reason's text.
fn reasons(report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in report["keys"].as_array().unwrap() {
        for reason in key["reasons"].as_array().unwrap() {
            out.push(reason.as_str().unwrap().to_string());
        }
    }
    out
}

/// A fake digest: `sha256:` and 64 hex digits made from `seed`.
fn digest(seed: char) -> String {
    format!("sha256:{}", seed.to_string().repeat(64))
}

/// Two layers: the first holds `.env` with `key`, the second deletes it (a whiteout) and makes
/// `opt/cache` opaque.
fn two_layers(key: &str) -> (Vec<u8>, Vec<u8>) {
    let line = env_line(key);
    let first = tar_of(&[(b"etc/app/.env", &line), (b"opt/cache/token.env", &line)]);
    let second = tar_of(&[
        (b"etc/app/.wh..env", b""),
        (b"opt/cache/.wh..wh..opq", b""),
        (b"etc/motd", b"hello\n"),
    ]);
    (first, second)
}

/// A `docker save` tarball (the older layout: `ID/layer.tar`, diff ids in the config) of the
/// two layers of [`two_layers`], tagged `shop/api:1.4`.
pub(crate) fn docker_image(key: &str) -> Vec<u8> {
    let (first, second) = two_layers(key);
    let hex = |seed: char| digest(seed)[7..].to_string();
    let config = format!(
        r#"{{"rootfs":{{"type":"layers","diff_ids":["{}","{}"]}}}}"#,
        digest('a'),
        digest('b')
    );
    let manifest = format!(
        r#"[{{"Config":"{}.json","RepoTags":["shop/api:1.4"],"Layers":["{}/layer.tar","{}/layer.tar"]}}]"#,
        hex('c'),
        hex('1'),
        hex('2')
    );
    tar_of(&[
        (format!("{}/layer.tar", hex('1')).as_bytes(), &first),
        (format!("{}/layer.tar", hex('2')).as_bytes(), &second),
        (format!("{}.json", hex('c')).as_bytes(), config.as_bytes()),
        (b"manifest.json", manifest.as_bytes()),
    ])
}

#[test]
fn a_docker_save_tarball_names_image_layer_and_the_layer_that_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    let hex = |seed: char| digest(seed)[7..].to_string();
    let image = docker_image(&key);
    std::fs::write(dir.path().join("api.tar"), image).unwrap();
    let (code, report) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    let mut locations: Vec<&Value> = report["keys"][0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    locations.sort_by_key(|l| l["path"].as_str().unwrap().to_string());
    assert_eq!(locations.len(), 2);
    let layer = format!("{}/layer.tar", hex('1'));
    assert_eq!(
        locations[0]["path"],
        format!("api.tar!/{layer}!/etc/app/.env")
    );
    assert_eq!(
        locations[0]["archive"],
        serde_json::json!([
            {"path": "api.tar", "kind": "docker-image"},
            {"path": layer, "kind": "tar"}
        ])
    );
    assert_eq!(
        locations[0]["image"],
        serde_json::json!({"path": "api.tar", "tags": ["shop/api:1.4"], "digest": digest('c')})
    );
    assert_eq!(locations[0]["layer"], digest('a'));
    assert_eq!(locations[0]["deleted_in_layer"], digest('b'));
    assert_eq!(
        locations[1]["path"],
        format!("api.tar!/{layer}!/opt/cache/token.env")
    );
    assert_eq!(locations[1]["deleted_in_layer"], digest('b'));
}

#[test]
fn a_compressed_docker_save_tarball_is_an_image_too() {
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    let hex = |seed: char| digest(seed)[7..].to_string();
    let image = docker_image(&key);
    std::fs::write(dir.path().join("api.tar.gz"), gzip(&image)).unwrap();
    std::fs::write(dir.path().join("api.tar.xz"), xz(&image)).unwrap();
    // Inside another archive, a compressed image is read front to back: a tar of tars.
    std::fs::write(
        dir.path().join("bundle.zip"),
        zip_of(&[("images/api.tar.zst", &zstd(&image))]),
    )
    .unwrap();
    let (code, report) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(skipped(&report), []);
    let layer = format!("{}/layer.tar", hex('1'));
    let mut images = Vec::new();
    for location in report["keys"][0]["locations"].as_array().unwrap() {
        let path = location["path"].as_str().unwrap();
        if path.starts_with("bundle.zip!/") {
            assert_eq!(location["image"], Value::Null, "{path}");
            continue;
        }
        assert_eq!(
            location["image"],
            serde_json::json!({
                "path": path.split("!/").next().unwrap(),
                "tags": ["shop/api:1.4"],
                "digest": digest('c'),
            }),
            "{path}"
        );
        assert_eq!(location["layer"], digest('a'), "{path}");
        assert_eq!(location["deleted_in_layer"], digest('b'), "{path}");
        let kinds: Vec<&str> = location["archive"]
            .as_array()
            .unwrap()
            .iter()
            .map(|level| level["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["docker-image", "tar"], "{path}");
        images.push(path.to_string());
    }
    images.sort();
    let expected: Vec<String> = ["api.tar.gz", "api.tar.xz"]
        .iter()
        .flat_map(|image| {
            ["etc/app/.env", "opt/cache/token.env"].map(|file| format!("{image}!/{layer}!/{file}"))
        })
        .collect();
    assert_eq!(images, expected);
    let nested = paths(&report)
        .into_iter()
        .filter(|p| p.starts_with("bundle.zip!/"))
        .count();
    assert_eq!(nested, 2);
}

#[test]
fn an_oci_layout_as_a_tar_compressed_or_not_or_a_directory_reads_compressed_layers_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    let (first, second) = two_layers(&key);
    let kept = fresh_stripe_key();
    let third = tar_of(&[(b"srv/.env", &env_line(&kept))]);
    let manifest = format!(
        r#"{{"schemaVersion":2,"config":{{"digest":"{}"}},"layers":[{{"digest":"{}"}},{{"digest":"{}"}},{{"digest":"{}"}}]}}"#,
        digest('c'),
        digest('1'),
        digest('2'),
        digest('3')
    );
    let index = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"digest":"{}","annotations":{{"org.opencontainers.image.ref.name":"1.4"}}}}]}}"#,
        digest('d')
    );
    let blob = |seed: char| format!("blobs/sha256/{}", &digest(seed)[7..]);
    let entries: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (
            b"oci-layout".to_vec(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        (b"index.json".to_vec(), index.clone().into_bytes()),
        (blob('d').into_bytes(), manifest.clone().into_bytes()),
        (blob('1').into_bytes(), gzip(&first)),
        (blob('2').into_bytes(), zstd(&second)),
        (blob('3').into_bytes(), third.clone()),
    ];
    let borrowed: Vec<(&[u8], &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_slice(), d.as_slice()))
        .collect();
    let image = tar_of(&borrowed);
    std::fs::write(dir.path().join("oci.tar.gz"), gzip(&image)).unwrap();
    std::fs::write(dir.path().join("oci.tar"), image).unwrap();
    // The same layout as a directory.
    for (name, data) in &entries {
        let path = dir
            .path()
            .join("oci")
            .join(std::str::from_utf8(name).unwrap());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
    let (_, report) = scan(dir.path(), &[]);
    let mut found: Vec<(String, String, String, String)> = Vec::new();
    for key in report["keys"].as_array().unwrap() {
        for l in key["locations"].as_array().unwrap() {
            assert_eq!(l["image"]["digest"], digest('d'));
            assert_eq!(l["image"]["tags"], serde_json::json!(["1.4"]));
            found.push((
                l["path"].as_str().unwrap().to_string(),
                l["archive"][1]["kind"].as_str().unwrap().to_string(),
                l["layer"].as_str().unwrap().to_string(),
                l["deleted_in_layer"].as_str().unwrap_or("-").to_string(),
            ));
        }
    }
    found.sort();
    let mut expected: Vec<(String, String, String, String)> = Vec::new();
    for image in ["oci", "oci.tar", "oci.tar.gz"] {
        let path = |seed: char, file: &str| format!("{image}!/{}!/{file}", blob(seed));
        let gz = "tar+gzip".to_string();
        expected.push((
            path('1', "etc/app/.env"),
            gz.clone(),
            digest('1'),
            digest('2'),
        ));
        expected.push((
            path('1', "opt/cache/token.env"),
            gz,
            digest('1'),
            digest('2'),
        ));
        expected.push((path('3', "srv/.env"), "tar".into(), digest('3'), "-".into()));
    }
    assert_eq!(found, expected);
    // The layout's blobs are not read a second time as loose files.
    assert!(skipped(&report).is_empty(), "{:?}", skipped(&report));
}

/// A Zstandard frame holding `text` (8,224 bytes) in one raw block, written by hand so that no
/// byte of it is NUL: a single-segment frame with a two-byte content size (8,224 - 256), and a
/// last raw block of 8,224 bytes (header `01 01 01`).
fn zstd_without_nul(text: &[u8]) -> Vec<u8> {
    assert_eq!(text.len(), 8224);
    let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0x60, 0x20, 0x1f, 0x01, 0x01, 0x01];
    frame.extend_from_slice(text);
    assert!(!frame.contains(&0));
    frame
}

#[test]
fn compressed_files_without_a_nul_byte_are_still_opened() {
    // Without a NUL byte in its first 8 KiB a file is text: magic bytes decide first.
    let mut text = env_line(&fresh_stripe_key());
    text.resize(8223, b'#');
    text.push(b'\n');
    let frame = zstd_without_nul(&text);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.env.zst"), &frame).unwrap();
    let (_, report) = scan(dir.path(), &[]);
    assert_eq!(paths(&report), ["a.env.zst!/a.env"]);
    // And as a blob of history.
    let repo = GitRepo::new();
    std::fs::write(repo.path().join("c.env.zst"), &frame).unwrap();
    repo.commit_all("compressed");
    let (_, report) = scan(repo.path(), &["--history"]);
    let sources: Vec<(String, String)> = report["keys"][0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["source"].to_string(),
                l["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        sources.contains(&("\"git\"".to_string(), "c.env.zst!/c.env".to_string())),
        "{sources:?}"
    );
}
