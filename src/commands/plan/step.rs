//! One row of a plan: its [`PlanAction`], what would change member by
//! member and call by call, and how the row shows (a text line and its
//! changes, a JSON object, a line of the report, a row of a saved plan).

use crate::commands::saved_plan::{PlanAction, PlannedRow};
use crate::destination::Destination;
use crate::model::{Field, WorkloadRequest};
use crate::problem::quoted;
use crate::report::{Record, Status};
use crate::submit::apply::{self, held_shares};
use crate::submit::plan::{Action, Existing, Policy, Snapshot, changes, fingerprint, plan};
use crate::submit::{Lane, ValidRow};

/// One row of the plan.
pub(super) enum Step {
    Invalid(Record<'static>),
    Valid {
        row: Box<ValidRow>,
        action: Action,
        existing: Option<Box<Existing>>,
        shares: Vec<String>,
    },
    /// Its account cannot be reached (no role to assume in it), or its
    /// lane stopped before it could read (`code` says which).
    Unreachable {
        row: Box<ValidRow>,
        code: String,
        why: String,
    },
}

impl Step {
    pub(super) fn decide(row: ValidRow, snapshot: &Snapshot, policy: Policy) -> Step {
        let action = plan(&row.request, snapshot, policy);
        let existing = snapshot.get(row.request.name()).cloned().map(Box::new);
        Step::Valid { row: Box::new(row), action, existing, shares: Vec::new() }
    }

    /// The share calls the row would make: each share it lists that the
    /// workload lacks or holds at another permission, and with `prune` each
    /// one it does not list. A row refused (`--on-existing fail`) shares
    /// nothing, as import does not.
    pub(super) async fn plan_shares(&mut self, lane: &Lane, prune: bool) {
        let Step::Valid { row, existing, shares, action } = self else { return };
        let wanted = &row.placement.shares;
        if wanted.is_empty() || matches!(action, Action::Refuse { .. }) {
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

    /// The problems of a row found invalid.
    pub(super) fn problems(&self) -> &[crate::problem::Problem] {
        match self {
            Step::Invalid(record) => &record.problems,
            Step::Valid { .. } | Step::Unreachable { .. } => &[],
        }
    }

    /// Where the row sits in the plan: its row, then where it goes.
    pub(super) fn key(&self) -> (u64, Option<Destination>) {
        match self {
            Step::Invalid(record) => (record.row, None),
            Step::Valid { row, .. } | Step::Unreachable { row, .. } => (row.row, row.destination.clone()),
        }
    }

    pub(super) fn action(&self) -> PlanAction {
        match self {
            Step::Invalid(_) => PlanAction::Invalid,
            Step::Unreachable { .. } => PlanAction::Refuse,
            Step::Valid { action: Action::Keep { .. } | Action::Unchanged { .. }, shares, .. }
                if !shares.is_empty() =>
            {
                PlanAction::Share
            }
            Step::Valid { action, .. } => match action {
                Action::Create => PlanAction::Create,
                Action::Update { .. } => PlanAction::Update,
                Action::Unchanged { .. } => PlanAction::Unchanged,
                Action::Keep { .. } => PlanAction::Keep,
                Action::Refuse { .. } => PlanAction::Refuse,
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
    pub(super) fn text(&self) -> String {
        let action = self.action();
        let record = self.record();
        let id = record.workload_id.as_deref().map_or(String::new(), |id| format!(" ({id})"));
        let place = match (&record.account, &record.region) {
            (Some(account), Some(region)) => format!(" in {account} {region}"),
            // A row sent to a Region of the credentials' own account (--regions).
            (None, Some(region)) => format!(" in {region}"),
            _ => String::new(),
        };
        let mut text = format!(
            "{} {:<9} row {} {}{place}{id}",
            action.symbol(),
            action.as_str(),
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

    pub(super) fn json(&self) -> serde_json::Value {
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
            "action": self.action(),
            "workload_id": record.workload_id,
            "changes": self.changes(),
            "cannot_change": self.fixed(),
            "message": message,
        })
    }

    /// The row as a saved plan keeps it.
    pub(super) fn planned(&self) -> PlannedRow {
        let record = self.record();
        PlannedRow {
            row: record.row,
            name: record.workload_name.to_string(),
            action: self.action(),
            workload_id: record.workload_id.clone(),
            fingerprint: match self {
                Step::Invalid(_) | Step::Unreachable { .. } => None,
                Step::Valid { existing, .. } => Some(fingerprint(existing.as_deref())),
            },
            changes: self.changes(),
        }
    }

    /// The row's line of the report: its verdict, and the action as its message.
    pub(super) fn record(&self) -> Record<'static> {
        let (row, action, existing) = match self {
            Step::Invalid(record) => return record.clone(),
            Step::Unreachable { row, code, why } => {
                let mut record = apply::refused(row, code, &format!("plan: {why}"));
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
