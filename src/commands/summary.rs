//! What a command did, as `main` tells it: the [`Summary`] (counts, stop
//! reason, report, figures of the requests), the problems of rows
//! ([`RowNote`]), and each lane's line ([`LaneLine`]). The text line and the
//! JSON object are derived from the same types, so neither can miss what
//! the other says.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::Exit;
use super::saved_plan::PlanAction;
use crate::destination::Destination;
use crate::problem::Problem;
use crate::report::{Counts, Record, Status};
use crate::stderr::{self, Fields, Level};
use crate::submit::{Lane, Rate, RateFound, StopReason, SubmitConfig};

/// How many problems are told on stderr unless `--show-problems` says
/// otherwise; the report has them all.
pub const PROBLEMS_SHOWN: usize = 20;

/// How many problems a summary keeps to tell: `--show-problems`, set once
/// by `main` (`usize::MAX` for all).
static SHOWN: AtomicUsize = AtomicUsize::new(PROBLEMS_SHOWN);

/// Tells this many problems at most (`None`: every one).
pub fn show_problems(limit: Option<usize>) {
    SHOWN.store(limit.unwrap_or(usize::MAX), Ordering::Relaxed);
}

/// What a note about a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// A problem that makes the row invalid.
    Problem,
    /// A problem that leaves the row valid.
    Warning,
    /// The service refused the row, or its attempts ran out.
    Failed,
}

impl NoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Problem => "problem",
            NoteKind::Warning => "warning",
            NoteKind::Failed => "failed",
        }
    }
}

/// One line about one row: a problem found, or a row that failed.
#[derive(Debug, Clone, PartialEq)]
pub struct RowNote {
    pub row: u64,
    /// The source column's header, when one applies.
    pub column: Option<String>,
    /// The API member, e.g. `JiraConfiguration.JiraProjectKey`.
    pub member: Option<&'static str>,
    /// A problem's code, or the service's error code.
    pub code: String,
    pub kind: NoteKind,
    /// What is wrong, alone.
    pub message: String,
    /// The whole line a person reads: `row 3, column "Owner" (ReviewOwner): …`.
    pub text: String,
}

impl From<&Problem> for RowNote {
    fn from(problem: &Problem) -> RowNote {
        RowNote {
            row: problem.row,
            column: problem.column.as_ref().map(|column| column.header.clone()),
            member: problem.member,
            code: problem.code.as_str().to_owned(),
            kind: if problem.is_error() { NoteKind::Problem } else { NoteKind::Warning },
            message: problem.detail.clone(),
            text: problem.to_string(),
        }
    }
}

impl RowNote {
    /// A row the service refused, or that ran out of attempts.
    pub fn failed(record: &Record<'_>) -> RowNote {
        let code = record.error_code.as_deref().unwrap_or_default().to_owned();
        RowNote {
            row: record.row,
            column: None,
            member: None,
            text: format!("row {}: failed: {code}: {}", record.row, record.message),
            code,
            kind: NoteKind::Failed,
            message: record.message.to_string(),
        }
    }

    /// As a log line: `FILE: row 3, …`, or a JSON object naming each part.
    pub fn log(&self, input: &Path) {
        let mut fields = Fields::new();
        fields.insert("file".into(), input.display().to_string().into());
        fields.insert("row".into(), self.row.into());
        fields.insert("column".into(), self.column.clone().into());
        fields.insert("member".into(), self.member.into());
        fields.insert("code".into(), self.code.clone().into());
        let level = if self.kind == NoteKind::Warning { Level::Warn } else { Level::Error };
        let text = format!("{}: {}", input.display(), self.text);
        stderr::event(level, self.kind.as_str(), &self.message, fields, &text);
    }
}

/// How a run's requests went, for its summary.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Traffic {
    pub found: RateFound,
    /// `--rate`, when given.
    pub limit: Option<f64>,
    pub throttled: u64,
    pub retried: u64,
}

impl Traffic {
    /// How `lane`'s requests went.
    pub fn of(lane: &Lane, config: &SubmitConfig) -> Traffic {
        use std::sync::atomic::Ordering;
        Traffic {
            found: lane.pacer().found(),
            limit: match config.rate {
                Rate::Fixed(rate) => Some(rate),
                Rate::Discover { .. } => None,
            },
            throttled: lane.tally().throttled.load(Ordering::Relaxed),
            retried: lane.tally().retried.load(Ordering::Relaxed),
        }
    }

    /// How the requests of several lanes went together: one lane's own
    /// figures, or the sums of the lanes' throttled and retried requests.
    pub fn of_all<'l>(lanes: impl Iterator<Item = &'l Lane>, config: &SubmitConfig) -> Traffic {
        let each: Vec<Traffic> = lanes.map(|lane| Traffic::of(lane, config)).collect();
        match each[..] {
            [one] => one,
            _ => Traffic {
                found: RateFound::default(),
                limit: each.first().and_then(|traffic| traffic.limit),
                throttled: each.iter().map(|traffic| traffic.throttled).sum(),
                retried: each.iter().map(|traffic| traffic.retried).sum(),
            },
        }
    }

    /// `rate: the service throttled above about 19.6 requests/s; pin it
    /// with --rate 18.6`, or how fast requests went when it never throttled;
    /// nothing when too few went to say.
    pub fn line(&self) -> Option<String> {
        let learned = self.limit.is_none() && self.found.started > crate::submit::rate::DISCOVERY_START;
        let start = if learned {
            format!(" (started at {:.1}/s, learned by an earlier run)", self.found.started)
        } else {
            String::new()
        };
        match self.found.service {
            Some(service) => Some(format!(
                "rate: the service throttled above about {service:.1} requests/s; pin it with --rate {:.1}{start}",
                service * 0.95
            )),
            None if self.found.highest_sent > 0.0 => Some(format!(
                "rate: never throttled; up to {:.1} requests/s went out{start}",
                self.found.highest_sent
            )),
            None => None,
        }
    }

    fn json(&self) -> serde_json::Value {
        let round = |rate: f64| (rate * 10.0).round() / 10.0;
        serde_json::json!({
            "service": self.found.service.map(round),
            "highest_sent": round(self.found.highest_sent),
            "started": round(self.found.started),
            "limit": self.limit,
        })
    }

    /// The figures a JSON log line of the rate carries.
    pub(super) fn fields(&self) -> Fields {
        let mut fields = Fields::new();
        fields.insert("service".into(), self.found.service.into());
        fields.insert("highest_sent".into(), self.found.highest_sent.into());
        fields
    }
}

/// What a results workbook's Summary says of a run that reads the service:
/// where it went, how existing workloads are met, and how requests went.
pub fn parameters(
    destination: String,
    config: &SubmitConfig,
    traffic: Option<&Traffic>,
) -> Vec<(&'static str, String)> {
    let mut parameters =
        vec![("Destination", destination), ("Existing workloads", config.on_existing.as_str().to_owned())];
    let pruned = config.prune.names();
    if !pruned.is_empty() {
        parameters.push(("Prune", pruned.join(", ")));
    }
    if let Some(traffic) = traffic {
        let limit = traffic.limit.map_or("none (found by the run)".to_owned(), |rate| format!("{rate}/s"));
        parameters.push(("Rate limit", limit));
        parameters.extend(traffic.line().map(|line| ("Rate", line)));
        parameters.push(("Throttled", traffic.throttled.to_string()));
        parameters.push(("Retried", traffic.retried.to_string()));
    }
    parameters
}

/// The counts of the statuses in `shown` and of any other with rows, by name.
fn counts_json(counts: &Counts, shown: &[Status]) -> Fields {
    Status::ALL
        .iter()
        .filter(|status| shown.contains(status) || counts.get(**status) > 0)
        .map(|status| (status.as_str().to_owned(), counts.get(*status).into()))
        .collect()
}

/// What one lane of an import did.
#[derive(Debug, Clone)]
pub struct LaneLine {
    /// `None` for the run's own account and Region, unnamed.
    pub destination: Option<Destination>,
    /// Its rows' outcomes.
    pub counts: Counts,
    pub stopped: Option<StopReason>,
    pub traffic: Traffic,
}

impl LaneLine {
    /// `lane 111122223333 eu-west-1: 50 created; rate: …; stopped early: …`.
    pub(super) fn line(&self) -> String {
        let place = self.destination.as_ref().map_or_else(|| "the run's own".to_owned(), ToString::to_string);
        let counts =
            if self.counts.total() == 0 { "nothing".to_owned() } else { self.counts.per_status(&[]) };
        let mut line = format!("lane {place}: {counts}");
        if let Some(rate) = self.traffic.line() {
            line.push_str(&format!("; {rate}"));
        }
        if let Some(reason) = &self.stopped {
            line.push_str(&format!("; stopped early: {reason}"));
        }
        line
    }

    /// The lane's figures, as the summary's `lanes` and a JSON log line carry them.
    pub(super) fn fields(&self) -> Fields {
        let destination = self.destination.as_ref();
        let mut fields = Fields::new();
        fields.insert("account".into(), destination.and_then(Destination::account).into());
        fields.insert("region".into(), destination.map(|place| place.region.clone()).into());
        fields.insert("rows".into(), self.counts.total().into());
        fields.insert("counts".into(), counts_json(&self.counts, &[]).into());
        fields.insert("stopped".into(), self.stopped.as_ref().map(stop_json).into());
        fields.insert("rate".into(), self.traffic.json());
        fields.insert("throttled".into(), self.traffic.throttled.into());
        fields.insert("retried".into(), self.traffic.retried.into());
        fields
    }
}

/// Why the run stopped, from its lanes: Ctrl-C if it came, else the first
/// lane stopped by a run-wide fault (named when there are several lanes).
pub fn stop_of(lanes: &[LaneLine]) -> Option<StopReason> {
    let interrupted = lanes.iter().find_map(|lane| match lane.stopped {
        Some(StopReason::Interrupted(signal)) => Some(StopReason::Interrupted(signal)),
        _ => None,
    });
    if interrupted.is_some() {
        return interrupted;
    }
    let stopped: Vec<&LaneLine> = lanes.iter().filter(|lane| lane.stopped.is_some()).collect();
    let first = stopped.first()?;
    let reason = first.stopped.clone()?;
    let (StopReason::RunWide { code, detail }, true) = (&reason, lanes.len() > 1) else {
        return Some(reason);
    };
    let place = first.destination.as_ref().map_or_else(String::new, |place| format!("lane {place}: "));
    let more = match stopped.len() {
        1 => String::new(),
        n => format!(" (and {} more lanes stopped)", n - 1),
    };
    Some(StopReason::RunWide { code: code.clone(), detail: format!("{place}{detail}{more}") })
}

pub(super) fn stop_json(reason: &StopReason) -> serde_json::Value {
    serde_json::json!({"code": reason.code(), "message": reason.to_string()})
}

/// How many rows a plan would act on each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanCounts([u64; PlanAction::ALL.len()]);

impl PlanCounts {
    pub fn add(&mut self, action: PlanAction) {
        self.0[action as usize] += 1;
    }

    pub fn get(&self, action: PlanAction) -> u64 {
        self.0[action as usize]
    }

    /// Whether applying the plan would write anything.
    pub fn changes(&self) -> bool {
        PlanAction::ALL.iter().any(|action| action.changes() && self.get(*action) > 0)
    }

    /// `Plan: 12 to create, 3 to update, 180 unchanged, 2 invalid.`
    pub fn line(&self) -> String {
        let parts: Vec<String> = PlanAction::ALL
            .iter()
            .filter(|action| action.always_counted() || self.get(**action) > 0)
            .map(|action| format!("{} {}", self.get(*action), action.counted_as()))
            .collect();
        format!("Plan: {}.", parts.join(", "))
    }

    /// Each action's count, by the name the JSON summary gives it.
    fn json(&self) -> Fields {
        PlanAction::ALL
            .iter()
            .map(|action| (action.count_key().to_owned(), self.get(*action).into()))
            .collect()
    }
}

/// What a command did.
#[derive(Debug)]
pub struct Summary {
    /// `validate`, `import`, …
    pub command: &'static str,
    pub counts: Counts,
    /// Statuses the summary line names even when no row has them.
    pub headline: &'static [Status],
    pub elapsed: Duration,
    /// Where the report went; `None` when none is written (`--dry-run`).
    pub report: Option<PathBuf>,
    /// Why an import stopped sending early.
    pub stopped: Option<StopReason>,
    /// Unknown columns and the like.
    pub warnings: Vec<String>,
    /// The first problems, for the terminal.
    pub first_problems: Vec<RowNote>,
    /// How many problems there are in all.
    pub problems: u64,
    /// How requests went, when any were sent.
    pub traffic: Option<Traffic>,
    /// What a plan would do.
    pub plan: Option<PlanCounts>,
    /// What each lane of an import did.
    pub lanes: Vec<LaneLine>,
    /// Rows an earlier run of the same report finished, carried over and
    /// not sent (not in `counts`).
    pub carried: u64,
    /// The summary line, when the command says it its own way (export,
    /// template).
    pub said: Option<String>,
    /// The command reads no rows (template): its JSON names what it wrote.
    pub rowless: bool,
}

impl Summary {
    pub fn new(
        command: &'static str,
        headline: &'static [Status],
        report: Option<PathBuf>,
        warnings: Vec<String>,
    ) -> Summary {
        Summary {
            command,
            counts: Counts::default(),
            headline,
            elapsed: Duration::ZERO,
            report,
            stopped: None,
            warnings,
            first_problems: Vec::new(),
            problems: 0,
            traffic: None,
            plan: None,
            lanes: Vec::new(),
            carried: 0,
            said: None,
            rowless: false,
        }
    }

    /// Counts a problem, and keeps it for the terminal while there is room.
    pub fn problem(&mut self, problem: RowNote) {
        self.problems += 1;
        if self.first_problems.len() < SHOWN.load(Ordering::Relaxed) {
            self.first_problems.push(problem);
        }
    }

    /// Interrupted, stopped by a run-wide fault, some rows invalid or
    /// failed, or success.
    pub fn exit(&self) -> Exit {
        match &self.stopped {
            Some(StopReason::Interrupted(signal)) => Exit::signalled(*signal),
            Some(StopReason::RunWide { .. }) => Exit::Stopped,
            None if self.counts.get(Status::Invalid) + self.counts.get(Status::Failed) > 0 => {
                Exit::RowsFailed
            }
            None => Exit::Success,
        }
    }

    /// `20 rows: 18 valid, 2 invalid in 0.01 s; report: x.report.csv`, a
    /// plan's `Plan: 12 to create, 3 to update, 180 unchanged.`, or what
    /// the command said its own way.
    pub fn line(&self) -> String {
        if let Some(said) = &self.said {
            return said.clone();
        }
        let counts = match &self.plan {
            Some(plan) => plan.line(),
            None => self.counts_line(),
        };
        match &self.report {
            Some(report) => format!("{counts}; report: {}", report.display()),
            None => counts,
        }
    }

    /// `20 rows: 18 created, 2 invalid in 4.10 s`, and the rows carried
    /// over from an earlier run, if any.
    fn counts_line(&self) -> String {
        let rows = crate::problem::count(self.counts.total() + self.carried, "row", "rows");
        let mut counts = self.counts.per_status(self.headline);
        if self.carried > 0 {
            counts.push_str(&format!(", {} carried over from the earlier run", self.carried));
        }
        format!("{rows}: {counts} in {:.2} s", self.elapsed.as_secs_f64())
    }

    /// The summary as one JSON object, for `--output json`.
    pub fn json(&self, input: &Path) -> serde_json::Value {
        let duration = (self.elapsed.as_secs_f64() * 1000.0).round() / 1000.0;
        if self.rowless {
            return serde_json::json!({
                "command": self.command,
                "output": self.report.as_ref().map(|path| path.display().to_string()),
                "duration_s": duration,
                "exit_code": self.exit() as u8,
            });
        }
        let mut summary = serde_json::json!({
            "command": self.command,
            "input": input.display().to_string(),
            "rows": self.counts.total() + self.carried,
            "counts": counts_json(&self.counts, self.headline),
            "problems": self.problems,
            "stopped": self.stopped.as_ref().map(stop_json),
            "report": self.report.as_ref().map(|path| path.display().to_string()),
            "duration_s": duration,
            "exit_code": self.exit() as u8,
        });
        if let Some(plan) = &self.plan {
            summary["plan"] = plan.json().into();
        }
        if self.carried > 0 {
            summary["carried"] = self.carried.into();
        }
        if let Some(traffic) = &self.traffic {
            summary["rate"] = traffic.json();
            summary["throttled"] = traffic.throttled.into();
            summary["retried"] = traffic.retried.into();
        }
        // Lanes are told only where rows name where they go.
        if self.lanes.iter().any(|lane| lane.destination.is_some()) {
            summary["lanes"] = self.lanes.iter().map(|lane| serde_json::Value::from(lane.fields())).collect();
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_s_line_and_json_count_the_same_actions() {
        let mut counts = PlanCounts::default();
        counts.add(PlanAction::Share);
        counts.add(PlanAction::Keep);
        counts.add(PlanAction::Keep);
        assert_eq!(counts.line(), "Plan: 0 to create, 0 to update, 1 to share, 2 kept as they are.");
        assert!(counts.changes(), "a share is a write");
        let json = counts.json();
        assert_eq!(json.len(), PlanAction::ALL.len(), "{json:?}");
        assert_eq!((json["share"].as_u64(), json["kept"].as_u64()), (Some(1), Some(2)));
        let mut unchanged = PlanCounts::default();
        unchanged.add(PlanAction::Unchanged);
        unchanged.add(PlanAction::Refuse);
        assert!(!unchanged.changes());
    }
}
