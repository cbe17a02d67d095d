//! `wa-bulk export`, and the round trip: workloads created with every member
//! come back in the layout `import` reads; importing the export with
//! `--on-existing update` writes nothing; three edited cells are exactly
//! three updates, which `plan` shows first.

use std::path::{Path, PathBuf};

use wa_bulk::emulator::{Emulator, EmulatorConfig};
use wa_bulk::report::Status::{Unchanged, Updated};

use super::import::{count, import, run, sending, text};
use super::support::{Fixture, service_with_the_sample};

fn export(out: &Path, emulator: &Emulator, args: &[&str]) -> std::process::Command {
    sending("export", out, Some(&emulator.endpoint_url()), args)
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

#[tokio::test(flavor = "multi_thread")]
async fn a_none_cell_empties_each_member_update_workload_can_empty_and_blank_leaves_it() {
    use wa_bulk::model::Field;
    let fixture = Fixture::new();
    let emulator = service_with_the_sample(&fixture).await;
    let out = fixture.path("export.csv");
    assert_eq!(run(&mut export(&out, &emulator, &[])).await.status.code(), Some(0));
    let clearable: Vec<Field> = Field::ALL.into_iter().filter(|field| field.is_clearable()).collect();
    assert_eq!(clearable.len(), 8);

    // "Checkout API" gets a value in every member UpdateWorkload can empty.
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let headers = reader.headers().unwrap().clone();
    let mut rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let column = |field: Field| headers.iter().position(|header| header == field.heading()).unwrap();
    let index = rows.iter().position(|row| &row[column(Field::WorkloadName)] == "Checkout API").unwrap();
    let values = [
        (Field::Notes, "Some notes"),
        (Field::Industry, "Online retail"),
        (Field::IndustryType, "Retail & Wholesale"),
        (Field::ArchitecturalDesign, "https://example.com/design"),
        (Field::AccountIds, "111122223333"),
        (Field::NonAwsRegions, "On premises"),
        (Field::PillarPriorities, "security"),
        (Field::Applications, "arn:aws:servicecatalog:us-east-1:123456789012:/applications/abc"),
    ];
    let write = |rows: &[csv::StringRecord], name: &str| {
        let mut writer = csv::Writer::from_path(fixture.path(name)).unwrap();
        writer.write_record(&headers).unwrap();
        rows.iter().for_each(|row| writer.write_record(row).unwrap());
        writer.flush().unwrap();
        fixture.path(name)
    };
    let set = |rows: &mut Vec<csv::StringRecord>, value: &dyn Fn(Field, &str) -> String| {
        let mut cells: Vec<String> = rows[index].iter().map(str::to_owned).collect();
        for (field, given) in values {
            cells[column(field)] = value(field, given);
        }
        rows[index] = csv::StringRecord::from(cells);
    };
    set(&mut rows, &|_, given| given.to_owned());
    let filled = write(&rows, "filled.csv");
    let output = run(&mut import(&filled, &emulator, &["--on-existing", "update"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    // A blank cell leaves a member as it is; (none) empties it.
    set(&mut rows, &|_, _| String::new());
    let blank = write(&rows, "blank.csv");
    let writes = emulator.stats().writes;
    assert_eq!(
        run(&mut import(&blank, &emulator, &["--on-existing", "update"])).await.status.code(),
        Some(0)
    );
    assert_eq!(emulator.stats().writes, writes, "blank cells change nothing");
    set(&mut rows, &|_, _| "(none)".to_owned());
    let cleared = write(&rows, "cleared.csv");
    let planned =
        run(&mut sending("plan", &cleared, Some(&emulator.endpoint_url()), &["--on-existing", "update"]))
            .await;
    let plan = String::from_utf8_lossy(&planned.stdout);
    for (field, given) in values {
        let shown = format!("{}: \"{given}\" → (none)", field.api_member());
        assert!(plan.contains(&shown), "{shown} in:\n{plan}");
    }
    let output = run(&mut import(&cleared, &emulator, &["--on-existing", "update"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stored = emulator.workloads().into_iter().find(|w| w.request.name() == "Checkout API").unwrap();
    for field in clearable {
        assert!(stored.request.scalar(field).is_none() && stored.request.list(field).is_empty(), "{field:?}");
    }
    let writes = emulator.stats().writes;
    assert_eq!(
        run(&mut import(&cleared, &emulator, &["--on-existing", "update"])).await.status.code(),
        Some(0)
    );
    assert_eq!(emulator.stats().writes, writes, "emptied once, then unchanged");

    // Only those members can be emptied.
    let description = column(Field::Description);
    let mut cells: Vec<String> = rows[index].iter().map(str::to_owned).collect();
    cells[description] = "(none)".into();
    rows[index] = csv::StringRecord::from(cells);
    let refused = write(&rows, "refused.csv");
    let ran = super::support::wa_bulk(&["validate", refused.to_str().unwrap()]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("(Description): (none) empties a member on an update"), "{}", ran.stderr);
}
