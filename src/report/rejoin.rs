//! Reading the input a second time, once every row's verdict is known, to
//! set each verdict beside the cells the user typed: `--failures` and the
//! xlsx results workbook. Nothing of the input is held in memory during the
//! run for them. The input's bytes are checked against those the run read
//! (their SHA-256 and size), so that a sheet saved again during a long
//! import never puts one row's verdict beside another row's cells.

use super::identity::InputIdentity;
use crate::input::{self, InputError, InputOptions, Layout, RawRow, RowSource};

/// Why the input cannot be read again.
#[derive(Debug, thiserror::Error)]
pub enum AgainError {
    #[error("the input is a stream, which cannot be read a second time")]
    Stream,
    #[error("{file} changed during the run, so its rows can no longer be matched to their outcomes")]
    Changed { file: String },
    #[error(transparent)]
    Input(#[from] InputError),
}

/// The input, read again from its first row.
pub struct Again {
    headers: Vec<String>,
    rows: Box<dyn RowSource>,
}

impl Again {
    /// Opens the input again, if its bytes are still those of `read`.
    pub fn open(input: &InputOptions, read: Option<&InputIdentity>) -> Result<Again, AgainError> {
        let (Some(file), Some(read)) = (input.file(), read) else { return Err(AgainError::Stream) };
        let now = InputIdentity::of(Some(file))
            .map_err(|source| InputError::Io { file: file.display().to_string(), source })?;
        if read.sha256.is_none() || now.sha256 != read.sha256 {
            return Err(AgainError::Changed { file: file.display().to_string() });
        }
        let (headers, rows) = match input.layout {
            Layout::Workloads => {
                let opened = input::open(input)?;
                (opened.columns.own_headers().to_vec(), opened.rows)
            }
            // A layout of its own (the answers sheet): its columns as they are.
            Layout::Columns(_) => input::open_sheet(input, Ok)?,
        };
        Ok(Again { headers, rows })
    }

    /// The input's own headers: a results workbook's columns are left out.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    pub fn next_row(&mut self) -> Result<Option<RawRow>, InputError> {
        self.rows.next_row()
    }

    /// A row's own cells, one a header (blank where the row is short).
    pub fn own_cells<'r>(&self, raw: &'r RawRow) -> impl Iterator<Item = &'r str> + use<'r> {
        raw.cells.iter().chain(std::iter::repeat("")).take(self.headers.len())
    }
}
