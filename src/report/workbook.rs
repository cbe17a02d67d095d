//! `--report results.xlsx`: the results as a workbook for the sheet's owner.
//! A "Results" sheet holds the input's own columns and cells as the user had
//! them, then what became of each row ([`RESULT_COLUMNS`]); every cell at
//! fault is filled (red for an error, amber for a warning) and carries its
//! problems in a comment, and the status is coloured. A "Summary" sheet counts
//! the statuses and error codes, names the run's parameters and charts the
//! statuses. The workbook is an input too: the reader leaves out the columns
//! added here, so the owner can fix the red cells in place and run again.
//!
//! Records are kept, encoded, in an unnamed temporary file until the run
//! ends (so memory does not grow with the rows); then the input is read again ([`super::rejoin`]) and the Results sheet is written row by
//! row in rust_xlsxwriter's constant-memory mode. When the input cannot be
//! read again (a stream, or a file that changed during the run), the Results
//! sheet holds the result columns alone and the Summary says why.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use calamine::{Data, Xlsx};
use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, Format, FormatBorder, Note, Workbook, Worksheet, XlsxError,
};
use serde::{Deserialize, Serialize};

use super::files::PendingFile;
use super::identity::InputIdentity;
use super::rejoin::Again;
use super::sink::{Encoder, ReportSink};
use super::{Counts, Record, ReportError, Status};
use crate::added_columns::{RESULT_COLUMNS_WITH_DESTINATION, ResultColumn};
use crate::input::{InputOptions, RawRow};

/// The sheets' names.
const RESULTS: &str = "Results";
const SUMMARY: &str = "Summary";
/// The custom document property that marks a workbook wa-bulk wrote.
const MARK: &str = "wa-bulk report";
/// Excel's limits: rows of a sheet, characters of a cell.
pub const MAX_ROWS: u32 = 1_048_576;
const MAX_CELL_CHARS: usize = 32_767;

/// What the Summary sheet says of the run besides its counts.
#[derive(Debug, Clone)]
pub struct RunFacts {
    pub command: &'static str,
    pub input: InputOptions,
    /// The input's bytes as the run read them; `None` when it was a stream.
    pub read: Option<InputIdentity>,
    pub started: SystemTime,
    /// The destination, the rate and the like, in words.
    pub parameters: Vec<(&'static str, String)>,
    /// Rows name where they go (or `--regions` sends them): the report
    /// has account and Region columns.
    pub destinations: bool,
}

impl RunFacts {
    pub fn new(command: &'static str, input: &InputOptions, read: Option<InputIdentity>) -> RunFacts {
        RunFacts {
            command,
            input: input.clone(),
            read,
            started: SystemTime::now(),
            parameters: Vec::new(),
            destinations: !input.fan_out.is_empty(),
        }
    }
}

/// A record as the sink keeps it until the end.
#[derive(Debug, Serialize, Deserialize)]
struct Line {
    row: u64,
    account: Option<String>,
    region: Option<String>,
    name: String,
    status: Status,
    id: Option<String>,
    arn: Option<String>,
    attempts: u32,
    code: Option<String>,
    message: String,
    faults: Vec<Fault>,
}

/// A problem as a cell shows it.
#[derive(Debug, Serialize, Deserialize)]
struct Fault {
    /// The input column; none for a problem of the whole row.
    column: Option<usize>,
    error: bool,
    note: String,
}

fn encode(record: &Record<'_>) -> Vec<u8> {
    let faults = record.problems.iter().map(|problem| {
        let warning = if problem.is_error() { "" } else { " (warning)" };
        let member = problem.member.map(|member| format!(" {member}")).unwrap_or_default();
        Fault {
            column: problem.column.as_ref().map(|column| column.index),
            error: problem.is_error(),
            note: format!("{}{warning}{member}: {}", problem.code.as_str(), problem.detail),
        }
    });
    let line = Line {
        row: record.row,
        account: record.account.clone(),
        region: record.region.clone(),
        name: record.workload_name.to_string(),
        status: record.status,
        id: record.workload_id.clone(),
        arn: record.workload_arn.clone(),
        attempts: record.attempts,
        code: record.rendered_error_code().map(str::to_owned),
        message: record.rendered_message().into_owned(),
        faults: faults.collect(),
    };
    let mut bytes = serde_json::to_vec(&line).expect("a line always serialises");
    bytes.push(b'\n');
    bytes
}

/// The results workbook in the making: its records, encoded, in order, in
/// a temporary file that goes when it is dropped.
pub(super) struct XlsxSink {
    path: PathBuf,
    facts: RunFacts,
    lines: BufWriter<File>,
}

impl XlsxSink {
    pub(super) fn new(path: &Path, facts: RunFacts) -> Result<XlsxSink, ReportError> {
        let lines = tempfile::tempfile().map_err(|error| ReportError::io(path, "write", error))?;
        Ok(XlsxSink { path: path.to_owned(), facts, lines: BufWriter::with_capacity(1 << 16, lines) })
    }
}

impl ReportSink for XlsxSink {
    fn encoder(&self) -> Encoder {
        encode
    }

    fn write_encoded(&mut self, encoded: &[u8]) -> Result<(), ReportError> {
        self.lines.write_all(encoded).map_err(|error| ReportError::io(&self.path, "write", error))
    }

    fn finish(self: Box<Self>) -> Result<PathBuf, ReportError> {
        let file = PendingFile::create(&self.path, b"")?;
        let XlsxSink { path, facts, lines } = *self;
        let kept = |error: io::Error| ReportError::io(&path, "write", error);
        let mut lines = lines.into_inner().map_err(|error| kept(error.into_error()))?;
        lines.seek(SeekFrom::Start(0)).map_err(kept)?;
        let lines = BufReader::with_capacity(1 << 16, lines);
        let failed = |error: XlsxError| ReportError::io(&path, "write", io::Error::other(error.to_string()));
        let mut workbook = Workbook::new();
        let properties = DocProperties::new().set_custom_property(MARK, "results 1");
        workbook.set_properties(&properties);
        let written = write_results(&mut workbook, &facts, lines, &path)?;
        write_summary(&mut workbook, &facts, &written).map_err(failed)?;
        file.finish_with(|out| {
            workbook.save_to_writer(out).map_err(|error| io::Error::other(error.to_string()))
        })
    }
}

/// The formats of the Results sheet.
struct Formats {
    heading: Format,
    added_heading: Format,
    text: Format,
    error: Format,
    warning: Format,
    done: Format,
    refused: Format,
    skipped: Format,
}

impl Formats {
    fn new() -> Formats {
        let text = Format::new().set_num_format("@");
        let fill =
            |background: &str, font: &str| text.clone().set_background_color(background).set_font_color(font);
        let heading = Format::new().set_bold().set_border_bottom(FormatBorder::Thin);
        Formats {
            added_heading: heading.clone().set_background_color("#E7E6E6"),
            heading: heading.set_background_color("#DDEBF7"),
            error: fill("#FFC7CE", "#9C0006"),
            warning: fill("#FFEB9C", "#9C5700"),
            done: fill("#C6EFCE", "#006100"),
            refused: fill("#FFC7CE", "#9C0006"),
            skipped: fill("#FFEB9C", "#9C5700"),
            text,
        }
    }

    fn status(&self, status: Status) -> &Format {
        match status {
            Status::Invalid | Status::Failed => &self.refused,
            Status::Skipped => &self.skipped,
            _ => &self.done,
        }
    }
}

/// What the Results sheet held, for the Summary.
struct Written {
    counts: Counts,
    codes: HashMap<String, u64>,
    /// Why the input's own columns are not there, when they are not.
    without_input: Option<String>,
}

fn write_results(
    workbook: &mut Workbook,
    facts: &RunFacts,
    lines: impl BufRead,
    path: &Path,
) -> Result<Written, ReportError> {
    let failed = |error: XlsxError| ReportError::io(path, "write", io::Error::other(error.to_string()));
    let mut again = Again::open(&facts.input, facts.read.as_ref()).map_err(|error| error.to_string());
    let own: Vec<String> = again.as_ref().map(|again| again.headers().to_vec()).unwrap_or_default();
    let formats = Formats::new();
    let columns = ResultColumn::of(facts.destinations);
    let sheet = workbook.add_worksheet_with_constant_memory().map_err(failed)?;
    write_headers(sheet, &own, columns, &formats).map_err(failed)?;
    let mut written = Written { counts: Counts::default(), codes: HashMap::new(), without_input: None };
    let mut upcoming: Option<RawRow> = None;
    let mut sheet_row = 0;
    for encoded in lines.split(b'\n') {
        let encoded = encoded.map_err(|error| ReportError::io(path, "write", error))?;
        let line: Line = serde_json::from_slice(&encoded).map_err(|error| {
            ReportError::io(path, "write", io::Error::other(format!("a record did not read back: {error}")))
        })?;
        sheet_row += 1;
        if sheet_row >= MAX_ROWS {
            return Err(ReportError::io(
                path,
                "write",
                io::Error::other("an xlsx sheet holds at most 1,048,575 rows: use a .csv or .jsonl --report"),
            ));
        }
        let raw = match &mut again {
            Ok(again) => input_row(again, &mut upcoming, line.row)
                .map_err(|error| ReportError::io(&facts.input.path, "read again", io::Error::other(error)))?,
            Err(_) => None,
        };
        let cells: Vec<&str> = match (&again, raw) {
            (Ok(again), Some(raw)) => again.own_cells(raw).collect(),
            _ => vec![""; own.len()],
        };
        write_line(sheet, sheet_row, (&cells, columns), &line, &formats).map_err(failed)?;
        written.counts.add(line.status);
        if let Some(code) = line.code {
            *written.codes.entry(code).or_default() += 1;
        }
    }
    let last_column = (own.len() + columns.len() - 1) as u16;
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    sheet.autofilter(0, 0, sheet_row, last_column).map_err(failed)?;
    written.without_input = again.err();
    Ok(written)
}

/// The Results sheet's name, page, widths and header row: the input's own
/// headers, then the result columns'.
fn write_headers(
    sheet: &mut Worksheet,
    own: &[String],
    columns: &[ResultColumn],
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(RESULTS)?;
    // Printed (or saved as PDF), the columns fit across a landscape page.
    sheet.set_landscape().set_print_fit_to_pages(1, 0);
    for (column, header) in own.iter().enumerate() {
        let width = (header.chars().count() as f64 + 4.0).clamp(16.0, 40.0);
        sheet.set_column_width(column as u16, width)?;
        sheet.write_string_with_format(0, column as u16, fit(header), &formats.heading)?;
    }
    for (offset, result) in columns.iter().enumerate() {
        let column = (own.len() + offset) as u16;
        sheet.set_column_width(column, width(*result))?;
        sheet.write_string_with_format(0, column, result.header(), &formats.added_heading)?;
    }
    Ok(())
}

/// How wide a result column is.
fn width(column: ResultColumn) -> f64 {
    match column {
        ResultColumn::Status => 11.0,
        ResultColumn::WorkloadName | ResultColumn::WorkloadId => 24.0,
        ResultColumn::WorkloadArn => 30.0,
        ResultColumn::Attempts => 9.0,
        ResultColumn::ErrorCode => 16.0,
        ResultColumn::Message => 60.0,
        ResultColumn::InputRow => 10.0,
        ResultColumn::Account | ResultColumn::Region => 14.0,
    }
}

/// What a result column holds for one line.
enum ResultCell<'l> {
    Status(Status),
    Text(Option<&'l str>),
    Number(f64),
}

fn result_cell(line: &Line, column: ResultColumn) -> ResultCell<'_> {
    match column {
        ResultColumn::Status => ResultCell::Status(line.status),
        ResultColumn::WorkloadName => ResultCell::Text(Some(&line.name)),
        ResultColumn::WorkloadId => ResultCell::Text(line.id.as_deref()),
        ResultColumn::WorkloadArn => ResultCell::Text(line.arn.as_deref()),
        ResultColumn::Attempts => ResultCell::Number(f64::from(line.attempts)),
        ResultColumn::ErrorCode => ResultCell::Text(line.code.as_deref()),
        ResultColumn::Message => ResultCell::Text(Some(&line.message)),
        ResultColumn::InputRow => ResultCell::Number(line.row as f64),
        ResultColumn::Account => ResultCell::Text(line.account.as_deref()),
        ResultColumn::Region => ResultCell::Text(line.region.as_deref()),
    }
}

/// The input's row numbered `row`, reading on from where the last one was
/// found (and kept: a row sent to several places has a line each); none if
/// the input has no such row.
fn input_row<'u>(
    again: &mut Again,
    upcoming: &'u mut Option<RawRow>,
    row: u64,
) -> Result<Option<&'u RawRow>, crate::input::InputError> {
    loop {
        if upcoming.is_none() {
            *upcoming = again.next_row()?;
        }
        match upcoming.as_ref().map(|raw| raw.row) {
            None => return Ok(None),
            Some(at) if at == row => return Ok(upcoming.as_ref()),
            Some(at) if at > row => return Ok(None),
            Some(_) => *upcoming = None,
        }
    }
}

/// One row of the Results sheet: the input's cells, faults filled and
/// commented, then the result columns.
fn write_line(
    sheet: &mut Worksheet,
    row: u32,
    (cells, columns): (&[&str], &[ResultColumn]),
    line: &Line,
    formats: &Formats,
) -> Result<(), XlsxError> {
    // The faults of each cell, errors first; a fault of no cell is the row's.
    let mut by_cell: Vec<(usize, bool, Vec<&str>)> = Vec::new();
    for fault in &line.faults {
        let column = fault.column.filter(|column| *column < cells.len()).unwrap_or(usize::MAX);
        match by_cell.iter_mut().find(|(at, _, _)| *at == column) {
            Some((_, error, notes)) => {
                *error |= fault.error;
                notes.push(&fault.note);
            }
            None => by_cell.push((column, fault.error, vec![&fault.note])),
        }
    }
    for (column, cell) in cells.iter().enumerate() {
        let fault = by_cell.iter().find(|(at, _, _)| *at == column);
        let format = match fault {
            Some((_, true, _)) => &formats.error,
            Some((_, false, _)) => &formats.warning,
            None if cell.is_empty() => continue,
            None => &formats.text,
        };
        sheet.write_string_with_format(row, column as u16, fit(cell), format)?;
    }
    let first = cells.len() as u16;
    for (offset, result) in columns.iter().enumerate() {
        let column = first + offset as u16;
        match result_cell(line, *result) {
            ResultCell::Status(status) => {
                sheet.write_string_with_format(row, column, status.as_str(), formats.status(status))?;
            }
            ResultCell::Text(Some(text)) if !text.is_empty() => {
                sheet.write_string(row, column, fit(text))?;
            }
            ResultCell::Text(_) => {}
            ResultCell::Number(number) => {
                sheet.write_number(row, column, number)?;
            }
        }
    }
    for (column, _, notes) in by_cell {
        let at = if column == usize::MAX { first } else { column as u16 };
        let note = Note::new(fit(&notes.join("\n"))).set_author("wa-bulk").set_width(360);
        sheet.insert_note(row, at, &note)?;
    }
    Ok(())
}

/// A text cut to what an Excel cell holds.
fn fit(text: &str) -> Cow<'_, str> {
    if text.len() <= MAX_CELL_CHARS {
        return Cow::Borrowed(text);
    }
    let mut kept: String = text.chars().take(MAX_CELL_CHARS - 1).collect();
    kept.push('…');
    Cow::Owned(kept)
}

fn write_summary(workbook: &mut Workbook, facts: &RunFacts, written: &Written) -> Result<(), XlsxError> {
    let sheet = workbook.add_worksheet().set_name(SUMMARY)?;
    let bold = Format::new().set_bold();
    let heading =
        Format::new().set_bold().set_background_color("#DDEBF7").set_border_bottom(FormatBorder::Thin);
    sheet.set_column_width(0, 22.0)?.set_column_width(1, 60.0)?;
    sheet.write_string_with_format(0, 0, "wa-bulk results", &Format::new().set_bold().set_font_size(14))?;
    let mut parameters: Vec<(&str, String)> = vec![
        ("Command", facts.command.to_owned()),
        ("Input", facts.input.path.display().to_string()),
        ("Started", time(facts.started)),
        ("Finished", time(SystemTime::now())),
    ];
    parameters.extend(facts.parameters.iter().map(|(name, value)| (*name, value.clone())));
    if let Some(why) = &written.without_input {
        parameters.push(("Input columns", format!("not included: {why}")));
    }
    let mut row = 2;
    for (name, value) in &parameters {
        sheet.write_string_with_format(row, 0, *name, &bold)?;
        sheet.write_string(row, 1, fit(value))?;
        row += 1;
    }
    let row = write_statuses(sheet, row + 1, &written.counts, (&heading, &bold))?;
    write_codes(sheet, row + 2, &written.codes, &heading)
}

/// The rows of each status from `row` on, their total and a chart of them;
/// the last row written.
fn write_statuses(
    sheet: &mut Worksheet,
    mut row: u32,
    counts: &Counts,
    (heading, bold): (&Format, &Format),
) -> Result<u32, XlsxError> {
    sheet.write_string_with_format(row, 0, "Status", heading)?;
    sheet.write_string_with_format(row, 1, "Rows", heading)?;
    let first_status = row + 1;
    for status in Status::ALL.into_iter().filter(|status| counts.get(*status) > 0) {
        row += 1;
        sheet.write_string(row, 0, status.as_str())?;
        sheet.write_number(row, 1, counts.get(status) as f64)?;
    }
    let last_status = row;
    row += 1;
    sheet.write_string_with_format(row, 0, "All rows", bold)?;
    sheet.write_number_with_format(row, 1, counts.total() as f64, bold)?;
    if last_status >= first_status {
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_categories((SUMMARY, first_status, 0, last_status, 0))
            .set_values((SUMMARY, first_status, 1, last_status, 1))
            .set_name("Rows");
        chart.title().set_name("Rows by status");
        chart.legend().set_hidden();
        sheet.insert_chart(2, 3, &chart)?;
    }
    Ok(row)
}

/// The rows of each error code from `row` on, the most common first.
fn write_codes(
    sheet: &mut Worksheet,
    mut row: u32,
    codes: &HashMap<String, u64>,
    heading: &Format,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(row, 0, "Error code", heading)?;
    sheet.write_string_with_format(row, 1, "Rows", heading)?;
    let mut codes: Vec<(&String, &u64)> = codes.iter().collect();
    codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (code, rows) in codes {
        row += 1;
        sheet.write_string(row, 0, code)?;
        sheet.write_number(row, 1, *rows as f64)?;
    }
    Ok(())
}

/// `2026-11-28T07:30:00Z`.
fn time(at: SystemTime) -> String {
    use aws_sdk_wellarchitected::primitives::{DateTime, DateTimeFormat};
    let seconds = at.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |since| since.as_secs());
    DateTime::from_secs(seconds as i64).fmt(DateTimeFormat::DateTime).unwrap_or_default()
}

/// Whether the workbook at `path` is a report wa-bulk wrote (it carries
/// wa-bulk's document property).
pub fn is_ours(path: &Path) -> bool {
    let Ok(file) = File::open(path) else { return false };
    let Ok(mut archive) = zip::ZipArchive::new(file) else { return false };
    let Ok(part) = archive.by_name("docProps/custom.xml") else { return false };
    let mut text = String::new();
    part.take(1 << 16).read_to_string(&mut text).is_ok() && text.contains(&format!("name=\"{MARK}\""))
}

/// The records of a results workbook, from its Results sheet.
pub fn read_records(path: &Path) -> Result<Vec<Record<'static>>, ReportError> {
    let bad =
        |detail: String| ReportError::io(path, "read", io::Error::new(io::ErrorKind::InvalidData, detail));
    crate::input::check_zip(path).map_err(|error| bad(error.to_string()))?;
    let mut workbook: Xlsx<_> =
        calamine::open_workbook(path).map_err(|e: calamine::XlsxError| bad(e.to_string()))?;
    let mut cells = workbook.worksheet_cells_reader(RESULTS).map_err(|e| bad(e.to_string()))?;
    let mut headers: Vec<String> = Vec::new();
    let mut start = None;
    let width = RESULT_COLUMNS_WITH_DESTINATION.len();
    let mut current: (u32, Vec<String>) = (0, vec![String::new(); width]);
    let mut records = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|e| bad(e.to_string()))? {
        let (row, column) = cell.get_position();
        let value = Data::from(cell.get_value().clone()).to_string();
        if row == 0 {
            headers.resize(headers.len().max(column as usize + 1), String::new());
            headers[column as usize] = value;
            continue;
        }
        let start = *start.get_or_insert_with(|| block_start(&headers));
        let Some(start) = start else { return Err(bad(format!("no {RESULTS} sheet of wa-bulk's"))) };
        if row != current.0 {
            if current.0 > 0 {
                records.push(record(&current.1).map_err(&bad)?);
            }
            current = (row, vec![String::new(); width]);
        }
        if let Some(slot) = (column as usize).checked_sub(start).and_then(|at| current.1.get_mut(at)) {
            *slot = value;
        }
    }
    if current.0 > 0 {
        records.push(record(&current.1).map_err(&bad)?);
    }
    Ok(records)
}

/// Where the result columns start in a Results sheet's header.
fn block_start(headers: &[String]) -> Option<usize> {
    [true, false].into_iter().find_map(|destinations| {
        let columns = ResultColumn::of(destinations);
        let start = headers.len().checked_sub(columns.len())?;
        headers[start..].iter().zip(columns).all(|(header, ours)| header == ours.header()).then_some(start)
    })
}

/// A record from the result cells of one row.
fn record(cells: &[String]) -> Result<Record<'static>, String> {
    let cell = |column: ResultColumn| &cells[column as usize];
    let optional = |column: ResultColumn| Some(cell(column).clone()).filter(|text| !text.is_empty());
    let status = cell(ResultColumn::Status);
    let status: Status = serde_json::from_value(serde_json::Value::String(status.clone()))
        .map_err(|_| format!("{status:?} is not a status"))?;
    let number = |column: ResultColumn| {
        let text = cell(column);
        text.parse::<f64>().map_err(|_| format!("{text:?} is not a number"))
    };
    Ok(Record {
        row: number(ResultColumn::InputRow)? as u64,
        workload_name: Cow::Owned(cell(ResultColumn::WorkloadName).clone()),
        account: optional(ResultColumn::Account),
        region: optional(ResultColumn::Region),
        status,
        workload_id: optional(ResultColumn::WorkloadId),
        workload_arn: optional(ResultColumn::WorkloadArn),
        attempts: number(ResultColumn::Attempts)? as u32,
        error_code: optional(ResultColumn::ErrorCode),
        message: cell(ResultColumn::Message).clone(),
        problems: Vec::new(),
    })
}
