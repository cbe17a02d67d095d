//! An organisation in one run: 20 accounts × 3 Regions × 50 rows against
//! the emulator as an organisation, every (account, Region) limited to 5
//! requests/s in bursts of 5, no rate option, every lane at once. One lane
//! alone needs `(50 − 5) / 5` = 9 s; the whole run should take about as
//! long (target: at most 1.3 × that). Then 200 lanes × 10 rows, to show that
//! the count of lanes costs nothing visible; each beside one lane of the same
//! rows. Prints the wall time, the
//! ratio, the requests and wa-bulk's CPU time per request (user + system,
//! from the child's resource usage).
//!
//! A plain program (one run each). Run with `cargo bench --bench lanes`;
//! `LANES_BENCH=small` runs the 200-lane case only. The README quotes its
//! output.

use std::num::NonZeroU32;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use wa_bulk::emulator::{Emulator, EmulatorConfig, TestKey};

const BASE: &str = "900000000000";
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];

#[tokio::main]
async fn main() {
    let small_only = std::env::var("LANES_BENCH").is_ok_and(|which| which == "small");
    println!("lanes × rows | limit (s) | wall (s) | ratio | requests | throttled | CPU ms/request");
    let cases: &[(usize, usize)] =
        if small_only { &[(200, 10), (1, 10)] } else { &[(60, 50), (1, 50), (200, 10), (1, 10)] };
    for &(lanes, rows) in cases {
        organisation(lanes, rows).await;
    }
}

/// `lanes` (account, Region) lanes of `rows` rows each, against a fresh
/// emulator limited to 5 requests/s in each.
async fn organisation(lanes: usize, rows: usize) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("org.csv");
    sheet(&file, lanes, rows);
    let config = EmulatorConfig {
        rate: 5,
        burst: NonZeroU32::new(5),
        keys: vec![TestKey::new("AKIDBENCH", "bench-secret", BASE)],
        seed: Some(2026),
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start(config).await.unwrap();
    let endpoint = emulator.endpoint_url();
    let started = Instant::now();
    let (output, cpu) = tokio::task::spawn_blocking(move || run(&file, &endpoint)).await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(emulator.workloads().len(), lanes * rows, "every row created once");
    let stats = emulator.stats();
    let limit = (rows as f64 - 5.0) / 5.0;
    println!(
        "{lanes} × {rows} | {limit:.1} | {seconds:.2} | {:.3} | {} | {} ({:.1}%) | {:.3}",
        seconds / limit,
        stats.requests,
        stats.throttled,
        100.0 * stats.throttled as f64 / stats.requests as f64,
        cpu * 1000.0 / stats.requests as f64,
    );
}

/// Writes the sheet: lane `n` is account `n / 3` in Region `n % 3`.
fn sheet(file: &Path, lanes: usize, rows: usize) {
    let mut text =
        String::from("Name,Description,Environment,Regions,Owner,Lenses,Target account,Target Region\n");
    for lane in 0..lanes {
        let account = 100_000_000_000u64 + (lane / REGIONS.len()) as u64;
        let region = REGIONS[lane % REGIONS.len()];
        for row in 0..rows {
            text.push_str(&format!(
                "Workload {row},Benchmark,PRODUCTION,us-east-1,o@example.com,wellarchitected,{account:012},{region}\n"
            ));
        }
    }
    std::fs::write(file, text).unwrap();
}

/// Runs the import to the end; its output and the CPU seconds it used.
fn run(file: &Path, endpoint: &str) -> (std::process::Output, f64) {
    let before = children_cpu();
    let output = Command::new(env!("CARGO_BIN_EXE_wa-bulk"))
        .args(["import", file.to_str().unwrap(), "--quiet", "--output", "json", "--endpoint-url", endpoint])
        .args(["--role-name", "wa-bulk", "--max-lanes", "1000", "--concurrency", "64"])
        .env("AWS_ACCESS_KEY_ID", "AKIDBENCH")
        .env("AWS_SECRET_ACCESS_KEY", "bench-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("WA_BULK_CACHE_DIR", "")
        .output()
        .unwrap();
    (output, children_cpu() - before)
}

/// The CPU seconds (user and system) of every child waited for so far.
fn children_cpu() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let seconds = |time: libc::timeval| time.tv_sec as f64 + time.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
