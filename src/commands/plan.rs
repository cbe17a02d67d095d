//! `wa-bulk plan`: what `import` would do, row by row and member by member,
//! before anything is written, as `terraform plan` shows it. It reads the
//! sheet and validates it as `import` does, reads what the service holds
//! through a lane (one listing, and GetWorkload for the workloads whose
//! members it compares), decides each row with the same pure
//! [`plan`](crate::submit::plan::plan) that `import` applies, and prints the
//! decisions. Nothing is written to the service.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::import::{Rows, Service, client_for, connect, destination, read_rows};
use super::{Summary, print_line};
use crate::RunError;
use crate::input::InputOptions;
use crate::model::{Field, WorkloadRequest};
use crate::problem::quoted;
use crate::report::{Format, Record, Status, sink};
use crate::submit::plan::{Action, Existing, Policy, Snapshot, changes, plan};
use crate::submit::{Lane, Pending, Stop, SubmitConfig, read};

#[derive(Debug, Clone)]
pub struct PlanConfig {
    pub input: InputOptions,
    /// Where to write the action of each row, if anywhere.
    pub report: Option<(PathBuf, Format)>,
    pub service: Service,
    pub submit: SubmitConfig,
    /// One JSON object a row on stdout instead of the text plan.
    pub json: bool,
}

/// What a plan found, for the summary and `--detailed-exitcode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanCounts {
    pub create: u64,
    pub update: u64,
    pub unchanged: u64,
    pub kept: u64,
    pub refused: u64,
    pub invalid: u64,
}

impl PlanCounts {
    /// Whether applying the plan would write anything.
    pub fn changes(&self) -> bool {
        self.create + self.update > 0
    }

    /// `Plan: 12 to create, 3 to update, 180 unchanged, 2 invalid.`
    pub fn line(&self) -> String {
        let mut parts = vec![format!("{} to create", self.create), format!("{} to update", self.update)];
        let rest = [
            (self.unchanged, "unchanged"),
            (self.kept, "kept as they are"),
            (self.refused, "refused"),
            (self.invalid, "invalid"),
        ];
        parts.extend(
            rest.iter().filter(|(count, _)| *count > 0).map(|(count, what)| format!("{count} {what}")),
        );
        format!("Plan: {}.", parts.join(", "))
    }
}

pub fn run(config: &PlanConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    let (runtime, aws) = connect(&config.service)?;
    let Rows { invalid, valid, problems, warnings, .. } = read_rows(&config.input)?;
    let policy = config.submit.policy();
    let stop = Arc::new(Stop::default());
    let snapshot = runtime
        .block_on(async {
            let (client, emulator) = client_for(aws).await?;
            let destination = destination(&config.service, &emulator);
            let lane = Arc::new(Lane::new(client, destination, &config.submit, stop.clone()));
            let snapshot = read::snapshot(&lane, &valid, policy.on_existing).await;
            if let Some(emulator) = emulator {
                emulator.stop().await?;
            }
            Ok::<_, std::io::Error>(snapshot)
        })
        .map_err(RunError::Runtime)?;

    let mut steps: Vec<Step> = invalid.into_iter().map(Step::Invalid).collect();
    steps.extend(valid.into_iter().map(|row| Step::decide(row, &snapshot, policy)));
    steps.sort_by_key(Step::row);
    let mut counts = PlanCounts::default();
    let mut records = Vec::with_capacity(steps.len());
    for step in &steps {
        step.count(&mut counts);
        if config.json {
            print_line(&step.json().to_string());
        } else {
            step.text().lines().for_each(print_line);
        }
        records.push(step.record());
    }
    if let Some((path, format)) = &config.report {
        let mut report = sink::create(path, *format)?;
        records.iter().try_for_each(|record| report.write(record))?;
        report.finish()?;
    }
    let mut summary = Summary::new("plan", &[Status::Valid, Status::Invalid], None, warnings);
    summary.report = config.report.as_ref().map(|(path, _)| path.clone());
    records.iter().for_each(|record| summary.counts.add(record.status));
    problems.into_iter().for_each(|problem| summary.problem(problem));
    summary.stopped = stop.reason();
    summary.plan = Some(counts);
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// One row of the plan.
enum Step {
    Invalid(Record<'static>),
    Valid { row: Box<Pending>, action: Action, existing: Option<Box<Existing>> },
}

impl Step {
    fn decide(row: Pending, snapshot: &Snapshot, policy: Policy) -> Step {
        let action = plan(&row.request, snapshot, policy);
        let existing = snapshot.get(row.request.name()).cloned().map(Box::new);
        Step::Valid { row: Box::new(row), action, existing }
    }

    fn row(&self) -> u64 {
        match self {
            Step::Invalid(record) => record.row,
            Step::Valid { row, .. } => row.row,
        }
    }

    fn count(&self, counts: &mut PlanCounts) {
        let count = match self {
            Step::Invalid(_) => &mut counts.invalid,
            Step::Valid { action, .. } => match action {
                Action::Create => &mut counts.create,
                Action::Update { .. } => &mut counts.update,
                Action::Unchanged { .. } => &mut counts.unchanged,
                Action::Keep { .. } => &mut counts.kept,
                Action::Refuse { .. } => &mut counts.refused,
            },
        };
        *count += 1;
    }

    /// `create`, `update`, `unchanged`, `keep`, `refuse` or `invalid`.
    fn verb(&self) -> &'static str {
        match self {
            Step::Invalid(_) => "invalid",
            Step::Valid { action, .. } => match action {
                Action::Create => "create",
                Action::Update { .. } => "update",
                Action::Unchanged { .. } => "unchanged",
                Action::Keep { .. } => "keep",
                Action::Refuse { .. } => "refuse",
            },
        }
    }

    /// What would change, member by member, then each other call (updates only).
    fn changes(&self) -> Vec<String> {
        let Step::Valid { row, action: Action::Update { calls, .. }, existing } = self else {
            return Vec::new();
        };
        let current = existing.as_ref().and_then(|existing| existing.current.as_ref());
        let members = changes(&row.request, current.unwrap_or(&WorkloadRequest::default()));
        members.iter().map(ToString::to_string).chain(calls.others()).collect()
    }

    /// Members the row gives that no call can change once the workload
    /// exists: said, not hidden.
    fn fixed(&self) -> Vec<&'static str> {
        match self {
            Step::Valid { row, action: Action::Update { .. } | Action::Unchanged { .. }, .. } => {
                [Field::ReviewTemplateArns]
                    .into_iter()
                    .filter(|field| !row.request.list(*field).is_empty())
                    .map(Field::api_member)
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The text plan: a line per row, then a line per change.
    fn text(&self) -> String {
        let symbol = match self.verb() {
            "create" => "+",
            "update" => "~",
            "refuse" => "!",
            "invalid" => "x",
            _ => "=",
        };
        let record = self.record();
        let id = record.workload_id.as_deref().map_or(String::new(), |id| format!(" ({id})"));
        let mut text =
            format!("{symbol} {:<9} row {} {}{id}", self.verb(), record.row, quoted(&record.workload_name));
        if let Step::Invalid(record) = self {
            text.push_str(&format!(": {}", invalid_reason(record)));
        }
        for change in self.changes() {
            text.push_str(&format!("\n      {change}"));
        }
        for member in self.fixed() {
            text.push_str(&format!(
                "\n    - {member}: cannot change in place (it applies only when a workload is created)"
            ));
        }
        text
    }

    fn json(&self) -> serde_json::Value {
        let record = self.record();
        let message = match self {
            Step::Invalid(record) => invalid_reason(record),
            Step::Valid { .. } => record.message.clone(),
        };
        serde_json::json!({
            "row": record.row,
            "name": record.workload_name,
            "action": self.verb(),
            "workload_id": record.workload_id,
            "changes": self.changes(),
            "cannot_change": self.fixed(),
            "message": message,
        })
    }

    /// The row's line of the report: its verdict, and the action as its message.
    fn record(&self) -> Record<'static> {
        let (row, action, existing) = match self {
            Step::Invalid(record) => return record.clone(),
            Step::Valid { row, action, existing } => (row, action, existing),
        };
        let message = match action {
            Action::Create => "plan: create".to_owned(),
            Action::Update { .. } => format!("plan: update {}", self.changes().join("; ")),
            Action::Unchanged { .. } => "plan: unchanged".to_owned(),
            Action::Keep { .. } => "plan: exists, kept as it is (--on-existing skip)".to_owned(),
            Action::Refuse { .. } => "plan: exists, refused (--on-existing fail)".to_owned(),
        };
        Record {
            row: row.row,
            workload_name: row.request.name().to_owned().into(),
            status: Status::Valid,
            workload_id: existing.as_ref().map(|existing| existing.id.clone()),
            workload_arn: existing.as_ref().map(|existing| existing.arn.clone()),
            attempts: 0,
            error_code: None,
            message,
            problems: Vec::new(),
        }
    }
}

/// `2 problems, the first: row 5, column "Description" …`.
fn invalid_reason(record: &Record<'_>) -> String {
    let errors: Vec<_> = record.problems.iter().filter(|problem| problem.is_error()).collect();
    match errors.as_slice() {
        [] => record.message.clone(),
        [only] => only.to_string(),
        [first, ..] => format!("{} problems, the first: {first}", errors.len()),
    }
}
