//! The CSV family (`.csv`, `.tsv`, `.txt`), streamed row by row.
//!
//! The delimiter (`,` `;` TAB `|`) and the header line are found together: the
//! first of the leading lines that, split on some candidate, names two or more
//! members. The `csv` crate then does the parsing proper (quotes, embedded
//! delimiters and newlines, CRLF, a UTF-8 BOM). Two things it cannot tell
//! are handled here: a cell that is not UTF-8 is reported for that cell only,
//! and a quote that is never closed (which would swallow the rest of the file
//! into one cell) is reported at the row that opened it, after which the
//! file is read again from the next line so the rows below are not lost.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use csv::{ByteRecord, StringRecord};

use super::columns::{Target, recognised_cells};
use super::mapping::trim_cell;
use super::{HEADER_SEARCH_ROWS, InputError, InputOptions, Opened, RawRow, ReadIssue, RowSource, display};

const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
const QUOTE: u8 = b'"';
/// Enough of the file's head to hold its header line.
const SNIFF_BYTES: u64 = 256 * 1024;

pub(super) fn open(options: &InputOptions) -> Result<Opened, InputError> {
    let name = display(&options.path);
    let io_error = |source| InputError::Io { file: name.clone(), source };
    let mut file = File::open(&options.path).map_err(io_error)?;
    let mut head = Vec::new();
    file.by_ref().take(SNIFF_BYTES).read_to_end(&mut head).map_err(io_error)?;
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head);
    let text = String::from_utf8_lossy(head);
    let lines: Vec<&str> = text.lines().take(HEADER_SEARCH_ROWS).collect();
    if lines.iter().all(|line| line.trim().is_empty()) {
        return Err(InputError::Empty { file: name });
    }
    let candidates = options.delimiter.map_or(CANDIDATE_DELIMITERS.to_vec(), |d| vec![d]);
    let (header_line, delimiter) = find_header(&lines, &candidates, &options.overrides).ok_or_else(|| {
        InputError::NoHeader { file: name.clone(), searched: lines.len(), where_: String::new() }
    })?;

    let file_len = file.seek(SeekFrom::End(0)).map_err(io_error)?;
    let mut last_byte = [0];
    file.seek(SeekFrom::End(-1)).and_then(|_| file.read_exact(&mut last_byte)).map_err(io_error)?;
    file.seek(SeekFrom::Start(0)).map_err(io_error)?;
    let mut rows = CsvRows {
        file_len,
        ends_with_line_break: last_byte[0] == b'\n',
        name: name.clone(),
        path: options.path.clone(),
        delimiter,
        reader: reader(file, delimiter),
        base_byte: 0,
        base_line: 0,
        width: 0,
        record_bytes: 0,
        pending: None,
    };
    let headers = rows.read_header(header_line)?;
    rows.width = headers.len();
    Ok(Opened { headers, header_location: format!("line {header_line}"), rows: Box::new(rows) })
}

/// The header's 1-based line number and the delimiter that splits it.
fn find_header(lines: &[&str], candidates: &[u8], overrides: &[(String, Target)]) -> Option<(u64, u8)> {
    lines.iter().zip(1..).find_map(|(line, number)| {
        candidates
            .iter()
            .map(|&delimiter| (recognised_cells(split_line(line, delimiter), overrides), delimiter))
            .filter(|(count, _)| *count >= 2)
            .max_by_key(|(count, _)| *count)
            .map(|(_, delimiter)| (number, delimiter))
    })
}

/// Splits one line for sniffing, honouring double quotes.
fn split_line(line: &str, delimiter: u8) -> Vec<&str> {
    let mut cells = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (index, byte) in line.bytes().enumerate() {
        if byte == QUOTE {
            quoted = !quoted;
        } else if byte == delimiter && !quoted {
            cells.push(line[start..index].trim().trim_matches('"'));
            start = index + 1;
        }
    }
    cells.push(line[start..].trim().trim_matches('"'));
    cells
}

fn reader<R: Read>(input: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        // Only \n ends a record, so line counts are exact; the \r of CRLF
        // stays at the end of the last cell, where trimming drops it.
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(1 << 16)
        .from_reader(input)
}

struct CsvRows {
    name: String,
    path: PathBuf,
    delimiter: u8,
    reader: csv::Reader<File>,
    /// Where in the file the current reader started, and the line before it:
    /// both move when the file is read again after an unclosed quote.
    base_byte: u64,
    base_line: u64,
    width: usize,
    /// The most bytes a record has held so far.
    record_bytes: usize,
    file_len: u64,
    ends_with_line_break: bool,
    /// The row read ahead, with the byte where the reader began it (the line
    /// breaks before it included), so the last row of the file can be checked
    /// for an unclosed quote before it is handed on.
    pending: Option<(RawRow, u64)>,
}

impl CsvRows {
    fn io_error(&self, source: io::Error) -> InputError {
        InputError::Io { file: self.name.clone(), source }
    }

    fn read_header(&mut self, header_line: u64) -> Result<Vec<String>, InputError> {
        let mut record = ByteRecord::new();
        loop {
            if !self.reader.read_byte_record(&mut record).map_err(|e| self.csv_error(e))? {
                return Err(InputError::NoHeader {
                    file: self.name.clone(),
                    searched: 0,
                    where_: String::new(),
                });
            }
            if self.first_line(&record) >= header_line {
                return Ok(record
                    .iter()
                    .map(|cell| String::from_utf8_lossy(cell).trim().to_owned())
                    .collect());
            }
        }
    }

    /// The line (of the current reader) a record just read starts on. The
    /// reader's line count includes the record's own line breaks and the one
    /// that ended it, unless the file ended without one.
    fn first_line(&self, record: &ByteRecord) -> u64 {
        let inner = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
        let at_end = self.base_byte + self.reader.position().byte() >= self.file_len;
        let ended_by_line_break = !at_end || self.ends_with_line_break;
        self.reader.position().line() - inner - u64::from(ended_by_line_break)
    }

    fn csv_error(&self, error: csv::Error) -> InputError {
        match error.into_kind() {
            csv::ErrorKind::Io(source) => self.io_error(source),
            other => self.io_error(io::Error::other(format!("{other:?}"))),
        }
    }

    /// The next non-blank record with its first byte in the file.
    fn read_record(&mut self) -> Result<Option<(RawRow, u64)>, InputError> {
        loop {
            // Sized like the last record, so it rarely has to grow while read.
            let mut record = ByteRecord::with_capacity(self.record_bytes, self.width);
            if !self.reader.read_byte_record(&mut record).map_err(|e| self.csv_error(e))? {
                return Ok(None);
            }
            self.record_bytes = self.record_bytes.max(record.as_slice().len());
            let row = self.base_line + self.first_line(&record);
            let start = self.base_byte + record.position().map_or(0, |p| p.byte());
            let (mut cells, mut issues) = match StringRecord::from_byte_record(record) {
                Ok(cells) => (cells, Vec::new()),
                Err(error) => lossy(error.into_byte_record()),
            };
            if cells.iter().all(|cell| trim_cell(cell).is_empty()) && issues.is_empty() {
                continue;
            }
            if cells.len() > self.width && cells.iter().skip(self.width).all(|c| c.trim().is_empty()) {
                cells.truncate(self.width);
            }
            if cells.len() != self.width {
                issues.push(ReadIssue::Ragged { cells: cells.len() });
            }
            return Ok(Some((RawRow { row, cells, numeric: Vec::new(), issues }, start)));
        }
    }

    /// Checks the file's last row for an unclosed quote; when it has one, the
    /// reader starts again on the line after the row's first line.
    fn close_last_row(&mut self, mut last: RawRow, start: u64) -> Result<RawRow, InputError> {
        let Some(column) = last.cells.iter().position(|cell| cell.contains(['\n', '\r'])) else {
            return Ok(last);
        };
        let tail = scan_tail(&self.path, start).map_err(|e| self.io_error(e))?;
        if tail.quotes % 2 == 0 {
            return Ok(last);
        }
        // The file's final line break lies inside the open quote, not after
        // the record, so the record starts one line later than counted.
        if self.ends_with_line_break {
            last.row += 1;
        }
        last.issues.retain(|issue| !matches!(issue, ReadIssue::Ragged { .. }));
        last.issues.push(ReadIssue::UnclosedQuote { column, last_line: last.row + tail.line_breaks });
        if let Some(next_line) = tail.first_line_end {
            let mut file = File::open(&self.path).map_err(|e| self.io_error(e))?;
            file.seek(SeekFrom::Start(next_line)).map_err(|e| self.io_error(e))?;
            self.reader = reader(file, self.delimiter);
            self.base_byte = next_line;
            self.base_line = last.row;
        }
        Ok(last)
    }
}

impl RowSource for CsvRows {
    fn next_row(&mut self) -> Result<Option<RawRow>, InputError> {
        loop {
            let next = self.read_record()?;
            match (self.pending.take(), next) {
                (None, None) => return Ok(None),
                (None, Some(first)) => self.pending = Some(first),
                (Some((row, _)), Some(next)) => {
                    self.pending = Some(next);
                    return Ok(Some(row));
                }
                (Some((row, start)), None) => return self.close_last_row(row, start).map(Some),
            }
        }
    }
}

/// A record whose cells are not all UTF-8: each bad cell is decoded lossily
/// and reported.
fn lossy(record: ByteRecord) -> (StringRecord, Vec<ReadIssue>) {
    let mut cells = StringRecord::with_capacity(record.as_slice().len(), record.len());
    let mut issues = Vec::new();
    for (column, bytes) in record.iter().enumerate() {
        if std::str::from_utf8(bytes).is_err() {
            issues.push(ReadIssue::InvalidUtf8 { column });
        }
        cells.push_field(&String::from_utf8_lossy(bytes));
    }
    (cells, issues)
}

/// What the file holds from a record's start to its end.
struct Tail {
    quotes: u64,
    /// Line breaks before the last line (a final newline does not count).
    line_breaks: u64,
    /// The byte after the first newline, where the next line starts.
    first_line_end: Option<u64>,
}

/// `start` may point at line breaks before the record; they are passed over.
fn scan_tail(path: &Path, start: u64) -> io::Result<Tail> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(start))?;
    let mut tail = Tail { quotes: 0, line_breaks: 0, first_line_end: None };
    let mut buffer = vec![0; 1 << 16];
    let (mut offset, mut last_byte, mut in_record) = (start, b'\n', false);
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        for (index, &byte) in buffer[..read].iter().enumerate() {
            // The line breaks that end the previous record come first.
            in_record |= !matches!(byte, b'\n' | b'\r');
            match byte {
                QUOTE => tail.quotes += 1,
                b'\n' if in_record => {
                    tail.line_breaks += 1;
                    tail.first_line_end.get_or_insert(offset + index as u64 + 1);
                }
                _ => {}
            }
        }
        last_byte = buffer[read - 1];
        offset += read as u64;
    }
    if last_byte == b'\n' {
        tail.line_breaks = tail.line_breaks.saturating_sub(1);
    }
    Ok(tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_the_one_that_splits_the_header_into_members() {
        let lines = ["Name;Description;Environment", "a;b;c"];
        assert_eq!(find_header(&lines, &CANDIDATE_DELIMITERS, &[]), Some((1, b';')));
        let lines = ["Name\tOwner\tNotes, more"];
        assert_eq!(find_header(&lines, &CANDIDATE_DELIMITERS, &[]), Some((1, b'\t')));
        let lines = ["Name|Owner|Lenses"];
        assert_eq!(find_header(&lines, &CANDIDATE_DELIMITERS, &[]), Some((1, b'|')));
    }

    #[test]
    fn title_lines_above_the_header_are_passed_over() {
        let lines = ["Workload inventory, exported 2026-11-01", "", "\"Name\",\"Owner\",\"Lenses\""];
        assert_eq!(find_header(&lines, &CANDIDATE_DELIMITERS, &[]), Some((3, b',')));
    }

    #[test]
    fn quoted_delimiters_do_not_split_header_cells() {
        assert_eq!(split_line("\"a,b\",c", b','), ["a,b", "c"]);
    }

    #[test]
    fn a_given_delimiter_is_the_only_one_tried() {
        assert_eq!(find_header(&["Name,Owner"], b";", &[]), None);
    }
}
