//! Hostile files: each ends with exit 0, 1 or 2 and a message, never a
//! panic, and costs what it holds rather than what its shape asks for. The
//! sizes here are small enough for a test; the README's table measures the
//! full-size cases with `/usr/bin/time -v`.

use std::io::Write;

use rust_xlsxwriter::Workbook;
use wa_bulk::report::Record;
use wa_bulk::report::Status::{Invalid, Valid};

use super::samples::sample;
use super::support::{Fixture, HEADER, Ran, assert_contains, good_row, record, statuses};
use super::workbooks::{SHEET_END, SHEET_START, workbook_with};

fn rows(names: impl Iterator<Item = String>) -> String {
    names.map(|name| good_row(&name) + "\n").collect()
}

/// Validates `text` written as `name`, expects exit 1, and returns the records.
#[track_caller]
fn some_invalid(fixture: &Fixture, name: &str, text: String) -> Vec<Record<'static>> {
    let file = fixture.write(name, text);
    let run = fixture.validate(&file, &["--quiet"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    fixture.records()
}

#[track_caller]
fn no_panic(run: &Ran) {
    assert!([0, 1, 2].contains(&run.code), "exit {}: {}", run.code, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn an_unclosed_quote_on_row_2_costs_one_row_and_every_row_below_is_read() {
    let fixture = Fixture::new();
    let broken = good_row("broken").replace("A good workload", "\"never closed");
    let text = format!("{HEADER}\n{broken}\n{}", rows((0..20_000).map(|i| format!("row {i}"))));
    let records = some_invalid(&fixture, "unclosed.csv", text);
    assert_eq!(records.len(), 20_001);
    assert_eq!(record(&records, 2).error_code.as_deref(), Some("UnclosedQuote"));
    assert!(records[1..].iter().all(|r| r.status == Valid));
    assert_eq!(records.last().unwrap().row, 20_002);
}

#[test]
fn a_quoted_cell_running_past_the_limit_across_lines_is_taken_for_an_unclosed_quote() {
    let fixture = Fixture::new();
    let broken = good_row("broken").replace("A good workload", "\"runs on");
    // Over a MiB of lines with no quote at all, then rows.
    let filler: String = (0..30_000).map(|i| format!("filler line {i} without any quote\n")).collect();
    let text = format!("{HEADER}\n{broken}\n{filler}{}", rows((0..10).map(|i| format!("after {i}"))));
    let records = some_invalid(&fixture, "runs-on.csv", text);
    assert_eq!(record(&records, 2).error_code.as_deref(), Some("UnclosedQuote"));
    let after: Vec<_> = records.iter().filter(|r| r.workload_name.starts_with("after")).collect();
    assert_eq!(after.len(), 10, "the rows below are read again");
    assert!(after.iter().all(|r| r.status == Valid));
    assert_eq!(after[0].row, 30_003);
}

#[test]
fn a_cell_over_the_limit_makes_its_row_invalid_and_reading_goes_on() {
    let fixture = Fixture::new();
    let huge = good_row("huge").replace("A good workload", &"x".repeat(3 << 20));
    let text = format!("{HEADER}\n{huge}\n{}", rows((0..5000).map(|i| format!("short {i}"))));
    let records = some_invalid(&fixture, "huge.csv", text);
    assert_eq!(records.len(), 5001);
    let huge = record(&records, 2);
    assert_eq!((huge.status, huge.error_code.as_deref()), (Invalid, Some("CellTooLarge")));
    assert_contains(&huge.message, "holds 3145728 bytes, more than the 1 MiB a cell may hold");
    assert!(records[1..].iter().all(|r| r.status == Valid));
}

#[test]
fn too_many_columns_is_refused_and_a_very_wide_row_is_ragged() {
    let fixture = Fixture::new();
    let wide_header = format!("{HEADER}{}\n", ",x".repeat(20_000));
    let file = fixture.write("wide.csv", wide_header + &good_row("shop"));
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 2);
    assert_contains(&run.stderr, "has 20007 columns; wa-bulk reads at most 16,384");

    let wide_row = format!("{}{}\n", good_row("wide"), ",y".repeat(100_000));
    let file = fixture.write("ragged.csv", format!("{HEADER}\n{wide_row}{}", good_row("fine")));
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let records = fixture.records();
    assert_eq!(statuses(&records), [(2, Invalid), (3, Valid)]);
    assert_contains(&records[0].message, "has 100007 cells but the header has 7");
}

#[test]
fn lines_without_end_nul_bytes_only_quotes_and_a_repeated_header_end_cleanly() {
    let fixture = Fixture::new();
    let cases: Vec<(&str, Vec<u8>, i32)> = vec![
        ("long-line.csv", vec![b'a'; 3 << 20], 2),
        ("quotes.csv", vec![b'"'; 1 << 20], 2),
        // The API takes a NUL in a name; the row is read as it is.
        ("nul.csv", format!("{HEADER}\n{}\n", good_row("nul\0here")).into_bytes(), 0),
        (
            "header-again.csv",
            format!("{HEADER}\n{}\n{HEADER}\n{}\n", good_row("one"), good_row("two")).into_bytes(),
            1,
        ),
        (
            "header-then-garbage.csv",
            [HEADER.as_bytes(), b"\n", &[0xff, 0xfe, b'"', 0, b'\n', b'"'][..]].concat(),
            1,
        ),
    ];
    for (name, bytes, code) in cases {
        let file = fixture.write(name, bytes);
        let run = fixture.validate(&file, &[]);
        no_panic(&run);
        assert_eq!(run.code, code, "{name}: {}", run.stderr);
        if code == 2 {
            assert_contains(&run.stderr, name);
        }
    }
}

#[test]
fn a_sparse_workbook_costs_its_cells_not_its_dimensions() {
    let fixture = Fixture::new();
    let path = fixture.path("sparse.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (column, header) in HEADER.split(',').enumerate() {
        sheet.write_string(0, column as u16, header).unwrap();
    }
    for (column, cell) in good_row("sparse").split(',').enumerate() {
        sheet.write_string(1, column as u16, cell).unwrap();
    }
    sheet.write_string(1_048_575, 16_383, "far away").unwrap();
    book.save(&path).unwrap();
    let run = fixture.validate(&path, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(statuses(&fixture.records()), [(2, Valid)]);
}

#[test]
fn a_workbook_cell_over_the_limit_makes_its_row_invalid_and_reading_goes_on() {
    let fixture = Fixture::new();
    let path = fixture.path("big-cell.xlsx");
    let headers: Vec<&str> = HEADER.split(',').collect();
    workbook_with(&path, &headers, "xl/worksheets/sheet1.xml", |out| {
        out.write_all(SHEET_START)?;
        let cell =
            |at: String, text: &str| format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>");
        let row = |number: u32, cells: Vec<String>| {
            let cells: String = cells
                .iter()
                .enumerate()
                .map(|(column, text)| cell(format!("{}{number}", char::from(b'A' + column as u8)), text))
                .collect();
            format!("<row r=\"{number}\">{cells}</row>")
        };
        let texts = |line: &str| line.split(',').map(str::to_owned).collect::<Vec<_>>();
        out.write_all(row(1, texts(HEADER)).as_bytes())?;
        let mut big = texts(&good_row("big one"));
        big[1] = "x".repeat(2 << 20);
        out.write_all(row(2, big).as_bytes())?;
        out.write_all(row(3, texts(&good_row("after it"))).as_bytes())?;
        out.write_all(SHEET_END)
    });
    let run = fixture.validate(&path, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let records = fixture.records();
    assert_eq!(statuses(&records), [(2, Invalid), (3, Valid)]);
    assert_eq!(records[0].error_code.as_deref(), Some("CellTooLarge"));
    assert_contains(&records[0].message, "holds 2097152 bytes");
}

/// `samples/workloads.xlsx` with one member replaced by `size` bytes of
/// XML elements that every part reader passes over (`<x> … </x>`).
fn zip_with(path: &std::path::Path, member: &str, size: usize) {
    let mut sample = zip::ZipArchive::new(std::fs::File::open(sample("workloads.xlsx")).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for index in 0..sample.len() {
        let kept = sample.by_index_raw(index).unwrap();
        if kept.name().unwrap() != member {
            writer.raw_copy_file(kept).unwrap();
        }
    }
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    writer.start_file(member, options).unwrap();
    let block = [b"<x>".as_slice(), &vec![b' '; (1 << 20) - 7], b"</x>"].concat();
    for _ in 0..size / block.len() {
        writer.write_all(&block).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn zip_bombs_truncated_workbooks_and_renamed_csvs_are_refused_with_exit_2() {
    let fixture = Fixture::new();
    let bomb = fixture.path("bomb.xlsx");
    zip_with(&bomb, "xl/sharedStrings.xml", 300 << 20);
    assert!(std::fs::metadata(&bomb).unwrap().len() < 2 << 20, "a small file");
    let run = fixture.validate(&bomb, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains(&run.stderr, "xl/sharedStrings.xml inflates to more than 256 MiB: refused as a zip bomb");
    // A sheet is read as it inflates: the refusal comes when it passes the limit.
    zip_with(&bomb, "xl/worksheets/sheet1.xml", 300 << 20);
    let run = fixture.validate(&bomb, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_contains(
        &run.stderr,
        "xl/worksheets/sheet1.xml inflates to more than 256 MiB: refused as a zip bomb",
    );

    let whole = std::fs::read(sample("workloads.xlsx")).unwrap();
    let cut = fixture.write("cut.xlsx", &whole[..whole.len() / 2]);
    let run = fixture.validate(&cut, &[]);
    assert_eq!(run.code, 2);
    assert_contains(&run.stderr, "not a readable workbook");

    let csv = format!("{HEADER}\n{}\n", good_row("renamed"));
    for name in ["renamed.xlsx", "renamed.xls", "renamed.ods", "renamed.xlsb"] {
        let file = fixture.write(name, &csv);
        let run = fixture.validate(&file, &[]);
        no_panic(&run);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert_contains(&run.stderr, &format!("is it really a .{} file?", &name[8..]));
    }
}
