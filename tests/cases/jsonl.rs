//! JSON Lines as an input: one CreateWorkload-shaped object a line, as
//! `export` writes it or bare; a line is a row, with the limits and errors
//! of the other readers, and a list item holding a comma stays whole.

use wa_bulk::report::Status::{Invalid, Unchanged, Valid};

use super::import::{count, import, run, sending, text};
use super::support::{Fixture, assert_contains, record};

fn line(name: &str, extra: &str) -> String {
    format!(
        r#"{{"WorkloadName":"{name}","Description":"A workload","Environment":"PRODUCTION","AwsRegions":["us-east-1"],"ReviewOwner":"o@example.com","Lenses":["wellarchitected"]{extra}}}"#
    )
}

#[test]
fn bare_lines_are_rows_numbered_by_their_line_and_items_stay_whole() {
    let fixture = Fixture::new();
    let text = [
        line("first", r#","NonAwsRegions":["Paris, France","Lyon"],"Tags":{"team":"a;b"}"#),
        String::new(),
        line("second", r#","AccountIds":[12345678901]"#),
    ]
    .join("\n");
    let file = fixture.write("rows.jsonl", text + "\n");
    let ran = fixture.validate(&file, &["--format", "jsonl"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let records = fixture.records();
    assert_eq!(records.iter().map(|r| (r.row, r.status)).collect::<Vec<_>>(), [(1, Valid), (3, Valid)]);

    let dry = super::support::wa_bulk(&["import", file.to_str().unwrap(), "--dry-run"]);
    let requests: Vec<serde_json::Value> =
        dry.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let first = &requests[0]["CreateWorkload"];
    assert_eq!(first["NonAwsRegions"], serde_json::json!(["Paris, France", "Lyon"]));
    assert_eq!(first["Tags"], serde_json::json!({"team": "a;b"}));
    assert_eq!(
        requests[1]["CreateWorkload"]["AccountIds"],
        serde_json::json!(["012345678901"]),
        "a number's zeros back"
    );
}

#[test]
fn bad_lines_are_problems_of_their_rows_and_the_others_are_checked() {
    let fixture = Fixture::new();
    let lines = [
        line("good", ""),
        "{not json".to_owned(),
        "[1, 2]".to_owned(),
        line("typed", r#","AccountIds":{"one":"111122223333"}"#),
        line("unknown", r#","Colour":"red""#),
        line("enum", "").replace("PRODUCTION", "5"),
    ];
    let file = fixture.write("bad.jsonl", lines.join("\n"));
    let ran = fixture.validate(&file, &[]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let records = fixture.records();
    assert_eq!(record(&records, 1).status, Valid);
    assert_contains(&record(&records, 2).message, "the line is not JSON");
    assert_contains(&record(&records, 3).message, "the line is a list, not an object");
    assert_contains(&record(&records, 4).message, "column \"AccountIds\" (AccountIds): is an object");
    assert_eq!(record(&records, 5).status, Valid, "an unknown key is a warning");
    assert_contains(&record(&records, 5).message, "the key \"Colour\" names no member");
    assert_eq!(record(&records, 6).status, Invalid);
    assert_eq!(count(&records, Invalid), 4);
}

#[test]
fn a_hostile_file_is_refused_line_by_line_without_panic_or_unbounded_memory() {
    let fixture = Fixture::new();
    let huge = format!(r#"{{"WorkloadName":"{}"}}"#, "x".repeat(5 << 20));
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let lines = [line("before", ""), huge, deep, "\u{0}\u{1}garbage".to_owned(), line("after", "")];
    let mut bytes = lines.join("\n").into_bytes();
    bytes.extend_from_slice(b"\n{\"WorkloadName\":\"\xff\xfe\"}\n");
    let file = fixture.write("hostile.jsonl", bytes);
    let ran = fixture.validate(&file, &[]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
    let records = fixture.records();
    assert_eq!(records.len(), 6);
    assert_eq!((record(&records, 1).status, record(&records, 5).status), (Valid, Valid));
    assert_contains(&record(&records, 2).message, "more than the 1 MiB");
    assert_contains(&record(&records, 3).message, "the line is not JSON");
    assert_contains(&record(&records, 6).message, "is not valid UTF-8");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_s_json_lines_import_back_with_no_write() {
    let fixture = Fixture::new();
    let emulator = super::support::service_with_the_sample(&fixture).await;
    let out = fixture.path("export.jsonl");
    let exported = run(&mut sending("export", &out, Some(&emulator.endpoint_url()), &[])).await;
    assert_eq!(exported.status.code(), Some(0), "{}", text(&exported));
    let writes = emulator.stats().writes;
    let report = fixture.path("back.jsonl.report.jsonl");
    let args = ["--on-existing", "update", "--report", report.to_str().unwrap()];
    let output = run(&mut import(&out, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(count(&super::support::read_jsonl(&report), Unchanged), 12);
    assert_eq!(emulator.stats().writes, writes, "nothing written");
    let planned =
        run(&mut sending("plan", &out, Some(&emulator.endpoint_url()), &["--on-existing", "update"])).await;
    assert_contains(
        &String::from_utf8_lossy(&planned.stdout),
        "Plan: 0 to create, 0 to update, 12 unchanged.",
    );
}
