//! `wa-bulk validate`: checks without sending. Reads, maps and checks every row, writes
//! the report with `valid` or `invalid` for each, and sends nothing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use super::{RowNote, Summary};
use crate::RunError;
use crate::input::{self, InputOptions};
use crate::report::failures::{self, FailedRow};
use crate::report::guard::{claim, written_by_wa_bulk};
use crate::report::identity::InputIdentity;
use crate::report::workbook::RunFacts;
use crate::report::{Format, Record, ReportError, Status};
use crate::validate::{Checked, check_rows};

#[derive(Debug, Clone)]
pub struct ValidateConfig {
    pub input: InputOptions,
    pub report: PathBuf,
    pub format: Format,
    /// Where to write the invalid rows with their own columns, if anywhere.
    pub failures: Option<PathBuf>,
}

pub fn run(config: &ValidateConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    let _lock = claim(config.input.file(), &config.report)?;
    if let Some(path) = &config.failures {
        failures::check_path(&config.input, path)?;
    }
    // An earlier report is replaced; anything else at that path is not.
    if std::fs::symlink_metadata(&config.report).is_ok() && !written_by_wa_bulk(&config.report)? {
        return Err(ReportError::NotOurs { path: config.report.display().to_string() }.into());
    }
    // The input's bytes, for what reads it again at the end.
    let again = config.format == Format::Xlsx || config.failures.is_some();
    let read = again.then(|| InputIdentity::of_input(&config.input)).transpose()?;
    let opened = input::open(&config.input)?;
    let mut facts = RunFacts::new("validate", &config.input, read.clone());
    facts.destinations |= opened.columns.has_targets();
    let mut report = crate::report::create_sink(&config.report, config.format, facts)?;
    let headline = &[Status::Valid, Status::Invalid];
    let mut summary =
        Summary::new("validate", headline, Some(config.report.clone()), opened.warnings.clone());
    let encode = report.encoder();
    let keep_failures = config.failures.is_some();
    // Each row's record is encoded in parallel with the checks.
    let verdict = |checked: Checked<'_>| {
        let problems: Vec<RowNote> = checked.problems.iter().map(RowNote::from).collect();
        let record = Record::verdict(&checked);
        let failure =
            keep_failures.then(|| FailedRow::of(&record)).flatten().map(|failure| (record.row, failure));
        (record.status, encode(&record), problems, failure)
    };
    let mut failed = HashMap::new();
    check_rows(opened, verdict, |(status, line, problems, failure)| {
        failed.extend(failure);
        summary.counts.add(status);
        problems.into_iter().for_each(|problem| summary.problem(problem));
        report.write_encoded(&line).map_err(RunError::from)
    })?;
    report.finish()?;
    if let Some(path) = &config.failures {
        failures::write(&config.input, read.as_ref(), path, &failed)?;
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}
