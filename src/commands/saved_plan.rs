//! A plan saved by `plan --out`, which `import --plan` applies exactly: the
//! sheet it was made from (by its bytes), the policy, and each row's
//! [`PlanAction`] with the fingerprint of what the service held when it was
//! decided. The actions are the plan's vocabulary: what `plan` shows, counts
//! and saves, each with one spelling.

use std::collections::HashMap;
use std::path::Path;

use crate::RunError;
use crate::input::InputOptions;
use crate::report::files::PendingFile;
use crate::report::guard::refuse_the_input;
use crate::report::identity::InputIdentity;
use crate::report::{ReportError, temporary_path};
use crate::submit::OnExisting;
use crate::submit::plan::{Policy, Prune};

/// What a plan does with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanAction {
    /// CreateWorkload.
    Create,
    /// Calls that change the workload.
    Update,
    /// The workload stays as it is but gains or loses shares.
    Share,
    /// The workload is as the row says.
    Unchanged,
    /// It exists and `--on-existing skip` keeps it as it is.
    Keep,
    /// It exists and `--on-existing fail` refuses it, or its account
    /// cannot be reached.
    Refuse,
    /// The row breaks a rule; nothing is sent.
    Invalid,
}

impl PlanAction {
    /// In the order the plan's summary counts them.
    pub const ALL: [PlanAction; 7] = [
        PlanAction::Create,
        PlanAction::Update,
        PlanAction::Share,
        PlanAction::Unchanged,
        PlanAction::Keep,
        PlanAction::Refuse,
        PlanAction::Invalid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanAction::Create => "create",
            PlanAction::Update => "update",
            PlanAction::Share => "share",
            PlanAction::Unchanged => "unchanged",
            PlanAction::Keep => "keep",
            PlanAction::Refuse => "refuse",
            PlanAction::Invalid => "invalid",
        }
    }

    /// The mark before a row's line in the text plan.
    pub fn symbol(self) -> char {
        match self {
            PlanAction::Create => '+',
            PlanAction::Update | PlanAction::Share => '~',
            PlanAction::Refuse => '!',
            PlanAction::Invalid => 'x',
            PlanAction::Unchanged | PlanAction::Keep => '=',
        }
    }

    /// Whether applying it writes to the service.
    pub fn changes(self) -> bool {
        matches!(self, PlanAction::Create | PlanAction::Update | PlanAction::Share)
    }

    /// What the summary line says after a count: `12 to create`.
    pub fn counted_as(self) -> &'static str {
        match self {
            PlanAction::Create => "to create",
            PlanAction::Update => "to update",
            PlanAction::Share => "to share",
            PlanAction::Unchanged => "unchanged",
            PlanAction::Keep => "kept as they are",
            PlanAction::Refuse => "refused",
            PlanAction::Invalid => "invalid",
        }
    }

    /// Whether the summary line counts it even when no row has it.
    pub fn always_counted(self) -> bool {
        matches!(self, PlanAction::Create | PlanAction::Update)
    }

    /// Its count's name in the JSON summary's `plan` object.
    pub fn count_key(self) -> &'static str {
        match self {
            PlanAction::Keep => "kept",
            PlanAction::Refuse => "refused",
            other => other.as_str(),
        }
    }
}

/// A plan as `plan --out` writes it.
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
    pub action: PlanAction,
    pub workload_id: Option<String>,
    /// What the decision rested on; none for an invalid row.
    pub fingerprint: Option<String>,
    pub changes: Vec<String>,
}

const NEEDS_A_FILE: &str = "a saved plan needs a file to read, not a stream";

impl SavedPlan {
    /// The plan of `rows`, made from the sheet `input` under `policy`.
    pub fn new(input: &InputOptions, policy: Policy, rows: Vec<PlannedRow>) -> Result<SavedPlan, RunError> {
        let identity = InputIdentity::of_input(input)?;
        let Some(sha256) = identity.sha256 else { return Err(RunError::Usage(NEEDS_A_FILE.into())) };
        Ok(SavedPlan {
            wa_bulk_plan: 1,
            input: identity.input,
            sha256,
            on_existing: policy.on_existing,
            prune_tags: policy.prune.tags,
            prune_lenses: policy.prune.lenses,
            prune_shares: policy.prune.shares,
            rows,
        })
    }

    /// Writes the plan, never over the input nor over a file that is not a
    /// plan.
    pub fn write(&self, out: &Path, input: &InputOptions) -> Result<(), RunError> {
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
