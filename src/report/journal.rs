//! The journal: every outcome of an import (or another command's own
//! records), appended as a JSON line and
//! handed to the operating system as soon as it is known, so a crash loses
//! none that were reported. Its first line names the input it belongs to
//! (path and SHA-256), so `--resume` can tell when it is pointed at another
//! input. A crash can leave the last line cut short: reading the journal
//! back drops such a tail with a warning and cuts it off the file, so the
//! next record starts on a line of its own. Damage anywhere else is refused
//! with its line number, since wa-bulk itself never writes such a line.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::files::open_no_follow;
use super::identity::InputIdentity;
use super::{Record, ReportError, json_line};

/// The first line of a journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalHeader {
    /// The journal format's version.
    pub wa_bulk_journal: u32,
    #[serde(flatten)]
    pub identity: InputIdentity,
}

/// Outcomes appended as JSON lines.
pub struct Journal {
    file: File,
}

impl Journal {
    /// Opens the journal for appending; a new one starts with its header.
    pub fn open(path: &Path, identity: &InputIdentity) -> Result<Journal, ReportError> {
        let mut options = OpenOptions::new();
        let mut file = open_no_follow(path, options.create(true).append(true))?;
        let empty = file.metadata().map_err(ReportError::reading(path))?.len() == 0;
        if empty {
            let header = JournalHeader { wa_bulk_journal: 1, identity: identity.clone() };
            let mut line = serde_json::to_vec(&header).expect("a header always serialises");
            line.push(b'\n');
            file.write_all(&line).map_err(ReportError::writing(path))?;
        }
        Ok(Journal { file })
    }

    pub fn append(&mut self, record: &Record<'_>) -> std::io::Result<()> {
        self.append_line(&json_line(record))
    }

    /// Appends `line`, which ends with its line break.
    pub fn append_line(&mut self, line: &[u8]) -> std::io::Result<()> {
        // One write per line, so a line is never interleaved or half written
        // by wa-bulk; only a crash can cut one short.
        self.file.write_all(line)?;
        self.file.flush()
    }
}

/// What an earlier run's journal holds: records of `R` (an import's
/// [`Record`]s, or another command's own).
#[derive(Debug)]
pub struct Recovered<R = Record<'static>> {
    /// The input it was written for; none in a journal of an older version.
    pub header: Option<JournalHeader>,
    pub records: Vec<R>,
    /// A tail cut off, say.
    pub warnings: Vec<String>,
}

/// Reads back the journal of a run of `input` and cuts off a tail that a
/// crash left unfinished. A journal of another input (another path and
/// other bytes) is refused, and left as it is.
pub fn recover<R: DeserializeOwned>(path: &Path, input: &InputIdentity) -> Result<Recovered<R>, ReportError> {
    let mut file = open_no_follow(path, OpenOptions::new().read(true).write(true))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(ReportError::reading(path))?;
    let (recovered, good_end) = parse(path, &bytes)?;
    if let Some(JournalHeader { identity, .. }) = &recovered.header {
        let same_bytes = identity.sha256.is_some() && identity.sha256 == input.sha256;
        if !same_bytes && identity.input != input.input {
            let detail = format!("it was written for {}", identity.input);
            return Err(ReportError::OtherInput { path: path.display().to_string(), detail });
        }
    }
    if good_end < bytes.len() {
        file.set_len(good_end as u64).map_err(ReportError::writing(path))?;
    }
    Ok(recovered)
}

/// The input a journal was written for, from its first line; none for a
/// journal of an older version, or one whose first line does not read.
pub fn written_for(path: &Path) -> Result<Option<InputIdentity>, ReportError> {
    use std::io::BufRead;
    let file = open_no_follow(path, OpenOptions::new().read(true))?;
    let mut first = Vec::new();
    std::io::BufReader::new(file)
        .take(1 << 20)
        .read_until(b'\n', &mut first)
        .map_err(ReportError::reading(path))?;
    let line = first.strip_suffix(b"\n").unwrap_or(&first);
    Ok(serde_json::from_slice::<JournalHeader>(line).ok().map(|header| header.identity))
}

/// The journal's records, and the length of its good part.
fn parse<R: DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<(Recovered<R>, usize), ReportError> {
    let mut recovered = Recovered { header: None, records: Vec::new(), warnings: Vec::new() };
    // The first line that did not read, and why.
    let mut bad: Option<(usize, String)> = None;
    let mut good_end = 0;
    let mut start = 0;
    for (index, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let number = index + 1;
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let parsed = if index == 0 {
            match serde_json::from_slice::<JournalHeader>(text) {
                Ok(header) => {
                    recovered.header = Some(header);
                    Ok(None)
                }
                Err(_) => serde_json::from_slice::<R>(text).map(Some),
            }
        } else {
            serde_json::from_slice::<R>(text).map(Some)
        };
        let complete = line.ends_with(b"\n");
        match parsed {
            // A record after a bad line: the damage is not a crash's tail.
            Ok(_) if bad.is_some() => {
                let (line, detail) = bad.expect("checked");
                return Err(ReportError::Damaged { path: path.display().to_string(), line, detail });
            }
            Ok(record) => {
                recovered.records.extend(record);
                good_end = start + line.len();
                if !complete {
                    // A whole record that lost only its line break.
                    good_end = start;
                    recovered.records.pop();
                    bad = Some((number, "the line break is missing".into()));
                }
            }
            Err(error) => {
                bad.get_or_insert((number, error.to_string()));
            }
        }
        start += line.len();
    }
    if let Some((line, _)) = bad {
        recovered.warnings.push(format!(
            "{}: line {line} was cut short by an earlier crash and is dropped; its row, if any, is sent again",
            path.display()
        ));
    }
    Ok((recovered, good_end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;

    fn record(row: u64) -> Record<'static> {
        Record {
            row,
            workload_name: format!("w{row}").into(),
            account: None,
            region: None,
            status: Status::Created,
            workload_id: Some("id".into()),
            workload_arn: None,
            attempts: 1,
            error_code: None,
            message: "é".into(),
            problems: Vec::new(),
        }
    }

    fn journal_of(rows: &[u64]) -> Vec<u8> {
        let header = JournalHeader {
            wa_bulk_journal: 1,
            identity: InputIdentity { input: "/in.csv".into(), sha256: Some("ab".into()) },
        };
        let mut bytes = serde_json::to_vec(&header).unwrap();
        bytes.push(b'\n');
        for &row in rows {
            bytes.extend(json_line(&record(row)));
        }
        bytes
    }

    #[test]
    fn a_whole_journal_reads_back_with_its_header() {
        let bytes = journal_of(&[2, 3]);
        let (recovered, end) = parse::<Record<'static>>(Path::new("j"), &bytes).unwrap();
        assert_eq!(recovered.records, [record(2), record(3)]);
        assert_eq!(recovered.header.unwrap().identity.input, "/in.csv");
        assert_eq!(end, bytes.len());
        assert!(recovered.warnings.is_empty());
    }

    #[test]
    fn a_torn_tail_is_dropped_with_a_warning_naming_its_line_even_mid_character() {
        let whole = journal_of(&[2, 3]);
        let last = journal_of(&[2]).len();
        // Cut inside the two bytes of "é", and after the record's last byte.
        let cut_in_char = whole.iter().rposition(|&b| b == 0xc3).unwrap() + 1;
        for cut in [last + 5, cut_in_char, whole.len() - 1] {
            let (recovered, end) = parse::<Record<'static>>(Path::new("j"), &whole[..cut]).unwrap();
            assert_eq!(recovered.records, [record(2)], "cut at {cut}");
            assert_eq!(end, last);
            assert!(recovered.warnings[0].contains("line 3"), "{:?}", recovered.warnings);
        }
    }

    #[test]
    fn damage_before_a_good_line_is_refused_with_its_line_number() {
        let mut bytes = journal_of(&[2]);
        bytes.extend(b"{garbage\n");
        bytes.extend(json_line(&record(3)));
        let error = parse::<Record<'static>>(Path::new("j"), &bytes).unwrap_err();
        assert!(matches!(error, ReportError::Damaged { line: 3, .. }), "{error}");
    }

    /// A journal file of one record for `/in.csv`, then `tail`; and its bytes.
    fn torn_journal_file(tail: &[u8]) -> (tempfile::TempDir, std::path::PathBuf, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv.journal");
        let bytes = [journal_of(&[2]), tail.to_vec()].concat();
        std::fs::write(&path, &bytes).unwrap();
        (dir, path, bytes)
    }

    #[test]
    fn a_journal_of_another_input_is_refused_and_left_as_it_is() {
        let (_dir, path, bytes) = torn_journal_file(b"{\"row\":3");
        let other = InputIdentity { input: "/other.csv".into(), sha256: Some("cd".into()) };
        let error = recover::<Record<'static>>(&path, &other).unwrap_err().to_string();
        assert!(error.contains("it was written for /in.csv"), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "not even its tail is cut");
        let renamed = InputIdentity { input: "/moved.csv".into(), sha256: Some("ab".into()) };
        assert_eq!(
            recover::<Record<'static>>(&path, &renamed).unwrap().records,
            [record(2)],
            "the same bytes elsewhere"
        );
    }

    #[test]
    fn recovering_cuts_the_tail_off_the_file_so_the_next_record_starts_a_line() {
        let (_dir, path, _) = torn_journal_file(b"{\"row\":3,\"work");
        let identity = InputIdentity { input: "/in.csv".into(), sha256: None };
        assert_eq!(recover::<Record<'static>>(&path, &identity).unwrap().records.len(), 1);
        Journal::open(&path, &identity).unwrap().append(&record(4)).unwrap();
        let recovered = recover::<Record<'static>>(&path, &identity).unwrap();
        assert_eq!(recovered.records, [record(2), record(4)]);
        assert!(recovered.warnings.is_empty());
    }
}
