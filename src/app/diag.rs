//! What a run tells the person running it on stderr, one line each: warnings and notes, the
//! progress of reading, and what could not be read or was skipped. Callers never pass secret
//! values.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::config::Settings;
use crate::pipeline::collect::Watch;
use crate::source::{Stats, StatsSnapshot};

/// Writes a one-line message to stderr. Callers never pass secret values.
pub(super) fn diag(message: &str) {
    let _ = writeln!(io::stderr(), "keyaudit: {message}");
}

/// Watches a run read its input, on stderr.
pub(super) struct Stderr;

impl Watch for Stderr {
    fn shows_progress(&self, settings: &Settings) -> bool {
        // Progress only for a person watching: stderr is a terminal and --quiet is not given.
        settings.verbosity > 0 && io::stderr().is_terminal()
    }

    fn progress(&self, stats: &Stats, found: &AtomicUsize, done: &AtomicBool) {
        progress(stats, found, done);
    }

    fn read(&self, settings: &Settings, stats: &StatsSnapshot) {
        report_problems(settings, stats);
    }

    fn rejected(&self, lines: &[String]) {
        let mut stderr = io::stderr().lock();
        for line in lines {
            let _ = writeln!(stderr, "{line}");
        }
    }

    fn unreadable_repo(&self, settings: &Settings, name: &str, message: &str) {
        if settings.verbosity > 0 {
            diag(&format!("warning: {name}: {message}"));
        }
    }
}

/// Shows files, bytes, blobs and keys found on a stderr spinner until `done`.
fn progress(stats: &Stats, found: &AtomicUsize, done: &AtomicBool) {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    while !done.load(Ordering::Relaxed) {
        let (files, bytes, blobs) = stats.progress();
        let mut message = format!("{files} files, {} MiB", bytes >> 20);
        if blobs > 0 {
            message.push_str(&format!(", {blobs} blobs"));
        }
        message.push_str(&format!(", {} keys", found.load(Ordering::Relaxed)));
        bar.set_message(message);
        bar.tick();
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    bar.finish_and_clear();
}

/// `N input(s)`.
pub(super) fn inputs(count: usize) -> String {
    format!("{count} input{}", if count == 1 { "" } else { "s" })
}

/// The first three inputs that could not be read, then how many more: one line however many.
pub(super) fn first_few_unread(stats: &StatsSnapshot) -> String {
    const SHOWN: usize = 3;
    let first: Vec<&str> = stats
        .errors
        .iter()
        .take(SHOWN)
        .map(|e| e.path.as_str())
        .collect();
    match stats.errors.len().saturating_sub(SHOWN) {
        0 => first.join(", "),
        more => format!("{} and {more} more", first.join(", ")),
    }
}

/// Tells stderr what could not be read (always) and what was skipped (with `-v`).
fn report_problems(settings: &Settings, stats: &StatsSnapshot) {
    // Unread input is never silent: under --quiet, the count and the first few.
    if settings.verbosity == 0 {
        if !stats.errors.is_empty() {
            diag(&format!(
                "warning: {} could not be read, the inventory is incomplete: {}",
                inputs(stats.errors.len()),
                first_few_unread(stats)
            ));
        }
        return;
    }
    for error in &stats.errors {
        diag(&format!("warning: {}: {}", error.path, error.message));
    }
    if settings.verbosity > 1 {
        for skipped in &stats.skipped {
            diag(&format!("skipped {}: {}", skipped.path, skipped.reason));
        }
    }
    if !stats.errors.is_empty() {
        diag(&format!(
            "warning: {} could not be read; the inventory is incomplete",
            inputs(stats.errors.len())
        ));
    }
}
