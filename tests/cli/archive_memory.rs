//! Peak memory on archives that inflate to about 1 GB (`docs/reference/archives.md`, Limits):
//! the binary reads them entry by entry, so its peak resident memory stays far below what they
//! inflate to, and keys before and after the bulk are both found. The archives are built here,
//! streaming: one filler entry is compressed once and its compressed bytes repeated (gzip, xz
//! and zstd streams may be concatenated; a zip entry is copied raw), so building them costs
//! little and nothing of 1 GB is ever held in memory.
#![cfg(target_os = "linux")]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::archives::{gzip, xz, zstd};
use crate::common::fresh_stripe_key;

/// A compressor of the test helpers (`gzip`, `xz`, `zstd`).
type Compress = fn(&[u8]) -> Vec<u8>;

/// Size of one filler entry.
const FILLER: usize = 8 << 20;

/// Filler entries per archive: 120 × 8 MiB ≈ 1.0 GB inflated, within the default 1 GiB
/// `--max-archive-size`.
const COPIES: usize = 120;

/// The bound asserted on the scan's peak resident memory. The measured peak is 43 to 50 MiB
/// (docs/reference/archives.md): the base process, one 8 MiB entry and the decoder.
const PEAK_BOUND: u64 = 200 << 20;

/// A filler entry: binary (it starts with NUL bytes, so it is counted, not scanned), mostly
/// zeros with some random bytes so that it compresses about 250:1, under the bomb ratio.
fn filler() -> Vec<u8> {
    let mut data = vec![0u8; FILLER];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for chunk in data.chunks_mut(1024).skip(1) {
        for byte in &mut chunk[..4] {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *byte = state as u8;
        }
    }
    data
}

/// The tar blocks of one entry (header and padded data), without the end-of-archive blocks.
fn tar_entry(name: &str, data: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_ustar();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append_data(&mut header, name, data).unwrap();
    let mut bytes = builder.into_inner().unwrap();
    bytes.truncate(bytes.len() - 1024);
    bytes
}

/// Writes a compressed tar of `first.env`, [`COPIES`] filler entries and `last.env` to `path`:
/// each part is its own compressed stream (member, frame), concatenated.
fn write_tar(path: &Path, compress: Compress, first: &str, last: &str) {
    let mut out = BufWriter::new(File::create(path).unwrap());
    out.write_all(&compress(&tar_entry("first.env", &env(first))))
        .unwrap();
    let filler = compress(&tar_entry("filler.bin", &filler()));
    for _ in 0..COPIES {
        out.write_all(&filler).unwrap();
    }
    let mut end = tar_entry("last.env", &env(last));
    end.extend_from_slice(&[0u8; 1024]);
    out.write_all(&compress(&end)).unwrap();
    out.flush().unwrap();
}

/// Writes a zip of `first.env`, [`COPIES`] deflated filler entries (one compressed, the others
/// copied raw) and `last.env` to `path`.
fn write_zip(path: &Path, first: &str, last: &str) {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut one = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    one.start_file("filler.bin", options).unwrap();
    one.write_all(&filler()).unwrap();
    let one = one.finish().unwrap();
    let mut source = zip::ZipArchive::new(one).unwrap();
    let mut out = zip::ZipWriter::new(BufWriter::new(File::create(path).unwrap()));
    out.start_file("first.env", options).unwrap();
    out.write_all(&env(first)).unwrap();
    for i in 0..COPIES {
        let entry = source.by_index_raw(0).unwrap();
        out.raw_copy_file_rename(entry, format!("filler/{i}.bin"))
            .unwrap();
    }
    out.start_file("last.env", options).unwrap();
    out.write_all(&env(last)).unwrap();
    out.finish().unwrap().flush().unwrap();
}

fn env(key: &str) -> Vec<u8> {
    format!("STRIPE_SECRET_KEY={key}\n").into_bytes()
}

/// Runs `keyaudit scan` on `path`, sampling the child's peak resident memory (`VmHWM`) while
/// it runs; returns the report, the peak in bytes and the time taken.
fn scan_measured(path: &Path, report: &Path) -> (Value, u64, Duration) {
    let started = Instant::now();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("keyaudit"))
        .args(["scan", "--no-manifest", "--format", "json"])
        .arg(path)
        .stdout(File::create(report).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    let status = loop {
        // The high-water mark only grows; once the child has exited (a zombie) it is gone,
        // so the last sample before then is the peak, give or take one interval's growth.
        if let Some(kib) = std::fs::read_to_string(&status_path)
            .ok()
            .and_then(|status| vm_hwm_kib(&status))
        {
            peak = peak.max(kib << 10);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "scan still running after 10 minutes"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(status.code(), Some(1), "keys are found: exit 1");
    let report = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    (report, peak, started.elapsed())
}

/// `VmHWM` (peak resident set) of a `/proc/PID/status` text, in KiB.
fn vm_hwm_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The sorted paths of the report's locations.
fn paths(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|k| k["locations"].as_array().unwrap().iter())
        .map(|l| l["path"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn vm_hwm_is_read_from_proc_status() {
    assert_eq!(
        vm_hwm_kib("VmPeak:\t  9000 kB\nVmHWM:\t   1234 kB\n"),
        Some(1234)
    );
    assert_eq!(vm_hwm_kib("Name:\tx\n"), None);
}

#[test]
#[allow(clippy::print_stderr)]
fn a_gigabyte_archive_is_read_entry_by_entry_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let kinds: [(&str, Option<Compress>); 4] = [
        ("big.tar.gz", Some(gzip)),
        ("big.tar.xz", Some(xz)),
        ("big.tar.zst", Some(zstd)),
        ("big.zip", None),
    ];
    for (name, compress) in kinds {
        let archive = dir.path().join("in").join(name);
        std::fs::create_dir_all(archive.parent().unwrap()).unwrap();
        let (first, last) = (fresh_stripe_key(), fresh_stripe_key());
        let built = Instant::now();
        match compress {
            Some(compress) => write_tar(&archive, compress, &first, &last),
            None => write_zip(&archive, &first, &last),
        }
        let built = built.elapsed();
        let size = std::fs::metadata(&archive).unwrap().len();
        let (report, peak, took) =
            scan_measured(archive.parent().unwrap(), &dir.path().join("report.json"));
        eprintln!(
            "{name}: {size} bytes on disk, built in {built:.1?}, scanned in {took:.1?}, \
             peak RSS {} MiB",
            peak >> 20
        );
        assert_eq!(
            paths(&report),
            [format!("{name}!/first.env"), format!("{name}!/last.env")],
            "{name}"
        );
        assert_eq!(report["scan"]["skipped"], serde_json::json!([]), "{name}");
        assert!(peak > 0, "{name}: no memory sample");
        assert!(
            peak < PEAK_BOUND,
            "{name}: peak resident memory {} MiB, bound {} MiB",
            peak >> 20,
            PEAK_BOUND >> 20
        );
        std::fs::remove_file(&archive).unwrap();
    }
}
