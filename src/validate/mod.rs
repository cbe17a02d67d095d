//! Checking every row: mapping and rules in parallel, cross-row rules in order.
//!
//! A reader thread streams chunks of rows through a small bounded channel;
//! each chunk is mapped and checked on rayon's pool with an indexed collect,
//! so output keeps input order; then the one rule that needs other rows (a
//! name used twice) runs in order. Memory is bounded by a few chunks plus the
//! set of names seen, however long the file.

pub mod rules;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

use crate::RunError;
use crate::input::mapping::map_row;
use crate::input::{ColumnMap, Input, InputError, RawRow};
use crate::model::{Field, WorkloadRequest};
use crate::problem::{Code, Problem, Severity, quoted};
use rules::Violation;

/// Rows per chunk handed to rayon: large enough to amortise the hand-off,
/// small enough that a few chunks in flight cost little memory.
const CHUNK_ROWS: usize = 2048;
/// Chunks the reader may run ahead of the checkers.
const CHUNKS_AHEAD: usize = 4;

/// A row with its request and every problem found in it.
#[derive(Debug, Clone)]
pub struct Checked<'a> {
    pub row: u64,
    /// Borrows from the raw row and the column map.
    pub request: WorkloadRequest<'a>,
    /// Errors and warnings, in column order, the duplicate-name error last.
    pub problems: Vec<Problem>,
}

impl Checked<'_> {
    pub fn is_valid(&self) -> bool {
        !self.problems.iter().any(Problem::is_error)
    }
}

/// Maps and checks one row against every rule that needs no other row.
pub fn check_row<'a>(columns: &'a ColumnMap, raw: &'a RawRow) -> Checked<'a> {
    let mut problems = Vec::new();
    let request = map_row(columns, raw, &mut problems);
    if !raw.issues.iter().any(|issue| issue.is_structural()) {
        let mut violations = Vec::new();
        rules::check(&request, &mut violations);
        problems.extend(violations.into_iter().map(|v| columns.problem(raw.row, v)));
    }
    Checked { row: raw.row, request, problems }
}

/// The key two names clash on: no whitespace, lower case.
fn name_key(name: &str) -> Box<str> {
    let key: String = name.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    key.into_boxed_str()
}

/// The names seen so far: the later of two rows with one name is invalid.
#[derive(Default)]
struct NamesSeen {
    first_row: HashMap<Box<str>, u64, foldhash::fast::RandomState>,
}

impl NamesSeen {
    /// The row that used this name key first, unless it is this one.
    fn earlier_use(&mut self, key: Box<str>, row: u64) -> Option<u64> {
        if key.is_empty() {
            return None;
        }
        match self.first_row.entry(key) {
            Entry::Occupied(first) => Some(*first.get()),
            Entry::Vacant(vacant) => {
                vacant.insert(row);
                None
            }
        }
    }
}

fn duplicate_name(columns: &ColumnMap, checked: &Checked<'_>, earlier: u64) -> Problem {
    let violation = Violation {
        field: Field::WorkloadName,
        tag_key: None,
        code: Code::DuplicateName,
        severity: Severity::Error,
        detail: format!(
            "{} is already the name of row {earlier} (names are compared without spaces and case): \
             each workload needs its own name",
            quoted(checked.request.name())
        ),
    };
    columns.problem(checked.row, violation)
}

/// Checks every row of the input; `convert` turns each checked row into what
/// `sink` takes, in parallel, and `sink` receives them in input order.
pub fn check_rows<T, C, S>(input: Input, convert: C, mut sink: S) -> Result<(), RunError>
where
    T: Send,
    C: for<'a> Fn(Checked<'a>) -> T + Sync,
    S: FnMut(T) -> Result<(), RunError>,
{
    let Input { columns, mut rows, .. } = input;
    let name_column = columns.column_of(Field::WorkloadName);
    let mut names = NamesSeen::default();
    std::thread::scope(|scope| {
        let (sender, receiver) = sync_channel::<Result<Vec<RawRow>, InputError>>(CHUNKS_AHEAD);
        scope.spawn(move || {
            loop {
                let mut chunk = Vec::with_capacity(CHUNK_ROWS);
                let outcome = loop {
                    if chunk.len() == CHUNK_ROWS {
                        break Ok(true);
                    }
                    match rows.next_row() {
                        Ok(Some(row)) => chunk.push(row),
                        Ok(None) => break Ok(false),
                        Err(error) => break Err(error),
                    }
                };
                if !chunk.is_empty() && sender.send(Ok(chunk)).is_err() {
                    return;
                }
                match outcome {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(error) => {
                        // The receiver may be gone already; nothing is left to tell.
                        let _ = sender.send(Err(error));
                        return;
                    }
                }
            }
        });
        for chunk in receiver {
            let chunk = chunk?;
            // The mapped name is the trimmed cell, so names are keyed on the
            // raw rows in parallel and checked for clashes in order.
            let keys: Vec<Box<str>> = chunk
                .par_iter()
                .map(|raw| name_key(name_column.and_then(|column| raw.cells.get(column)).unwrap_or_default()))
                .collect();
            let earlier: Vec<Option<u64>> =
                keys.into_iter().zip(&chunk).map(|(key, raw)| names.earlier_use(key, raw.row)).collect();
            let converted: Vec<T> = chunk
                .into_par_iter()
                .zip(earlier)
                .map(|(raw, earlier)| {
                    let mut checked = check_row(&columns, &raw);
                    if let Some(earlier) = earlier {
                        checked.problems.push(duplicate_name(&columns, &checked, earlier));
                    }
                    convert(checked)
                })
                .collect();
            for item in converted {
                sink(item)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_clash_ignoring_whitespace_and_case() {
        let mut names = NamesSeen::default();
        let mut first_use = |name: &str, row| names.earlier_use(name_key(name), row);
        assert_eq!(first_use(" My  Shop ", 2), None);
        assert_eq!(first_use("MYSHOP", 3), Some(2));
        assert_eq!(first_use("my\tshop", 4), Some(2));
        assert_eq!(first_use("my-shop", 5), None);
        assert_eq!(first_use("", 6), None);
        assert_eq!(first_use("  ", 7), None);
    }
}
