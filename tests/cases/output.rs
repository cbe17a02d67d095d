//! Output for people and for machines: under `--log-format json` every
//! stderr line is one JSON object, `--output json` puts one summary object
//! on stdout, `--dry-run` writes JSON lines only to stdout, and without a
//! terminal progress comes as periodic lines, with no colour codes.

use std::time::Duration;

use serde_json::Value;
use wa_bulk::emulator::{Emulator, EmulatorConfig, TestKey};

use super::import::{import, import_to, run, sheet, text};
use super::support::{Fixture, HEADER, good_row, wa_bulk};

/// Every line of `text` as JSON; fails naming the first that is not.
fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON line: {line:?}\nin:\n{text}"))
        })
        .collect()
}

fn of_kind<'a>(lines: &'a [Value], kind: &str) -> Vec<&'a Value> {
    lines.iter().filter(|line| line["kind"] == kind).collect()
}

/// Two good rows, a row with two problems and one with an unknown column value.
fn mixed_sheet(fixture: &Fixture) -> std::path::PathBuf {
    let bad = "bad,x,Nowhere,111122223333,us-east-1,owner@example.com,wellarchitected";
    let text = format!("{HEADER},Colour\n{},red\n{bad},blue\n{},green\n", good_row("one"), good_row("two"));
    fixture.write("rows.csv", text)
}

#[test]
fn validate_under_json_logs_writes_only_json_lines_naming_row_column_member_and_code() {
    let fixture = Fixture::new();
    let file = mixed_sheet(&fixture);
    let ran = fixture.validate(&file, &["--log-format", "json", "--output", "json"]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let lines = json_lines(&ran.stderr);
    let problems = of_kind(&lines, "problem");
    assert_eq!(problems.len(), 2, "{}", ran.stderr);
    let environment = problems.iter().find(|line| line["member"] == "Environment").unwrap();
    assert_eq!(environment["row"], 3);
    assert_eq!(environment["column"], "Environment");
    assert_eq!(environment["code"], "NotAllowedValue");
    assert_eq!(environment["level"], "ERROR");
    assert!(environment["message"].as_str().unwrap().contains("Nowhere"));
    let warnings = of_kind(&lines, "warning");
    assert!(
        warnings.iter().any(|line| line["message"].as_str().unwrap().contains("Colour")),
        "{}",
        ran.stderr
    );
    let summary: Value = serde_json::from_str(ran.stdout.trim()).unwrap();
    assert_eq!(summary["command"], "validate");
    assert_eq!(
        (summary["counts"]["valid"].as_u64(), summary["counts"]["invalid"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(summary["exit_code"], 1);
    assert_eq!(summary["problems"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_json_summary_holds_counts_stop_reason_report_duration_rate_and_exit_code() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = mixed_sheet(&fixture);
    let output = run(&mut import(&file, &emulator, &["--output", "json"])).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 1, "one object: {stdout}");
    let summary: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(summary["command"], "import");
    assert_eq!(summary["rows"], 3);
    assert_eq!(
        (summary["counts"]["created"].as_u64(), summary["counts"]["invalid"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(summary["stopped"], Value::Null);
    assert_eq!(summary["report"], file.with_file_name("rows.csv.report.csv").display().to_string());
    assert!(summary["duration_s"].as_f64().unwrap() > 0.0);
    assert_eq!(summary["rate"]["limit"], Value::Null, "no --rate: discovered");
    assert_eq!(summary["rate"]["service"], Value::Null, "an emulator without a limit never throttles");
    assert_eq!((summary["throttled"].as_u64(), summary["retried"].as_u64()), (Some(0), Some(0)));
    assert_eq!(summary["exit_code"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_run_under_json_logs_says_why_in_json_lines_and_in_the_summary() {
    // Every request is refused as unsigned by a known key: a run-wide fault.
    let config = EmulatorConfig {
        keys: vec![TestKey::new("AKIDOTHER", "other", "123456789012")],
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start(config).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 20, |_| "A workload to import".into());
    let output = run(&mut import(&file, &emulator, &["--log-format", "json", "--output", "json"])).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let lines = json_lines(&String::from_utf8_lossy(&output.stderr));
    let stopped = of_kind(&lines, "stopped");
    assert_eq!(stopped.len(), 1, "{lines:?}");
    assert_eq!(stopped[0]["code"], "UnrecognizedClientException");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["stopped"]["code"], "UnrecognizedClientException");
    assert_eq!(summary["exit_code"], 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_and_errors_are_json_lines_too() {
    let config = EmulatorConfig { fail_rate: 1.0, seed: Some(3), ..EmulatorConfig::default() };
    let emulator = Emulator::start(config).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 2, |_| "A workload to import".into());
    let args = ["--log-format", "json", "--max-attempts", "2"];
    let output = run(&mut import(&file, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let lines = json_lines(&String::from_utf8_lossy(&output.stderr));
    let retries = of_kind(&lines, "retry");
    for retry in &retries {
        assert_eq!(retry["attempt"], 1);
        assert_eq!(retry["code"], "InternalServerException");
        assert!(retry["delay_ms"].as_u64().is_some());
    }
    // Every request fails: the listing is retried once (it is no row's), then
    // each row's CreateWorkload once, and each retry names its row.
    let mut rows: Vec<Option<u64>> = retries.iter().map(|retry| retry["row"].as_u64()).collect();
    rows.sort();
    assert_eq!(rows, [None, Some(2), Some(3)], "{retries:?}");
    let failed = of_kind(&lines, "failed");
    assert_eq!(failed.len(), 2, "each failed row: {lines:?}");
    assert_eq!(failed[0]["code"], "InternalServerException");

    // An error that ends the command, and a command line clap refuses.
    let ran = wa_bulk(&["validate", "/nonexistent.csv", "--log-format", "json"]);
    assert_eq!(ran.code, 2);
    assert_eq!(of_kind(&json_lines(&ran.stderr), "error").len(), 1, "{}", ran.stderr);
    let ran = wa_bulk(&["import", "x.csv", "--log-format", "json", "--rate", "0"]);
    assert_eq!(ran.code, 2);
    assert_eq!(of_kind(&json_lines(&ran.stderr), "error").len(), 1, "{}", ran.stderr);
}

#[test]
fn dry_run_stdout_is_json_lines_only() {
    let fixture = Fixture::new();
    let file = mixed_sheet(&fixture);
    for extra in [&[][..], &["--output", "json"]] {
        let ran = wa_bulk(&[&["import", file.to_str().unwrap(), "--dry-run", "--local"], extra].concat());
        assert_eq!(ran.code, 1, "{}", ran.stderr);
        let lines = json_lines(&ran.stdout);
        let requests: Vec<&Value> =
            lines.iter().filter(|line| line.get("CreateWorkload").is_some()).collect();
        assert_eq!(requests.len(), 2, "{}", ran.stdout);
        assert_eq!(requests[0]["row"], 2);
        if extra.is_empty() {
            assert_eq!(lines.len(), 2, "the text summary goes to stderr");
            assert!(ran.stderr.contains("3 rows: 2 valid, 1 invalid"), "{}", ran.stderr);
        } else {
            assert_eq!(lines.last().unwrap()["counts"]["valid"], 2, "the summary is the last JSON line");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_terminal_progress_is_a_line_every_few_seconds_without_colour() {
    let config = EmulatorConfig { latency: Duration::from_millis(40), ..EmulatorConfig::default() };
    let emulator = Emulator::start(config).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 30, |_| "A workload to import".into());
    // Two rows a second at most, so 30 rows take several progress periods.
    let args = ["--rate", "15", "--burst", "1", "--progress-every", "0.5"];
    let output = run(&mut import(&file, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let progress: Vec<&str> = stderr.lines().filter(|line| line.starts_with("progress: ")).collect();
    assert!(progress.len() >= 2, "{stderr}");
    assert!(progress[0].contains("/30 rows") && progress[0].contains("throttled 0"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "no escape codes on a pipe: {stderr:?}");

    // Again, reading each workload back (30 reads at 20/s: over a second):
    // progress and the rate as JSON lines.
    let args = ["--force", "--on-existing", "update", "--rate", "20", "--burst", "1"];
    let json = ["--log-format", "json", "--progress-every", "0.1"];
    let output = run(&mut import(&file, &emulator, &[&args[..], &json].concat())).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let lines = json_lines(&String::from_utf8_lossy(&output.stderr));
    assert!(!of_kind(&lines, "progress").is_empty(), "{lines:?}");
    let rate = of_kind(&lines, "rate");
    assert_eq!(rate.len(), 1, "{lines:?}");
    assert_eq!(rate[0]["service"], Value::Null, "never throttled");
    assert!(rate[0]["highest_sent"].as_f64().unwrap() > 0.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn text_logs_carry_no_colour_codes_on_a_pipe() {
    // A listing that fails logs a warning through tracing.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 3, |_| "A workload to import".into());
    let output = run(&mut import_to(&file, Some(&format!("http://{closed}")), &[])).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("WARN"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn max_rate_caps_discovery() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 40, |_| "A workload to import".into());
    let args = ["--max-rate", "20", "--burst", "1", "--output", "json"];
    let output = run(&mut import(&file, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    // 40 requests, one at a time at 20/s at most (the listing too): 2 s or more.
    assert!(summary["duration_s"].as_f64().unwrap() >= 1.9, "{summary}");
}
