//! Writing the answers sheet as reviews come in, so memory holds one
//! review at a time whatever the number of workloads: CSV or TSV lines,
//! JSON Lines (an object a row, its non-empty cells by header), or an xlsx
//! worksheet in constant-memory mode laid out for a reviewer: the header
//! frozen and filtered, a dropdown on `State` and `Reason`, titles and
//! notes wide and wrapped, ids narrow, read-only columns grey. Every file is
//! written under a temporary name and renamed when complete.

use std::io;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Color, DataValidation, Format, Workbook, Worksheet, XlsxError};

use super::{AnswerRow, Column, REASONS, ReviewRows, State};
use crate::report::files::PendingFile;
use crate::report::{ReportError, SheetFormat};

/// The rows an xlsx worksheet holds below its header.
const XLSX_ROWS: u32 = 1_048_575;

/// What the sheet's reviews are of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Workloads,
    Templates,
    /// A blank form: each lens once, its questions and choices, nothing
    /// answered and no workload, to fill as a baseline.
    Form,
}

/// A sheet being written.
pub struct AnswerSheet {
    columns: Vec<Column>,
    out: Out,
    rows: u64,
    /// For a form, the lenses written already.
    form: Option<std::collections::HashSet<String>>,
}

enum Out {
    Delimited(PendingFile, u8),
    Jsonl(PendingFile),
    Xlsx { path: PathBuf, workbook: Box<Workbook>, formats: Box<Formats> },
}

struct Formats {
    text: Format,
    wrapped: Format,
    read_only: Format,
}

impl AnswerSheet {
    /// Starts the sheet at `path`; without `notes`, it has no Notes column
    /// (so reading it back leaves every note as it is). A sheet of review
    /// templates has their ARN where a sheet of workloads has their names
    /// and ids; a form has neither.
    pub fn create(
        path: &Path,
        format: SheetFormat,
        notes: bool,
        subject: Subject,
    ) -> Result<AnswerSheet, ReportError> {
        let wanted = |column: &Column| match column {
            Column::Notes => notes || subject == Subject::Form,
            Column::WorkloadName | Column::WorkloadId => subject == Subject::Workloads,
            Column::ReviewTemplateArn => subject == Subject::Templates,
            Column::Account | Column::Region | Column::Risk => subject != Subject::Form,
            _ => true,
        };
        let columns: Vec<Column> = Column::ALL.into_iter().filter(wanted).collect();
        let headers: Vec<&str> = columns.iter().map(|column| column.header()).collect();
        let out = match format {
            SheetFormat::Csv | SheetFormat::Tsv => {
                let delimiter = if format == SheetFormat::Csv { b',' } else { b'\t' };
                let mut file = PendingFile::create(path, b"")?;
                file.write(&delimited(&headers, delimiter))?;
                Out::Delimited(file, delimiter)
            }
            SheetFormat::Jsonl => Out::Jsonl(PendingFile::create(path, b"")?),
            SheetFormat::Xlsx => {
                let (workbook, formats) =
                    start_workbook(&columns).map_err(|error| xlsx_error(path, error))?;
                Out::Xlsx { path: path.to_owned(), workbook: Box::new(workbook), formats: Box::new(formats) }
            }
        };
        let form = (subject == Subject::Form).then(std::collections::HashSet::new);
        Ok(AnswerSheet { columns, out, rows: 0, form })
    }

    /// Appends one review's rows; to a form, the first review of each lens,
    /// blanked.
    pub fn write(&mut self, review: &ReviewRows) -> Result<(), ReportError> {
        if self.form.is_some() {
            return self.write_form(review);
        }
        let columns = &self.columns;
        let key = &review.key;
        let cells =
            |row| -> Vec<&str> { columns.iter().map(|column| AnswerRow::cell(row, key, *column)).collect() };
        match &mut self.out {
            Out::Delimited(file, delimiter) => {
                for row in &review.rows {
                    let cells: Vec<&str> = cells(row);
                    file.write(&delimited(&cells, *delimiter))?;
                }
            }
            Out::Jsonl(file) => {
                for row in &review.rows {
                    let object: serde_json::Map<String, serde_json::Value> = columns
                        .iter()
                        .map(|column| (column.header(), row.cell(&review.key, *column)))
                        .filter(|(_, cell)| !cell.is_empty())
                        .map(|(header, cell)| (header.to_owned(), cell.into()))
                        .collect();
                    let mut line = serde_json::Value::Object(object).to_string();
                    line.push('\n');
                    file.write(line.as_bytes())?;
                }
            }
            Out::Xlsx { path, workbook, formats } => {
                if self.rows + review.rows.len() as u64 > u64::from(XLSX_ROWS) {
                    return Err(ReportError::io(
                        path,
                        "write",
                        io::Error::other(format!(
                            "more than {XLSX_ROWS} rows: an xlsx sheet holds no more; write .csv"
                        )),
                    ));
                }
                let sheet = workbook.worksheet_from_index(0).map_err(|error| xlsx_error(path, error))?;
                for (offset, row) in review.rows.iter().enumerate() {
                    let at = self.rows as u32 + offset as u32 + 1;
                    let cells: Vec<&str> = cells(row);
                    write_row(sheet, at, columns, &cells, formats)
                        .map_err(|error| xlsx_error(path, error))?;
                }
            }
        }
        self.rows += review.rows.len() as u64;
        Ok(())
    }

    /// A form's rows of `review`: the first of its lens, blanked.
    fn write_form(&mut self, review: &ReviewRows) -> Result<(), ReportError> {
        let mut written = self.form.take().unwrap_or_default();
        let first = written.insert(review.key.lens.clone());
        let blank = |row: &AnswerRow| AnswerRow {
            state: None,
            reason: String::new(),
            notes: Some(String::new()),
            risk: String::new(),
            ..row.clone()
        };
        let blanked = ReviewRows { key: review.key.clone(), rows: review.rows.iter().map(blank).collect() };
        let outcome = if first { self.write(&blanked) } else { Ok(()) };
        self.form = Some(written);
        outcome
    }

    /// Gives the file up: nothing is left at its path.
    pub fn abandon(self) {
        match self.out {
            Out::Delimited(file, _) | Out::Jsonl(file) => file.abandon(),
            Out::Xlsx { .. } => {}
        }
    }

    /// Completes the file; the rows written.
    pub fn finish(self) -> Result<u64, ReportError> {
        match self.out {
            Out::Delimited(file, _) | Out::Jsonl(file) => {
                file.finish(b"")?;
            }
            Out::Xlsx { path, mut workbook, .. } => {
                let file = PendingFile::create(&path, b"")?;
                file.finish_with(|out| {
                    workbook.save_to_writer(out).map_err(|error| io::Error::other(error.to_string()))
                })?;
            }
        }
        Ok(self.rows)
    }
}

fn delimited(cells: &[&str], delimiter: u8) -> Vec<u8> {
    let mut writer = ::csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
    writer.write_record(cells).expect("writing to memory cannot fail");
    writer.into_inner().expect("writing to memory cannot fail")
}

fn xlsx_error(path: &Path, error: XlsxError) -> ReportError {
    ReportError::io(path, "write", io::Error::other(error.to_string()))
}

/// How wide a column is, and whether it is only read (never read back).
fn layout(column: Column) -> (f64, bool) {
    match column {
        Column::QuestionTitle | Column::ChoiceTitle => (45.0, true),
        Column::Notes => (60.0, false),
        Column::Risk => (14.0, true),
        Column::WorkloadName => (24.0, false),
        Column::Lens | Column::WorkloadId | Column::ReviewTemplateArn => (20.0, false),
        Column::State => (18.0, false),
        Column::Reason => (26.0, false),
        _ => (14.0, false),
    }
}

/// A workbook with one constant-memory sheet, "Answers", its header written.
fn start_workbook(columns: &[Column]) -> Result<(Workbook, Formats), XlsxError> {
    let mut workbook = Workbook::new();
    let grey = Color::RGB(0x00F2_F2F2);
    let formats = Formats {
        text: Format::new().set_num_format("@").set_align(rust_xlsxwriter::FormatAlign::Top),
        wrapped: Format::new()
            .set_num_format("@")
            .set_text_wrap()
            .set_align(rust_xlsxwriter::FormatAlign::Top),
        read_only: Format::new()
            .set_num_format("@")
            .set_text_wrap()
            .set_background_color(grey)
            .set_align(rust_xlsxwriter::FormatAlign::Top),
    };
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("Answers")?;
    let heading = Format::new().set_bold().set_background_color(Color::RGB(0x00DD_EBF7));
    for (index, column) in columns.iter().enumerate() {
        let at = index as u16;
        sheet.write_string_with_format(0, at, column.header(), &heading)?;
        sheet.set_column_width(at, layout(*column).0)?;
        match column {
            Column::State => {
                let states: Vec<&str> = State::ALL.iter().map(|state| state.as_str()).collect();
                let list = DataValidation::new().allow_list_strings(&states)?;
                sheet.add_data_validation(1, at, XLSX_ROWS, at, &list)?;
            }
            Column::Reason => {
                let list = DataValidation::new().allow_list_strings(&REASONS)?.ignore_blank(true);
                sheet.add_data_validation(1, at, XLSX_ROWS, at, &list)?;
            }
            _ => {}
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, XLSX_ROWS, columns.len() as u16 - 1)?;
    Ok((workbook, formats))
}

fn write_row(
    sheet: &mut Worksheet,
    at: u32,
    columns: &[Column],
    cells: &[&str],
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (index, (column, cell)) in columns.iter().zip(cells).enumerate() {
        let format = match column {
            _ if layout(*column).1 => &formats.read_only,
            Column::Notes => &formats.wrapped,
            _ => &formats.text,
        };
        sheet.write_string_with_format(at, index as u16, *cell, format)?;
    }
    Ok(())
}
