//! Pacing: every request of a run waits here first.
//!
//! Two gates in a row. A governor token bucket holds the run to `--rate`
//! requests/s with bursts of `--burst`. Behind it, an AIMD rate reacts to
//! the service. A throttled answer cuts the rate multiplicatively: to 90% of
//! the rate the service accepted over the last two seconds of throttling,
//! once that has been measured over half a second or more, and to 70% before.
//! Going a little below the service's rate lets its bucket refill, so that a
//! few milliseconds of irregularity stop costing 429s. At most one cut per
//! quarter second (answers to requests sent at the old rate keep coming for
//! a moment). Without throttling the rate climbs back additively: one
//! request/s per second up to the measured rate, a fiftieth of that beyond
//! it, never above `--rate`. Below the ceiling, requests are spaced evenly,
//! and a cut never moves a slot already handed out.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// A cut before the service's rate is known.
const DECREASE: f64 = 0.7;
/// Once it is known, cuts go this far below it.
const BELOW_MEASURED: f64 = 0.9;
/// Additive increase, in requests/s per second, below the measured rate …
const INCREASE_PER_SECOND: f64 = 1.0;
/// … and beyond it.
const PROBE_PER_SECOND: f64 = 0.02;
/// The shortest time between two cuts.
const DECREASE_GAP: Duration = Duration::from_millis(250);
/// Accepted answers are counted over this long …
const WINDOW: Duration = Duration::from_secs(2);
/// … and trusted as a measure of the service once they span this much.
const MEASURED_SPAN: Duration = Duration::from_millis(500);
/// The rate never drops below this.
const FLOOR: f64 = 0.5;

/// The pacing state a run shares between its requests.
pub struct Pacer {
    ceiling: DefaultDirectRateLimiter,
    aimd: Mutex<Aimd>,
}

impl Pacer {
    /// `rate` requests/s at most, in bursts of `burst` (default: the rate).
    pub fn new(rate: f64, burst: Option<NonZeroU32>) -> Pacer {
        let rate = rate.max(0.001);
        let burst = burst.unwrap_or(NonZeroU32::new(rate.ceil() as u32).unwrap_or(NonZeroU32::MIN));
        let quota = Quota::with_period(Duration::from_secs_f64(1.0 / rate))
            .expect("a positive rate has a period")
            .allow_burst(burst);
        Pacer { ceiling: RateLimiter::direct(quota), aimd: Mutex::new(Aimd::new(rate, Instant::now())) }
    }

    /// Waits until the next request may go.
    pub async fn acquire(&self) {
        self.ceiling.until_ready().await;
        let slot = self.aimd().slot(Instant::now());
        if let Some(slot) = slot {
            tokio::time::sleep_until(slot.into()).await;
        }
    }

    /// Tells the pacer how the service answered a request.
    pub fn answered(&self, throttled: bool) {
        let now = Instant::now();
        let mut aimd = self.aimd();
        if throttled { aimd.throttled(now) } else { aimd.accepted(now) }
    }

    fn aimd(&self) -> std::sync::MutexGuard<'_, Aimd> {
        self.aimd.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The adaptive rate, as a pure state machine of time.
#[derive(Debug)]
struct Aimd {
    ceiling: f64,
    rate: f64,
    /// When the rate last grew (for additive increase).
    grown_at: Instant,
    decreased_at: Option<Instant>,
    /// When the service first throttled: accepted answers before it say
    /// nothing about the service's rate.
    first_throttled: Option<Instant>,
    /// The next free slot while spacing requests.
    next_slot: Instant,
    /// When recent answers that were not throttled came (the last `WINDOW`).
    accepted: VecDeque<Instant>,
    /// The rate the service accepted while throttling, once measured.
    measured: Option<f64>,
}

impl Aimd {
    fn new(ceiling: f64, now: Instant) -> Aimd {
        Aimd {
            ceiling,
            rate: ceiling,
            grown_at: now,
            decreased_at: None,
            first_throttled: None,
            next_slot: now,
            accepted: VecDeque::new(),
            measured: None,
        }
    }

    /// When a request may go, if the AIMD rate holds it back at all.
    fn slot(&mut self, now: Instant) -> Option<Instant> {
        self.grow(now);
        if self.rate >= self.ceiling {
            return None;
        }
        let slot = self.next_slot.max(now);
        self.next_slot = slot + Duration::from_secs_f64(1.0 / self.rate);
        (slot > now).then_some(slot)
    }

    fn grow(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.grown_at).as_secs_f64();
        let step = match self.measured {
            Some(measured) if self.rate >= measured => PROBE_PER_SECOND,
            _ => INCREASE_PER_SECOND,
        };
        self.rate = (self.rate + elapsed * step).min(self.ceiling);
        self.grown_at = now;
    }

    fn accepted(&mut self, now: Instant) {
        self.accepted.push_back(now);
        while self.accepted.front().is_some_and(|at| now.saturating_duration_since(*at) > WINDOW) {
            self.accepted.pop_front();
        }
    }

    fn throttled(&mut self, now: Instant) {
        let first = *self.first_throttled.get_or_insert(now);
        if self.decreased_at.is_some_and(|at| now.saturating_duration_since(at) < DECREASE_GAP) {
            return;
        }
        self.grow(now);
        let since = first.max(now.checked_sub(WINDOW).unwrap_or(first));
        let span = now.saturating_duration_since(since);
        if span >= MEASURED_SPAN {
            let accepted = self.accepted.iter().filter(|at| **at >= since).count();
            self.measured = Some(accepted as f64 / span.as_secs_f64());
        }
        let target = self.measured.map_or(self.rate * DECREASE, |measured| measured * BELOW_MEASURED);
        self.rate = target.min(self.rate).max(FLOOR);
        self.decreased_at = Some(now);
        // Slots already handed out stand: moving the next one earlier would
        // let new requests go alongside them, a burst just when it hurts.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn at_full_rate_nothing_is_held_back() {
        let start = Instant::now();
        let mut aimd = Aimd::new(10.0, start);
        assert_eq!(aimd.slot(start), None);
        assert_eq!(aimd.slot(start + MS), None);
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
        let mut aimd = Aimd::new(40.0, start);
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
        let mut aimd = Aimd::new(40.0, start);
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
        let mut aimd = Aimd::new(40.0, start);
        aimd.throttled(start);
        let cut = start + Duration::from_secs(2);
        accept(&mut aimd, 40, cut, Duration::from_secs(2));
        aimd.throttled(cut);
        assert!((aimd.rate - 18.0).abs() < 0.01, "{}", aimd.rate);
        aimd.slot(cut + Duration::from_secs(2));
        assert!((aimd.rate - 20.0).abs() < 0.01, "one a second up to 20: {}", aimd.rate);
        aimd.slot(cut + Duration::from_secs(52));
        assert!((aimd.rate - 21.0).abs() < 0.01, "a fiftieth of that beyond: {}", aimd.rate);
        aimd.slot(cut + Duration::from_secs(5000));
        assert_eq!(aimd.rate, 40.0, "never above the ceiling");
    }

    #[test]
    fn a_cut_never_raises_the_rate() {
        let start = Instant::now();
        let mut aimd = Aimd::new(40.0, start);
        aimd.throttled(start);
        let later = start + Duration::from_secs(2);
        accept(&mut aimd, 200, later, Duration::from_secs(2));
        aimd.throttled(later);
        assert!(aimd.rate <= 28.0 + 2.0, "{}", aimd.rate);
    }

    #[test]
    fn below_the_ceiling_requests_are_spaced_evenly() {
        let start = Instant::now();
        let mut aimd = Aimd::new(20.0, start);
        aimd.throttled(start);
        aimd.rate = 10.0;
        let first = aimd.slot(start);
        let second = aimd.slot(start).unwrap();
        let third = aimd.slot(start).unwrap();
        assert_eq!(first, None, "the first goes at once");
        assert!((second - start).as_secs_f64() > 0.09 && (second - start).as_secs_f64() < 0.11);
        assert!(((third - second).as_secs_f64() - 0.1).abs() < 0.01);
    }

    #[test]
    fn the_rate_never_falls_below_the_floor() {
        let start = Instant::now();
        let mut aimd = Aimd::new(1.0, start);
        for second in 0..20 {
            aimd.throttled(start + Duration::from_secs(second));
            aimd.grown_at = start + Duration::from_secs(second);
        }
        assert!(aimd.rate >= FLOOR);
    }

    #[tokio::test]
    async fn the_ceiling_holds_a_burst_then_the_rate() {
        let pacer = Pacer::new(20.0, NonZeroU32::new(5));
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
