//! `wa-bulk export` of 1,000 workloads from the emulator limited to 20
//! requests/s (bursts of 20), with no rate option: the time against the
//! limit `(list pages + 1,000 gets - burst) / rate`. GetWorkload returns each
//! workload's tags, so no tag reads are needed. One run (about a minute), so
//! a plain program. Run with `cargo bench --bench export`; `EXPORT_BENCH_ROWS`
//! sets the workloads. The README quotes its output.

use std::time::Instant;

mod support;

const RATE: u32 = 20;

#[tokio::main]
async fn main() {
    let workloads: u32 =
        std::env::var("EXPORT_BENCH_ROWS").map_or(1_000, |rows| rows.parse().expect("a number"));
    let emulator = support::limited_emulator(RATE, workloads, |index| {
        serde_json::json!({
            "WorkloadName": format!("export-{index:05}"),
            "Description": "A workload to export",
            "Environment": "PRODUCTION",
            "AwsRegions": ["us-east-1", "eu-west-1"],
            "AccountIds": ["011122223333"],
            "ReviewOwner": "owner@example.com",
            "Lenses": ["wellarchitected"],
            "Tags": {"team": format!("t{}", index % 7), "cost-center": "CC-1"},
            "ClientRequestToken": format!("token-{index}"),
        })
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.csv");
    let started = Instant::now();
    let status = support::wa_bulk(&["export", out.to_str().unwrap()], &emulator).status().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(status.success(), "the export failed: {status}");
    let rows = std::fs::read_to_string(&out).unwrap().lines().count() - 1;
    assert_eq!(rows, workloads as usize, "every workload exported once");
    let pages = workloads.div_ceil(50);
    let limit = f64::from(pages + workloads - RATE) / f64::from(RATE);
    let stats = emulator.stats();
    println!("workloads | export (s) | limit (s) | ratio | requests | throttled");
    println!(
        "{workloads} | {seconds:.2} | {limit:.2} | {:.3} | {} | {} ({:.1}%)",
        seconds / limit,
        stats.requests,
        stats.throttled,
        100.0 * stats.throttled as f64 / stats.requests as f64
    );
}
