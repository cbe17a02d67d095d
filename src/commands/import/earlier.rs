//! What an earlier run of the same report left, for `--resume`: the rows it
//! finished (from its report and, newer, its journal), which are carried
//! over and not sent again. Without `--resume`, an earlier run's report is
//! refused unless `--force` says to start over; a `validate` report, which
//! holds verdicts only, is replaced. Rows that moved since (another name
//! at a finished row's number) refuse the resume.

use std::collections::HashMap;
use std::path::Path;

use super::ImportConfig;
use crate::RunError;
use crate::destination::Destination;
use crate::model::name_key;
use crate::problem::quoted;
use crate::report::guard::remove_ours;
use crate::report::identity::InputIdentity;
use crate::report::{self, Record, ReportError, Status, journal};
use crate::submit::ValidRow;

/// Rows an earlier run finished, by row, account, Region and name key.
pub(super) type Done = HashMap<DoneKey, Record<'static>>;
type DoneKey = (u64, Option<String>, Option<String>, Box<str>);

fn record_key(record: &Record<'_>) -> DoneKey {
    (record.row, record.account.clone(), record.region.clone(), name_key(&record.workload_name))
}

pub(super) fn row_key(row: &ValidRow) -> DoneKey {
    let destination = row.destination.as_ref();
    let account = destination.and_then(Destination::account).map(str::to_owned);
    let region = destination.map(|destination| destination.region.clone());
    (row.row, account, region, name_key(row.request.name()))
}

/// What an earlier run of the same report left.
#[derive(Default)]
pub(super) struct Earlier {
    pub(super) done: Done,
    /// A journal's torn tail, say.
    pub(super) warnings: Vec<String>,
}

/// With `--resume`, the done rows of the earlier report and journal;
/// otherwise nothing, and an earlier report is refused unless `--force` says
/// to start over (and then removed, if wa-bulk wrote it).
pub(super) fn earlier_outcomes(
    config: &ImportConfig,
    journal: &Path,
    identity: &InputIdentity,
) -> Result<Earlier, RunError> {
    let report = config.report.as_path();
    let found: Vec<&Path> =
        [report, journal].into_iter().filter(|path| std::fs::symlink_metadata(path).is_ok()).collect();
    if !config.resume {
        // A `validate` report holds verdicts only, no outcome to lose.
        let verdicts_only = found == [report] && verdicts_only(report);
        if let Some(path) = found.first().filter(|_| !config.force && !verdicts_only) {
            return Err(RunError::ReportExists { path: path.display().to_string() });
        }
        for path in found {
            remove_ours(path)?;
        }
        return Ok(Earlier::default());
    }
    let mut earlier = Earlier::default();
    let mut add = |records: Vec<Record<'static>>| {
        for record in records.into_iter().filter(|record| record.status.is_done()) {
            earlier.done.insert(record_key(&record), record);
        }
    };
    if found.contains(&report) {
        add(report::read_records(report)?);
    }
    // The journal is newer than the report: its records win.
    if found.contains(&journal) {
        let recovered = journal::recover(journal, identity)?;
        add(recovered.records);
        earlier.warnings = recovered.warnings;
    }
    Ok(earlier)
}

/// Whether the report is one `validate` wrote: every row `valid` or `invalid`.
fn verdicts_only(report: &Path) -> bool {
    report::read_records(report).is_ok_and(|records| {
        records.iter().all(|record| matches!(record.status, Status::Valid | Status::Invalid))
    })
}

/// Refuses to resume when a row an earlier run finished now holds another
/// workload's name: the input is another one, or rows were inserted or
/// removed above it, and row numbers no longer mean what they meant.
pub(super) fn refuse_moved_rows(
    report: &Path,
    done: &Done,
    invalid: &[Record<'static>],
    valid: &[ValidRow],
) -> Result<(), RunError> {
    if done.is_empty() {
        return Ok(());
    }
    let names: HashMap<u64, &str> = invalid
        .iter()
        .map(|record| (record.row, &*record.workload_name))
        .chain(valid.iter().map(|row| (row.row, row.request.name())))
        .collect();
    let mut moved: Vec<(u64, &str, &str)> = done
        .iter()
        .filter_map(|((row, _, _, key), record)| {
            let now = names.get(row)?;
            (name_key(now) != *key).then_some((*row, &*record.workload_name, *now))
        })
        .collect();
    if moved.is_empty() {
        return Ok(());
    }
    moved.sort_unstable();
    let shown: Vec<String> = moved
        .iter()
        .take(3)
        .map(|(row, then, now)| format!("row {row} was {} and is {} now", quoted(then), quoted(now)))
        .collect();
    let more = if moved.len() > 3 { format!(" (and {} more rows)", moved.len() - 3) } else { String::new() };
    Err(ReportError::OtherInput {
        path: report.display().to_string(),
        detail: format!("{}{more}", shown.join(", ")),
    }
    .into())
}
