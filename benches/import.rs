//! The import against a service that pushes back: the emulator limited to
//! 20 requests/s (bursts of 20) with 5% injected 500s and 30 ms latency,
//! wa-bulk asked for 40 requests/s. Prints, for 200 and 1,000 rows, the run
//! time against the limit `(rows - burst) / rate`, and the share of answers
//! that were throttled. One run each (a 1,000-row run takes about a minute),
//! so this is a plain program rather than a criterion sampling loop.
//!
//! Run with `cargo bench --bench import`; the README quotes its output.

use std::num::NonZeroU32;
use std::process::Command;
use std::time::{Duration, Instant};

use wa_bulk::emulator::{Emulator, EmulatorConfig};
use wa_bulk::report::{Status, read_records};

const RATE: u32 = 20;
const BURST: u32 = 20;

#[tokio::main]
async fn main() {
    println!("rows | run (s) | limit (s) | ratio | requests | throttled | faults | created");
    // `IMPORT_BENCH_ROWS=200` runs one size only.
    let sizes: Vec<u32> = match std::env::var("IMPORT_BENCH_ROWS") {
        Ok(rows) => vec![rows.parse().expect("IMPORT_BENCH_ROWS is a number")],
        Err(_) => vec![200, 1_000],
    };
    for rows in sizes {
        let config = EmulatorConfig {
            rate: RATE,
            burst: NonZeroU32::new(BURST),
            fail_rate: 0.05,
            latency: Duration::from_millis(30),
            seed: Some(2026),
            quota: 10_000,
            ..EmulatorConfig::default()
        };
        let emulator = Emulator::start(config).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rows.csv");
        let mut text = String::from("WorkloadName,Description,Environment,AwsRegions,ReviewOwner,Lenses\n");
        for index in 0..rows {
            text.push_str(&format!(
                "bench-{index:05},Benchmark workload,Production,us-east-1,o@example.com,wellarchitected\n"
            ));
        }
        std::fs::write(&file, text).unwrap();
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_wa-bulk"))
            .args([
                "import",
                file.to_str().unwrap(),
                "--quiet",
                "--rate",
                "40",
                "--endpoint-url",
                &emulator.endpoint_url(),
            ])
            .env("AWS_ACCESS_KEY_ID", "AKIDBENCH")
            .env("AWS_SECRET_ACCESS_KEY", "bench-secret")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .status()
            .unwrap();
        let elapsed = started.elapsed().as_secs_f64();
        assert!(status.success(), "the import failed: {status}");
        let created = read_records(&dir.path().join("rows.csv.report.csv"))
            .unwrap()
            .iter()
            .filter(|record| record.status == Status::Created)
            .count();
        let limit = f64::from(rows - BURST) / f64::from(RATE);
        let stats = emulator.stats();
        println!(
            "{rows} | {elapsed:.2} | {limit:.2} | {:.3} | {} | {} ({:.1}%) | {} | {created}",
            elapsed / limit,
            stats.requests,
            stats.throttled,
            100.0 * stats.throttled as f64 / stats.requests as f64,
            stats.faults,
        );
        assert_eq!(emulator.workloads().len(), rows as usize, "every row created once");
    }
}
