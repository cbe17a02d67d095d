//! A scheduler's run: SIGTERM and SIGHUP stop an import as Ctrl-C does (the
//! report written, the exit code 128 + the signal, the lock released, the
//! journal kept for the next run), a second signal ends it at once, and the
//! same command line every night finishes what the last one left, never
//! creating a workload twice.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use wa_bulk::emulator::Emulator;
use wa_bulk::report::Status::{Created, Exists, Skipped};

use super::import::{
    count, expected_names, finish, import, journal_lines_reach, plain, report, run, sheet, slow_service,
    stored_names, text,
};
use super::support::assert_contains;

fn signal(child: &std::process::Child, name: &str) {
    let sent = Command::new("kill").args([name, &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
}

fn journal(file: &Path) -> std::path::PathBuf {
    file.with_file_name("rows.csv.report.csv.journal")
}

/// The same command a scheduler runs: no --resume, no --force.
fn nightly(file: &Path, emulator: &Emulator) -> Command {
    import(file, emulator, &["--rate", "50", "--concurrency", "4"])
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_and_sighup_stop_an_import_as_ctrl_c_does_and_the_next_run_sends_the_rest() {
    for (name, signame, code) in [("-TERM", "SIGTERM", 143), ("-HUP", "SIGHUP", 129)] {
        let (emulator, _fixture, file) = slow_service(30, 200).await;
        let child = nightly(&file, &emulator).spawn().unwrap();
        journal_lines_reach(&journal(&file), 20).await;
        signal(&child, name);
        let output = finish(child).await;
        assert_eq!(output.status.code(), Some(code), "{signame}: {}", text(&output));
        let records = report(&file);
        assert_eq!(records.len(), 200, "{signame}: every row is in the report");
        let created = count(&records, Created);
        assert_eq!(created + count(&records, Skipped), 200);
        assert_eq!(created, emulator.workloads().len(), "in-flight rows finished and were reported");
        let skipped = records.iter().filter(|record| record.status == Skipped);
        assert!(skipped.clone().all(|record| record.error_code.as_deref() == Some("Interrupted")));
        assert!(skipped.clone().all(|record| record.message.contains(signame)), "{signame}");
        assert!(!file.with_file_name("rows.csv.report.csv.lock").exists(), "{signame}: the lock is released");
        assert!(journal(&file).exists(), "{signame}: the journal stays for the next run");
        let writes = emulator.stats().writes;

        let next = run(&mut nightly(&file, &emulator)).await;
        assert_eq!(next.status.code(), Some(0), "{signame}: {}", text(&next));
        assert_contains(&text(&next), "continuing the run");
        assert_contains(&text(&next), &format!("{created} carried over from the earlier run"));
        assert_eq!(stored_names(&emulator), (200, expected_names(200)), "{signame}: none twice, none lost");
        assert_eq!(emulator.stats().writes - writes, 200 - created as u64, "only the rest was sent");
        let records = report(&file);
        let carried = records.iter().filter(|record| record.message.starts_with("carried over:"));
        assert_eq!(carried.clone().count(), created);
        assert!(carried.clone().all(|record| record.attempts == 0), "nothing was sent for a carried row");
        assert!(!journal(&file).exists(), "a finished run leaves no journal");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_signal_ends_the_run_at_once_and_the_journal_holds_every_outcome() {
    let (emulator, _fixture, file) = slow_service(200, 100).await;
    let mut child = nightly(&file, &emulator).spawn().unwrap();
    // Two signals sent back to back may arrive as one: the second is sent
    // once the run has said it is stopping.
    let (said, lines) = std::sync::mpsc::channel();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufRead::lines(stderr).map_while(Result::ok) {
            let _ = said.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    journal_lines_reach(&journal(&file), 5).await;
    signal(&child, "-TERM");
    while !lines.recv_timeout(Duration::from_secs(30)).expect("the run says it stops").contains("stopping;") {
    }
    signal(&child, "-TERM");
    let output = finish(child).await;
    let stderr = reader.join().unwrap();
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert_contains(&stderr, "stopping at once");
    assert!(journal(&file).exists());

    let next = run(&mut nightly(&file, &emulator)).await;
    assert_eq!(next.status.code(), Some(0), "{}", text(&next));
    let records = report(&file);
    assert_eq!(count(&records, Created) + count(&records, Exists), 100);
    assert_eq!(stored_names(&emulator), (100, expected_names(100)), "none twice, none lost");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_command_three_nights_running_creates_each_workload_once() {
    let (emulator, fixture, _) = slow_service(30, 1).await;
    // Night 1: a hundred rows, finished.
    let file = sheet(&fixture, 100, plain);
    let first = run(&mut nightly(&file, &emulator)).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert_eq!(emulator.stats().writes, 100);

    // Night 2: the sheet has grown to two hundred; the run is stopped part way.
    let file = sheet(&fixture, 200, plain);
    let child = nightly(&file, &emulator).spawn().unwrap();
    journal_lines_reach(&journal(&file), 130).await;
    signal(&child, "-TERM");
    let second = finish(child).await;
    assert_eq!(second.status.code(), Some(143), "{}", text(&second));
    let after_two = emulator.stats().writes;
    assert!((100..200).contains(&after_two), "stopped part way: {after_two} writes");

    // Night 3: the same command continues night 2's run, sending only the rest.
    let third = run(&mut nightly(&file, &emulator)).await;
    assert_eq!(third.status.code(), Some(0), "{}", text(&third));
    assert_contains(&text(&third), "continuing the run");
    assert_eq!(emulator.stats().writes, 200, "each workload created once over three nights");
    assert_eq!(stored_names(&emulator), (200, expected_names(200)));

    // Night 4: nothing to do, nothing written; the report says where each is.
    let fourth = run(&mut nightly(&file, &emulator)).await;
    assert_eq!(fourth.status.code(), Some(0), "{}", text(&fourth));
    assert_eq!(emulator.stats().writes, 200);
    assert_eq!(count(&report(&file), Exists), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn resuming_a_finished_run_sends_nothing_and_says_so() {
    let (emulator, _fixture, file) = slow_service(0, 12).await;
    assert_eq!(run(&mut nightly(&file, &emulator)).await.status.code(), Some(0));
    let writes = emulator.stats().writes;
    let resumed = run(nightly(&file, &emulator).args(["--resume", "--output", "json"])).await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    let summary: serde_json::Value = serde_json::from_slice(&resumed.stdout).unwrap();
    assert_eq!((summary["rows"].as_u64(), summary["carried"].as_u64()), (Some(12), Some(12)), "{summary}");
    assert_eq!(summary["counts"]["created"], 0, "nothing sent is not created: {summary}");
    assert_eq!(emulator.stats().writes, writes);
    assert!(report(&file).iter().all(|record| record.attempts == 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_a_plan_and_an_export_too() {
    let (emulator, fixture, _) = slow_service(300, 1).await;
    for index in 0..20 {
        let request = serde_json::json!({
            "WorkloadName": format!("held-{index:02}"), "Description": "A workload to read", "Environment": "PRODUCTION",
            "AwsRegions": ["us-east-1"], "ReviewOwner": "o@example.com", "Lenses": ["wellarchitected"],
            "ClientRequestToken": format!("t{index}"),
        });
        emulator.preload(serde_json::from_value(request).unwrap()).unwrap();
    }
    // The plan reads each held workload (--on-existing update), one at a time.
    let rows: String = (0..20)
        .map(|index| {
            format!("held-{index:02},A workload to read,PRODUCTION,us-east-1,o@example.com,wellarchitected\n")
        })
        .collect();
    let sheet = fixture.write(
        "held.csv",
        format!("WorkloadName,Description,Environment,AwsRegions,ReviewOwner,Lenses\n{rows}"),
    );
    let out = fixture.path("export.csv");
    let endpoint = emulator.endpoint_url();
    for (command, path) in [("export", &out), ("plan", &sheet)] {
        let args: &[&str] = if command == "plan" {
            &["--on-existing", "update", "--concurrency", "1"]
        } else {
            &["--concurrency", "1"]
        };
        let requests = emulator.stats().requests;
        let child = super::import::sending(command, path, Some(&endpoint), args).spawn().unwrap();
        let started = std::time::Instant::now();
        while emulator.stats().requests < requests + 2 {
            assert!(started.elapsed() < std::time::Duration::from_secs(60), "{command} never read");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        signal(&child, "-TERM");
        let output = finish(child).await;
        assert_eq!(output.status.code(), Some(143), "{command}: {}", text(&output));
        assert_contains(&text(&output), "stopped early: the run was stopped by SIGTERM");
    }
    assert!(!out.exists(), "a stopped export writes nothing");
}

/// The JSON summary of an import of `rows` new rows named from `prefix`,
/// keeping rates in `cache`; and its stderr.
async fn import_keeping_rates(
    emulator: &Emulator,
    cache: &Path,
    (prefix, rows): (&str, usize),
    args: &[&str],
) -> (serde_json::Value, String) {
    let fixture = super::support::Fixture::new();
    let lines: String =
        (0..rows).map(|row| super::support::good_row(&format!("{prefix}-{row}")) + "\n").collect();
    let file = fixture.write("rows.csv", format!("{}\n{lines}", super::support::HEADER));
    let mut command = import(&file, emulator, &[&["--output", "json", "--quiet"], args].concat());
    let output = run(command.env("WA_BULK_CACHE_DIR", cache)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    (serde_json::from_slice(&output.stdout).unwrap(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_run_starts_at_the_rate_the_first_learned_and_a_damaged_memory_is_ignored() {
    let config = wa_bulk::emulator::EmulatorConfig {
        rate: 20,
        burst: std::num::NonZeroU32::new(5),
        ..Default::default()
    };
    let emulator = Emulator::start(config).await.unwrap();
    let cache = tempfile::tempdir().unwrap();
    let (first, _) = import_keeping_rates(&emulator, cache.path(), ("first", 120), &[]).await;
    assert_eq!(first["rate"]["started"], 5.0, "{first}");
    let found = first["rate"]["service"].as_f64().expect("the first run found the service's rate");
    let kept = std::fs::read_to_string(cache.path().join("rates.json")).unwrap();
    assert!(kept.contains(&emulator.endpoint_url()) && kept.contains("\"measured\": true"), "{kept}");

    let (second, _) = import_keeping_rates(&emulator, cache.path(), ("second", 60), &[]).await;
    let started = second["rate"]["started"].as_f64().unwrap();
    assert!((started - found).abs() < 0.11, "the second run starts where the first left off: {second}");

    let (given, _) = import_keeping_rates(&emulator, cache.path(), ("given", 20), &["--rate", "7"]).await;
    assert_eq!(given["rate"]["started"], 7.0, "--rate wins: {given}");

    for (index, damage) in
        ["{\"wa_bulk_rates\": 1, \"lanes\": {", "{\"some\": \"other program\"}"].iter().enumerate()
    {
        std::fs::write(cache.path().join("rates.json"), damage).unwrap();
        let prefix = format!("damaged{index}");
        let (damaged, warned) = import_keeping_rates(&emulator, cache.path(), (&prefix, 60), &[]).await;
        assert_eq!(damaged["rate"]["started"], 5.0, "{damaged}");
        assert_contains(&warned, "not a rates file of wa-bulk; ignoring the rates it holds");
    }
    let replaced = std::fs::read_to_string(cache.path().join("rates.json")).unwrap();
    assert!(replaced.starts_with("{\n  \"wa_bulk_rates\": 1"), "replaced at the end of the run: {replaced}");
    emulator.stop().await.unwrap();
}
