//! `wa-bulk answers validate FILE`: the offline check of an answers sheet.
//! Every row is read and checked on its own and against the rows of its
//! question (see [`crate::answers::sheet`]); the problems are told with
//! their row and column, nothing is sent and no file is written.

use std::time::Instant;

use super::{RowNote, Summary};
use crate::RunError;
use crate::answers::sheet::{self, read_all};
use crate::input::InputOptions;
use crate::report::Status;

#[derive(Debug, Clone)]
pub struct AnswersValidateConfig {
    pub input: InputOptions,
}

pub fn run(config: &AnswersValidateConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    let mut opened = sheet::open(&config.input)?;
    let headline = &[Status::Valid, Status::Invalid];
    let mut summary = Summary::new("answers validate", headline, None, opened.warnings.clone());
    let (lines, problems) = read_all(&mut opened)?;
    for found in problems.values().flatten() {
        summary.problem(RowNote::from(found));
    }
    problems.keys().for_each(|_| summary.counts.add(Status::Invalid));
    lines.iter().for_each(|_| summary.counts.add(Status::Valid));
    summary.elapsed = started.elapsed();
    Ok(summary)
}
