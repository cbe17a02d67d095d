//! Progress while an import sends: a bar for a person at a terminal, and a
//! line every few seconds for a log (stderr piped, or `--log-format json`),
//! so a scheduler's log shows a slow run moving. Both show what makes a run
//! slow: throttled answers and retries, and the rate requests go at; with
//! several lanes, how many are done, active and stopped.

use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::report::{Counts, Status};
use crate::service::board::{Board, BoardView};
use crate::stderr::{self, Fields, Level};

/// How often the recorder looks up, even when no outcome comes.
pub const TICK: Duration = Duration::from_millis(200);
/// The bar's message (lanes, throttling) is redrawn at most this often:
/// reading every lane for every row would cost lanes × rows.
const BAR_REFRESH: Duration = Duration::from_millis(100);

pub struct Progress {
    board: Arc<Board>,
    total: u64,
    /// Rows whose outcome was known before any was sent.
    known: u64,
    started: Instant,
    shown: Shown,
    /// What is counted: `rows`, `workloads`.
    unit: &'static str,
}

enum Shown {
    /// The bar, its message last refreshed at `last`.
    Bar {
        bar: ProgressBar,
        last: Option<Instant>,
    },
    /// A line every `every`, the last one at `last`.
    Lines {
        every: Duration,
        last: Instant,
    },
    Nothing,
}

impl Progress {
    /// `every`: `None` for no progress at all (`--quiet`).
    pub fn new(every: Option<Duration>, total: u64, board: Arc<Board>) -> Progress {
        let now = Instant::now();
        let shown = match every {
            None => Shown::Nothing,
            Some(_) if stderr::is_terminal() && !stderr::json() => Shown::Bar { bar: bar(total), last: None },
            Some(every) => Shown::Lines { every, last: now },
        };
        Progress { board, total, known: 0, started: now, shown, unit: "rows" }
    }

    /// Progress counting `unit` (`workloads`) rather than rows.
    pub fn counting(mut self, unit: &'static str) -> Progress {
        self.unit = unit;
        if let Shown::Bar { bar, .. } = &self.shown {
            bar.set_style(style(unit));
        }
        self
    }

    /// Progress that starts with `known` rows done (invalid rows, rows an
    /// earlier run finished), so it counts the rows the summary counts.
    pub fn with_done(mut self, known: u64) -> Progress {
        self.known = known;
        if let Shown::Bar { bar, .. } = &self.shown {
            bar.set_position(known);
        }
        self
    }

    /// `more` items join the total (a lane listed them).
    pub fn grow(&mut self, more: u64) {
        self.total += more;
        if let Shown::Bar { bar, .. } = &self.shown {
            bar.inc_length(more);
        }
    }

    /// One more row has its outcome.
    pub fn row_done(&mut self, counts: &Counts) {
        if let Shown::Bar { bar, .. } = &self.shown {
            // The position first, so the counts never run ahead of it.
            bar.inc(1);
        }
        self.tick(counts);
    }

    pub fn tick(&mut self, counts: &Counts) {
        let due = match &self.shown {
            Shown::Bar { last, .. } => last.is_none_or(|last| last.elapsed() >= BAR_REFRESH),
            Shown::Lines { every, last } => last.elapsed() >= *every,
            Shown::Nothing => false,
        };
        if !due {
            return;
        }
        let view = self.board.view();
        let BoardView { throttled, retried, .. } = view;
        let lanes = self.lanes(&view);
        match &mut self.shown {
            Shown::Bar { bar, last } => {
                *last = Some(Instant::now());
                bar.set_message(format!(
                    "{}{lanes} · throttled {throttled} · retried {retried}",
                    counts.per_status(&[])
                ));
            }
            Shown::Lines { last, .. } => {
                *last = Instant::now();
                let done = self.known + counts.total();
                let elapsed = self.started.elapsed().as_secs_f64();
                let per_second = if elapsed > 0.0 { counts.total() as f64 / elapsed } else { 0.0 };
                let text = format!(
                    "progress: {done}/{} {} · {per_second:.1}/s · {}{lanes} · throttled {throttled} · retried {retried}",
                    self.total,
                    self.unit,
                    counts.per_status(&[]),
                );
                let mut fields = Fields::new();
                fields.insert("done".into(), done.into());
                fields.insert("total".into(), self.total.into());
                fields.insert("rows_per_s".into(), ((per_second * 10.0).round() / 10.0).into());
                let per_status: Fields = Status::ALL
                    .iter()
                    .filter(|status| counts.get(**status) > 0)
                    .map(|status| (status.as_str().to_owned(), counts.get(*status).into()))
                    .collect();
                fields.insert("counts".into(), per_status.into());
                fields.insert("throttled".into(), throttled.into());
                fields.insert("retried".into(), retried.into());
                fields.insert("sending_rate".into(), ((view.rate * 10.0).round() / 10.0).into());
                if self.board.total() > 1 {
                    let lanes = [("done", view.done), ("active", view.active), ("stopped", view.stopped)];
                    let lanes: Fields =
                        lanes.iter().map(|(name, count)| (name.to_string(), (*count).into())).collect();
                    fields.insert("lanes".into(), lanes.into());
                    fields.insert("lanes_total".into(), self.board.total().into());
                }
                stderr::event(Level::Info, "progress", &text, fields, &text);
            }
            Shown::Nothing => {}
        }
    }

    /// ` · lanes 3 done, 2 active, 0 stopped of 6`, when there are several.
    fn lanes(&self, view: &BoardView) -> String {
        if self.board.total() <= 1 {
            return String::new();
        }
        format!(
            " · lanes {} done, {} active, {} stopped of {}",
            view.done,
            view.active,
            view.stopped,
            self.board.total()
        )
    }

    pub fn finish(self) {
        if let Shown::Bar { .. } = self.shown {
            stderr::hide();
        }
    }
}

fn bar(rows: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(rows), ProgressDrawTarget::stderr());
    bar.set_style(style("rows"));
    bar.enable_steady_tick(Duration::from_millis(200));
    stderr::show(&bar);
    bar
}

fn style(unit: &str) -> ProgressStyle {
    let template = format!("{{bar:30}} {{pos}}/{{len}} {unit} · {{rate}} · ETA {{eta}} · {{msg}}");
    ProgressStyle::with_template(&template).expect("the template is valid").with_key(
        "rate",
        |state: &ProgressState, out: &mut dyn std::fmt::Write| {
            let _ = write!(out, "{:.1}/s", state.per_sec());
        },
    )
}
