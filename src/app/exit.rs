//! The exit codes of every command (and of `main`).

/// Exit code: nothing found that fails.
pub const EXIT_CLEAN: u8 = 0;

/// Exit code: keys found (scan) or a failing audit class (audit).
pub const EXIT_FOUND: u8 = 1;

/// Exit code: an error.
pub const EXIT_ERROR: u8 = 2;
