//! Sending valid rows: the asynchronous half of the data path, in three
//! seams. A [`lane::Lane`] is the transport to one destination, through
//! which every request goes. [`read`] takes a [`plan::Snapshot`] of what the
//! service holds (one paginated ListWorkloads, and GetWorkload where the
//! policy needs a workload's members); [`plan::plan`] decides each row's
//! [`plan::Action`] from the row, the snapshot and `--on-existing`, with no
//! I/O; [`apply::apply`] carries the action out, and a ConflictException
//! re-plans that row against a fresh read. Each outcome leaves by one
//! channel as soon as it is known. A run-wide fault or Ctrl-C stops the lane:
//! rows in flight finish, and the rest are reported `skipped` with the reason.

pub mod apply;
pub mod client;
pub mod http;
pub mod lane;
pub mod places;
pub mod plan;
pub mod rate;
pub mod read;
pub mod references;
pub mod retry;

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::destination::{Destination, Placement};
use crate::model::WorkloadRequest;
use crate::report::{Record, Status};

pub use lane::{Lane, Stop, StopReason};
pub use rate::{Rate, RateFound};
use retry::Backoff;

/// How to send.
#[derive(Debug, Clone)]
pub struct SubmitConfig {
    pub rate: Rate,
    /// Token bucket size; default the ceiling.
    pub burst: Option<NonZeroU32>,
    pub concurrency: usize,
    pub max_attempts: u32,
    pub attempt_timeout: Duration,
    pub on_existing: OnExisting,
    /// What an update removes that the row does not name.
    pub prune: plan::Prune,
    /// A milestone to record on each workload created or updated.
    pub milestone: Option<String>,
    /// A saved plan's fingerprint of each row (by row number): a row whose
    /// workload now reads otherwise stops the run before anything is sent.
    pub expected: Option<Arc<HashMap<u64, String>>>,
    pub backoff: Backoff,
}

impl SubmitConfig {
    pub fn policy(&self) -> plan::Policy {
        plan::Policy { on_existing: self.on_existing, prune: self.prune }
    }
}

impl Default for SubmitConfig {
    fn default() -> Self {
        SubmitConfig {
            rate: Rate::Discover { max: rate::DEFAULT_MAX_RATE },
            burst: None,
            concurrency: 8,
            max_attempts: 8,
            attempt_timeout: Duration::from_secs(30),
            on_existing: OnExisting::Skip,
            prune: plan::Prune::default(),
            milestone: None,
            expected: None,
            backoff: Backoff::default(),
        }
    }
}

/// What to do with a row whose workload exists already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnExisting {
    /// Report it `exists`, with its id.
    Skip,
    /// Send its updatable members: `updated`, or `unchanged` if none differ.
    Update,
    /// Report it `failed`.
    Fail,
}

impl OnExisting {
    /// As `--on-existing` and a saved plan spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            OnExisting::Skip => "skip",
            OnExisting::Update => "update",
            OnExisting::Fail => "fail",
        }
    }
}

/// A valid row, ready to send.
#[derive(Debug, Clone)]
pub struct ValidRow {
    pub row: u64,
    pub request: WorkloadRequest<'static>,
    pub token: String,
    /// Where the row said it goes (its target cells).
    pub placement: Placement<'static>,
    /// Where it goes; `None` for the run's own account and Region.
    pub destination: Option<Destination>,
}

/// Where each row's outcome goes, as soon as it is known.
pub type Outcomes = std::sync::mpsc::Sender<Record<'static>>;

/// Rows in progress per request in flight. Rows waiting for the pacer or a
/// backoff hold no request slot; but every row in progress has taken a slot
/// from the pacer, and slots handed out stand when the pacer slows, so more
/// rows in progress would send more at the old rate after a cut. Measured
/// with `cargo bench --bench import`: 4 rows a request throttled 12% of
/// answers, 1 row a request 5%, as before lanes.
const ROWS_PER_REQUEST: usize = 1;

/// Rows of a saved plan whose workloads changed since it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale(pub Vec<(u64, String)>);

/// Sends every row through `lane`, each outcome to `outcomes`, with at
/// most [`ROWS_PER_REQUEST`] rows in progress a request the lane may have
/// in flight; or, for a saved plan that no longer holds, nothing.
pub async fn submit(
    lane: Arc<Lane>,
    rows: Vec<ValidRow>,
    config: &SubmitConfig,
    outcomes: Outcomes,
) -> Result<(), Stale> {
    let in_progress = Arc::new(Semaphore::new(config.concurrency.max(1) * ROWS_PER_REQUEST));
    let policy = config.policy();
    let milestone: Option<Arc<str>> = config.milestone.as_deref().map(Arc::from);
    let snapshot = Arc::new(read::snapshot(&lane, &rows, policy.on_existing).await);
    if let Some(expected) = &config.expected {
        let stale: Vec<(u64, String)> = rows
            .iter()
            .filter(|row| {
                let now = plan::fingerprint(snapshot.get(row.request.name()));
                expected.get(&row.row) != Some(&now)
            })
            .map(|row| (row.row, row.request.name().to_owned()))
            .collect();
        if !stale.is_empty() {
            return Err(Stale(stale));
        }
    }
    let mut tasks = tokio::task::JoinSet::new();
    for row in rows {
        let permit = in_progress.clone().acquire_owned().await.expect("the semaphore is never closed");
        if let Some(reason) = lane.stopped() {
            let _ = outcomes.send(apply::skipped(&row, 0, &reason));
            continue;
        }
        let (lane, snapshot, outcomes, milestone) =
            (lane.clone(), snapshot.clone(), outcomes.clone(), milestone.clone());
        let number = row.row;
        tasks.spawn(lane::ROW.scope(number, async move {
            let action = plan::plan(&row.request, &snapshot, policy);
            let mut record = apply::apply(&lane, &row, action, policy).await;
            if let Some(name) =
                milestone.filter(|_| matches!(record.status, Status::Created | Status::Updated))
            {
                apply::record_milestone(&lane, &mut record, &name).await;
            }
            let shares = &row.placement.shares;
            if !shares.is_empty() && record.status.is_done() {
                apply::share(&lane, &mut record, shares, policy.prune.shares).await;
            }
            let _ = outcomes.send(record);
            drop(permit);
        }));
    }
    tasks.join_all().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_is_spelt_as_the_command_line_and_a_saved_plan_spell_it() {
        use clap::ValueEnum;
        for policy in OnExisting::value_variants() {
            let saved = serde_json::to_value(policy).unwrap();
            assert_eq!(saved, policy.as_str());
            assert_eq!(policy.to_possible_value().unwrap().get_name(), policy.as_str());
        }
        let all = plan::Prune { tags: true, lenses: true, shares: true };
        assert_eq!(all.names(), ["tags", "lenses", "shares"]);
        assert!(plan::Prune::default().names().is_empty());
    }
}
