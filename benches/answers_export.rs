//! `wa-bulk answers export` of 100 workloads, each with the Framework lens
//! (18 questions in the emulator), notes included, from the emulator
//! limited to 20 requests/s (bursts of 20), with no rate option: the time
//! against the limit `(requests − burst) / rate`, where the requests are
//! one ListWorkloads page per 50 workloads and, per workload,
//! ListLensReviews, GetLensReview, ListAnswers and a GetAnswer a question
//! (STS, answered before the emulator's limiter, is not counted). One run
//! (about two minutes), so a plain program. Run with `cargo bench --bench
//! answers_export`; `ANSWERS_BENCH_WORKLOADS` sets the workloads. The README
//! quotes its output.

use std::time::Instant;

mod support;

const RATE: u32 = 20;
const QUESTIONS: u32 = 18;

#[tokio::main]
async fn main() {
    let workloads: u32 =
        std::env::var("ANSWERS_BENCH_WORKLOADS").map_or(100, |count| count.parse().expect("a number"));
    let emulator = support::limited_emulator(RATE, workloads, support::reviewed_workload).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("answers.csv");
    let started = Instant::now();
    let status = support::wa_bulk(&["answers", "export", out.to_str().unwrap()], &emulator).status().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(status.success(), "the export failed: {status}");
    let rows = std::fs::read_to_string(&out).unwrap().lines().count() - 1;
    let per_workload = 1 + 6 + QUESTIONS * 6;
    assert_eq!(rows, (workloads * per_workload) as usize, "every review exported once");
    let requests = workloads.div_ceil(50) + workloads * (3 + QUESTIONS);
    let limit = f64::from(requests - RATE) / f64::from(RATE);
    let stats = emulator.stats();
    println!("workloads | requests (limited) | export (s) | limit (s) | ratio | answered | throttled");
    println!(
        "{workloads} | {requests} | {seconds:.2} | {limit:.2} | {:.3} | {} | {} ({:.1}%)",
        seconds / limit,
        stats.requests,
        stats.throttled,
        100.0 * stats.throttled as f64 / stats.requests as f64
    );

    // The export edited in 30 questions (a choice selected in ops_1 of 30
    // workloads) and imported: exactly 30 UpdateAnswer.
    let edited = dir.path().join("edited.csv");
    let mut changed = 0;
    let text: String = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|line| match line.contains(",ops_1,") && line.contains(",ops_1_choice_1,") && changed < 30 {
            true => {
                changed += 1;
                format!("{}\n", line.replacen(",UNSELECTED,", ",SELECTED,", 1))
            }
            false => format!("{line}\n"),
        })
        .collect();
    std::fs::write(&edited, text).unwrap();
    let started = Instant::now();
    let status =
        support::wa_bulk(&["answers", "import", edited.to_str().unwrap()], &emulator).status().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(status.success(), "the import failed: {status}");
    let sent = emulator.writes_by_operation();
    println!("edited questions | import (s) | UpdateAnswer | other writes");
    println!(
        "{changed} | {seconds:.2} | {} | {}",
        sent.get("UpdateAnswer").unwrap_or(&0),
        sent.iter()
            .filter(|(operation, _)| **operation != "UpdateAnswer")
            .map(|(_, count)| count)
            .sum::<u64>()
    );
}
