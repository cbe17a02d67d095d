//! `wa-bulk validate`: the dry run. Reads, maps and checks every row, writes
//! the report with `valid` or `invalid` for each, and sends nothing.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::RunError;
use crate::input::{self, InputOptions};
use crate::report::{Counts, Format, Record, ReportWriter, Status};
use crate::validate::{Checked, check_rows};

/// How many problems the terminal shows; the report has them all.
const PROBLEMS_SHOWN: usize = 20;

#[derive(Debug, Clone)]
pub struct ValidateConfig {
    pub input: InputOptions,
    pub report: PathBuf,
    pub format: Format,
}

/// What the dry run found.
#[derive(Debug, Clone)]
pub struct ValidateSummary {
    /// Rows valid and invalid.
    pub counts: Counts,
    pub elapsed: Duration,
    pub report: PathBuf,
    /// Unknown columns and the like.
    pub warnings: Vec<String>,
    /// The first problems found, one line each, for the terminal.
    pub first_problems: Vec<String>,
    /// All problems, errors and warnings, of all rows.
    pub problem_count: u64,
}

impl ValidateSummary {
    /// 0 when every row is valid, 1 when some are not.
    pub fn exit_code(&self) -> u8 {
        if self.counts.get(Status::Invalid) == 0 { 0 } else { 1 }
    }

    /// `20 rows: 18 valid, 2 invalid in 0.01 s`
    pub fn line(&self) -> String {
        self.counts.line(&[Status::Valid, Status::Invalid], self.elapsed)
    }
}

pub fn run(config: &ValidateConfig) -> Result<ValidateSummary, RunError> {
    let started = Instant::now();
    let opened = input::open(&config.input)?;
    let report_error = |source| RunError::Report { path: config.report.display().to_string(), source };
    let mut report = ReportWriter::create(&config.report, config.format).map_err(report_error)?;
    let mut summary = ValidateSummary {
        counts: Counts::default(),
        elapsed: Duration::ZERO,
        report: config.report.clone(),
        warnings: opened.warnings.clone(),
        first_problems: Vec::new(),
        problem_count: 0,
    };
    let format = report.format();
    // Each row's line of the report is encoded in parallel with the checks.
    let verdict = |checked: Checked<'_>| {
        let problems: Vec<String> = checked.problems.iter().map(ToString::to_string).collect();
        let record = Record::dry_run(&checked, &problems);
        (record.status, format.encode(&record), problems)
    };
    check_rows(opened, verdict, |(status, line, problems)| {
        summary.counts.add(status);
        summary.problem_count += problems.len() as u64;
        let room = PROBLEMS_SHOWN - summary.first_problems.len();
        summary.first_problems.extend(problems.into_iter().take(room));
        report.write_encoded(&line).map_err(report_error)
    })?;
    report.finish().map_err(report_error)?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}
