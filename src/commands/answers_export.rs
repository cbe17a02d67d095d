//! `wa-bulk answers export OUT`: the lens reviews of the workloads a run
//! targets, written as the [answers sheet](crate::answers). Each (account,
//! Region) is a lane of the fleet: its workloads are listed (all, or those
//! whose names start with `--name-prefix`), then read a few at a time in
//! the listing's order, and each review goes to the sheet as soon as it is
//! read, so memory holds a few reviews whatever the number of workloads. A
//! run that stops (a signal, a run-wide fault) writes no OUT.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::progress::Progress;
use super::summary::{Summary, Traffic};
use crate::RunError;
use crate::answers::ReviewRows;
use crate::answers::read::{Place, Selection, review_rows};
use crate::answers::templates::template_rows;
use crate::answers::write::{AnswerSheet, Subject};
use crate::destination::Destination;
use crate::report::{Counts, ReportError, SheetFormat, Status};
use crate::service::{FleetConfig, Job, Service, Session};
use crate::submit::lane::CallError;
use crate::submit::read::list;
use crate::submit::{Lane, StopReason, SubmitConfig};

#[derive(Debug, Clone)]
pub struct AnswersExportConfig {
    pub out: PathBuf,
    pub format: SheetFormat,
    pub name_prefix: Option<String>,
    /// Review templates to export (by ARN) instead of workloads.
    pub templates: Vec<String>,
    /// Write a blank form of each lens read (`--form`).
    pub form: bool,
    pub selection: Selection,
    /// The (account, Region) lanes to read; the credentials' own account
    /// and Region when empty.
    pub destinations: Vec<Destination>,
    pub service: Service,
    pub fleet: FleetConfig,
    pub submit: SubmitConfig,
    /// Replace OUT if it exists.
    pub force: bool,
    pub progress: Option<Duration>,
}

/// Workloads read at once in a lane; the lane's pacer and in-flight bound
/// still decide how fast requests go.
const WORKLOADS_AT_ONCE: usize = 4;

/// What a lane tells the writer.
enum Message {
    /// The lane found this many workloads.
    Listed(u64),
    Review(ReviewRows),
    /// One more workload is read whole.
    WorkloadDone,
}

pub fn run(config: &AnswersExportConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    if std::fs::symlink_metadata(&config.out).is_ok() && !config.force {
        return Err(RunError::Usage(format!("{} exists: pass --force to replace it", config.out.display())));
    }
    let mut session = Session::open(&config.service, &config.fleet)?;
    let (base_account, base_region) = (session.base_account()?, session.base_region()?);
    let lanes = config.destinations.len().max(1);
    let board = session.board(lanes);
    let subject = match (config.form, config.templates.is_empty()) {
        (true, _) => Subject::Form,
        (false, false) => Subject::Templates,
        (false, true) => Subject::Workloads,
    };
    let sheet = AnswerSheet::create(&config.out, config.format, config.selection.notes, subject)?;
    let (sender, receiver) = mpsc::channel(64);
    let progress = Progress::new(config.progress, 0, board).counting("workloads");
    let writer = std::thread::spawn(move || write_all(sheet, receiver, progress));
    let jobs = jobs(config, &Place { account: base_account, region: base_region }, &sender);
    drop(sender);
    let outcomes = session.run(jobs, &config.submit)?;
    let interrupted = session.interrupted();
    session.close();
    let (sheet, counts) = writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let mut summary = Summary::new("answers export", &[Status::Exists], Some(config.out.clone()), Vec::new());
    summary.counts = counts;
    let lanes: Vec<&Lane> = outcomes.iter().filter_map(|outcome| outcome.lane.as_deref()).collect();
    if !lanes.is_empty() {
        summary.traffic = Some(Traffic::of_all(lanes.into_iter(), &config.submit));
    }
    let mut stopped = interrupted;
    for outcome in outcomes {
        match outcome.output {
            Ok(gone) => summary.warnings.extend(gone),
            Err(reason) => stopped = stopped.or(Some(reason)),
        }
    }
    if let Some(reason) = stopped {
        sheet.abandon();
        summary.report = None;
        summary.stopped = Some(reason);
        return Ok(summary);
    }
    let rows = sheet.finish()?;
    summary.elapsed = started.elapsed();
    summary.said = Some(format!(
        "{} exported: {rows} rows to {} in {:.2} s",
        crate::problem::count(summary.counts.total(), "workload", "workloads"),
        config.out.display(),
        summary.elapsed.as_secs_f64()
    ));
    Ok(summary)
}

/// A job for each destination (one for the credentials' own account and
/// Region when there are none), each sending to the writer.
fn jobs(config: &AnswersExportConfig, base: &Place, sender: &mpsc::Sender<Message>) -> Vec<ReadAnswers> {
    let job = |destination: Option<Destination>| {
        let place = match &destination {
            None => base.clone(),
            Some(destination) => Place {
                account: destination.account().unwrap_or(&base.account).to_owned(),
                region: destination.region.clone(),
            },
        };
        ReadAnswers {
            destination,
            place,
            name_prefix: config.name_prefix.clone(),
            templates: config.templates.clone(),
            selection: Arc::new(config.selection.clone()),
            sender: sender.clone(),
        }
    };
    match config.destinations.is_empty() {
        true => vec![job(None)],
        false => config.destinations.iter().cloned().map(|destination| job(Some(destination))).collect(),
    }
}

/// The writer: every review into the sheet as it comes, progress counted
/// in workloads. The sheet is handed back unfinished: only a run that was
/// not stopped completes it.
fn write_all(
    mut sheet: AnswerSheet,
    mut messages: mpsc::Receiver<Message>,
    mut progress: Progress,
) -> Result<(AnswerSheet, Counts), ReportError> {
    let mut counts = Counts::default();
    while let Some(message) = messages.blocking_recv() {
        match message {
            Message::Listed(workloads) => progress.grow(workloads),
            Message::Review(review) => {
                if let Err(error) = sheet.write(&review) {
                    sheet.abandon();
                    return Err(error);
                }
            }
            Message::WorkloadDone => {
                counts.add(Status::Exists);
                progress.row_done(&counts);
            }
        }
    }
    progress.finish();
    Ok((sheet, counts))
}

/// What a lane gave back: the workloads deleted while it read (warnings),
/// or why it stopped.
type LaneRead = Result<Vec<String>, StopReason>;

/// The export's job on one lane.
struct ReadAnswers {
    destination: Option<Destination>,
    place: Place,
    name_prefix: Option<String>,
    templates: Vec<String>,
    selection: Arc<Selection>,
    sender: mpsc::Sender<Message>,
}

impl ReadAnswers {
    /// The templates' reviews, each template counted as one item done.
    async fn read_templates(&self, lane: &Arc<Lane>) -> LaneRead {
        if self.sender.send(Message::Listed(self.templates.len() as u64)).await.is_err() {
            return Ok(Vec::new());
        }
        for arn in &self.templates {
            let reviews =
                template_rows(lane, &self.place, arn, &self.selection).await.map_err(CallError::into_stop)?;
            for message in reviews.into_iter().map(Message::Review).chain([Message::WorkloadDone]) {
                if self.sender.send(message).await.is_err() {
                    return Ok(Vec::new());
                }
            }
        }
        Ok(Vec::new())
    }
}

impl Job for ReadAnswers {
    type Output = LaneRead;

    fn destination(&self) -> Option<&Destination> {
        self.destination.as_ref()
    }

    async fn run(self, lane: Arc<Lane>) -> LaneRead {
        if !self.templates.is_empty() {
            return self.read_templates(&lane).await;
        }
        let listed = list(&lane, self.name_prefix.as_deref()).await.map_err(CallError::into_stop)?;
        if self.sender.send(Message::Listed(listed.len() as u64)).await.is_err() {
            return Ok(Vec::new());
        }
        let (place, selection) = (&self.place, &self.selection);
        let mut reads = futures_util::stream::iter(listed)
            .map(|workload| {
                let lane = lane.clone();
                async move {
                    let read = review_rows(&lane, place, &workload, selection).await;
                    (workload, read)
                }
            })
            .buffered(WORKLOADS_AT_ONCE);
        let mut gone = Vec::new();
        while let Some((workload, read)) = reads.next().await {
            let reviews = match read {
                Err(error) if let Some(warning) = workload.deleted(&error) => {
                    gone.push(warning);
                    continue;
                }
                // A sheet missing a workload's answers would read back as a
                // review to change: a read that failed for good stops the export.
                read => read.map_err(CallError::into_stop)?,
            };
            let messages = reviews.into_iter().map(Message::Review).chain([Message::WorkloadDone]);
            for message in messages {
                if self.sender.send(message).await.is_err() {
                    return Ok(gone);
                }
            }
        }
        Ok(gone)
    }

    fn unreachable(self, why: String) -> LaneRead {
        Err(StopReason::RunWide { code: "NoRoleForAccount".into(), detail: why })
    }

    fn not_started(self, reason: StopReason) -> LaneRead {
        Err(reason)
    }
}
