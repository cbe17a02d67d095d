//! An organisation in one run, against the emulator as one, every
//! (account, Region) limited to 5 requests/s in bursts of 5, no rate option,
//! every lane at once. Each case runs twice: first with nothing learned
//! (each lane discovers its rate from 5/s), then again against a fresh
//! emulator at the same endpoint with the rates the first run kept (a
//! nightly job's second night). Prints the wall time against one lane's
//! limit `(requests of a lane − 5) / 5` (an import lane needs a listing and
//! a CreateWorkload per row; an export lane what it read), the requests
//! (STS's and retries included), the throttled share
//! and wa-bulk's CPU time per request (user + system, from the child's
//! resource usage).
//!
//! - `LANES_BENCH=import` (the default): 60 lanes × 50 rows and 200 lanes ×
//!   10 rows imported;
//! - `LANES_BENCH=export`: 60 lanes × 50 workloads exported (with the risk
//!   columns: 4 requests a workload and a listing a lane);
//! - `LANES_BENCH=scale`: 1,000 lanes (50 accounts × 20 Regions) × 10 rows
//!   imported, then exported, in one process each, no rate limit: every
//!   workload once, peak memory (`/usr/bin/time -v`) and CPU per request.
//!
//! A plain program (one run each; `LANES_BENCH_REPEAT=N` runs the learned
//! case N times and prints the median). Run with `cargo bench --bench lanes`.
//! The README quotes its output.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use wa_bulk::emulator::{Emulator, EmulatorConfig, Tenant, TestKey};

const BASE: &str = "900000000000";
const REGIONS: [&str; 20] = [
    "us-east-1",
    "eu-west-1",
    "ap-southeast-2",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "ap-southeast-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ca-central-1",
    "sa-east-1",
    "me-south-1",
    "af-south-1",
];

#[tokio::main]
async fn main() {
    let which = std::env::var("LANES_BENCH").unwrap_or_else(|_| "import".into());
    println!("case | run | limit (s) | wall (s) | ratio | requests | throttled | CPU ms/request | peak MB");
    match which.as_str() {
        "export" => twice(Case { lanes: 60, rows: 50, regions: 3, export: true }).await,
        "scale" => scale().await,
        _ => {
            twice(Case { lanes: 60, rows: 50, regions: 3, export: false }).await;
            twice(Case { lanes: 200, rows: 10, regions: 3, export: false }).await;
        }
    }
}

/// `lanes` (account, Region) lanes of `rows` each, spread over `regions`
/// Regions; exported (the workloads preloaded) or imported.
#[derive(Debug, Clone, Copy)]
struct Case {
    lanes: usize,
    rows: usize,
    regions: usize,
    export: bool,
}

impl Case {
    fn place(&self, lane: usize) -> (String, &'static str) {
        (format!("{:012}", 100_000_000_000u64 + (lane / self.regions) as u64), REGIONS[lane % self.regions])
    }

    fn label(&self) -> String {
        let what = if self.export { "export" } else { "import" };
        format!("{what} {} × {}", self.lanes, self.rows)
    }
}

/// What a run of wa-bulk took.
struct Ran {
    seconds: f64,
    cpu: f64,
    peak_mb: Option<f64>,
    /// Requests sent again (timeouts, faults, throttling), as the summary says.
    retried: u64,
}

/// The case with nothing learned, then with what the first run kept
/// (`LANES_BENCH_REPEAT=N`: N such runs, each a fresh emulator, the median
/// printed).
async fn twice(case: Case) {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let mut bind = SocketAddr::from(([127, 0, 0, 1], 0));
    let repeat = std::env::var("LANES_BENCH_REPEAT").ok().and_then(|n| n.parse().ok()).unwrap_or(1usize);
    for (run, times) in [("first", 1), ("learned", repeat.max(1))] {
        let mut runs = Vec::new();
        for _ in 0..times {
            let emulator = Emulator::start(limited(bind, 5)).await.unwrap();
            bind = emulator.addr();
            let ran = go(case, &emulator, dir.path(), &cache, false).await;
            runs.push((ran, emulator.stats()));
            emulator.stop().await.unwrap();
        }
        runs.sort_by(|(a, _), (b, _)| a.seconds.total_cmp(&b.seconds));
        let all: Vec<String> = runs.iter().map(|(ran, _)| format!("{:.2}", ran.seconds)).collect();
        let (ran, stats) = runs.swap_remove(runs.len() / 2);
        let run = if times > 1 { format!("{run} (median of {})", all.join(", ")) } else { run.to_owned() };
        // The fewest requests a lane needs: a listing and a write per row,
        // or what the export read.
        let per_lane =
            if case.export { stats.requests as f64 / case.lanes as f64 } else { (case.rows + 1) as f64 };
        let limit = (per_lane - 5.0) / 5.0;
        println!(
            "{} | {run} | {limit:.1} | {:.2} | {:.3} | {} | {:.1}% | {:.3} | -",
            case.label(),
            ran.seconds,
            ran.seconds / limit,
            stats.requests,
            100.0 * stats.throttled as f64 / stats.requests as f64,
            ran.cpu * 1000.0 / stats.requests as f64,
        );
    }
}

/// 1,000 lanes × 10 rows: imported, then exported, from one emulator.
async fn scale() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let import = Case { lanes: 1000, rows: 10, regions: 20, export: false };
    let emulator = Emulator::start(limited(SocketAddr::from(([127, 0, 0, 1], 0)), 0)).await.unwrap();
    for case in [import, Case { export: true, ..import }] {
        let before = emulator.stats().requests;
        let ran = go(case, &emulator, dir.path(), &cache, true).await;
        let requests = emulator.stats().requests - before;
        assert_eq!(emulator.workloads().len(), 10_000, "every workload once");
        println!(
            "{} | one | - | {:.2} | - | {requests} ({} retried) | - | {:.3} | {:.1}",
            case.label(),
            ran.seconds,
            ran.retried,
            ran.cpu * 1000.0 / requests as f64,
            ran.peak_mb.unwrap_or_default(),
        );
    }
    emulator.stop().await.unwrap();
}

/// Every place limited to `rate` requests/s in bursts of as many (0: no
/// limit), at `bind`.
fn limited(bind: SocketAddr, rate: u32) -> EmulatorConfig {
    EmulatorConfig {
        bind,
        rate,
        burst: NonZeroU32::new(rate),
        keys: vec![TestKey::new("AKIDBENCH", "bench-secret", BASE)],
        seed: Some(2026),
        ..EmulatorConfig::default()
    }
}

/// Prepares the case (the sheet, or the workloads to export) and runs it.
async fn go(case: Case, emulator: &Emulator, dir: &Path, cache: &Path, timed: bool) -> Ran {
    let mut args: Vec<String> = ["--quiet", "--output", "json", "--endpoint-url", &emulator.endpoint_url()]
        .map(str::to_owned)
        .to_vec();
    args.extend(["--role-name", "wa-bulk", "--max-lanes", "1000", "--concurrency", "64"].map(str::to_owned));
    let command = if case.export {
        if emulator.workloads().is_empty() {
            preload(case, emulator);
        }
        let accounts = dir.join("accounts.txt");
        let ids: Vec<String> = (0..case.lanes).step_by(case.regions).map(|lane| case.place(lane).0).collect();
        std::fs::write(&accounts, ids.join("\n")).unwrap();
        let out = dir.join("export.csv");
        let _ = std::fs::remove_file(&out);
        let regions = REGIONS[..case.regions].join(",");
        let words = [
            "export",
            out.to_str().unwrap(),
            "--accounts",
            accounts.to_str().unwrap(),
            "--regions",
            &regions,
        ];
        [words.map(str::to_owned).to_vec(), args].concat()
    } else {
        let file = dir.join("org.csv");
        sheet(case, &file);
        let _ = std::fs::remove_file(dir.join("org.csv.report.csv"));
        [vec!["import".to_owned(), file.display().to_string()], args].concat()
    };
    tokio::task::spawn_blocking({
        let cache = cache.to_owned();
        move || run(&command, &cache, timed)
    })
    .await
    .unwrap()
}

/// The workloads of every place, for an export.
fn preload(case: Case, emulator: &Emulator) {
    for lane in 0..case.lanes {
        let (account, region) = case.place(lane);
        for row in 0..case.rows {
            let request = serde_json::from_value(serde_json::json!({
                "WorkloadName": format!("Workload {row}"), "Description": "Benchmark", "Environment": "PRODUCTION",
                "AwsRegions": ["us-east-1"], "ReviewOwner": "o@example.com", "Lenses": ["wellarchitected"],
                "ClientRequestToken": format!("t-{lane}-{row}"),
            }))
            .unwrap();
            emulator
                .preload_in(&Tenant { account: account.clone(), region: region.into() }, request)
                .unwrap();
        }
    }
}

/// Writes the sheet: `rows` rows for each lane's place.
fn sheet(case: Case, file: &Path) {
    let mut text =
        String::from("Name,Description,Environment,Regions,Owner,Lenses,Target account,Target Region\n");
    for lane in 0..case.lanes {
        let (account, region) = case.place(lane);
        for row in 0..case.rows {
            text.push_str(&format!(
                "Workload {row},Benchmark,PRODUCTION,us-east-1,o@example.com,wellarchitected,{account},{region}\n"
            ));
        }
    }
    std::fs::write(file, text).unwrap();
}

/// Runs wa-bulk with `args` to the end, keeping rates in `cache`; under
/// `/usr/bin/time -v` when `timed`, for the peak memory.
fn run(args: &[String], cache: &Path, timed: bool) -> Ran {
    let binary = env!("CARGO_BIN_EXE_wa-bulk");
    let mut command = if timed { Command::new("/usr/bin/time") } else { Command::new(binary) };
    if timed {
        command.args(["-v", binary]);
    }
    command
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "AKIDBENCH")
        .env("AWS_SECRET_ACCESS_KEY", "bench-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("WA_BULK_CACHE_DIR", cache);
    let before = children_cpu();
    let started = Instant::now();
    let output = command.output().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let peak_mb = String::from_utf8_lossy(&output.stderr)
        .lines()
        .find_map(|line| line.trim().strip_prefix("Maximum resident set size (kbytes): "))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let retried = summary["retried"].as_u64().unwrap_or_default();
    Ran { seconds, cpu: children_cpu() - before, peak_mb, retried }
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
