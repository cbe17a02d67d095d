//! The results report: one record per data row, in input order, as CSV (for
//! a person with a spreadsheet), JSON Lines (for a nightly job) or a JSON
//! array. The file is written under a temporary name beside its final path
//! and renamed into place when complete, so a reader never sees half a report.
//! In CSV, cells that a spreadsheet would run as a formula are defused.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tempfile::NamedTempFile;

use crate::validate::Checked;

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The dry run found nothing that the API would reject.
    Valid,
    /// The row breaks at least one rule; `message` says which.
    Invalid,
}

impl Status {
    pub const ALL: [Status; 2] = [Status::Valid, Status::Invalid];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub row: u64,
    pub workload_name: String,
    pub status: Status,
    pub workload_id: Option<String>,
    pub workload_arn: Option<String>,
    pub attempts: u32,
    pub error_code: Option<String>,
    pub message: String,
}

pub const COLUMNS: [&str; 8] =
    ["row", "workload_name", "status", "workload_id", "workload_arn", "attempts", "error_code", "message"];

impl Record {
    /// The dry run's verdict on a checked row, given its problems as text.
    pub fn dry_run(checked: &Checked<'_>, problems: &[String]) -> Record {
        let first_error = checked.problems.iter().find(|p| p.is_error());
        Record {
            row: checked.row,
            workload_name: checked.request.name().to_owned(),
            status: if first_error.is_some() { Status::Invalid } else { Status::Valid },
            workload_id: None,
            workload_arn: None,
            attempts: 0,
            error_code: first_error.map(|p| p.code.as_str().to_owned()),
            message: problems.join("; "),
        }
    }
}

/// The report's file format, chosen by the extension of its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    Json,
}

impl Format {
    pub fn for_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// `<input stem>.report.csv` beside the input.
pub fn default_path(input: &Path) -> PathBuf {
    let stem = input.file_stem().map_or_else(|| "wa-bulk".into(), |s| s.to_string_lossy());
    input.with_file_name(format!("{stem}.report.csv"))
}

/// Writes a report under a temporary name; [`ReportWriter::finish`] puts it in place.
pub struct ReportWriter {
    path: PathBuf,
    sink: Sink,
}

enum Sink {
    Csv(Box<csv::Writer<NamedTempFile>>),
    JsonLines(BufWriter<NamedTempFile>),
    JsonArray { out: BufWriter<NamedTempFile>, first: bool },
}

impl ReportWriter {
    pub fn create(path: &Path, format: Format) -> io::Result<ReportWriter> {
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let file = NamedTempFile::new_in(directory)?;
        let sink = match format {
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(file);
                writer.write_record(COLUMNS)?;
                Sink::Csv(Box::new(writer))
            }
            Format::Jsonl => Sink::JsonLines(BufWriter::new(file)),
            Format::Json => {
                let mut out = BufWriter::new(file);
                out.write_all(b"[")?;
                Sink::JsonArray { out, first: true }
            }
        };
        Ok(ReportWriter { path: path.to_owned(), sink })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write(&mut self, record: &Record) -> io::Result<()> {
        match &mut self.sink {
            Sink::Csv(writer) => {
                let row = record.row.to_string();
                let attempts = record.attempts.to_string();
                fn optional(value: &Option<String>) -> Cow<'_, str> {
                    value.as_deref().map_or(Cow::Borrowed(""), defuse)
                }
                writer.write_record(
                    [
                        Cow::Borrowed(row.as_str()),
                        defuse(&record.workload_name),
                        Cow::Borrowed(record.status.as_str()),
                        optional(&record.workload_id),
                        optional(&record.workload_arn),
                        Cow::Borrowed(attempts.as_str()),
                        optional(&record.error_code),
                        defuse(&record.message),
                    ]
                    .iter()
                    .map(|cell| cell.as_bytes()),
                )?;
            }
            Sink::JsonLines(out) => {
                serde_json::to_writer(&mut *out, record)?;
                out.write_all(b"\n")?;
            }
            Sink::JsonArray { out, first } => {
                out.write_all(if *first { b"\n" } else { b",\n" })?;
                *first = false;
                serde_json::to_writer(&mut *out, record)?;
            }
        }
        Ok(())
    }

    /// Flushes the report to disk and renames it to its final path.
    pub fn finish(self) -> io::Result<PathBuf> {
        let file = match self.sink {
            Sink::Csv(writer) => writer.into_inner().map_err(|e| e.into_error())?,
            Sink::JsonLines(out) => out.into_inner().map_err(|e| e.into_error())?,
            Sink::JsonArray { mut out, .. } => {
                out.write_all(b"\n]\n")?;
                out.into_inner().map_err(|e| e.into_error())?
            }
        };
        file.as_file().sync_all()?;
        let persisted: File = file.persist(&self.path).map_err(|e| e.error)?;
        drop(persisted);
        Ok(self.path)
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

    fn record(name: &str) -> Record {
        Record {
            row: 3,
            workload_name: name.into(),
            status: Status::Invalid,
            workload_id: None,
            workload_arn: None,
            attempts: 0,
            error_code: Some("TooShort".into()),
            message: "row 3: \"a\", b".into(),
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
    fn formats_follow_the_extension() {
        assert_eq!(Format::for_path(Path::new("a.CSV")), Some(Format::Csv));
        assert_eq!(Format::for_path(Path::new("a.jsonl")), Some(Format::Jsonl));
        assert_eq!(Format::for_path(Path::new("a.json")), Some(Format::Json));
        assert_eq!(Format::for_path(Path::new("a.txt")), None);
        assert_eq!(default_path(Path::new("dir/sheet.xlsx")), Path::new("dir/sheet.report.csv"));
    }

    fn write_and_read(format: Format, name: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let mut writer = ReportWriter::create(&path, format).unwrap();
        writer.write(&record("=cmd")).unwrap();
        writer.write(&record("ok")).unwrap();
        assert!(!path.exists(), "nothing at the final path until finished");
        writer.finish().unwrap();
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn csv_reports_have_a_header_and_defused_cells() {
        let text = write_and_read(Format::Csv, "r.csv");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(lines[1], "3,'=cmd,invalid,,,0,TooShort,\"row 3: \"\"a\"\", b\"");
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn json_reports_round_trip() {
        let lines = write_and_read(Format::Jsonl, "r.jsonl");
        let records: Vec<Record> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(records, [record("=cmd"), record("ok")]);
        let array: Vec<Record> = serde_json::from_str(&write_and_read(Format::Json, "r.json")).unwrap();
        assert_eq!(array, [record("=cmd"), record("ok")]);
    }
}
