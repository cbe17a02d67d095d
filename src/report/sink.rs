//! Where a report's records go: one sink per format behind [`ReportSink`],
//! so that a format that is not a list of lines (the xlsx results workbook
//! of [`super::workbook`]) stands beside CSV, JSON Lines and a JSON array. A sink renders
//! each record's problems itself; until then they are values. Every sink
//! writes under `<report>.tmp` (which the next run clears if a killed run
//! left it) and renames the finished report into place, so a reader never
//! sees half a report. The caller holds the report's lock, so that name is
//! the run's own.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::guard::open_no_follow;
use super::workbook::{RunFacts, XlsxSink};
use super::{COLUMNS, COLUMNS_WITH_DESTINATION, Format, Record, ReportError, csv_line, temporary_path};

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

/// The sink for `format` at `path`; `facts` are what a workbook's Summary
/// says of the run.
pub fn create(path: &Path, format: Format, facts: RunFacts) -> Result<Box<dyn ReportSink>, ReportError> {
    Ok(match format {
        Format::Xlsx => Box::new(XlsxSink::new(path, facts)?),
        Format::Csv if facts.destinations => Box::new(LineSink {
            file: PendingFile::create(path, &csv_line(&COLUMNS_WITH_DESTINATION))?,
            encoder: super::csv_record_with_destination,
        }),
        Format::Csv => Box::new(LineSink {
            file: PendingFile::create(path, &csv_line(&COLUMNS))?,
            encoder: super::csv_record,
        }),
        Format::Jsonl => {
            Box::new(LineSink { file: PendingFile::create(path, b"")?, encoder: super::json_line })
        }
        Format::Json => Box::new(JsonSink { file: PendingFile::create(path, b"[")?, records: 0 }),
    })
}

/// One line a record: a CSV report (a header line first, cells a
/// spreadsheet would run as a formula defused) or JSON Lines.
struct LineSink {
    file: PendingFile,
    encoder: Encoder,
}

/// A JSON array, one record a line.
struct JsonSink {
    file: PendingFile,
    records: u64,
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

/// A file written under `<path>.tmp`, synced and renamed into place when
/// finished: reports, and what `export` writes.
pub(crate) struct PendingFile {
    path: PathBuf,
    temporary: PathBuf,
    out: BufWriter<File>,
}

impl PendingFile {
    pub(crate) fn create(path: &Path, header: &[u8]) -> Result<PendingFile, ReportError> {
        let temporary = temporary_path(path);
        // What a killed run left behind; a link is removed, never followed.
        match std::fs::remove_file(&temporary) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => {
                return Err(ReportError::io(&temporary, "remove", error));
            }
            _ => {}
        }
        let file = open_no_follow(&temporary, OpenOptions::new().write(true).create_new(true))?;
        let mut pending =
            PendingFile { path: path.to_owned(), temporary, out: BufWriter::with_capacity(1 << 16, file) };
        pending.write(header)?;
        Ok(pending)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<(), ReportError> {
        self.out.write_all(bytes).map_err(ReportError::writing(&self.temporary))
    }

    /// Hands the file to `write` (a zip writer, which seeks), then syncs it
    /// and renames it to its final path.
    pub(crate) fn finish_with(
        mut self,
        write: impl FnOnce(&mut File) -> io::Result<()>,
    ) -> Result<PathBuf, ReportError> {
        let temporary = self.temporary.clone();
        self.out.flush().map_err(ReportError::writing(&temporary))?;
        write(self.out.get_mut()).map_err(ReportError::writing(&temporary))?;
        self.finish(b"")
    }

    /// Writes `trailer`, syncs the file and renames it to its final path.
    pub(crate) fn finish(mut self, trailer: &[u8]) -> Result<PathBuf, ReportError> {
        let temporary = self.temporary.clone();
        let written = (|| {
            self.out.write_all(trailer)?;
            let file = self.out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            std::fs::rename(&temporary, &self.path)
        })();
        written.map_err(ReportError::writing(&temporary))?;
        Ok(self.path)
    }
}
