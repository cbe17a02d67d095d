//! `--report results.xlsx`: the input's own columns and cells, then the
//! results; every cell at fault filled and commented; a Summary whose counts
//! are the report's; and the workbook read back as an input (fix and feed
//! back) and as an earlier report (`--resume`). What calamine cannot see
//! (fills, comments, frozen header, autofilter) is read from the XML parts.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use wa_bulk::added_columns::RESULT_COLUMNS;
use wa_bulk::emulator::{Emulator, EmulatorConfig};
use wa_bulk::input::InputOptions;
use wa_bulk::validate::check_rows;

use super::import::{finish, import, journal_lines_reach, run, sheet, slow_service, text};
use super::support::{Fixture, wa_bulk};

const INVALID: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/invalid.csv");

/// The text of one part of an xlsx (a zip).
fn part(workbook: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(workbook).unwrap()).unwrap();
    let mut text = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

fn sheet_range(workbook: &Path, name: &str) -> Range<Data> {
    let mut book: Xlsx<_> = open_workbook(workbook).unwrap();
    book.worksheet_range(name).unwrap()
}

fn cells(range: &Range<Data>) -> Vec<Vec<String>> {
    range.rows().map(|row| row.iter().map(ToString::to_string).collect()).collect()
}

/// `A1`-style name of a cell (0-based row and column).
fn cell_name(row: usize, column: usize) -> String {
    let mut letters = String::new();
    let mut rest = column + 1;
    while rest > 0 {
        letters.insert(0, (b'A' + ((rest - 1) % 26) as u8) as char);
        rest = (rest - 1) / 26;
    }
    format!("{letters}{}", row + 1)
}

/// The style index of each cell of the first sheet, by `A1` name.
fn styles_of_cells(sheet_xml: &str) -> HashMap<String, usize> {
    let mut styles = HashMap::new();
    for cell in sheet_xml.split("<c r=\"").skip(1) {
        let name = &cell[..cell.find('"').unwrap()];
        let head = &cell[..cell.find('>').unwrap()];
        let style =
            head.split(" s=\"").nth(1).map_or(0, |rest| rest[..rest.find('"').unwrap()].parse().unwrap());
        styles.insert(name.to_owned(), style);
    }
    styles
}

/// The cell styles (`cellXfs` indexes) whose fill has `colour`.
fn styles_filled(styles_xml: &str, colour: &str) -> HashSet<usize> {
    let fills = &styles_xml[styles_xml.find("<fills").unwrap()..styles_xml.find("</fills>").unwrap()];
    let filled: HashSet<usize> = fills
        .split("<fill>")
        .skip(1)
        .enumerate()
        .filter(|(_, fill)| fill.contains(colour))
        .map(|(index, _)| index)
        .collect();
    let xfs = &styles_xml[styles_xml.find("<cellXfs").unwrap()..styles_xml.find("</cellXfs>").unwrap()];
    xfs.split("<xf ")
        .skip(1)
        .enumerate()
        .filter(|(_, xf)| {
            let fill = xf
                .split("fillId=\"")
                .nth(1)
                .map_or(0, |rest| rest[..rest.find('"').unwrap()].parse().unwrap());
            filled.contains(&fill)
        })
        .map(|(index, _)| index)
        .collect()
}

/// The cells with a comment, and its text, from the comments part.
fn comments(comments_xml: &str) -> HashMap<String, String> {
    comments_xml
        .split("<comment ref=\"")
        .skip(1)
        .map(|comment| {
            let name = comment[..comment.find('"').unwrap()].to_owned();
            let text: String = comment
                .split("<t")
                .skip(1)
                .filter_map(|t| Some(t[t.find('>')? + 1..t.find("</t>")?].to_owned()))
                .collect();
            (name, text)
        })
        .collect()
}

#[test]
fn invalid_rows_come_back_with_their_own_cells_filled_and_commented_and_a_summary_that_counts_them() {
    let fixture = Fixture::new();
    let input = fixture.write("invalid.csv", std::fs::read(INVALID).unwrap());
    let results = fixture.path("results.xlsx");
    let ran = wa_bulk(&["validate", input.to_str().unwrap(), "--report", results.to_str().unwrap()]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let jsonl = fixture.validate(&input, &[]);
    assert_eq!(jsonl.code, 1);
    let records = fixture.records();

    let book: Xlsx<_> = open_workbook(&results).unwrap();
    assert_eq!(book.sheet_names(), ["Results", "Summary"]);
    let rows = cells(&sheet_range(&results, "Results"));
    let original: Vec<String> =
        csv::Reader::from_path(&input).unwrap().headers().unwrap().iter().map(str::to_owned).collect();
    let width = original.len();
    assert_eq!(rows[0][..width], original[..], "the input's own headers, in order");
    assert_eq!(
        rows[0][width..],
        RESULT_COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "then the results"
    );
    assert_eq!(rows.len() - 1, records.len(), "a line a record");
    for (line, record) in rows[1..].iter().zip(&records) {
        assert_eq!(line[width + 7], record.row.to_string(), "Input Row");
        assert_eq!(line[width], record.status.as_str());
        assert_eq!(line[width + 1], record.workload_name);
        assert_eq!(line[width + 5], record.error_code.clone().unwrap_or_default());
        assert_eq!(line[width + 6], record.message);
    }
    assert_eq!(rows[2][0], "ab", "row 3's own Name cell");
    assert_eq!(rows[3][3], "12345678901, 1.23457E+11, 11112222333a", "as the user typed it");

    // Every problem the run logged is on its cell: filled and commented.
    let sheet_xml = part(&results, "xl/worksheets/sheet1.xml");
    let styles_xml = part(&results, "xl/styles.xml");
    let notes = comments(&part(&results, "xl/comments1.xml"));
    let (styles, red, amber) = (
        styles_of_cells(&sheet_xml),
        styles_filled(&styles_xml, "FFC7CE"),
        styles_filled(&styles_xml, "FFEB9C"),
    );
    let sheet_row: HashMap<u64, usize> =
        records.iter().enumerate().map(|(index, r)| (r.row, index + 1)).collect();
    // Every problem of every row (the library's own checks) is on its cell.
    let opened =
        wa_bulk::input::open(&InputOptions { path: input.clone(), ..InputOptions::default() }).unwrap();
    let mut faults: BTreeMap<String, bool> = BTreeMap::new();
    check_rows(
        opened,
        |checked| (checked.row, checked.problems.clone()),
        |(row, problems)| {
            for problem in problems {
                let Some(column) = &problem.column else { continue };
                let cell = cell_name(sheet_row[&row], column.index);
                *faults.entry(cell).or_default() |= problem.is_error();
            }
            Ok::<_, wa_bulk::input::InputError>(())
        },
    )
    .unwrap();
    assert!(faults.len() > 15, "{faults:?}");
    for (cell, error) in &faults {
        assert!(notes.contains_key(cell), "{cell} has a comment");
        let fill = if *error { &red } else { &amber };
        assert!(fill.contains(&styles[cell]), "{cell} is filled {}", if *error { "red" } else { "amber" });
    }
    assert!(notes["A3"].contains("TooShort WorkloadName: \"ab\" is too short"), "{}", notes["A3"]);
    assert!(notes["G7"].contains("(warning)"), "the unknown pillar is a warning: {}", notes["G7"]);
    assert!(!red.contains(&styles["B2"]) && !amber.contains(&styles["B2"]), "a good cell is not filled");
    let status_of = |row: usize| styles[&cell_name(row, width)];
    assert!(red.contains(&status_of(2)), "invalid is red");
    assert!(styles_filled(&styles_xml, "C6EFCE").contains(&status_of(1)), "valid is green");
    assert!(sheet_xml.contains("state=\"frozen\"") && sheet_xml.contains("<autoFilter ref=\"A1:"));

    // The Summary counts what the report says.
    let summary = cells(&sheet_range(&results, "Summary"));
    let table = |title: &str| -> BTreeMap<String, u64> {
        let start = summary.iter().position(|row| row[0] == title).unwrap() + 1;
        summary[start..]
            .iter()
            .take_while(|row| !row[0].is_empty() && row[0] != "All rows")
            .map(|row| (row[0].clone(), row[1].parse().unwrap()))
            .collect()
    };
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_code: BTreeMap<String, u64> = BTreeMap::new();
    for record in &records {
        *by_status.entry(record.status.as_str().to_owned()).or_default() += 1;
        if let Some(code) = &record.error_code {
            *by_code.entry(code.clone()).or_default() += 1;
        }
    }
    assert_eq!(table("Status"), by_status);
    assert_eq!(table("Error code"), by_code);
    assert!(summary.iter().any(|row| row[0] == "Input" && row[1] == input.display().to_string()));
    assert!(part(&results, "xl/charts/chart1.xml").contains("Summary!$A$"), "a chart of the statuses");
}

#[test]
fn a_fixed_results_workbook_is_an_input_again_without_its_result_columns() {
    let fixture = Fixture::new();
    let input = fixture.write("invalid.csv", std::fs::read(INVALID).unwrap());
    let results = fixture.path("results.xlsx");
    let ran = wa_bulk(&["validate", input.to_str().unwrap(), "--report", results.to_str().unwrap()]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);

    // The owner fixes row 3's three red cells in Excel and saves.
    let mut rows = cells(&sheet_range(&results, "Results"));
    assert_eq!(rows[2][..3], ["ab", "", "Staging"]);
    rows[2][0] = "abc fixed".into();
    rows[2][1] = "Now with a description".into();
    rows[2][2] = "PREPRODUCTION".into();
    let fixed = fixture.path("fixed.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("Results").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, cell).unwrap();
        }
    }
    book.save(&fixed).unwrap();

    let again = fixture.path("again.xlsx");
    let ran =
        wa_bulk(&["validate", fixed.to_str().unwrap(), "--report", again.to_str().unwrap(), "--strict"]);
    assert!(!ran.stderr.contains("unknown columns"), "the result columns are not the user's: {}", ran.stderr);
    let before = ran.stdout.clone();
    let rows_again = cells(&sheet_range(&again, "Results"));
    let width = rows_again[0].len() - RESULT_COLUMNS.len();
    assert_eq!(rows_again[0][..width], rows[0][..width], "the old result columns are not copied");
    assert_eq!(rows_again[2][width], "valid", "the fixed row: {:?}", rows_again[2]);
    assert_eq!(rows_again[2][0], "abc fixed");
    // Every other row keeps its verdict, but for those refused for the
    // shape of their CSV line: in the workbook their cells stand under
    // their headers (the message of the first run said what to check).
    let first_run = cells(&sheet_range(&results, "Results"));
    for (index, (then, now)) in first_run.iter().zip(&rows_again).enumerate().skip(1) {
        let shape = ["RaggedRow", "UnclosedQuote"].contains(&then[width + 5].as_str());
        if index != 2 && !shape {
            assert_eq!(then[width], now[width], "row {index}: {before}");
        }
    }
}

#[test]
fn a_stream_gets_the_result_columns_alone() {
    let fixture = Fixture::new();
    let results = fixture.path("results.xlsx");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_wa-bulk"))
        .args(["validate", "-", "--report", results.to_str().unwrap()])
        .stdin(std::fs::File::open(INVALID).unwrap())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let rows = cells(&sheet_range(&results, "Results"));
    assert_eq!(rows[0], RESULT_COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>());
    assert_eq!(rows[2][1], "ab", "the name stays in its result column");
    let summary = cells(&sheet_range(&results, "Summary"));
    let why = summary.iter().find(|row| row[0] == "Input columns").unwrap();
    assert!(why[1].contains("stream"), "{why:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_writes_ids_and_arns_and_resumes_from_its_workbook() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let input = sheet(&fixture, 6, |index| format!("Workload number {index}"));
    let results = fixture.path("results.xlsx");
    let args = ["--report", results.to_str().unwrap()];
    let output = run(&mut import(&input, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let rows = cells(&sheet_range(&results, "Results"));
    let width = rows[0].len() - RESULT_COLUMNS.len();
    for row in &rows[1..] {
        assert_eq!(row[width], "created");
        assert!(row[width + 3].starts_with("arn:aws:wellarchitected:us-east-1:"), "{row:?}");
        assert!(!row[width + 2].is_empty(), "the workload id");
    }
    let summary = cells(&sheet_range(&results, "Summary"));
    let destination = summary.iter().find(|row| row[0] == "Destination").unwrap();
    assert_eq!(destination[1], emulator.endpoint_url());

    let writes = emulator.stats().writes;
    let output = run(&mut import(&input, &emulator, &[&args[..], &["--resume"]].concat())).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(emulator.stats().writes, writes, "rows done are read back from the workbook, not sent");
    let again = cells(&sheet_range(&results, "Results"));
    assert_eq!(
        again[1..].iter().map(|row| &row[width + 2]).collect::<Vec<_>>(),
        rows[1..].iter().map(|row| &row[width + 2]).collect::<Vec<_>>()
    );

    // A workbook wa-bulk did not write is never replaced.
    let own = fixture.path("own.xlsx");
    rust_xlsxwriter::Workbook::new().save(&own).unwrap();
    let before = std::fs::read(&own).unwrap();
    let ran = wa_bulk(&["validate", input.to_str().unwrap(), "--report", own.to_str().unwrap()]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert_eq!(std::fs::read(&own).unwrap(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_input_saved_again_during_the_import_is_not_joined_to_the_outcomes() {
    let (emulator, fixture, input) = slow_service(100, 12).await;
    let results = fixture.path("results.xlsx");
    let journal = fixture.path("results.xlsx.journal");
    let mut command = import(&input, &emulator, &["--report", results.to_str().unwrap(), "--rate", "20"]);
    let child =
        command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    journal_lines_reach(&journal, 3).await;
    // The owner inserts a row at the top and saves, while the import runs.
    let text_now = std::fs::read_to_string(&input).unwrap();
    let (header, rest) = text_now.split_once('\n').unwrap();
    std::fs::write(&input, format!("{header}\n{}\n{rest}", super::support::good_row("inserted"))).unwrap();
    let output = finish(child).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let rows = cells(&sheet_range(&results, "Results"));
    assert_eq!(
        rows[0],
        RESULT_COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "no cells joined to the wrong outcomes"
    );
    assert_eq!(rows[1][1], "workload-000");
    let summary = cells(&sheet_range(&results, "Summary"));
    let why = summary.iter().find(|row| row[0] == "Input columns").unwrap();
    assert!(why[1].contains("changed during the run"), "{why:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_writes_each_rows_action_into_the_workbook() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let input = sheet(&fixture, 2, |index| format!("Workload number {index}"));
    let output = run(&mut import(&input, &emulator, &[])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let grown =
        format!("{}{}\n", std::fs::read_to_string(&input).unwrap(), super::support::good_row("new one"));
    std::fs::write(&input, grown).unwrap();
    let results = fixture.path("plan.xlsx");
    let args = ["--report", results.to_str().unwrap(), "--on-existing", "update"];
    let output =
        run(&mut super::import::sending("plan", &input, Some(&emulator.endpoint_url()), &args)).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let rows = cells(&sheet_range(&results, "Results"));
    let width = rows[0].len() - RESULT_COLUMNS.len();
    let messages: Vec<&str> = rows[1..].iter().map(|row| row[width + 6].as_str()).collect();
    assert_eq!(messages, ["plan: unchanged", "plan: unchanged", "plan: create"]);
    assert!(!rows[1][width + 3].is_empty() && rows[3][width + 3].is_empty(), "ARNs of what exists");
    let summary = cells(&sheet_range(&results, "Summary"));
    assert!(summary.iter().any(|row| row[0] == "Existing workloads" && row[1] == "update"), "{summary:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_that_regions_multiply_past_a_sheet_are_refused_before_anything_is_sent() {
    // 1,049 rows, each to 1,000 Regions: more lines than an xlsx sheet holds,
    // though the input itself has few rows.
    let regions: Vec<String> = (b'a'..=b'z')
        .flat_map(|first| (b'a'..=b'z').map(move |second| format!("{}{}", first as char, second as char)))
        .flat_map(|country| [format!("{country}-test-1"), format!("{country}-test-2")])
        .take(1000)
        .collect();
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture, 1049, |_| "A workload".into());
    let report = fixture.path("results.xlsx");
    let regions = regions.join(",");
    let args = ["--report", report.to_str().unwrap(), "--regions", &regions];
    let output = run(&mut import(&file, &emulator, &args)).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("an xlsx report holds at most 1048575 rows and the input has 1049000"),
        "{}",
        text(&output)
    );
    assert_eq!(emulator.stats().requests, 0, "nothing was sent");
    assert!(!report.exists());
}
