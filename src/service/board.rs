//! The board of a run's lanes: which have started, finished or stopped,
//! what their requests met, and the one switch that stops them all (Ctrl-C,
//! SIGTERM, SIGHUP). Progress reads it; the fleet puts each lane on it as it
//! starts; the session's signal watch throws the switch.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::signal::Signal;
use crate::submit::{Lane, Stop, StopReason};

/// The lanes a run has started, for progress and for the signals.
#[derive(Default)]
pub struct Board {
    lanes: Mutex<Vec<(Arc<Lane>, bool)>>,
    interrupted: Stop,
    /// How many lanes the run has.
    total: AtomicUsize,
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
    /// How many lanes the run has.
    pub fn total(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }

    pub(super) fn set_total(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
    }

    fn lanes(&self) -> std::sync::MutexGuard<'_, Vec<(Arc<Lane>, bool)>> {
        self.lanes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A lane has started: it shows, and stops with the others. A lane that
    /// starts after the run was interrupted is halted at once.
    pub(super) fn start(&self, lane: &Arc<Lane>) {
        self.lanes().push((lane.clone(), false));
        if let Some(reason) = self.interrupted() {
            lane.halt(reason);
        }
    }

    pub(super) fn finish(&self, lane: &Arc<Lane>) {
        if let Some(entry) = self.lanes().iter_mut().find(|(started, _)| Arc::ptr_eq(started, lane)) {
            entry.1 = true;
        }
    }

    /// A signal: every lane stops, and none starts any more.
    pub fn interrupt(&self, signal: Signal) {
        self.interrupted.stop(StopReason::Interrupted(signal));
        for (lane, _) in self.lanes().iter() {
            lane.halt(StopReason::Interrupted(signal));
        }
    }

    /// Why the run was interrupted, once it was.
    pub fn interrupted(&self) -> Option<StopReason> {
        self.interrupted.reason()
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
