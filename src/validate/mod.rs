//! Checking every row: mapping and rules in parallel, cross-row rules in order.
//!
//! Rows are read in chunks; each chunk is mapped and checked on rayon's pool
//! with an indexed collect, so output keeps input order, while the next chunk
//! is read; then the one rule that needs other rows (a name used twice) runs
//! in order, and a writer thread hands the results on. Memory is bounded by a
//! few chunks (of rows or of bytes) plus the set of names seen, however long the file.

pub mod rules;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use rayon::prelude::*;

use crate::destination::{Placement, name_scopes};
use crate::input::mapping::map_row;
use crate::input::{ColumnMap, Input, InputError, RawRow, RowSource};
use crate::model::{Field, WorkloadRequest, name_key};
use crate::problem::{Code, Problem, Severity, Violation, quoted};

/// Rows per chunk handed to rayon: large enough to amortise the hand-off,
/// small enough that a few chunks in flight cost little memory.
const CHUNK_ROWS: usize = 4096;
/// A chunk also ends once its rows hold this much, so that wide or long
/// rows do not multiply the memory in flight.
const CHUNK_BYTES: usize = 8 << 20;
/// Checked chunks that may wait for the writer.
const CHUNKS_AHEAD: usize = 4;

/// A row with its request and every problem found in it.
#[derive(Debug, Clone)]
pub struct Checked<'a> {
    pub row: u64,
    /// Borrows from the raw row and the column map.
    pub request: WorkloadRequest<'a>,
    /// Where the row says its workload lives, if it says.
    pub placement: Placement<'a>,
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
    let (request, placement) = map_row(columns, raw, &mut problems);
    if !raw.issues.iter().any(|issue| issue.is_structural()) {
        let mut violations = Vec::new();
        rules::check(&request, &mut violations);
        problems.extend(violations.into_iter().map(|v| columns.problem(raw.row, v)));
    }
    // In the order of the sheet's columns, as the person fixing them reads.
    // Problems with no column come last.
    problems.sort_by_key(|problem| problem.column.as_ref().map_or(usize::MAX, |column| column.index));
    Checked { row: raw.row, request, placement, problems }
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

fn duplicate_name(columns: &ColumnMap, checked: &Checked<'_>, earlier: u64, scoped: bool) -> Problem {
    let within = if scoped { " in the same account and Region" } else { "" };
    let violation = Violation {
        field: Field::WorkloadName,
        tag_key: None,
        code: Code::DuplicateName,
        severity: Severity::Error,
        detail: format!(
            "{} is already the name of row {earlier}{within} (names are compared without spaces and \
             case): each workload needs its own name",
            quoted(checked.request.name())
        ),
    };
    columns.problem(checked.row, violation)
}

/// Checks every row of the input; `convert` turns each checked row into what
/// `sink` takes, in parallel, and `sink` receives them in input order. The
/// run ends at the first error: the sink's own, or the input's, which the
/// caller's error type takes in.
///
/// The stages overlap: while rayon checks one chunk, the next is parsed in
/// the same pool (`rayon::join`), and a writer thread feeds the previous
/// chunk's results to `sink`. Nothing spins waiting on another thread.
pub fn check_rows<T, C, S, E>(input: Input, convert: C, sink: S) -> Result<(), E>
where
    T: Send,
    C: for<'a> Fn(Checked<'a>) -> T + Sync,
    S: FnMut(T) -> Result<(), E> + Send,
    E: From<InputError> + Send,
{
    let Input { columns, mut rows, fan_out, .. } = input;
    std::thread::scope(|scope| {
        let (checked_sender, checked_chunks) = sync_channel::<Vec<T>>(CHUNKS_AHEAD);
        let writer = scope.spawn(move || write_chunks(checked_chunks, sink));
        let sheet = Sheet { columns: &columns, fan_out: &fan_out };
        let checked = check_all(&sheet, rows.as_mut(), &convert, checked_sender);
        let written = writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        checked.map_err(E::from).and(written)
    })
}

/// What the checks of every row share.
struct Sheet<'s> {
    columns: &'s ColumnMap,
    /// `--regions`: where rows without a Target Region go.
    fan_out: &'s [String],
}

/// Reads and checks chunk after chunk, each chunk's results to `checked`.
fn check_all<T, C>(
    sheet: &Sheet<'_>,
    rows: &mut dyn RowSource,
    convert: &C,
    checked: SyncSender<Vec<T>>,
) -> Result<(), InputError>
where
    T: Send,
    C: for<'a> Fn(Checked<'a>) -> T + Sync,
{
    let mut names = NamesSeen::default();
    let mut chunk = read_chunk(rows)?;
    while !chunk.is_empty() {
        let (next, converted) =
            rayon::join(|| read_chunk(rows), || check_chunk(sheet, &chunk, convert, &mut names));
        // A failed send means the writer stopped; it returns its reason.
        if checked.send(converted).is_err() {
            return Ok(());
        }
        chunk = next?;
    }
    Ok(())
}

/// Up to a chunk of rows; empty at the end of the input.
fn read_chunk(rows: &mut dyn RowSource) -> Result<Vec<RawRow>, InputError> {
    let mut chunk = Vec::with_capacity(CHUNK_ROWS);
    let mut bytes = 0;
    while chunk.len() < CHUNK_ROWS && bytes < CHUNK_BYTES {
        match rows.next_row()? {
            Some(row) => {
                bytes += row.cost();
                chunk.push(row);
            }
            None => break,
        }
    }
    Ok(chunk)
}

/// Maps and checks a chunk in parallel, then checks names in order.
fn check_chunk<T, C>(sheet: &Sheet<'_>, chunk: &[RawRow], convert: &C, names: &mut NamesSeen) -> Vec<T>
where
    T: Send,
    C: for<'a> Fn(Checked<'a>) -> T + Sync,
{
    // One parallel pass checks each row and keys its name in each place it
    // goes; the clash check then runs in order, and the rare row whose name
    // was taken is checked again with that problem added.
    let columns = sheet.columns;
    let mut converted: Vec<(T, Vec<Box<str>>)> = chunk
        .par_iter()
        .map(|raw| {
            let checked = check_row(columns, raw);
            let keys = name_scopes(&checked.placement, sheet.fan_out, &name_key(checked.request.name()));
            (convert(checked), keys)
        })
        .collect();
    let scoped = columns.has_targets() || !sheet.fan_out.is_empty();
    for ((item, keys), raw) in converted.iter_mut().zip(chunk) {
        let mut earlier = None;
        for key in keys.drain(..) {
            earlier = earlier.or(names.earlier_use(key, raw.row));
        }
        if let Some(earlier) = earlier {
            let mut checked = check_row(columns, raw);
            checked.problems.push(duplicate_name(columns, &checked, earlier, scoped));
            *item = convert(checked);
        }
    }
    converted.into_iter().map(|(item, _)| item).collect()
}

/// The writer stage: hands every result to the sink, in order.
fn write_chunks<T, S, E>(chunks: Receiver<Vec<T>>, mut sink: S) -> Result<(), E>
where
    S: FnMut(T) -> Result<(), E>,
{
    for chunk in chunks {
        for item in chunk {
            sink(item)?;
        }
    }
    Ok(())
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
        assert_eq!(first_use("Ünïcode\u{a0}Name", 8), None);
        assert_eq!(first_use("ünïcodename", 9), Some(8));
        assert_eq!(first_use("tab\x0bbed", 10), None);
        assert_eq!(first_use("TABBED", 11), Some(10));
    }
}
