//! `wa-bulk export` of 1,000 workloads from the emulator limited to 20
//! requests/s (bursts of 20), with no rate option: the time against the
//! limit `(list pages + 1,000 gets - burst) / rate`. GetWorkload returns each
//! workload's tags, so no tag reads are needed. One run (about a minute), so
//! a plain program. Run with `cargo bench --bench export`; `EXPORT_BENCH_ROWS`
//! sets the workloads. The README quotes its output.

use std::num::NonZeroU32;
use std::process::Command;
use std::time::Instant;

use wa_bulk::emulator::{Emulator, EmulatorConfig};
use wa_bulk::model::WorkloadRequest;

const RATE: u32 = 20;

#[tokio::main]
async fn main() {
    let workloads: u32 =
        std::env::var("EXPORT_BENCH_ROWS").map_or(1_000, |rows| rows.parse().expect("a number"));
    let config = EmulatorConfig {
        rate: RATE,
        burst: NonZeroU32::new(RATE),
        quota: 100_000,
        seed: Some(2026),
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start(config).await.unwrap();
    for index in 0..workloads {
        let request: WorkloadRequest<'static> = serde_json::from_value(serde_json::json!({
            "WorkloadName": format!("export-{index:05}"),
            "Description": "A workload to export",
            "Environment": "PRODUCTION",
            "AwsRegions": ["us-east-1", "eu-west-1"],
            "AccountIds": ["011122223333"],
            "ReviewOwner": "owner@example.com",
            "Lenses": ["wellarchitected"],
            "Tags": {"team": format!("t{}", index % 7), "cost-center": "CC-1"},
            "ClientRequestToken": format!("token-{index}"),
        }))
        .unwrap();
        emulator.preload(request).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.csv");
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_wa-bulk"))
        .args(["export", out.to_str().unwrap(), "--quiet", "--endpoint-url", &emulator.endpoint_url()])
        .env("AWS_ACCESS_KEY_ID", "AKIDBENCH")
        .env("AWS_SECRET_ACCESS_KEY", "bench-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .status()
        .unwrap();
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
