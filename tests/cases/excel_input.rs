//! The Excel family: header row detection across sheets, `--sheet`, and cells
//! read as a person sees them (numbers, account IDs typed as numbers, dates,
//! formulas), on workbooks the tests write themselves.

use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};
use wa_bulk::input::{self, InputOptions};
use wa_bulk::model::WorkloadRequest;
use wa_bulk::report::Status::{Invalid, Valid};
use wa_bulk::validate::check_rows;

use super::support::{Fixture, assert_contains, statuses};

const HEADERS: [&str; 9] = [
    "Workload name",
    "Description",
    "Environment",
    "Account IDs",
    "Regions",
    "Owner",
    "Lenses",
    "Notes",
    "Industry",
];

fn text_row(sheet: &mut Worksheet, row: u32, cells: [&str; 7]) {
    for (column, cell) in cells.iter().enumerate() {
        sheet.write_string(row, column as u16, *cell).unwrap();
    }
}

/// A workbook whose first sheet has no header, and whose second has a title
/// row, a blank row, the header on row 3 and typed cells below it.
fn workbook(path: &Path) {
    let mut book = Workbook::new();
    let about = book.add_worksheet().set_name("About").unwrap();
    about.write_string(0, 0, "Exported from the inventory; one workload per row.").unwrap();
    let sheet = book.add_worksheet().set_name("Workloads").unwrap();
    sheet.write_string(0, 0, "Workload inventory").unwrap();
    for (column, header) in HEADERS.iter().enumerate() {
        sheet.write_string(2, column as u16, *header).unwrap();
    }
    // Row 4: an 11-digit account ID typed as a number, a whole number in Notes.
    text_row(
        sheet,
        3,
        ["Numbers", "Typed cells", "Production", "", "us-east-1", "me@example.com", "wellarchitected"],
    );
    sheet.write_number(3, 3, 12_345_678_901.0).unwrap();
    sheet.write_number(3, 7, 123.0).unwrap();
    sheet.write_number(3, 8, 2.5).unwrap();
    // Row 5: a 12-digit account ID shown in scientific format, a date, a formula.
    text_row(
        sheet,
        4,
        ["Dates and formulas", "", "Pre-production", "", "eu-west-1", "me@example.com", "wellarchitected"],
    );
    let scientific = Format::new().set_num_format("0.00000E+00");
    sheet.write_number_with_format(4, 3, 123_456_789_012.0, &scientific).unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_datetime_with_format(4, 7, ExcelDateTime::from_ymd(2026, 11, 26).unwrap(), &date).unwrap();
    sheet.write_formula(4, 1, Formula::new("=\"Ledger \"&\"service\"").set_result("Ledger service")).unwrap();
    sheet.write_boolean(4, 8, true).unwrap();
    // Row 6 blank, row 7 invalid.
    text_row(sheet, 6, ["x", "Bad row", "Staging", "1", "us-east-1", "me@example.com", "wellarchitected"]);
    book.save(path).unwrap();
}

fn requests(path: &Path) -> Vec<WorkloadRequest<'static>> {
    let options = InputOptions { path: path.to_owned(), ..InputOptions::default() };
    let opened = input::open(&options).unwrap();
    let mut rows = Vec::new();
    check_rows(
        opened,
        |checked| checked.request.into_owned(),
        |checked| {
            rows.push(checked);
            Ok::<_, input::InputError>(())
        },
    )
    .unwrap();
    rows
}

#[test]
fn the_first_sheet_with_a_header_is_read_with_sheet_row_numbers() {
    let fixture = Fixture::new();
    let path = fixture.path("book.xlsx");
    workbook(&path);
    let run = fixture.validate(&path, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(statuses(&fixture.records()), [(4, Valid), (5, Valid), (7, Invalid)]);
    let bad = &fixture.records()[2];
    assert_contains(&bad.message, "row 7, column \"Workload name\" (WorkloadName): \"x\" is too short");
    assert_contains(&bad.message, "row 7, column \"Environment\" (Environment): \"Staging\"");
}

#[test]
fn excel_numbers_dates_and_formulas_read_as_shown() {
    let fixture = Fixture::new();
    let path = fixture.path("book.xlsx");
    workbook(&path);
    let rows = requests(&path);
    let numbers = &rows[0];
    assert_eq!(numbers.account_ids, ["012345678901"], "leading zero restored");
    assert_eq!(numbers.notes.as_deref(), Some("123"), "no .0 on whole numbers");
    assert_eq!(numbers.industry.as_deref(), Some("2.5"));
    let dated = &rows[1];
    assert_eq!(dated.account_ids, ["123456789012"], "all 12 digits, not 1.23457E+11");
    assert_eq!(dated.environment.as_deref(), Some("PREPRODUCTION"));
    assert_eq!(dated.notes.as_deref(), Some("2026-11-26"));
    assert_eq!(dated.description.as_deref(), Some("Ledger service"), "the formula's value");
    assert_eq!(dated.industry.as_deref(), Some("TRUE"));
}

#[test]
fn sheet_picks_a_sheet_and_names_the_ones_there_are() {
    let fixture = Fixture::new();
    let path = fixture.path("book.xlsx");
    workbook(&path);
    assert_eq!(fixture.validate(&path, &["--sheet", "Workloads"]).code, 1);
    let about = fixture.validate(&path, &["--sheet", "About"]);
    assert_eq!(about.code, 2);
    assert_contains(&about.stderr, "no header row found in the first 20 rows of sheet \"About\"");
    let missing = fixture.validate(&path, &["--sheet", "Nope"]);
    assert_eq!(missing.code, 2);
    assert_contains(&missing.stderr, "no sheet named \"Nope\"; the workbook has: About, Workloads");
}

#[test]
fn a_macro_enabled_workbook_reads_like_xlsx() {
    let fixture = Fixture::new();
    let path = fixture.path("book.xlsm");
    workbook(&path);
    let run = fixture.validate(&path, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(statuses(&fixture.records()), [(4, Valid), (5, Valid), (7, Invalid)]);
}

#[test]
fn a_workbook_without_a_header_anywhere_names_its_sheets() {
    let fixture = Fixture::new();
    let path = fixture.path("plain.xlsx");
    let mut book = Workbook::new();
    book.add_worksheet().write_string(0, 0, "nothing here").unwrap();
    book.save(&path).unwrap();
    let run = fixture.validate(&path, &[]);
    assert_eq!(run.code, 2);
    assert_contains(&run.stderr, "of any sheet (Sheet1)");
}
