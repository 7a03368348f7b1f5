//! Integration tests: drive the real `keyaudit` binary on `fixtures/` and on trees built in
//! temporary directories, and check keys, rules, tiers, lines, exit codes and secrecy; the
//! `snapshots` module compares every report format with reviewed insta snapshots.

mod adversarial;
mod archive_memory;
mod archive_sources;
mod archives;
mod audit;
mod common;
mod cyclonedx;
mod db;
mod evidence;
mod formats;
mod history;
mod history_packs;
mod hooks;
mod html;
mod incremental;
mod manifest;
#[path = "../support/mock_http.rs"]
mod mock_http;
mod org;
mod recall;
mod rejections;
mod rules;
mod sarif;
mod scan;
mod schema;
mod secrecy;
mod snapshots;
mod verify;
