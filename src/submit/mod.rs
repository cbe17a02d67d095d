//! Sending valid rows: the asynchronous half of the data path.
//!
//! Each row becomes one CreateWorkload with a token derived from its content.
//! Every request (create, list, get, update) goes through the same steps,
//! as separate pieces: the pacer (rate, then AIMD), a concurrency limit, a
//! per-attempt timeout, and the retry decision of [`retry::classify`]. A
//! workload that exists already, found before sending (one paginated
//! ListWorkloads) or by a ConflictException, is matched by its normalised
//! name and then skipped, updated or failed as `--on-existing` says. A
//! run-wide fault or Ctrl-C stops new requests; rows already in flight
//! finish, and the rest are reported `skipped` with the reason.

pub mod client;
pub mod rate;
pub mod retry;

use std::collections::HashMap;
use std::error::Error;
use std::future::Future;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_sdk_wellarchitected::Client;
use aws_sdk_wellarchitected::config::http::HttpResponse;
use aws_sdk_wellarchitected::error::{ProvideErrorMetadata, SdkError};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::Semaphore;

use crate::model::{WorkloadRequest, name_key};
use crate::report::{Record, Status};

use rate::Pacer;
use retry::{Backoff, Failure, FailureKind, Verdict, classify};

/// How to send.
#[derive(Debug, Clone)]
pub struct SubmitConfig {
    pub rate: f64,
    /// Token bucket size; default the rate.
    pub burst: Option<NonZeroU32>,
    pub concurrency: usize,
    pub max_attempts: u32,
    pub attempt_timeout: Duration,
    pub on_existing: OnExisting,
    pub backoff: Backoff,
}

impl Default for SubmitConfig {
    fn default() -> Self {
        SubmitConfig {
            rate: 5.0,
            burst: None,
            concurrency: 8,
            max_attempts: 8,
            attempt_timeout: Duration::from_secs(30),
            on_existing: OnExisting::Skip,
            backoff: Backoff::default(),
        }
    }
}

/// What to do with a row whose workload exists already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnExisting {
    /// Report it `exists`, with its id.
    Skip,
    /// Send its updatable members: `updated`, or `unchanged` if none differ.
    Update,
    /// Report it `failed`.
    Fail,
}

/// A valid row, ready to send.
#[derive(Debug, Clone)]
pub struct Pending {
    pub row: u64,
    pub request: WorkloadRequest<'static>,
    pub token: String,
}

/// Why a run stopped sending before the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// A fault no other row can get past (quota, access, credentials).
    RunWide { code: String, detail: String },
    /// Ctrl-C.
    Interrupted,
}

impl StopReason {
    fn run_wide(failure: &Failure) -> StopReason {
        StopReason::RunWide { code: failure.code().to_owned(), detail: failure.message.clone() }
    }

    /// The `error_code` of the rows the stop kept from being sent.
    pub fn code(&self) -> &str {
        match self {
            StopReason::RunWide { code, .. } => code,
            StopReason::Interrupted => "Interrupted",
        }
    }
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StopReason::RunWide { code, detail } => write!(f, "the run stopped after {code}: {detail}"),
            StopReason::Interrupted => f.write_str("the run was interrupted (Ctrl-C)"),
        }
    }
}

/// Shared by every task of a run: set once, by the first reason to stop.
#[derive(Debug, Default)]
pub struct Stop {
    reason: Mutex<Option<StopReason>>,
}

impl Stop {
    pub fn stop(&self, reason: StopReason) {
        self.reason.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(reason);
    }

    pub fn reason(&self) -> Option<StopReason> {
        self.reason.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// Told of each row's outcome as soon as it is known.
pub type OnOutcome = Arc<dyn Fn(&Record<'static>) + Send + Sync>;

/// Sends every row; returns their outcomes (in no particular order).
pub async fn submit(
    client: Client,
    rows: Vec<Pending>,
    config: SubmitConfig,
    stop: Arc<Stop>,
    on_outcome: OnOutcome,
) -> Vec<Record<'static>> {
    let run = Arc::new(Run {
        pacer: Pacer::new(config.rate, config.burst),
        client,
        stop,
        rng: Mutex::new(StdRng::from_rng(&mut rand::rng())),
        existing: Mutex::new(HashMap::new()),
        config,
    });
    run.find_existing().await;
    let slots = Arc::new(Semaphore::new(run.config.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    let mut outcomes = Vec::with_capacity(rows.len());
    for row in rows {
        let permit = slots.clone().acquire_owned().await.expect("the semaphore is never closed");
        if let Some(reason) = run.stop.reason() {
            let skipped = run.skipped(&row, 0, &reason);
            on_outcome(&skipped);
            outcomes.push(skipped);
            continue;
        }
        let (run, on_outcome) = (run.clone(), on_outcome.clone());
        tasks.spawn(async move {
            let outcome = run.send(&row).await;
            on_outcome(&outcome);
            drop(permit);
            outcome
        });
    }
    outcomes.extend(tasks.join_all().await);
    outcomes
}

/// The state of one run.
struct Run {
    client: Client,
    config: SubmitConfig,
    pacer: Pacer,
    stop: Arc<Stop>,
    rng: Mutex<StdRng>,
    /// Workloads that exist, by normalised name: (id, ARN).
    existing: Mutex<HashMap<Box<str>, (String, String)>>,
}

/// Why a request did not succeed.
enum CallError {
    Failed(Failure),
    Stopped(StopReason),
}

/// A record in the making.
struct Outcome(Record<'static>);

impl Outcome {
    fn message(mut self, message: String) -> Record<'static> {
        self.0.message = message;
        self.0
    }

    fn workload(mut self, id: &str, arn: &str) -> Outcome {
        self.0.workload_id = Some(id.to_owned());
        self.0.workload_arn = Some(arn.to_owned());
        self
    }

    fn done(self) -> Record<'static> {
        self.0
    }
}

impl Run {
    fn record(&self, row: &Pending, status: Status, attempts: u32) -> Outcome {
        Outcome(Record {
            row: row.row,
            workload_name: row.request.name().to_owned().into(),
            status,
            workload_id: None,
            workload_arn: None,
            attempts,
            error_code: None,
            message: String::new(),
        })
    }

    fn failed(&self, row: &Pending, attempts: u32, failure: &Failure) -> Record<'static> {
        let mut record = self.record(row, Status::Failed, attempts).0;
        record.error_code = Some(failure.code().to_owned());
        record.message = failure.message.clone();
        if failure.kind == FailureKind::Timeout {
            record.message.push_str(
                "; the service may have acted on the request all the same: run the import again \
                 (or --resume) and the row's name and token find what it did",
            );
        }
        record
    }

    /// Sends one SDK request, paced, timed and retried; counts its attempts.
    async fn call<T, E, F, Fut>(&self, attempts: &mut u32, mut send: F) -> Result<T, CallError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + Error + 'static,
    {
        self.attempt(attempts, || {
            let sent = send();
            async move { sent.await.map_err(|error| Failure::from_sdk(&error)) }
        })
        .await
    }

    /// The attempt loop behind [`Run::call`]: pacer, timeout, classify, wait.
    async fn attempt<T, F, Fut>(&self, attempts: &mut u32, mut send: F) -> Result<T, CallError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        loop {
            if let Some(reason) = self.stop.reason() {
                return Err(CallError::Stopped(reason));
            }
            self.pacer.acquire().await;
            if let Some(reason) = self.stop.reason() {
                return Err(CallError::Stopped(reason));
            }
            *attempts += 1;
            let failure = match tokio::time::timeout(self.config.attempt_timeout, send()).await {
                Ok(Ok(output)) => {
                    self.pacer.answered(false);
                    return Ok(output);
                }
                Ok(Err(failure)) => failure,
                Err(_) => Failure::timed_out(self.config.attempt_timeout),
            };
            self.pacer.answered(failure.is_throttling());
            if classify(&failure) != Verdict::Retry || *attempts >= self.config.max_attempts {
                return Err(CallError::Failed(failure));
            }
            let delay = {
                let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
                self.config.backoff.delay(*attempts, &failure, &mut *rng)
            };
            tracing::debug!(attempt = *attempts, code = ?failure.code, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    /// Lists every workload once, so that rows that exist are not sent.
    async fn find_existing(&self) {
        match self.list_all().await {
            Ok(found) => *self.existing.lock().unwrap_or_else(PoisonError::into_inner) = found,
            Err(CallError::Failed(failure)) => {
                if classify(&failure) == Verdict::StopRun {
                    self.stop.stop(StopReason::run_wide(&failure));
                } else {
                    tracing::warn!(error = %failure.message, "could not list existing workloads; conflicts will be resolved one by one");
                }
            }
            Err(CallError::Stopped(_)) => {}
        }
    }

    async fn list_all(&self) -> Result<HashMap<Box<str>, (String, String)>, CallError> {
        let mut found = HashMap::new();
        let mut next_token: Option<String> = None;
        let mut attempts = 0;
        loop {
            let page = self
                .call(&mut attempts, || {
                    self.client.list_workloads().max_results(50).set_next_token(next_token.clone()).send()
                })
                .await?;
            for summary in page.workload_summaries() {
                if let (Some(name), Some(id), Some(arn)) =
                    (summary.workload_name(), summary.workload_id(), summary.workload_arn())
                {
                    found.insert(name_key(name), (id.to_owned(), arn.to_owned()));
                }
            }
            next_token = page.next_token().map(str::to_owned);
            if next_token.is_none() {
                return Ok(found);
            }
        }
    }

    async fn send(&self, row: &Pending) -> Record<'static> {
        let key = name_key(row.request.name());
        let known = self.existing.lock().unwrap_or_else(PoisonError::into_inner).get(&key).cloned();
        let mut attempts = 0;
        if let Some((id, arn)) = known {
            return self.resolve_existing(row, &id, &arn, attempts).await;
        }
        let created = self
            .call(&mut attempts, || client::create_workload(&self.client, &row.request, &row.token).send())
            .await;
        match created {
            Ok(output) => self
                .record(row, Status::Created, attempts)
                .workload(output.workload_id().unwrap_or_default(), output.workload_arn().unwrap_or_default())
                .done(),
            Err(CallError::Stopped(reason)) => self.skipped(row, attempts, &reason),
            Err(CallError::Failed(failure)) => match classify(&failure) {
                Verdict::Conflict => self.conflict(row, &key, attempts).await,
                Verdict::StopRun => {
                    // The row is fine; the run cannot go on.
                    self.stop.stop(StopReason::run_wide(&failure));
                    let mut record = self.failed(row, attempts, &failure);
                    record.status = Status::Skipped;
                    record
                }
                Verdict::Retry | Verdict::Fail => self.failed(row, attempts, &failure),
            },
        }
    }

    fn skipped(&self, row: &Pending, attempts: u32, reason: &StopReason) -> Record<'static> {
        let sent =
            if attempts == 0 { "not sent".to_owned() } else { format!("given up after {attempts} attempts") };
        let mut record = self.record(row, Status::Skipped, attempts).message(format!("{sent}: {}", reason));
        record.error_code = Some(reason.code().to_owned());
        record
    }

    /// A ConflictException: find the workload by its normalised name.
    async fn conflict(&self, row: &Pending, key: &str, attempts: u32) -> Record<'static> {
        match self.list_all().await {
            Ok(found) => {
                let existing = found.get(key).cloned();
                *self.existing.lock().unwrap_or_else(PoisonError::into_inner) = found;
                match existing {
                    Some((id, arn)) => self.resolve_existing(row, &id, &arn, attempts).await,
                    None => {
                        let mut record = self.record(row, Status::Failed, attempts).0;
                        record.error_code = Some("ConflictException".into());
                        record.message =
                            "the service reports a workload of this name, but none is listed".into();
                        record
                    }
                }
            }
            Err(CallError::Stopped(reason)) => self.skipped(row, attempts, &reason),
            Err(CallError::Failed(failure)) => self.failed(row, attempts, &failure),
        }
    }

    /// A workload with the row's name exists: skip, update or fail.
    async fn resolve_existing(
        &self,
        row: &Pending,
        id: &str,
        arn: &str,
        mut attempts: u32,
    ) -> Record<'static> {
        match self.config.on_existing {
            OnExisting::Skip => self.record(row, Status::Exists, attempts).workload(id, arn).done(),
            OnExisting::Fail => {
                let mut record = self.record(row, Status::Failed, attempts).workload(id, arn).done();
                record.error_code = Some("WorkloadExists".into());
                record.message =
                    format!("a workload named like this exists ({id}) and --on-existing is fail");
                record
            }
            OnExisting::Update => {
                let current = match self
                    .call(&mut attempts, || self.client.get_workload().workload_id(id).send())
                    .await
                {
                    Ok(output) => {
                        output.workload.map(|workload| client::from_workload(&workload)).unwrap_or_default()
                    }
                    Err(CallError::Stopped(reason)) => return self.skipped(row, attempts, &reason),
                    Err(CallError::Failed(failure)) => return self.failed(row, attempts, &failure),
                };
                let changed = client::differences(&row.request, &current);
                if changed.is_empty() {
                    return self.record(row, Status::Unchanged, attempts).workload(id, arn).done();
                }
                let update = client::update_workload(&self.client, id, &row.request);
                match self.call(&mut attempts, || update.clone().send()).await {
                    Ok(_) => {
                        let names: Vec<&str> = changed.iter().map(|field| field.api_member()).collect();
                        self.record(row, Status::Updated, attempts)
                            .workload(id, arn)
                            .message(format!("updated {}", names.join(", ")))
                    }
                    Err(CallError::Stopped(reason)) => self.skipped(row, attempts, &reason),
                    Err(CallError::Failed(failure)) => self.failed(row, attempts, &failure),
                }
            }
        }
    }
}

impl Failure {
    fn is_throttling(&self) -> bool {
        self.code.as_deref() == Some("ThrottlingException") || self.kind == FailureKind::Answered(429)
    }

    /// The service's error code, or what kind of failure it was.
    pub fn code(&self) -> &str {
        self.code.as_deref().unwrap_or(self.kind.name())
    }
}

impl FailureKind {
    /// The report's `error_code` when the service gave none.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Timeout => "Timeout",
            FailureKind::Connection => "ConnectionError",
            FailureKind::Setup => "RequestNotSent",
            FailureKind::Answered(_) => "HttpError",
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn run(max_attempts: u32) -> Run {
        Run {
            client: crate::emulator::local_client("http://127.0.0.1:9"),
            config: SubmitConfig {
                rate: 1e6,
                max_attempts,
                attempt_timeout: Duration::from_secs(1),
                ..SubmitConfig::default()
            },
            pacer: Pacer::new(1e6, None),
            stop: Arc::new(Stop::default()),
            rng: Mutex::new(StdRng::seed_from_u64(3)),
            existing: Mutex::new(HashMap::new()),
        }
    }

    fn answered(status: u16, code: &str) -> Failure {
        Failure {
            kind: FailureKind::Answered(status),
            code: Some(code.into()),
            message: code.into(),
            retry_after: None,
        }
    }

    /// Calls `attempt` with a sender that fails with `failure` every time.
    async fn always_failing(run: &Run, failure: Failure) -> (u32, u32, Duration) {
        let sent = AtomicU32::new(0);
        let mut attempts = 0;
        let started = tokio::time::Instant::now();
        let result: Result<(), CallError> = run
            .attempt(&mut attempts, || {
                sent.fetch_add(1, Ordering::Relaxed);
                let failure = failure.clone();
                async move { Err(failure) }
            })
            .await;
        assert!(matches!(result, Err(CallError::Failed(_))));
        (sent.load(Ordering::Relaxed), attempts, started.elapsed())
    }

    #[tokio::test(start_paused = true)]
    async fn retryable_failures_are_sent_max_attempts_times_with_bounded_waits() {
        for failure in [
            answered(429, "ThrottlingException"),
            answered(500, "InternalServerException"),
            answered(503, ""),
        ] {
            let (sent, attempts, waited) = always_failing(&run(8), failure).await;
            assert_eq!((sent, attempts), (8, 8));
            // Seven waits, each at most its ceiling: 100 ms doubling to 6.4 s.
            assert!(
                waited <= Duration::from_millis(100 + 200 + 400 + 800 + 1600 + 3200 + 6400),
                "{waited:?}"
            );
            assert!(waited > Duration::ZERO);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn other_failures_are_sent_once() {
        for failure in [
            answered(400, "ValidationException"),
            answered(409, "ConflictException"),
            answered(402, "ServiceQuotaExceededException"),
            answered(403, "AccessDeniedException"),
        ] {
            let (sent, _, waited) = always_failing(&run(8), failure).await;
            assert_eq!(sent, 1);
            assert_eq!(waited, Duration::ZERO);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_attempt_with_no_answer_times_out_and_is_retried() {
        let run = run(3);
        let mut attempts = 0;
        let started = tokio::time::Instant::now();
        let result: Result<(), CallError> = run.attempt(&mut attempts, std::future::pending).await;
        match result {
            Err(CallError::Failed(failure)) => assert_eq!(failure.kind, FailureKind::Timeout),
            _ => panic!("expected a timeout"),
        }
        assert_eq!(attempts, 3);
        assert!(started.elapsed() >= Duration::from_secs(3), "three attempts of 1 s each");
    }

    #[tokio::test(start_paused = true)]
    async fn a_stopped_run_sends_nothing_more() {
        let run = run(8);
        run.stop.stop(StopReason::Interrupted);
        let mut attempts = 0;
        let result: Result<(), CallError> = run.attempt(&mut attempts, || async { Ok(()) }).await;
        assert!(matches!(result, Err(CallError::Stopped(StopReason::Interrupted))));
        assert_eq!(attempts, 0);
    }

    #[test]
    fn on_existing_reads_its_three_words() {
        use clap::ValueEnum;
        assert_eq!(OnExisting::from_str("skip", false), Ok(OnExisting::Skip));
        assert_eq!(OnExisting::from_str("update", false), Ok(OnExisting::Update));
        assert_eq!(OnExisting::from_str("fail", false), Ok(OnExisting::Fail));
        assert!(OnExisting::from_str("replace", false).is_err());
    }
}
