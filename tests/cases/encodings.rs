//! Text as Excel writes it: UTF-16 with a byte order mark ("Unicode Text"),
//! CR-only line endings ("CSV (Macintosh)"), windows-1252 ("CSV (Comma
//! delimited)" on Windows) with `--encoding`; and input from stdin or a FIFO.

use std::io::Write;
use std::process::{Command, Stdio};

use wa_bulk::report::Status::{Invalid, Valid};

use super::support::{Fixture, HEADER, assert_contains, good_row, read_jsonl, statuses, wa_bulk};

/// The header and two good rows, with `separator` between cells and `end` after lines.
fn sheet_text(separator: &str, end: &str) -> String {
    [HEADER.to_owned(), good_row("first one"), good_row("second one")]
        .iter()
        .map(|line| line.replace(',', separator) + end)
        .collect()
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian { vec![0xfe, 0xff] } else { vec![0xff, 0xfe] };
    for unit in text.encode_utf16() {
        bytes.extend(if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
    }
    bytes
}

#[test]
fn unicode_text_from_excel_reads_in_both_byte_orders() {
    let fixture = Fixture::new();
    for (name, big_endian) in [("le.txt", false), ("be.txt", true)] {
        let file = fixture.write(name, utf16(&sheet_text("\t", "\r\n"), big_endian));
        let run = fixture.validate(&file, &[]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let records = fixture.records();
        assert_eq!(statuses(&records), [(2, Valid), (3, Valid)]);
        assert_eq!(records[0].workload_name, "first one");
    }
}

#[test]
fn utf16_without_a_byte_order_mark_is_named_in_the_refusal() {
    let fixture = Fixture::new();
    let mut bytes = utf16(&sheet_text("\t", "\r\n"), false);
    bytes.drain(..2);
    let file = fixture.write("nobom.txt", &bytes);
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 2);
    assert_contains(&run.stderr, "--encoding utf-16le");
    let run = fixture.validate(&file, &["--encoding", "utf-16le"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn cr_only_line_endings_read_with_exact_line_numbers() {
    let fixture = Fixture::new();
    let text = format!("{HEADER}\r{}\r\r{}\r", good_row("mac one"), good_row("mac two"));
    let file = fixture.write("mac.csv", text);
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(statuses(&fixture.records()), [(2, Valid), (4, Valid)]);
}

#[test]
fn windows_1252_reads_with_encoding_and_otherwise_says_which_encoding_would() {
    let fixture = Fixture::new();
    let row = good_row("caf\u{e9} shop").replace("A good workload", "Caf\u{e9} r\u{e9}sum\u{e9}");
    let text = format!("{HEADER}\r\n{row}\r\n");
    let bytes: Vec<u8> = text.chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect();
    let file = fixture.write("latin.csv", &bytes);
    let run = fixture.validate(&file, &["--encoding", "windows-1252"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(fixture.records()[0].workload_name, "caf\u{e9} shop");

    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 1);
    let record = &fixture.records()[0];
    assert_eq!(record.status, Invalid);
    assert_eq!(record.error_code.as_deref(), Some("InvalidUtf8"));
    assert_contains(&record.message, "--encoding windows-1252");
}

#[test]
fn a_cell_not_valid_in_the_named_encoding_is_reported_at_its_cell() {
    let fixture = Fixture::new();
    let mut bytes = utf16(&sheet_text(",", "\n"), false);
    // An unpaired high surrogate in the first data row's name.
    let at = bytes.windows(2).position(|w| w == [b'f', 0]).unwrap();
    bytes.splice(at..at + 2, [0x00, 0xd8]);
    let file = fixture.write("broken.csv", &bytes);
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let record = &fixture.records()[0];
    assert_eq!(record.error_code.as_deref(), Some("InvalidEncoding"));
    assert_contains(&record.message, "not valid UTF-16LE");
}

#[test]
fn stdin_reads_as_csv_and_a_workbook_from_stdin_is_refused() {
    let fixture = Fixture::new();
    let report = fixture.path("report.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wa-bulk"))
        .args(["validate", "-", "--report", report.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(sheet_text(";", "\n").as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(statuses(&read_jsonl(&report)), [(2, Valid), (3, Valid)]);

    let refused = wa_bulk(&["validate", "-", "--format", "xlsx", "--report", report.to_str().unwrap()]);
    assert_eq!(refused.code, 2);
    assert_contains(&refused.stderr, "is read from a file, not from a stream");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_read_as_a_stream() {
    let fixture = Fixture::new();
    let fifo = fixture.path("pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut pipe = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            // More than one read's worth, so the stream is read in pieces.
            let mut text = format!("{HEADER}\n");
            for index in 0..3000 {
                text.push_str(&good_row(&format!("piped {index}")));
                text.push('\n');
            }
            pipe.write_all(text.as_bytes()).unwrap();
        })
    };
    let run = fixture.validate(&fifo, &["--format", "csv"]);
    writer.join().unwrap();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records = fixture.records();
    assert_eq!(records.len(), 3000);
    assert_eq!(records[2999].row, 3001);
}
