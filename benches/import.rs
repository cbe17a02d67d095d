//! The import against a service whose rate it is not told: 600 rows, the
//! emulator limited to 5, 20 and 100 requests/s (bursts as large) with 5%
//! injected 500s and 30 ms latency, and wa-bulk given no rate option, so it
//! finds the rate itself. Prints, for each service rate, the run time
//! against the limit `(rows - burst) / rate`, the share of requests that were
//! throttled, and the rate wa-bulk found. Beside it, in the same sitting,
//! the peer a user would write instead: a boto3 thread pool with adaptive
//! retries (`benches/peer/boto3_import.py`), when python3 has boto3.
//!
//! Each wa-bulk run is followed by a second against a fresh emulator at
//! the same endpoint, with the rates the first kept (`learned`: a nightly
//! job's second night); `IMPORT_BENCH_REPEAT=N` runs that second night N
//! times (each a fresh emulator) and prints the median. Beside the limit,
//! the learned run is also set against the floor the injected faults leave:
//! a 500 uses up a token as an accepted request does, so no client can do
//! better than `(accepted + faults - burst) / rate`.
//!
//! One run each (the 5/s run takes two minutes), so this is a plain program
//! rather than a criterion sampling loop. Run with `cargo bench --bench
//! import`; `IMPORT_BENCH_RATES=20,100` picks service rates,
//! `IMPORT_BENCH_ROWS` the rows and `IMPORT_BENCH_FAULTS` the percentage of
//! injected 500s (5 unless told; 0 shows pacing alone, where the floor is
//! the limit). The README quotes its output.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use wa_bulk::emulator::{Emulator, EmulatorConfig};

const PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peer/boto3_import.py");

/// What one import against a fresh emulator took and cost.
struct Run {
    seconds: f64,
    requests: u64,
    throttled: u64,
    /// Requests the service took a token for: all but the throttled ones.
    admitted: u64,
    /// The rate wa-bulk says it found, from its JSON summary.
    found: Option<f64>,
}

#[tokio::main]
async fn main() {
    let rates = numbers("IMPORT_BENCH_RATES", vec![5, 20, 100]);
    let rows = numbers("IMPORT_BENCH_ROWS", vec![600])[0];
    let repeat = numbers("IMPORT_BENCH_REPEAT", vec![1])[0].max(1);
    let faults = numbers("IMPORT_BENCH_FAULTS", vec![5])[0].min(100);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rows.csv");
    let mut text = String::from("WorkloadName,Description,Environment,AwsRegions,ReviewOwner,Lenses\n");
    for index in 0..rows {
        text.push_str(&format!(
            "bench-{index:05},Benchmark workload,PRODUCTION,us-east-1,o@example.com,wellarchitected\n"
        ));
    }
    std::fs::write(&file, text).unwrap();
    let peer =
        Command::new("python3").args(["-c", "import boto3"]).output().is_ok_and(|out| out.status.success());
    println!(
        "{rows} rows, no rate option; the service allows N/s in bursts of N, fails {faults}%, answers in 30 ms"
    );
    println!(
        "service | limit (s) | wa-bulk (s) | ratio | throttled | rate found | learned (s) | ratio | faults' floor (s) \
         | ratio | throttled | boto3 adaptive (s) | ratio | throttled"
    );
    if repeat > 1 {
        println!("learned: the median of {repeat} runs");
    }
    let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
    for rate in rates {
        let limit = f64::from(rows - rate) / f64::from(rate);
        let cache = dir.path().join(format!("cache-{rate}"));
        let (ours, endpoint) =
            import(rate, faults, any_port, &file, |endpoint| wa_bulk(&file, endpoint, &cache)).await;
        std::fs::remove_file(dir.path().join("rows.csv.report.csv")).unwrap();
        // The next nights: a fresh service at the same endpoint, the rates kept.
        let mut nights = Vec::new();
        for _ in 0..repeat {
            nights.push(
                import(rate, faults, endpoint, &file, |endpoint| wa_bulk(&file, endpoint, &cache)).await.0,
            );
            std::fs::remove_file(dir.path().join("rows.csv.report.csv")).unwrap();
        }
        nights.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
        let learned = nights.swap_remove(nights.len() / 2);
        let floor = (learned.admitted - u64::from(rate)) as f64 / f64::from(rate);
        let theirs = match peer {
            true => Some(import(rate, faults, any_port, &file, |endpoint| boto3(&file, endpoint)).await.0),
            false => None,
        };
        let found = ours.found.map_or("-".to_owned(), |found| format!("{found:.1}/s"));
        let peer_columns = theirs.map_or("not run (no boto3) | | ".to_owned(), |theirs| {
            format!("{:.2} | {:.3} | {}", theirs.seconds, theirs.seconds / limit, share(&theirs))
        });
        println!(
            "{rate}/s | {limit:.2} | {:.2} | {:.3} | {} | {found} | {:.2} | {:.3} | {floor:.2} | {:.3} | {} | \
             {peer_columns}",
            ours.seconds,
            ours.seconds / limit,
            share(&ours),
            learned.seconds,
            learned.seconds / limit,
            learned.seconds / floor,
            share(&learned),
        );
    }
}

/// Runs `command` against a fresh emulator at `bind` limited to
/// `rate`/s and failing `faults`% of requests; every row must end up stored
/// once. The emulator's address.
async fn import(
    rate: u32,
    faults: u32,
    bind: SocketAddr,
    file: &Path,
    command: impl FnOnce(&str) -> Command,
) -> (Run, SocketAddr) {
    let config = EmulatorConfig {
        bind,
        rate,
        burst: NonZeroU32::new(rate),
        fail_rate: f64::from(faults) / 100.0,
        latency: Duration::from_millis(30),
        seed: Some(2026),
        quota: 100_000,
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start(config).await.unwrap();
    let started = Instant::now();
    let output = command(&emulator.endpoint_url()).output().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(output.status.success(), "{}: {}", file.display(), String::from_utf8_lossy(&output.stderr));
    let rows = std::fs::read_to_string(file).unwrap().lines().count() - 1;
    assert_eq!(emulator.workloads().len(), rows, "every row created once");
    let summary: Option<serde_json::Value> = serde_json::from_slice(&output.stdout).ok();
    let found = summary.as_ref().and_then(|summary| summary["rate"]["service"].as_f64());
    let stats = emulator.stats();
    let address = emulator.addr();
    emulator.stop().await.unwrap();
    let admitted = stats.requests - stats.throttled;
    (Run { seconds, requests: stats.requests, throttled: stats.throttled, admitted, found }, address)
}

/// wa-bulk, keeping the rates it learns in `cache`.
fn wa_bulk(file: &Path, endpoint: &str, cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wa-bulk"));
    command
        .args(["import", file.to_str().unwrap(), "--quiet", "--output", "json", "--endpoint-url", endpoint])
        .env("AWS_ACCESS_KEY_ID", "AKIDBENCH")
        .env("AWS_SECRET_ACCESS_KEY", "bench-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("WA_BULK_CACHE_DIR", cache);
    command
}

fn boto3(file: &Path, endpoint: &str) -> Command {
    let mut command = Command::new("python3");
    command
        .args([PEER, file.to_str().unwrap(), endpoint])
        .env("AWS_ACCESS_KEY_ID", "AKIDBENCH")
        .env("AWS_SECRET_ACCESS_KEY", "bench-secret")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    command
}

/// `12 (1.9%)`: throttled answers and their share of all requests.
fn share(run: &Run) -> String {
    format!("{} ({:.1}%)", run.throttled, 100.0 * run.throttled as f64 / run.requests as f64)
}

fn numbers(variable: &str, default: Vec<u32>) -> Vec<u32> {
    match std::env::var(variable) {
        Ok(list) => list.split(',').map(|n| n.trim().parse().expect("a list of numbers")).collect(),
        Err(_) => default,
    }
}
