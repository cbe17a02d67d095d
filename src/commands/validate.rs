//! `wa-bulk validate`: the dry run. Reads, maps and checks every row, writes
//! the report with `valid` or `invalid` for each, and sends nothing.

use std::path::PathBuf;
use std::time::Instant;

use super::Summary;
use crate::RunError;
use crate::input::{self, InputOptions};
use crate::report::{Format, Record, ReportWriter, Status};
use crate::validate::{Checked, check_rows};

#[derive(Debug, Clone)]
pub struct ValidateConfig {
    pub input: InputOptions,
    pub report: PathBuf,
    pub format: Format,
}

pub fn run(config: &ValidateConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    let opened = input::open(&config.input)?;
    let report_error = |source| RunError::Report { path: config.report.display().to_string(), source };
    let mut report = ReportWriter::create(&config.report, config.format).map_err(report_error)?;
    let headline = &[Status::Valid, Status::Invalid];
    let mut summary = Summary::new(headline, Some(config.report.clone()), opened.warnings.clone());
    let format = report.format();
    // Each row's line of the report is encoded in parallel with the checks.
    let verdict = |checked: Checked<'_>| {
        let problems: Vec<String> = checked.problems.iter().map(ToString::to_string).collect();
        let record = Record::dry_run(&checked, &problems);
        (record.status, format.encode(&record), problems)
    };
    check_rows(opened, verdict, |(status, line, problems)| {
        summary.counts.add(status);
        problems.into_iter().for_each(|problem| summary.problem(problem));
        report.write_encoded(&line).map_err(report_error)
    })?;
    report.finish().map_err(report_error)?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}
