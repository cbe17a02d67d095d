//! One module per command. Each takes a plain config (never clap types) and
//! returns a [`Summary`] that `main` prints and turns into the exit code.

pub mod import;
pub mod validate;

use std::path::PathBuf;
use std::time::Duration;

use crate::report::{Counts, Status};
use crate::submit::StopReason;

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

    /// 130 interrupted, 3 stopped by a run-wide fault, 1 some rows invalid
    /// or failed, 0 otherwise.
    pub fn exit_code(&self) -> u8 {
        match &self.stopped {
            Some(StopReason::Interrupted) => 130,
            Some(StopReason::RunWide { .. }) => 3,
            None if self.counts.get(Status::Invalid) + self.counts.get(Status::Failed) > 0 => 1,
            None => 0,
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
