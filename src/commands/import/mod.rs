//! `wa-bulk import`: validate every row, send the valid ones, report each.
//!
//! Rows are validated first (in parallel, as `validate` does); invalid rows
//! are never sent. With `--resume`, rows an earlier run of the same report
//! left `created`, `exists`, `updated` or `unchanged` are carried over and
//! not sent again ([`earlier`]). The rest go through the fleet, a
//! [`SendRows`] job a lane. Every outcome is appended to a journal beside
//! the report as soon as it is known; the report itself is written at the
//! end, in input order, under a temporary name and renamed into place, and
//! then the journal goes. A crash leaves the journal for `--resume` to read.

mod earlier;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::print_line;
use super::progress::{self, Progress};
use super::rows::{Rows, placed, read_rows};
use super::saved_plan::SavedPlan;
use super::summary::{LaneLine, RowNote, Summary, Traffic, parameters, stop_of};
use crate::RunError;
use crate::destination::Destination;
use crate::input::InputOptions;
use crate::problem::quoted;
use crate::report::failures;
use crate::report::guard::claim;
use crate::report::identity::InputIdentity;
use crate::report::journal::Journal;
use crate::report::workbook::{self, RunFacts};
use crate::report::{self, Counts, Format, Record, ReportError, Status, create_sink};
use crate::service::{FleetConfig, Job, LaneOutcome, Service, Session};
use crate::stderr;
use crate::submit::places::{Group, group};
use crate::submit::references::{self, ReferenceColumns};
use crate::submit::{Lane, Outcomes, Stale, StopReason, SubmitConfig, ValidRow, apply, submit};
use earlier::{Earlier, earlier_outcomes, refuse_moved_rows, row_key};

#[derive(Debug, Clone)]
pub struct ImportConfig {
    pub input: InputOptions,
    pub report: PathBuf,
    pub format: Format,
    pub service: Service,
    pub submit: SubmitConfig,
    /// Carry over rows an earlier run finished.
    pub resume: bool,
    /// Start over even though a report or journal exists.
    pub force: bool,
    /// Show progress: a bar on a terminal, else a line this often.
    pub progress: Option<Duration>,
    /// A plan `plan --out` saved, to apply exactly.
    pub plan: Option<PathBuf>,
    /// Where to write the invalid and failed rows with their own columns.
    pub failures: Option<PathBuf>,
    /// How to reach other accounts, and how many lanes at once.
    pub fleet: FleetConfig,
}

/// `--dry-run`: prints the CreateWorkload request of each valid row, one JSON
/// object a line, and sends nothing.
pub fn dry_run(config: &ImportConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    let rows = read_rows(&config.input)?;
    let mut summary = Summary::new("import", &[Status::Valid, Status::Invalid], None, rows.warnings);
    for row in &rows.valid {
        let mut request = row.request.clone();
        request.client_request_token = Some(row.token.clone().into());
        print_line(&serde_json::json!({"row": row.row, "CreateWorkload": request}).to_string());
        summary.counts.add(Status::Valid);
    }
    for _ in rows.invalid {
        summary.counts.add(Status::Invalid);
    }
    rows.problems.into_iter().for_each(|problem| summary.problem(problem));
    summary.elapsed = started.elapsed();
    Ok(summary)
}

pub fn run(config: &ImportConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    let mut session = Session::open(&config.service, &config.fleet)?;
    let _lock = claim(config.input.file(), &config.report)?;
    let Prepared { config, identity, journal, earlier, mut rows, mut facts } = prepare(config)?;
    let valid = std::mem::take(&mut rows.valid);
    let sent = send(&config, &mut session, (valid, &rows), &earlier.done, (&journal, &identity));
    if let Err(RunError::StalePlan { .. }) = &sent {
        // Nothing was sent: the journal holds its header only.
        let _ = std::fs::remove_file(&journal);
    }
    let sent = sent?;
    facts.destinations = rows.destinations;
    facts.parameters = parameters(lanes_shown(&sent.lanes), &config.submit, Some(&sent.traffic));
    let (records, mut summary) = summarize(&config, rows, earlier.warnings, sent);
    summary.stopped = summary.stopped.or(session.interrupted());
    // Requests went out: from here on, a failure keeps the journal for
    // `--resume` and says so with an exit code of its own.
    write_report(&config.report, config.format, facts, &records)
        .map_err(|source| RunError::ReportNotWritten { source, journal: journal.display().to_string() })?;
    // A stopped run's journal stays: the same command continues it.
    if summary.stopped.is_none()
        && let Err(error) = std::fs::remove_file(&journal)
    {
        summary.warnings.push(format!("{}: cannot remove the journal: {error}", journal.display()));
    }
    write_failures(&config, &identity, &records, &mut summary);
    // A signal that came while the report was written still says how the run ended.
    summary.stopped = summary.stopped.or(session.interrupted());
    session.close();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Every row's record, in order, and the summary they make: this run's
/// outcomes counted, the rows carried over counted apart.
fn summarize(
    config: &ImportConfig,
    rows: Rows,
    earlier: Vec<String>,
    Sent { records: sent, carried, lanes, traffic }: Sent,
) -> (Vec<Record<'static>>, Summary) {
    let Rows { invalid, row_warnings, problems, mut warnings, .. } = rows;
    warnings.extend(earlier);
    let mut summary = Summary::new("import", &[Status::Created], Some(config.report.clone()), warnings);
    summary.carried = carried.len() as u64;
    problems.into_iter().for_each(|problem| summary.problem(problem));
    // A row found invalid where it goes tells its problems as `validate`'s
    // do; a valid row's warnings stay with its outcome, as in `validate`'s report.
    let sent = sent.into_iter().map(|mut record| {
        record.problems.iter().for_each(|problem| summary.problem(RowNote::from(problem)));
        if let Some(warnings) = row_warnings.get(&record.row) {
            record.problems.extend(warnings.iter().cloned());
        }
        record
    });
    let outcomes: Vec<Record<'static>> = invalid.into_iter().chain(sent).collect();
    for record in &outcomes {
        summary.counts.add(record.status);
        if record.status == Status::Failed {
            summary.problem(RowNote::failed(record));
        }
    }
    summary.lanes = lane_lines(&lanes, &outcomes, &config.submit);
    summary.stopped = stop_of(&summary.lanes);
    summary.traffic = Some(traffic);
    let mut records: Vec<Record<'static>> = outcomes.into_iter().chain(carried).collect();
    records.sort_by(|a, b| (a.row, &a.account, &a.region).cmp(&(b.row, &b.account, &b.region)));
    (records, summary)
}

/// What an import knows before it sends: the config to follow (a saved
/// plan's policy, when it applies one), the input's identity, the
/// journal's path, what an earlier run left, and the rows.
struct Prepared {
    config: ImportConfig,
    identity: InputIdentity,
    journal: PathBuf,
    earlier: Earlier,
    rows: Rows,
    /// What the results workbook's Summary says of the run.
    facts: RunFacts,
}

/// Everything an import checks before it sends anything: the failures
/// file's path, a saved plan against the sheet, an earlier run's report,
/// the rows, and that the report can hold them.
fn prepare(config: &ImportConfig) -> Result<Prepared, RunError> {
    if let Some(path) = &config.failures {
        failures::check_path(&config.input, path)?;
    }
    let identity = InputIdentity::of_input(&config.input)?;
    let facts = RunFacts::new("import", &config.input, Some(identity.clone()));
    // A saved plan is checked against the same hash the journal keeps,
    // before an earlier report is touched.
    let config = match &config.plan {
        Some(path) => following(config, path, &identity)?,
        None => config.clone(),
    };
    let journal = report::journal_path(&config.report);
    let earlier = earlier_outcomes(&config, &journal, &identity)?;
    let rows = read_rows(&config.input)?;
    refuse_moved_rows(&config.report, &earlier.done, &rows.invalid, &rows.valid)?;
    let reported = rows.reported(&config.input.fan_out);
    if config.format == Format::Xlsx && reported >= workbook::MAX_ROWS as usize {
        return Err(RunError::Usage(format!(
            "{}: an xlsx report holds at most {} rows and the input has {reported}: use a .csv or .jsonl --report",
            config.report.display(),
            workbook::MAX_ROWS - 1,
        )));
    }
    if rows.destinations && config.plan.is_some() {
        return Err(RunError::Usage(
            "--plan does not take rows that name where they go (Target columns or --regions) yet".into(),
        ));
    }
    Ok(Prepared { config, identity, journal, earlier, rows, facts })
}

/// Where the run sent, as the results workbook's Summary names it.
fn lanes_shown(lanes: &[LaneOutcome<Result<(), Stale>>]) -> String {
    match lanes {
        [one] => one.lane.as_ref().map_or_else(String::new, |lane| lane.destination().to_owned()),
        many => format!("{} lanes", many.len()),
    }
}

/// Writes `--failures`, if asked. Every outcome is in the report by now: a
/// failures file that cannot be written is worth a warning, not the run's
/// exit code.
fn write_failures(
    config: &ImportConfig,
    identity: &InputIdentity,
    records: &[Record<'static>],
    summary: &mut Summary,
) {
    if let Some(path) = &config.failures {
        let failed = failures::by_row(records);
        if let Err(error) = failures::write(&config.input, Some(identity), path, &failed) {
            summary.warnings.push(format!("{}: not written: {error}", path.display()));
        }
    }
}

/// What each lane did, with its rows' counts, for the summary. The
/// records are counted once, by place; each lane takes its place's counts.
fn lane_lines(
    lanes: &[LaneOutcome<Result<(), Stale>>],
    records: &[Record<'static>],
    config: &SubmitConfig,
) -> Vec<LaneLine> {
    let mut by_place: HashMap<(Option<&str>, Option<&str>), Counts> = HashMap::new();
    for record in records.iter().filter(|record| record.status != Status::Invalid) {
        let place = (record.account.as_deref(), record.region.as_deref());
        by_place.entry(place).or_default().add(record.status);
    }
    lanes
        .iter()
        .map(|outcome| {
            let counts = match &outcome.destination {
                Some(place) => by_place.get(&(place.account(), Some(place.region.as_str()))).cloned(),
                // The one lane of a run whose rows name no place has them all.
                None => by_place.remove(&(None, None)),
            };
            LaneLine {
                destination: outcome.destination.clone(),
                counts: counts.unwrap_or_default(),
                stopped: outcome.stopped.clone(),
                traffic: outcome.lane.as_ref().map(|lane| Traffic::of(lane, config)).unwrap_or_default(),
            }
        })
        .collect()
}

/// `config` following the saved plan at `path`: its policy, and its
/// fingerprints to hold the service to; refused if the sheet is another.
fn following(config: &ImportConfig, path: &Path, sheet: &InputIdentity) -> Result<ImportConfig, RunError> {
    let plan = SavedPlan::read(path).map_err(RunError::Usage)?;
    plan.check_sheet(sheet, &config.input.path, path)?;
    let policy = plan.policy();
    let submit = SubmitConfig {
        on_existing: policy.on_existing,
        prune: policy.prune,
        expected: Some(Arc::new(plan.expected())),
        ..config.submit.clone()
    };
    Ok(ImportConfig { submit, ..config.clone() })
}

/// What sending left.
struct Sent {
    records: Vec<Record<'static>>,
    /// The outcomes of rows an earlier run finished, carried over.
    carried: Vec<Record<'static>>,
    lanes: Vec<LaneOutcome<Result<(), Stale>>>,
    /// Every lane's requests together.
    traffic: Traffic,
}

/// Sends the valid rows (taken out of `rows`) through a lane each place
/// they go, but those an earlier run finished. Each outcome is journaled and shown as it comes,
/// by one thread that drains the channel outcomes leave the senders by, so
/// no file is written on an async worker.
fn send(
    config: &ImportConfig,
    session: &mut Session,
    (valid, rows): (Vec<ValidRow>, &Rows),
    done: &earlier::Done,
    (journal, identity): (&Path, &InputIdentity),
) -> Result<Sent, RunError> {
    let valid = placed(session, valid, &config.input.fan_out, rows.destinations)?;
    let (carried, to_send): (Vec<ValidRow>, Vec<ValidRow>) =
        valid.into_iter().partition(|row| done.contains_key(&row_key(row)));
    let carried: Vec<Record<'static>> =
        carried.iter().map(|row| carried_over(&done[&row_key(row)])).collect();
    let journal = Journal::open(journal, identity)?;
    // Progress counts every row the summary counts, those already known too.
    let known = (rows.invalid.len() + carried.len()) as u64;
    let total = known + to_send.len() as u64;
    let groups = group(to_send);
    let board = session.board(groups.len());
    let (outcomes, received) = std::sync::mpsc::channel();
    let progress = Progress::new(config.progress, total, board.clone()).with_done(known);
    let recorder = std::thread::spawn(move || record_outcomes(received, journal, progress));
    let jobs = groups.into_iter().map(|group| SendRows {
        group,
        config: config.submit.clone(),
        outcomes: outcomes.clone(),
        references: rows.references.clone(),
    });
    let lanes = session.run(jobs.collect(), &config.submit);
    drop(outcomes);
    // The senders are gone (sent or not), so the recorder ends.
    let records = recorder.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let lanes = lanes?;
    if let Some(Err(Stale(rows))) = lanes.iter().map(|lane| &lane.output).find(|output| output.is_err()) {
        let shown: Vec<String> =
            rows.iter().take(5).map(|(row, name)| format!("row {row} {}", quoted(name))).collect();
        let more = if rows.len() > 5 { format!(" and {} more", rows.len() - 5) } else { String::new() };
        return Err(RunError::StalePlan { rows: format!("{}{more}", shown.join(", ")) });
    }
    let traffic = Traffic::of_all(lanes.iter().filter_map(|lane| lane.lane.as_deref()), &config.submit);
    Ok(Sent { records, carried, lanes, traffic })
}

/// How a carried row's message begins.
const CARRIED: &str = "carried over:";

/// An earlier run's outcome of a row, carried over: no request of this
/// run went for it.
fn carried_over(earlier: &Record<'static>) -> Record<'static> {
    let mut record = earlier.clone();
    record.attempts = 0;
    if !earlier.message.starts_with(CARRIED) {
        let what = format!("{CARRIED} {} by an earlier run", earlier.status.as_str());
        record.message =
            if earlier.message.is_empty() { what } else { format!("{what}; {}", earlier.message) };
    }
    record
}

/// Import's job on a lane: check what the group's rows name, then send
/// the rows that pass, each outcome down one channel; or, for a saved plan
/// that no longer holds, nothing.
struct SendRows {
    group: Group,
    config: SubmitConfig,
    outcomes: Outcomes,
    references: Arc<ReferenceColumns>,
}

impl Job for SendRows {
    type Output = Result<(), Stale>;

    fn destination(&self) -> Option<&Destination> {
        self.group.destination.as_ref()
    }

    async fn run(self, lane: Arc<Lane>) -> Result<(), Stale> {
        let mut problems = references::check(&lane, &self.group.rows, &self.references).await;
        let (refused, rows): (Vec<ValidRow>, Vec<ValidRow>) =
            self.group.rows.into_iter().partition(|row| problems.contains_key(&row.row));
        for row in refused {
            let found = problems.remove(&row.row).unwrap_or_default();
            let _ = self.outcomes.send(apply::invalid(&row, found));
        }
        submit(lane, rows, &self.config, self.outcomes).await
    }

    fn unreachable(self, why: String) -> Result<(), Stale> {
        for row in &self.group.rows {
            let _ = self.outcomes.send(apply::refused(row, "NoRoleForAccount", &why));
        }
        Ok(())
    }

    fn not_started(self, reason: StopReason) -> Result<(), Stale> {
        for row in &self.group.rows {
            let _ = self.outcomes.send(apply::skipped(row, 0, &reason));
        }
        Ok(())
    }
}

/// Journals, counts and shows each outcome as it comes; all of them, once
/// the senders are done.
fn record_outcomes(
    received: Receiver<Record<'static>>,
    mut journal: Journal,
    mut progress: Progress,
) -> Vec<Record<'static>> {
    let (mut records, mut counts) = (Vec::new(), Counts::default());
    loop {
        match received.recv_timeout(progress::TICK) {
            Ok(record) => {
                if let Err(error) = journal.append(&record) {
                    stderr::error(&format!("cannot append to the journal: {error}"));
                }
                counts.add(record.status);
                progress.row_done(&counts);
                records.push(record);
            }
            Err(RecvTimeoutError::Timeout) => progress.tick(&counts),
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    progress.finish();
    records
}

fn write_report(
    path: &Path,
    format: Format,
    facts: RunFacts,
    records: &[Record<'static>],
) -> Result<(), ReportError> {
    let mut sink = create_sink(path, format, facts)?;
    records.iter().try_for_each(|record| sink.write(record))?;
    sink.finish().map(drop)
}
