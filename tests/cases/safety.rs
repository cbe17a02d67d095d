//! The user's files are sacred: a report is never the input, `--force`
//! removes only what wa-bulk wrote, each input has its own report, one run
//! holds a report at a time, the journal is never followed through a link
//! and survives torn tails, and no option value panics.

use std::path::Path;
use std::process::Command;

use wa_bulk::emulator::{Emulator, EmulatorConfig};
use wa_bulk::report::Status::{Created, Exists, Failed};
use wa_bulk::report::identity::InputIdentity;
use wa_bulk::report::journal::Journal;
use wa_bulk::report::{Record, Status};

use super::import::{
    count, expected_names, finish, import, journal_lines_reach, plain, report, run, sheet, slow_service,
    stored_names, text,
};
use super::samples::sample;
use super::support::{Fixture, HEADER, assert_contains, good_row, wa_bulk};

fn journal_of(file: &Path) -> std::path::PathBuf {
    file.with_file_name("rows.csv.report.csv.journal")
}

#[cfg(unix)]
#[test]
fn a_report_that_is_the_input_is_refused_however_it_is_named_and_the_input_is_untouched() {
    let fixture = Fixture::new();
    let content = format!("{HEADER}\n{}\n", good_row("shop"));
    let input = fixture.write("in.csv", &content);
    std::os::unix::fs::symlink(&input, fixture.path("link.csv")).unwrap();
    std::fs::hard_link(&input, fixture.path("hard.csv")).unwrap();
    let dotted = fixture.dir.path().join(".").join("in.csv");
    for report in [input.clone(), dotted, fixture.path("link.csv"), fixture.path("hard.csv")] {
        let run = wa_bulk(&["validate", input.to_str().unwrap(), "--report", report.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{}: {}", report.display(), run.stderr);
        assert_contains(&run.stderr, "is the input file");
        assert_eq!(std::fs::read_to_string(&input).unwrap(), content);
    }
    // Relative to the working directory, with a `./` prefix.
    let relative = Command::new(env!("CARGO_BIN_EXE_wa-bulk"))
        .args(["validate", "in.csv", "--report", "./in.csv"])
        .current_dir(fixture.dir.path())
        .output()
        .unwrap();
    assert_eq!(relative.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&input).unwrap(), content);
}

#[tokio::test(flavor = "multi_thread")]
async fn import_with_force_onto_the_input_deletes_nothing_and_sends_nothing() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 3, plain);
    let before = std::fs::read(&file).unwrap();
    for extra in [&["--report", file.to_str().unwrap(), "--force"][..], &["--report", file.to_str().unwrap()]]
    {
        let output = run(&mut import(&file, &emulator, extra)).await;
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert_contains(&text(&output), "is the input file");
        assert!(!text(&output).contains("--force"), "no advice to force: {}", text(&output));
    }
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(emulator.stats().requests, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn force_and_validate_replace_only_files_wa_bulk_wrote() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 3, plain);
    let theirs = "Budget,Owner\n100,me\n";
    let report = fixture.write("rows.csv.report.csv", theirs);
    let output = run(&mut import(&file, &emulator, &["--force"])).await;
    assert_eq!(output.status.code(), Some(2));
    assert_contains(&text(&output), "was not written by wa-bulk");
    let validated = wa_bulk(&["validate", file.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    assert_eq!(validated.code, 2);
    assert_eq!(std::fs::read_to_string(&report).unwrap(), theirs);
    assert_eq!(emulator.stats().requests, 0);

    // A report wa-bulk wrote is replaced: validate's without asking, import's with --force.
    std::fs::remove_file(&report).unwrap();
    let validated = wa_bulk(&["validate", file.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    assert_eq!(validated.code, 0, "{}", validated.stderr);
    let output = run(&mut import(&file, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(0), "a validate report holds no outcome: {}", text(&output));
    // The same command again: the import's report is kept as the previous one.
    assert_eq!(run(&mut import(&file, &emulator, &[])).await.status.code(), Some(0));
    assert!(file.with_file_name("rows.csv.report.previous.csv").exists());
    assert_eq!(run(&mut import(&file, &emulator, &["--force"])).await.status.code(), Some(0));
    // Nor is a file there of someone else's kept or replaced as the previous report.
    let previous = fixture.write("rows.csv.report.previous.csv", theirs);
    let output = run(&mut import(&file, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert_contains(&text(&output), "was not written by wa-bulk");
    assert_eq!(std::fs::read_to_string(&previous).unwrap(), theirs);
    let validated = wa_bulk(&["validate", file.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    assert_eq!(validated.code, 0, "{}", validated.stderr);
}

#[test]
fn inputs_that_differ_only_by_extension_keep_their_own_reports() {
    let fixture = Fixture::new();
    for name in ["workloads.csv", "workloads.xlsx"] {
        std::fs::copy(sample(name), fixture.path(name)).unwrap();
    }
    let xlsx = wa_bulk(&["import", fixture.path("workloads.xlsx").to_str().unwrap(), "--local", "--quiet"]);
    assert_eq!(xlsx.code, 0, "{}", xlsx.stderr);
    let xlsx_report = std::fs::read(fixture.path("workloads.xlsx.report.csv")).unwrap();
    let csv = wa_bulk(&[
        "import",
        fixture.path("workloads.csv").to_str().unwrap(),
        "--local",
        "--quiet",
        "--resume",
    ]);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    assert!(fixture.path("workloads.csv.report.csv").exists());
    assert_eq!(std::fs::read(fixture.path("workloads.xlsx.report.csv")).unwrap(), xlsx_report);
}

#[tokio::test(flavor = "multi_thread")]
async fn resuming_with_another_input_or_moved_rows_is_refused() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 5, plain);
    let shared = fixture.path("shared.csv").to_str().unwrap().to_owned();
    assert_eq!(run(&mut import(&file, &emulator, &["--report", &shared])).await.status.code(), Some(0));

    // Another input: its rows hold other names.
    let other =
        fixture.write("other.csv", format!("{HEADER}\n{}\n{}\n", good_row("alpha"), good_row("beta")));
    let output = run(&mut import(&other, &emulator, &["--report", &shared, "--resume"])).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert_contains(&text(&output), "belongs to another input or the input's rows have moved");
    assert_contains(&text(&output), "row 2 was \"workload-000\" and is \"alpha\" now");

    // The same input with a row inserted at the top: every row moved down.
    let mut lines: Vec<String> = std::fs::read_to_string(&file).unwrap().lines().map(str::to_owned).collect();
    lines.insert(1, good_row("inserted"));
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let output = run(&mut import(&file, &emulator, &["--report", &shared, "--resume"])).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert_contains(&text(&output), "row 2 was \"workload-000\" and is \"inserted\" now");
    assert_eq!(stored_names(&emulator).0, 5, "nothing sent");

    // A journal of another input says whose it is.
    let journal = fixture.path("shared.csv.journal");
    let identity = InputIdentity { input: "/elsewhere/inventory.csv".into(), sha256: Some("00".into()) };
    drop(Journal::open(&journal, &identity).unwrap());
    let output = run(&mut import(&other, &emulator, &["--report", &shared, "--resume"])).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert_contains(&text(&output), "it was written for /elsewhere/inventory.csv");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_run_on_the_same_report_exits_2_at_once_naming_the_first() {
    let (emulator, _fixture, file) = slow_service(50, 60).await;
    let first = import(&file, &emulator, &["--rate", "20", "--concurrency", "2"]).spawn().unwrap();
    journal_lines_reach(&journal_of(&file), 3).await;
    // The second run is pointed at an emulator of its own, to count what it sends.
    let bystander = Emulator::start(EmulatorConfig::default()).await.unwrap();
    // Refused, not kept waiting for the lock: exit 2, naming the run that
    // holds it, having sent nothing.
    let second = run(&mut import(&file, &bystander, &["--resume"])).await;
    assert_eq!(second.status.code(), Some(2), "{}", text(&second));
    assert_contains(&text(&second), &format!("in use by another wa-bulk run (process {})", first.id()));
    assert_eq!(bystander.stats().requests, 0);
    let first = finish(first).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert_eq!(stored_names(&emulator), (60, expected_names(60)));
    assert!(!file.with_file_name("rows.csv.report.csv.lock").exists(), "the lock goes with the run");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_planted_journal_link_is_never_followed() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 3, plain);
    let victim = fixture.write("victim.txt", "precious\n");
    std::os::unix::fs::symlink(&victim, journal_of(&file)).unwrap();
    for args in [&["--resume"][..], &["--force"], &[]] {
        let output = run(&mut import(&file, &emulator, args)).await;
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    }
    assert_eq!(emulator.stats().requests, 0);
}

/// Appends bytes to a file, as a crash part way through a write leaves them.
fn tear(journal: &Path, bytes: &[u8]) {
    use std::io::Write;
    std::fs::OpenOptions::new().append(true).open(journal).unwrap().write_all(bytes).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn torn_journal_tails_are_cut_off_with_a_warning_across_two_crashes() {
    let (emulator, _fixture, file) = slow_service(30, 150).await;
    let journal = journal_of(&file);
    let slow = ["--rate", "50", "--concurrency", "4"];

    let first = import(&file, &emulator, &slow).spawn().unwrap();
    journal_lines_reach(&journal, 20).await;
    let mut first = first;
    first.kill().unwrap();
    finish(first).await;
    tear(&journal, b"{\"row\":90,\"workload_name\":\"work");

    let mut resumed = import(&file, &emulator, &slow);
    let second = resumed.arg("--resume").spawn().unwrap();
    let lines = std::fs::read(&journal).unwrap().split(|&b| b == b'\n').count();
    journal_lines_reach(&journal, lines + 20).await;
    let mut second = second;
    second.kill().unwrap();
    finish(second).await;
    // Cut inside the two bytes of "é".
    tear(&journal, b"{\"row\":91,\"workload_name\":\"caf\xc3");

    let last = run(import(&file, &emulator, &["--rate", "500"]).arg("--resume")).await;
    assert_eq!(last.status.code(), Some(0), "{}", text(&last));
    assert_contains(&text(&last), "was cut short by an earlier crash and is dropped");
    let records = report(&file);
    // A create in flight when a run was killed may have reached the service:
    // the next run finds it by name (`exists`) instead of creating it again.
    assert_eq!((records.len(), count(&records, Created) + count(&records, Exists)), (150, 150));
    assert_eq!(stored_names(&emulator), (150, expected_names(150)), "none lost, none twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn damage_in_the_middle_of_the_journal_is_refused_with_its_line_number() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 3, plain);
    let journal = journal_of(&file);
    let identity = InputIdentity::of(Some(&file)).unwrap();
    let mut writer = Journal::open(&journal, &identity).unwrap();
    let done = |row: u64| Record {
        row,
        workload_name: format!("workload-{:03}", row - 2).into(),
        account: None,
        region: None,
        status: Status::Created,
        workload_id: Some("id".into()),
        workload_arn: Some("arn".into()),
        attempts: 1,
        error_code: None,
        message: String::new(),
        problems: Vec::new(),
    };
    writer.append(&done(2)).unwrap();
    drop(writer);
    tear(&journal, b"not json at all\n");
    Journal::open(&journal, &identity).unwrap().append(&done(3)).unwrap();
    let output = run(&mut import(&file, &emulator, &["--resume"])).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert_contains(&text(&output), "line 3 is damaged");
    assert!(!text(&output).contains("cannot write"), "{}", text(&output));
    assert_eq!(emulator.stats().requests, 0);
}

#[test]
fn out_of_range_option_values_exit_2_with_a_message_and_never_panic() {
    let fixture = Fixture::new();
    let file = fixture.write("w.csv", format!("{HEADER}\n{}\n", good_row("x")));
    let file = file.to_str().unwrap();
    let bad: &[&[&str]] = &[
        &["import", file, "--local", "--attempt-timeout", "1e20"],
        &["import", file, "--local", "--attempt-timeout", "NaN"],
        &["import", file, "--local", "--attempt-timeout", "inf"],
        &["import", file, "--local", "--attempt-timeout", "0"],
        &["import", file, "--local", "--attempt-timeout", "-1"],
        &["import", file, "--local", "--rate", "0"],
        &["import", file, "--local", "--rate", "NaN"],
        &["import", file, "--local", "--rate", "1e300"],
        &["import", file, "--local", "--burst", "0"],
        &["import", file, "--local", "--burst", "99999999999"],
        &["import", file, "--local", "--concurrency", "0"],
        &["import", file, "--local", "--concurrency", "1000000"],
        &["import", file, "--local", "--max-attempts", "0"],
        &["import", file, "--local", "--max-attempts", "-3"],
        &["validate", file, "--delimiter", "\""],
        &["validate", file, "--delimiter", "\n"],
        &["validate", file, "--encoding", "klingon"],
        &["validate", file, "--format", "pdf"],
        &["emulator", "--latency-ms", "99999999999999"],
        &["emulator", "--rate", "-1"],
        &["emulator", "--fail-rate", "NaN"],
        &["emulator", "--quota", "1e9"],
    ];
    for args in bad {
        let run = wa_bulk(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("error"), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_whose_attempts_all_timed_out_says_a_rerun_reconciles_it() {
    let (emulator, _fixture, file) = slow_service(1500, 1).await;
    let args = ["--attempt-timeout", "0.2", "--max-attempts", "2"];
    let output = run(&mut import(&file, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let records = report(&file);
    assert_eq!(records[0].status, Failed);
    assert_eq!(records[0].error_code.as_deref(), Some("Timeout"));
    assert_contains(&records[0].message, "may have acted on the request all the same");
    assert_contains(&records[0].message, "run the import again");
}

#[cfg(unix)]
#[test]
fn a_killed_runs_temporary_report_is_cleared_and_reports_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let fixture = Fixture::new();
    let file = fixture.write("w.csv", format!("{HEADER}\n{}\n", good_row("shop")));
    fixture.write("w.csv.report.csv.tmp", "half a report from a killed run");
    let command = format!("umask 027; exec '{}' validate w.csv --quiet", env!("CARGO_BIN_EXE_wa-bulk"));
    let output = Command::new("sh").args(["-c", &command]).current_dir(fixture.dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let mut names: Vec<String> = std::fs::read_dir(fixture.dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["w.csv", "w.csv.report.csv"]);
    let mode = std::fs::metadata(fixture.path("w.csv.report.csv")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    assert!(file.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_that_cannot_be_written_after_sending_exits_4_and_resume_writes_it() {
    let (emulator, _fixture, file) = slow_service(20, 40).await;
    let child = import(&file, &emulator, &["--rate", "100", "--concurrency", "2"]).spawn().unwrap();
    journal_lines_reach(&journal_of(&file), 3).await;
    // A directory where the report is to be written stops it being written.
    let blocker = file.with_file_name("rows.csv.report.csv.tmp");
    std::fs::create_dir(&blocker).unwrap();
    let output = finish(child).await;
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    assert_contains(&text(&output), "run the same command again with --resume to write the report");
    assert!(journal_of(&file).exists(), "the journal keeps every outcome");
    let requests = emulator.stats().requests;

    std::fs::remove_dir(&blocker).unwrap();
    let resumed = run(import(&file, &emulator, &[]).arg("--resume")).await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert_eq!(count(&report(&file), Created), 40);
    assert!(emulator.stats().requests <= requests + 1, "at most one list, no create again");
    assert_eq!(stored_names(&emulator), (40, expected_names(40)));
}
