//! One sheet's cells becoming rows, whichever reader gives the cells: the
//! header row found among the first rows (the first whose cells name two
//! members), then each data row gathered by its row number and handed on
//! once the next row begins. A sparse sheet costs what its cells cost, not
//! its declared dimensions: cells past the header's width, or past Excel's
//! last column, are not kept, and a sheet of more than [`MAX_CELLS`] cells
//! is refused.

use super::cell::{Kept, SheetCell};
use super::columns::HeaderRule;
use super::handover::{Gathered, Handover, Message, RowBatch};
use super::{HEADER_SEARCH_ROWS, InputError, MAX_COLUMNS};

/// The most cells read from one sheet, empty ones included.
pub const MAX_CELLS: u64 = 10_000_000;
/// One sheet's cells becoming rows: the header found among the first rows,
/// then each data row handed on as soon as the next row begins.
pub(super) struct SheetStream<'a> {
    pub(super) file: &'a str,
    pub(super) extension: &'a str,
    pub(super) sheet: &'a str,
    pub(super) header: HeaderRule<'a>,
    pub(super) out: &'a Handover,
    /// Rows gathered and not yet handed over.
    pub(super) batch: RowBatch,
    pub(super) cells_read: u64,
    /// The reader said it has no more cells (asked again, some fail).
    pub(super) exhausted: bool,
}

impl SheetStream<'_> {
    /// Streams the sheet; `Ok(false)` when it has no header row.
    pub(super) fn read<'c>(
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
            self.header.looks_like_header(texts.iter().map(String::as_str))
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
        !self.batch.push(row) || !self.batch.is_full() || self.hand_over()
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

#[cfg(test)]
mod tests {
    use calamine::Data;

    use super::*;

    #[test]
    fn a_sparse_row_keeps_its_cells_in_their_columns_and_drops_what_lies_past_the_width() {
        let (handover, receiver, _give_back) = Handover::new();

        let mut stream = SheetStream {
            file: "f.xlsx",
            extension: "xlsx",
            sheet: "S",
            header: HeaderRule::WORKLOADS,
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
