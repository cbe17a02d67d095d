//! `wa-bulk plan`: each kind of action, member changes as `old → new`,
//! `--detailed-exitcode`, the report, and nothing written to the service.

use serde_json::Value;
use wa_bulk::emulator::{Emulator, EmulatorConfig};

use super::import::{import, run, sending, text};
use super::support::Fixture;
use wa_bulk::report::Status::{Created, Updated};

const HEADER: &str =
    "WorkloadName,Description,Environment,AwsRegions,ReviewOwner,Lenses,Notes,PillarPriorities";
const TEMPLATE: &str =
    "arn:aws:wellarchitected:us-east-1:123456789012:review-template/0123456789abcdef0123456789abcdef";

fn plan(file: &std::path::Path, emulator: &Emulator, args: &[&str]) -> std::process::Command {
    sending("plan", file, Some(&emulator.endpoint_url()), args)
}

/// An emulator holding `alpha` and `beta`, created by an import.
async fn service_with_two(fixture: &Fixture) -> Emulator {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let rows = format!(
        "{HEADER}\nalpha,First workload,PRODUCTION,us-east-1,o@example.com,wellarchitected,,security;reliability\n\
         beta,Second workload,PRODUCTION,us-east-1,o@example.com,wellarchitected,,\n"
    );
    let file = fixture.write("first.csv", rows);
    let output = run(&mut import(&file, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    emulator
}

fn edited(fixture: &Fixture) -> std::path::PathBuf {
    let rows = format!(
        "{HEADER},ReviewTemplateArns\n\
         alpha,First workload changed,PRODUCTION,us-east-1;eu-west-1,o@example.com,wellarchitected,some notes,reliability;security,{TEMPLATE}\n\
         beta,Second workload,PRODUCTION,us-east-1,o@example.com,wellarchitected,,,\n\
         gamma,Third workload,PRODUCTION,us-east-1,o@example.com,wellarchitected,,,\n\
         bad,x,PRODUCTION,us-east-1,o@example.com,wellarchitected,,,\n"
    );
    fixture.write("edited.csv", rows)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plan_shows_each_action_and_each_change_as_old_to_new() {
    let fixture = Fixture::new();
    let emulator = service_with_two(&fixture).await;
    let requests = emulator.stats().requests;
    let file = edited(&fixture);
    let output = run(&mut plan(&file, &emulator, &["--on-existing", "update"])).await;
    assert_eq!(output.status.code(), Some(1), "an invalid row: {}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("~ update    row 2 \"alpha\" ("), "{stdout}");
    assert_eq!(lines[1].trim(), r#"Description: "First workload" → "First workload changed""#);
    assert_eq!(lines[2].trim(), r#"AwsRegions: + "eu-west-1""#);
    assert_eq!(
        lines[3].trim(),
        r#"PillarPriorities: order "security", "reliability" → "reliability", "security""#
    );
    assert_eq!(lines[4].trim(), r#"Notes: (none) → "some notes""#);
    assert!(lines[5].contains("- ReviewTemplateArns: cannot change in place"), "{stdout}");
    assert!(lines[6].starts_with("= unchanged row 3 \"beta\" ("), "{stdout}");
    assert_eq!(lines[7], "+ create    row 4 \"gamma\"");
    assert!(lines[8].starts_with("x invalid   row 5 \"bad\": row 5, column \"Description\""), "{stdout}");
    assert_eq!(lines[9], "Plan: 1 to create, 1 to update, 1 unchanged, 1 invalid.");

    // Skip and fail: kept and refused.
    let output = run(&mut plan(&file, &emulator, &[])).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("= keep      row 2 \"alpha\""), "{stdout}");
    assert!(stdout.contains("Plan: 1 to create, 0 to update, 2 kept as they are, 1 invalid."), "{stdout}");
    let output = run(&mut plan(&file, &emulator, &["--on-existing", "fail"])).await;
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("! refuse    row 3 \"beta\""),
        "{}",
        text(&output)
    );

    // Reads only: a listing, and GetWorkload for what it compares.
    assert_eq!(emulator.workloads().len(), 2, "nothing created");
    let stored = emulator.workloads();
    let alpha = stored.iter().find(|workload| workload.request.name() == "alpha").unwrap();
    assert_eq!(alpha.request.description.as_deref(), Some("First workload"), "nothing updated");
    assert!(emulator.stats().requests > requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn detailed_exitcode_says_whether_anything_would_change() {
    let fixture = Fixture::new();
    let emulator = service_with_two(&fixture).await;
    let same = fixture.write(
        "same.csv",
        format!("{HEADER}\nalpha,First workload,PRODUCTION,us-east-1,o@example.com,wellarchitected,,\n"),
    );
    let output = run(&mut plan(&same, &emulator, &["--on-existing", "update", "--detailed-exitcode"])).await;
    assert_eq!(output.status.code(), Some(0), "nothing to change: {}", text(&output));
    let more = fixture.write(
        "more.csv",
        format!("{HEADER}\ndelta,Fourth workload,PRODUCTION,us-east-1,o@example.com,wellarchitected,,\n"),
    );
    let output = run(&mut plan(&more, &emulator, &["--detailed-exitcode"])).await;
    assert_eq!(output.status.code(), Some(2), "a workload to create: {}", text(&output));
    let output = run(&mut plan(&edited(&fixture), &emulator, &["--detailed-exitcode"])).await;
    assert_eq!(output.status.code(), Some(1), "an invalid row is an error: {}", text(&output));
    let missing = fixture.path("missing.csv");
    let output = run(&mut plan(&missing, &emulator, &["--detailed-exitcode"])).await;
    assert_eq!(output.status.code(), Some(1), "an unreadable sheet is an error: {}", text(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plan_as_json_lines_and_as_a_report() {
    let fixture = Fixture::new();
    let emulator = service_with_two(&fixture).await;
    let file = edited(&fixture);
    let report = fixture.path("plan.jsonl");
    let args = ["--on-existing", "update", "--output", "json", "--report", report.to_str().unwrap()];
    let output = run(&mut plan(&file, &emulator, &args)).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<Value> = stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 5, "four rows and the summary: {stdout}");
    assert_eq!(lines[0]["action"], "update");
    assert_eq!(lines[0]["changes"][0], r#"Description: "First workload" → "First workload changed""#);
    assert_eq!(lines[0]["cannot_change"][0], "ReviewTemplateArns");
    assert_eq!(lines[2]["action"], "create");
    assert_eq!(lines[4]["plan"]["create"], 1);
    assert_eq!(lines[4]["plan"]["update"], 1);
    let records = super::support::read_jsonl(&report);
    assert_eq!(records.len(), 4);
    assert!(records[0].message.starts_with("plan: update Description:"), "{:?}", records[0].message);
    assert_eq!(records[2].message, "plan: create");
    assert_eq!(records[3].status, wa_bulk::report::Status::Invalid);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_is_applied_exactly_and_refused_once_the_sheet_or_the_service_changed() {
    let fixture = Fixture::new();
    let emulator = service_with_two(&fixture).await;
    let rows = format!(
        "{HEADER}\nalpha,First workload changed,PRODUCTION,us-east-1,o@example.com,wellarchitected,,\n\
         gamma,Third workload,PRODUCTION,us-east-1,o@example.com,wellarchitected,,\n"
    );
    let file = fixture.write("next.csv", rows);
    let before = std::fs::read(&file).unwrap();
    let onto_input = ["--out", file.to_str().unwrap()];
    assert_eq!(run(&mut plan(&file, &emulator, &onto_input)).await.status.code(), Some(2));
    assert_eq!(std::fs::read(&file).unwrap(), before, "the input is never written over");
    let saved = fixture.path("plan.json");
    let args = ["--on-existing", "update", "--out", saved.to_str().unwrap()];
    let output = run(&mut plan(&file, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    // The service changes after the plan: the plan is refused, nothing is sent.
    let other = fixture.write(
        "other.csv",
        format!(
            "{HEADER}\nalpha,Changed by someone else,PRODUCTION,us-east-1,o@example.com,wellarchitected,,\n"
        ),
    );
    let output = run(&mut import(&other, &emulator, &["--on-existing", "update"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let output = run(&mut import(&file, &emulator, &["--plan", saved.to_str().unwrap()])).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the service changed since the plan was made, for row 2 \"alpha\""), "{stderr}");
    assert_eq!(emulator.workloads().len(), 2, "gamma was not created");
    assert!(!file.with_file_name("next.csv.report.csv.journal").exists());

    // A fresh plan applies, exactly: alpha updated, gamma created.
    let output = run(&mut plan(&file, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let output = run(&mut import(&file, &emulator, &["--force", "--plan", saved.to_str().unwrap()])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let records = wa_bulk::report::read_records(&file.with_file_name("next.csv.report.csv")).unwrap();
    let statuses: Vec<_> = records.iter().map(|record| record.status).collect();
    assert_eq!(statuses, [Updated, Created]);

    // The sheet edited after the plan: refused before anything is read.
    let requests = emulator.stats().requests;
    std::fs::write(&file, std::fs::read_to_string(&file).unwrap().replace("Third", "3rd")).unwrap();
    let output = run(&mut import(&file, &emulator, &["--force", "--plan", saved.to_str().unwrap()])).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not the one the plan"), "{}", text(&output));
    assert_eq!(emulator.stats().requests, requests, "nothing sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_that_cannot_read_the_service_plans_nothing_and_says_why() {
    use wa_bulk::emulator::TestKey;
    let config = EmulatorConfig {
        keys: vec![TestKey::new("AKIDKNOWN", "known-secret", "111122223333")],
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start(config).await.unwrap();
    let fixture = Fixture::new();
    let file = edited(&fixture);
    // The test credentials are not a key this emulator knows.
    let output = run(&mut plan(&file, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("+ create"), "nothing was read to decide by: {stdout}");
    assert!(
        stdout.contains(
            "! refuse    row 2 \"alpha\": not planned: the run stopped after UnrecognizedClientException"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("x invalid   row 5 \"bad\""), "{stdout}");
    let report = fixture.path("plan.jsonl");
    let output = run(&mut plan(&file, &emulator, &["--report", report.to_str().unwrap()])).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let records = super::support::read_jsonl(&report);
    assert_eq!(records[0].error_code.as_deref(), Some("UnrecognizedClientException"), "{records:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_fanned_out_to_regions_names_each_region_in_the_plan() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = fixture.write(
        "regions.csv",
        format!("{HEADER}\nalpha,First workload,PRODUCTION,us-east-1,o@example.com,wellarchitected,,\n"),
    );
    let output = run(&mut plan(&file, &emulator, &["--regions", "us-east-1,eu-west-1"])).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("+ create    row 2 \"alpha\" in eu-west-1\n"), "{stdout}");
    assert!(stdout.contains("+ create    row 2 \"alpha\" in us-east-1\n"), "{stdout}");
}
