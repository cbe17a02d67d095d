//! Reading what the service holds, through a lane: every workload listed
//! once (all pages), and, where the policy compares members (`--on-existing
//! update`), each matching workload read with GetWorkload, in parallel within
//! the lane's bounds. A listing that fails for a row-level reason is logged:
//! conflicts are then resolved one by one as they come.

use std::sync::Arc;

use super::client::from_workload;
use super::lane::{CallError, Lane};
use super::plan::{Existing, Snapshot};
use super::{OnExisting, ValidRow};
use crate::model::WorkloadRequest;

/// What the service holds, as far as `rows` and `policy` need to know.
pub async fn snapshot(lane: &Arc<Lane>, rows: &[ValidRow], policy: OnExisting) -> Snapshot {
    let mut snapshot = match list_all(lane).await {
        Ok(snapshot) => snapshot,
        Err(CallError::Failed(failure)) => {
            tracing::warn!(error = %failure.message, "could not list existing workloads; conflicts will be resolved one by one");
            return Snapshot::default();
        }
        Err(CallError::Stopped(_)) => return Snapshot::default(),
    };
    if policy != OnExisting::Update {
        return snapshot;
    }
    let mut reads = tokio::task::JoinSet::new();
    for row in rows {
        if let Some(existing) = snapshot.get(row.request.name()) {
            let (lane, name, id) = (lane.clone(), row.request.name().to_owned(), existing.id.clone());
            reads.spawn(async move { (name, read_current(&lane, &id, &mut 0).await) });
        }
    }
    for (name, current) in reads.join_all().await {
        if let (Some(existing), Ok(current)) = (snapshot.get_mut(&name), current) {
            existing.current = Some(current);
        }
    }
    snapshot
}

/// Every workload the service holds, by normalised name.
pub async fn list_all(lane: &Lane) -> Result<Snapshot, CallError> {
    let mut snapshot = Snapshot::default();
    for listed in list(lane, None).await? {
        snapshot.insert(&listed.name, Existing { id: listed.id, arn: listed.arn, current: None });
    }
    Ok(snapshot)
}

/// A workload as ListWorkloads names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub arn: String,
    pub name: String,
}

impl Listed {
    /// The warning for a read that failed because the workload was deleted
    /// since it was listed; `None` for any other failure.
    pub fn deleted(&self, error: &CallError) -> Option<String> {
        let gone =
            matches!(error, CallError::Failed(failure) if failure.code() == "ResourceNotFoundException");
        gone.then(|| {
            format!(
                "workload {} ({}) was deleted between the listing and its read: not exported",
                crate::problem::quoted(&self.name),
                self.id
            )
        })
    }
}

/// The workloads whose names start with `prefix` (all of them without one),
/// every page, in the service's order.
pub async fn list(lane: &Lane, prefix: Option<&str>) -> Result<Vec<Listed>, CallError> {
    let mut listed = Vec::new();
    let mut next_token: Option<String> = None;
    let mut attempts = 0;
    loop {
        let page = lane
            .call(&mut attempts, || {
                lane.client()
                    .list_workloads()
                    .max_results(50)
                    .set_workload_name_prefix(prefix.map(str::to_owned))
                    .set_next_token(next_token.clone())
                    .send()
            })
            .await?;
        for summary in page.workload_summaries() {
            if let (Some(name), Some(id), Some(arn)) =
                (summary.workload_name(), summary.workload_id(), summary.workload_arn())
            {
                listed.push(Listed { id: id.to_owned(), arn: arn.to_owned(), name: name.to_owned() });
            }
        }
        next_token = page.next_token().map(str::to_owned);
        if next_token.is_none() {
            return Ok(listed);
        }
    }
}

/// A workload's members, as GetWorkload gives them.
pub async fn read_current(
    lane: &Lane,
    id: &str,
    attempts: &mut u32,
) -> Result<WorkloadRequest<'static>, CallError> {
    let output = lane.call(attempts, || lane.client().get_workload().workload_id(id).send()).await?;
    Ok(output.workload.map(|workload| from_workload(&workload)).unwrap_or_default())
}
