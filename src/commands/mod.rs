//! One module per command, each taking a plain config (never clap types)
//! and returning a [`Summary`] that `main` tells ([`tell`]) and turns into
//! the exit code. Beside them, what several commands share: the rows of a
//! sheet ([`rows`]), a saved plan ([`saved_plan`]), the summary and its
//! parts ([`summary`]), and progress. The commands that talk to the service
//! do so through a [`crate::service::Session`] and its fleet; none of them
//! imports another command.

pub mod answers_export;
pub mod answers_import;
pub mod answers_validate;
pub mod export;
pub mod import;
pub mod plan;
mod progress;
mod rows;
pub mod saved_plan;
pub mod summary;
pub mod tell;
pub mod template;
pub mod validate;

use std::process::{ExitCode, Termination};

use crate::signal::Signal;
pub use crate::stdout::print_line;
pub use summary::{LaneLine, PlanCounts, RowNote, Summary, Traffic};
pub use tell::{Form, Telling, finish};

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
    /// SIGHUP: the terminal closed.
    HungUp = 129,
    /// Ctrl-C (SIGINT).
    Interrupted = 130,
    /// SIGTERM: a scheduler or service manager stopped the run.
    Terminated = 143,
}

impl Exit {
    /// The exit of a run a signal stopped: 128 + the signal's number.
    pub fn signalled(signal: Signal) -> Exit {
        match signal {
            Signal::HangUp => Exit::HungUp,
            Signal::Interrupt => Exit::Interrupted,
            Signal::Terminate => Exit::Terminated,
        }
    }
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(self as u8)
    }
}
