//! `wa-bulk answers plan FILE` and `wa-bulk answers import FILE`: an
//! answers sheet read and checked (as `answers validate` does), its rows
//! gathered into items (a question's answer, a review's notes) per
//! (account, Region) lane, each item compared with what the service holds
//! ([`crate::answers::decide`]); the plan prints what would change, the
//! import sends one write per item that changes and nothing for the rest.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::progress::Progress;
use super::saved_plan::PlanAction;
use super::summary::{NoteKind, PlanCounts, RowNote, Summary, Traffic};
use crate::RunError;
use crate::answers::decide::{Decided, Outcome, Policy, Recorded, Watch, apply, decide, record_milestones};
use crate::answers::journal::{self, AnswersJournal, Done, Entry};
use crate::answers::report::{self as answers_report, ReportLine};
use crate::answers::sheet::{self, ProblemsByRow, read_all};
use crate::answers::work::{ReviewWork, gather};
use crate::destination::Destination;
use crate::input::InputOptions;
use crate::problem::quoted;
use crate::report::failures::{self, FailedRow};
use crate::report::identity::InputIdentity;
use crate::report::{Counts, Status};
use crate::service::{FleetConfig, Job, LaneOutcome, Service, Session};
use crate::stdout::print_line;
use crate::submit::lane::CallError;
use crate::submit::{Lane, StopReason, SubmitConfig};

#[derive(Debug, Clone)]
pub struct AnswersImportConfig {
    pub input: InputOptions,
    /// `--merge` and the baseline's workloads.
    pub policy: Policy,
    /// Where rows with no Region go (`--accounts` × `--regions`).
    pub destinations: Vec<Destination>,
    /// Record this milestone on each workload once its answers are in.
    pub milestone: Option<String>,
    /// Where to write a line per item (`--report`, .csv or .jsonl).
    pub report: Option<PathBuf>,
    /// A progress line this often without a terminal; `None`: no progress.
    pub progress: Option<Duration>,
    /// Where to write the sheet's rows that are invalid or failed, with
    /// their own cells and why (`--failures`, CSV).
    pub failures: Option<PathBuf>,
    /// Continue the stopped run whose journal is there even though the
    /// sheet changed since.
    pub resume: bool,
    /// Start over: remove a stopped run's journal.
    pub force: bool,
    pub service: Service,
    pub fleet: FleetConfig,
    pub submit: SubmitConfig,
}

/// Shows what importing the sheet would change, question by question.
pub fn plan(config: &AnswersImportConfig) -> Result<Summary, RunError> {
    run(config, false)
}

/// Makes the service hold what the sheet says: one UpdateAnswer per
/// question that changes, one UpdateLensReview per review whose notes do.
pub fn import(config: &AnswersImportConfig) -> Result<Summary, RunError> {
    run(config, true)
}

fn run(config: &AnswersImportConfig, applying: bool) -> Result<Summary, RunError> {
    let started = Instant::now();
    if let Some(path) = &config.report {
        answers_report::check_path(config.input.file(), path)?;
    }
    let layout = InputOptions { layout: sheet::LAYOUT, ..config.input.clone() };
    if let Some(path) = &config.failures {
        failures::check_path(&layout, path)?;
    }
    // The input's bytes, for --failures to read its rows again and for the
    // journal to name.
    let journal_path = journal::path_for(config.report.as_deref(), config.input.file()).filter(|_| applying);
    let read = (config.failures.is_some() || journal_path.is_some())
        .then(|| InputIdentity::of_input(&config.input))
        .transpose()?;
    let mut opened = sheet::open(&config.input)?;
    let command = if applying { "answers import" } else { "answers plan" };
    let headline: &[Status] = if applying { &[Status::Updated, Status::Unchanged] } else { &[] };
    let mut summary = Summary::new(command, headline, None, opened.warnings.clone());
    let (lines, problems) = read_all(&mut opened)?;
    let journal = match (&journal_path, &read) {
        (Some(path), Some(identity)) => Some(open_journal(config, path, identity, &mut summary)?),
        _ => None,
    };
    let mut plan = PlanCounts::default();
    let mut report = refused_rows(&problems, &mut summary, &mut plan);
    let lanes = gather(lines, &config.destinations);
    let (outcomes, journal) = run_lanes(config, lanes, applying, journal, &mut summary)?;
    let told = tell_lanes(outcomes, applying, (&mut summary, &mut plan), &mut report);
    if let Some(journal) = journal {
        close_journal(journal, &mut summary);
    }
    if let Some(path) = &config.failures {
        failures::write(&layout, read.as_ref(), path, &failed_rows(&report))?;
    }
    if let Some(path) = &config.report {
        // In the sheet's order: by each item's first row.
        report.sort_by_key(|line| line.rows.split('–').next().and_then(|row| row.parse::<u64>().ok()));
        summary.report = Some(answers_report::write(path, &report)?);
    }
    summary.elapsed = started.elapsed();
    let mut said = said(&summary, &plan, applying, headline);
    if told.carried > 0 {
        said.push_str(&format!(" ({} carried over from the earlier run)", told.carried));
    }
    if let Some(name) = &config.milestone {
        let workloads = crate::problem::count(told.milestones, "workload", "workloads");
        said.push_str(&format!("; milestone {} on {workloads}", crate::problem::quoted(name)));
    }
    summary.said = Some(said);
    if !applying {
        summary.plan = Some(plan);
    }
    Ok(summary)
}

/// What the lanes came to, besides each item's report line.
struct Told {
    /// Workloads the milestone was recorded on.
    milestones: u64,
    /// Items the stopped run this one continues updated.
    carried: usize,
}

/// Tells and counts each lane's items and milestones, adding their report
/// lines; a lane that stopped stops the run.
fn tell_lanes(
    outcomes: Vec<LaneOutcome<LaneDecided>>,
    applying: bool,
    (summary, plan): (&mut Summary, &mut PlanCounts),
    report: &mut Vec<ReportLine>,
) -> Told {
    let mut told = Told { milestones: 0, carried: 0 };
    for outcome in outcomes {
        match outcome.output {
            Ok((decided, recorded)) => {
                for item in &decided {
                    told.carried += usize::from(item.outcome == Outcome::Carried);
                    let line = tell(item, applying, summary, plan);
                    report.push(placed(line, outcome.destination.as_ref()));
                }
                told.milestones += tell_milestones(&recorded, summary);
            }
            Err(reason) => summary.stopped = summary.stopped.take().or(Some(reason)),
        }
    }
    told
}

/// Counts the rows the sheet itself refuses and notes their problems;
/// their report lines.
fn refused_rows(problems: &ProblemsByRow, summary: &mut Summary, plan: &mut PlanCounts) -> Vec<ReportLine> {
    let mut lines = Vec::new();
    for (row, found) in problems {
        found.iter().for_each(|problem| summary.problem(RowNote::from(problem)));
        plan.add(PlanAction::Invalid);
        summary.counts.add(Status::Invalid);
        let message: Vec<String> = found.iter().map(ToString::to_string).collect();
        let error_code = found.first().map_or("", |problem| problem.code.as_str()).to_owned();
        let message = message.join("; ");
        lines.push(ReportLine {
            rows: row.to_string(),
            status: "invalid",
            error_code,
            message,
            ..ReportLine::default()
        });
    }
    lines
}

/// Runs a job for each lane's reviews on the fleet of a session of their
/// own; the traffic and any stop go to the summary.
fn run_lanes(
    config: &AnswersImportConfig,
    lanes: BTreeMap<Option<Destination>, Vec<ReviewWork>>,
    applying: bool,
    journal: Option<(AnswersJournal, Done)>,
    summary: &mut Summary,
) -> Result<(Vec<LaneOutcome<LaneDecided>>, Option<AnswersJournal>), RunError> {
    let mut session = Session::open(&config.service, &config.fleet)?;
    let board = session.board(lanes.len());
    let (journal, done) = journal.map_or((None, Done::default()), |(journal, done)| (Some(journal), done));
    let tracker = Arc::new(Tracker {
        progress: Mutex::new(Progress::new(config.progress, 0, board).counting("items")),
        counts: Mutex::new(Counts::default()),
        journal,
        done,
    });
    let jobs = jobs(config, lanes, applying, &tracker);
    // Rows that name an account go to a role unless it is the credentials' own.
    if jobs
        .iter()
        .any(|job| job.destination.as_ref().is_some_and(|destination| destination.account().is_some()))
    {
        session.base_account()?;
    }
    let outcomes = session.run(jobs, &config.submit)?;
    summary.stopped = session.interrupted();
    session.close();
    let journal = Arc::try_unwrap(tracker).ok().and_then(|tracker| {
        tracker.progress.into_inner().unwrap_or_else(PoisonError::into_inner).finish();
        tracker.journal
    });
    let lanes: Vec<&Lane> = outcomes.iter().filter_map(|outcome| outcome.lane.as_deref()).collect();
    if !lanes.is_empty() {
        summary.traffic = Some(Traffic::of_all(lanes.into_iter(), &config.submit));
    }
    Ok((outcomes, journal))
}

/// Takes the run's journal (refusing a path that is the input), with what
/// a stopped run it continues finished.
fn open_journal(
    config: &AnswersImportConfig,
    path: &Path,
    identity: &InputIdentity,
    summary: &mut Summary,
) -> Result<(AnswersJournal, Done), RunError> {
    crate::report::guard::refuse_the_input(config.input.file(), &[path])?;
    let (journal, done) = AnswersJournal::open(path, identity, config.resume, config.force)?;
    summary.warnings.extend(done.warnings.iter().cloned());
    Ok((journal, done))
}

/// A finished run's journal goes; a stopped run's stays for the same
/// command to continue.
fn close_journal(journal: AnswersJournal, summary: &mut Summary) {
    if summary.stopped.is_some() {
        summary.warnings.push(format!(
            "{} keeps what this run updated: the same command continues it",
            journal.path().display()
        ));
    } else if let Err(error) = journal.remove() {
        summary.warnings.push(format!("cannot remove the journal: {error}"));
    }
}

/// A job for each lane the rows go to.
fn jobs(
    config: &AnswersImportConfig,
    lanes: BTreeMap<Option<Destination>, Vec<ReviewWork>>,
    applying: bool,
    tracker: &Arc<Tracker>,
) -> Vec<AnswersJob> {
    let policy = Arc::new(config.policy.clone());
    let job = |(destination, reviews)| AnswersJob {
        destination,
        reviews,
        policy: policy.clone(),
        milestone: config.milestone.clone().filter(|_| applying),
        applying,
        tracker: tracker.clone(),
    };
    lanes.into_iter().map(job).collect()
}

/// `Plan: 3 to update, 15 unchanged, 1 invalid.`, or the import's counts.
fn said(summary: &Summary, plan: &PlanCounts, applying: bool, headline: &[Status]) -> String {
    if !applying {
        let count = |action| plan.get(action);
        let (update, unchanged) = (count(PlanAction::Update), count(PlanAction::Unchanged));
        return format!(
            "Plan: {update} to update, {unchanged} unchanged, {} invalid.",
            count(PlanAction::Invalid)
        );
    }
    format!(
        "{}: {} in {:.2} s",
        crate::problem::count(summary.counts.total(), "item", "items"),
        summary.counts.per_status(headline),
        summary.elapsed.as_secs_f64()
    )
}

/// The sheet rows of the invalid and failed items, with why.
fn failed_rows(report: &[ReportLine]) -> HashMap<u64, FailedRow> {
    let mut failed = HashMap::new();
    for line in report.iter().filter(|line| matches!(line.status, "invalid" | "failed")) {
        let status = if line.status == "failed" { Status::Failed } else { Status::Invalid };
        let (first, last) = line.rows.split_once('–').unwrap_or((&line.rows, &line.rows));
        let (Ok(first), Ok(last)) = (first.parse::<u64>(), last.parse::<u64>()) else { continue };
        for row in first..=last {
            let message = format!("{} {}: {}", line.lens, line.question, line.message);
            let failure = FailedRow { status, error_code: line.error_code.clone(), message };
            failed.entry(row).or_insert(failure);
        }
    }
    failed
}

/// A report line with the lane's account and Region.
fn placed(line: ReportLine, destination: Option<&Destination>) -> ReportLine {
    match destination {
        Some(destination) => {
            ReportLine { account: destination.account.clone(), region: destination.region.clone(), ..line }
        }
        None => line,
    }
}

/// Counts an item, prints a plan's line for it, notes a problem; its
/// report line.
fn tell(item: &Decided, applying: bool, summary: &mut Summary, plan: &mut PlanCounts) -> ReportLine {
    let rows = match item.rows.as_slice() {
        [one] => one.to_string(),
        [first, .., last] => format!("{first}–{last}"),
        [] => String::new(),
    };
    let question = item.label();
    let what =
        format!("{} {} {question} (row{} {rows})", quoted(&item.workload), item.lens, plural(&item.rows));
    let status = status_of(&item.outcome);
    let (action, mark, detail, code) = parts(&item.outcome, applying);
    summary.counts.add(status);
    plan.add(action);
    if !applying && !mark.is_empty() {
        print_line(&format!("{mark:<11} {what}: {detail}"));
    }
    if matches!(status, Status::Invalid | Status::Failed) {
        let kind = if status == Status::Failed { NoteKind::Failed } else { NoteKind::Problem };
        let row = item.rows.first().copied().unwrap_or_default();
        let (text, message) = (format!("{what}: {detail}"), detail.clone());
        summary.problem(RowNote { row, column: None, member: None, code: code.clone(), kind, message, text });
    }
    let status_word = match (applying, status) {
        (false, Status::Updated) => "update",
        (_, status) => status.as_str(),
    };
    ReportLine {
        rows,
        workload: item.workload.clone(),
        workload_id: item.workload_id().to_owned(),
        lens: item.lens.clone(),
        question: question.to_owned(),
        status: status_word,
        error_code: code,
        message: detail,
        ..ReportLine::default()
    }
}

/// `s` for more than one row.
fn plural(rows: &[u64]) -> &'static str {
    if rows.len() > 1 { "s" } else { "" }
}

/// The report's status of an outcome (a change to send counts as updated).
fn status_of(outcome: &Outcome) -> Status {
    match outcome {
        Outcome::Change(_) | Outcome::Updated(_) | Outcome::Carried => Status::Updated,
        Outcome::Unchanged => Status::Unchanged,
        Outcome::Invalid(_) => Status::Invalid,
        Outcome::Failed { .. } => Status::Failed,
        Outcome::Skipped(_) => Status::Skipped,
    }
}

/// An outcome's plan action, mark in the plan, words and code.
fn parts(outcome: &Outcome, applying: bool) -> (PlanAction, &'static str, String, String) {
    let none = String::new();
    match outcome {
        Outcome::Change(change) => (PlanAction::Update, "~ update", change.shown().join(", "), none),
        Outcome::Updated(shown) => (PlanAction::Update, "~ updated", shown.join(", "), none),
        Outcome::Carried => (PlanAction::Update, "~ updated", journal::CARRIED.into(), none),
        Outcome::Unchanged => (PlanAction::Unchanged, "", String::new(), none),
        Outcome::Invalid(why) => (PlanAction::Invalid, "x invalid", why.clone(), "InvalidAnswer".into()),
        Outcome::Failed { code, message } => {
            (PlanAction::Invalid, "! failed", format!("{code}: {message}"), code.clone())
        }
        Outcome::Skipped(why) => {
            let mark = if applying { "- skipped" } else { "" };
            (PlanAction::Refuse, mark, why.clone(), "Interrupted".into())
        }
    }
}

/// How many milestones were recorded; a problem for each refused.
fn tell_milestones(recorded: &[Recorded], summary: &mut Summary) -> u64 {
    let mut done = 0;
    for (workload, outcome) in recorded {
        match outcome {
            Ok(()) => done += 1,
            Err((code, message)) => {
                summary.counts.add(Status::Failed);
                let text = format!("{}: the milestone: {code}: {message}", crate::problem::quoted(workload));
                let kind = NoteKind::Failed;
                let (code, message) = (code.clone(), message.clone());
                summary.problem(RowNote { row: 0, column: None, member: None, code, kind, message, text });
            }
        }
    }
    done
}

/// The answers' job on one lane: decide every item, then, when applying,
/// send the changes and record the milestone.
struct AnswersJob {
    destination: Option<Destination>,
    reviews: Vec<ReviewWork>,
    policy: Arc<Policy>,
    milestone: Option<String>,
    applying: bool,
    tracker: Arc<Tracker>,
}

/// Progress in items, shared by the lanes: found when decided, done when
/// their outcome is final.
struct Tracker {
    progress: Mutex<Progress>,
    counts: Mutex<Counts>,
    /// Where each item the service takes is recorded.
    journal: Option<AnswersJournal>,
    /// What the stopped run this one continues updated.
    done: Done,
}

impl Tracker {
    fn found(&self, items: usize) {
        self.progress.lock().unwrap_or_else(PoisonError::into_inner).grow(items as u64);
    }

    fn done(&self, outcome: &Outcome) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.add(status_of(outcome));
        self.progress.lock().unwrap_or_else(PoisonError::into_inner).row_done(&counts);
    }
}

/// One lane's view of the tracker: its items' places in the journal.
struct LaneWatch<'a> {
    tracker: &'a Tracker,
    destination: Option<&'a Destination>,
}

impl LaneWatch<'_> {
    /// Items the stopped run this one continues updated are not sent again.
    fn carry_over(&self, decided: &mut [Decided]) {
        if self.tracker.done.is_empty() {
            return;
        }
        for item in decided {
            let pending = matches!(item.outcome, Outcome::Change(_) | Outcome::Unchanged);
            if pending && self.tracker.done.holds(self.destination, item) {
                item.outcome = Outcome::Carried;
            }
        }
    }

    /// Counts an item whose outcome is final.
    fn tell(&self, item: &Decided) {
        self.tracker.done(&item.outcome);
    }
}

impl Watch for LaneWatch<'_> {
    fn found(&self, items: usize) {
        self.tracker.found(items);
    }

    /// Journals an item the service took, then counts it.
    fn done(&self, item: &Decided) {
        if let (Some(journal), Outcome::Updated(shown)) = (&self.tracker.journal, &item.outcome)
            && let Err(error) = journal.record(&Entry::of(self.destination, item, shown))
        {
            crate::stderr::error(&format!(
                "cannot append to the journal {}: {error}",
                journal.path().display()
            ));
        }
        self.tell(item);
    }
}

type LaneDecided = Result<(Vec<Decided>, Vec<Recorded>), StopReason>;

impl Job for AnswersJob {
    type Output = LaneDecided;

    fn destination(&self) -> Option<&Destination> {
        self.destination.as_ref()
    }

    async fn run(self, lane: Arc<Lane>) -> LaneDecided {
        let mut decided = decide(&lane, self.reviews, &self.policy).await.map_err(CallError::into_stop)?;
        let watch = LaneWatch { tracker: &self.tracker, destination: self.destination.as_ref() };
        watch.carry_over(&mut decided);
        watch.found(decided.len());
        let sent = |item: &&Decided| self.applying && matches!(item.outcome, Outcome::Change(_));
        decided.iter().filter(|item| !sent(item)).for_each(|item| watch.tell(item));
        if self.applying {
            apply(&lane, &mut decided, &self.policy, &watch).await;
        }
        let recorded = match &self.milestone {
            Some(name) => record_milestones(&lane, &decided, name).await,
            None => Vec::new(),
        };
        Ok((decided, recorded))
    }

    fn unreachable(self, why: String) -> LaneDecided {
        Err(StopReason::RunWide { code: "NoRoleForAccount".into(), detail: why })
    }

    fn not_started(self, reason: StopReason) -> LaneDecided {
        Err(reason)
    }
}
