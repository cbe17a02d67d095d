//! The journal of `answers import`: a JSON line for each item the service
//! took (an answer, a review's notes, a lens associated), handed to the
//! operating system as it is known, so a run stopped any way — a signal, a
//! fault, `kill -9` — loses none. It lives beside the report (or, with no
//! `--report`, beside the sheet as `<FILE>.answers.journal`), starts with the
//! sheet's identity as the import's journal does, and goes when a run
//! finishes. The same command after a stopped run continues it (the same
//! sheet's bytes; `--resume` for a sheet edited since): items the journal
//! holds are reported `updated`, carried over, and not sent again, whatever
//! the service holds now; `--force` starts over.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::decide::Decided;
use crate::RunError;
use crate::destination::Destination;
use crate::report::guard::{RunLock, remove_ours};
use crate::report::identity::InputIdentity;
use crate::report::journal::{self, Journal};
use crate::report::{ReportError, sibling};

/// What a carried item says in the report.
pub const CARRIED: &str = "carried over: updated by an earlier run";

/// One item the service took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub account: String,
    pub region: String,
    /// The workload's id or the template's ARN.
    pub target: String,
    pub lens: String,
    /// The question's id, `notes` or `lens`.
    pub item: String,
    /// What changed, as the plan showed it.
    pub shown: Vec<String>,
}

/// An item's place: lane, target, lens and item.
type Key = (String, String, String, String, String);

impl Entry {
    pub fn of(destination: Option<&Destination>, item: &Decided, shown: &[String]) -> Entry {
        let account = destination.and_then(Destination::account).unwrap_or_default().to_owned();
        let region = destination.map(|destination| destination.region.clone()).unwrap_or_default();
        Entry {
            account,
            region,
            target: item.workload_id().to_owned(),
            lens: item.lens.clone(),
            item: item.label().to_owned(),
            shown: shown.to_vec(),
        }
    }

    fn key(self) -> Key {
        (self.account, self.region, self.target, self.lens, self.item)
    }
}

/// The journal of this run, open for appending.
pub struct AnswersJournal {
    path: PathBuf,
    journal: Mutex<Journal>,
    /// One run at a time appends to it.
    _lock: RunLock,
}

/// The items an earlier, stopped run of the same command finished.
#[derive(Debug, Default)]
pub struct Done {
    keys: HashSet<Key>,
    /// That the run continues an earlier one; a torn tail dropped.
    pub warnings: Vec<String>,
}

impl Done {
    /// Whether the earlier run finished this item in this lane.
    pub fn holds(&self, destination: Option<&Destination>, item: &Decided) -> bool {
        !self.keys.is_empty() && self.keys.contains(&Entry::of(destination, item, &[]).key())
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Where the journal lives: beside the report, or beside the sheet; none
/// for a sheet read from stdin with no report.
pub fn path_for(report: Option<&Path>, input: Option<&Path>) -> Option<PathBuf> {
    match (report, input) {
        (Some(report), _) => Some(crate::report::journal_path(report)),
        (None, Some(input)) => Some(sibling(input, ".answers.journal")),
        (None, None) => None,
    }
}

impl AnswersJournal {
    /// Takes the journal for this run: what an earlier run left is carried
    /// over (the same sheet, or `resume`), refused (another sheet), or
    /// with `force` removed.
    pub fn open(
        path: &Path,
        identity: &InputIdentity,
        resume: bool,
        force: bool,
    ) -> Result<(AnswersJournal, Done), RunError> {
        let lock = RunLock::acquire(path)?;
        let mut done = Done::default();
        if force {
            remove_ours(path)?;
        } else if std::fs::symlink_metadata(path).is_ok() {
            done = earlier(path, identity, resume)?;
        }
        let journal = Mutex::new(Journal::open(path, identity)?);
        Ok((AnswersJournal { path: path.to_owned(), journal, _lock: lock }, done))
    }

    /// Appends an item the service took.
    pub fn record(&self, entry: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).expect("an entry always serialises");
        line.push(b'\n');
        self.journal.lock().unwrap_or_else(PoisonError::into_inner).append_line(&line)
    }

    /// A finished run needs it no more.
    pub fn remove(self) -> Result<(), ReportError> {
        let AnswersJournal { path, journal, _lock } = self;
        drop(journal);
        std::fs::remove_file(&path).map_err(|source| ReportError::io(&path, "remove", source))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The items of the journal a stopped run left, when this run continues
/// it: the same sheet's bytes, or any sheet with `resume`.
fn earlier(path: &Path, identity: &InputIdentity, resume: bool) -> Result<Done, RunError> {
    let written = journal::written_for(path)?;
    let same = written.is_some_and(|written| written.sha256.is_some() && written.sha256 == identity.sha256);
    if !same && !resume {
        return Err(RunError::UnfinishedRun { journal: path.display().to_string() });
    }
    let recovered = journal::recover::<Entry>(path, identity)?;
    let mut done = Done { keys: HashSet::new(), warnings: recovered.warnings };
    done.warnings.insert(
        0,
        format!(
            "continuing the run {} left unfinished: items it updated are not sent again; --force starts over",
            path.display()
        ),
    );
    done.keys.extend(recovered.records.into_iter().map(Entry::key));
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(item: &str) -> Entry {
        Entry {
            account: String::new(),
            region: "eu-west-1".into(),
            target: "w1".into(),
            lens: "wellarchitected".into(),
            item: item.into(),
            shown: vec!["+ a".into()],
        }
    }

    #[test]
    fn a_stopped_run_is_continued_on_the_same_sheet_and_refused_on_another() {
        let dir = tempfile::tempdir().unwrap();
        let (sheet, path) = (dir.path().join("a.csv"), dir.path().join("a.csv.answers.journal"));
        std::fs::write(&sheet, "x\n").unwrap();
        let identity = InputIdentity::of(Some(&sheet)).unwrap();
        let (journal, done) = AnswersJournal::open(&path, &identity, false, false).unwrap();
        assert!(done.is_empty());
        journal.record(&entry("q1")).unwrap();
        drop(journal);

        let (journal, done) = AnswersJournal::open(&path, &identity, false, false).unwrap();
        assert_eq!(done.len(), 1);
        assert!(done.keys.contains(&entry("q1").key()));
        assert!(done.warnings[0].contains("continuing"), "{:?}", done.warnings);
        drop(journal);

        std::fs::write(&sheet, "y\n").unwrap();
        let edited = InputIdentity::of(Some(&sheet)).unwrap();
        let refused = AnswersJournal::open(&path, &edited, false, false).err().expect("another sheet");
        assert!(matches!(refused, RunError::UnfinishedRun { .. }), "{refused}");
        let (_, done) = AnswersJournal::open(&path, &edited, true, false).unwrap();
        assert_eq!(done.len(), 1, "--resume carries it over all the same");
        let (journal, done) = AnswersJournal::open(&path, &edited, false, true).unwrap();
        assert!(done.is_empty(), "--force starts over");
        journal.remove().unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn the_journal_goes_beside_the_report_or_the_sheet() {
        let (report, sheet) = (Path::new("out/r.csv"), Path::new("in/a.xlsx"));
        assert_eq!(path_for(Some(report), Some(sheet)).unwrap(), Path::new("out/r.csv.journal"));
        assert_eq!(path_for(None, Some(sheet)).unwrap(), Path::new("in/a.xlsx.answers.journal"));
        assert_eq!(path_for(None, None), None);
    }
}
