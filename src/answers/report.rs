//! The report of `answers plan` and `answers import` (`--report PATH`): a
//! line per item (a question's answer, a review's notes, a row the sheet
//! itself refuses) with its sheet rows, where it went and what became of
//! it, as CSV or JSON Lines by PATH's extension. It is written under a
//! temporary name and renamed; an existing file at PATH is replaced only if
//! it is such a report, and never when it is the input.

use std::path::{Path, PathBuf};

use crate::report::ReportError;
use crate::report::files::PendingFile;

/// The report's columns.
pub const HEADER: [&str; 10] = [
    "rows",
    "account",
    "region",
    "workload",
    "workload_id",
    "lens",
    "question",
    "status",
    "error_code",
    "message",
];

/// One line of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportLine {
    /// `12` or `12-17`.
    pub rows: String,
    pub account: String,
    pub region: String,
    pub workload: String,
    pub workload_id: String,
    pub lens: String,
    /// The question's id, `notes`, or empty for a row the sheet refuses.
    pub question: String,
    /// `update` or `unchanged` (plan); `updated`, `unchanged`, `invalid`,
    /// `failed`, `skipped`.
    pub status: &'static str,
    pub error_code: String,
    pub message: String,
}

impl ReportLine {
    fn cells(&self) -> [&str; 10] {
        [
            &self.rows,
            &self.account,
            &self.region,
            &self.workload,
            &self.workload_id,
            &self.lens,
            &self.question,
            self.status,
            &self.error_code,
            &self.message,
        ]
    }
}

/// Whether the report is JSON Lines (else CSV), from PATH's extension.
fn is_jsonl(path: &Path) -> bool {
    path.extension().and_then(|extension| extension.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
}

/// Refuses a PATH that is the input, or a file there that is not such a
/// report; `input` is `None` for stdin.
pub fn check_path(input: Option<&Path>, path: &Path) -> Result<(), ReportError> {
    crate::report::guard::refuse_the_input(input, &[path, &crate::report::temporary_path(path)])?;
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    let first = std::fs::read(path).ok().and_then(|bytes| {
        let line = bytes.split(|&byte| byte == b'\n').next()?.to_vec();
        String::from_utf8(line).ok()
    });
    let ours = first.is_some_and(|line| {
        line == HEADER.join(",")
            || (line.starts_with('{') && line.contains("\"question\":") && line.contains("\"rows\":"))
    });
    if ours { Ok(()) } else { Err(ReportError::NotOurs { path: path.display().to_string() }) }
}

/// Writes every line to PATH.
pub fn write(path: &Path, lines: &[ReportLine]) -> Result<PathBuf, ReportError> {
    let mut out = PendingFile::create(path, b"")?;
    if is_jsonl(path) {
        for line in lines {
            let object: serde_json::Map<String, serde_json::Value> =
                HEADER.iter().zip(line.cells()).map(|(key, cell)| ((*key).to_owned(), cell.into())).collect();
            out.write(format!("{}\n", serde_json::Value::Object(object)).as_bytes())?;
        }
    } else {
        let mut writer = ::csv::Writer::from_writer(Vec::new());
        writer.write_record(HEADER).expect("writing to memory cannot fail");
        for line in lines {
            writer.write_record(line.cells()).expect("writing to memory cannot fail");
        }
        out.write(&writer.into_inner().expect("writing to memory cannot fail"))?;
    }
    out.finish(b"")
}
