//! What the export and answers benches share: an emulator limited to a
//! rate, holding the workloads they read, and the release binary pointed
//! at it.

use std::num::NonZeroU32;
use std::process::Command;

use wa_bulk::emulator::{Emulator, EmulatorConfig};
use wa_bulk::model::WorkloadRequest;

/// An emulator allowing `rate` requests a second in bursts of `rate`, in
/// each account and Region.
pub fn limited(rate: u32) -> EmulatorConfig {
    EmulatorConfig {
        rate,
        burst: NonZeroU32::new(rate),
        quota: 100_000,
        seed: Some(2026),
        ..EmulatorConfig::default()
    }
}

/// A [`limited`] emulator holding the workloads `workload(index)` makes
/// for each index below `count`.
#[allow(dead_code, reason = "each bench uses part of the support")]
pub async fn limited_emulator(
    rate: u32,
    count: u32,
    workload: impl Fn(u32) -> serde_json::Value,
) -> Emulator {
    let emulator = Emulator::start(limited(rate)).await.unwrap();
    for index in 0..count {
        let request: WorkloadRequest<'static> = serde_json::from_value(workload(index)).unwrap();
        emulator.preload(request).unwrap();
    }
    emulator
}

/// `wa-bulk ARGS… --quiet --endpoint-url URL` with the benches' credentials.
pub fn wa_bulk(args: &[&str], emulator: &Emulator) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wa-bulk"));
    command
        .args(args)
        .args(["--quiet", "--endpoint-url", &emulator.endpoint_url()])
        .env("AWS_ACCESS_KEY_ID", "AKIDBENCH")
        .env("AWS_SECRET_ACCESS_KEY", "bench-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("WA_BULK_CACHE_DIR", "");
    command
}

/// Workload `index` with the Framework lens, whose review a bench exports.
#[allow(dead_code, reason = "each bench uses part of the support")]
pub fn reviewed_workload(index: u32) -> serde_json::Value {
    serde_json::json!({
        "WorkloadName": format!("reviewed-{index:05}"),
        "Description": "A workload whose review is exported",
        "Environment": "PRODUCTION",
        "AwsRegions": ["us-east-1"],
        "ReviewOwner": "owner@example.com",
        "Lenses": ["wellarchitected"],
        "ClientRequestToken": format!("token-{index}"),
    })
}
