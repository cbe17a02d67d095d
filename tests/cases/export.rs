//! `wa-bulk export`, and the round trip: workloads created with every member
//! come back in the layout `import` reads; importing the export with
//! `--on-existing update` writes nothing; three edited cells are exactly
//! three updates, which `plan` shows first.

use std::path::{Path, PathBuf};

use wa_bulk::emulator::{Emulator, EmulatorConfig};
use wa_bulk::report::Status::{Unchanged, Updated};

use super::import::{count, import, run, sending, text};
use super::support::Fixture;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/workloads.csv");

fn export(out: &Path, emulator: &Emulator, args: &[&str]) -> std::process::Command {
    sending("export", out, Some(&emulator.endpoint_url()), args)
}

/// An emulator holding the sample's twelve workloads, every member used.
async fn service_with_the_sample(fixture: &Fixture) -> Emulator {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let sample = fixture.write("sample.csv", std::fs::read(SAMPLE).unwrap());
    let output = run(&mut import(&sample, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    emulator
}

/// The report of importing `file`.
fn records(file: &Path) -> Vec<wa_bulk::report::Record<'static>> {
    let name = file.file_name().unwrap().to_string_lossy();
    wa_bulk::report::read_records(&file.with_file_name(format!("{name}.report.csv"))).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_imports_back_with_no_write_and_edits_are_exactly_the_updates() {
    let fixture = Fixture::new();
    let emulator = service_with_the_sample(&fixture).await;
    for name in ["export.csv", "export.xlsx"] {
        let out = fixture.path(name);
        let output = run(&mut export(&out, &emulator, &[])).await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        assert!(
            String::from_utf8_lossy(&output.stdout)
                .starts_with(&format!("12 workloads exported to {} in ", out.display())),
            "{}",
            text(&output)
        );
        let writes = emulator.stats().writes;
        let output = run(&mut import(&out, &emulator, &["--on-existing", "update"])).await;
        assert_eq!(output.status.code(), Some(0), "{name}: {}", text(&output));
        let imported = records(&out);
        assert_eq!(count(&imported, Unchanged), 12, "{name}: {imported:?}");
        assert_eq!(emulator.stats().writes, writes, "{name}: nothing written");
    }

    // Three cells edited: a description, a tag, a list.
    let out = fixture.path("export.csv");
    let exported = std::fs::read_to_string(&out).unwrap();
    let edited = exported
        .replacen("Card and wallet payments for the web shop", "Cards only", 1)
        .replacen("CC-1042", "CC-2000", 1)
        .replacen("Pre-production copy of the checkout API", "Staging copy", 1);
    assert_ne!(edited, exported);
    let edited_path: PathBuf = fixture.write("edited.csv", edited);
    let output =
        run(&mut sending("plan", &edited_path, Some(&emulator.endpoint_url()), &["--on-existing", "update"]))
            .await;
    let plan = String::from_utf8_lossy(&output.stdout);
    assert!(
        plan.contains(r#"Description: "Card and wallet payments for the web shop" → "Cards only""#),
        "{plan}"
    );
    assert!(plan.contains(r#"TagResource: "cost-center" = "CC-2000""#), "{plan}");
    assert!(plan.contains("Plan: 0 to create, 2 to update, 10 unchanged."), "{plan}");
    let writes = emulator.stats().writes;
    let output = run(&mut import(&edited_path, &emulator, &["--on-existing", "update"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(emulator.stats().writes - writes, 3, "two UpdateWorkload and a TagResource");
    let imported = records(&edited_path);
    assert_eq!((count(&imported, Updated), count(&imported, Unchanged)), (2, 10), "{imported:?}");
    let checkout = imported.iter().find(|record| record.workload_name == "Checkout API").unwrap();
    assert_eq!(checkout.message, "updated Description; tagged cost-center");
}

#[tokio::test(flavor = "multi_thread")]
async fn export_refuses_to_replace_a_file_without_force_and_filters_by_prefix() {
    let fixture = Fixture::new();
    let emulator = service_with_the_sample(&fixture).await;
    let out = fixture.write("taken.jsonl", "keep me\n");
    let output = run(&mut export(&out, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");
    let output = run(&mut export(&out, &emulator, &["--force", "--name-prefix", "checkout"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines.iter().all(|line| line["Workload"]["WorkloadName"].as_str().unwrap().starts_with("Checkout"))
    );
    assert!(lines[0]["WorkloadId"].as_str().unwrap().len() == 32);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workload_deleted_between_the_listing_and_its_read_is_left_out_with_a_warning() {
    use std::time::Duration;
    // Each answer waits 300 ms and one request goes at a time: the first
    // read is on its way while the last workload is deleted.
    let config = EmulatorConfig { latency: Duration::from_millis(300), ..EmulatorConfig::default() };
    let emulator = Emulator::start(config).await.unwrap();
    let mut ids = Vec::new();
    for name in ["First", "Second", "Third"] {
        let request: wa_bulk::model::WorkloadRequest<'static> = serde_json::from_value(serde_json::json!({
            "WorkloadName": name,
            "Description": "A workload to export",
            "Environment": "PRODUCTION",
            "AwsRegions": ["us-east-1"],
            "ReviewOwner": "owner@example.com",
            "Lenses": ["wellarchitected"],
            "ClientRequestToken": format!("token-{name}"),
        }))
        .unwrap();
        ids.push(emulator.preload(request).unwrap());
    }
    let fixture = Fixture::new();
    let out = fixture.path("export.csv");
    let child = export(&out, &emulator, &["--concurrency", "1", "--rate", "100"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while emulator.stats().requests < 2 {
        assert!(started.elapsed() < Duration::from_secs(30), "the export never read");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    emulator.remove(&ids[2]).unwrap();
    let output = super::import::finish(child).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"Third\"") && stderr.contains("deleted between the listing and its read"),
        "{stderr}"
    );
    let exported = std::fs::read_to_string(&out).unwrap();
    assert_eq!(exported.lines().count(), 3, "the header and the two still there: {exported}");
    assert!(!exported.contains("Third"));
}
