//! Bad input never panics: a file-level problem exits 2 with a message naming
//! the file; a row-level one marks that row invalid, naming row and column,
//! and every other row is still checked.

use wa_bulk::report::Status::{Invalid, Valid};

use super::support::{Fixture, HEADER, assert_contains, good_row, record, statuses};

#[test]
fn an_unclosed_quote_is_reported_at_its_row_and_later_rows_are_read_again() {
    let fixture = Fixture::new();
    let content = format!(
        "{HEADER}\n{}\nbroken,\"never closed,Production,111122223333,us-east-1,o@example.com,wellarchitected\n{}\n{}\n",
        good_row("before"),
        good_row("after one"),
        good_row("after two")
    );
    let file = fixture.write("w.csv", content);
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let records = fixture.records();
    assert_eq!(statuses(&records), [(2, Valid), (3, Invalid), (4, Valid), (5, Valid)]);
    let broken = record(&records, 3);
    assert_eq!(broken.error_code.as_deref(), Some("UnclosedQuote"));
    assert!(
        broken.message.starts_with("row 3, column \"Description\" (Description): a quote opened in this cell is never closed, so lines 3 to 5"),
        "{}",
        broken.message
    );
}

#[test]
fn invalid_utf8_marks_only_its_cell_and_row() {
    let fixture = Fixture::new();
    let mut content = format!("{HEADER}\n{}\n", good_row("fine")).into_bytes();
    content.extend(
        b"caf\xe9 latin-1,A description,Production,111122223333,us-east-1,o@example.com,wellarchitected\n",
    );
    content.extend(format!("{}\n", good_row("also fine")).into_bytes());
    let file = fixture.write("w.csv", content);
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 1);
    let records = fixture.records();
    assert_eq!(statuses(&records), [(2, Valid), (3, Invalid), (4, Valid)]);
    let latin = record(&records, 3);
    assert_eq!(latin.error_code.as_deref(), Some("InvalidUtf8"));
    assert_contains(&latin.message, "row 3, column \"WorkloadName\" (WorkloadName): is not valid UTF-8");
    assert_eq!(latin.workload_name, "caf\u{fffd} latin-1");
}

#[test]
fn a_ragged_row_is_invalid_and_trailing_empty_cells_are_not_ragged() {
    let fixture = Fixture::new();
    let content =
        format!("{HEADER}\n{},,\nshort,row,Production\n{},extra\n", good_row("trailing"), good_row("long"));
    let file = fixture.write("w.csv", content);
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 1);
    let records = fixture.records();
    assert_eq!(statuses(&records), [(2, Valid), (3, Invalid), (4, Invalid)]);
    assert_eq!(
        record(&records, 3).message,
        "row 3: has 3 cells but the header has 7: a cell may hold an unquoted delimiter, or one is missing"
    );
    assert_eq!(record(&records, 4).error_code.as_deref(), Some("RaggedRow"));
}

fn refused(fixture: &Fixture, name: &str, content: &[u8], args: &[&str], expected: &str) {
    let file = fixture.write(name, content);
    let run = fixture.validate(&file, args);
    assert_eq!(run.code, 2, "{name}: {}", run.stderr);
    assert_contains(&run.stderr, expected);
    assert!(
        run.stderr.contains(file.to_str().unwrap()),
        "{name}: the message names the file: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!fixture.path("report.jsonl").exists(), "no report for an unreadable input");
}

#[test]
fn unreadable_files_exit_2_naming_the_file() {
    let fixture = Fixture::new();
    refused(&fixture, "empty.csv", b"", &[], "the file is empty");
    refused(&fixture, "blank.csv", b"\n\n  \n", &[], "the file is empty");
    refused(
        &fixture,
        "header-only.csv",
        format!("{HEADER}\n\n,,,\n").as_bytes(),
        &[],
        "the header is on line 1 but no data rows follow it",
    );
    refused(&fixture, "no-header.csv", b"a,b,c\n1,2,3\n", &[], "no header row found in the first 2 rows");
    refused(
        &fixture,
        "missing.csv",
        b"Name,Environment,Lens\nshop,Production,wellarchitected\n",
        &[],
        "missing required columns: Description, ReviewOwner, AwsRegions or NonAwsRegions (found: Name, Environment, Lens)",
    );
    refused(
        &fixture,
        "twice.csv",
        b"Name,WorkloadName,Owner\n",
        &[],
        "columns \"Name\" and \"WorkloadName\" both fill the same member",
    );
    refused(&fixture, "fake.xlsx", b"this is plain text, not a zip", &[], "not a readable workbook");
    refused(&fixture, "empty.xlsx", b"", &[], "the file is empty");
    refused(&fixture, "notes.pdf", b"%PDF", &[], "unknown file type");
}

#[test]
fn a_missing_file_and_bad_options_exit_2() {
    let fixture = Fixture::new();
    let run = fixture.validate(&fixture.path("nope.csv"), &[]);
    assert_eq!(run.code, 2);
    assert_contains(&run.stderr, "nope.csv: cannot read");
    let file = fixture.write("w.csv", format!("{HEADER}\n{}\n", good_row("x")));
    let bad_report = super::support::wa_bulk(&["validate", file.to_str().unwrap(), "--report", "out.xml"]);
    assert_eq!(bad_report.code, 2);
    assert_contains(&bad_report.stderr, "use a .csv, .jsonl, .json or .xlsx file name");
    let bad_map = fixture.validate(&file, &["--map", "Colour"]);
    assert_eq!(bad_map.code, 2);
    assert_contains(&bad_map.stderr, "Header=Field");
    assert_eq!(super::support::wa_bulk(&["validate"]).code, 2);
}
