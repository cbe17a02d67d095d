//! One module per command. Each takes a plain config (never clap types) and
//! returns a [`Summary`] that `main` prints and turns into the exit code.

pub mod export;
pub mod import;
pub mod plan;
mod progress;
pub mod template;
pub mod validate;

use std::path::{Path, PathBuf};
use std::process::{ExitCode, Termination};
use std::time::Duration;

use crate::RunError;
use crate::destination::Destination;
use crate::problem::Problem;
use crate::report::{Counts, Record, Status};
use crate::stderr::{self, Fields, Level};
pub use crate::stdout::print_line;
use crate::submit::{RateFound, StopReason};
use plan::PlanCounts;

/// What the exit code says: one meaning each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Every row is valid, or in place.
    Success = 0,
    /// Some rows are invalid or failed.
    RowsFailed = 1,
    /// Bad usage or unreadable input: nothing was sent.
    Unusable = 2,
    /// A run-wide fault stopped the run.
    Stopped = 3,
    /// Requests were sent but the report could not be written; the
    /// journal keeps every outcome.
    ReportNotWritten = 4,
    /// Ctrl-C.
    Interrupted = 130,
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(self as u8)
    }
}

/// How many problems the terminal shows; the report has them all.
const PROBLEMS_SHOWN: usize = 20;

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
    /// `problem` (the row is invalid), `warning` (it stays valid) or
    /// `failed` (the service refused it, or its attempts ran out).
    pub kind: &'static str,
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
            kind: if problem.is_error() { "problem" } else { "warning" },
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
            kind: "failed",
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
        let level = if self.kind == "warning" { Level::Warn } else { Level::Error };
        let text = format!("{}: {}", input.display(), self.text);
        stderr::event(level, self.kind, &self.message, fields, &text);
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
    pub fn of(lane: &crate::submit::Lane, config: &crate::submit::SubmitConfig) -> Traffic {
        use std::sync::atomic::Ordering;
        Traffic {
            found: lane.pacer().found(),
            limit: match config.rate {
                crate::submit::Rate::Fixed(rate) => Some(rate),
                crate::submit::Rate::Discover { .. } => None,
            },
            throttled: lane.tally().throttled.load(Ordering::Relaxed),
            retried: lane.tally().retried.load(Ordering::Relaxed),
        }
    }

    /// How the requests of several lanes went together: one lane's own
    /// figures, or the sums of the lanes' throttled and retried requests.
    pub fn of_all<'l>(
        lanes: impl Iterator<Item = &'l crate::submit::Lane>,
        config: &crate::submit::SubmitConfig,
    ) -> Traffic {
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
        match self.found.service {
            Some(service) => Some(format!(
                "rate: the service throttled above about {service:.1} requests/s; pin it with --rate {:.1}",
                service * 0.95
            )),
            None if self.found.highest_sent > 0.0 => Some(format!(
                "rate: never throttled; up to {:.1} requests/s went out",
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
            "limit": self.limit,
        })
    }
}

/// What a results workbook's Summary says of a run that reads the service:
/// where it went, how existing workloads are met, and how requests went.
pub fn parameters(
    destination: String,
    config: &crate::submit::SubmitConfig,
    traffic: Option<&Traffic>,
) -> Vec<(&'static str, String)> {
    let serde_json::Value::String(on_existing) = serde_json::json!(config.on_existing) else {
        unreachable!("OnExisting serialises as a string")
    };
    let mut prune: Vec<&str> = Vec::new();
    prune.extend(config.prune.tags.then_some("tags"));
    prune.extend(config.prune.lenses.then_some("lenses"));
    let mut parameters = vec![("Destination", destination), ("Existing workloads", on_existing)];
    if !prune.is_empty() {
        parameters.push(("Prune", prune.join(", ")));
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
    fn line(&self) -> String {
        let place = self.destination.as_ref().map_or_else(|| "the run's own".to_owned(), ToString::to_string);
        let mut line = format!("lane {place}: {}", self.counts.per_status(&[]));
        if let Some(rate) = self.traffic.line() {
            line.push_str(&format!("; {rate}"));
        }
        if let Some(reason) = &self.stopped {
            line.push_str(&format!("; stopped early: {reason}"));
        }
        line
    }

    fn json(&self) -> serde_json::Value {
        let counts: Fields = Status::ALL
            .iter()
            .filter(|status| self.counts.get(**status) > 0)
            .map(|status| (status.as_str().to_owned(), self.counts.get(*status).into()))
            .collect();
        let destination = self.destination.as_ref();
        serde_json::json!({
            "account": destination.and_then(Destination::account),
            "region": destination.map(|place| place.region.clone()),
            "rows": self.counts.total(),
            "counts": counts,
            "stopped": self.stopped.as_ref().map(stop_json),
            "rate": self.traffic.json(),
            "throttled": self.traffic.throttled,
            "retried": self.traffic.retried,
        })
    }
}

/// Why the run stopped, from its lanes: Ctrl-C if it came, else the first
/// lane stopped by a run-wide fault (named when there are several lanes).
pub fn stop_of(lanes: &[LaneLine]) -> Option<StopReason> {
    if lanes.iter().any(|lane| lane.stopped == Some(StopReason::Interrupted)) {
        return Some(StopReason::Interrupted);
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

/// A lane's figures as the fields of a JSON log line.
fn lane_fields(lane: &LaneLine) -> Fields {
    lane.json().as_object().cloned().unwrap_or_default()
}

fn stop_json(reason: &StopReason) -> serde_json::Value {
    serde_json::json!({"code": reason.code(), "message": reason.to_string()})
}

/// What a command did.
#[derive(Debug)]
pub struct Summary {
    /// `validate` or `import`.
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
    /// The summary line, when the command says it its own way (export,
    /// template).
    pub said: Option<String>,
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
            said: None,
        }
    }

    /// Counts a problem, and keeps it for the terminal while there is room.
    pub fn problem(&mut self, problem: RowNote) {
        self.problems += 1;
        if self.first_problems.len() < PROBLEMS_SHOWN {
            self.first_problems.push(problem);
        }
    }

    /// Interrupted, stopped by a run-wide fault, some rows invalid or
    /// failed, or success.
    pub fn exit(&self) -> Exit {
        match &self.stopped {
            Some(StopReason::Interrupted) => Exit::Interrupted,
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
        let counts = match &self.plan {
            Some(plan) => plan.line(),
            None if self.said.is_some() => return self.said.clone().unwrap_or_default(),
            None => self.counts.line(self.headline, self.elapsed),
        };
        match &self.report {
            Some(report) => format!("{counts}; report: {}", report.display()),
            None => counts,
        }
    }

    /// The summary as one JSON object, for `--output json`.
    pub fn json(&self, input: &Path) -> serde_json::Value {
        let counts: Fields = Status::ALL
            .iter()
            .filter(|status| self.headline.contains(status) || self.counts.get(**status) > 0)
            .map(|status| (status.as_str().to_owned(), self.counts.get(*status).into()))
            .collect();
        let stopped = self.stopped.as_ref().map(stop_json);
        let mut summary = serde_json::json!({
            "command": self.command,
            "input": input.display().to_string(),
            "rows": self.counts.total(),
            "counts": counts,
            "problems": self.problems,
            "stopped": stopped,
            "report": self.report.as_ref().map(|path| path.display().to_string()),
            "duration_s": (self.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            "exit_code": self.exit() as u8,
        });
        if let Some(plan) = &self.plan {
            summary["plan"] = serde_json::json!({
                "create": plan.create, "update": plan.update, "unchanged": plan.unchanged,
                "kept": plan.kept, "refused": plan.refused, "invalid": plan.invalid,
            });
        }
        if let Some(traffic) = &self.traffic {
            summary["rate"] = traffic.json();
            summary["throttled"] = traffic.throttled.into();
            summary["retried"] = traffic.retried.into();
        }
        if !self.lanes.is_empty() {
            summary["lanes"] = self.lanes.iter().map(LaneLine::json).collect();
        }
        summary
    }
}

/// The form of the final summary on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Form {
    Text,
    Json,
}

/// How a command's outcome is told.
#[derive(Debug, Clone)]
pub struct Telling {
    pub input: PathBuf,
    pub summary: Form,
    /// Errors, warnings and the summary only.
    pub quiet: bool,
    /// stdout carries JSON lines only, so a text summary goes to stderr.
    pub stdout_is_json_lines: bool,
    /// Terraform's `--detailed-exitcode`: 0 nothing to change, 2 changes, 1 error.
    pub detailed_exitcode: bool,
}

/// Tells what a command found (stderr) and its summary (stdout), and turns
/// the outcome into the exit code.
pub fn finish(outcome: Result<Summary, RunError>, telling: &Telling, command: &'static str) -> ExitCode {
    let changes = outcome.as_ref().ok().and_then(|summary| summary.plan).map(|plan| plan.changes());
    let exit = tell(outcome, telling, command);
    match (telling.detailed_exitcode, exit, changes) {
        (false, exit, _) => exit.report(),
        (true, Exit::Success, Some(true)) => ExitCode::from(2),
        (true, Exit::Success, _) => ExitCode::SUCCESS,
        (true, _, _) => ExitCode::FAILURE,
    }
}

fn tell(outcome: Result<Summary, RunError>, telling: &Telling, command: &'static str) -> Exit {
    let summary = match outcome {
        Ok(summary) => summary,
        Err(error) => {
            stderr::error(&error.to_string());
            let exit = error.exit();
            if telling.summary == Form::Json {
                let input = telling.input.display().to_string();
                let line = serde_json::json!({
                    "command": command, "input": input, "error": error.to_string(), "exit_code": exit as u8,
                });
                print_line(&line.to_string());
            }
            return exit;
        }
    };
    for warning in &summary.warnings {
        stderr::warning(warning);
    }
    if !telling.quiet {
        for problem in &summary.first_problems {
            problem.log(&telling.input);
        }
        let more = summary.problems - summary.first_problems.len() as u64;
        if more > 0 {
            let mut fields = Fields::new();
            fields.insert("more".into(), more.into());
            let text = format!("… and {more} more problems in the report");
            stderr::event(Level::Info, "more_problems", &text, fields, &text);
        }
    }
    if summary.lanes.len() > 1 && !telling.quiet {
        for lane in &summary.lanes {
            let line = lane.line();
            stderr::event(Level::Info, "lane", &line, lane_fields(lane), &line);
        }
    }
    if let Some(reason) = &summary.stopped {
        let mut fields = Fields::new();
        fields.insert("code".into(), reason.code().into());
        let text = format!("stopped early: {reason}");
        stderr::event(Level::Error, "stopped", &reason.to_string(), fields, &text);
    }
    let rate = summary
        .traffic
        .as_ref()
        .filter(|_| !telling.quiet)
        .and_then(|traffic| Some((traffic, traffic.line()?)));
    if let Some((traffic, line)) = rate {
        let mut fields = Fields::new();
        fields.insert("service".into(), traffic.found.service.into());
        fields.insert("highest_sent".into(), traffic.found.highest_sent.into());
        stderr::event(Level::Info, "rate", &line, fields, &line);
    }
    match telling.summary {
        Form::Json => print_line(&summary.json(&telling.input).to_string()),
        Form::Text if telling.stdout_is_json_lines => stderr::line(&summary.line()),
        Form::Text => print_line(&summary.line()),
    }
    summary.exit()
}
