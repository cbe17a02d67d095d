//! The rows of a sheet as the commands that act on them (import, plan) take
//! them: read and validated as `validate` does, split into the invalid
//! ones (never sent) and the valid ones, each of these once for every place
//! it goes.

use std::collections::HashMap;
use std::sync::Arc;

use super::summary::RowNote;
use crate::RunError;
use crate::input::{self, ColumnMap, InputOptions};
use crate::model::Field;
use crate::problem::{Column, Problem};
use crate::report::Record;
use crate::service::{Session, SessionError};
use crate::submit::ValidRow;
use crate::submit::places::destined;
use crate::submit::references::ReferenceColumns;
use crate::validate::{Checked, check_rows};

/// A row once validated: its verdict with its problems, or what to send and
/// its warnings.
enum Validated {
    Invalid(Record<'static>),
    Valid(Box<ValidRow>, Vec<Problem>),
}

/// The rows of the input, validated and split.
pub(super) struct Rows {
    pub(super) invalid: Vec<Record<'static>>,
    pub(super) valid: Vec<ValidRow>,
    /// The warnings of valid rows, by row, for their outcome's message.
    pub(super) row_warnings: HashMap<u64, Vec<Problem>>,
    /// Every problem of every row, in row order, as `validate` counts them.
    pub(super) problems: Vec<RowNote>,
    /// Warnings about the file (unknown columns, say).
    pub(super) warnings: Vec<String>,
    /// Rows name where they go (a Target cell, or `--regions`).
    pub(super) destinations: bool,
    /// The columns of the members that name lenses, profiles and templates.
    pub(super) references: Arc<ReferenceColumns>,
}

pub(super) fn read_rows(options: &InputOptions) -> Result<Rows, RunError> {
    let opened = input::open(options)?;
    let references = Arc::new(reference_columns(&opened.columns));
    let mut rows = Rows {
        invalid: Vec::new(),
        valid: Vec::new(),
        row_warnings: HashMap::new(),
        problems: Vec::new(),
        warnings: opened.warnings.clone(),
        destinations: !options.fan_out.is_empty(),
        references,
    };
    let verdict = |checked: Checked<'_>| {
        if checked.is_valid() {
            let request = checked.request.into_owned();
            let token = request.idempotency_token();
            let placement = checked.placement.into_owned();
            let row = ValidRow { row: checked.row, request, token, placement, destination: None };
            return Validated::Valid(Box::new(row), checked.problems);
        }
        Validated::Invalid(Record::verdict(&checked).into_owned())
    };
    check_rows(opened, verdict, |row| {
        match row {
            Validated::Invalid(record) => {
                rows.problems.extend(record.problems.iter().map(RowNote::from));
                rows.invalid.push(record);
            }
            Validated::Valid(row, warnings) => {
                if !warnings.is_empty() {
                    rows.problems.extend(warnings.iter().map(RowNote::from));
                    rows.row_warnings.insert(row.row, warnings);
                }
                rows.valid.push(*row);
            }
        }
        Ok::<_, RunError>(())
    })?;
    // Rows go to places of their own only when one names a place: a sheet
    // whose target columns are empty (the template's) goes where it always did.
    rows.destinations |=
        rows.valid.iter().any(|row| row.placement.account.is_some() || row.placement.region.is_some());
    Ok(rows)
}

/// Where the sheet's lenses, profiles and review templates are.
fn reference_columns(columns: &ColumnMap) -> ReferenceColumns {
    let fields = [Field::Lenses, Field::ProfileArns, Field::ReviewTemplateArns];
    let located = fields.into_iter().filter_map(|field| {
        let index = columns.column_of(field)?;
        Some((field, Column { index, header: columns.header(index).to_owned() }))
    });
    ReferenceColumns(located.collect())
}

impl Rows {
    /// How many lines the report will have: one an invalid row, one a
    /// place a valid row goes.
    pub(super) fn reported(&self, fan_out: &[String]) -> usize {
        let places =
            |row: &ValidRow| if self.destinations { row.placement.regions(fan_out).len().max(1) } else { 1 };
        self.invalid.len() + self.valid.iter().map(places).sum::<usize>()
    }
}

/// The valid rows, each once a place it goes, when rows name where they
/// go (the base credentials' account is asked of STS only when a row names
/// a Target account: rows that name a Region only need no STS); as they
/// are otherwise.
pub(super) fn placed(
    session: &mut Session,
    rows: Vec<ValidRow>,
    fan_out: &[String],
    destinations: bool,
) -> Result<Vec<ValidRow>, SessionError> {
    if !destinations {
        return Ok(rows);
    }
    let account = match rows.iter().any(|row| row.placement.account.is_some()) {
        true => session.base_account()?,
        false => String::new(),
    };
    let region = session.base_region()?;
    Ok(destined(rows, fan_out, &account, &region))
}
