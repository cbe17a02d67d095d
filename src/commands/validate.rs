//! `wa-bulk validate`: checks without sending. Reads, maps and checks every row, writes
//! the report with `valid` or `invalid` for each, and sends nothing.

use std::path::PathBuf;
use std::time::Instant;

use super::{RowNote, Summary};
use crate::RunError;
use crate::input::{self, InputOptions};
use crate::report::guard::{claim, written_by_wa_bulk};
use crate::report::{Format, Record, ReportError, Status, sink};
use crate::validate::{Checked, check_rows};

#[derive(Debug, Clone)]
pub struct ValidateConfig {
    pub input: InputOptions,
    pub report: PathBuf,
    pub format: Format,
}

pub fn run(config: &ValidateConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    let _lock = claim(config.input.file(), &config.report)?;
    // An earlier report is replaced; anything else at that path is not.
    if std::fs::symlink_metadata(&config.report).is_ok() && !written_by_wa_bulk(&config.report)? {
        return Err(ReportError::NotOurs { path: config.report.display().to_string() }.into());
    }
    let opened = input::open(&config.input)?;
    let mut report = sink::create(&config.report, config.format)?;
    let headline = &[Status::Valid, Status::Invalid];
    let mut summary =
        Summary::new("validate", headline, Some(config.report.clone()), opened.warnings.clone());
    let encode = report.encoder();
    // Each row's record is encoded in parallel with the checks.
    let verdict = |checked: Checked<'_>| {
        let problems: Vec<RowNote> = checked.problems.iter().map(RowNote::from).collect();
        let record = Record::verdict(&checked);
        (record.status, encode(&record), problems)
    };
    check_rows(opened, verdict, |(status, line, problems)| {
        summary.counts.add(status);
        problems.into_iter().for_each(|problem| summary.problem(problem));
        Ok(report.write_encoded(&line)?)
    })?;
    report.finish()?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}
