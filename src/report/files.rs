//! Files wa-bulk writes, written safely: never through a symbolic link
//! ([`open_no_follow`]), and under `<path>.tmp` until finished, then synced
//! and renamed into place ([`PendingFile`]), so a reader never sees half a
//! file and a crash leaves the old one whole.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{ReportError, temporary_path};

/// Opens a file without following a symbolic link at its path.
pub fn open_no_follow(path: &Path, options: &mut OpenOptions) -> Result<File, ReportError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    if std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink()) {
        return Err(ReportError::Link { path: path.display().to_string() });
    }
    options.open(path).map_err(|source| match source.raw_os_error() {
        #[cfg(unix)]
        Some(libc::ELOOP) => ReportError::Link { path: path.display().to_string() },
        _ => ReportError::io(path, "open", source),
    })
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

    /// Gives the file up: the temporary is removed, the final path untouched.
    pub(crate) fn abandon(self) {
        let PendingFile { temporary, out, .. } = self;
        drop(out);
        let _ = std::fs::remove_file(&temporary);
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

/// What an export writes, from OUT's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Csv,
    /// CSV with tabs between cells.
    Tsv,
    Xlsx,
    /// One JSON object a line.
    Jsonl,
}

impl SheetFormat {
    pub fn for_path(path: &Path) -> Option<SheetFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(SheetFormat::Csv),
            "tsv" => Some(SheetFormat::Tsv),
            "xlsx" => Some(SheetFormat::Xlsx),
            "jsonl" => Some(SheetFormat::Jsonl),
            _ => None,
        }
    }
}
