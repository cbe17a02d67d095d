//! wa-bulk: spreadsheets of workloads into the AWS Well-Architected Tool.
//!
//! The data path, one module per stage, each depending only on those before
//! it: [`model`] and `problem` say what a request and a problem are;
//! [`input`] reads CSV or Excel rows and maps them to
//! [`model::WorkloadRequest`]s; [`validate`] checks them in parallel against
//! every rule of the API; [`report`] writes what became of each row, with its
//! journal and the guards on its files; `submit` sends valid rows, paced and
//! retried; and [`commands`] strings the stages together for each command.
//! [`emulator`] is a local Well-Architected API for tests and `--local` runs.
//! The command line ([`cli`]) only builds the plain configs the commands take;
//! `stdout` is where a script's output goes, and [`stderr`] what people (or a
//! log collector) read.

pub mod added_columns;
pub mod answers;
pub mod cli;
pub mod commands;
pub mod destination;
pub mod emulator;
pub mod input;
pub mod model;
pub(crate) mod problem;
pub mod report;
pub mod risks;
pub mod service;
pub mod share;
pub mod signal;
pub mod stderr;
pub(crate) mod stdout;
pub(crate) mod submit;
pub mod validate;

/// Why a command stopped before it finished.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The input cannot be read as a whole (exit code 2).
    #[error(transparent)]
    Input(#[from] input::InputError),
    /// The report's files cannot be used: read, written, locked, or they
    /// would be the input (exit code 2).
    #[error(transparent)]
    Report(#[from] report::ReportError),
    /// An unfinished run left its journal, for other bytes of the input,
    /// and neither `--resume` nor `--force` says what to do with it (exit
    /// code 2).
    #[error(
        "{journal}: a run of this report stopped unfinished, and the input's bytes have changed since: pass \
         --resume to continue that run all the same, or --force to start over"
    )]
    UnfinishedRun { journal: String },
    /// The command line asks for something that cannot be (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// The AWS configuration lacks credentials or a Region, or the
    /// sender cannot start (exit code 2).
    #[error(transparent)]
    Session(#[from] service::SessionError),
    /// `--failures` cannot be written (exit code 2).
    #[error(transparent)]
    Failures(#[from] report::failures::FailuresError),
    /// A saved plan's workloads changed on the service since it was made;
    /// nothing was sent (exit code 2).
    #[error("the service changed since the plan was made, for {rows}: run plan again (nothing was sent)")]
    StalePlan { rows: String },
    /// Requests were sent, then the report could not be written (exit code
    /// 4). The journal keeps every outcome for `--resume` to write it.
    #[error(
        "{source}; every outcome is kept in {journal}: run the same command again with --resume to write \
         the report (rows already done are not sent again)"
    )]
    ReportNotWritten { source: report::ReportError, journal: String },
}

impl RunError {
    /// The exit code this error ends the run with.
    pub fn exit(&self) -> commands::Exit {
        match self {
            RunError::ReportNotWritten { .. } => commands::Exit::ReportNotWritten,
            RunError::Session(
                service::SessionError::Refused { .. } | service::SessionError::Organization(_),
            ) => commands::Exit::Stopped,
            _ => commands::Exit::Unusable,
        }
    }
}

/// mimalloc asks Linux for transparent huge pages, so each thread's heap
/// that touches a few bytes of a 2 MiB region has all of it zeroed and
/// resident: reading a 100,000-row workbook peaked at 95 MB, a third of its
/// time the kernel zeroing pages. The process opts out, for 4 KiB pages as
/// they are touched: 55 MB, and no slower. The binary calls this first, and
/// so do the benches that measure what it does.
pub fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only how
    // this process's later page faults are served.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
