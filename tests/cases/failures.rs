//! `--failures PATH.csv`: only the invalid or failed rows, with the input's
//! own headers and cells as the user had them, then status, error_code and
//! message; ready to fix and import again.

use wa_bulk::emulator::{Emulator, EmulatorConfig};

use super::import::{import, run, text};
use super::support::{Fixture, wa_bulk};

const INVALID: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/invalid.csv");

fn rows(path: &std::path::Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path).unwrap().records().map(Result::unwrap).collect()
}

#[test]
fn validate_writes_the_invalid_rows_with_their_own_columns_ready_to_fix() {
    let fixture = Fixture::new();
    let input = fixture.write("invalid.csv", std::fs::read(INVALID).unwrap());
    let failures = fixture.path("failures.csv");
    let ran = fixture.validate(&input, &["--failures", failures.to_str().unwrap()]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let records = fixture.records();
    let invalid: Vec<u64> =
        records.iter().filter(|r| r.status == wa_bulk::report::Status::Invalid).map(|r| r.row).collect();
    let written = rows(&failures);
    assert_eq!(written.len(), invalid.len(), "one line an invalid row");
    let mut reader = csv::Reader::from_path(&failures).unwrap();
    let headers = reader.headers().unwrap().clone();
    let original = csv::Reader::from_path(&input).unwrap().headers().unwrap().clone();
    assert_eq!(&headers.iter().collect::<Vec<_>>()[..original.len()], original.iter().collect::<Vec<_>>());
    assert_eq!(&headers.iter().collect::<Vec<_>>()[original.len()..], ["status", "error_code", "message"]);
    let first = &written[0];
    assert_eq!(&first[0], "ab", "the row's own name cell, as written");
    assert_eq!(&first[original.len()], "invalid");
    assert_eq!(&first[original.len() + 1], "TooShort");

    // Fixed in place, the failures file is an input again.
    let fixed = std::fs::read_to_string(&failures).unwrap().replacen("\nab,", "\nabc fixed,", 1);
    let fixed = fixture.write("fixed.csv", fixed);
    let again = fixture.path("again.jsonl");
    let ran =
        wa_bulk(&["validate", fixed.to_str().unwrap(), "--report", again.to_str().unwrap(), "--strict"]);
    assert_eq!(ran.code, 1, "the other rows are still invalid: {}", ran.stderr);
    assert!(!ran.stderr.contains("unknown columns"), "its own three columns are left out: {}", ran.stderr);
    let records = super::support::read_jsonl(&again);
    assert_eq!(records.len(), written.len());
    assert_eq!(
        (records[0].workload_name.as_ref(), records[0].status),
        ("abc fixed", wa_bulk::report::Status::Invalid)
    );
    assert!(!records[0].message.contains("WorkloadName"), "the name is fixed: {}", records[0].message);
}

#[tokio::test(flavor = "multi_thread")]
async fn import_writes_invalid_and_failed_rows_and_never_over_a_file_it_did_not_write() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let header = super::support::HEADER;
    let sheet = format!(
        "{header}\n{}\nbad,x,Production,111122223333,us-east-1,o@example.com,wellarchitected\n",
        super::support::good_row("first")
    );
    let input = fixture.write("rows.csv", sheet);
    let taken = fixture.write("taken.csv", "my own data\n");
    let output = run(&mut import(&input, &emulator, &["--failures", taken.to_str().unwrap()])).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "my own data\n");
    let output = run(&mut import(&input, &emulator, &["--failures", input.to_str().unwrap()])).await;
    assert_eq!(output.status.code(), Some(2), "the input: {}", text(&output));

    let failures = fixture.path("failures.csv");
    let output = run(&mut import(&input, &emulator, &["--failures", failures.to_str().unwrap()])).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let written = rows(&failures);
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(&written[0][0], "bad");
}
