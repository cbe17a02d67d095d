//! `wa-bulk import`: validate every row, send the valid ones, report each.
//!
//! Rows are validated first (in parallel, as `validate` does); invalid rows
//! are never sent. With `--resume`, rows an earlier run of the same report
//! left `created`, `exists`, `updated` or `unchanged` are carried over and
//! not sent again. Every outcome is appended to a journal beside the report
//! as soon as it is known; the report itself is written at the end, in input
//! order, under a temporary name and renamed into place, and then the journal
//! goes. A crash leaves the journal for `--resume` to read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use aws_types::SdkConfig;

use super::plan::SavedPlan;
use super::progress::{self, Progress};
use super::{LaneLine, RowNote, Summary, Traffic, print_line};
use crate::RunError;
use crate::destination::Destination;
use crate::emulator::{Emulator, EmulatorConfig, local_credentials};
use crate::input::{self, InputOptions};
use crate::model::name_key;
use crate::problem::{Problem, quoted};
use crate::report::failures;
use crate::report::guard::{claim, remove_ours};
use crate::report::journal::{self, InputIdentity, Journal};
use crate::report::workbook::{self, RunFacts};
use crate::report::{self, Counts, Format, Record, ReportError, Status, sink};
use crate::stderr;
use crate::submit::client::{AwsOptions, aws_config};
use crate::submit::fleet::{self, Board, FleetConfig, LaneOutcome};
use crate::submit::{Pending, Stale, SubmitConfig};
use crate::validate::{Checked, check_rows};

/// Where requests go.
#[derive(Debug, Clone)]
pub enum Service {
    /// The AWS API, through aws-config's default chain.
    Aws(AwsOptions),
    /// An emulator started in-process for this run.
    Local,
}

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

/// A row once validated: its verdict with its problems, or what to send and
/// its warnings.
enum Validated {
    Invalid(Record<'static>),
    Valid(Box<Pending>, Vec<Problem>),
}

/// The rows of the input, validated and split.
pub(super) struct Rows {
    pub(super) invalid: Vec<Record<'static>>,
    pub(super) valid: Vec<Pending>,
    /// The warnings of valid rows, by row, for their outcome's message.
    pub(super) row_warnings: HashMap<u64, Vec<Problem>>,
    /// Every problem of every row, in row order, as `validate` counts them.
    pub(super) problems: Vec<RowNote>,
    /// Warnings about the file (unknown columns, say).
    pub(super) warnings: Vec<String>,
    /// Rows name where they go (a Target cell, or `--regions`).
    pub(super) destinations: bool,
}

pub(super) fn read_rows(options: &InputOptions) -> Result<Rows, RunError> {
    let opened = input::open(options)?;
    let mut rows = Rows {
        invalid: Vec::new(),
        valid: Vec::new(),
        row_warnings: HashMap::new(),
        problems: Vec::new(),
        warnings: opened.warnings.clone(),
        destinations: !options.regions.is_empty(),
    };
    let verdict = |checked: Checked<'_>| {
        if checked.is_valid() {
            let request = checked.request.into_owned();
            let token = request.idempotency_token();
            let placement = checked.placement.into_owned();
            let row = Pending { row: checked.row, request, token, placement, destination: None };
            return Validated::Valid(Box::new(row), checked.problems);
        }
        Validated::Invalid(Record::verdict(&checked).into_owned())
    };
    check_rows(opened, verdict, |row| {
        match row {
            Validated::Invalid(record) => {
                rows.problems.extend(record.problems.iter().map(RowNote::from));
                rows.invalid.push(record);
            }
            Validated::Valid(row, warnings) => {
                if !warnings.is_empty() {
                    rows.problems.extend(warnings.iter().map(RowNote::from));
                    rows.row_warnings.insert(row.row, warnings);
                }
                rows.valid.push(*row);
            }
        }
        Ok(())
    })?;
    // Rows go to places of their own only when one names a place: a sheet
    // whose target columns are empty (the template's) goes where it always did.
    rows.destinations |=
        rows.valid.iter().any(|row| row.placement.account.is_some() || row.placement.region.is_some());
    Ok(rows)
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

/// The async runtime and, for AWS, a client whose configuration was
/// checked first: an incomplete one is one line before anything else.
pub(super) fn connect(service: &Service) -> Result<(tokio::runtime::Runtime, Option<SdkConfig>), RunError> {
    let runtime = tokio::runtime::Runtime::new().map_err(RunError::Runtime)?;
    let aws = match service {
        Service::Aws(options) => {
            Some(runtime.block_on(aws_config(options)).map_err(RunError::Configuration)?)
        }
        Service::Local => None,
    };
    Ok((runtime, aws))
}

pub fn run(config: &ImportConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    let (runtime, aws) = connect(&config.service)?;
    let _lock = claim(config.input.file(), &config.report)?;
    if let Some(path) = &config.failures {
        failures::check_path(&config.input, path)?;
    }
    let journal_path = report::journal_path(&config.report);
    let identity = InputIdentity::of_input(&config.input)?;
    let mut facts = RunFacts::new("import", &config.input, Some(identity.clone()));
    // A saved plan is checked against the same hash the journal keeps,
    // before an earlier report is touched.
    let planned;
    let config = match &config.plan {
        Some(path) => {
            planned = following(config, path, &identity)?;
            &planned
        }
        None => config,
    };
    let earlier = earlier_outcomes(config, &journal_path, &identity)?;
    let Rows { invalid, valid: pending, row_warnings, problems, mut warnings, destinations } =
        read_rows(&config.input)?;
    warnings.extend(earlier.warnings);
    refuse_moved_rows(&config.report, &earlier.done, &invalid, &pending)?;
    if config.format == Format::Xlsx && invalid.len() + pending.len() >= workbook::MAX_ROWS as usize {
        return Err(RunError::Usage(format!(
            "{}: an xlsx report holds at most {} rows and the input has {}: use a .csv or .jsonl --report",
            config.report.display(),
            workbook::MAX_ROWS - 1,
            invalid.len() + pending.len()
        )));
    }

    if destinations && config.plan.is_some() {
        return Err(RunError::Usage(
            "--plan does not take rows that name where they go (Target columns or --regions) yet".into(),
        ));
    }
    // For --local, the emulator starts now: nothing before needs it.
    let (base, emulator) = runtime.block_on(client_for(aws)).map_err(RunError::Runtime)?;
    let placing = fleet::placed(&base, pending, &config.input.regions, destinations);
    let (base_account, pending) = runtime.block_on(placing).map_err(RunError::Configuration)?;
    // Rows an earlier run finished are not sent again.
    let (carried, to_send): (Vec<Pending>, Vec<Pending>) =
        pending.into_iter().partition(|row| earlier.done.contains_key(&pending_key(row)));
    let carried = carried.iter().map(|row| earlier.done[&pending_key(row)].clone());
    let journal = Journal::open(&journal_path, &identity)?;
    let sent = send(config, &runtime, &base, base_account.as_deref(), to_send, journal);
    // Requests went out: the outcomes matter more than how the emulator ends.
    if let Some(Err(error)) = emulator.map(|emulator| runtime.block_on(emulator.stop())) {
        tracing::warn!(%error, "the built-in emulator did not stop cleanly");
    }
    if let Err(RunError::StalePlan { .. }) = &sent {
        // Nothing was sent: the journal holds its header only.
        let _ = std::fs::remove_file(&journal_path);
    }
    let Sent { records: sent, lanes, traffic } = sent?;
    let named = lanes
        .first()
        .and_then(|lane| lane.lane.as_ref())
        .map_or_else(String::new, |lane| lane.destination().to_owned());
    let shown = if lanes.len() > 1 { format!("{} lanes", lanes.len()) } else { named };
    facts.parameters = super::parameters(shown, &config.submit, Some(&traffic));
    facts.destinations = destinations;

    // A valid row's warnings stay with its outcome, as in `validate`'s report.
    let sent = sent.into_iter().map(|mut record| {
        if let Some(warnings) = row_warnings.get(&record.row) {
            record.problems = warnings.clone();
        }
        record
    });
    let mut records: Vec<Record<'static>> = invalid.into_iter().chain(carried).chain(sent).collect();
    records.sort_by(|a, b| (a.row, &a.account, &a.region).cmp(&(b.row, &b.account, &b.region)));
    let mut summary = Summary::new("import", &[Status::Created], Some(config.report.clone()), warnings);
    summary.lanes = lane_lines(&lanes, &records, &config.submit);
    summary.stopped = super::stop_of(&summary.lanes);
    summary.traffic = Some(traffic);
    problems.into_iter().for_each(|problem| summary.problem(problem));
    for record in &records {
        summary.counts.add(record.status);
        if record.status == Status::Failed {
            summary.problem(RowNote::failed(record));
        }
    }
    // Requests went out: from here on, a failure keeps the journal for
    // `--resume` and says so with an exit code of its own.
    write_report(&config.report, config.format, facts, &records).map_err(|source| {
        RunError::ReportNotWritten { source, journal: journal_path.display().to_string() }
    })?;
    if let Err(error) = std::fs::remove_file(&journal_path) {
        summary.warnings.push(format!("{}: cannot remove the journal: {error}", journal_path.display()));
    }
    // Every outcome is in the report by now: a failures file that cannot
    // be written is worth a warning, not the run's exit code.
    if let Some(path) = &config.failures {
        let failed = failures::by_row(&records);
        if let Err(error) = failures::write(&config.input, Some(&identity), path, &failed) {
            summary.warnings.push(format!("{}: not written: {error}", path.display()));
        }
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// What each lane did, with its rows' counts, for the summary. The
/// records are counted once, by place; each lane takes its place's counts.
fn lane_lines(lanes: &[LaneOutcome], records: &[Record<'static>], config: &SubmitConfig) -> Vec<LaneLine> {
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
    lanes: Vec<LaneOutcome>,
    /// Every lane's requests together.
    traffic: Traffic,
}

/// Sends `rows` through a lane each place they go. Each outcome is
/// journaled and shown as it comes, by one thread that drains the channel
/// outcomes leave the senders by, so no file is written on an async worker.
fn send(
    config: &ImportConfig,
    runtime: &tokio::runtime::Runtime,
    base: &SdkConfig,
    base_account: Option<&str>,
    rows: Vec<Pending>,
    journal: Journal,
) -> Result<Sent, RunError> {
    let total = rows.len() as u64;
    let groups = fleet::group(rows);
    let board = Arc::new(Board::new(groups.len()));
    let (outcomes, received) = std::sync::mpsc::channel();
    let progress = Progress::new(config.progress, total, board.clone());
    let recorder = std::thread::spawn(move || record_outcomes(received, journal, progress));
    let submitted = runtime.block_on(async {
        let interrupt = board.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                interrupt.interrupt();
            }
        });
        fleet::send_all(base, base_account, groups, &config.submit, &config.fleet, outcomes, board.clone())
            .await
    });
    // The senders are gone (sent or not), so the recorder ends.
    let records = recorder.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let lanes = match submitted {
        Ok(lanes) => lanes,
        Err(Stale(rows)) => {
            let shown: Vec<String> =
                rows.iter().take(5).map(|(row, name)| format!("row {row} {}", quoted(name))).collect();
            let more = if rows.len() > 5 { format!(" and {} more", rows.len() - 5) } else { String::new() };
            return Err(RunError::StalePlan { rows: format!("{}{more}", shown.join(", ")) });
        }
    };
    let traffic = Traffic::of_all(lanes.iter().filter_map(|lane| lane.lane.as_deref()), &config.submit);
    Ok(Sent { records, lanes, traffic })
}

/// Where requests go, as messages name it.
pub(super) fn destination(service: &Service, emulator: &Option<Emulator>) -> String {
    match (service, emulator) {
        (_, Some(emulator)) => emulator.endpoint_url(),
        (Service::Aws(options), None) => options
            .endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
            .unwrap_or_else(|| "the Well-Architected API of the configured Region".to_owned()),
        (Service::Local, None) => "the built-in emulator".to_owned(),
    }
}

/// The AWS configuration checked at the start, or for `--local` that of an
/// emulator started for this run, to be stopped when it ends.
pub(super) async fn client_for(aws: Option<SdkConfig>) -> std::io::Result<(SdkConfig, Option<Emulator>)> {
    match aws {
        Some(config) => Ok((config, None)),
        None => {
            let emulator = Emulator::start(EmulatorConfig::default()).await?;
            tracing::info!(endpoint = %emulator.endpoint_url(), "sending to the built-in emulator");
            let config = emulator.sdk_config(local_credentials(), "us-east-1").await;
            Ok((config, Some(emulator)))
        }
    }
}

/// Journals, counts and shows each outcome as it comes; all of them, once
/// the sender is done.
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
    let mut sink = sink::create(path, format, facts)?;
    records.iter().try_for_each(|record| sink.write(record))?;
    sink.finish().map(drop)
}

/// Rows an earlier run finished, by row, account, Region and name key.
type Done = HashMap<DoneKey, Record<'static>>;
type DoneKey = (u64, Option<String>, Option<String>, Box<str>);

fn record_key(record: &Record<'_>) -> DoneKey {
    (record.row, record.account.clone(), record.region.clone(), name_key(&record.workload_name))
}

fn pending_key(row: &Pending) -> DoneKey {
    let destination = row.destination.as_ref();
    let account = destination.and_then(Destination::account).map(str::to_owned);
    let region = destination.map(|destination| destination.region.clone());
    (row.row, account, region, name_key(row.request.name()))
}

/// What an earlier run of the same report left.
#[derive(Default)]
struct Earlier {
    done: Done,
    /// A journal's torn tail, say.
    warnings: Vec<String>,
}

/// With `--resume`, the done rows of the earlier report and journal;
/// otherwise nothing, and an earlier report is refused unless `--force` says
/// to start over (and then removed, if wa-bulk wrote it).
fn earlier_outcomes(
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
fn refuse_moved_rows(
    report: &Path,
    done: &Done,
    invalid: &[Record<'static>],
    valid: &[Pending],
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
