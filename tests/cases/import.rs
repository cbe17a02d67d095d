//! `wa-bulk import` end to end: the real binary, the real SDK (credentials
//! from the environment, as aws-config reads them), and an emulator started
//! by the test on 127.0.0.1 whose stored workloads are checked as well as the
//! report.

use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use wa_bulk::emulator::{Emulator, EmulatorConfig, TestKey};
use wa_bulk::report::Status::{self, Created, Exists, Invalid, Skipped, Unchanged, Updated};
use wa_bulk::report::{Record, read_records};

use super::support::{Fixture, HEADER, assert_contains};

/// A CSV of `rows` valid rows named `workload-000` …; `description` per row.
pub(super) fn sheet(fixture: &Fixture, rows: usize, description: impl Fn(usize) -> String) -> PathBuf {
    let mut text = format!("{HEADER}\n");
    for index in 0..rows {
        text.push_str(&format!(
            "workload-{index:03},{},Production,111122223333,us-east-1,owner@example.com,wellarchitected\n",
            description(index)
        ));
    }
    fixture.write("rows.csv", text)
}

pub(super) fn plain(_: usize) -> String {
    "A workload to import".to_owned()
}

/// `wa-bulk import FILE --endpoint-url URL …` with test credentials. Its
/// stderr is a pipe, so it shows no progress bar; problems are listed.
pub(super) fn import(file: &Path, emulator: &Emulator, args: &[&str]) -> Command {
    import_to(file, Some(&emulator.endpoint_url()), args)
}

/// The same, to any endpoint, or to the one the environment names.
pub(super) fn import_to(file: &Path, endpoint: Option<&str>, args: &[&str]) -> Command {
    sending("import", file, endpoint, args)
}

/// `wa-bulk SUBCOMMAND FILE [--endpoint-url URL] …` with test credentials.
pub(super) fn sending(subcommand: &str, file: &Path, endpoint: Option<&str>, args: &[&str]) -> Command {
    sending_words(&[subcommand, file.to_str().unwrap()], endpoint, args)
}

/// `wa-bulk WORDS… [--endpoint-url URL] …` with test credentials.
pub(super) fn sending_words(words: &[&str], endpoint: Option<&str>, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wa-bulk"));
    command.args(words);
    if let Some(endpoint) = endpoint {
        command.args(["--endpoint-url", endpoint]);
    }
    command
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "AKIDIMPORT")
        .env("AWS_SECRET_ACCESS_KEY", "import-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // No rate memory: each run finds its rate from the start.
        .env("WA_BULK_CACHE_DIR", "")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_WELLARCHITECTED")
        .env_remove("AWS_MAX_ATTEMPTS")
        .env_remove("AWS_CA_BUNDLE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

pub(super) async fn finish(child: Child) -> Output {
    tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap()
}

pub(super) async fn run(command: &mut Command) -> Output {
    finish(command.spawn().unwrap()).await
}

pub(super) fn report(file: &Path) -> Vec<Record<'static>> {
    read_records(&file.with_file_name("rows.csv.report.csv")).unwrap()
}

pub(super) fn count(records: &[Record<'_>], status: Status) -> usize {
    records.iter().filter(|record| record.status == status).count()
}

/// Every stored name once, and how many there are.
pub(super) fn stored_names(emulator: &Emulator) -> (usize, BTreeSet<String>) {
    let workloads = emulator.workloads();
    let names = workloads.iter().map(|workload| workload.request.name().to_owned()).collect();
    (workloads.len(), names)
}

pub(super) fn expected_names(rows: usize) -> BTreeSet<String> {
    (0..rows).map(|index| format!("workload-{index:03}")).collect()
}

/// An emulator that answers after `latency_ms`, and a sheet of `rows` rows.
pub(super) async fn slow_service(latency_ms: u64, rows: usize) -> (Emulator, Fixture, PathBuf) {
    let config = EmulatorConfig { latency: Duration::from_millis(latency_ms), ..EmulatorConfig::default() };
    let emulator = Emulator::start(config).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, rows, plain);
    (emulator, fixture, file)
}

/// Waits until the journal holds `lines` lines (its header included).
pub(super) async fn journal_lines_reach(journal: &Path, lines: usize) {
    let started = Instant::now();
    while std::fs::read(journal).map_or(0, |bytes| bytes.split(|&b| b == b'\n').count() - 1) < lines {
        assert!(started.elapsed() < Duration::from_secs(60), "the import never got going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub(super) fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_rows_through_throttling_and_faults_are_each_created_once() {
    let config = EmulatorConfig {
        rate: 20,
        burst: NonZeroU32::new(20),
        fail_rate: 0.05,
        latency: Duration::from_millis(30),
        seed: Some(11),
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start(config).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 200, plain);
    let output = run(&mut import(&file, &emulator, &["--rate", "40"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let records = report(&file);
    assert_eq!((records.len(), count(&records, Created)), (200, 200));
    assert!(records.iter().all(|record| record.workload_id.as_ref().is_some_and(|id| id.len() == 32)));
    assert_eq!(stored_names(&emulator), (200, expected_names(200)));
    let stats = emulator.stats();
    assert!(stats.throttled > 0 && stats.faults > 0, "the emulator did push back: {stats:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_run_finds_every_workload_and_update_sends_only_changes() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 200, plain);
    let fast = ["--rate", "2000", "--concurrency", "16"];
    assert_eq!(run(&mut import(&file, &emulator, &fast)).await.status.code(), Some(0));

    // The same command again runs afresh; the first report is kept as the previous one.
    let again = run(&mut import(&file, &emulator, &fast)).await;
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let records = report(&file);
    assert_eq!(count(&records, Exists), 200);
    let previous = read_records(&file.with_file_name("rows.csv.report.previous.csv")).unwrap();
    assert_eq!(count(&previous, Created), 200);

    let forced = run(import(&file, &emulator, &fast).arg("--force")).await;
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced));
    let records = report(&file);
    assert_eq!(count(&records, Exists), 200);
    assert!(records.iter().all(|record| record.workload_id.is_some()));
    assert_eq!(stored_names(&emulator), (200, expected_names(200)), "nothing created twice");

    let changed =
        |index: usize| if index.is_multiple_of(10) { "A new description".to_owned() } else { plain(index) };
    let file = sheet(&fixture, 200, changed);
    let updating = run(import(&file, &emulator, &fast).args(["--force", "--on-existing", "update"])).await;
    assert_eq!(updating.status.code(), Some(0), "{}", text(&updating));
    let records = report(&file);
    assert_eq!((count(&records, Updated), count(&records, Unchanged)), (20, 180));
    assert_contains(&records[0].message, "updated Description");
    let described: Vec<String> = emulator
        .workloads()
        .iter()
        .filter(|workload| workload.request.description.as_deref() == Some("A new description"))
        .map(|workload| workload.request.name().to_owned())
        .collect();
    assert_eq!(described.len(), 20);
    assert_eq!(stored_names(&emulator).0, 200);

    let failing = run(import(&file, &emulator, &fast).args(["--force", "--on-existing", "fail"])).await;
    assert_eq!(failing.status.code(), Some(1));
    assert_eq!(count(&report(&file), Status::Failed), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_part_way_then_resumed_every_row_is_created_once() {
    let (emulator, _fixture, file) = slow_service(30, 200).await;
    let journal = file.with_file_name("rows.csv.report.csv.journal");
    let mut child = import(&file, &emulator, &["--rate", "50", "--concurrency", "4"]).spawn().unwrap();
    // Kill it once the journal holds some outcomes but well before the end.
    journal_lines_reach(&journal, 41).await; // the header and 40 outcomes
    child.kill().unwrap();
    finish(child).await;
    let before = emulator.workloads().len();
    assert!((40..200).contains(&before), "killed part way: {before} created");
    assert!(!file.with_file_name("rows.csv.report.csv").exists(), "no report from the killed run");
    let lock = file.with_file_name("rows.csv.report.csv.lock");
    assert!(lock.exists(), "a killed run leaves its lock file behind, but not its lock");

    // Other bytes of the sheet: the unfinished run is neither continued nor thrown away.
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, [&bytes[..], b"\n"].concat()).unwrap();
    let refused = run(&mut import(&file, &emulator, &["--rate", "200"])).await;
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert_contains(&text(&refused), "the input's bytes have changed since: pass --resume");
    assert!(journal.exists());

    // The same bytes: the same command continues the run, and says so.
    std::fs::write(&file, &bytes).unwrap();
    let resumed = run(&mut import(&file, &emulator, &["--rate", "200"])).await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert_contains(&text(&resumed), "continuing the run");
    let records = report(&file);
    // A create in flight when the run was killed may have reached the
    // service: the resumed run finds it by name (`exists`), never twice.
    assert_eq!((records.len(), count(&records, Created) + count(&records, Exists)), (200, 200));
    let rows: BTreeSet<u64> = records.iter().map(|record| record.row).collect();
    assert_eq!(rows, (2..=201).collect());
    assert_eq!(stored_names(&emulator), (200, expected_names(200)), "no duplicates, none lost");
    assert!(!journal.exists(), "the journal goes once the report is in place");
    assert!(!lock.exists(), "and so does the lock");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_quota_stops_the_run_with_exit_3() {
    let emulator = Emulator::start(EmulatorConfig { quota: 50, ..EmulatorConfig::default() }).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 200, plain);
    let output = run(&mut import(&file, &emulator, &["--rate", "2000"])).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert_contains(&text(&output), "stopped early: the run stopped after ServiceQuotaExceededException");
    let records = report(&file);
    assert_eq!((count(&records, Created), count(&records, Skipped)), (50, 150));
    assert_eq!(emulator.workloads().len(), 50);
    let skipped: Vec<&Record<'static>> = records.iter().filter(|r| r.status == Skipped).collect();
    assert!(
        skipped.iter().all(|r| r.error_code.as_deref() == Some("ServiceQuotaExceededException")),
        "rows not sent say why in error_code"
    );
    let met_the_quota = skipped.iter().filter(|r| r.attempts > 0).count();
    assert!((1..=8).contains(&met_the_quota), "only rows in flight met the quota");
    // One list, 50 creates, and at most the 8 in flight when it stopped.
    assert!(emulator.stats().requests <= 1 + 50 + 8, "{:?}", emulator.stats());
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_credentials_stop_the_run_after_the_first_answer() {
    let config = EmulatorConfig {
        keys: vec![TestKey::new("AKIDSOMEONEELSE", "else", "123456789012")],
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start(config).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 20, plain);
    let output = run(&mut import(&file, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert_contains(&text(&output), "UnrecognizedClientException");
    assert_eq!(emulator.stats().requests, 1);
    assert_eq!(count(&report(&file), Skipped), 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_rows_are_reported_and_never_sent() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = fixture.write(
        "rows.csv",
        format!("{HEADER}\nshop,A good one,Production,111122223333,us-east-1,o@example.com,wellarchitected\nab,x,Staging,1,US East,me,\n"),
    );
    let output = run(&mut import(&file, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let records = report(&file);
    assert_eq!(records.iter().map(|r| (r.row, r.status)).collect::<Vec<_>>(), [(2, Created), (3, Invalid)]);
    assert_eq!(stored_names(&emulator).1, BTreeSet::from(["shop".to_owned()]));
}

#[tokio::test(flavor = "multi_thread")]
async fn import_reports_and_counts_problems_as_validate_does_warnings_included() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let header = format!("{HEADER},PillarPriorities");
    let warned = "shop,A good one,Production,111122223333,us-east-1,o@example.com,wellarchitected,secrity";
    let file = fixture.write("rows.csv", format!("{header}\n{warned}\nab,x,Staging,1,US East,me,,\n"));
    let problem_lines = |stderr: &str| -> Vec<String> {
        stderr.lines().filter(|line| line.contains(": row ")).map(str::to_owned).collect()
    };
    let verdicts = fixture.path("v.jsonl");
    let validated = super::support::wa_bulk(&[
        "validate",
        file.to_str().unwrap(),
        "--report",
        verdicts.to_str().unwrap(),
    ]);
    let mut command = import(&file, &emulator, &[]);
    let output = run(command.args(["--report", fixture.path("r.jsonl").to_str().unwrap()])).await;
    let imported = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(problem_lines(&imported), problem_lines(&validated.stderr));
    assert!(problem_lines(&imported).len() >= 4, "{imported}");
    let records = super::support::read_jsonl(&fixture.path("r.jsonl"));
    assert_eq!((records[0].status, records[1].status), (Created, Invalid));
    assert_contains(&records[0].message, "warning: \"secrity\" is not one of the six AWS pillars");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_prints_the_requests_and_sends_nothing() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 3, plain);
    let output = run(import(&file, &emulator, &[]).arg("--dry-run")).await;
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<serde_json::Value> =
        stdout.lines().filter_map(|line| serde_json::from_str(line).ok()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["row"], 2);
    assert_eq!(lines[0]["CreateWorkload"]["WorkloadName"], "workload-000");
    let token = lines[0]["CreateWorkload"]["ClientRequestToken"].as_str().unwrap();
    assert!(token.starts_with("wa-bulk-"), "{token}");
    assert_eq!(emulator.stats().requests, 0);
    assert!(!file.with_file_name("rows.csv.report.csv").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_into_a_pipe_closed_early_ends_quietly() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    // Far more than a pipe holds, so that writing meets the closed pipe.
    let file = sheet(&fixture, 3000, plain);
    let mut child = import(&file, &emulator, &["--dry-run"]).spawn().unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut first)
        .unwrap();
    assert!(first.trim_end().ends_with("\"row\":2}"), "{first}");
    let output = finish(child).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_sending_and_writes_the_report_with_exit_130() {
    let (emulator, _fixture, file) = slow_service(30, 200).await;
    let journal = file.with_file_name("rows.csv.report.csv.journal");
    let child = import(&file, &emulator, &["--rate", "50", "--concurrency", "4"]).spawn().unwrap();
    journal_lines_reach(&journal, 20).await;
    let interrupted = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(interrupted.success());
    let output = finish(child).await;
    assert_eq!(output.status.code(), Some(130), "{}", text(&output));
    let records = report(&file);
    assert_eq!(records.len(), 200, "every row is in the report");
    let created = count(&records, Created);
    assert_eq!(created + count(&records, Skipped), 200);
    assert_eq!(created, emulator.workloads().len(), "in-flight rows finished and were reported");
    assert!(records.iter().filter(|r| r.status == Skipped).all(|r| r.message.contains("interrupted")));
    assert!(
        records
            .iter()
            .filter(|r| r.status == Skipped)
            .all(|r| r.error_code.as_deref() == Some("Interrupted"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_member_of_the_samples_reaches_the_service() {
    use wa_bulk::model::Field;

    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    for (name, rows) in [("workloads.csv", 12), ("workloads.xlsx", 10)] {
        let report = fixture.path(&format!("{name}.report.jsonl"));
        let output = run(&mut import(
            &samples.join(name),
            &emulator,
            &["--rate", "1000", "--report", report.to_str().unwrap()],
        ))
        .await;
        assert_eq!(output.status.code(), Some(0), "{name}: {}", text(&output));
        assert_eq!(count(&read_records(&report).unwrap(), Created), rows);
    }
    let stored = emulator.workloads();
    assert_eq!(stored.len(), 22);
    let missing: Vec<Field> = Field::ALL
        .into_iter()
        .filter(|&field| {
            !stored.iter().any(|workload| {
                let request = &workload.request;
                match field {
                    Field::Tags => !request.tags.is_empty(),
                    field if field.is_list() => !request.list(field).is_empty(),
                    field => request.scalar(field).is_some(),
                }
            })
        })
        .collect();
    assert_eq!(missing, [], "members the service never received");
    let banking = stored.iter().find(|w| w.request.name() == "Mobile banking app").unwrap();
    assert_eq!(banking.request.account_ids, ["012345678901"], "the Excel number's zero came back");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incomplete_aws_configuration_is_one_line_before_anything_is_read_or_sent() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 3, plain);
    let home = fixture.path("home");
    std::fs::create_dir(&home).unwrap();
    let config = fixture.write("config", "[default]\n[profile ops]\nregion = eu-west-1\n");
    let credentials = fixture.write("credentials", "");
    let broken = fixture.write("broken", "[profile x\n");
    let keys = [("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "secret")];
    /// The environment a case adds, its arguments, and what it must say.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);
    let cases: [Case<'_>; 4] = [
        (&keys, &[], "no AWS Region is set: pass --region"),
        (
            &[("AWS_REGION", "us-east-1")],
            &["--profile", "nosuch"],
            "the config profile (nosuch) could not be found",
        ),
        (
            &[("AWS_REGION", "us-east-1")],
            &[],
            "no AWS credentials found (tried Environment: environment variable not set; Profile; ",
        ),
        (&[("AWS_CONFIG_FILE", broken.to_str().unwrap())], &[], "cannot read the AWS config files"),
    ];
    for (env, args, expected) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_wa-bulk"))
            .args(["import", file.to_str().unwrap(), "--endpoint-url", &emulator.endpoint_url()])
            .args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &home)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{expected}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert_contains(&stderr, expected);
        assert!(!file.with_file_name("rows.csv.report.csv").exists(), "no report");
        assert!(!file.with_file_name("rows.csv.report.csv.journal").exists(), "no journal");
    }
    assert_eq!(emulator.stats().requests, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endpoint_that_cannot_be_reached_stops_the_run_not_each_row() {
    let fixture = Fixture::new();
    let file = sheet(&fixture, 200, plain);
    // A port nothing listens on any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let endpoint = format!("http://{closed}");
    let output = run(&mut import_to(&file, Some(&endpoint), &[])).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert_contains(&text(&output), &format!("cannot reach {endpoint}: Connection refused"));
    let records = report(&file);
    assert_eq!(count(&records, Skipped), 200);
    assert!(records.iter().all(|r| r.error_code.as_deref() == Some("ConnectionError")));
    assert!(records.iter().all(|r| r.attempts == 0), "no row was sent: the listing found the endpoint gone");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_aws_cli_variables_keep_their_meaning() {
    let config = EmulatorConfig { fail_rate: 1.0, ..EmulatorConfig::default() };
    let emulator = Emulator::start(config).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 2, plain);
    // The endpoint from AWS_ENDPOINT_URL_WELLARCHITECTED, the attempts from AWS_MAX_ATTEMPTS.
    let mut command = import_to(&file, None, &[]);
    command.env("AWS_ENDPOINT_URL_WELLARCHITECTED", emulator.endpoint_url()).env("AWS_MAX_ATTEMPTS", "2");
    let output = run(&mut command).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let records = report(&file);
    assert_eq!(count(&records, Status::Failed), 2);
    assert!(records.iter().all(|r| r.attempts == 2), "{records:?}");
    assert!(emulator.stats().requests >= 4, "sent to the emulator named by the variable");
}
