//! Pacing: every request of a run waits here first.
//!
//! The service's rate is not published, so by default wa-bulk finds it.
//! Two gates in a row. A governor token bucket is the hard ceiling: `--rate`
//! requests/s with bursts of `--burst`, or `--max-rate` while discovering.
//! Behind it, an adaptive rate reacts to the service.
//!
//! Discovery (no `--rate`) starts at [`DISCOVERY_START`] and doubles every
//! 150 ms while nothing is throttled, never far beyond what is actually
//! going out (so a run held back by its requests in flight does not run
//! away on paper). With `--rate` it starts at the rate given. A lane that
//! an earlier run taught starts at the rate the service accepted then,
//! sends the service's bucket's worth at once, and climbs by a tenth a
//! second until the service first throttles (its limit may have grown);
//! from there on as below.
//!
//! A throttled answer ends the climb and cuts the rate multiplicatively:
//! to 90% of the rate the service accepted since it began throttling, once
//! that is measured (half a second, or a tenth with 10 answers), at once;
//! before, by half when it ends a climb and to 70% otherwise, at most once
//! a quarter second (answers to requests sent at the old rate keep coming
//! for a moment). Going a little below the service's rate lets its bucket
//! refill, so that a few milliseconds of irregularity stop costing 429s.
//! Without throttling the rate climbs back additively: a tenth of the
//! measured rate per second up to it, a hundredth beyond it, never above
//! the ceiling. Below the ceiling, requests are spaced evenly.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
// Tokio's clock, so that tests can pause time and the pacer follows.
use tokio::time::Instant;

/// How fast a run may send.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    /// `--rate N`: never more than N/s; starts there, slows when throttled.
    Fixed(f64),
    /// Find the service's rate, never going beyond `max`/s.
    Discover { max: f64 },
}

/// Where a lane starts that an earlier run taught (the service's rate memory).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Start {
    /// Requests/s.
    pub rate: f64,
    /// The service throttled at it: start there and probe up slowly, as
    /// after a measure. Else it is a floor: climb from it.
    pub measured: bool,
    /// Requests the service took at once beyond its rate (its bucket):
    /// sent unspaced first, as an idle account's bucket is full.
    pub burst: f64,
}

impl Start {
    /// Where discovery starts with nothing learned, or a rate given.
    fn at(rate: f64) -> Start {
        Start { rate, measured: false, burst: 0.0 }
    }
}

/// Where discovery starts: slow enough for any account.
pub const DISCOVERY_START: f64 = 5.0;
/// Discovery's ceiling unless `--max-rate` says otherwise.
pub const DEFAULT_MAX_RATE: f64 = 1000.0;

/// A cut before the service's rate is known.
const DECREASE: f64 = 0.7;
/// Once it is known, cuts go this far below it.
const BELOW_MEASURED: f64 = 0.9;
/// Additive increase below the measured rate, as a share of it per second …
const RECOVER_SHARE: f64 = 0.1;
/// … and beyond it.
const PROBE_SHARE: f64 = 0.01;
/// The additive increase is never below this, in requests/s per second.
const MIN_INCREASE: f64 = 1.0;
/// While discovering, the rate doubles this often.
const DOUBLING: Duration = Duration::from_millis(150);
/// The shortest time between two cuts.
const DECREASE_GAP: Duration = Duration::from_millis(250);
/// Accepted answers are counted over this long …
const WINDOW: Duration = Duration::from_secs(2);
/// … and trusted as a measure of the service once they span this much, …
const MEASURED_SPAN: Duration = Duration::from_millis(500);
/// … or this much with at least `QUICK_COUNT` of them.
const QUICK_SPAN: Duration = Duration::from_millis(100);
const QUICK_COUNT: usize = 10;
/// While discovering, the rate stays within this many times what is going
/// out (counted over half a second, so it lags a climb).
const REACH: f64 = 4.0;
/// What goes out is counted over this long.
const SENT_WINDOW: Duration = Duration::from_millis(500);
/// The rate never drops below this.
const FLOOR: f64 = 0.5;

/// The pacing state a run shares between its requests.
pub struct Pacer {
    ceiling: RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Duration>>,
    clock: TokioClock,
    aimd: Mutex<Aimd>,
}

/// Time since the pacer began, on tokio's clock, for governor.
#[derive(Debug, Clone, Copy)]
struct TokioClock(Instant);

impl Clock for TokioClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        self.0.elapsed()
    }
}

/// What pacing learnt about the service, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct RateFound {
    /// The rate the service accepted while throttling, if it ever did.
    pub service: Option<f64>,
    /// The most requests/s that went out over half a second.
    pub highest_sent: f64,
    /// Where the lane started: the rate given, [`DISCOVERY_START`] or what
    /// an earlier run learned.
    pub started: f64,
    /// The requests the service took at once beyond its rate, as the
    /// first throttling showed (or an earlier run learned).
    pub burst: Option<f64>,
}

impl Pacer {
    /// Paces to `rate`, in bursts of `burst` (default: the ceiling);
    /// discovery starts from `learned` when an earlier run taught it.
    pub fn new(rate: Rate, burst: Option<NonZeroU32>, learned: Option<Start>) -> Pacer {
        let (ceiling, start) = match (rate, learned) {
            (Rate::Fixed(rate), _) => (rate, Start::at(rate)),
            (Rate::Discover { max }, Some(learned)) => (max, learned),
            (Rate::Discover { max }, None) => (max, Start::at(DISCOVERY_START)),
        };
        let ceiling = ceiling.max(0.001);
        let burst = burst.unwrap_or(NonZeroU32::new(ceiling.ceil() as u32).unwrap_or(NonZeroU32::MIN));
        let quota = Quota::with_period(Duration::from_secs_f64(1.0 / ceiling))
            .expect("a positive rate has a period")
            .allow_burst(burst);
        let clock = TokioClock(Instant::now());
        Pacer {
            ceiling: RateLimiter::direct_with_clock(quota, clock),
            clock,
            aimd: Mutex::new(Aimd::starting(ceiling, start, Instant::now())),
        }
    }

    /// Waits until the next request may go. Nothing is booked ahead: a
    /// waiting request asks again when its turn would come, so a rate that
    /// grew meanwhile lets it go sooner, and one that was cut, later.
    pub async fn acquire(&self) {
        while let Err(not_until) = self.ceiling.check() {
            tokio::time::sleep(not_until.wait_time_from(self.clock.now())).await;
        }
        loop {
            let turn = self.aimd().take(Instant::now());
            match turn {
                Some(turn) => tokio::time::sleep_until(turn).await,
                None => return,
            }
        }
    }

    /// Tells the pacer how the service answered a request.
    pub fn answered(&self, throttled: bool) {
        let now = Instant::now();
        let mut aimd = self.aimd();
        if throttled { aimd.throttled(now) } else { aimd.accepted(now) }
    }

    /// The rate requests may go at now.
    pub fn current(&self) -> f64 {
        let aimd = self.aimd();
        aimd.rate.min(aimd.ceiling)
    }

    pub fn found(&self) -> RateFound {
        let aimd = self.aimd();
        RateFound {
            service: aimd.best.or(aimd.measured),
            highest_sent: aimd.highest_sent,
            started: aimd.start,
            burst: aimd.burst,
        }
    }

    fn aimd(&self) -> std::sync::MutexGuard<'_, Aimd> {
        self.aimd.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The adaptive rate, as a pure state machine of time.
#[derive(Debug)]
struct Aimd {
    ceiling: f64,
    start: f64,
    rate: f64,
    /// Doubling, until the first throttled answer.
    climbing: bool,
    /// When the rate last grew (for additive increase).
    grown_at: Instant,
    decreased_at: Option<Instant>,
    /// When the service first throttled: accepted answers before it say
    /// nothing about the service's rate.
    first_throttled: Option<Instant>,
    /// When the last request went, while spacing requests.
    last_sent: Option<Instant>,
    /// When recent answers that were not throttled came (the last `WINDOW`).
    accepted: VecDeque<Instant>,
    /// When requests went in the last `SENT_WINDOW`, and the first ever.
    sent: VecDeque<Instant>,
    first_sent: Option<Instant>,
    highest_sent: f64,
    /// The rate the service accepted while throttling, once measured.
    measured: Option<f64>,
    /// Requests still to send unspaced, at the start of a learned lane.
    credit: u32,
    /// When the answers before the first throttled one came (the last
    /// `WINDOW` of them): the service's bucket emptied in that time.
    drained: Vec<Instant>,
    /// The service's bucket, once measured.
    burst: Option<f64>,
    /// When the service throttled, the last `WINDOW` of it: its bucket was
    /// empty then, so what it accepted between two of these is at most its
    /// rate.
    throttles: VecDeque<Instant>,
    /// The most the service accepted between two throttled answers at
    /// least `MEASURED_SPAN` apart: its rate, as closely as seen.
    best: Option<f64>,
    /// Started at a learned rate: until the service first throttles, the
    /// rate climbs by a tenth of itself a second (the limit may have grown).
    learned: bool,
}

impl Aimd {
    /// From a learned rate, a measured one is as if just measured.
    fn starting(ceiling: f64, start: Start, now: Instant) -> Aimd {
        let mut aimd = Aimd::new(ceiling, start.rate, now);
        if start.measured {
            aimd.climbing = false;
            aimd.measured = Some(start.rate);
            aimd.credit = start.burst.max(0.0).floor() as u32;
            aimd.burst = Some(start.burst);
            aimd.learned = true;
        }
        aimd
    }

    fn new(ceiling: f64, start: f64, now: Instant) -> Aimd {
        let start = start.min(ceiling);
        Aimd {
            ceiling,
            start,
            rate: start,
            climbing: start < ceiling,
            grown_at: now,
            decreased_at: None,
            first_throttled: None,
            last_sent: None,
            accepted: VecDeque::new(),
            sent: VecDeque::new(),
            first_sent: None,
            highest_sent: 0.0,
            measured: None,
            credit: 0,
            drained: Vec::new(),
            burst: None,
            throttles: VecDeque::new(),
            best: None,
            learned: false,
        }
    }

    /// Lets a request go now (`None`), or says when to ask again.
    fn take(&mut self, now: Instant) -> Option<Instant> {
        self.grow(now);
        if self.credit > 0 {
            self.credit -= 1;
            self.last_sent = Some(now);
            self.note_sent(now);
            return None;
        }
        if self.rate < self.ceiling {
            let gap = Duration::from_secs_f64(1.0 / self.rate);
            if let Some(turn) = self.last_sent.map(|last| last + gap).filter(|turn| *turn > now) {
                return Some(turn);
            }
        }
        // A late timer keeps its turn's time, so the average holds; an idle
        // spell is not saved up for a burst.
        let gap = Duration::from_secs_f64(1.0 / self.rate.min(self.ceiling));
        let turn = self.last_sent.map_or(now, |last| last + gap);
        self.last_sent = Some(if now.saturating_duration_since(turn) < gap { turn } else { now });
        self.note_sent(now);
        None
    }

    /// Counts a request that goes now.
    fn note_sent(&mut self, now: Instant) {
        self.sent.push_back(now);
        let first = *self.first_sent.get_or_insert(now);
        let sending = self.sending(now);
        if now.saturating_duration_since(first) >= SENT_WINDOW {
            self.highest_sent = self.highest_sent.max(sending);
        }
    }

    /// Requests/s going out, over the last `SENT_WINDOW`.
    fn sending(&mut self, now: Instant) -> f64 {
        while self.sent.front().is_some_and(|at| now.saturating_duration_since(*at) > SENT_WINDOW) {
            self.sent.pop_front();
        }
        self.sent.len() as f64 / SENT_WINDOW.as_secs_f64()
    }

    fn grow(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.grown_at).as_secs_f64();
        self.grown_at = now;
        if self.climbing {
            let doubled = self.rate * 2f64.powf(elapsed / DOUBLING.as_secs_f64());
            let reachable = (REACH * self.sending(now)).max(self.start).max(self.rate);
            self.rate = doubled.min(reachable).min(self.ceiling);
            return;
        }
        let step = match self.measured {
            _ if self.learned && self.first_throttled.is_none() => {
                (self.rate * RECOVER_SHARE).max(MIN_INCREASE)
            }
            Some(measured) if self.rate >= measured => measured * PROBE_SHARE,
            Some(measured) => (measured * RECOVER_SHARE).max(MIN_INCREASE),
            None => MIN_INCREASE,
        };
        self.rate = (self.rate + elapsed * step).min(self.ceiling);
    }

    /// What the service accepted since the earliest throttled answer of the
    /// last `WINDOW`, when that is long enough ago to say.
    fn measure_between_throttles(&mut self, now: Instant) {
        self.throttles.push_back(now);
        while self.throttles.front().is_some_and(|at| now.saturating_duration_since(*at) > WINDOW) {
            self.throttles.pop_front();
        }
        let since = self.throttles.front().copied().unwrap_or(now);
        let span = now.saturating_duration_since(since);
        if span >= MEASURED_SPAN {
            let rate = self.accepted_since(since) as f64 / span.as_secs_f64();
            self.best = Some(self.best.map_or(rate, |best| best.max(rate)));
        }
    }

    /// Accepted answers since `since`, of the last `WINDOW`.
    fn accepted_since(&self, since: Instant) -> usize {
        self.accepted.iter().filter(|at| **at >= since).count()
    }

    fn accepted(&mut self, now: Instant) {
        self.accepted.push_back(now);
        while self.accepted.front().is_some_and(|at| now.saturating_duration_since(*at) > WINDOW) {
            self.accepted.pop_front();
        }
    }

    fn throttled(&mut self, now: Instant) {
        if self.first_throttled.is_none() {
            self.drained = self.accepted.iter().copied().collect();
        }
        let first = *self.first_throttled.get_or_insert(now);
        self.measure_between_throttles(now);
        let since = first.max(now.checked_sub(WINDOW).unwrap_or(first));
        let span = now.saturating_duration_since(since);
        let accepted = self.accepted_since(since);
        if span >= MEASURED_SPAN || (span >= QUICK_SPAN && accepted >= QUICK_COUNT) {
            let measured = accepted as f64 / span.as_secs_f64();
            self.measured = Some(measured);
            if self.burst.is_none() {
                self.burst = Some(bucket(&self.drained, first, measured));
            }
        }
        // A cut to below the measured rate is absolute: it may come at any
        // time. A relative one waits, as answers to requests sent at the old
        // rate keep coming for a moment. A doubling climb ends less than
        // twice above what the service took.
        let may_cut = self.decreased_at.is_none_or(|at| now.saturating_duration_since(at) >= DECREASE_GAP);
        let target = match self.measured {
            Some(measured) => measured * BELOW_MEASURED,
            None if may_cut => {
                self.grow(now);
                self.rate * if self.climbing { 0.5 } else { DECREASE }
            }
            None => return,
        };
        self.climbing = false;
        if target < self.rate {
            self.rate = target.max(FLOOR);
            (self.grown_at, self.decreased_at) = (now, Some(now));
        }
    }
}

/// The service's bucket, from the answers it accepted before it first
/// throttled at `first` and its rate: the most that any stretch ending then
/// took beyond what the rate refills. A bucket that was not full when the
/// stretch began makes it smaller: an estimate on the safe side.
fn bucket(accepted: &[Instant], first: Instant, rate: f64) -> f64 {
    let count = accepted.len();
    let beyond = accepted.iter().enumerate().map(|(index, at)| {
        (count - index) as f64 - rate * first.saturating_duration_since(*at).as_secs_f64()
    });
    beyond.fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// `--rate ceiling`: it starts there.
    fn fixed(ceiling: f64, now: Instant) -> Aimd {
        Aimd::new(ceiling, ceiling, now)
    }

    #[test]
    fn the_bucket_is_what_a_stretch_took_beyond_the_rate() {
        let start = Instant::now();
        // 20 answers over 100 ms at a service of 10/s: its bucket held about 19.
        let accepted: Vec<Instant> = (0..20).map(|index| start + MS * (index * 5)).collect();
        let first = start + MS * 100;
        assert!((bucket(&accepted, first, 10.0) - 19.0).abs() < 0.01, "{}", bucket(&accepted, first, 10.0));
        // Answers spread at the rate itself say the bucket was empty.
        let spread: Vec<Instant> = (0..10).map(|index| start + MS * (index * 100)).collect();
        assert!(bucket(&spread, start + MS * 1000, 10.0) <= 1.0);
        assert_eq!(bucket(&[], first, 10.0), 0.0);
    }

    #[test]
    fn a_learned_lane_sends_its_burst_at_once_then_at_the_rate() {
        let start = Instant::now();
        let mut aimd = Aimd::starting(1000.0, Start { rate: 10.0, measured: true, burst: 3.0 }, start);
        for _ in 0..3 {
            assert_eq!(aimd.take(start), None, "the bucket's worth at once");
        }
        assert_eq!(aimd.take(start), Some(start + MS * 100), "then spaced at the rate");
        assert_eq!(aimd.measured, Some(10.0));
        let unknown = Aimd::starting(1000.0, Start { rate: 40.0, measured: false, burst: 3.0 }, start);
        assert!(unknown.climbing && unknown.credit == 0, "a floor climbs, with no burst");
    }

    #[test]
    fn at_full_rate_nothing_is_held_back() {
        let start = Instant::now();
        let mut aimd = fixed(10.0, start);
        assert_eq!(aimd.take(start), None);
        assert_eq!(aimd.take(start + MS), None);
    }

    /// `count` accepted answers spread evenly over `span` ending at `end`.
    fn accept(aimd: &mut Aimd, count: u32, end: Instant, span: Duration) {
        for index in 0..count {
            aimd.accepted(end - span + span * index / count);
        }
    }

    #[test]
    fn cuts_are_multiplicative_until_the_service_rate_is_measured() {
        let start = Instant::now();
        let mut aimd = fixed(40.0, start);
        aimd.throttled(start);
        assert!((aimd.rate - 28.0).abs() < 0.01, "{}", aimd.rate);
        // Another 429 right after changes nothing: it answers the old rate.
        aimd.throttled(start + 100 * MS);
        assert!((aimd.rate - 28.0).abs() < 0.1, "{}", aimd.rate);
        // 400 ms of throttling is too short a measure: 70% again.
        accept(&mut aimd, 8, start + 400 * MS, 400 * MS);
        aimd.throttled(start + 400 * MS);
        assert_eq!(aimd.measured, None);
        assert!((aimd.rate - 0.7 * 28.4).abs() < 0.01, "{}", aimd.rate);
    }

    #[test]
    fn once_measured_cuts_go_to_ninety_percent_of_the_service_rate() {
        let start = Instant::now();
        let mut aimd = fixed(40.0, start);
        accept(&mut aimd, 20, start, 100 * MS); // the opening burst, before any 429
        aimd.throttled(start);
        let later = start + Duration::from_secs(3);
        accept(&mut aimd, 40, later, Duration::from_secs(2));
        aimd.throttled(later);
        let measured = aimd.measured.unwrap();
        assert!((measured - 20.0).abs() < 0.5, "the burst is not counted: {measured}");
        assert!((aimd.rate - 0.9 * measured).abs() < 0.01, "{}", aimd.rate);
    }

    #[test]
    fn the_rate_climbs_fast_to_the_measured_rate_then_slowly() {
        let start = Instant::now();
        let mut aimd = fixed(40.0, start);
        aimd.throttled(start);
        let cut = start + Duration::from_secs(2);
        accept(&mut aimd, 40, cut, Duration::from_secs(2));
        aimd.throttled(cut);
        assert!((aimd.rate - 18.0).abs() < 0.01, "{}", aimd.rate);
        aimd.take(cut + Duration::from_secs(1));
        assert!((aimd.rate - 20.0).abs() < 0.01, "a tenth of 20 a second up to 20: {}", aimd.rate);
        aimd.take(cut + Duration::from_secs(6));
        assert!((aimd.rate - 21.0).abs() < 0.01, "a hundredth of it beyond: {}", aimd.rate);
        aimd.take(cut + Duration::from_secs(5000));
        assert_eq!(aimd.rate, 40.0, "never above the ceiling");
    }

    #[test]
    fn a_cut_never_raises_the_rate() {
        let start = Instant::now();
        let mut aimd = fixed(40.0, start);
        aimd.throttled(start);
        let later = start + Duration::from_secs(2);
        accept(&mut aimd, 200, later, Duration::from_secs(2));
        aimd.throttled(later);
        assert!(aimd.rate <= 28.0 + 2.0, "{}", aimd.rate);
    }

    #[test]
    fn below_the_ceiling_requests_are_spaced_evenly() {
        let start = Instant::now();
        let mut aimd = fixed(20.0, start);
        aimd.throttled(start);
        aimd.rate = 10.0;
        assert_eq!(aimd.take(start), None, "the first goes at once");
        let second = aimd.take(start).unwrap();
        assert!(((second - start).as_secs_f64() - 0.1).abs() < 0.01, "{:?}", second - start);
        assert_eq!(aimd.take(second), None);
        let third = aimd.take(second).unwrap();
        assert!(((third - second).as_secs_f64() - 0.1).abs() < 0.01);
        // A rate that grows while a request waits lets it go sooner.
        aimd.rate = 20.0;
        assert_eq!(aimd.take(second + 60 * MS), None);
    }

    #[test]
    fn the_rate_never_falls_below_the_floor() {
        let start = Instant::now();
        let mut aimd = fixed(1.0, start);
        for second in 0..20 {
            aimd.throttled(start + Duration::from_secs(second));
            aimd.grown_at = start + Duration::from_secs(second);
        }
        assert!(aimd.rate >= FLOOR);
    }

    /// When a request that asks at `now` goes.
    fn next_turn(aimd: &mut Aimd, mut now: Instant) -> Instant {
        while let Some(turn) = aimd.take(now) {
            now = turn;
        }
        now
    }

    #[test]
    fn discovery_doubles_every_150_ms_while_requests_keep_up() {
        let start = Instant::now();
        let mut aimd = Aimd::new(1000.0, DISCOVERY_START, start);
        let mut now = start;
        while now < start + 600 * MS {
            now = next_turn(&mut aimd, now);
        }
        assert!(aimd.rate > 40.0 && aimd.rate < 160.0, "about 5 × 2⁴ after 600 ms: {}", aimd.rate);
        assert!(aimd.climbing);
    }

    #[test]
    fn discovery_never_climbs_far_beyond_what_goes_out() {
        let start = Instant::now();
        let mut aimd = Aimd::new(1000.0, DISCOVERY_START, start);
        // Requests in flight hold the run to 10 a second, whatever the rate says
        // (half a second, ends included, holds 6).
        for tenth in 0..50 {
            aimd.take(start + 100 * MS * tenth);
        }
        assert!(aimd.rate <= REACH * 12.0, "{}", aimd.rate);
    }

    #[test]
    fn a_throttle_ends_the_climb_by_halving() {
        let start = Instant::now();
        let mut aimd = Aimd::new(1000.0, DISCOVERY_START, start);
        aimd.rate = 64.0;
        aimd.throttled(start);
        assert!(!aimd.climbing);
        assert!((aimd.rate - 32.0).abs() < 0.01, "{}", aimd.rate);
    }

    /// The service's token bucket.
    struct Bucket {
        rate: f64,
        burst: f64,
        tokens: f64,
        at: Instant,
    }

    impl Bucket {
        fn new(rate: f64, burst: f64, at: Instant) -> Bucket {
            Bucket { rate, burst, tokens: burst, at }
        }

        fn refill(&mut self, now: Instant) {
            let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
            self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
            self.at = self.at.max(now);
        }

        fn take(&mut self, now: Instant) -> bool {
            self.refill(now);
            let taken = self.tokens >= 1.0;
            if taken {
                self.tokens -= 1.0;
            }
            taken
        }
    }

    /// What sending `rows` requests at `rate` to a service that takes
    /// `service`/s (bursts as large) showed.
    struct Simulated {
        elapsed: Duration,
        throttled: usize,
        sent: Vec<Instant>,
        found: RateFound,
    }

    /// The real pacer, on tokio's paused clock: requests go one after the
    /// other as it lets them, each answered 30 ms later; a throttled one is
    /// sent again.
    async fn simulate(rate: Rate, service: f64, rows: usize) -> Simulated {
        let start = Instant::now();
        let pacer = Arc::new(Pacer::new(rate, None, None));
        let mut server = Bucket::new(service, service.ceil(), start);
        let (mut done, mut throttled, mut sent) = (0, 0, Vec::new());
        while done < rows {
            pacer.acquire().await;
            let now = Instant::now();
            let accepted = server.take(now);
            sent.push(now);
            if accepted {
                done += 1
            } else {
                throttled += 1
            }
            let pacer = pacer.clone();
            tokio::spawn(async move {
                tokio::time::sleep(30 * MS).await;
                pacer.answered(!accepted);
            });
        }
        Simulated { elapsed: start.elapsed() + 30 * MS, throttled, sent, found: pacer.found() }
    }

    #[tokio::test(start_paused = true)]
    async fn discovery_climbs_then_settles_just_under_the_service_rate_with_few_throttles() {
        // The targets: 1.15 × the limit at 5 and 20/s, 1.3 × at 100/s.
        for (service, target) in [(5.0, 1.15), (20.0, 1.15), (100.0, 1.3)] {
            let rows = 600;
            let run = simulate(Rate::Discover { max: DEFAULT_MAX_RATE }, service, rows).await;
            let ideal = (rows as f64 - service) / service;
            let ratio = run.elapsed.as_secs_f64() / ideal;
            eprintln!(
                "{service}/s: {ratio:.3} × the limit, {} throttled, found {:?}",
                run.throttled, run.found
            );
            assert!(ratio <= target, "{service}/s: {ratio:.3} × the limit");
            assert!(run.throttled * 10 <= run.sent.len(), "{service}/s: {} throttled", run.throttled);
            let found = run.found.service.expect("the service throttled");
            assert!((found - service).abs() <= 0.15 * service, "{service}/s: found {found:.1}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_given_rate_is_never_passed() {
        for (rate, service) in [(8.0, 1000.0), (20.0, 10.0), (50.0, 1000.0)] {
            let run = simulate(Rate::Fixed(rate), service, 400).await;
            // No second holds more than the rate and its burst.
            for (index, first) in run.sent.iter().enumerate() {
                let in_a_second =
                    run.sent[index..].iter().take_while(|at| **at < *first + Duration::from_secs(1));
                assert!(in_a_second.count() as f64 <= 2.0 * rate, "{rate}/s against {service}/s");
            }
            let steady = &run.sent[rate as usize..];
            let spread = (*steady.last().unwrap() - steady[0]).as_secs_f64();
            assert!((steady.len() - 1) as f64 / spread <= rate * 1.001, "{rate}/s after the burst");
        }
    }

    #[tokio::test]
    async fn the_ceiling_holds_a_burst_then_the_rate() {
        let pacer = Pacer::new(Rate::Fixed(20.0), NonZeroU32::new(5), None);
        let started = Instant::now();
        for _ in 0..5 {
            pacer.acquire().await;
        }
        for _ in 0..4 {
            pacer.acquire().await;
        }
        // Once the burst is spent, four more at 20/s take at least 150 ms.
        assert!(started.elapsed() >= Duration::from_millis(150), "{:?}", started.elapsed());
    }
}
