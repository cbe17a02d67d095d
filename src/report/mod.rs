//! The results report: one record per data row, in input order, as CSV (for
//! a person with a spreadsheet), JSON Lines (for a nightly job), a JSON
//! array, or an xlsx workbook of the input's rows with their results
//! ([`workbook`]). The file is written under a temporary name beside its final path
//! (`<report>.tmp`, which the next run clears if a killed run left it) and
//! renamed into place when complete, so a reader never sees half a report.
//! In CSV, cells that a spreadsheet would run as a formula are defused.
//! [`journal`] keeps an import's outcomes as they come; `guard` keeps the
//! report's files away from the input and from a second run.

pub mod failures;
pub(crate) mod files;
pub(crate) mod guard;
pub mod identity;
pub mod journal;
pub mod rejoin;
pub(crate) mod sink;
pub mod workbook;

use std::borrow::Cow;
use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::problem::Problem;
use crate::validate::Checked;
pub use files::SheetFormat;
use files::{PendingFile, open_no_follow};
use sink::{JsonSink, LineSink, ReportSink};
use workbook::{RunFacts, XlsxSink};

/// Why the report's files cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// One of the run's own files would be the input itself.
    #[error("{path} is the input file {input}: wa-bulk never writes over its input; choose another --report")]
    IsTheInput { path: String, input: String },
    /// A file at a path the run writes was not written by wa-bulk.
    #[error(
        "{path} exists and was not written by wa-bulk, so it is left as it is; move it or choose another --report"
    )]
    NotOurs { path: String },
    /// Another run holds the report.
    #[error("{report} is in use by another wa-bulk run{holder}; wait for it to finish")]
    Busy { report: String, holder: String },
    /// A path wa-bulk would read or write through is a symbolic link.
    #[error("{path} is a symbolic link: wa-bulk does not follow links for its report files; remove it")]
    Link { path: String },
    /// A line of a journal that wa-bulk cannot have written, before good ones.
    #[error(
        "{path}: line {line} is damaged ({detail}); wa-bulk does not write such lines, so the journal is not \
         trusted: move it aside, or pass --force to start over (workloads already created are found again by name)"
    )]
    Damaged { path: String, line: usize, detail: String },
    /// The earlier run was of another input, or the rows have moved since.
    #[error(
        "{path} belongs to another input or the input's rows have moved: {detail}; use another --report, or --force to start over"
    )]
    OtherInput { path: String, detail: String },
    /// The file system refused.
    #[error("{path}: cannot {action}: {source}")]
    Io { path: String, action: &'static str, source: io::Error },
}

impl ReportError {
    pub fn io(path: &Path, action: &'static str, source: io::Error) -> ReportError {
        ReportError::Io { path: path.display().to_string(), action, source }
    }

    pub fn reading(path: &Path) -> impl Fn(io::Error) -> ReportError + '_ {
        move |source| ReportError::io(path, "read", source)
    }

    pub fn writing(path: &Path) -> impl Fn(io::Error) -> ReportError + '_ {
        move |source| ReportError::io(path, "write", source)
    }
}

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// `validate` found nothing that the API would reject.
    Valid,
    /// The row breaks at least one rule; `message` says which. Never sent.
    Invalid,
    /// CreateWorkload succeeded (a replay of the same token counts too).
    Created,
    /// A workload with the row's normalised name exists; left as it is.
    Exists,
    /// It existed and UpdateWorkload changed the members `message` names.
    Updated,
    /// It existed with every updatable member the row gives already equal.
    Unchanged,
    /// The service refused the row, or retries ran out; `message` says why.
    Failed,
    /// Not sent (or given up) because the run stopped; `message` says why.
    Skipped,
}

impl Status {
    /// In the order summaries list them: rows in place first.
    pub const ALL: [Status; 8] = [
        Status::Valid,
        Status::Created,
        Status::Exists,
        Status::Updated,
        Status::Unchanged,
        Status::Invalid,
        Status::Failed,
        Status::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Created => "created",
            Status::Exists => "exists",
            Status::Updated => "updated",
            Status::Unchanged => "unchanged",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }

    /// Whether the row's workload is in place: `--resume` sends it no more.
    pub fn is_done(self) -> bool {
        matches!(self, Status::Created | Status::Exists | Status::Updated | Status::Unchanged)
    }
}

/// How many rows ended in each status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts([u64; 8]);

impl Counts {
    pub fn add(&mut self, status: Status) {
        self.0[status as usize] += 1;
    }

    pub fn get(&self, status: Status) -> u64 {
        self.0[status as usize]
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// `12 created, 3 exists` — the statuses in `shown`, and any other with rows.
    pub fn per_status(&self, shown: &[Status]) -> String {
        Status::ALL
            .iter()
            .filter(|status| shown.contains(status) || self.get(**status) > 0)
            .map(|status| format!("{} {}", self.get(*status), status.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What became of one data row: a line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Record<'a> {
    pub row: u64,
    /// Where the workload lives, when the rows name it (or `--regions`
    /// sends them): the account and the Region.
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    pub workload_name: Cow<'a, str>,
    pub status: Status,
    pub workload_id: Option<String>,
    pub workload_arn: Option<String>,
    pub attempts: u32,
    /// The service's error code, or why the row was not sent.
    pub error_code: Option<String>,
    /// What the service answered, or what was done.
    pub message: String,
    /// The row's problems (errors and warnings), as values until a sink
    /// renders them: it names each one's column in the `message`, and the
    /// first error's code is the `error_code`. Read back from a report,
    /// they are in `message` already.
    #[serde(skip)]
    pub problems: Vec<Problem>,
}

/// The columns of a CSV report.
pub const REPORT_COLUMNS: [&str; 8] =
    ["row", "workload_name", "status", "workload_id", "workload_arn", "attempts", "error_code", "message"];

/// The columns when rows name where they go.
pub const REPORT_COLUMNS_WITH_DESTINATION: [&str; 10] = [
    "row",
    "account",
    "region",
    "workload_name",
    "status",
    "workload_id",
    "workload_arn",
    "attempts",
    "error_code",
    "message",
];

/// A record as a line shows it, its problems rendered.
#[derive(Serialize)]
struct RecordLine<'r> {
    row: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'r str>,
    workload_name: &'r str,
    status: Status,
    workload_id: Option<&'r str>,
    workload_arn: Option<&'r str>,
    attempts: u32,
    error_code: Option<&'r str>,
    message: Cow<'r, str>,
}

impl Record<'_> {
    /// The same record, owning its text.
    pub fn into_owned(self) -> Record<'static> {
        Record { workload_name: Cow::Owned(self.workload_name.into_owned()), ..self }
    }

    /// The `error_code` column: the first error problem's code, else the
    /// record's own.
    pub fn rendered_error_code(&self) -> Option<&str> {
        let first_error = self.problems.iter().find(|problem| problem.is_error());
        first_error.map(|problem| problem.code.as_str()).or(self.error_code.as_deref())
    }

    /// The `message` column: every problem, then the record's own message,
    /// `; `-separated.
    pub fn rendered_message(&self) -> Cow<'_, str> {
        if self.problems.is_empty() {
            return Cow::Borrowed(&self.message);
        }
        let problems = self.problems.iter().map(ToString::to_string);
        let parts: Vec<String> =
            problems.chain(Some(self.message.clone()).filter(|m| !m.is_empty())).collect();
        Cow::Owned(parts.join("; "))
    }

    fn line(&self) -> RecordLine<'_> {
        RecordLine {
            row: self.row,
            account: self.account.as_deref(),
            region: self.region.as_deref(),
            workload_name: &self.workload_name,
            status: self.status,
            workload_id: self.workload_id.as_deref(),
            workload_arn: self.workload_arn.as_deref(),
            attempts: self.attempts,
            error_code: self.rendered_error_code(),
            message: self.rendered_message(),
        }
    }
}

impl<'a> Record<'a> {
    /// `validate`'s verdict on a checked row.
    pub fn verdict(checked: &'a Checked<'_>) -> Record<'a> {
        Record {
            row: checked.row,
            workload_name: Cow::Borrowed(checked.request.name()),
            account: checked.placement.account.as_deref().map(str::to_owned),
            region: checked.placement.region.as_deref().map(str::to_owned),
            status: if checked.is_valid() { Status::Valid } else { Status::Invalid },
            workload_id: None,
            workload_arn: None,
            attempts: 0,
            error_code: None,
            message: String::new(),
            problems: checked.problems.clone(),
        }
    }
}

/// A record as one CSV line, its cells defused.
pub fn csv_record(record: &Record<'_>) -> Vec<u8> {
    csv_cells(record, false)
}

/// The same, with the account and Region after the row.
pub fn csv_record_with_destination(record: &Record<'_>) -> Vec<u8> {
    csv_cells(record, true)
}

fn csv_cells(record: &Record<'_>, destination: bool) -> Vec<u8> {
    let line = record.line();
    let (row, attempts) = (line.row.to_string(), line.attempts.to_string());
    let optional = |value: Option<&'_ str>| value.map_or(String::new(), |value| defuse(value).into_owned());
    let (account, region) = (optional(line.account), optional(line.region));
    let mut cells: Vec<&str> = vec![&row];
    if destination {
        cells.extend([account.as_str(), region.as_str()]);
    }
    let (name, id, arn) =
        (defuse(line.workload_name), optional(line.workload_id), optional(line.workload_arn));
    let (code, message) = (optional(line.error_code), defuse(&line.message));
    cells.extend([&*name, line.status.as_str(), &id, &arn, &attempts, &code, &message]);
    csv_line(&cells)
}

/// A record as one JSON line.
pub fn json_line(record: &Record<'_>) -> Vec<u8> {
    let mut line = serde_json::to_vec(&record.line()).expect("a record always serialises");
    line.push(b'\n');
    line
}

/// The report's file format, chosen by the extension of its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    Json,
    /// The results workbook: the input's columns, then the results.
    Xlsx,
}

impl Format {
    pub fn for_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// The sink for `format` at `path`; `facts` are what a workbook's Summary
/// says of the run.
pub fn create_sink(path: &Path, format: Format, facts: RunFacts) -> Result<Box<dyn ReportSink>, ReportError> {
    Ok(match format {
        Format::Xlsx => Box::new(XlsxSink::new(path, facts)?),
        Format::Csv if facts.destinations => Box::new(LineSink {
            file: PendingFile::create(path, &csv_line(&REPORT_COLUMNS_WITH_DESTINATION))?,
            encoder: csv_record_with_destination,
        }),
        Format::Csv => Box::new(LineSink {
            file: PendingFile::create(path, &csv_line(&REPORT_COLUMNS))?,
            encoder: csv_record,
        }),
        Format::Jsonl => Box::new(LineSink { file: PendingFile::create(path, b"")?, encoder: json_line }),
        Format::Json => Box::new(JsonSink { file: PendingFile::create(path, b"[")?, records: 0 }),
    })
}

/// Fields as one CSV line, quoted where they need it.
pub(crate) fn csv_line(fields: &[&str]) -> Vec<u8> {
    // Quoting at most doubles a field and adds two quotes; then a delimiter.
    let room: usize = fields.iter().map(|field| 2 * field.len() + 3).sum::<usize>() + 2;
    let mut line = vec![0; room];
    let mut writer = csv_core::Writer::new();
    let mut used = 0;
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            used += writer.delimiter(&mut line[used..]).1;
        }
        let (_, _, written) = writer.field(field.as_bytes(), &mut line[used..]);
        used += written;
    }
    // The terminator closes a quoted last field too.
    used += writer.terminator(&mut line[used..]).1;
    line.truncate(used);
    line
}

/// `<input file name>.report.csv` beside the input, so that inputs which
/// differ only by extension never share a report; `stdin.report.csv` in the
/// current folder for `-`.
pub fn default_path(input: &Path) -> PathBuf {
    match input.file_name() {
        Some(name) if input != Path::new("-") => {
            input.with_file_name(format!("{}.report.csv", name.to_string_lossy()))
        }
        _ => PathBuf::from("stdin.report.csv"),
    }
}

/// `path` with `suffix` added to its file name.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Where a report is written before it is renamed into place.
pub fn temporary_path(report: &Path) -> PathBuf {
    sibling(report, ".tmp")
}

/// Where an earlier report is kept when the same command runs afresh:
/// `rows.csv.report.csv` → `rows.csv.report.previous.csv`.
pub fn previous_path(report: &Path) -> PathBuf {
    let name = report.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let previous = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => format!("{stem}.previous.{extension}"),
        _ => format!("{name}.previous"),
    };
    report.with_file_name(previous)
}

/// Where the journal of a report lives: beside it.
pub fn journal_path(report: &Path) -> PathBuf {
    sibling(report, ".journal")
}

/// Records of an earlier report, in any of the formats.
pub fn read_records(path: &Path) -> Result<Vec<Record<'static>>, ReportError> {
    if Format::for_path(path) == Some(Format::Xlsx) {
        open_no_follow(path, OpenOptions::new().read(true))?;
        return workbook::read_records(path);
    }
    let mut text = String::new();
    let mut file = open_no_follow(path, OpenOptions::new().read(true))?;
    io::Read::read_to_string(&mut file, &mut text).map_err(ReportError::reading(path))?;
    let bad =
        |error: String| ReportError::io(path, "read", io::Error::new(io::ErrorKind::InvalidData, error));
    match Format::for_path(path) {
        Some(Format::Json) => serde_json::from_str(&text).map_err(|e| bad(e.to_string())),
        Some(Format::Csv) => {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let mut records = Vec::new();
            for record in reader.deserialize::<Record<'static>>() {
                let mut record = record.map_err(|e| bad(e.to_string()))?;
                record.workload_name = undefuse(&record.workload_name).to_owned().into();
                records.push(record);
            }
            Ok(records)
        }
        _ => text
            .lines()
            .enumerate()
            .map(|(index, line)| {
                serde_json::from_str(line).map_err(|e| bad(format!("line {}: {e}", index + 1)))
            })
            .collect(),
    }
}

/// Undoes [`defuse`] on a cell read back from a CSV report.
fn undefuse(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// Prefixes `'` to a cell a spreadsheet would read as a formula.
pub fn defuse(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str) -> Record<'static> {
        Record {
            row: 3,
            workload_name: name.to_owned().into(),
            account: None,
            region: None,
            status: Status::Invalid,
            workload_id: None,
            workload_arn: None,
            attempts: 0,
            error_code: Some("TooShort".into()),
            message: "row 3: \"a\", b".into(),
            problems: Vec::new(),
        }
    }

    #[test]
    fn formula_cells_are_defused() {
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(defuse(cell), format!("'{cell}"));
        }
        assert_eq!(defuse("shop"), "shop");
    }

    #[test]
    fn csv_lines_quote_what_needs_quoting_and_read_back_the_same() {
        let fields = ["plain", "a,b", "say \"hi\"", "two\nlines", "", "last \"quoted\""];
        let line = csv_line(&fields);
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_slice());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(record.iter().collect::<Vec<_>>(), fields);
        assert!(line.ends_with(b"\"\n"));
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(Format::for_path(Path::new("a.CSV")), Some(Format::Csv));
        assert_eq!(Format::for_path(Path::new("a.jsonl")), Some(Format::Jsonl));
        assert_eq!(Format::for_path(Path::new("a.json")), Some(Format::Json));
        assert_eq!(Format::for_path(Path::new("a.txt")), None);
        assert_eq!(default_path(Path::new("dir/sheet.xlsx")), Path::new("dir/sheet.xlsx.report.csv"));
        assert_eq!(default_path(Path::new("dir/sheet.csv")), Path::new("dir/sheet.csv.report.csv"));
        assert_eq!(default_path(Path::new("-")), Path::new("stdin.report.csv"));
        assert_eq!(previous_path(Path::new("d/a.csv.report.csv")), Path::new("d/a.csv.report.previous.csv"));
        assert_eq!(previous_path(Path::new("report")), Path::new("report.previous"));
    }

    fn write_and_read(format: Format, name: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let facts = workbook::RunFacts::new("validate", &crate::input::InputOptions::default(), None);
        let mut sink = create_sink(&path, format, facts).unwrap();
        sink.write(&record("=cmd")).unwrap();
        sink.write(&record("ok")).unwrap();
        assert!(!path.exists(), "nothing at the final path until finished");
        sink.finish().unwrap();
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn csv_reports_have_a_header_and_defused_cells() {
        let text = write_and_read(Format::Csv, "r.csv");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], REPORT_COLUMNS.join(","));
        assert_eq!(lines[1], "3,'=cmd,invalid,,,0,TooShort,\"row 3: \"\"a\"\", b\"");
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn json_reports_round_trip() {
        let lines = write_and_read(Format::Jsonl, "r.jsonl");
        let records: Vec<Record<'static>> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(records, [record("=cmd"), record("ok")]);
        let array: Vec<Record<'static>> =
            serde_json::from_str(&write_and_read(Format::Json, "r.json")).unwrap();
        assert_eq!(array, [record("=cmd"), record("ok")]);
    }
}
