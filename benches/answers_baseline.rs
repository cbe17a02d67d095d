//! `wa-bulk answers import` of a baseline of 10 questions (two choices
//! each) over 200 workloads in 20 (account, Region) lanes (10 accounts × 2
//! Regions, 10 workloads each), from the emulator as an organisation (STS
//! AssumeRole into each account), every lane limited to 5 requests/s in
//! bursts of 5, no rate option. One lane's limit is `(requests − burst) /
//! rate` with its requests: a ListWorkloads page and, per workload,
//! ListLensReviews, 10 GetAnswer and 10 UpdateAnswer. Run with `cargo
//! bench --bench answers_baseline`; the README quotes its output.

use std::time::Instant;

use wa_bulk::emulator::{Emulator, Tenant};

mod support;

const RATE: u32 = 5;
const ACCOUNTS: u32 = 10;
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
const PER_LANE: u32 = 10;
const QUESTIONS: [&str; 10] =
    ["ops_1", "ops_2", "ops_3", "sec_1", "sec_2", "sec_3", "rel_1", "rel_2", "rel_3", "perf_1"];

#[tokio::main]
async fn main() {
    let emulator = Emulator::start(support::limited(RATE)).await.unwrap();
    let accounts: Vec<String> =
        (1..=ACCOUNTS).map(|number| format!("{:012}", 100_000_000_000 + u64::from(number))).collect();
    for account in &accounts {
        for region in REGIONS {
            let tenant = Tenant { account: account.clone(), region: region.to_owned() };
            for index in 0..PER_LANE {
                let request = serde_json::from_value(serde_json::json!({
                    "WorkloadName": format!("svc-{index:02}"),
                    "Description": "A workload of the estate",
                    "Environment": "PRODUCTION",
                    "AwsRegions": [region],
                    "ReviewOwner": "owner@example.com",
                    "Lenses": ["wellarchitected"],
                    "ClientRequestToken": format!("{account}-{region}-{index}"),
                }))
                .unwrap();
                emulator.preload_in(&tenant, request).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("baseline.csv");
    let mut rows = String::from("Lens,QuestionId,ChoiceId,State\n");
    for question in QUESTIONS {
        for choice in [1, 2] {
            rows.push_str(&format!("wellarchitected,{question},{question}_choice_{choice},SELECTED\n"));
        }
    }
    std::fs::write(&sheet, rows).unwrap();
    let (accounts, regions) = (accounts.join(","), REGIONS.join(","));
    let args = [
        "answers",
        "import",
        sheet.to_str().unwrap(),
        "--all-workloads",
        "--accounts",
        &accounts,
        "--regions",
        &regions,
        "--role-name",
        "Auditor",
        "--concurrency",
        "64",
    ];
    let started = Instant::now();
    let status = support::wa_bulk(&args, &emulator).status().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(status.success(), "the import failed: {status}");
    let lanes = ACCOUNTS * REGIONS.len() as u32;
    let writes = emulator.writes_by_operation().get("UpdateAnswer").copied().unwrap_or_default();
    assert_eq!(
        writes,
        u64::from(lanes * PER_LANE) * QUESTIONS.len() as u64,
        "every question of every workload, once"
    );
    let per_lane = 1 + PER_LANE * (1 + 2 * QUESTIONS.len() as u32);
    let limit = f64::from(per_lane - RATE) / f64::from(RATE);
    let stats = emulator.stats();
    println!(
        "lanes × workloads | questions | requests a lane | one lane's limit (s) | wall (s) | ratio | UpdateAnswer | throttled"
    );
    println!(
        "{lanes} × {PER_LANE} | {} | {per_lane} | {limit:.2} | {seconds:.2} | {:.3} | {writes} | {} ({:.1}%)",
        QUESTIONS.len(),
        seconds / limit,
        stats.throttled,
        100.0 * stats.throttled as f64 / stats.requests as f64
    );
}
