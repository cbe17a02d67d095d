//! A lane: everything needed to send to one destination (one account and
//! Region): its client, its pacer, its retry policy, its bound on requests
//! in flight, and its stop flag. Every request of every command goes through
//! [`Lane::call`], built from separate pieces in the order vector stacks its
//! layers: the pacer (rate, then AIMD), then the bound on requests in flight
//! (held only while a request is out, never through a wait), then the
//! per-attempt timeout, then the retry decision of [`classify`]. Throttling
//! is recognised there, once, and that verdict slows the pacer; a run-wide
//! fault stops this lane. Today a run has one lane; the shape allows many.

use std::error::Error;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_sdk_wellarchitected::Client;
use aws_sdk_wellarchitected::config::http::HttpResponse;
use aws_sdk_wellarchitected::error::{ProvideErrorMetadata, SdkError};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::Semaphore;

use super::SubmitConfig;
use super::rate::Pacer;
use super::retry::{Backoff, Failure, FailureKind, Verdict, classify};
use crate::signal::Signal;
use crate::stderr::{self, Fields, Level};

/// Why a lane stopped sending before the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// A fault no other request can get past (quota, access, credentials).
    RunWide { code: String, detail: String },
    /// Ctrl-C, or a signal that stops the run as Ctrl-C does.
    Interrupted(Signal),
}

impl StopReason {
    fn run_wide(failure: &Failure) -> StopReason {
        StopReason::RunWide { code: failure.code().to_owned(), detail: failure.message.clone() }
    }

    /// The `error_code` of the rows the stop kept from being sent.
    pub fn code(&self) -> &str {
        match self {
            StopReason::RunWide { code, .. } => code,
            StopReason::Interrupted(_) => "Interrupted",
        }
    }
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StopReason::RunWide { code, detail } => write!(f, "the run stopped after {code}: {detail}"),
            StopReason::Interrupted(Signal::Interrupt) => f.write_str("the run was interrupted (Ctrl-C)"),
            StopReason::Interrupted(Signal::Terminate) => f.write_str("the run was stopped by SIGTERM"),
            StopReason::Interrupted(Signal::HangUp) => {
                f.write_str("the run was stopped by SIGHUP (its terminal closed)")
            }
        }
    }
}

/// Set once, by the first reason to stop; shared by whatever may stop a lane.
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

/// Why a request did not succeed.
#[derive(Debug)]
pub enum CallError {
    /// Its last attempt failed, and no more are made.
    Failed(Failure),
    /// The lane stopped before it could be sent (again).
    Stopped(StopReason),
}

impl CallError {
    /// The stop of a run that cannot go on without this call: the lane's
    /// own, or the call's failure as a run-wide fault.
    pub fn into_stop(self) -> StopReason {
        match self {
            CallError::Stopped(reason) => reason,
            CallError::Failed(failure) => {
                StopReason::RunWide { code: failure.code().to_owned(), detail: failure.message }
            }
        }
    }
}

/// What a lane's requests met, counted as they go, for progress and the
/// summary.
#[derive(Debug, Default)]
pub struct Tally {
    pub throttled: AtomicU64,
    pub retried: AtomicU64,
}

tokio::task_local! {
    /// The input row a task sends for, for the lines that speak of it.
    pub static ROW: u64;
}

/// Consecutive requests that could not connect, across rows, after which
/// the lane stops although it reached its destination before.
const CONNECTION_FAILURES_TO_STOP: u32 = 16;

/// The transport to one destination.
pub struct Lane {
    client: Client,
    /// Where requests go, for messages: an endpoint URL, or a Region.
    destination: String,
    /// Whether any request has had an answer.
    answered: AtomicBool,
    /// Requests in a row that could not connect.
    connection_failures: AtomicU32,
    pacer: Pacer,
    tally: Tally,
    /// Requests in flight: the lane's own, or shared by every lane of a run.
    in_flight: Arc<Semaphore>,
    max_attempts: u32,
    attempt_timeout: Duration,
    backoff: Backoff,
    stop: Arc<Stop>,
    rng: Mutex<StdRng>,
}

impl Lane {
    pub fn new(client: Client, destination: String, config: &SubmitConfig, stop: Arc<Stop>) -> Lane {
        let in_flight = Arc::new(Semaphore::new(config.concurrency.max(1)));
        Lane::sharing(client, destination, config, stop, in_flight, None)
    }

    /// A lane whose requests in flight count against `in_flight`, which
    /// other lanes share, starting at the rate an earlier run `learned`.
    pub fn sharing(
        client: Client,
        destination: String,
        config: &SubmitConfig,
        stop: Arc<Stop>,
        in_flight: Arc<Semaphore>,
        learned: Option<crate::submit::rate::Start>,
    ) -> Lane {
        Lane {
            client,
            destination,
            answered: AtomicBool::new(false),
            connection_failures: AtomicU32::new(0),
            pacer: Pacer::new(config.rate, config.burst, learned),
            tally: Tally::default(),
            in_flight,
            max_attempts: config.max_attempts.max(1),
            attempt_timeout: config.attempt_timeout,
            backoff: config.backoff,
            stop,
            rng: Mutex::new(StdRng::from_rng(&mut rand::rng())),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Where the lane sends, as messages name it.
    pub fn destination(&self) -> &str {
        &self.destination
    }

    pub fn pacer(&self) -> &Pacer {
        &self.pacer
    }

    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Why the lane stopped, once it has.
    pub fn stopped(&self) -> Option<StopReason> {
        self.stop.reason()
    }

    /// Stops the lane: rows in flight finish, the rest are skipped.
    pub fn halt(&self, reason: StopReason) {
        self.stop.stop(reason);
    }

    /// Sends one SDK request, paced, bounded, timed and retried; counts its
    /// attempts into `attempts`.
    pub async fn call<T, E, F, Fut>(&self, attempts: &mut u32, mut send: F) -> Result<T, CallError>
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

    /// The attempt loop behind [`Lane::call`].
    pub(super) async fn attempt<T, F, Fut>(&self, attempts: &mut u32, mut send: F) -> Result<T, CallError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        loop {
            if let Some(reason) = self.stop.reason() {
                return Err(CallError::Stopped(reason));
            }
            self.pacer.acquire().await;
            let slot = self.in_flight.acquire().await.expect("the semaphore is never closed");
            // Checked again right before sending: only requests already
            // out when the lane stopped meet what stopped it.
            if let Some(reason) = self.stop.reason() {
                return Err(CallError::Stopped(reason));
            }
            *attempts += 1;
            let answer = tokio::time::timeout(self.attempt_timeout, send()).await;
            drop(slot);
            let failure = match answer {
                Ok(Ok(output)) => {
                    self.heard_back();
                    self.pacer.answered(false);
                    return Ok(output);
                }
                Ok(Err(failure)) => failure,
                Err(_) => Failure::timed_out(self.attempt_timeout),
            };
            let verdict = classify(&failure);
            self.pacer.answered(verdict == Verdict::Throttled);
            if verdict == Verdict::Throttled {
                self.tally.throttled.fetch_add(1, Ordering::Relaxed);
            }
            if verdict == Verdict::StopRun {
                self.stop.stop(StopReason::run_wide(&failure));
            }
            let giving_up = !verdict.retries() || *attempts >= self.max_attempts;
            self.note_connection(&failure, giving_up);
            if giving_up {
                return Err(CallError::Failed(failure));
            }
            let delay = {
                let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
                self.backoff.delay(*attempts, &failure, &mut *rng)
            };
            self.tally.retried.fetch_add(1, Ordering::Relaxed);
            log_retry(*attempts, &failure, delay);
            tokio::time::sleep(delay).await;
        }
    }
}

/// A retry: a JSON line for a log collector; for a person, only with
/// `RUST_LOG=debug` (the bar counts them).
fn log_retry(attempt: u32, failure: &Failure, delay: Duration) {
    let row = ROW.try_with(|row| *row).ok();
    let delay_ms = delay.as_millis() as u64;
    if !stderr::json() {
        tracing::debug!(row, attempt, code = failure.code(), delay_ms, "retrying");
        return;
    }
    let mut fields = Fields::new();
    fields.insert("row".into(), row.into());
    fields.insert("attempt".into(), attempt.into());
    fields.insert("code".into(), failure.code().into());
    fields.insert("delay_ms".into(), delay_ms.into());
    stderr::event(Level::Info, "retry", &failure.message, fields, "");
}

impl Lane {
    fn heard_back(&self) {
        self.answered.store(true, Ordering::Relaxed);
        self.connection_failures.store(0, Ordering::Relaxed);
    }

    /// An endpoint that cannot be reached stops the lane, not each row: at
    /// once if no request ever had an answer (once this one gives up), or
    /// after a run of failures to connect across rows.
    fn note_connection(&self, failure: &Failure, giving_up: bool) {
        if !matches!(failure.kind, FailureKind::Connection | FailureKind::Untrusted) {
            if matches!(failure.kind, FailureKind::Answered(_)) {
                self.heard_back();
            }
            return;
        }
        let in_a_row = self.connection_failures.fetch_add(1, Ordering::Relaxed) + 1;
        let never_reached = giving_up && !self.answered.load(Ordering::Relaxed);
        if never_reached || in_a_row >= CONNECTION_FAILURES_TO_STOP {
            self.stop.stop(StopReason::RunWide {
                code: failure.code().to_owned(),
                detail: format!("cannot reach {}: {}", self.destination, failure.message),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use super::*;
    use crate::submit::Rate;
    use crate::submit::retry::FailureKind;

    fn lane(max_attempts: u32) -> Lane {
        let config = SubmitConfig {
            rate: Rate::Fixed(1e6),
            max_attempts,
            attempt_timeout: Duration::from_secs(1),
            ..SubmitConfig::default()
        };
        let client = crate::emulator::local_client("http://127.0.0.1:9");
        Lane::new(client, "the test".into(), &config, Arc::new(Stop::default()))
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
    async fn always_failing(lane: &Lane, failure: Failure) -> (u32, u32, Duration) {
        let sent = AtomicU32::new(0);
        let mut attempts = 0;
        let started = tokio::time::Instant::now();
        let result: Result<(), CallError> = lane
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
            let (sent, attempts, waited) = always_failing(&lane(8), failure).await;
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
    async fn other_failures_are_sent_once_and_run_wide_ones_stop_the_lane() {
        for failure in [answered(400, "ValidationException"), answered(409, "ConflictException")] {
            let lane = lane(8);
            let (sent, _, waited) = always_failing(&lane, failure).await;
            assert_eq!((sent, waited), (1, Duration::ZERO));
            assert_eq!(lane.stopped(), None);
        }
        for failure in
            [answered(402, "ServiceQuotaExceededException"), answered(403, "AccessDeniedException")]
        {
            let lane = lane(8);
            let (sent, _, _) = always_failing(&lane, failure.clone()).await;
            assert_eq!(sent, 1);
            assert_eq!(lane.stopped().map(|reason| reason.code().to_owned()), failure.code);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn failures_to_connect_stop_the_lane_at_once_if_it_never_had_an_answer_else_after_a_run() {
        let connection = Failure {
            kind: FailureKind::Connection,
            code: None,
            message: "Connection refused".into(),
            retry_after: None,
        };
        let never_reached = lane(2);
        always_failing(&never_reached, connection.clone()).await;
        let reason = never_reached.stopped().expect("stopped once the request gave up");
        assert_eq!(
            reason.to_string(),
            "the run stopped after ConnectionError: cannot reach the test: Connection refused"
        );

        let reached = lane(1);
        let answered: Result<(), CallError> = reached.attempt(&mut 0, || async { Ok(()) }).await;
        assert!(answered.is_ok());
        for _ in 1..CONNECTION_FAILURES_TO_STOP {
            always_failing(&reached, connection.clone()).await;
            assert_eq!(reached.stopped(), None, "one row that cannot connect is not the endpoint gone");
        }
        always_failing(&reached, connection).await;
        assert!(reached.stopped().is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn an_attempt_with_no_answer_times_out_and_is_retried() {
        let lane = lane(3);
        let mut attempts = 0;
        let started = tokio::time::Instant::now();
        let result: Result<(), CallError> = lane.attempt(&mut attempts, std::future::pending).await;
        match result {
            Err(CallError::Failed(failure)) => assert_eq!(failure.kind, FailureKind::Timeout),
            _ => panic!("expected a timeout"),
        }
        assert_eq!(attempts, 3);
        assert!(started.elapsed() >= Duration::from_secs(3), "three attempts of 1 s each");
    }

    #[tokio::test(start_paused = true)]
    async fn a_stopped_lane_sends_nothing_more() {
        let lane = lane(8);
        lane.stop.stop(StopReason::Interrupted(Signal::Interrupt));
        let mut attempts = 0;
        let result: Result<(), CallError> = lane.attempt(&mut attempts, || async { Ok(()) }).await;
        assert!(matches!(result, Err(CallError::Stopped(StopReason::Interrupted(_)))));
        assert_eq!(attempts, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_in_flight_never_exceed_the_concurrency() {
        let config = SubmitConfig { rate: Rate::Fixed(1e6), concurrency: 3, ..SubmitConfig::default() };
        let client = crate::emulator::local_client("http://127.0.0.1:9");
        let lane = Arc::new(Lane::new(client, "the test".into(), &config, Arc::new(Stop::default())));
        let (now, most) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (lane, now, most) = (lane.clone(), now.clone(), most.clone());
            tasks.spawn(async move {
                let mut attempts = 0;
                let sent: Result<(), CallError> = lane
                    .attempt(&mut attempts, || {
                        let (now, most) = (now.clone(), most.clone());
                        async move {
                            most.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            now.fetch_sub(1, Ordering::SeqCst);
                            Ok(())
                        }
                    })
                    .await;
                assert!(sent.is_ok());
            });
        }
        tasks.join_all().await;
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }
}
