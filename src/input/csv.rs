//! The CSV family (`.csv`, `.tsv`, `.txt`, or `-` for stdin), streamed
//! record by record in memory bounded by the records themselves.
//!
//! The delimiter (`,` `;` TAB `|`) and the header line are found together:
//! the first of the leading lines that, split on some candidate, names two
//! or more members. Lines end with LF, CRLF, or CR alone (Excel's "CSV
//! (Macintosh)"). `csv_core` does the parsing proper (quotes, embedded
//! delimiters and newlines), one field at a time, so that wa-bulk decides
//! what a field may cost: a cell over [`CELL_LIMIT`] is not kept and makes
//! its row invalid, and cells beyond the header's width are counted, not
//! kept. A cell that is not valid text is reported for that cell only.
//!
//! A quote that is never closed would swallow the rest of the file into one
//! cell. The bytes a record holds after its first line are kept (up to
//! [`REPLAY_LIMIT`]); if the file ends inside the quote, or the quoted cell
//! runs on past that limit, the row is reported and those bytes are read
//! again as rows, so nothing below it is lost and no seek is needed.

use std::io::{self, Read};

use csv::{ByteRecord, StringRecord};
use csv_core::{ReadRecordResult, Terminator};

use super::columns::HeaderRule;
use super::stream::{self, Source};
use super::{
    HEADER_SEARCH_ROWS, InputError, InputOptions, MAX_COLUMNS, Opened, RawRow, ReadIssue, RowSource, display,
};

const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
const QUOTE: u8 = b'"';
/// Enough of the file's head to hold its header line.
const SNIFF_BYTES: usize = 256 * 1024;
/// The most a cell may hold. The largest member the API takes is a few KB.
pub const CELL_LIMIT: usize = 1 << 20;
/// How far a quoted cell may run across lines before its quote is taken
/// for one that is never closed.
pub const REPLAY_LIMIT: usize = 1 << 20;
/// Bytes read from the input at a time.
const READ_BYTES: usize = 1 << 16;
/// The most room a record is given before it is read.
const RECORD_HINT_LIMIT: usize = 4096;

pub(super) fn open(options: &InputOptions) -> Result<Opened, InputError> {
    let name = display(&options.path);
    let Source { reader, decoded_from } = stream::open(options)?;
    let mut feed = Feed::new(reader);
    let head = feed.peek(SNIFF_BYTES).map_err(|source| InputError::Io { file: name.clone(), source })?;
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Empty { file: name });
    }
    // CR alone ends lines only in a file that has no LF at all.
    let line_break = if !head.contains(&b'\n') && head.contains(&b'\r') { b'\r' } else { b'\n' };
    let text = String::from_utf8_lossy(head);
    let lines: Vec<&str> = text
        .split_terminator(char::from(line_break))
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .take(HEADER_SEARCH_ROWS)
        .collect();
    let candidates = options.delimiter.map_or(CANDIDATE_DELIMITERS.to_vec(), |d| vec![d]);
    let Some((header_line, delimiter)) = find_header(&lines, &candidates, &options.header_rule()) else {
        let where_ = if head.contains(&0) {
            " (the file holds NUL bytes: if it is UTF-16 text without a byte order mark, pass \
             --encoding utf-16le)"
                .to_owned()
        } else {
            String::new()
        };
        let example = options.layout.example();
        return Err(InputError::NoHeader { file: name, searched: lines.len(), where_, example });
    };
    let core =
        csv_core::ReaderBuilder::new().delimiter(delimiter).terminator(Terminator::Any(line_break)).build();
    let mut rows = CsvRows {
        name,
        feed,
        core,
        line_break,
        decoded_from: decoded_from.map(encoding_rs::Encoding::name),
        lines_done: 0,
        width: MAX_COLUMNS,
        cell: Vec::new(),
        last_record_bytes: 0,
    };
    let headers = rows.read_header(header_line)?;
    rows.width = headers.len();
    Ok(Opened {
        headers,
        header_location: format!("line {header_line}"),
        headerless: false,
        rows: Box::new(rows),
    })
}

/// The header's 1-based line number and the delimiter that splits it.
fn find_header(lines: &[&str], candidates: &[u8], rule: &HeaderRule<'_>) -> Option<(u64, u8)> {
    lines.iter().zip(1..).find_map(|(line, number)| {
        candidates
            .iter()
            .map(|&delimiter| (rule.recognised_cells(split_line(line, delimiter)), delimiter))
            .filter(|(count, _)| *count >= 2)
            .max_by_key(|(count, _)| *count)
            .map(|(_, delimiter)| (number, delimiter))
    })
}

/// Splits one line for sniffing, honouring double quotes.
fn split_line(line: &str, delimiter: u8) -> impl Iterator<Item = &str> {
    let mut quoted = false;
    line.split(move |c: char| {
        if c == '"' {
            quoted = !quoted;
        }
        c == char::from(delimiter) && !quoted
    })
    .map(|cell| cell.trim().trim_matches('"'))
    .take(MAX_COLUMNS + 1)
}

/// The input's bytes, with room to put some back to be read again.
struct Feed {
    reader: Box<dyn Read + Send>,
    buffer: Vec<u8>,
    /// The unread bytes are `buffer[start..]`.
    start: usize,
}

impl Feed {
    fn new(reader: Box<dyn Read + Send>) -> Feed {
        Feed { reader, buffer: Vec::new(), start: 0 }
    }

    /// The unread bytes, reading more when there are none; empty at the end.
    fn available(&mut self) -> io::Result<&[u8]> {
        if self.start == self.buffer.len() {
            self.buffer.resize(READ_BYTES, 0);
            self.start = 0;
            let read = read_retrying(&mut self.reader, &mut self.buffer)?;
            self.buffer.truncate(read);
        }
        Ok(&self.buffer[self.start..])
    }

    fn consume(&mut self, bytes: usize) {
        self.start += bytes;
    }

    /// Up to `bytes` of what comes next, without consuming it.
    fn peek(&mut self, bytes: usize) -> io::Result<&[u8]> {
        self.buffer.drain(..self.start);
        self.start = 0;
        let mut filled = self.buffer.len();
        self.buffer.resize(bytes, 0);
        while filled < bytes {
            let read = read_retrying(&mut self.reader, &mut self.buffer[filled..])?;
            if read == 0 {
                break;
            }
            filled += read;
        }
        self.buffer.truncate(filled);
        Ok(&self.buffer)
    }

    /// Puts `bytes` back in front of what is unread.
    fn read_again(&mut self, mut bytes: Vec<u8>) {
        bytes.extend_from_slice(&self.buffer[self.start..]);
        self.buffer = bytes;
        self.start = 0;
    }
}

fn read_retrying(reader: &mut dyn Read, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buffer) {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

struct CsvRows {
    name: String,
    feed: Feed,
    core: csv_core::Reader,
    line_break: u8,
    /// The encoding the input was decoded from, when it was not UTF-8.
    decoded_from: Option<&'static str>,
    /// Line breaks consumed so far: the next byte is on line `lines_done + 1`.
    lines_done: u64,
    /// Cells kept per record (the header's width; more while reading it).
    width: usize,
    /// The cell being read.
    cell: Vec<u8>,
    /// How many bytes the last record held.
    last_record_bytes: usize,
}

/// One record as parsed, before it becomes a row.
struct Parsed {
    first_line: u64,
    cells: ByteRecord,
    /// Cells in the record, kept or not.
    count: usize,
    /// Whether a cell beyond the kept ones holds anything.
    extra_content: bool,
    issues: Vec<ReadIssue>,
}

/// What a record holds past its first line, kept to be read again.
#[derive(Default)]
struct Overrun {
    /// Whether the record runs onto a second line at all.
    started: bool,
    bytes: Vec<u8>,
    quotes: u64,
}

impl Overrun {
    /// Notes the bytes of the record just consumed; returns the line
    /// breaks among them.
    fn track(&mut self, consumed: &[u8], line_break: u8, ends_record: bool) -> u64 {
        let breaks = memchr::memchr_iter(line_break, consumed).count() as u64;
        let ends_line = ends_record && consumed.last() == Some(&line_break);
        if self.started {
            self.bytes.extend_from_slice(consumed);
        } else if breaks > u64::from(ends_line) {
            // The record runs onto a second line: keep what follows its first.
            self.started = true;
            let first_break = consumed.iter().position(|&b| b == line_break).unwrap_or(consumed.len());
            self.bytes.extend_from_slice(&consumed[first_break + 1..]);
        }
        self.quotes += memchr::memchr_iter(QUOTE, consumed).count() as u64;
        breaks
    }
}

/// The cell being read: `kept` of its bytes sit at the start of the cell
/// buffer; past the limit they are dropped, and only `bytes` grows.
#[derive(Default)]
struct OpenCell {
    kept: usize,
    bytes: usize,
}

impl OpenCell {
    /// Adds to the record the fields that ended in the last read, whose
    /// output (`written` bytes) followed what was kept; `ended` are their
    /// ends within that output. What follows the last end starts the next field.
    fn take_ended(
        &mut self,
        parsed: &mut Parsed,
        width: usize,
        cell: &mut [u8],
        ended: impl Iterator<Item = usize>,
        written: usize,
    ) {
        // The first field to end continues what is kept; the others lie
        // in this read's output from `start`.
        let mut start = None;
        for end in ended {
            let (from, bytes) = match start {
                None => (0, self.bytes + end),
                Some(start) => (self.kept + start, end - start),
            };
            add_cell(parsed, width, &cell[from..self.kept + end], bytes);
            start = Some(end);
        }
        match start {
            Some(start) => {
                cell.copy_within(self.kept + start..self.kept + written, 0);
                (self.kept, self.bytes) = (written - start, written - start);
            }
            None => (self.kept, self.bytes) = (self.kept + written, self.bytes + written),
        }
        if self.bytes > CELL_LIMIT {
            self.kept = 0;
        }
    }
}

impl CsvRows {
    fn read_header(&mut self, header_line: u64) -> Result<Vec<String>, InputError> {
        loop {
            let Some(record) = self.read_record()? else {
                return Err(InputError::NoHeader {
                    file: self.name.clone(),
                    searched: 0,
                    where_: String::new(),
                    example: String::new(),
                });
            };
            if record.first_line < header_line {
                continue;
            }
            if record.count > MAX_COLUMNS {
                return Err(InputError::TooManyColumns { file: self.name.clone(), columns: record.count });
            }
            return Ok(record
                .cells
                .iter()
                .map(|cell| String::from_utf8_lossy(cell).trim().to_owned())
                .collect());
        }
    }

    /// Counts and passes over the line breaks before a record (blank
    /// lines), so the record's first line is known before it is parsed.
    /// `false` at the end of the input.
    fn skip_blank_lines(&mut self) -> Result<bool, InputError> {
        loop {
            let bytes =
                self.feed.available().map_err(|source| InputError::Io { file: self.name.clone(), source })?;
            if bytes.is_empty() {
                return Ok(false);
            }
            let breaks = bytes.iter().take_while(|&&b| b == self.line_break).count();
            let all = breaks == bytes.len();
            self.feed.consume(breaks);
            self.lines_done += breaks as u64;
            if !all {
                return Ok(true);
            }
        }
    }

    /// The next record, or `None` at the end of the input.
    fn read_record(&mut self) -> Result<Option<Parsed>, InputError> {
        if !self.skip_blank_lines()? {
            return Ok(None);
        }
        let mut parsed = Parsed {
            first_line: self.lines_done + 1,
            // Sized like the record before, so it rarely grows while read;
            // never more, so one long record does not make every one cost.
            cells: ByteRecord::with_capacity(
                self.last_record_bytes.min(RECORD_HINT_LIMIT),
                self.width.min(64),
            ),
            count: 0,
            extra_content: false,
            issues: Vec::new(),
        };
        let mut overrun = Overrun::default();
        let mut open = OpenCell::default();
        // csv_core counts field ends from the start of the record's output.
        let mut record_bytes = 0;
        let mut ends = [0; 64];
        loop {
            let bytes =
                self.feed.available().map_err(|source| InputError::Io { file: self.name.clone(), source })?;
            let at_end = bytes.is_empty();
            if self.cell.len() < open.kept + READ_BYTES {
                self.cell.resize(open.kept + READ_BYTES, 0);
            }
            let output = &mut self.cell[open.kept..open.kept + READ_BYTES];
            let (result, read, written, ended) = self.core.read_record(bytes, output, &mut ends);
            let ends_record = result == ReadRecordResult::Record;
            self.lines_done += overrun.track(&bytes[..read], self.line_break, ends_record);
            self.feed.consume(read);
            let ended = ends[..ended].iter().map(|end| end - record_bytes);
            open.take_ended(&mut parsed, self.width, &mut self.cell, ended, written);
            record_bytes += written;
            match result {
                ReadRecordResult::End => return Ok(None),
                ReadRecordResult::Record => {
                    self.last_record_bytes = record_bytes;
                    let unclosed = at_end && overrun.started && overrun.quotes % 2 == 1;
                    return Ok(Some(if unclosed { self.unclosed(parsed, overrun) } else { parsed }));
                }
                _ if overrun.bytes.len() > REPLAY_LIMIT => {
                    add_cell(&mut parsed, self.width, &self.cell[..open.kept], open.bytes);
                    return Ok(Some(self.unclosed(parsed, overrun)));
                }
                _ => {}
            }
        }
    }

    /// A record whose quote never closes: reported at its first line, and
    /// what followed that line is read again.
    fn unclosed(&mut self, mut parsed: Parsed, overrun: Overrun) -> Parsed {
        // The last line the quote reached (a line break at the very end
        // closes a line rather than opening one).
        let last_line = self.lines_done + u64::from(overrun.bytes.last() != Some(&self.line_break));
        // The first cell that holds a line break opened the quote; else
        // the one being read when the quote ran past the limit.
        let column = (parsed.cells.iter().position(|cell| cell.contains(&self.line_break)))
            .unwrap_or(parsed.count.saturating_sub(1));
        // The cell is as large as it is because its quote never closed.
        parsed.issues.retain(
            |issue| !matches!(issue, ReadIssue::CellTooLarge { column: large, .. } if *large == column),
        );
        parsed.issues.push(ReadIssue::UnclosedQuote { column, last_line });
        self.lines_done = parsed.first_line;
        self.core.reset();
        self.feed.read_again(overrun.bytes);
        parsed
    }

    /// The record as a row: text checked cell by cell, width checked.
    fn row(&self, parsed: Parsed) -> RawRow {
        let Parsed { first_line, cells, count, extra_content, mut issues } = parsed;
        let cells = match StringRecord::from_byte_record(cells) {
            Ok(cells) => cells,
            Err(error) => lossy(error.into_byte_record(), &mut issues),
        };
        if let Some(encoding) = self.decoded_from {
            // The decoder put U+FFFD where the bytes were not valid.
            for (column, cell) in cells.iter().enumerate() {
                if cell.contains('\u{fffd}') {
                    issues.push(ReadIssue::InvalidText { column, encoding });
                }
            }
        }
        let blank = cells.iter().all(|cell| cell.trim().is_empty());
        if blank && !extra_content && issues.is_empty() {
            // A blank line, however many delimiters it holds.
            return RawRow { row: first_line, cells, numeric: Vec::new(), issues };
        }
        let trailing_blanks = count > self.width && !extra_content;
        // An unclosed quote says more than a count of cells would.
        if count != self.width && !trailing_blanks && !issues.iter().any(ReadIssue::is_structural) {
            issues.push(ReadIssue::Ragged { cells: count });
        }
        RawRow { row: first_line, cells, numeric: Vec::new(), issues }
    }
}

impl RowSource for CsvRows {
    fn next_row(&mut self) -> Result<Option<RawRow>, InputError> {
        while let Some(parsed) = self.read_record()? {
            let row = self.row(parsed);
            if !row.is_blank() {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

/// Adds a cell just read to the record, or notes why it is not kept:
/// `text` is what was kept of its `bytes`.
fn add_cell(parsed: &mut Parsed, width: usize, text: &[u8], bytes: usize) {
    let column = parsed.count;
    parsed.count += 1;
    if column >= width {
        parsed.extra_content |= !text.iter().all(u8::is_ascii_whitespace);
    } else if bytes > CELL_LIMIT {
        parsed.cells.push_field(b"");
        parsed.issues.push(ReadIssue::CellTooLarge { column, bytes });
    } else {
        parsed.cells.push_field(text);
    }
}

/// A record whose cells are not all UTF-8: each bad cell is decoded lossily
/// and reported.
fn lossy(record: ByteRecord, issues: &mut Vec<ReadIssue>) -> StringRecord {
    let mut cells = StringRecord::with_capacity(record.as_slice().len(), record.len());
    for (column, bytes) in record.iter().enumerate() {
        if std::str::from_utf8(bytes).is_err() {
            issues.push(ReadIssue::InvalidText { column, encoding: "UTF-8" });
        }
        cells.push_field(&String::from_utf8_lossy(bytes));
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_the_one_that_splits_the_header_into_members() {
        let lines = ["Name;Description;Environment", "a;b;c"];
        assert_eq!(find_header(&lines, &CANDIDATE_DELIMITERS, &HeaderRule::WORKLOADS), Some((1, b';')));
        let lines = ["Name\tOwner\tNotes, more"];
        assert_eq!(find_header(&lines, &CANDIDATE_DELIMITERS, &HeaderRule::WORKLOADS), Some((1, b'\t')));
        let lines = ["Name|Owner|Lenses"];
        assert_eq!(find_header(&lines, &CANDIDATE_DELIMITERS, &HeaderRule::WORKLOADS), Some((1, b'|')));
    }

    #[test]
    fn title_lines_above_the_header_are_passed_over() {
        let lines = ["Workload inventory, exported 2026-11-01", "", "\"Name\",\"Owner\",\"Lenses\""];
        assert_eq!(find_header(&lines, &CANDIDATE_DELIMITERS, &HeaderRule::WORKLOADS), Some((3, b',')));
    }

    #[test]
    fn quoted_delimiters_do_not_split_header_cells() {
        assert_eq!(split_line("\"a,b\",c", b',').collect::<Vec<_>>(), ["a,b", "c"]);
    }

    #[test]
    fn a_given_delimiter_is_the_only_one_tried() {
        assert_eq!(find_header(&["Name,Owner"], b";", &HeaderRule::WORKLOADS), None);
    }
}
