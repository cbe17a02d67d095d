//! An organisation in one run: a lane for each (account, Region) rows go
//! to, each with its own pacer and rate discovery, its own snapshot of what
//! exists, its own rows in progress and its own stop (a full Region stops
//! only its lane), all under one bound on requests in flight and at most
//! `--max-lanes` lanes at once, as StackSets bounds the accounts it works on
//! at once. Rows waiting for their lane's pacer hold no request slot, so a
//! slow lane never holds back a fast one.
//!
//! A lane in the base credentials' own account sends with them; a lane in
//! another account assumes `arn:aws:iam::<account>:role/<--role-name>`
//! through aws-config's STS role provider (session `wa-bulk`, the
//! ExternalId if given), whose credentials the SDK refreshes before they
//! expire. Without a role name, rows for another account are refused. A
//! role that cannot be assumed stops that account's lanes at their first
//! request, and their rows are skipped with the reason.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use aws_config::sts::AssumeRoleProvider;
use aws_sdk_wellarchitected::Client;
use aws_sdk_wellarchitected::config::{Region, SharedCredentialsProvider};
use aws_types::SdkConfig;
use tokio::sync::Semaphore;

use super::{
    Lane, Outcomes, Pending, ROWS_PER_REQUEST, Stale, Stop, StopReason, SubmitConfig, apply, submit,
};
use crate::destination::Destination;

/// Lanes at once unless `--max-lanes` says otherwise: an organisation's
/// usual spread of accounts and Regions, all at once.
pub const DEFAULT_MAX_LANES: usize = 64;

/// The session name of every assumed role.
pub const SESSION_NAME: &str = "wa-bulk";

/// How to reach other accounts, and how many lanes run at once.
#[derive(Debug, Clone)]
pub struct FleetConfig {
    /// Assumed in each target account that is not the base credentials' own.
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    pub max_lanes: usize,
}

impl Default for FleetConfig {
    fn default() -> Self {
        FleetConfig { role_name: None, external_id: None, max_lanes: DEFAULT_MAX_LANES }
    }
}

/// The account of the base credentials (STS GetCallerIdentity).
pub async fn base_account(base: &SdkConfig) -> Result<String, String> {
    let identity = aws_sdk_sts::Client::new(base).get_caller_identity().send().await.map_err(|error| {
        format!(
            "cannot tell the account of the credentials (STS GetCallerIdentity): {}",
            aws_sdk_sts::error::DisplayErrorContext(&error)
        )
    })?;
    identity.account.ok_or_else(|| "STS GetCallerIdentity named no account".to_owned())
}

/// The lanes a run has started, for progress and for Ctrl-C.
#[derive(Default)]
pub struct Board {
    lanes: Mutex<Vec<(Arc<Lane>, bool)>>,
    interrupted: Stop,
    /// How many lanes the run has.
    pub total: usize,
}

/// What the board shows at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BoardView {
    pub done: usize,
    pub active: usize,
    pub stopped: usize,
    pub throttled: u64,
    pub retried: u64,
    /// The sum of the active lanes' sending rates.
    pub rate: f64,
}

impl Board {
    pub fn new(total: usize) -> Board {
        Board { total, ..Board::default() }
    }

    /// The board of a command with one lane (export).
    pub fn of(lane: &Arc<Lane>) -> Arc<Board> {
        let board = Board::new(1);
        board.start(lane);
        Arc::new(board)
    }

    fn lanes(&self) -> std::sync::MutexGuard<'_, Vec<(Arc<Lane>, bool)>> {
        self.lanes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn start(&self, lane: &Arc<Lane>) {
        self.lanes().push((lane.clone(), false));
    }

    fn finish(&self, lane: &Arc<Lane>) {
        if let Some(entry) = self.lanes().iter_mut().find(|(started, _)| Arc::ptr_eq(started, lane)) {
            entry.1 = true;
        }
    }

    /// Ctrl-C: every lane stops, and none starts any more.
    pub fn interrupt(&self) {
        self.interrupted.stop(StopReason::Interrupted);
        for (lane, _) in self.lanes().iter() {
            lane.halt(StopReason::Interrupted);
        }
    }

    pub fn view(&self) -> BoardView {
        use std::sync::atomic::Ordering::Relaxed;
        let mut view = BoardView::default();
        for (lane, done) in self.lanes().iter() {
            view.throttled += lane.tally().throttled.load(Relaxed);
            view.retried += lane.tally().retried.load(Relaxed);
            match (done, lane.stopped()) {
                (_, Some(_)) => view.stopped += 1,
                (true, None) => view.done += 1,
                (false, None) => {
                    view.active += 1;
                    view.rate += lane.pacer().current();
                }
            }
        }
        view
    }
}

/// What one lane did.
pub struct LaneOutcome {
    /// `None` for the run's own account and Region, unnamed.
    pub destination: Option<Destination>,
    /// The lane, once it was made (rows refused before it never make one).
    pub lane: Option<Arc<Lane>>,
    pub stopped: Option<StopReason>,
}

/// Rows going to one place.
pub struct Group {
    pub destination: Option<Destination>,
    pub rows: Vec<Pending>,
}

/// Sends every group through a lane of its own, at most `fleet.max_lanes`
/// at once, each outcome to `outcomes`; what each lane did. A saved plan
/// that no longer holds (one lane only) sends nothing.
pub async fn send_all(
    base: &SdkConfig,
    base_account: Option<&str>,
    groups: Vec<Group>,
    config: &SubmitConfig,
    fleet: &FleetConfig,
    outcomes: Outcomes,
    board: Arc<Board>,
) -> Result<Vec<LaneOutcome>, Stale> {
    let concurrency = config.concurrency.max(1);
    let in_flight = Arc::new(Semaphore::new(concurrency));
    let slots = Arc::new(Semaphore::new(fleet.max_lanes.max(1)));
    let roles = Roles::new(base, base_account, fleet);
    let mut tasks = tokio::task::JoinSet::new();
    for (index, group) in groups.into_iter().enumerate() {
        let slot = slots.clone().acquire_owned().await.expect("the semaphore is never closed");
        let (outcomes, board, in_flight) = (outcomes.clone(), board.clone(), in_flight.clone());
        let in_progress = Arc::new(Semaphore::new(concurrency * ROWS_PER_REQUEST));
        let (config, lane_client) = (config.clone(), roles.client(group.destination.as_ref()));
        tasks.spawn(async move {
            let destination = group.destination;
            let outcome = |lane, stopped| LaneOutcome { destination: destination.clone(), lane, stopped };
            if let Some(reason) = board.interrupted.reason() {
                group.rows.iter().for_each(|row| drop(outcomes.send(apply::skipped(row, 0, &reason))));
                return (index, Ok(outcome(None, Some(reason))));
            }
            let (client, named) = match lane_client.await {
                Ok(client) => client,
                Err(refusal) => {
                    for row in &group.rows {
                        let _ = outcomes.send(apply::refused(row, "NoRoleForAccount", &refusal));
                    }
                    return (index, Ok(outcome(None, None)));
                }
            };
            let stop = Arc::new(Stop::default());
            let lane = Arc::new(Lane::sharing(client, named, &config, stop, in_flight));
            board.start(&lane);
            if board.interrupted.reason().is_some() {
                lane.halt(StopReason::Interrupted);
            }
            let sent = submit(lane.clone(), group.rows, &config, outcomes, in_progress).await;
            board.finish(&lane);
            drop(slot);
            let stopped = lane.stopped();
            (index, sent.map(|()| outcome(Some(lane), stopped)))
        });
    }
    let mut done: Vec<(usize, Result<LaneOutcome, Stale>)> = tasks.join_all().await;
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, outcome)| outcome).collect()
}

/// The credentials of each account: the base's own, or a role's.
pub struct Roles {
    base: SdkConfig,
    base_account: Option<String>,
    fleet: FleetConfig,
}

impl Roles {
    pub fn new(base: &SdkConfig, base_account: Option<&str>, fleet: &FleetConfig) -> Roles {
        Roles { base: base.clone(), base_account: base_account.map(str::to_owned), fleet: fleet.clone() }
    }

    /// A client for `destination` and the lane's name for messages; or why
    /// its rows cannot be sent.
    pub fn client(
        &self,
        destination: Option<&Destination>,
    ) -> impl std::future::Future<Output = Result<(Client, String), String>> + Send + 'static {
        let (base, base_account, fleet) = (self.base.clone(), self.base_account.clone(), self.fleet.clone());
        let destination = destination.cloned();
        async move {
            let Some(destination) = destination else {
                let named = base.endpoint_url().map_or_else(
                    || "the Well-Architected API of the configured Region".to_owned(),
                    str::to_owned,
                );
                return Ok((Client::new(&base), named));
            };
            let mut config = aws_sdk_wellarchitected::config::Builder::from(&base)
                .region(Region::new(destination.region.clone()));
            let own = destination.account.is_empty() || base_account.as_deref() == Some(&destination.account);
            if !own {
                let Some(role) = &fleet.role_name else {
                    return Err(format!(
                        "the row's Target account {} is not the account of the credentials ({}), and no \
                         --role-name says which role to assume in it",
                        destination.account,
                        base_account.as_deref().unwrap_or("unknown")
                    ));
                };
                let arn = format!("arn:aws:iam::{}:role/{role}", destination.account);
                let mut provider = AssumeRoleProvider::builder(arn).session_name(SESSION_NAME);
                if let Some(id) = &fleet.external_id {
                    provider = provider.external_id(id);
                }
                let provider = provider.configure(&base).build().await;
                config = config.credentials_provider(SharedCredentialsProvider::new(provider));
            }
            Ok((Client::from_conf(config.build()), destination.to_string()))
        }
    }
}

/// The rows, each once a place it goes, with the base credentials' account
/// (STS GetCallerIdentity, asked only when a row names a Target account:
/// rows that name a Region only need no STS), when rows name where they go;
/// as they are otherwise.
pub async fn placed(
    base: &SdkConfig,
    rows: Vec<Pending>,
    fan_out: &[String],
    destinations: bool,
) -> Result<(Option<String>, Vec<Pending>), String> {
    if !destinations {
        return Ok((None, rows));
    }
    let account = match rows.iter().any(|row| row.placement.account.is_some()) {
        true => Some(base_account(base).await?),
        false => None,
    };
    let region = base.region().map_or("us-east-1", |region| region.as_ref()).to_owned();
    let rows = destined(rows, fan_out, account.as_deref().unwrap_or_default(), &region);
    Ok((account, rows))
}

/// Each row once a Region it goes to: its targets, else `--regions`, else
/// the base credentials' account and Region.
fn destined(rows: Vec<Pending>, fan_out: &[String], base_account: &str, base_region: &str) -> Vec<Pending> {
    let mut destined = Vec::with_capacity(rows.len());
    for row in rows {
        let account = row.placement.account.as_deref().unwrap_or(base_account).to_owned();
        let mut regions = row.placement.regions(fan_out);
        if regions.is_empty() {
            regions.push(base_region);
        }
        let regions: Vec<String> = regions.into_iter().map(str::to_owned).collect();
        for region in regions {
            let destination = Some(Destination { account: account.clone(), region });
            destined.push(Pending { destination, ..row.clone() });
        }
    }
    destined
}

/// Rows grouped by where they go, in the order each place first appears.
pub fn group(rows: Vec<Pending>) -> Vec<Group> {
    let mut order: Vec<Option<Destination>> = Vec::new();
    let mut by_place: BTreeMap<Option<Destination>, Vec<Pending>> = BTreeMap::new();
    for row in rows {
        if !by_place.contains_key(&row.destination) {
            order.push(row.destination.clone());
        }
        by_place.entry(row.destination.clone()).or_default().push(row);
    }
    order
        .into_iter()
        .map(|destination| {
            let rows = by_place.remove(&destination).unwrap_or_default();
            Group { destination, rows }
        })
        .collect()
}
