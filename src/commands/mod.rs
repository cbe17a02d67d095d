//! One module per command. Each takes a plain config (never clap types) and
//! returns a [`Summary`] that `main` prints and turns into the exit code.

pub mod import;
pub mod validate;

use std::path::PathBuf;
use std::process::{ExitCode, Termination};
use std::time::Duration;

use crate::report::{Counts, Status};
pub use crate::stdout::print_line;
use crate::submit::StopReason;

/// What the exit code says: one meaning each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Every row is valid, or in place.
    Success = 0,
    /// Some rows are invalid or failed.
    RowsFailed = 1,
    /// Bad usage or unreadable input: nothing was sent.
    Unusable = 2,
    /// A run-wide fault stopped the run.
    Stopped = 3,
    /// Requests were sent but the report could not be written; the
    /// journal keeps every outcome.
    ReportNotWritten = 4,
    /// Ctrl-C.
    Interrupted = 130,
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(self as u8)
    }
}

/// How many problems the terminal shows; the report has them all.
const PROBLEMS_SHOWN: usize = 20;

/// What a command did.
#[derive(Debug)]
pub struct Summary {
    pub counts: Counts,
    /// Statuses the summary line names even when no row has them.
    pub headline: &'static [Status],
    pub elapsed: Duration,
    /// Where the report went; `None` when none is written (`--dry-run`).
    pub report: Option<PathBuf>,
    /// Why an import stopped sending early.
    pub stopped: Option<StopReason>,
    /// Unknown columns and the like.
    pub warnings: Vec<String>,
    /// The first problems, one line each, for the terminal.
    pub first_problems: Vec<String>,
    /// How many problems there are in all.
    pub problems: u64,
}

impl Summary {
    pub fn new(headline: &'static [Status], report: Option<PathBuf>, warnings: Vec<String>) -> Summary {
        Summary {
            counts: Counts::default(),
            headline,
            elapsed: Duration::ZERO,
            report,
            stopped: None,
            warnings,
            first_problems: Vec::new(),
            problems: 0,
        }
    }

    /// Counts a problem, and keeps it for the terminal while there is room.
    pub fn problem(&mut self, problem: String) {
        self.problems += 1;
        if self.first_problems.len() < PROBLEMS_SHOWN {
            self.first_problems.push(problem);
        }
    }

    /// Interrupted, stopped by a run-wide fault, some rows invalid or
    /// failed, or success.
    pub fn exit(&self) -> Exit {
        match &self.stopped {
            Some(StopReason::Interrupted) => Exit::Interrupted,
            Some(StopReason::RunWide { .. }) => Exit::Stopped,
            None if self.counts.get(Status::Invalid) + self.counts.get(Status::Failed) > 0 => {
                Exit::RowsFailed
            }
            None => Exit::Success,
        }
    }

    /// `20 rows: 18 valid, 2 invalid in 0.01 s; report: x.report.csv`
    pub fn line(&self) -> String {
        let counts = self.counts.line(self.headline, self.elapsed);
        match &self.report {
            Some(report) => format!("{counts}; report: {}", report.display()),
            None => counts,
        }
    }
}
