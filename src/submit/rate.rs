//! Pacing: every request of a run waits here first.
//!
//! Two gates in a row. A governor token bucket holds the run to `--rate`
//! requests/s with bursts of `--burst`. Behind it, an AIMD rate reacts to
//! the service. A throttled answer cuts the rate multiplicatively: to 70% the
//! first time, and after that to 90% of the rate the service was measured to
//! accept since the previous cut, so that its bucket refills a little and
//! small irregularities in arrival no longer cost a 429. At most one cut per
//! quarter second (answers to requests sent at the old rate keep coming for a
//! moment). Without throttling the rate climbs back additively: one request/s
//! per second up to the measured rate, a fifth of that beyond it, and never
//! above `--rate`. While the AIMD rate is below the ceiling, requests are
//! spaced evenly.

use std::num::NonZeroU32;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// The first cut, before the service's rate is known.
const DECREASE: f64 = 0.7;
/// Later cuts go this far below the rate the service accepted.
const BELOW_MEASURED: f64 = 0.9;
/// Additive increase, in requests/s per second, below the measured rate …
const INCREASE_PER_SECOND: f64 = 1.0;
/// … and beyond it.
const PROBE_PER_SECOND: f64 = 0.2;
/// The shortest time between two cuts.
const DECREASE_GAP: Duration = Duration::from_millis(250);
/// The rate never drops below this.
const FLOOR: f64 = 0.5;

/// The pacing state a run shares between its requests.
pub struct Pacer {
    ceiling: DefaultDirectRateLimiter,
    aimd: Mutex<Aimd>,
}

impl Pacer {
    /// `rate` requests/s at most, in bursts of `burst` (0: the rate).
    pub fn new(rate: f64, burst: u32) -> Pacer {
        let rate = rate.max(0.001);
        let burst =
            NonZeroU32::new(burst).unwrap_or(NonZeroU32::new(rate.ceil() as u32).unwrap_or(NonZeroU32::MIN));
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
        if throttled { aimd.throttled(now) } else { aimd.accepted() }
    }

    /// The AIMD rate now, requests/s.
    pub fn rate(&self) -> f64 {
        self.aimd().rate
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
    /// The next free slot while spacing requests.
    next_slot: Instant,
    /// Answers that were not throttled since the last cut.
    accepted_since_cut: u32,
    /// The rate the service accepted while it was throttling, once known.
    measured: Option<f64>,
}

impl Aimd {
    fn new(ceiling: f64, now: Instant) -> Aimd {
        Aimd {
            ceiling,
            rate: ceiling,
            grown_at: now,
            decreased_at: None,
            next_slot: now,
            accepted_since_cut: 0,
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

    fn accepted(&mut self) {
        self.accepted_since_cut += 1;
    }

    fn throttled(&mut self, now: Instant) {
        if self.decreased_at.is_some_and(|at| now.saturating_duration_since(at) < DECREASE_GAP) {
            return;
        }
        self.grow(now);
        if let Some(at) = self.decreased_at {
            let seconds = now.saturating_duration_since(at).as_secs_f64();
            if self.accepted_since_cut > 0 && seconds > 0.0 {
                self.measured = Some(f64::from(self.accepted_since_cut) / seconds);
            }
        }
        let target = self.measured.map_or(self.rate * DECREASE, |measured| measured * BELOW_MEASURED);
        self.rate = target.min(self.rate).max(FLOOR);
        self.decreased_at = Some(now);
        self.accepted_since_cut = 0;
        self.next_slot = now;
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

    #[test]
    fn the_first_cut_is_multiplicative_then_cuts_follow_the_measured_rate() {
        let start = Instant::now();
        let mut aimd = Aimd::new(40.0, start);
        aimd.throttled(start);
        assert!((aimd.rate - 28.0).abs() < 0.01, "{}", aimd.rate);
        // Another 429 right after changes nothing: it answers the old rate.
        aimd.throttled(start + 100 * MS);
        assert!((aimd.rate - 28.0).abs() < 0.1, "{}", aimd.rate);
        // Ten accepted in the half second since the cut: 20/s measured.
        (0..10).for_each(|_| aimd.accepted());
        aimd.throttled(start + 500 * MS);
        assert_eq!(aimd.measured, Some(20.0));
        assert!((aimd.rate - 18.0).abs() < 0.01, "{}", aimd.rate);
    }

    #[test]
    fn the_rate_climbs_fast_to_the_measured_rate_then_slowly() {
        let start = Instant::now();
        let mut aimd = Aimd::new(40.0, start);
        aimd.throttled(start);
        (0..10).for_each(|_| aimd.accepted());
        let cut = start + 500 * MS;
        aimd.throttled(cut);
        aimd.slot(cut + Duration::from_secs(2));
        assert!((aimd.rate - 20.0).abs() < 0.01, "one a second up to 20: {}", aimd.rate);
        aimd.slot(cut + Duration::from_secs(7));
        assert!((aimd.rate - 21.0).abs() < 0.01, "a fifth of that beyond: {}", aimd.rate);
        aimd.slot(cut + Duration::from_secs(1000));
        assert_eq!(aimd.rate, 40.0, "never above the ceiling");
    }

    #[test]
    fn a_cut_never_raises_the_rate() {
        let start = Instant::now();
        let mut aimd = Aimd::new(40.0, start);
        aimd.throttled(start);
        (0..100).for_each(|_| aimd.accepted());
        aimd.throttled(start + Duration::from_secs(1));
        assert!(aimd.rate <= 28.0 + 1.0, "{}", aimd.rate);
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
        let pacer = Pacer::new(20.0, 5);
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
