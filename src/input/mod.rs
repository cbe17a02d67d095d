//! Reading spreadsheets: the CSV family and the Excel family, each turned
//! into the same stream of [`RawRow`]s with the row's provenance (CSV line or
//! sheet row) and any problem the file itself has at that row.
//!
//! A file-level problem (unreadable, no header, missing required columns) is
//! an [`InputError`] and stops the run with exit code 2; a problem of one row
//! (invalid UTF-8, a ragged row, an unclosed quote, an Excel error cell)
//! travels with the row as a [`ReadIssue`] so the other rows are still checked.

mod cell;
pub(crate) mod columns;
mod csv;
mod excel;
mod handover;
pub mod jsonl;
pub(crate) mod mapping;
mod sheet;
pub(crate) mod stream;
mod xlsx;
mod xml;
mod zip_limits;

use std::path::{Path, PathBuf};

use ::csv::StringRecord;
use encoding_rs::Encoding;

pub use self::csv::{CELL_LIMIT, REPLAY_LIMIT};
pub use columns::{ColumnMap, HeaderRule, Layout, Target};
pub use sheet::MAX_CELLS;
pub use zip_limits::{MAX_MEMBERS, MEMBER_LIMIT};

/// Refuses a zip-based workbook whose members inflate past the limits,
/// before calamine opens it (a results workbook read back, say).
pub fn check_zip(path: &Path) -> Result<(), InputError> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("xlsx").to_ascii_lowercase();
    zip_limits::check(path, &display(path), &extension)
}

/// The most columns a header may have: Excel's own limit (A to XFD).
pub const MAX_COLUMNS: usize = 16_384;

/// The formats wa-bulk reads, by extension (or `--format`).
pub const FORMATS: [&str; 10] =
    ["csv", "tsv", "txt", "xlsx", "xlsm", "xlsb", "xls", "ods", "jsonl", "ndjson"];

/// How to read the input, as the command line gives it.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    pub path: PathBuf,
    /// Sheet of a workbook; default the first with a header row.
    pub sheet: Option<String>,
    /// CSV delimiter; default sniffed from the header line.
    pub delimiter: Option<u8>,
    /// `--map "Header=Field"` options, already parsed.
    pub overrides: Vec<(String, Target)>,
    /// Unknown columns are an error rather than a warning.
    pub strict: bool,
    /// The text encoding of a CSV-family file without a byte order mark;
    /// default UTF-8.
    pub encoding: Option<&'static Encoding>,
    /// The format, where the extension cannot say (stdin, a FIFO).
    pub format: Option<String>,
    /// `--regions`: where rows without a Target Region go, each to every
    /// Region listed (names must then be unique in each).
    pub fan_out: Vec<String>,
    /// The kind of sheet: workloads unless told.
    pub layout: Layout,
}

impl InputOptions {
    /// The input file; `None` when it is stdin (`-`).
    pub fn file(&self) -> Option<&Path> {
        (self.path != Path::new("-")).then_some(self.path.as_path())
    }

    /// How the header row is told from the rows above it.
    pub fn header_rule(&self) -> HeaderRule<'_> {
        HeaderRule { layout: self.layout, overrides: &self.overrides }
    }
}

/// A problem of the file as a whole: nothing can be checked.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file cannot be opened or read.
    #[error("{file}: cannot read: {source}")]
    Io { file: String, source: std::io::Error },
    /// The extension names no format wa-bulk reads.
    #[error(
        "{file}: unknown file type{hint}; use .csv, .tsv, .txt, .xlsx, .xlsm, .xlsb, .xls, .ods or .jsonl, or \
         name one with --format"
    )]
    UnknownFormat { file: String, hint: String },
    /// A folder was given where a file is read.
    #[error("{file} is a folder: give the spreadsheet file in it")]
    IsAFolder { file: String },
    /// A workbook given as a stream: its zip or OLE container needs seeking.
    #[error(
        "{file}: a .{extension} workbook is read from a file, not from a stream; save it to a file first"
    )]
    WorkbookNotAFile { file: String, extension: String },
    /// A workbook whose zip members inflate past the limit.
    #[error(
        "{file}: {member} inflates to more than {limit} MiB: refused as a zip bomb (or a workbook larger than wa-bulk reads)"
    )]
    ZipBomb { file: String, member: String, limit: u64 },
    /// More of something than wa-bulk reads (cells of a sheet, zip members).
    #[error("{file}: {what}")]
    TooLarge { file: String, what: String },
    /// A header row wider than any spreadsheet.
    #[error("{file}: the header row has {columns} columns; wa-bulk reads at most 16,384 (Excel's own limit)")]
    TooManyColumns { file: String, columns: usize },
    /// An Excel-family file that calamine cannot open.
    #[error("{file}: not a readable workbook ({detail}); is it really a .{extension} file?")]
    NotAWorkbook { file: String, extension: String, detail: String },
    /// `--sheet` names a sheet the workbook does not have.
    #[error("{file}: no sheet named {sheet:?}; the workbook has: {sheets}")]
    NoSuchSheet { file: String, sheet: String, sheets: String },
    /// The file has no content at all.
    #[error("{file}: the file is empty")]
    Empty { file: String },
    /// No row among the first ones names two or more members.
    #[error(
        "{file}: no header row found in the first {searched} rows{where_}: a header row names the \
         columns, e.g. {example}"
    )]
    NoHeader { file: String, searched: usize, where_: String, example: String },
    /// A header row and nothing under it.
    #[error("{file}: the header is on {location} but no data rows follow it")]
    NoRows { file: String, location: String },
    /// Required members have no column.
    #[error("{file}: missing required columns: {missing} (found: {found}); {hint}")]
    MissingColumns { file: String, missing: String, found: String, hint: &'static str },
    /// Two columns fill the same member.
    #[error("{file}: columns \"{first}\" and \"{second}\" both fill the same member; remove or rename one")]
    DuplicateColumn { file: String, first: String, second: String },
    /// With `--strict`, columns that name no member.
    #[error("{file}: unknown columns: {columns} (--strict); remove them or use --map \"Header=Field\"")]
    UnknownColumns { file: String, columns: String },
}

impl InputError {
    /// A workbook that cannot be read, and why.
    pub(crate) fn not_a_workbook(file: &str, extension: &str, detail: impl std::fmt::Display) -> InputError {
        InputError::NotAWorkbook {
            file: file.to_owned(),
            extension: extension.to_owned(),
            detail: detail.to_string(),
        }
    }
}

/// A problem of one row that the reader found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadIssue {
    /// The cell's bytes are not valid in the input's encoding; they were
    /// replaced by U+FFFD.
    InvalidText { column: usize, encoding: &'static str },
    /// The cell holds more than [`CELL_LIMIT`] bytes; it was not kept.
    CellTooLarge { column: usize, bytes: usize },
    /// The row has a different number of cells than the header.
    Ragged { cells: usize },
    /// A quoted cell opened in this row is never closed; the reader read
    /// the file again from the line after the row's first line.
    UnclosedQuote { column: usize, last_line: u64 },
    /// An Excel error value such as `#N/A`.
    ExcelError { column: usize, error: String },
    /// A JSON Lines line's problem.
    Json(JsonIssue),
}

/// What is wrong with a JSON Lines line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonIssue {
    /// The line is not JSON.
    NotJson { detail: String },
    /// The line is JSON, but not an object.
    NotAnObject { found: &'static str },
    /// A member of a type it cannot have (`found`: "an object", …).
    WrongType { column: usize, found: &'static str },
    /// A key that names no member; it is left out.
    UnknownMember { name: String },
}

impl ReadIssue {
    /// Whether the row's cells cannot be trusted to sit in their columns.
    pub fn is_structural(&self) -> bool {
        matches!(
            self,
            ReadIssue::Ragged { .. }
                | ReadIssue::UnclosedQuote { .. }
                | ReadIssue::Json(JsonIssue::NotJson { .. } | JsonIssue::NotAnObject { .. })
        )
    }
}

/// One data row as read, before mapping.
#[derive(Debug, Clone)]
pub struct RawRow {
    /// CSV line number (of the row's first line) or sheet row, 1-based.
    pub row: u64,
    pub cells: StringRecord,
    /// Columns whose Excel cell held a number rather than text.
    pub numeric: Vec<usize>,
    pub issues: Vec<ReadIssue>,
}

impl RawRow {
    /// Whether every cell is blank (such rows are skipped, not counted).
    pub fn is_blank(&self) -> bool {
        RawRow::blank(self.cells.iter(), &self.issues)
    }

    /// Whether a row of these cells and issues is blank.
    pub(crate) fn blank<'a>(mut cells: impl Iterator<Item = &'a str>, issues: &[ReadIssue]) -> bool {
        cells.all(|cell| mapping::trim_cell(cell).is_empty()) && issues.is_empty()
    }

    /// About what the row costs in memory, to bound the rows in flight.
    pub fn cost(&self) -> usize {
        RawRow::cost_of(self.cells.as_slice().len(), self.cells.len(), 1)
    }

    /// About what `rows` rows of `cells` cells, `bytes` of text, cost.
    pub(crate) fn cost_of(bytes: usize, cells: usize, rows: usize) -> usize {
        bytes + 8 * cells + 64 * rows
    }
}

/// A stream of data rows.
pub trait RowSource: Send {
    fn next_row(&mut self) -> Result<Option<RawRow>, InputError>;
}

/// An opened input: its columns, its rows and what the user should know.
pub struct Input {
    pub columns: ColumnMap,
    pub rows: Box<dyn RowSource>,
    /// `--regions`, as the options gave them.
    pub fan_out: Vec<String>,
    /// Things worth saying that do not stop the run (unknown columns, say).
    pub warnings: Vec<String>,
}

/// How many leading rows are searched for the header row.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// Opens a file by its extension, finds its header row and resolves columns.
pub fn open(options: &InputOptions) -> Result<Input, InputError> {
    let file = display(&options.path);
    let ((columns, unknown), rows) =
        open_sheet(options, |headers| ColumnMap::new(&file, headers, &options.overrides))?;
    let mut warnings = Vec::new();
    if !unknown.is_empty() {
        let listed = unknown.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ");
        if options.strict {
            return Err(InputError::UnknownColumns { file, columns: listed });
        }
        warnings.push(format!(
            "{file}: ignoring unknown columns {listed}; use --map \"Header=Field\" to use one, --strict to refuse them"
        ));
    }
    Ok(Input { columns, rows, fan_out: options.fan_out.clone(), warnings })
}

/// Opens a file by its extension and finds its header row, as the
/// options' layout names columns; `columns` makes the layout's columns of
/// it (the header row, or for JSON Lines the layout's own columns). Then
/// the data rows under it, of which there must be one.
pub fn open_sheet<T>(
    options: &InputOptions,
    columns: impl FnOnce(Vec<String>) -> Result<T, InputError>,
) -> Result<(T, Box<dyn RowSource>), InputError> {
    let file = display(&options.path);
    if options.file().is_some_and(Path::is_dir) {
        return Err(InputError::IsAFolder { file });
    }
    let extension = match (&options.format, options.file()) {
        (Some(format), _) => format.to_ascii_lowercase(),
        (None, None) => "csv".to_owned(),
        (None, Some(path)) => {
            path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default()
        }
    };
    let opened = match extension.as_str() {
        "csv" | "tsv" | "txt" => csv::open(options)?,
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => excel::open(options, &extension)?,
        "jsonl" | "ndjson" => jsonl::open(options)?,
        _ => return Err(InputError::UnknownFormat { file, hint: format_hint(&extension) }),
    };
    let columns = columns(opened.headers)?;
    let mut rows = opened.rows;
    // Peek one row so that a header with nothing under it is an error now.
    let first = rows.next_row()?;
    let Some(first) = first else {
        return Err(match opened.headerless {
            true => InputError::Empty { file },
            false => InputError::NoRows { file, location: opened.header_location },
        });
    };
    Ok((columns, Box::new(Prepend { first: Some(first), rest: rows })))
}

/// What a format reader hands back: the header row and the rows under it.
struct Opened {
    headers: Vec<String>,
    /// "line 3" or "sheet \"Workloads\" row 2", for messages.
    header_location: String,
    /// The format has no header row (JSON Lines): the columns are its own.
    headerless: bool,
    /// Yields data rows only, blank ones already skipped.
    rows: Box<dyn RowSource>,
}

struct Prepend {
    first: Option<RawRow>,
    rest: Box<dyn RowSource>,
}

impl RowSource for Prepend {
    fn next_row(&mut self) -> Result<Option<RawRow>, InputError> {
        match self.first.take() {
            Some(row) => Ok(Some(row)),
            None => self.rest.next_row(),
        }
    }
}

/// What to do with a file of a kind people mistake for a spreadsheet.
fn format_hint(extension: &str) -> String {
    let hint = match extension {
        "numbers" => " (a Numbers document: in Numbers, File > Export To > Excel or CSV)",
        "pdf" => " (a PDF holds no cells to read: save the sheet itself as .xlsx or .csv)",
        "json" => " (one object a line reads as .jsonl)",
        "docx" | "doc" | "pages" => " (a document, not a sheet: save the table as .xlsx or .csv)",
        _ => "",
    };
    hint.to_owned()
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
