//! An organisation in one run: a lane for each (account, Region) a command
//! works in, each with its own pacer and rate discovery, its own stop (a
//! full Region stops only its lane) and its own job, all under one bound on
//! requests in flight and at most `--max-lanes` lanes at once, as StackSets
//! bounds the accounts it works on at once. A job waiting for its lane's
//! pacer holds no request slot, so a slow lane never holds back a fast one.
//!
//! What a lane does is its [`Job`]: import's sends, plan's and export's
//! reads. The fleet gives each job a lane, or tells it why there is none
//! (its account cannot be reached, or the run was interrupted first).

use std::future::Future;
use std::sync::Arc;

use tokio::sync::Semaphore;

use super::board::Board;
use super::rates::RateMemory;
use super::roles::Roles;
use crate::destination::Destination;
use crate::submit::{Lane, Stop, StopReason, SubmitConfig};

/// A command's work in one (account, Region).
pub trait Job: Send + 'static {
    /// What the job gives back.
    type Output: Send + 'static;

    /// Where it works; `None` for the run's own account and Region, unnamed.
    fn destination(&self) -> Option<&Destination>;

    /// Does the work through `lane`.
    fn run(self, lane: Arc<Lane>) -> impl Future<Output = Self::Output> + Send;

    /// Its destination cannot be reached (no role to assume in it): why.
    fn unreachable(self, why: String) -> Self::Output;

    /// The run was interrupted before the job's lane started.
    fn not_started(self, reason: StopReason) -> Self::Output;
}

/// What one lane did.
pub struct LaneOutcome<T> {
    /// `None` for the run's own account and Region, unnamed.
    pub destination: Option<Destination>,
    /// The lane, once it was made (a job that could not reach its
    /// destination never makes one).
    pub lane: Option<Arc<Lane>>,
    pub stopped: Option<StopReason>,
    /// What the job gave back.
    pub output: T,
}

/// Runs every job on a lane of its own, at most `max_lanes` at once, every
/// lane's requests in flight under `config.concurrency`; what each did, in
/// the jobs' order.
pub(super) async fn run<J: Job>(
    roles: &Roles,
    memory: &Arc<RateMemory>,
    jobs: Vec<J>,
    config: &SubmitConfig,
    max_lanes: usize,
    board: Arc<Board>,
) -> Vec<LaneOutcome<J::Output>> {
    let in_flight = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let slots = Arc::new(Semaphore::new(max_lanes.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, job) in jobs.into_iter().enumerate() {
        let slot = slots.clone().acquire_owned().await.expect("the semaphore is never closed");
        let (board, in_flight, config) = (board.clone(), in_flight.clone(), config.clone());
        let client = roles.client(job.destination());
        let (memory, key) = (memory.clone(), roles.memory_key(job.destination()));
        tasks.spawn(async move {
            let destination = job.destination().cloned();
            let outcome = |lane, stopped, output| LaneOutcome { destination, lane, stopped, output };
            if let Some(reason) = board.interrupted() {
                return (index, outcome(None, Some(reason.clone()), job.not_started(reason)));
            }
            let (client, named) = match client.await {
                Ok(client) => client,
                Err(why) => return (index, outcome(None, None, job.unreachable(why))),
            };
            let (stop, learned) = (Arc::new(Stop::default()), memory.start(&key));
            let lane = Arc::new(Lane::sharing(client, named, &config, stop, in_flight, learned));
            board.start(&lane);
            let output = job.run(lane.clone()).await;
            board.finish(&lane);
            memory.learn(&key, &lane.pacer().found());
            drop(slot);
            let stopped = lane.stopped();
            (index, outcome(Some(lane), stopped, output))
        });
    }
    let mut done = tasks.join_all().await;
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, outcome)| outcome).collect()
}
