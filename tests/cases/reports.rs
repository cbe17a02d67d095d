//! The report: formats, default path, defused cells, and the summary line.

use wa_bulk::report::Status::Valid;

use super::support::{Fixture, HEADER, assert_contains, good_row, wa_bulk};

#[test]
fn the_default_report_is_a_csv_beside_the_input_with_formula_cells_defused() {
    let fixture = Fixture::new();
    let file = fixture
        .write("sheet.csv", format!("{HEADER}\n{}\n{}\n", good_row("=HYPERLINK(\"x\")"), good_row("-a")));
    let run = wa_bulk(&["validate", file.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = fixture.path("sheet.csv.report.csv");
    assert_contains(&run.stdout, &format!("report: {}", report.display()));
    let mut reader = csv::Reader::from_path(&report).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        [
            "row",
            "workload_name",
            "status",
            "workload_id",
            "workload_arn",
            "attempts",
            "error_code",
            "message"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][1], "'=HYPERLINK(\"x\")");
    assert_eq!(&rows[0][2], "valid");
    assert_eq!(&rows[1][1], "'-a");
    assert_eq!(&rows[1][2], "invalid");
    assert!(rows[1][7].starts_with("row 3, column \"WorkloadName\""), "{}", &rows[1][7]);
}

#[test]
fn json_and_jsonl_reports_hold_the_same_records() {
    let fixture = Fixture::new();
    let file = fixture.write("w.csv", format!("{HEADER}\n{}\n{}\n", good_row("one"), good_row("two")));
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 0);
    let lines = fixture.records();
    let json_path = fixture.path("report.json");
    let run = wa_bulk(&["validate", file.to_str().unwrap(), "--report", json_path.to_str().unwrap()]);
    assert_eq!(run.code, 0);
    let array: Vec<wa_bulk::report::Record<'static>> =
        serde_json::from_str(&std::fs::read_to_string(json_path).unwrap()).unwrap();
    assert_eq!(array, lines);
    assert_eq!(lines[1].status, Valid);
    assert_eq!((lines[1].attempts, lines[1].workload_id.as_deref()), (0, None));
}

#[test]
fn quiet_keeps_only_the_summary_line() {
    let fixture = Fixture::new();
    let file = fixture.write("w.csv", format!("{HEADER}\nab,x,y,z,w,v,u\n"));
    let loud = fixture.validate(&file, &[]);
    assert_contains(&loud.stderr, "w.csv: row 2, column \"WorkloadName\"");
    let quiet = fixture.validate(&file, &["--quiet"]);
    assert_eq!(quiet.code, 1);
    assert_eq!(quiet.stderr, "");
    assert!(quiet.stdout.starts_with("1 row: 0 valid, 1 invalid in "), "{}", quiet.stdout);
}
