//! The hand-over of a workbook's rows from the thread that reads the sheet
//! to the thread that checks them: a bounded channel of [`RowBatch`]es, each
//! the texts of a few hundred rows in one buffer, and the emptied batches
//! given back to be filled again. The checking side sees a [`RowSource`]
//! ([`SheetRows`]); a reader that panics becomes an error of the file.

use std::borrow::Cow;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use calamine::Data;
use csv::StringRecord;

use super::cell::{Kept, cell_text};
use super::{CELL_LIMIT, InputError, RawRow, ReadIssue, RowSource};

/// Rows handed over at once: one hand-over a row cost more than reading
/// it (a wake-up of the other thread each time).
const BATCH_ROWS: usize = 256;
/// Bytes of cells handed over at once, however few the rows.
const BATCH_BYTES: usize = 8 << 20;
/// Batches the reading thread may be ahead of the checks.
const BATCHES_AHEAD: usize = 4;

/// What the reading thread hands over: the header first, then rows.
pub(super) enum Message {
    Header { headers: Vec<String>, location: String },
    Rows(RowBatch),
    Failed(InputError),
}

/// Where the reading thread hands rows over, and takes the batches read
/// back to fill again (a fresh one each time would come from pages the
/// kernel zeroes, the others being freed on the thread that read them).
pub(super) struct Handover {
    pub(super) rows: SyncSender<Message>,
    pub(super) emptied: Receiver<RowBatch>,
}

impl Handover {
    /// The reading side, and the taking side: its messages and where it
    /// gives batches back.
    pub(super) fn new() -> (Handover, Receiver<Message>, SyncSender<RowBatch>) {
        let (rows, receiver) = sync_channel(BATCHES_AHEAD);
        let (give_back, emptied) = sync_channel(BATCHES_AHEAD + 2);
        (Handover { rows, emptied }, receiver, give_back)
    }
}

/// A row being gathered: its index and its cells by column.
pub(super) struct Gathered<'a> {
    pub(super) index: u32,
    pub(super) cells: Vec<Kept<'a>>,
}

/// Rows handed over at once, the texts of their cells in one buffer. The
/// records are built by the thread that takes them: the reading thread,
/// the bound of a workbook's read, then copies each cell once and allocates
/// once a batch rather than twice a row.
#[derive(Debug, Default)]
pub(super) struct RowBatch {
    /// Cells a row (the header's width).
    pub(super) width: usize,
    text: String,
    /// Where each cell ends in `text`, `width` of them a row.
    ends: Vec<usize>,
    pub(super) rows: Vec<BatchRow>,
}

/// A row of a batch, but for its cells.
#[derive(Debug)]
pub(super) struct BatchRow {
    row: u64,
    numeric: Vec<usize>,
    issues: Vec<ReadIssue>,
}

impl RowBatch {
    pub(super) fn new(width: usize) -> RowBatch {
        RowBatch { width, ..RowBatch::default() }
    }

    /// Empties the batch for rows of `width` cells, keeping its room.
    pub(super) fn clear(&mut self, width: usize) {
        self.width = width;
        self.text.clear();
        self.ends.clear();
        self.rows.clear();
    }

    /// Adds a gathered row as text cells, with its numbers and errors noted;
    /// `false`, and nothing added, when the row is blank.
    pub(super) fn push(&mut self, row: Gathered<'_>) -> bool {
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

    /// Whether the batch holds as many rows, or bytes, as are handed over at once.
    pub(super) fn is_full(&self) -> bool {
        self.rows.len() >= BATCH_ROWS || self.cost() >= BATCH_BYTES
    }

    /// The batch's `index`th row, its numbers and issues taken out.
    pub(super) fn take(&mut self, index: usize) -> RawRow {
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
pub(super) struct SheetRows {
    pub(super) file: String,
    pub(super) extension: String,
    pub(super) receiver: Receiver<Message>,
    pub(super) give_back: SyncSender<RowBatch>,
    pub(super) reader: Option<JoinHandle<()>>,
    /// The batch last handed over, and its next row.
    pub(super) batch: RowBatch,
    pub(super) next: usize,
}

impl SheetRows {
    /// The next message; `None` once the reader is done.
    pub(super) fn receive(&mut self) -> Result<Option<Message>, InputError> {
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
    pub(super) fn stopped(&self) -> InputError {
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
