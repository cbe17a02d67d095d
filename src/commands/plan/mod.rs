//! `wa-bulk plan`: what `import` would do, row by row and member by member,
//! before anything is written, as `terraform plan` shows it. It reads the
//! sheet and validates it as `import` does, reads what the service holds
//! through the fleet (a [`Decide`] job a lane: one listing, and GetWorkload
//! for the workloads whose members it compares), decides each row with the
//! same pure [`plan`](crate::submit::plan::plan) that `import` applies
//! ([`step`]), and prints the decisions. Nothing is written to the service.

mod step;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::print_line;
use super::rows::{Rows, placed, read_rows};
use super::saved_plan::SavedPlan;
use super::summary::{PlanCounts, RowNote, Summary, parameters};
use crate::RunError;
use crate::destination::Destination;
use crate::input::InputOptions;
use crate::report::identity::InputIdentity;
use crate::report::workbook::RunFacts;
use crate::report::{Format, Record, Status, create_sink};
use crate::service::{FleetConfig, Job, Service, Session};
use crate::submit::places::{Group, group};
use crate::submit::plan::Policy;
use crate::submit::references::{self, ReferenceColumns};
use crate::submit::{Lane, StopReason, SubmitConfig, ValidRow, apply, read};
use step::Step;

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

pub fn run(config: &PlanConfig) -> Result<Summary, RunError> {
    let started = Instant::now();
    let mut session = Session::open(&config.service, &config.fleet)?;
    let workbook = matches!(config.report, Some((_, Format::Xlsx)));
    let read = workbook.then(|| InputIdentity::of_input(&config.input)).transpose()?;
    let mut facts = RunFacts::new("plan", &config.input, read);
    let Rows { invalid, valid, mut problems, warnings, destinations, references, .. } =
        read_rows(&config.input)?;
    if destinations && config.out.is_some() {
        return Err(RunError::Usage(
            "--out does not save a plan of rows that name where they go (Target columns or --regions) yet"
                .into(),
        ));
    }
    let valid = placed(&mut session, valid, &config.input.fan_out, destinations)?;
    let (decided, stopped, shown) = decide_all(&mut session, (valid, references), config)?;
    // Rows found invalid where they go tell their problems as the others do.
    problems.extend(decided.iter().flat_map(Step::problems).map(RowNote::from));
    facts.parameters = parameters(shown, &config.submit, None);
    facts.destinations = destinations;

    let mut steps: Vec<Step> = invalid.into_iter().map(Step::Invalid).collect();
    steps.extend(decided);
    steps.sort_by_key(Step::key);
    let (counts, records) = show(&steps, config.json);
    if let Some(out) = &config.out {
        let planned = steps.iter().map(Step::planned).collect();
        SavedPlan::new(&config.input, config.submit.policy(), planned)?.write(out, &config.input)?;
    }
    if let Some((path, format)) = &config.report {
        let mut report = create_sink(path, *format, facts)?;
        records.iter().try_for_each(|record| report.write(record))?;
        report.finish()?;
    }
    let mut summary = Summary::new("plan", &[Status::Valid, Status::Invalid], None, warnings);
    summary.report = config.report.as_ref().map(|(path, _)| path.clone());
    records.iter().for_each(|record| summary.counts.add(record.status));
    problems.into_iter().for_each(|problem| summary.problem(problem));
    summary.stopped = stopped.or(session.interrupted());
    session.close();
    summary.plan = Some(counts);
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Decides every row, a lane each place rows go; why a lane stopped
/// reading, if one did; and where the plan read, as its Summary names it.
fn decide_all(
    session: &mut Session,
    (valid, references): (Vec<ValidRow>, Arc<ReferenceColumns>),
    config: &PlanConfig,
) -> Result<(Vec<Step>, Option<StopReason>, String), RunError> {
    let groups = group(valid);
    let shown = match &groups[..] {
        [one] => one
            .destination
            .as_ref()
            .map_or_else(|| session.roles().map(|roles| roles.base_name()), |place| Ok(place.to_string()))?,
        many => format!("{} lanes", many.len()),
    };
    let policy = config.submit.policy();
    let jobs = groups.into_iter().map(|group| Decide { group, policy, references: references.clone() });
    let jobs = jobs.collect();
    let lanes = session.run(jobs, &config.submit)?;
    let stopped = lanes.iter().find_map(|lane| lane.stopped.clone());
    let steps = lanes.into_iter().flat_map(|lane| lane.output).collect();
    Ok((steps, stopped, shown))
}

/// Prints each step (text, or a JSON object a row); the plan's counts and
/// each row's line of the report.
fn show(steps: &[Step], json: bool) -> (PlanCounts, Vec<Record<'static>>) {
    let mut counts = PlanCounts::default();
    let mut records = Vec::with_capacity(steps.len());
    for step in steps {
        counts.add(step.action());
        if json {
            print_line(&step.json().to_string());
        } else {
            step.text().lines().for_each(print_line);
        }
        records.push(step.record());
    }
    (counts, records)
}

/// Plan's job on a lane: check what the group's rows name, read what the
/// service holds of them and decide each.
struct Decide {
    group: Group,
    policy: Policy,
    references: Arc<ReferenceColumns>,
}

impl Job for Decide {
    type Output = Vec<Step>;

    fn destination(&self) -> Option<&Destination> {
        self.group.destination.as_ref()
    }

    async fn run(self, lane: Arc<Lane>) -> Vec<Step> {
        let mut problems = references::check(&lane, &self.group.rows, &self.references).await;
        let snapshot = read::snapshot(&lane, &self.group.rows, self.policy.on_existing).await;
        // A lane that stopped (a run-wide fault, Ctrl-C) read nothing to
        // decide by: its rows are not planned, and say why.
        if let Some(reason) = lane.stopped() {
            return self.not_started(reason);
        }
        let mut steps = Vec::with_capacity(self.group.rows.len());
        for row in self.group.rows {
            if let Some(found) = problems.remove(&row.row) {
                steps.push(Step::Invalid(apply::invalid(&row, found)));
                continue;
            }
            let mut step = Step::decide(row, &snapshot, self.policy);
            step.plan_shares(&lane, self.policy.prune.shares).await;
            steps.push(step);
        }
        steps
    }

    fn unreachable(self, why: String) -> Vec<Step> {
        self.not_planned("NoRoleForAccount", why)
    }

    fn not_started(self, reason: StopReason) -> Vec<Step> {
        self.not_planned(reason.code(), format!("not planned: {reason}"))
    }
}

impl Decide {
    /// Every row, not decided, and why.
    fn not_planned(self, code: &str, why: String) -> Vec<Step> {
        let rows = self.group.rows.into_iter();
        let step = |row| Step::Unreachable { row: Box::new(row), code: code.to_owned(), why: why.clone() };
        rows.map(step).collect()
    }
}
