//! Where a report's records go: one sink per format behind [`ReportSink`],
//! so that a format that is not a list of lines (the xlsx results workbook)
//! stands beside CSV, JSON Lines and a JSON array. A sink renders
//! each record's problems itself; until then they are values. Every sink
//! writes under `<report>.tmp` (which the next run clears if a killed run
//! left it) and renames the finished report into place, so a reader never
//! sees half a report. The caller holds the report's lock, so that name is
//! the run's own.

use std::path::PathBuf;

use super::files::PendingFile;
use super::{Record, ReportError};

/// Encodes one record as the sink writes it: a pure function, so records
/// can be encoded in parallel and written in order.
pub type Encoder = fn(&Record<'_>) -> Vec<u8>;

/// A report in the making.
pub trait ReportSink: Send {
    /// How this sink encodes a record, for [`ReportSink::write_encoded`].
    fn encoder(&self) -> Encoder;

    /// Writes a record its encoder encoded, after those written before.
    fn write_encoded(&mut self, encoded: &[u8]) -> Result<(), ReportError>;

    fn write(&mut self, record: &Record<'_>) -> Result<(), ReportError> {
        let encoded = (self.encoder())(record);
        self.write_encoded(&encoded)
    }

    /// Puts the finished report in place; its path.
    fn finish(self: Box<Self>) -> Result<PathBuf, ReportError>;
}

/// One line a record: a CSV report (a header line first, cells a
/// spreadsheet would run as a formula defused) or JSON Lines.
pub(super) struct LineSink {
    pub(super) file: PendingFile,
    pub(super) encoder: Encoder,
}

/// A JSON array, one record a line.
pub(super) struct JsonSink {
    pub(super) file: PendingFile,
    pub(super) records: u64,
}

impl ReportSink for LineSink {
    fn encoder(&self) -> Encoder {
        self.encoder
    }

    fn write_encoded(&mut self, encoded: &[u8]) -> Result<(), ReportError> {
        self.file.write(encoded)
    }

    fn finish(self: Box<Self>) -> Result<PathBuf, ReportError> {
        self.file.finish(b"")
    }
}

impl ReportSink for JsonSink {
    fn encoder(&self) -> Encoder {
        super::json_line
    }

    fn write_encoded(&mut self, encoded: &[u8]) -> Result<(), ReportError> {
        self.file.write(if self.records == 0 { b"\n" } else { b",\n" })?;
        self.file.write(encoded.strip_suffix(b"\n").unwrap_or(encoded))?;
        self.records += 1;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<PathBuf, ReportError> {
        self.file.finish(b"\n]\n")
    }
}
