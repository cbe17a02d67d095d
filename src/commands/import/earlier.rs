//! What an earlier run of the same report left: the rows it finished (from
//! its report and, newer, its journal), which a continued run carries over
//! and does not send again. The same command line runs every night:
//! - after a finished run (no journal left), it runs afresh; the earlier
//!   report is kept beside the new one as `<name>.previous.<ext>`;
//! - after a stopped run (a signal, a run-wide fault, a crash: its journal
//!   is left), it continues that run when the input's bytes are the same,
//!   and says so; other bytes are refused (exit 2).
//!
//! `--resume` continues whatever the earlier run was; `--force` starts over,
//! removing what it left. Rows that moved since (another name at a finished
//! row's number) refuse a continued run.

use std::collections::HashMap;
use std::path::Path;

use super::ImportConfig;
use crate::RunError;
use crate::destination::Destination;
use crate::model::name_key;
use crate::problem::quoted;
use crate::report::guard::{remove_ours, written_by_wa_bulk};
use crate::report::identity::InputIdentity;
use crate::report::{self, Record, ReportError, journal};
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
    /// A journal's torn tail, say, or that the run continues an earlier one.
    pub(super) warnings: Vec<String>,
}

/// The done rows of the earlier run when this run continues it (`--resume`,
/// or a journal of the same input bytes); otherwise nothing, and what an
/// earlier run left is put aside (kept as the previous report, or with
/// `--force` removed; wa-bulk's own files only).
pub(super) fn earlier_outcomes(
    config: &ImportConfig,
    journal: &Path,
    identity: &InputIdentity,
) -> Result<Earlier, RunError> {
    let report = config.report.as_path();
    let there = |path: &Path| std::fs::symlink_metadata(path).is_ok();
    if config.force {
        remove_ours(report)?;
        remove_ours(journal)?;
        return Ok(Earlier::default());
    }
    let continues = !config.resume && there(journal) && same_input(journal, identity)?;
    if !config.resume && !continues {
        if there(report) {
            keep_as_previous(report)?;
        }
        return Ok(Earlier::default());
    }
    let mut earlier = Earlier::default();
    if continues {
        earlier.warnings.push(format!(
            "continuing the run {} left unfinished (same input): rows it finished are not sent again; \
             --force starts over",
            journal.display()
        ));
    }
    let mut add = |records: Vec<Record<'static>>| {
        for record in records.into_iter().filter(|record| record.status.is_done()) {
            earlier.done.insert(record_key(&record), record);
        }
    };
    if there(report) {
        add(report::read_records(report)?);
    }
    // The journal is newer than the report: its records win.
    if there(journal) {
        let recovered = journal::recover::<Record<'static>>(journal, identity)?;
        add(recovered.records);
        earlier.warnings.extend(recovered.warnings);
    }
    Ok(earlier)
}

/// Whether the journal an unfinished run left was written for these input
/// bytes; a journal of other bytes (or of a stream) is refused.
fn same_input(journal: &Path, identity: &InputIdentity) -> Result<bool, RunError> {
    match journal::written_for(journal)? {
        Some(written) if written.sha256.is_some() && written.sha256 == identity.sha256 => Ok(true),
        _ => Err(RunError::UnfinishedRun { journal: journal.display().to_string() }),
    }
}

/// Keeps the earlier report as the previous one, replacing an older
/// previous one; wa-bulk's own files only.
fn keep_as_previous(report: &Path) -> Result<(), RunError> {
    let previous = report::previous_path(report);
    if !written_by_wa_bulk(report)? {
        return Err(ReportError::NotOurs { path: report.display().to_string() }.into());
    }
    remove_ours(&previous)?;
    std::fs::rename(report, &previous).map_err(|source| ReportError::io(report, "rename", source))?;
    Ok(())
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
