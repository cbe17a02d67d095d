//! The Excel family (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) through calamine.
//!
//! Cells become the text a person sees: integers without `.0` (an account ID
//! typed as a number is a number, and the mapping pads it back to 12 digits),
//! dates as ISO dates, formulas as their cached values, booleans as TRUE or
//! FALSE. Excel error values (`#N/A`) are reported at their cell. Without
//! `--sheet`, the first sheet with a header row is read.

use calamine::{Data, Range, Reader, Sheets, open_workbook_auto};
use csv::StringRecord;

use super::columns::{Target, looks_like_header};
use super::{HEADER_SEARCH_ROWS, InputError, InputOptions, Opened, RawRow, ReadIssue, RowSource, display};

pub(super) fn open(options: &InputOptions, extension: &str) -> Result<Opened, InputError> {
    let file = display(&options.path);
    if std::fs::metadata(&options.path).map_err(|source| InputError::Io { file: file.clone(), source })?.len()
        == 0
    {
        return Err(InputError::Empty { file });
    }
    let not_a_workbook = |detail: String| InputError::NotAWorkbook {
        file: file.clone(),
        extension: extension.to_owned(),
        detail,
    };
    let mut workbook = open_workbook_auto(&options.path).map_err(|e| not_a_workbook(e.to_string()))?;
    let sheets = workbook.sheet_names();
    let chosen: Vec<String> = match &options.sheet {
        Some(sheet) => {
            if !sheets.contains(sheet) {
                return Err(InputError::NoSuchSheet {
                    file,
                    sheet: sheet.clone(),
                    sheets: sheets.join(", "),
                });
            }
            vec![sheet.clone()]
        }
        None => sheets.clone(),
    };
    for sheet in &chosen {
        let range = load(&mut workbook, sheet).map_err(not_a_workbook)?;
        if let Some(header_index) = header_row(&range, &options.overrides) {
            let start_row = range.start().map_or(0, |(row, _)| row) as u64;
            let width = range.width();
            let headers = (0..width)
                .map(|column| range.get((header_index, column)).map(cell_text).unwrap_or_default())
                .collect();
            return Ok(Opened {
                headers,
                header_location: format!("sheet \"{sheet}\" row {}", start_row + header_index as u64 + 1),
                rows: Box::new(SheetRows { range, next: header_index + 1, start_row, width }),
            });
        }
    }
    let where_ = match &options.sheet {
        Some(sheet) => format!(" of sheet \"{sheet}\""),
        None if sheets.is_empty() => " (the workbook has no sheets)".to_owned(),
        None => format!(" of any sheet ({})", sheets.join(", ")),
    };
    Err(InputError::NoHeader { file, searched: HEADER_SEARCH_ROWS, where_ })
}

fn load(
    workbook: &mut Sheets<std::io::BufReader<std::fs::File>>,
    sheet: &str,
) -> Result<Range<Data>, String> {
    workbook.worksheet_range(sheet).map_err(|e| format!("sheet \"{sheet}\": {e}"))
}

/// The index (within the range) of the first row that reads as a header.
fn header_row(range: &Range<Data>, overrides: &[(String, Target)]) -> Option<usize> {
    range.rows().take(HEADER_SEARCH_ROWS).position(|cells| {
        let texts: Vec<String> = cells.iter().map(cell_text).collect();
        looks_like_header(texts.iter().map(String::as_str), overrides)
    })
}

/// A cell as the text a person sees in it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(number) => number.to_string(),
        Data::Float(number) => number_text(*number),
        Data::Bool(true) => "TRUE".to_owned(),
        Data::Bool(false) => "FALSE".to_owned(),
        Data::DateTime(date) if date.is_datetime() => {
            let (year, month, day, hour, minute, second, _) = date.to_ymd_hms_milli();
            if (hour, minute, second) == (0, 0, 0) {
                format!("{year:04}-{month:02}-{day:02}")
            } else {
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")
            }
        }
        Data::DateTime(duration) => number_text(duration.as_f64()),
    }
}

/// Whole numbers print as integers (`123`, never `123.0` or `1.23E+11`).
fn number_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        number.to_string()
    }
}

struct SheetRows {
    range: Range<Data>,
    /// Index within the range of the next row to hand out.
    next: usize,
    /// The sheet row (0-based) where the range starts.
    start_row: u64,
    width: usize,
}

impl RowSource for SheetRows {
    fn next_row(&mut self) -> Result<Option<RawRow>, InputError> {
        while self.next < self.range.height() {
            let index = self.next;
            self.next += 1;
            let mut cells = StringRecord::with_capacity(64, self.width);
            let mut numeric = Vec::new();
            let mut issues = Vec::new();
            for column in 0..self.width {
                let cell = self.range.get((index, column)).unwrap_or(&Data::Empty);
                match cell {
                    Data::Int(_) | Data::Float(_) => numeric.push(column),
                    Data::Error(error) => {
                        issues.push(ReadIssue::ExcelError { column, error: error.to_string() })
                    }
                    _ => {}
                }
                cells.push_field(&cell_text(cell));
            }
            let row = RawRow { row: self.start_row + index as u64 + 1, cells, numeric, issues };
            if !row.is_blank() {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_never_print_a_fraction_or_an_exponent() {
        assert_eq!(number_text(123456789012.0), "123456789012");
        assert_eq!(number_text(42.0), "42");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(number_text(0.1), "0.1");
    }

    #[test]
    fn cells_read_as_a_person_sees_them() {
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(cell_text(&Data::Bool(true)), "TRUE");
        assert_eq!(cell_text(&Data::String("x".into())), "x");
        let date = calamine::ExcelDateTime::new(45_627.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(date)), "2024-12-01");
        let stamp = calamine::ExcelDateTime::new(45_627.5, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(stamp)), "2024-12-01T12:00:00");
    }
}
