//! `wa-bulk export OUT`: the way back from the service to a sheet. Every
//! workload of each (account, Region) the run reaches (all pages, or those
//! whose names start with `--name-prefix`) is read with GetWorkload, a lane
//! a place as `import` sends: the run's own account and Region, the
//! `--regions` of `--accounts`, or every active account of the organisation
//! (`--organization`, `--ou`). The sheet is in the layout `import` reads
//! ([`sheet`]), so `export`, then `import --on-existing update` of that
//! file, sends no write; the read-only columns ([`facts`]: risks, milestone,
//! shares) are left out on the way back. A place that cannot be reached (a
//! role that cannot be assumed) is told and the others are written: exit 3.

mod facts;
mod risks_sheet;
mod sheet;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub use facts::Depth;
use facts::Facts;

use super::progress::Progress;
use super::summary::{LaneLine, Summary, Traffic, stop_of};
use crate::RunError;
use crate::destination::{Accounts, Destination, Estate};
use crate::model::WorkloadRequest;
use crate::report::files::PendingFile;
use crate::report::{Counts, ReportError, SheetFormat, Status};
use crate::service::{FleetConfig, Job, LaneOutcome, Service, Session};
use crate::submit::client::from_workload;
use crate::submit::lane::CallError;
use crate::submit::read::{Listed, list};
use crate::submit::{Lane, StopReason, SubmitConfig};

#[derive(Debug, Clone)]
pub struct ExportConfig {
    pub out: PathBuf,
    pub format: SheetFormat,
    pub name_prefix: Option<String>,
    /// The accounts and Regions to read.
    pub estate: Estate,
    /// How much beyond the members to read.
    pub depth: Depth,
    pub service: Service,
    pub fleet: FleetConfig,
    pub submit: SubmitConfig,
    /// Replace OUT if it exists.
    pub force: bool,
    pub progress: Option<Duration>,
}

/// One workload read back.
pub(crate) struct Exported {
    /// The lane it was read in; `None` for the run's own, unnamed.
    place: Option<Destination>,
    listed: Listed,
    request: WorkloadRequest<'static>,
    facts: Facts,
}

pub fn run(config: &ExportConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    if std::fs::symlink_metadata(&config.out).is_ok() && !config.force {
        return Err(RunError::Usage(format!("{} exists: pass --force to replace it", config.out.display())));
    }
    let mut session = Session::open(&config.service, &config.fleet)?;
    let places = places(&mut session, &config.estate)?;
    let placed = places.is_some();
    let places = places.unwrap_or_else(|| vec![None]);
    let mut summary = Summary::new("export", &[Status::Exists], Some(config.out.clone()), Vec::new());
    if placed && places.is_empty() {
        summary.warnings.push("the organisation (or OU) has no active account: nothing to export".into());
    }
    let board = session.board(places.len());
    let tracker = Arc::new(Mutex::new(Progress::new(config.progress, 0, board).counting("workloads")));
    let jobs = places.into_iter().map(|place| ReadAll {
        place,
        name_prefix: config.name_prefix.clone(),
        depth: config.depth,
        tracker: tracker.clone(),
        counts: Arc::default(),
    });
    let outcomes = session.run(jobs.collect(), &config.submit)?;
    let interrupted = session.interrupted();
    session.close();
    if let Ok(progress) = Arc::try_unwrap(tracker) {
        progress.into_inner().unwrap_or_else(PoisonError::into_inner).finish();
    }
    let workloads = gather(outcomes, &config.submit, &mut summary);
    summary.stopped = interrupted.or_else(|| stop_of(&summary.lanes));
    if matches!(summary.stopped, Some(StopReason::Interrupted(_))) {
        // A sheet missing what was not read would read back as less.
        summary.report = None;
        return Ok(summary);
    }
    if config.format != SheetFormat::Jsonl {
        summary.warnings.extend(sheet::unsplittable(&workloads));
    }
    write(config, &workloads, placed)?;
    workloads.iter().for_each(|_| summary.counts.add(Status::Exists));
    summary.elapsed = started.elapsed();
    let seconds = summary.elapsed.as_secs_f64();
    let lanes = if placed {
        format!(" from {}", crate::problem::count(summary.lanes.len() as u64, "lane", "lanes"))
    } else {
        String::new()
    };
    summary.said = Some(format!(
        "{} workloads{lanes} exported to {} in {seconds:.2} s",
        workloads.len(),
        config.out.display()
    ));
    Ok(summary)
}

/// The workloads every lane read, a line per lane in the summary.
fn gather(outcomes: Vec<LaneOutcome<Read>>, submit: &SubmitConfig, summary: &mut Summary) -> Vec<Exported> {
    let lanes: Vec<&Lane> = outcomes.iter().filter_map(|outcome| outcome.lane.as_deref()).collect();
    if !lanes.is_empty() {
        summary.traffic = Some(Traffic::of_all(lanes.into_iter(), submit));
    }
    let mut workloads = Vec::new();
    for outcome in outcomes {
        let traffic = outcome.lane.as_ref().map(|lane| Traffic::of(lane, submit)).unwrap_or_default();
        let mut line = LaneLine {
            destination: outcome.destination,
            counts: Counts::default(),
            stopped: outcome.stopped,
            traffic,
        };
        match outcome.output {
            Ok((read, gone)) => {
                read.iter().for_each(|_| line.counts.add(Status::Exists));
                summary.warnings.extend(gone);
                workloads.extend(read);
            }
            Err(reason) => line.stopped = Some(reason),
        }
        summary.lanes.push(line);
    }
    workloads
}

/// The places the run reads, each a lane; `None` for the run's own
/// account and Region alone (no Target columns).
fn places(session: &mut Session, estate: &Estate) -> Result<Option<Vec<Option<Destination>>>, RunError> {
    let accounts = match &estate.accounts {
        Accounts::Own if estate.regions.is_empty() => return Ok(None),
        Accounts::Own => vec![String::new()],
        Accounts::Listed(accounts) => accounts.clone(),
        Accounts::Organization { ou } => session.organization_accounts(ou.as_deref())?,
    };
    let regions = match estate.regions.as_slice() {
        [] => vec![session.base_region()?],
        regions => regions.to_vec(),
    };
    if accounts.iter().any(|account| !account.is_empty()) {
        session.base_account()?;
    }
    let places = accounts.iter().flat_map(|account| {
        regions.iter().map(|region| Some(Destination { account: account.clone(), region: region.clone() }))
    });
    Ok(Some(places.collect()))
}

/// Writes the workloads to OUT, in its format.
fn write(config: &ExportConfig, workloads: &[Exported], placed: bool) -> Result<(), RunError> {
    let table = || sheet::table(workloads, config.depth, placed);
    let bytes = match config.format {
        SheetFormat::Csv => sheet::delimited(&table(), b','),
        SheetFormat::Tsv => sheet::delimited(&table(), b'\t'),
        SheetFormat::Xlsx => sheet::xlsx(&table(), workloads, config.depth).map_err(|error| {
            ReportError::io(&config.out, "write", std::io::Error::other(error.to_string()))
        })?,
        SheetFormat::Jsonl => sheet::jsonl(workloads, config.depth),
    };
    let mut out = PendingFile::create(&config.out, b"")?;
    out.write(&bytes)?;
    out.finish(b"")?;
    Ok(())
}

/// What export reads on a lane: every workload, and what it could not read.
type Read = Result<(Vec<Exported>, Vec<String>), StopReason>;

/// Export's job: list the workloads of one place, then read each.
struct ReadAll {
    place: Option<Destination>,
    name_prefix: Option<String>,
    depth: Depth,
    /// Progress in workloads, shared by the lanes.
    tracker: Arc<Mutex<Progress>>,
    counts: Arc<Mutex<Counts>>,
}

impl Job for ReadAll {
    type Output = Read;

    fn destination(&self) -> Option<&Destination> {
        self.place.as_ref()
    }

    async fn run(self, lane: Arc<Lane>) -> Read {
        read_all(&lane, &self).await
    }

    fn unreachable(self, why: String) -> Read {
        Err(StopReason::RunWide { code: "NoRoleForAccount".into(), detail: why })
    }

    fn not_started(self, reason: StopReason) -> Read {
        Err(reason)
    }
}

/// Lists, then reads each workload (in parallel within the lane's bounds),
/// in the listing's order, with a warning for each one deleted between the
/// listing and its read (it is not exported); or why the lane stopped.
async fn read_all(lane: &Arc<Lane>, job: &ReadAll) -> Read {
    let stopped = CallError::into_stop;
    let listed = list(lane, job.name_prefix.as_deref()).await.map_err(stopped)?;
    job.tracker.lock().unwrap_or_else(PoisonError::into_inner).grow(listed.len() as u64);
    let mut reads = tokio::task::JoinSet::new();
    for (index, listed) in listed.into_iter().enumerate() {
        let (lane, depth) = (lane.clone(), job.depth);
        reads.spawn(async move {
            let read = read_one(&lane, &listed.id, depth).await;
            (index, listed, read)
        });
    }
    let (mut workloads, mut gone) = (Vec::new(), Vec::new());
    while let Some(joined) = reads.join_next().await {
        let (index, listed, read) = joined.expect("a read does not panic");
        let (request, facts) = match read {
            Err(error) if let Some(warning) = listed.deleted(&error) => {
                gone.push(warning);
                continue;
            }
            read => read.map_err(stopped)?,
        };
        let mut counts = job.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.add(Status::Exists);
        job.tracker.lock().unwrap_or_else(PoisonError::into_inner).row_done(&counts);
        workloads.push((index, Exported { place: job.place.clone(), listed, request, facts }));
    }
    workloads.sort_by_key(|(index, _)| *index);
    Ok((workloads.into_iter().map(|(_, exported)| exported).collect(), gone))
}

/// A workload's members (GetWorkload) and its facts, as deep as asked.
async fn read_one(
    lane: &Lane,
    id: &str,
    depth: Depth,
) -> Result<(WorkloadRequest<'static>, Facts), CallError> {
    let output = lane.call(&mut 0, || lane.client().get_workload().workload_id(id).send()).await?;
    let workload =
        output.workload.unwrap_or_else(|| aws_sdk_wellarchitected::types::Workload::builder().build());
    let mut facts = Facts::of(&workload);
    facts.read_more(lane, id, depth).await?;
    Ok((from_workload(&workload), facts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;

    #[test]
    fn headers_read_as_words_and_map_back_to_their_members() {
        for field in sheet::columns() {
            let header = field.heading();
            let target = crate::input::columns::target_for(&header);
            assert_eq!(target, Some(crate::input::columns::Target::Field(field)), "{header}");
        }
        assert_eq!(Field::AccountIds.heading(), "Account Ids");
        assert_eq!(Field::JiraProjectKey.heading(), "Jira Project Key");
    }
}
