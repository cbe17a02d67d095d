//! `wa-bulk plan`: what `import` would do, row by row and member by member,
//! before anything is written, as `terraform plan` shows it. It reads the
//! sheet and validates it as `import` does, reads what the service holds
//! through a lane (one listing, and GetWorkload for the workloads whose
//! members it compares), decides each row with the same pure
//! [`plan`](crate::submit::plan::plan) that `import` applies, and prints the
//! decisions. Nothing is written to the service.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::import::{Rows, Service, client_for, connect, destination, read_rows};
use super::{Summary, print_line};
use crate::RunError;
use crate::destination::Destination;
use crate::input::InputOptions;
use crate::model::{Field, WorkloadRequest};
use crate::problem::quoted;
use crate::report::guard::refuse_the_input;
use crate::report::journal::InputIdentity;
use crate::report::sink::PendingFile;
use crate::report::workbook::RunFacts;
use crate::report::{Format, Record, ReportError, Status, sink, temporary_path};
use crate::submit::OnExisting;
use crate::submit::apply::{self, held_shares};
use crate::submit::fleet::{self, FleetConfig, Group, Roles};
use crate::submit::plan::{Action, Existing, Policy, Prune, Snapshot, changes, fingerprint, plan};
use crate::submit::{Lane, Pending, Stop, StopReason, SubmitConfig, read};

#[derive(Debug, Clone)]
pub struct PlanConfig {
    pub input: InputOptions,
    /// Where to write the action of each row, if anywhere.
    pub report: Option<(PathBuf, Format)>,
    pub service: Service,
    pub submit: SubmitConfig,
    /// One JSON object a row on stdout instead of the text plan.
    pub json: bool,
    /// Where to save the plan, for `import --plan`.
    pub out: Option<PathBuf>,
    /// How to reach other accounts, and how many lanes read at once.
    pub fleet: FleetConfig,
}

/// A plan saved by `plan --out`, which `import --plan` applies: the sheet
/// it was made from (by its bytes), the policy, and each row's action and
/// the fingerprint of what the service held.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SavedPlan {
    /// The format's version: 1.
    pub wa_bulk_plan: u32,
    pub input: String,
    pub sha256: String,
    pub on_existing: OnExisting,
    pub prune_tags: bool,
    pub prune_lenses: bool,
    #[serde(default)]
    pub prune_shares: bool,
    pub rows: Vec<PlannedRow>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlannedRow {
    pub row: u64,
    pub name: String,
    pub action: String,
    pub workload_id: Option<String>,
    /// What the decision rested on; none for an invalid row.
    pub fingerprint: Option<String>,
    pub changes: Vec<String>,
}

impl SavedPlan {
    fn new(input: &InputOptions, policy: Policy, steps: &[Step]) -> Result<SavedPlan, RunError> {
        let identity = sheet_identity(input)?;
        let rows = steps
            .iter()
            .map(|step| {
                let record = step.record();
                PlannedRow {
                    row: record.row,
                    name: record.workload_name.to_string(),
                    action: step.verb().to_owned(),
                    workload_id: record.workload_id.clone(),
                    fingerprint: match step {
                        Step::Invalid(_) | Step::Unreachable { .. } => None,
                        Step::Valid { existing, .. } => Some(fingerprint(existing.as_deref())),
                    },
                    changes: step.changes(),
                }
            })
            .collect();
        Ok(SavedPlan {
            wa_bulk_plan: 1,
            input: identity.input,
            sha256: identity.sha256.unwrap_or_default(),
            on_existing: policy.on_existing,
            prune_tags: policy.prune.tags,
            prune_lenses: policy.prune.lenses,
            prune_shares: policy.prune.shares,
            rows,
        })
    }

    /// Writes the plan, never over the input nor over a file that is not a
    /// plan.
    fn write(&self, out: &Path, input: &InputOptions) -> Result<(), RunError> {
        refuse_the_input(input.file(), &[out, &temporary_path(out)])?;
        if std::fs::symlink_metadata(out).is_ok() && SavedPlan::read(out).is_err() {
            return Err(ReportError::NotOurs { path: out.display().to_string() }.into());
        }
        let mut file = PendingFile::create(out, b"")?;
        let json = serde_json::to_vec_pretty(self).expect("a plan always serialises");
        file.write(&json)?;
        file.finish(b"\n")?;
        Ok(())
    }

    /// A plan `plan --out` wrote, or why `path` is not one.
    pub fn read(path: &Path) -> Result<SavedPlan, String> {
        let text =
            std::fs::read(path).map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
        let plan: SavedPlan = serde_json::from_slice(&text).map_err(|error| {
            format!("{}: not a plan that wa-bulk plan --out wrote: {error}", path.display())
        })?;
        if plan.wa_bulk_plan != 1 {
            return Err(format!(
                "{}: a plan of version {}, this wa-bulk reads 1",
                path.display(),
                plan.wa_bulk_plan
            ));
        }
        Ok(plan)
    }

    /// Refuses the plan if the sheet is not the one it was made from.
    pub fn check_sheet(&self, identity: &InputIdentity, sheet: &Path, path: &Path) -> Result<(), RunError> {
        match identity.sha256.as_deref() {
            None => Err(RunError::Usage(NEEDS_A_FILE.into())),
            Some(sha256) if sha256 != self.sha256 => Err(RunError::Usage(format!(
                "{}: the sheet is not the one the plan {} was made from (its bytes differ): run plan again",
                sheet.display(),
                path.display()
            ))),
            Some(_) => Ok(()),
        }
    }

    pub fn policy(&self) -> Policy {
        Policy {
            on_existing: self.on_existing,
            prune: Prune { tags: self.prune_tags, lenses: self.prune_lenses, shares: self.prune_shares },
        }
    }

    /// Each planned valid row's fingerprint.
    pub fn expected(&self) -> HashMap<u64, String> {
        self.rows.iter().filter_map(|row| Some((row.row, row.fingerprint.clone()?))).collect()
    }
}

const NEEDS_A_FILE: &str = "a saved plan needs a file to read, not a stream";

/// The sheet's path and bytes; a plan is tied to a file, not a stream.
fn sheet_identity(input: &InputOptions) -> Result<InputIdentity, RunError> {
    let identity = InputIdentity::of_input(input)?;
    if identity.sha256.is_none() {
        return Err(RunError::Usage(NEEDS_A_FILE.into()));
    }
    Ok(identity)
}

/// What a plan found, for the summary and `--detailed-exitcode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanCounts {
    pub create: u64,
    pub update: u64,
    /// Rows whose workload stays as it is but gains or loses shares.
    pub share: u64,
    pub unchanged: u64,
    pub kept: u64,
    pub refused: u64,
    pub invalid: u64,
}

impl PlanCounts {
    /// Whether applying the plan would write anything.
    pub fn changes(&self) -> bool {
        self.create + self.update + self.share > 0
    }

    /// `Plan: 12 to create, 3 to update, 180 unchanged, 2 invalid.`
    pub fn line(&self) -> String {
        let mut parts = vec![format!("{} to create", self.create), format!("{} to update", self.update)];
        let rest = [
            (self.share, "to share"),
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
    let workbook = matches!(config.report, Some((_, Format::Xlsx)));
    let read = workbook.then(|| InputIdentity::of_input(&config.input)).transpose()?;
    let mut facts = RunFacts::new("plan", &config.input, read);
    let Rows { invalid, valid, problems, warnings, destinations, .. } = read_rows(&config.input)?;
    if destinations && config.out.is_some() {
        return Err(RunError::Usage(
            "--out does not save a plan of rows that name where they go (Target columns or --regions) yet"
                .into(),
        ));
    }
    let policy = config.submit.policy();
    let (base, emulator) = runtime.block_on(client_for(aws)).map_err(RunError::Runtime)?;
    let placing = fleet::placed(&base, valid, &config.input.regions, destinations);
    let (base_account, valid) = runtime.block_on(placing).map_err(RunError::Configuration)?;
    let lanes = Roles::new(&base, base_account.as_deref(), &config.fleet);
    let groups = fleet::group(valid);
    let shown = match &groups[..] {
        [one] => one
            .destination
            .as_ref()
            .map_or_else(|| destination(&config.service, &emulator), ToString::to_string),
        many => format!("{} lanes", many.len()),
    };
    let (decided, stopped) =
        runtime.block_on(decide_all(&lanes, groups, &config.submit, config.fleet.max_lanes));
    if let Some(emulator) = emulator {
        runtime.block_on(emulator.stop()).map_err(RunError::Runtime)?;
    }
    facts.parameters = super::parameters(shown, &config.submit, None);
    facts.destinations = destinations;

    let mut steps: Vec<Step> = invalid.into_iter().map(Step::Invalid).collect();
    steps.extend(decided);
    steps.sort_by_key(Step::key);
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
    if let Some(out) = &config.out {
        SavedPlan::new(&config.input, policy, &steps)?.write(out, &config.input)?;
    }
    if let Some((path, format)) = &config.report {
        let mut report = sink::create(path, *format, facts)?;
        records.iter().try_for_each(|record| report.write(record))?;
        report.finish()?;
    }
    let mut summary = Summary::new("plan", &[Status::Valid, Status::Invalid], None, warnings);
    summary.report = config.report.as_ref().map(|(path, _)| path.clone());
    records.iter().for_each(|record| summary.counts.add(record.status));
    problems.into_iter().for_each(|problem| summary.problem(problem));
    summary.stopped = stopped;
    summary.plan = Some(counts);
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Decides every row, a lane each place rows go, at most `max_lanes` at
/// once; and why a lane stopped reading, if one did.
async fn decide_all(
    lanes: &Roles,
    groups: Vec<Group>,
    config: &SubmitConfig,
    max_lanes: usize,
) -> (Vec<Step>, Option<StopReason>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(max_lanes.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for group in groups {
        let (client, config, slots) =
            (lanes.client(group.destination.as_ref()), config.clone(), slots.clone());
        tasks.spawn(async move {
            let _slot = slots.acquire_owned().await.expect("the semaphore is never closed");
            let (client, named) = match client.await {
                Ok(client) => client,
                Err(why) => {
                    let steps = group
                        .rows
                        .into_iter()
                        .map(|row| Step::Unreachable { row: Box::new(row), why: why.clone() });
                    return (steps.collect(), None);
                }
            };
            let lane = Arc::new(Lane::new(client, named, &config, Arc::new(Stop::default())));
            let policy = config.policy();
            let snapshot = read::snapshot(&lane, &group.rows, policy.on_existing).await;
            let mut steps = Vec::with_capacity(group.rows.len());
            for row in group.rows {
                let mut step = Step::decide(row, &snapshot, policy);
                step.plan_shares(&lane, policy.prune.shares).await;
                steps.push(step);
            }
            (steps, lane.stopped())
        });
    }
    let mut steps = Vec::new();
    let mut stopped = None;
    for (decided, stop) in tasks.join_all().await {
        steps.extend(decided);
        stopped = stopped.or(stop);
    }
    (steps, stopped)
}

/// One row of the plan.
enum Step {
    Invalid(Record<'static>),
    Valid {
        row: Box<Pending>,
        action: Action,
        existing: Option<Box<Existing>>,
        shares: Vec<String>,
    },
    /// Its account cannot be reached (no role to assume in it).
    Unreachable {
        row: Box<Pending>,
        why: String,
    },
}

impl Step {
    fn decide(row: Pending, snapshot: &Snapshot, policy: Policy) -> Step {
        let action = plan(&row.request, snapshot, policy);
        let existing = snapshot.get(row.request.name()).cloned().map(Box::new);
        Step::Valid { row: Box::new(row), action, existing, shares: Vec::new() }
    }

    /// The share calls the row would make: each share it lists that the
    /// workload lacks or holds at another permission, and with `prune` each
    /// one it does not list.
    async fn plan_shares(&mut self, lane: &Lane, prune: bool) {
        let Step::Valid { row, existing, shares, .. } = self else { return };
        let wanted = &row.placement.shares;
        if wanted.is_empty() {
            return;
        }
        let held = match existing {
            Some(existing) => {
                let mut attempts = 0;
                held_shares(lane, &existing.id, &mut attempts).await.unwrap_or_default()
            }
            None => Vec::new(),
        };
        *shares = crate::share::calls(wanted, &held, prune).iter().map(ToString::to_string).collect();
    }

    /// Where the row sits in the plan: its row, then where it goes.
    fn key(&self) -> (u64, Option<Destination>) {
        match self {
            Step::Invalid(record) => (record.row, None),
            Step::Valid { row, .. } | Step::Unreachable { row, .. } => (row.row, row.destination.clone()),
        }
    }

    fn count(&self, counts: &mut PlanCounts) {
        let count = match self {
            Step::Invalid(_) => &mut counts.invalid,
            Step::Unreachable { .. } => &mut counts.refused,
            Step::Valid { action, shares, .. } => match action {
                Action::Create => &mut counts.create,
                Action::Update { .. } => &mut counts.update,
                _ if !shares.is_empty() => &mut counts.share,
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
            Step::Unreachable { .. } => "refuse",
            Step::Valid { action: Action::Keep { .. } | Action::Unchanged { .. }, shares, .. }
                if !shares.is_empty() =>
            {
                "share"
            }
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
        let Step::Valid { row, action, existing, shares } = self else { return Vec::new() };
        let Action::Update { calls, .. } = action else { return shares.clone() };
        let current = existing.as_ref().and_then(|existing| existing.current.as_ref());
        let members = changes(&row.request, current.unwrap_or(&WorkloadRequest::default()));
        members.iter().map(ToString::to_string).chain(calls.others()).chain(shares.iter().cloned()).collect()
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
            "update" | "share" => "~",
            "refuse" => "!",
            "invalid" => "x",
            _ => "=",
        };
        let record = self.record();
        let id = record.workload_id.as_deref().map_or(String::new(), |id| format!(" ({id})"));
        let place = match (&record.account, &record.region) {
            (Some(account), Some(region)) => format!(" in {account} {region}"),
            _ => String::new(),
        };
        let mut text = format!(
            "{symbol} {:<9} row {} {}{place}{id}",
            self.verb(),
            record.row,
            quoted(&record.workload_name)
        );
        match self {
            Step::Invalid(record) => text.push_str(&format!(": {}", invalid_reason(record))),
            Step::Unreachable { why, .. } => text.push_str(&format!(": {why}")),
            Step::Valid { .. } => {}
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
            Step::Valid { .. } | Step::Unreachable { .. } => record.message.clone(),
        };
        serde_json::json!({
            "row": record.row,
            "account": record.account,
            "region": record.region,
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
            Step::Unreachable { row, why } => {
                let mut record = apply::refused(row, "NoRoleForAccount", &format!("plan: {why}"));
                record.status = Status::Valid;
                return record;
            }
            Step::Valid { row, action, existing, .. } => (row, action, existing),
        };
        let mut message = match action {
            Action::Create => "plan: create".to_owned(),
            Action::Update { .. } => format!("plan: update {}", self.changes().join("; ")),
            Action::Unchanged { .. } => "plan: unchanged".to_owned(),
            Action::Keep { .. } => "plan: exists, kept as it is (--on-existing skip)".to_owned(),
            Action::Refuse { .. } => "plan: exists, refused (--on-existing fail)".to_owned(),
        };
        if !matches!(action, Action::Update { .. }) && !self.changes().is_empty() {
            message.push_str(&format!("; {}", self.changes().join("; ")));
        }
        Record {
            row: row.row,
            workload_name: row.request.name().to_owned().into(),
            account: row.destination.as_ref().and_then(Destination::account).map(str::to_owned),
            region: row.destination.as_ref().map(|place| place.region.clone()),
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
