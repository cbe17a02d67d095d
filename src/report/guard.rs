//! Keeping the user's files safe from wa-bulk's own output.
//!
//! The files a run writes (the report, its journal, its lock and the
//! temporary file a report is written under) are checked against the input
//! before anything is read or sent: a path that is the input, however it is
//! spelt (`./in.csv`, a symbolic link, a hard link), is refused. `--force`
//! and `validate` replace only files that wa-bulk itself wrote, which it
//! recognises by their first line. One run holds a report at a time, through
//! an advisory lock that the operating system drops when its process dies,
//! so a crashed run never blocks the next one.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use super::files::open_no_follow;
use super::journal::JournalHeader;
use super::{REPORT_COLUMNS, REPORT_COLUMNS_WITH_DESTINATION, Record, ReportError, csv_line};

/// Claims a report for one run: refuses paths that would be the input,
/// then takes the report's lock. Nothing is read or sent before this.
pub fn claim(input: Option<&Path>, report: &Path) -> Result<RunLock, ReportError> {
    let journal = super::journal_path(report);
    let (lock, temporary) = (lock_path(report), super::temporary_path(report));
    let previous = super::previous_path(report);
    refuse_the_input(input, &[report, &journal, &lock, &temporary, &previous])?;
    RunLock::acquire(report)
}

/// Refuses any of `outputs` that is the input file (`None` reads stdin).
pub fn refuse_the_input(input: Option<&Path>, outputs: &[&Path]) -> Result<(), ReportError> {
    let Some(input) = input else { return Ok(()) };
    let Ok(input_meta) = std::fs::metadata(input) else { return Ok(()) };
    let input_real = std::fs::canonicalize(input).ok();
    for output in outputs {
        let same = match std::fs::metadata(output) {
            Ok(meta) => same_file(&input_meta, &meta),
            // Not there yet: it is the input only if it names the same place.
            Err(_) => input_real.is_some() && resolved(output) == input_real,
        };
        if same {
            return Err(ReportError::IsTheInput {
                path: output.display().to_string(),
                input: input.display().to_string(),
            });
        }
    }
    Ok(())
}

/// A path that may not exist yet, with its folder's links resolved.
fn resolved(path: &Path) -> Option<PathBuf> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(path.file_name()?))
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok() && a.created().ok() == b.created().ok()
}

/// Whether the file at `path` is a report or journal that wa-bulk wrote,
/// judged by its first line (a CSV report's header, a JSON record, a
/// journal's header).
pub fn written_by_wa_bulk(path: &Path) -> Result<bool, ReportError> {
    let file = open_no_follow(path, OpenOptions::new().read(true))?;
    let mut first = Vec::new();
    // A first line longer than any record wa-bulk writes is not one of ours.
    BufReader::new(file).take(1 << 20).read_until(b'\n', &mut first).map_err(ReportError::reading(path))?;
    if first.starts_with(b"PK\x03\x04") {
        return Ok(super::workbook::is_ours(path));
    }
    if first == csv_line(&REPORT_COLUMNS) || first == csv_line(&REPORT_COLUMNS_WITH_DESTINATION) {
        return Ok(true);
    }
    let line = first.strip_suffix(b"\n").unwrap_or(&first);
    if line == b"[" {
        // A JSON array report: `[` alone, then one record a line.
        return Ok(true);
    }
    Ok(serde_json::from_slice::<Record<'_>>(line).is_ok()
        || serde_json::from_slice::<JournalHeader>(line).is_ok())
}

/// Removes a report or journal of an earlier run, only if wa-bulk wrote it.
pub fn remove_ours(path: &Path) -> Result<(), ReportError> {
    match std::fs::symlink_metadata(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(ReportError::io(path, "read", source)),
        Ok(_) => {}
    }
    if !written_by_wa_bulk(path)? {
        return Err(ReportError::NotOurs { path: path.display().to_string() });
    }
    std::fs::remove_file(path).map_err(|source| ReportError::io(path, "remove", source))
}

/// Where the lock of a report lives: beside it.
pub fn lock_path(report: &Path) -> PathBuf {
    super::sibling(report, ".lock")
}

/// One run's hold on a report. The lock file names the process; it is
/// removed when the run ends, and the operating system releases the lock
/// itself if the process dies.
#[derive(Debug)]
pub struct RunLock {
    path: PathBuf,
    file: File,
}

impl RunLock {
    /// Takes the report's lock, or says which process holds it.
    pub fn acquire(report: &Path) -> Result<RunLock, ReportError> {
        let path = lock_path(report);
        loop {
            let mut options = OpenOptions::new();
            let mut file = open_no_follow(&path, options.read(true).write(true).create(true))?;
            if let Err(error) = file.try_lock() {
                return match error {
                    std::fs::TryLockError::WouldBlock => {
                        let mut holder = String::new();
                        // The holder may be writing its number right now.
                        let _ = file.read_to_string(&mut holder);
                        let holder = holder.trim();
                        Err(ReportError::Busy {
                            report: report.display().to_string(),
                            holder: if holder.is_empty() {
                                String::new()
                            } else {
                                format!(" (process {holder})")
                            },
                        })
                    }
                    std::fs::TryLockError::Error(source) => Err(ReportError::io(&path, "lock", source)),
                };
            }
            // A run that just finished may have removed the file we opened:
            // the lock counts only while the path still names our file.
            let ours = match (file.metadata(), std::fs::symlink_metadata(&path)) {
                (Ok(held), Ok(named)) => same_file(&held, &named),
                _ => false,
            };
            if !ours {
                continue;
            }
            file.set_len(0)
                .and_then(|()| write!(file, "{}", std::process::id()))
                .map_err(ReportError::writing(&path))?;
            return Ok(RunLock { path, file });
        }
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Removed while still held, so no other run can take a lock on a
        // file that is about to disappear and believe it holds the report.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_report_is_refused_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("r.csv");
        let held = RunLock::acquire(&report).unwrap();
        let refused = RunLock::acquire(&report).unwrap_err().to_string();
        assert!(refused.contains(&format!("process {}", std::process::id())), "{refused}");
        drop(held);
        assert!(!lock_path(&report).exists(), "the lock file goes with the run");
        RunLock::acquire(&report).unwrap();
    }

    #[test]
    fn only_files_wa_bulk_wrote_are_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let csv = write("a.csv", &format!("{}\n1,x,valid,,,0,,\n", REPORT_COLUMNS.join(",")));
        assert!(written_by_wa_bulk(&csv).unwrap());
        let sheet = write("b.csv", "WorkloadName,Description\nx,y\n");
        assert!(!written_by_wa_bulk(&sheet).unwrap());
        assert!(matches!(remove_ours(&sheet), Err(ReportError::NotOurs { .. })));
        assert!(sheet.exists());
        remove_ours(&csv).unwrap();
        assert!(!csv.exists());
        let empty = write("c.jsonl", "");
        assert!(!written_by_wa_bulk(&empty).unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn links_to_the_input_are_the_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "x").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        let hard = dir.path().join("hard.csv");
        std::fs::hard_link(&input, &hard).unwrap();
        let dotted = dir.path().join(".").join("in.csv");
        for output in [&input, &link, &hard, &dotted] {
            assert!(refuse_the_input(Some(&input), &[output]).is_err(), "{}", output.display());
        }
        assert!(refuse_the_input(Some(&input), &[&dir.path().join("other.csv")]).is_ok());
        assert!(matches!(
            open_no_follow(&link, OpenOptions::new().read(true)),
            Err(ReportError::Link { .. })
        ));
    }
}
