//! Standard output is for what a script parses (summary lines, JSON). When
//! its reader goes away (`wa-bulk import x.csv --dry-run | head -1`), the
//! output ends quietly instead of panicking, and the run's exit code stands.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once stdout's reader has gone away.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes a line to stdout. A reader that has gone (`… | head -1`) ends
/// the output quietly: what was to be printed no longer has anyone to read it.
pub fn print_line(line: &str) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(error) = writeln!(out, "{line}") {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write to stdout: {error}");
        }
    }
}
