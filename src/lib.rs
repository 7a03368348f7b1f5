//! keyaudit: a provisioning-key auditor.
//!
//! `main` hands the command line to [`app`], one file per subcommand, which runs the
//! [`pipeline`] one way: CLI flags become [`config::Settings`], rule files become a compiled
//! [`rules::RuleSet`], [`source`] yields blobs of bytes, [`scan`] finds keys in them,
//! [`inventory`] folds findings into one entry per distinct secret, [`manifest::audit`] judges
//! them, and [`report`] renders the result. Only `app` (and `main`) writes to stdout and stderr
//! and decides exit codes; nothing below `app` imports it, and nothing below `pipeline` imports
//! that (`tests/architecture.rs` holds this, and that no file-level import cycle exists).
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod analyze;
pub mod app;
pub mod cli;
pub mod config;
pub mod db;
pub mod decode;
pub mod error;
pub mod evidence;
pub mod fingerprint;
pub mod globs;
pub mod incremental;
pub mod inventory;
pub mod managed;
pub mod manifest;
pub mod org;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod scan;
pub mod scope;
pub mod secret;
pub mod size;
pub mod source;
pub mod time;
pub mod verify;
