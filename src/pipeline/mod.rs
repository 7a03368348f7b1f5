//! The library under the commands: a run's way from its settings to its report, with nothing
//! written to stdout or stderr and no exit code decided (both are `app`'s). [`prepare`] reads
//! the manifest, the settings and the rules; [`collect`] reads the sources, scans them and
//! builds the inventory; [`audit`] judges it against the manifest; [`report`] builds the
//! report; with `--verify`, [`verify`] asks providers about the inventory's keys before the
//! audit; with `--db`, [`incremental`] says how each history is read and records the run.
//! [`repos`] runs that per listed repository and folds the reports, [`reports`] merges
//! and audits reports read back, and [`declare`] writes the manifest's entries for found keys.

pub mod audit;
pub mod collect;
pub mod declare;
pub mod incremental;
pub mod prepare;
pub mod report;
pub mod reports;
pub mod repos;
pub mod verify;
