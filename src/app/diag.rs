//! What a run tells the person running it on stderr, one line each: every [`Diagnostic`] the
//! library and the commands produce (warnings and notes, what could not be read or was
//! skipped), and the progress of reading. The only writer of diagnostics. Callers never pass
//! secret values.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::config::Settings;
use crate::error::{Diagnostic, Level};
use crate::pipeline::collect::Watch;
use crate::source::Stats;

pub(super) use crate::pipeline::collect::{first_few_unread, inputs};

/// Writes `diagnostic` to stderr on one line, `keyaudit: ` first (a listing line as it is).
pub(super) fn tell(diagnostic: &Diagnostic) {
    let _ = match diagnostic.level {
        Level::Listing => writeln!(io::stderr(), "{diagnostic}"),
        _ => writeln!(io::stderr(), "keyaudit: {diagnostic}"),
    };
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

    fn diagnose(&self, diagnostic: Diagnostic) {
        tell(&diagnostic);
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
