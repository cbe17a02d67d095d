//! Checking every row: mapping and rules in parallel, cross-row rules in order.
//!
//! A reader thread streams chunks of rows through a small bounded channel;
//! each chunk is mapped and checked on rayon's pool with an indexed collect,
//! so output keeps input order; then the one rule that needs other rows (a
//! name used twice) runs in order. Memory is bounded by a few chunks plus the
//! set of names seen, however long the file.

pub mod rules;

use std::collections::HashMap;
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
pub struct Checked {
    pub row: u64,
    pub request: WorkloadRequest,
    /// Errors and warnings, in column order, the duplicate-name error last.
    pub problems: Vec<Problem>,
}

impl Checked {
    pub fn is_valid(&self) -> bool {
        !self.problems.iter().any(Problem::is_error)
    }
}

/// Maps and checks one row against every rule that needs no other row.
pub fn check_row(columns: &ColumnMap, raw: &RawRow) -> Checked {
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
pub fn name_key(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// The names seen so far: the later of two rows with one name is invalid.
#[derive(Default)]
struct NamesSeen {
    first_row: HashMap<Box<str>, u64>,
}

impl NamesSeen {
    fn check(&mut self, columns: &ColumnMap, checked: &mut Checked, key: String) {
        if key.is_empty() {
            return;
        }
        let Some(&earlier) = self.first_row.get(key.as_str()) else {
            self.first_row.insert(key.into_boxed_str(), checked.row);
            return;
        };
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
        checked.problems.push(columns.problem(checked.row, violation));
    }
}

/// Checks every row of the input and hands each, in input order, to `sink`.
pub fn check_rows<F>(input: Input, mut sink: F) -> Result<(), RunError>
where
    F: FnMut(Checked) -> Result<(), RunError>,
{
    let Input { columns, mut rows, .. } = input;
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
            let checked: Vec<(Checked, String)> = chunk?
                .par_iter()
                .map(|raw| {
                    let checked = check_row(&columns, raw);
                    let key = name_key(checked.request.name());
                    (checked, key)
                })
                .collect();
            for (mut row, key) in checked {
                names.check(&columns, &mut row, key);
                sink(row)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_keys_ignore_whitespace_and_case() {
        assert_eq!(name_key(" My  Shop\t"), "myshop");
        assert_eq!(name_key("MYSHOP"), name_key("my shop"));
        assert_ne!(name_key("my-shop"), name_key("myshop"));
    }
}
