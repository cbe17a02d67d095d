//! The Excel family (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`): xlsx and
//! xlsm through wa-bulk's own sheet reader ([`super::xlsx`]), the others
//! through calamine; both give cells that become rows here.
//!
//! Cells become the text a person sees: integers without `.0` (an account ID
//! typed as a number is a number, and the mapping pads it back to 12 digits),
//! dates as ISO dates, formulas as their cached values, booleans as TRUE or
//! FALSE. Excel error values (`#N/A`) are reported at their cell. Without
//! `--sheet`, the first sheet with a header row is read.
//!
//! xlsx, xlsm and xlsb sheets are streamed cell by cell, so a sparse sheet
//! costs what its cells cost, not its declared dimensions; cells past the
//! header's width, or past Excel's last column, are not kept, and a sheet
//! of more than [`MAX_CELLS`] cells is refused. `.xls` and `.ods` have no
//! cell reader in calamine and are read whole. An xlsb or ods workbook is
//! checked for zip bombs before calamine opens it; xlsx and xlsm are
//! counted as they inflate.
//!
//! The cell readers borrow the workbook, so the reading runs on a thread of
//! its own that hands rows over a bounded channel; a panic in the reader
//! becomes an error of the file instead of ending the process.

use std::borrow::Cow;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use calamine::{Cell, Data, DataRef, Reader, Sheets, open_workbook_auto};
use csv::StringRecord;

use super::columns::{Target, looks_like_header};
use super::{
    CELL_LIMIT, HEADER_SEARCH_ROWS, InputError, InputOptions, MAX_COLUMNS, Opened, RawRow, ReadIssue,
    RowSource, display, xlsx, zip_limits,
};

/// The most cells read from one sheet, empty ones included.
pub const MAX_CELLS: u64 = 10_000_000;
/// Rows handed over at once: one hand-over a row cost more than reading
/// it (a wake-up of the other thread each time).
const BATCH_ROWS: usize = 256;
/// Bytes of cells handed over at once, however few the rows.
const BATCH_BYTES: usize = 8 << 20;
/// Batches the reading thread may be ahead of the checks.
const BATCHES_AHEAD: usize = 4;

/// What the reading thread hands over: the header first, then rows.
enum Message {
    Header { headers: Vec<String>, location: String },
    Rows(RowBatch),
    Failed(InputError),
}

pub(super) fn open(options: &InputOptions, extension: &str) -> Result<Opened, InputError> {
    let file = display(&options.path);
    let not_a_file = || InputError::WorkbookNotAFile { file: file.clone(), extension: extension.to_owned() };
    let path = options.file().ok_or_else(not_a_file)?;
    let metadata = std::fs::metadata(path).map_err(|source| InputError::Io { file: file.clone(), source })?;
    if !metadata.is_file() {
        return Err(not_a_file());
    }
    if metadata.len() == 0 {
        return Err(InputError::Empty { file });
    }
    if matches!(extension, "xlsb" | "ods") {
        zip_limits::check(path, &file, extension)?;
    }
    let (handover, receiver, give_back) = Handover::new();
    let (options, extension) = (options.clone(), extension.to_owned());
    let reading = extension.clone();
    let reader = std::thread::spawn(move || {
        if let Err(error) = read_workbook(&options, &reading, &handover) {
            let _ = handover.rows.send(Message::Failed(error));
        }
    });
    let batch = RowBatch::default();
    let mut rows = SheetRows { file, extension, receiver, give_back, reader: Some(reader), batch, next: 0 };
    match rows.receive()? {
        Some(Message::Header { headers, location }) => {
            Ok(Opened { headers, header_location: location, rows: Box::new(rows) })
        }
        _ => Err(rows.stopped()),
    }
}

/// Where the reading thread hands rows over, and takes the batches read
/// back to fill again (a fresh one each time would come from pages the
/// kernel zeroes, the others being freed on the thread that read them).
struct Handover {
    rows: SyncSender<Message>,
    emptied: Receiver<RowBatch>,
}

impl Handover {
    /// The reading side, and the taking side: its messages and where it
    /// gives batches back.
    fn new() -> (Handover, Receiver<Message>, SyncSender<RowBatch>) {
        let (rows, receiver) = sync_channel(BATCHES_AHEAD);
        let (give_back, emptied) = sync_channel(BATCHES_AHEAD + 2);
        (Handover { rows, emptied }, receiver, give_back)
    }
}

/// Reads the chosen sheet (or the first with a header row) into `out`.
fn read_workbook(options: &InputOptions, extension: &str, out: &Handover) -> Result<(), InputError> {
    let file = display(&options.path);
    let workbook = match extension {
        "xlsx" | "xlsm" => Book::Own(xlsx::Workbook::open(&options.path, &file, extension)?),
        _ => Book::Calamine(
            open_workbook_auto(&options.path).map_err(|e| InputError::not_a_workbook(&file, extension, e))?,
        ),
    };
    read_book(workbook, options, extension, out)
}

/// Reads the chosen sheet of an open workbook into `out`.
fn read_book(
    mut workbook: Book,
    options: &InputOptions,
    extension: &str,
    out: &Handover,
) -> Result<(), InputError> {
    let file = display(&options.path);
    let not_a_workbook = |detail: String| InputError::not_a_workbook(&file, extension, detail);
    let sheets = workbook.sheet_names();
    let chosen: Vec<String> = match &options.sheet {
        Some(sheet) if !sheets.contains(sheet) => {
            return Err(InputError::NoSuchSheet { file, sheet: sheet.clone(), sheets: sheets.join(", ") });
        }
        Some(sheet) => vec![sheet.clone()],
        None => sheets.clone(),
    };
    for sheet in &chosen {
        let in_sheet = |detail: String| not_a_workbook(format!("sheet \"{sheet}\": {detail}"));
        let mut stream = SheetStream {
            file: &file,
            extension,
            sheet,
            overrides: &options.overrides,
            out,
            batch: RowBatch::default(),
            cells_read: 0,
            exhausted: false,
        };
        if stream_sheet(&mut workbook, &mut stream, &in_sheet)? {
            return Ok(());
        }
    }
    let where_ = match &options.sheet {
        Some(sheet) => format!(" of sheet \"{sheet}\""),
        None if sheets.is_empty() => " (the workbook has no sheets)".to_owned(),
        None => format!(" of any sheet ({})", sheets.join(", ")),
    };
    Err(InputError::NoHeader { file, searched: HEADER_SEARCH_ROWS, where_ })
}

/// A workbook open for reading: xlsx and xlsm by wa-bulk's own reader,
/// the rest by calamine.
enum Book {
    Own(xlsx::Workbook),
    Calamine(Sheets<std::io::BufReader<std::fs::File>>),
}

impl Book {
    fn sheet_names(&self) -> Vec<String> {
        match self {
            Book::Own(workbook) => workbook.sheet_names(),
            Book::Calamine(workbook) => workbook.sheet_names(),
        }
    }
}

/// Streams one sheet, cell by cell where the reader can; `false` when it
/// has no header row.
fn stream_sheet(
    workbook: &mut Book,
    stream: &mut SheetStream<'_>,
    in_sheet: &impl Fn(String) -> InputError,
) -> Result<bool, InputError> {
    let sheet = stream.sheet;
    match workbook {
        Book::Own(workbook) => match workbook.cells(sheet)? {
            Some(mut cells) => stream.read(|| cells.next_cell()),
            None => Ok(false),
        },
        Book::Calamine(Sheets::Xlsx(xlsx)) => {
            let mut cells = xlsx.worksheet_cells_reader(sheet).map_err(|e| in_sheet(e.to_string()))?;
            stream.read(|| kept_cell(cells.next_cell(), in_sheet))
        }
        Book::Calamine(Sheets::Xlsb(xlsb)) => {
            let mut cells = xlsb.worksheet_cells_reader(sheet).map_err(|e| in_sheet(e.to_string()))?;
            stream.read(|| kept_cell(cells.next_cell(), in_sheet))
        }
        Book::Calamine(whole) => {
            let range = whole.worksheet_range(sheet).map_err(|e| in_sheet(e.to_string()))?;
            let (top, left) = range.start().unwrap_or_default();
            let mut cells = range.used_cells();
            stream.read(|| {
                Ok(cells.next().map(|(row, column, value)| {
                    let kept = match value {
                        Data::Error(error) => Kept::Error(error.to_string()),
                        value => Kept::Value(value.clone()),
                    };
                    ((top + row as u32, left + column as u32), kept)
                }))
            })
        }
    }
}

/// What a cell reader (xlsx or xlsb) gave, as the stream takes it.
fn kept_cell<E: ToString>(
    cell: Result<Option<Cell<DataRef<'_>>>, E>,
    in_sheet: &impl Fn(String) -> InputError,
) -> Result<Option<SheetCell<'static>>, InputError> {
    let cell = cell.map_err(|e| in_sheet(e.to_string()))?;
    Ok(cell.map(|cell| (cell.get_position(), Kept::from_ref(cell.get_value()))))
}

/// A cell as a reader yields it: (row, column), 0-based, and its value.
pub(super) type SheetCell<'a> = ((u32, u32), Kept<'a>);

/// A cell's value as kept: calamine's, a text the workbook holds for the
/// whole read (a shared string: never copied), an Excel error value
/// (`#N/A`), or only the size of a text too large to keep.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kept<'a> {
    Value(Data),
    Shared(&'a str),
    Error(String),
    TooLarge(usize),
}

impl<'a> Kept<'a> {
    pub(super) const EMPTY: Kept<'static> = Kept::Value(Data::Empty);

    fn from_ref(value: &DataRef<'_>) -> Kept<'static> {
        match value {
            DataRef::SharedString(text) => Kept::text(text),
            DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text)
                if text.len() > CELL_LIMIT =>
            {
                Kept::TooLarge(text.len())
            }
            DataRef::Error(error) => Kept::Error(error.to_string()),
            other => Kept::Value(Data::from(other.clone())),
        }
    }

    /// A text cell, copied only if it is small enough to keep.
    pub(super) fn text(text: &str) -> Kept<'static> {
        match text.len() {
            0 => Kept::EMPTY,
            bytes if bytes > CELL_LIMIT => Kept::TooLarge(bytes),
            _ => Kept::Value(Data::String(text.to_owned())),
        }
    }

    /// A text that outlives the read, kept where it is.
    pub(super) fn shared(text: &'a str) -> Kept<'a> {
        match text.len() {
            0 => Kept::EMPTY,
            bytes if bytes > CELL_LIMIT => Kept::TooLarge(bytes),
            _ => Kept::Shared(text),
        }
    }

    /// The text a person sees; none for an error or a text too large to keep.
    fn shown(&self) -> String {
        match self {
            Kept::Value(value) => cell_text(value).into_owned(),
            Kept::Shared(text) => (*text).to_owned(),
            Kept::Error(_) | Kept::TooLarge(_) => String::new(),
        }
    }
}

/// One sheet's cells becoming rows: the header found among the first rows,
/// then each data row handed on as soon as the next row begins.
struct SheetStream<'a> {
    file: &'a str,
    extension: &'a str,
    sheet: &'a str,
    overrides: &'a [(String, Target)],
    out: &'a Handover,
    /// Rows gathered and not yet handed over.
    batch: RowBatch,
    cells_read: u64,
    /// The reader said it has no more cells (asked again, some fail).
    exhausted: bool,
}

/// A row being gathered: its index and its cells by column.
struct Gathered<'a> {
    index: u32,
    cells: Vec<Kept<'a>>,
}

impl SheetStream<'_> {
    /// Streams the sheet; `Ok(false)` when it has no header row.
    fn read<'c>(
        &mut self,
        mut next: impl FnMut() -> Result<Option<SheetCell<'c>>, InputError>,
    ) -> Result<bool, InputError> {
        // The header is searched for among the first rows with cells.
        let mut first_rows: Vec<Gathered> = Vec::new();
        let mut pending = None;
        while let Some(cell) = self.next_cell(&mut next)? {
            let ((row, _), _) = &cell;
            if first_rows.first().is_some_and(|first| *row >= first.index + HEADER_SEARCH_ROWS as u32) {
                pending = Some(cell);
                break;
            }
            self.gather(&mut first_rows, cell, MAX_COLUMNS)?;
        }
        let Some(header_at) = first_rows.iter().position(|row| {
            let texts: Vec<String> = row.cells.iter().map(Kept::shown).collect();
            looks_like_header(texts.iter().map(String::as_str), self.overrides)
        }) else {
            return Ok(false);
        };
        let mut headers: Vec<String> = first_rows[header_at].cells.iter().map(Kept::shown).collect();
        while headers.last().is_some_and(|header| header.trim().is_empty()) {
            headers.pop();
        }
        let width = headers.len();
        let location = format!("sheet \"{}\" row {}", self.sheet, first_rows[header_at].index + 1);
        if !self.send(Message::Header { headers, location }) {
            return Ok(true);
        }
        self.batch = RowBatch::new(width);
        let mut rows: Vec<Gathered> = first_rows.split_off(header_at + 1);
        let mut upcoming = pending.take();
        loop {
            // Every row but the last gathered is complete.
            while rows.len() > 1 {
                let row = rows.remove(0);
                if !self.add_row(row) {
                    return Ok(true);
                }
            }
            let cell = match upcoming.take() {
                Some(cell) => cell,
                None => match self.next_cell(&mut next)? {
                    Some(cell) => cell,
                    None => break,
                },
            };
            self.gather(&mut rows, cell, width)?;
        }
        if let Some(row) = rows.pop() {
            self.add_row(row);
        }
        self.hand_over();
        Ok(true)
    }

    fn next_cell<'c>(
        &mut self,
        next: &mut impl FnMut() -> Result<Option<SheetCell<'c>>, InputError>,
    ) -> Result<Option<SheetCell<'c>>, InputError> {
        // A reader is not asked again once it said it has no more.
        if self.exhausted {
            return Ok(None);
        }
        self.cells_read += 1;
        if self.cells_read > MAX_CELLS {
            return Err(InputError::TooLarge {
                file: self.file.to_owned(),
                what: format!(
                    "sheet \"{}\" has more than {} million cells, the most wa-bulk reads from a sheet",
                    self.sheet,
                    MAX_CELLS / 1_000_000
                ),
            });
        }
        let cell = next()?;
        self.exhausted = cell.is_none();
        Ok(cell)
    }

    /// Adds a cell to the row it belongs to; columns from `width` on are not kept.
    fn gather<'c>(
        &self,
        rows: &mut Vec<Gathered<'c>>,
        ((row, column), value): SheetCell<'c>,
        width: usize,
    ) -> Result<(), InputError> {
        match rows.last() {
            Some(last) if row < last.index => {
                return Err(InputError::not_a_workbook(
                    self.file,
                    self.extension,
                    format!("sheet \"{}\": row {} comes after row {}", self.sheet, row + 1, last.index + 1),
                ));
            }
            Some(last) if row == last.index => {}
            _ => rows.push(Gathered { index: row, cells: Vec::with_capacity(width.min(64)) }),
        }
        let column = column as usize;
        if column < width && value != Kept::EMPTY {
            let cells = &mut rows.last_mut().expect("pushed above").cells;
            if cells.len() <= column {
                cells.resize(column + 1, Kept::EMPTY);
            }
            cells[column] = value;
        }
        Ok(())
    }

    /// Adds a row to the batch, handing the batch over once it is full;
    /// `false` once nobody reads rows any more.
    fn add_row(&mut self, row: Gathered<'_>) -> bool {
        !self.batch.push(row)
            || self.batch.rows.len() < BATCH_ROWS && self.batch.cost() < BATCH_BYTES
            || self.hand_over()
    }

    fn hand_over(&mut self) -> bool {
        let width = self.batch.width;
        let fresh = match self.out.emptied.try_recv() {
            Ok(mut emptied) => {
                emptied.clear(width);
                emptied
            }
            Err(_) => RowBatch::new(width),
        };
        let batch = std::mem::replace(&mut self.batch, fresh);
        batch.rows.is_empty() || self.send(Message::Rows(batch))
    }

    /// Hands a message on; `false` once nobody reads them any more.
    fn send(&self, message: Message) -> bool {
        self.out.rows.send(message).is_ok()
    }
}

/// Rows handed over at once, the texts of their cells in one buffer. The
/// records are built by the thread that takes them: the reading thread,
/// the bound of a workbook's read, then copies each cell once and allocates
/// once a batch rather than twice a row.
#[derive(Debug, Default)]
struct RowBatch {
    /// Cells a row (the header's width).
    width: usize,
    text: String,
    /// Where each cell ends in `text`, `width` of them a row.
    ends: Vec<usize>,
    rows: Vec<BatchRow>,
}

/// A row of a batch, but for its cells.
#[derive(Debug)]
struct BatchRow {
    row: u64,
    numeric: Vec<usize>,
    issues: Vec<ReadIssue>,
}

impl RowBatch {
    fn new(width: usize) -> RowBatch {
        RowBatch { width, ..RowBatch::default() }
    }

    /// Empties the batch for rows of `width` cells, keeping its room.
    fn clear(&mut self, width: usize) {
        self.width = width;
        self.text.clear();
        self.ends.clear();
        self.rows.clear();
    }

    /// Adds a gathered row as text cells, with its numbers and errors noted;
    /// `false`, and nothing added, when the row is blank.
    fn push(&mut self, row: Gathered<'_>) -> bool {
        let (text_before, ends_before) = (self.text.len(), self.ends.len());
        let mut numeric = Vec::new();
        let mut issues = Vec::new();
        for column in 0..self.width {
            let text = match row.cells.get(column).unwrap_or(&Kept::EMPTY) {
                Kept::Value(cell) => {
                    if matches!(cell, Data::Int(_) | Data::Float(_)) {
                        numeric.push(column);
                    }
                    let text = cell_text(cell);
                    if text.len() > CELL_LIMIT {
                        issues.push(ReadIssue::CellTooLarge { column, bytes: text.len() });
                        Cow::Borrowed("")
                    } else {
                        text
                    }
                }
                Kept::Shared(text) => Cow::Borrowed(*text),
                Kept::Error(error) => {
                    issues.push(ReadIssue::ExcelError { column, error: error.clone() });
                    Cow::Borrowed("")
                }
                Kept::TooLarge(bytes) => {
                    issues.push(ReadIssue::CellTooLarge { column, bytes: *bytes });
                    Cow::Borrowed("")
                }
            };
            self.text.push_str(&text);
            self.ends.push(self.text.len());
        }
        let starts = std::iter::once(text_before).chain(self.ends[ends_before..].iter().copied());
        let cells = starts.zip(&self.ends[ends_before..]).map(|(start, end)| &self.text[start..*end]);
        if RawRow::blank(cells, &issues) {
            self.text.truncate(text_before);
            self.ends.truncate(ends_before);
            return false;
        }
        self.rows.push(BatchRow { row: u64::from(row.index) + 1, numeric, issues });
        true
    }

    /// About what the batch costs in memory, as [`RawRow::cost`] counts.
    fn cost(&self) -> usize {
        RawRow::cost_of(self.text.len(), self.ends.len(), self.rows.len())
    }

    /// The batch's `index`th row, its numbers and issues taken out.
    fn take(&mut self, index: usize) -> RawRow {
        let ends = &self.ends[index * self.width..(index + 1) * self.width];
        let start = if index == 0 { 0 } else { self.ends[index * self.width - 1] };
        let mut cells = StringRecord::with_capacity(ends.last().map_or(0, |end| end - start), self.width);
        let mut from = start;
        for end in ends {
            cells.push_field(&self.text[from..*end]);
            from = *end;
        }
        let row = &mut self.rows[index];
        RawRow {
            row: row.row,
            cells,
            numeric: std::mem::take(&mut row.numeric),
            issues: std::mem::take(&mut row.issues),
        }
    }
}

/// The rows the reading thread hands over.
struct SheetRows {
    file: String,
    extension: String,
    receiver: Receiver<Message>,
    give_back: SyncSender<RowBatch>,
    reader: Option<JoinHandle<()>>,
    /// The batch last handed over, and its next row.
    batch: RowBatch,
    next: usize,
}

impl SheetRows {
    /// The next message; `None` once the reader is done.
    fn receive(&mut self) -> Result<Option<Message>, InputError> {
        match self.receiver.recv() {
            Ok(Message::Failed(error)) => Err(error),
            Ok(message) => Ok(Some(message)),
            Err(_) => match self.reader.take().map(JoinHandle::join) {
                Some(Err(_)) => Err(self.stopped()),
                _ => Ok(None),
            },
        }
    }

    /// The reader ended without saying why: it panicked.
    fn stopped(&self) -> InputError {
        InputError::not_a_workbook(
            &self.file,
            &self.extension,
            "the workbook reader stopped on malformed content",
        )
    }
}

impl RowSource for SheetRows {
    fn next_row(&mut self) -> Result<Option<RawRow>, InputError> {
        loop {
            if self.next < self.batch.rows.len() {
                self.next += 1;
                return Ok(Some(self.batch.take(self.next - 1)));
            }
            match self.receive()? {
                Some(Message::Rows(batch)) => {
                    let read = std::mem::replace(&mut self.batch, batch);
                    let _ = self.give_back.try_send(read);
                    self.next = 0;
                }
                Some(_) => return Err(self.stopped()),
                None => return Ok(None),
            }
        }
    }
}

/// A cell as the text a person sees in it.
fn cell_text(cell: &Data) -> Cow<'_, str> {
    Cow::Owned(match cell {
        Data::Empty | Data::Error(_) => return Cow::Borrowed(""),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => return Cow::Borrowed(text),
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
    })
}

/// Whole numbers print as integers (`123`, never `123.0` or `1.23E+11`).
fn number_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        number.to_string()
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

    /// What a reader makes of a workbook: the header, then each row's
    /// number, cells, numeric columns and issues.
    fn rows_read_by(book: Book, path: &std::path::Path) -> Vec<String> {
        let options = InputOptions { path: path.to_owned(), ..InputOptions::default() };
        let (handover, receiver, _give_back) = Handover::new();
        let reading = std::thread::spawn(move || read_book(book, &options, "xlsx", &handover).unwrap());
        let messages: Vec<Message> = receiver.iter().collect();
        reading.join().unwrap();
        messages
            .into_iter()
            .flat_map(|message| match message {
                Message::Header { headers, location } => vec![format!("{location}: {headers:?}")],
                Message::Rows(mut batch) => (0..batch.rows.len())
                    .map(|index| batch.take(index))
                    .map(|row| format!("{} {:?} {:?} {:?}", row.row, row.cells, row.numeric, row.issues))
                    .collect(),
                Message::Failed(error) => vec![error.to_string()],
            })
            .collect()
    }

    /// Both readers of xlsx, ours and calamine's, see the same rows.
    fn assert_readers_agree(path: &std::path::Path) -> Vec<String> {
        let own = Book::Own(xlsx::Workbook::open(path, "t.xlsx", "xlsx").unwrap());
        let calamine = Book::Calamine(open_workbook_auto(path).unwrap());
        let (own, calamine) = (rows_read_by(own, path), rows_read_by(calamine, path));
        assert_eq!(own, calamine);
        own
    }

    #[test]
    fn the_own_reader_reads_every_kind_of_cell_as_calamine_does() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
        let file = tempfile::Builder::new().suffix(".xlsx").tempfile().unwrap();
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet().set_name("Kinds").unwrap();
        let headers =
            ["WorkloadName", "Description", "Number", "Date", "Stamp", "Elapsed", "Flag", "Formula", "Error"];
        for (column, header) in headers.iter().enumerate() {
            sheet.write_string(1, column as u16, *header).unwrap();
        }
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let stamp = Format::new().set_num_format("dd/mm/yyyy hh:mm");
        let elapsed = Format::new().set_num_format("[h]:mm:ss");
        let day = ExcelDateTime::from_ymd(2024, 12, 1).unwrap();
        sheet.write_string(2, 0, "a & b <c> \"d\"").unwrap();
        sheet.write_string(2, 1, "line one\r\nline two_x000D_ stays").unwrap();
        sheet.write_number(2, 2, 123456789012.0).unwrap();
        sheet.write_datetime_with_format(2, 3, &day, &date).unwrap();
        sheet.write_number_with_format(2, 4, 45_627.75, &stamp).unwrap();
        sheet.write_number_with_format(2, 5, 1.5, &elapsed).unwrap();
        sheet.write_boolean(2, 6, true).unwrap();
        sheet.write_formula(2, 7, Formula::new("=\"x\"&\"y\"").set_result("xy")).unwrap();
        sheet.write_formula(2, 8, Formula::new("=NA()").set_result("#N/A")).unwrap();
        sheet.write_number(3, 0, 0.1).unwrap();
        sheet.write_string(3, 5, "Ünïcödé ✓").unwrap();
        sheet.write_boolean(3, 6, false).unwrap();
        sheet.write_number(3, 2, -3.0).unwrap();
        sheet.write_string(5, 0, "after a blank row").unwrap();
        workbook.save(file.path()).unwrap();
        let rows = assert_readers_agree(file.path());
        assert_eq!(rows.len(), 4, "{rows:#?}");
        assert!(rows[1].contains("123456789012"), "{}", rows[1]);
        assert!(rows[1].contains("2024-12-01"), "{}", rows[1]);
        assert!(rows[1].contains("ExcelError { column: 8, error: \"#N/A\" }"), "{}", rows[1]);
    }

    #[test]
    fn the_own_reader_reads_hand_written_xml_as_calamine_does() {
        use std::io::Write;
        let file = tempfile::Builder::new().suffix(".xlsx").tempfile().unwrap();
        let mut zip = zip::ZipWriter::new(file.reopen().unwrap());
        let mut part = |name: &str, xml: &str| {
            zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(xml.as_bytes()).unwrap();
        };
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        part(
            "_rels/.rels",
            &format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{relationships}/officeDocument" Target="/xl/workbook.xml"/></Relationships>"#
            ),
        );
        part(
            "xl/_rels/workbook.xml.rels",
            &format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="{relationships}/worksheet" Target="worksheets/data.xml"/><Relationship Id="rId8" Type="{relationships}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId9" Type="{relationships}/styles" Target="styles.xml"/></Relationships>"#
            ),
        );
        part(
            "xl/workbook.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><x:workbook xmlns:x="{main}" xmlns:r="{relationships}"><x:workbookPr date1904="1"/><x:sheets><x:sheet name="Data &amp; more" sheetId="1" r:id="rId7"/></x:sheets></x:workbook>"#
            ),
        );
        part(
            "xl/styles.xml",
            &format!(
                r#"<styleSheet xmlns="{main}"><numFmts count="1"><numFmt numFmtId="170" formatCode="d\ mmmm\ yyyy"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="170" applyNumberFormat="1"><alignment wrapText="1"/></xf><xf numFmtId="46"/></cellXfs></styleSheet>"#
            ),
        );
        part(
            "xl/sharedStrings.xml",
            &format!(
                r#"<sst xmlns="{main}" count="4" uniqueCount="4"><si><t>WorkloadName</t></si><si><r><rPr><b/></rPr><t>Descr</t></r>
 <r><t xml:space="preserve">iption </t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></si><si><t>tab_x0009_bed &#x263A;</t></si><si/></sst>"#
            ),
        );
        part(
            "xl/worksheets/data.xml",
            &format!(
                r#"<?xml version="1.0"?><!-- written by hand --><x:worksheet xmlns:x="{main}"><x:sheetData>
<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c><x:c><x:v>1</x:v></x:c><x:c t="inlineStr"><x:is><x:t>Extra</x:t></x:is></x:c></x:row>
<x:row r="3"><x:c r="A3" t="s"><x:v>2</x:v></x:c><x:c r="B3" t="inlineStr"><x:is><x:r><x:t>in</x:t></x:r><x:r><x:t>line</x:t></x:r></x:is></x:c><x:c r="C3" s="1"><x:v>45000</x:v></x:c><x:c r="D3" s="2"><x:v>0.25</x:v></x:c></x:row>
<x:row><x:c t="str"><x:f>A1</x:f><x:v>formula &amp; text</x:v></x:c><x:c t="b"><x:v>0</x:v></x:c><x:c t="s"><x:v>3</x:v></x:c><x:c t="d"><x:v>2024-02-29T00:00:00</x:v></x:c></x:row>
</x:sheetData></x:worksheet>"#
            ),
        );
        zip.finish().unwrap();
        let rows = assert_readers_agree(file.path());
        assert_eq!(rows.len(), 3, "{rows:#?}");
        assert!(rows[0].contains("\"Description \""), "{}", rows[0]);
        assert!(
            rows[1].starts_with("3 ") && rows[1].contains("tab\\tbed ☺") && rows[1].contains("inline"),
            "{}",
            rows[1]
        );
        assert!(rows[1].contains("\"0.25\""), "an elapsed time is its number: {}", rows[1]);
        assert!(rows[2].starts_with("4 ") && rows[2].contains("formula & text"), "{}", rows[2]);
        assert!(rows[2].contains("2024-02-29T00:00:00"), "{}", rows[2]);
    }

    #[test]
    fn a_sparse_row_keeps_its_cells_in_their_columns_and_drops_what_lies_past_the_width() {
        let (handover, receiver, _give_back) = Handover::new();
        let overrides = [];
        let mut stream = SheetStream {
            file: "f.xlsx",
            extension: "xlsx",
            sheet: "S",
            overrides: &overrides,
            out: &handover,
            batch: RowBatch::default(),
            cells_read: 0,
            exhausted: false,
        };
        let text = |s: &str| Kept::Value(Data::String(s.into()));
        let mut cells = vec![
            ((4, 1), text("Name")),
            ((4, 2), text("Owner")),
            ((1_048_575, 2), text("far")),
            ((1_048_575, 16_383), text("farther")),
        ]
        .into_iter();
        assert!(stream.read(|| Ok(cells.next())).unwrap());
        drop(handover);
        let mut messages: Vec<Message> = receiver.iter().collect();
        match &mut messages[..] {
            [Message::Header { headers, location }, Message::Rows(batch)] if batch.rows.len() == 1 => {
                let row = batch.take(0);
                assert_eq!(headers, &["", "Name", "Owner"]);
                assert_eq!(location, "sheet \"S\" row 5");
                assert_eq!(row.row, 1_048_576);
                assert_eq!(row.cells.iter().collect::<Vec<_>>(), ["", "", "far"]);
            }
            _ => panic!("expected a header and one row"),
        }
    }
}
