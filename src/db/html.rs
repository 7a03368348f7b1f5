//! placeholder
use std::io::{self, Write};

use super::query::History;
use super::render::ReportView;

/// Renders the HTML page.
pub fn render(_view: &ReportView<'_>, _history: &History, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<!doctype html>")
}
