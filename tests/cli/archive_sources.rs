//! Archives read from every source, not only the tree (`docs/reference/archives.md`): staged
//! blobs (`scan --staged`), standard input (`scan -`) and history blobs larger than
//! `--max-file-size` (allowed up to `--max-archive-size` when named like an archive).

use std::path::Path;

use serde_json::Value;

use crate::archives::{docker_image, gzip, tar_of, zip_of};
use crate::common::{fresh_stripe_key, keyaudit, random_bytes, skipped, GitRepo};

/// A `.env` line assigning `key`.
fn env_line(key: &str) -> Vec<u8> {
    format!("STRIPE_SECRET_KEY={key}\n").into_bytes()
}

/// A gzipped tar larger than 512 KiB on disk: `first.env`, three entries of 300 KiB of random
/// bytes (binary, incompressible), `last.env`.
fn large_tar_gz(first: &str, last: &str) -> Vec<u8> {
    let noise = random_bytes(300 << 10);
    let tar = tar_of(&[
        (b"first.env", &env_line(first)),
        (b"noise1.bin", &noise),
        (b"noise2.bin", &noise),
        (b"noise3.bin", &noise),
        (b"last.env", &env_line(last)),
    ]);
    let gz = gzip(&tar);
    assert!(gz.len() > 600 << 10);
    gz
}

/// Runs `keyaudit scan ARGS --no-manifest --format json PATH` with `stdin`; returns (exit code,
/// report).
fn scan(path: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> (i32, Value) {
    let mut command = keyaudit();
    command
        .arg("scan")
        .args(args)
        .args(["--no-manifest", "--format", "json"])
        .arg(path);
    if let Some(stdin) = stdin {
        command.write_stdin(stdin);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stderr}"));
    (output.status.code().unwrap(), report)
}

/// (source, path) of every location, sorted.
fn located(report: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|k| k["locations"].as_array().unwrap().iter())
        .map(|l| {
            (
                l["source"].as_str().unwrap().to_string(),
                l["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn staged_archives_are_opened_as_the_tree_opens_them() {
    let repo = GitRepo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("first");
    let (zipped, first, last) = (fresh_stripe_key(), fresh_stripe_key(), fresh_stripe_key());
    std::fs::write(
        repo.path().join("release.jar"),
        zip_of(&[("conf/prod.env", &env_line(&zipped))]),
    )
    .unwrap();
    std::fs::write(repo.path().join("big.tar.gz"), large_tar_gz(&first, &last)).unwrap();
    // A large file that is not an archive is still skipped, whatever its name.
    let mut text = env_line(&fresh_stripe_key());
    text.extend(b"# filler line\n".repeat(50_000));
    std::fs::write(repo.path().join("dump.tar"), &text).unwrap();
    repo.run(&["add", "-A"]);
    let flags = ["--staged", "--max-file-size", "512KiB"];
    let (code, report) = scan(repo.path(), &flags, None);
    assert_eq!(code, 1);
    let staged = |path: &str| ("staged".to_string(), path.to_string());
    assert_eq!(
        located(&report),
        [
            staged("big.tar.gz!/first.env"),
            staged("big.tar.gz!/last.env"),
            staged("release.jar!/conf/prod.env"),
        ]
    );
    assert_eq!(
        skipped(&report),
        [(
            "dump.tar".to_string(),
            format!("larger than --max-file-size ({} bytes)", 512 << 10)
        )]
    );
    let (code, report) = scan(
        repo.path(),
        &[&flags[..], &["--no-archives"]].concat(),
        None,
    );
    assert_eq!(code, 0, "--no-archives: staged archives are binary files");
    assert_eq!(skipped(&report).len(), 3);
}

#[test]
fn an_archive_on_standard_input_is_opened_within_the_archive_limit() {
    let key = fresh_stripe_key();
    let tarball = gzip(&tar_of(&[(b"etc/app/.env", &env_line(&key))]));
    let (code, report) = scan(Path::new("-"), &[], Some(tarball.clone()));
    assert_eq!(code, 1);
    assert_eq!(
        located(&report),
        [("stdin".to_string(), "-!/etc/app/.env".to_string())]
    );
    assert_eq!(
        report["keys"][0]["locations"][0]["archive"][0]["kind"],
        "tar+gzip"
    );
    // `docker save IMAGE | keyaudit scan -`: held in memory, so read as an image.
    let (_, report) = scan(Path::new("-"), &[], Some(docker_image(&key)));
    let location = &report["keys"][0]["locations"][0];
    assert_eq!(
        location["image"]["tags"],
        serde_json::json!(["shop/api:1.4"])
    );
    assert!(location["deleted_in_layer"].is_string(), "{location}");
    let (code, report) = scan(
        Path::new("-"),
        &["--max-archive-size", "64"],
        Some(tarball.clone()),
    );
    assert_eq!(code, 0);
    assert_eq!(
        skipped(&report),
        [(
            "-".to_string(),
            "standard input is an archive larger than --max-archive-size (64 bytes): not read"
                .to_string()
        )]
    );
    // Text on standard input is read as before.
    let (code, report) = scan(Path::new("-"), &[], Some(env_line(&key)));
    assert_eq!(code, 1);
    assert_eq!(located(&report), [("stdin".to_string(), "-".to_string())]);
}

#[test]
fn history_blobs_over_the_file_limit_are_opened_when_named_like_archives() {
    let repo = GitRepo::new();
    let (first, last) = (fresh_stripe_key(), fresh_stripe_key());
    std::fs::write(repo.path().join("big.tar.gz"), large_tar_gz(&first, &last)).unwrap();
    // The same archive under a name that does not say so is not inflated to be looked at.
    std::fs::write(repo.path().join("blob.bin"), large_tar_gz(&first, &last)).unwrap();
    let mut text = env_line(&fresh_stripe_key());
    text.extend(b"# filler line\n".repeat(50_000));
    std::fs::write(repo.path().join("dump.tar"), &text).unwrap();
    let commit = repo.commit_all("release");
    repo.run(&["rm", "-q", "big.tar.gz", "blob.bin", "dump.tar"]);
    repo.commit_all("drop the release");
    // Packed, as history mostly is: the pack reader leaves large blobs to be read one by one.
    repo.run(&["repack", "-adq"]);
    let (code, report) = scan(
        repo.path(),
        &["--history", "--max-file-size", "512KiB"],
        None,
    );
    assert_eq!(code, 1);
    let git = |path: &str| ("git".to_string(), path.to_string());
    assert_eq!(
        located(&report),
        [git("big.tar.gz!/first.env"), git("big.tar.gz!/last.env")]
    );
    let short = &commit[..12];
    let reasons: Vec<String> = skipped(&report)
        .into_iter()
        .map(|(path, reason)| format!("{path}: {}", reason.split(" (").next().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        [
            format!("blob.bin @ {short}: larger than --max-file-size"),
            format!("dump.tar @ {short}: larger than --max-file-size"),
        ]
    );
    // Within --max-archive-size only: past it, the archive is skipped unread.
    let (code, report) = scan(
        repo.path(),
        &[
            "--history",
            "--max-file-size",
            "512KiB",
            "--max-archive-size",
            "600KiB",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(skipped(&report).len(), 3);
}
