//! `wa-bulk answers validate FILE`: the offline check of an answers sheet.
//! Every row is read and checked on its own and against the rows of its
//! question (see [`crate::answers::sheet`]); the problems are told with
//! their row and column, nothing is sent and no file is written.

use std::collections::BTreeMap;
use std::time::Instant;

use super::{RowNote, Summary};
use crate::RunError;
use crate::answers::sheet::{self, check_across, read_line};
use crate::input::InputOptions;
use crate::problem::Problem;
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
    let (mut lines, mut problems) = (Vec::new(), BTreeMap::<u64, Vec<Problem>>::new());
    let mut rows = 0;
    while let Some(raw) = opened.rows.next_row()? {
        if raw.is_blank() {
            continue;
        }
        rows += 1;
        match read_line(&opened.columns, &raw) {
            Ok(line) => lines.push(line),
            Err(found) => {
                problems.insert(raw.row, found);
            }
        }
    }
    for (row, found) in check_across(&lines, &opened.columns) {
        problems.entry(row).or_default().extend(found);
    }
    for found in problems.values().flatten() {
        summary.problem(RowNote::from(found));
    }
    let invalid = problems.len() as u64;
    (0..invalid).for_each(|_| summary.counts.add(Status::Invalid));
    (invalid..rows).for_each(|_| summary.counts.add(Status::Valid));
    summary.elapsed = started.elapsed();
    Ok(summary)
}
