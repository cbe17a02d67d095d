//! Running the binary on fixture files and reading back its report.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;
use wa_bulk::report::{Record, Status};

/// The header of a complete CSV fixture, and a row that passes every rule.
pub const HEADER: &str = "WorkloadName,Description,Environment,AccountIds,AwsRegions,ReviewOwner,Lenses";

pub fn good_row(name: &str) -> String {
    format!("{name},A good workload,Production,111122223333,us-east-1,owner@example.com,wellarchitected")
}

/// A folder of fixtures that disappears with the test.
pub struct Fixture {
    pub dir: TempDir,
}

/// What one run of the binary did.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture { dir: tempfile::tempdir().unwrap() }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// `wa-bulk validate FILE --report <dir>/report.jsonl [args]`.
    pub fn validate(&self, file: &Path, args: &[&str]) -> Ran {
        let report = self.path("report.jsonl");
        let mut all = vec![file.to_str().unwrap(), "--report", report.to_str().unwrap()];
        all.extend(args);
        wa_bulk(&[&["validate"], all.as_slice()].concat())
    }

    /// The records of the last `validate` report.
    pub fn records(&self) -> Vec<Record<'static>> {
        read_jsonl(&self.path("report.jsonl"))
    }
}

pub fn wa_bulk(args: &[&str]) -> Ran {
    let output = Command::new(env!("CARGO_BIN_EXE_wa-bulk")).args(args).output().unwrap();
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn read_jsonl(path: &Path) -> Vec<Record<'static>> {
    std::fs::read_to_string(path).unwrap().lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

/// Rows and statuses, for compact assertions.
pub fn statuses(records: &[Record<'_>]) -> Vec<(u64, Status)> {
    records.iter().map(|r| (r.row, r.status)).collect()
}

/// The record of a sheet row.
pub fn record<'r>(records: &'r [Record<'static>], row: u64) -> &'r Record<'static> {
    records.iter().find(|r| r.row == row).unwrap_or_else(|| panic!("no record for row {row}"))
}

/// Fails with the whole text when it lacks the expected part.
#[track_caller]
pub fn assert_contains(text: &str, expected: &str) {
    assert!(text.contains(expected), "expected {expected:?} in:\n{text}");
}

/// A profile made in the emulator's home account and Region; its ARN.
pub async fn profile(emulator: &wa_bulk::emulator::Emulator, name: &str) -> String {
    let made = emulator
        .client()
        .create_profile()
        .profile_name(name)
        .profile_description("A profile for the tests")
        .set_profile_questions(Some(Vec::new()))
        .client_request_token(name)
        .send()
        .await
        .unwrap();
    made.profile_arn().unwrap().to_owned()
}

/// An emulator holding `samples/workloads.csv`'s twelve workloads, every member used.
pub async fn service_with_the_sample(fixture: &Fixture) -> wa_bulk::emulator::Emulator {
    use wa_bulk::emulator::{Emulator, EmulatorConfig};
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/workloads.csv");
    let sample = fixture.write("sample.csv", std::fs::read(sample).unwrap());
    let output = super::import::run(&mut super::import::import(&sample, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(0), "{}", super::import::text(&output));
    emulator
}

/// A workload created through `client` with these lenses (and review
/// template): its id.
pub async fn workload(
    client: &aws_sdk_wellarchitected::Client,
    name: &str,
    lenses: &[&str],
    template: Option<&str>,
) -> String {
    let mut create = client
        .create_workload()
        .workload_name(name)
        .description("A workload for the review tests")
        .environment(aws_sdk_wellarchitected::types::WorkloadEnvironment::Production)
        .review_owner("owner@example.com")
        .aws_regions("us-east-1")
        .client_request_token(format!("token-{name}"));
    for lens in lenses {
        create = create.lenses(*lens);
    }
    if let Some(template) = template {
        create = create.review_template_arns(template);
    }
    create.send().await.unwrap().workload_id.unwrap()
}

/// A review template of the Framework lens, made through `client`: its ARN.
pub async fn review_template(client: &aws_sdk_wellarchitected::Client, name: &str) -> String {
    let created = client
        .create_review_template()
        .template_name(name)
        .description("What every workload inherits")
        .lenses("wellarchitected")
        .client_request_token(format!("template-{name}"))
        .send()
        .await
        .unwrap();
    created.template_arn.unwrap()
}
