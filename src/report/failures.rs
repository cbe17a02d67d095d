//! `--failures PATH.csv`: only the rows that are invalid or failed, each with
//! the input's own columns and values as the user had them (headers and
//! order), then `status`, `error_code` and `message`: ready to fix and
//! import again. The input is read a second time ([`super::rejoin`]) to join
//! its rows to their verdicts by row number.

use std::collections::HashMap;
use std::path::Path;

use super::files::PendingFile;
use super::guard::refuse_the_input;
use super::identity::InputIdentity;
use super::rejoin::{Again, AgainError};
use super::{Record, ReportError, Status, csv_line, temporary_path};
use crate::added_columns::FAILURE_COLUMNS;
use crate::input::{InputError, InputOptions};

/// Why a row failed, as `--failures` writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRow {
    pub status: Status,
    pub error_code: String,
    pub message: String,
}

impl FailedRow {
    /// The record's verdict, if the row is invalid or failed.
    pub fn of(record: &Record<'_>) -> Option<FailedRow> {
        matches!(record.status, Status::Invalid | Status::Failed).then(|| FailedRow {
            status: record.status,
            error_code: record.rendered_error_code().unwrap_or_default().to_owned(),
            message: record.rendered_message().into_owned(),
        })
    }
}

/// The failures among `records`, by row. A row sent to several places that
/// failed in more than one has one failure: the first status and code, and
/// each place's message after its account and Region.
pub fn by_row<'r>(records: impl IntoIterator<Item = &'r Record<'r>>) -> HashMap<u64, FailedRow> {
    let mut failed: HashMap<u64, FailedRow> = HashMap::new();
    for record in records {
        let Some(mut failure) = FailedRow::of(record) else { continue };
        let place: Vec<&str> =
            [&record.account, &record.region].into_iter().flatten().map(String::as_str).collect();
        if !place.is_empty() {
            failure.message = format!("{}: {}", place.join(" "), failure.message);
        }
        match failed.get_mut(&record.row) {
            Some(earlier) => earlier.message = format!("{}; {}", earlier.message, failure.message),
            None => {
                failed.insert(record.row, failure);
            }
        }
    }
    failed
}

/// Refuses a `--failures` path that is the input, or a file there that is
/// not a failures file; before anything is read.
pub fn check_path(input: &InputOptions, path: &Path) -> Result<(), FailuresError> {
    let Some(file) = input.file() else { return Err(FailuresError::Stream) };
    refuse_the_input(Some(file), &[path, &temporary_path(path)])?;
    if std::fs::symlink_metadata(path).is_ok() {
        let first = std::fs::read(path).ok().and_then(|bytes| {
            let line = bytes.split(|&byte| byte == b'\n').next()?.to_vec();
            String::from_utf8(line).ok()
        });
        let ours = format!(",{}", FAILURE_COLUMNS.join(","));
        if !first.is_some_and(|line| line.trim_end().ends_with(&ours)) {
            return Err(FailuresError::NotOurs { path: path.display().to_string() });
        }
    }
    Ok(())
}

/// Writes the rows in `failed` (by row number) to `path`, if the input's
/// bytes are still those the run `read`; how many.
pub fn write(
    input: &InputOptions,
    read: Option<&InputIdentity>,
    path: &Path,
    failed: &HashMap<u64, FailedRow>,
) -> Result<u64, FailuresError> {
    let mut again = Again::open(input, read)?;
    let mut headers: Vec<&str> = again.headers().iter().map(String::as_str).collect();
    headers.extend(FAILURE_COLUMNS);
    let mut out = PendingFile::create(path, &csv_line(&headers))?;
    let mut written = 0;
    while let Some(raw) = again.next_row()? {
        let Some(failure) = failed.get(&raw.row) else { continue };
        let mut cells: Vec<&str> = again.own_cells(&raw).collect();
        cells.extend([failure.status.as_str(), failure.error_code.as_str(), failure.message.as_str()]);
        out.write(&csv_line(&cells))?;
        written += 1;
    }
    out.finish(b"")?;
    Ok(written)
}

#[derive(Debug, thiserror::Error)]
pub enum FailuresError {
    #[error("--failures reads the input again, so it needs a file, not a stream")]
    Stream,
    #[error("--failures {path}: a file is there that wa-bulk did not write; choose another path")]
    NotOurs { path: String },
    #[error("--failures: {0}")]
    Again(#[from] AgainError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Report(#[from] ReportError),
}
