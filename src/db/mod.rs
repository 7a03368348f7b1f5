//! `keyaudit db`: the inventory over time, in an embedded SQLite file. JSON reports of scan,
//! audit and merge are recorded as runs ([`ingest`]); per key, [`query`] works out first and
//! last seen, where, and whether it is still open or was resolved by a later complete run; the
//! renderers ([`render`], [`html`]) show that, and per run the counts that trends are drawn from.
//!
//! Data flows one way: report files -> [`input`] (validated, secrets dropped) -> [`ingest`] ->
//! the database ([`schema`]) -> [`query`] -> [`render`]/[`html`]. No secret value is ever
//! written: [`input`] has no field that could hold one. [`history`] keeps what incremental
//! runs need: the refs each run read, and the base run's history carried forward. The `db` command itself (its arguments,
//! output and exit codes) is in `app`, with the others.

pub mod history;
pub mod html;
pub mod ingest;
pub mod input;
pub mod query;
pub mod render;
pub mod schema;
