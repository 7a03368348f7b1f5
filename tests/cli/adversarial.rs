//! Hostile input: every odd file, name, size, shape and repository
//! gives a clear message or a `skipped` entry, never a panic or a hang, and keys in odd
//! encodings and huge lines are still found where they are.

use std::path::Path;
use std::process::Command as Process;

use serde_json::Value;

use crate::common::{assert_exit, fresh_stripe_key, keyaudit, placements, skipped};

/// Runs `scan --no-manifest --format json` on `path` with `extra`; returns (code, report,
/// stderr). A panic would show as exit code 101 and fail the caller's code check.
fn scan(path: &Path, extra: &[&str]) -> (i32, Value, String) {
    let output = keyaudit()
        .args(["scan", "--no-manifest", "--format", "json"])
        .arg(path)
        .args(extra)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    (output.status.code().expect("exit code"), report, stderr)
}

/// (line, column) of every location of every key.
fn positions(report: &Value) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|k| k["locations"].as_array().unwrap().iter())
        .map(|l| (l["line"].as_u64().unwrap(), l["column"].as_u64().unwrap()))
        .collect();
    out.sort();
    out
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_named_as_paths_are_read_as_streams_and_never_block() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(Process::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // `keyaudit scan <(printenv)`: what a process writes into a FIFO is scanned like `-`.
    let key = fresh_stripe_key();
    let writer = {
        let (fifo, key) = (fifo.clone(), key.clone());
        std::thread::spawn(move || std::fs::write(fifo, format!("HOME=/root\nSTRIPE_KEY={key}\n")))
    };
    let (code, report, stderr) = scan(&fifo, &["--show-secrets"]);
    writer.join().unwrap().unwrap();
    assert_eq!(code, 1, "stderr: {stderr}");
    let keys = report["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0]["secret"], key);
    assert_eq!(keys[0]["locations"][0]["path"], fifo.display().to_string());
    assert_eq!(keys[0]["locations"][0]["line"], 2);
    assert_eq!(keys[0]["locations"][0]["variable"], "STRIPE_KEY");

    // An endless device is read up to --max-file-size, and says so.
    for path in ["/dev/zero", "/dev/urandom"] {
        let (code, report, stderr) = scan(Path::new(path), &["--max-file-size", "64KiB"]);
        assert_eq!(code, 0, "{path}: {stderr}");
        let entries = skipped(&report);
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert!(
            entries[0].1.contains("larger than --max-file-size"),
            "{entries:?}"
        );
    }

    // A FIFO met while walking is skipped: nothing may be waiting to write it.
    let (code, report, _) = scan(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        skipped(&report),
        [("pipe".to_string(), "not a regular file".to_string())]
    );
}

/// Runs `scan --format json` on `dir` with `extra` as a user that permissions bind (see
/// [`run_unprivileged`]), and parses the report.
#[cfg(unix)]
fn scan_unprivileged(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let (code, stdout, stderr) = run_unprivileged(dir, dir, extra);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    (code, report, stderr)
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_directories_are_errors_and_fail_closed_under_strict() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let key = fresh_stripe_key();
    std::fs::write(
        dir.path().join("readable.env"),
        format!("STRIPE_KEY={key}\n"),
    )
    .unwrap();
    let locked_file = dir.path().join("locked.env");
    std::fs::write(&locked_file, "x").unwrap();
    let locked_dir = dir.path().join("locked-dir");
    std::fs::create_dir(&locked_dir).unwrap();
    std::fs::write(locked_dir.join("inside.env"), "x").unwrap();
    for path in [&locked_file, &locked_dir] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let (code, report, stderr) = scan_unprivileged(dir.path(), &[]);
    assert_eq!(code, 1, "the readable key is still found; stderr: {stderr}");
    let errors = report["scan"]["errors"].to_string();
    assert!(
        errors.contains("locked.env") && errors.contains("locked-dir"),
        "{errors}"
    );
    assert!(errors.contains("permission denied"), "{errors}");
    assert_eq!(report["summary"]["complete"], false);
    assert!(stderr.contains("inventory is incomplete"), "{stderr}");
    assert!(stderr.contains("locked.env"), "{stderr}");
    assert_eq!(
        stderr.matches("locked-dir").count(),
        1,
        "named once: {stderr}"
    );
    // --quiet still says it: one line, the count and the first few.
    let (_, _, stderr) = scan_unprivileged(dir.path(), &["--quiet"]);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("2 inputs could not be read")
            && stderr.contains("locked.env")
            && stderr.contains("locked-dir"),
        "{stderr}"
    );
    let (code, report, stderr) = scan_unprivileged(dir.path(), &["--strict"]);
    let error = stderr
        .lines()
        .find(|l| l.starts_with("keyaudit: error: --strict: 2 inputs could not be read"))
        .unwrap_or_else(|| panic!("an error line: {stderr}"));
    assert!(
        error.contains("locked.env") && error.contains("locked-dir"),
        "{error}"
    );
    assert_eq!(code, 2);
    assert_eq!(
        report["keys"].as_array().unwrap().len(),
        1,
        "still reported"
    );
    for path in [&locked_file, &locked_dir] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn an_unreadable_path_named_on_the_command_line_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let locked_file = dir.path().join("locked.env");
    std::fs::write(&locked_file, "x").unwrap();
    let locked_dir = dir.path().join("locked-dir");
    std::fs::create_dir(&locked_dir).unwrap();
    for path in [&locked_file, &locked_dir] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink(dir.path().join("gone"), &dangling).unwrap();
    for (path, reason) in [
        (&locked_file, "permission denied"),
        (&locked_dir, "permission denied"),
        (&dangling, "dangling symbolic link"),
    ] {
        let (code, stdout, stderr) = run_unprivileged(dir.path(), path, &[]);
        assert_eq!(code, 2, "{}: {stderr}", path.display());
        assert!(stdout.is_empty(), "no report for unread input: {stdout}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{stderr}");
        assert!(
            lines[0].contains(&*path.to_string_lossy()) && lines[0].contains(reason),
            "{stderr}"
        );
        // A file that exists is never "no such file".
        assert!(
            path == &dangling || !stderr.contains("no such file"),
            "{stderr}"
        );
    }
    for path in [&locked_file, &locked_dir] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
}

/// Runs `scan --format json` on `path` with `extra` as a user that permissions bind: as
/// itself, or, when the tests run as root (who reads everything: `dir`'s `locked.env` reads),
/// as `nobody` via setpriv. Exit code, stdout, stderr.
#[cfg(unix)]
fn run_unprivileged(dir: &Path, path: &Path, extra: &[&str]) -> (i32, String, String) {
    let binary = assert_cmd::cargo::cargo_bin("keyaudit");
    let mut command = if std::fs::read(dir.join("locked.env")).is_ok() {
        let mut c = Process::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(binary);
        c
    } else {
        Process::new(binary)
    };
    let output = command
        .args(["scan", "--no-manifest", "--format", "json"])
        .arg(path)
        .args(extra)
        .output()
        .expect("runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn non_utf8_names_and_invalid_utf8_content_are_scanned() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9-\xff.env");
    let mut content = b"\xc3(junk \xfe \x80\x80\nSTRIPE_KEY=".to_vec();
    content.extend_from_slice(key.as_bytes());
    content.extend_from_slice(b"\n\xe2\x82 more junk\n");
    std::fs::write(dir.path().join(name), content).unwrap();
    let (code, report, _) = scan(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(report["keys"][0]["secret"], key.as_str());
    let path = report["keys"][0]["locations"][0]["path"].as_str().unwrap();
    assert!(path.starts_with("caf") && path.ends_with(".env"), "{path}");
    assert_eq!(positions(&report), vec![(2, 12)]);
}

#[test]
fn utf16_files_with_a_byte_order_mark_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    let text = format!("[settings]\r\nname=app\r\nStripeKey={key}\r\n");
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut little = vec![0xFF, 0xFE];
    let mut big = vec![0xFE, 0xFF];
    for unit in &units {
        little.extend_from_slice(&unit.to_le_bytes());
        big.extend_from_slice(&unit.to_be_bytes());
    }
    std::fs::write(dir.path().join("le.ini"), little).unwrap();
    std::fs::write(dir.path().join("be.ini"), big).unwrap();
    let (code, report, _) = scan(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(
        report["keys"].as_array().unwrap().len(),
        1,
        "one key, two places"
    );
    assert_eq!(report["keys"][0]["secret"], key.as_str(), "no trailing CR");
    assert_eq!(
        placements(&report)
            .into_iter()
            .map(|(_, path, line)| (path, line))
            .collect::<Vec<_>>(),
        vec![("be.ini".to_string(), 3), ("le.ini".to_string(), 3)]
    );
    assert_eq!(positions(&report), vec![(3, 11), (3, 11)]);
}

#[test]
fn files_read_in_windows_are_decoded_by_their_byte_order_mark() {
    // Over 2 MiB, a file is read in windows: as it is without a byte-order mark, transcoded or
    // stripped of it with one.
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    let filler_lines = 400_000;
    let text = format!("{}StripeKey={key}\n", "x = 1\n".repeat(filler_lines));
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
    utf8_bom.extend_from_slice(text.as_bytes());
    std::fs::write(dir.path().join("plain.ini"), &text).unwrap();
    std::fs::write(dir.path().join("utf16.ini"), utf16).unwrap();
    std::fs::write(dir.path().join("utf8-bom.ini"), utf8_bom).unwrap();
    let (code, report, _) = scan(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(report["keys"][0]["secret"], key.as_str());
    assert_eq!(
        positions(&report),
        vec![(filler_lines as u64 + 1, 11); 3],
        "{report}"
    );
}

#[test]
fn a_huge_single_line_is_scanned_in_windows_and_boundary_keys_are_found() {
    // Eight windows' worth (2 MiB each; over the default --max-file-size of 16 MiB) and a bit
    // of one line, with keys straddling the first two window boundaries and one at the very end.
    const WINDOW: usize = 2 << 20;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.min.js");
    let filler = b"var a=function(b){return b.c(d)};";
    let mut data: Vec<u8> = filler
        .iter()
        .copied()
        .cycle()
        .take(8 * WINDOW + 4096)
        .collect();
    let keys: Vec<String> = (0..3).map(|_| fresh_stripe_key()).collect();
    let starts = [WINDOW - 20, 2 * WINDOW - 1, data.len() + 1];
    for (key, &start) in keys.iter().zip(&starts).take(2) {
        let planted = format!(" {key} ");
        data[start - 1..start - 1 + planted.len()].copy_from_slice(planted.as_bytes());
    }
    data.extend_from_slice(format!(" {}", keys[2]).as_bytes());
    std::fs::write(&path, &data).unwrap();
    drop(data);

    let (code, report, _) = scan(&path, &[]);
    assert_eq!(
        code, 0,
        "a file over the default --max-file-size is skipped"
    );
    assert!(skipped(&report)[0]
        .1
        .starts_with("larger than --max-file-size"));

    let (code, report, _) = scan(&path, &["--max-file-size", "1GiB", "--show-secrets"]);
    assert_eq!(code, 1);
    let mut found: Vec<(u64, String)> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let column = k["locations"][0]["column"].as_u64().unwrap();
            (column, k["secret"].as_str().unwrap().to_string())
        })
        .collect();
    found.sort();
    let expected: Vec<(u64, String)> = starts
        .iter()
        .zip(&keys)
        .map(|(&start, key)| (start as u64 + 1, key.clone()))
        .collect();
    assert_eq!(found, expected, "each key once, at its column on line 1");
    assert_eq!(report["scan"]["bytes"], (8 * WINDOW + 4096 + 1 + 40) as u64);
}

#[test]
fn crlf_line_ends_do_not_reach_the_key_or_shift_lines() {
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    std::fs::write(
        dir.path().join("app.env"),
        format!("# windows\r\n\r\nSTRIPE_KEY={key}\r\nOTHER=1\r\n"),
    )
    .unwrap();
    let (code, report, _) = scan(dir.path(), &["--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(report["keys"][0]["secret"], key.as_str());
    assert_eq!(report["keys"][0]["locations"][0]["variable"], "STRIPE_KEY");
    assert_eq!(positions(&report), vec![(3, 12)]);
}

#[test]
fn empty_files_and_a_hundred_thousand_tiny_files() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..100 {
        let sub = dir.path().join(format!("d{i:03}"));
        std::fs::create_dir(&sub).unwrap();
        for j in 0..1000 {
            std::fs::write(
                sub.join(format!("f{j:04}")),
                if j % 2 == 0 { "" } else { "x=1\n" },
            )
            .unwrap();
        }
    }
    let key = fresh_stripe_key();
    std::fs::write(dir.path().join("d050/f0500"), format!("K={key}\n")).unwrap();
    let (code, report, _) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["scan"]["files"], 100_000);
    assert_eq!(
        placements(&report),
        vec![(
            "stripe-secret-key-live".to_string(),
            "d050/f0500".to_string(),
            1
        )]
    );
}

#[cfg(unix)]
#[test]
fn directories_nested_ten_thousand_deep_end_in_an_error_entry_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    // The tree is deeper than PATH_MAX allows to name, so it is built (and removed) relative
    // to each level, as only a program can.
    let script = "import os,sys\nos.chdir(sys.argv[1])\nfor _ in range(10000):\n    os.mkdir('d')\n    os.chdir('d')\nopen('deep.env','w').write('K=x\\n')\n";
    let built = Process::new("python3")
        .args(["-c", script])
        .arg(dir.path())
        .status()
        .expect("python3 runs");
    assert!(built.success());
    std::fs::write(dir.path().join("top.env"), format!("STRIPE_KEY={key}\n")).unwrap();
    let (code, report, _) = scan(dir.path(), &[]);
    assert_eq!(code, 1, "the key at the top is found");
    assert_eq!(report["summary"]["complete"], false);
    let errors = report["scan"]["errors"].as_array().unwrap();
    assert!(!errors.is_empty());
    assert!(
        errors
            .iter()
            .all(|e| !e["message"].as_str().unwrap().is_empty()),
        "{errors:?}"
    );
    // Every report format says the run is incomplete.
    let table = keyaudit()
        .args(["scan", "--no-manifest", "--format", "table"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains("INCOMPLETE"));
    let sarif = keyaudit()
        .args(["scan", "--no-manifest", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert!(!invocation["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .is_empty());
    // GNU rm walks without building full paths; std's recursive removal could overflow.
    assert!(Process::new("rm")
        .arg("-rf")
        .arg(dir.path().join("d"))
        .status()
        .unwrap()
        .success());
}

#[test]
fn a_huge_manifest_loads_and_audits() {
    let dir = tempfile::tempdir().unwrap();
    let mut manifest = String::from("version = 1\nsalt = \"huge-manifest-test\"\n");
    for i in 0..20_000 {
        manifest.push_str(&format!(
            "\n[[key]]\nid = \"key-{i}\"\nfingerprint = \"hmac-sha256:{i:032x}\"\nrule = \"stripe-secret-key-live\"\nlocations = [\"config/{i}.env\"]\n"
        ));
    }
    let path = dir.path().join("keyaudit.toml");
    std::fs::write(&path, manifest).unwrap();
    let output = keyaudit()
        .args(["manifest", "check", "--manifest"])
        .arg(&path)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let output = keyaudit()
        .args(["audit", "--format", "json", "--manifest"])
        .arg(&path)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["unused"].as_array().unwrap().len(), 20_000);
}

#[test]
fn binary_files_are_skipped_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = b"\x7fELF\x02\x01\x01\0\0\0".to_vec();
    data.extend_from_slice(format!("STRIPE_KEY={}", fresh_stripe_key()).as_bytes());
    std::fs::write(dir.path().join("tool.bin"), data).unwrap();
    let (code, report, _) = scan(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        skipped(&report),
        vec![("tool.bin".to_string(), "binary file".to_string())]
    );
}

#[test]
fn a_file_is_binary_by_a_nul_in_its_first_8_kib_only() {
    // The first 8 KiB are read first and decide; the rest is read only for text.
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_stripe_key();
    for (name, nul_at) in [("late.dat", 8192), ("early.dat", 8191)] {
        let mut data = vec![b'#'; 20_000];
        data[nul_at] = 0;
        data.extend_from_slice(format!("\nSTRIPE_KEY={key}\n").as_bytes());
        std::fs::write(dir.path().join(name), data).unwrap();
    }
    let (code, report, _) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        skipped(&report),
        vec![("early.dat".to_string(), "binary file".to_string())]
    );
    let paths: Vec<&str> = report["keys"][0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|location| location["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["late.dat"]);
}

#[test]
fn nul_separated_environment_on_stdin_is_read_entry_by_entry() {
    // `/proc/PID/environ` and `env -0` separate entries with NUL: not a binary file.
    let key = fresh_stripe_key();
    let output = keyaudit()
        .args([
            "scan",
            "-",
            "--no-manifest",
            "--format",
            "json",
            "--show-secrets",
        ])
        .write_stdin(format!("HOME=/root\0STRIPE_KEY={key}\0PATH=/bin\0"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["keys"][0]["secret"], key.as_str());
    let location = &report["keys"][0]["locations"][0];
    assert_eq!(
        (location["line"].as_u64(), location["variable"].as_str()),
        (Some(2), Some("STRIPE_KEY"))
    );
}

#[test]
fn malformed_archives_of_every_format_end_in_skipped_entries_never_a_crash() {
    use crate::archives::{bzip2, gzip, tar_of, xz, zip_of, zstd};
    let dir = tempfile::tempdir().unwrap();
    let tar = tar_of(&[(b"a.env", b"A=1\n")]);
    let zip = zip_of(&[("a.env", b"A=1\n")]);
    let mut junk = Vec::new();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..4096 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        junk.push(state as u8);
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    // Each format's magic bytes followed by junk.
    let magics: [&[u8]; 6] = [
        b"PK\x03\x04",
        b"PK\x05\x06",
        &[0x1f, 0x8b],
        b"BZh9",
        &[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
        &[0x28, 0xb5, 0x2f, 0xfd],
    ];
    for (i, magic) in magics.iter().enumerate() {
        files.push((format!("magic{i}"), [magic, &junk[..]].concat()));
    }
    // A tar header and nothing else; one whose size field claims far more than follows.
    files.push(("header-only.tar".into(), tar[..512].to_vec()));
    let mut huge = tar.clone();
    huge[124..136].copy_from_slice(b"77777777777\0");
    let sum: u32 = huge[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    huge[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    files.push(("huge-size.tar".into(), huge));
    // A zip whose central directory claims sizes and offsets past its end.
    let mut lying = zip.clone();
    let central = lying.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    lying[central + 20..central + 28].fill(0xff);
    lying[central + 42..central + 46].fill(0x7f);
    files.push(("lying.zip".into(), lying));
    // Every format cut short, and every prefix of a small nested archive.
    for (name, data) in [
        ("cut.tar.gz", gzip(&tar)),
        ("cut.tar.bz2", bzip2(&tar)),
        ("cut.tar.xz", xz(&tar)),
        ("cut.tar.zst", zstd(&tar)),
        ("cut.zip", zip.clone()),
    ] {
        for cut in [3, 10, data.len() / 2, data.len() - 1] {
            files.push((
                format!("{cut}-{name}"),
                data[..cut.min(data.len())].to_vec(),
            ));
        }
    }
    let nested = gzip(&tar_of(&[(b"in.zip", &zip)]));
    for cut in (20..nested.len()).step_by(7) {
        files.push((format!("prefix{cut}.tgz"), nested[..cut].to_vec()));
    }
    for (name, data) in &files {
        std::fs::write(dir.path().join(name), data).unwrap();
    }
    let (code, report, _) = scan(dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(report["keys"].as_array().unwrap().is_empty());
    assert!(!skipped(&report).is_empty());
}
