//! The samples a new user runs first: the valid ones are valid, together they
//! fill every member, and invalid.csv shows each kind of problem.

use std::collections::BTreeSet;
use std::path::PathBuf;

use wa_bulk::input::{self, InputOptions};
use wa_bulk::model::Field;
use wa_bulk::report::Status::{self, Invalid, Valid};
use wa_bulk::validate::check_rows;

use super::support::{Fixture, record, statuses};

pub(super) fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples").join(name)
}

#[test]
fn the_valid_samples_are_valid() {
    let fixture = Fixture::new();
    let run = fixture.validate(&sample("workloads.csv"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(fixture.records().len(), 12);
    assert!(fixture.records().iter().all(|r| r.status == Valid));
    let run = fixture.validate(&sample("workloads.xlsx"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<u64> = fixture.records().iter().map(|r| r.row).collect();
    assert_eq!(rows, (4..=13).collect::<Vec<_>>(), "sheet rows under a title and a header");
}

#[test]
fn the_samples_together_fill_every_member() {
    let mut filled = BTreeSet::new();
    for name in ["workloads.csv", "workloads.xlsx"] {
        let opened = input::open(&InputOptions { path: sample(name), ..InputOptions::default() }).unwrap();
        check_rows(
            opened,
            |checked| checked.request.into_owned(),
            |request| {
                for field in Field::ALL {
                    let set = match field {
                        Field::Tags => !request.tags.is_empty(),
                        field if field.is_list() => !request.list(field).is_empty(),
                        field => request.scalar(field).is_some(),
                    };
                    if set {
                        filled.insert(field);
                    }
                }
                Ok::<_, input::InputError>(())
            },
        )
        .unwrap();
    }
    let missing: Vec<Field> = Field::ALL.into_iter().filter(|f| !filled.contains(f)).collect();
    assert_eq!(missing, []);
}

#[test]
fn the_invalid_sample_shows_each_kind_of_problem() {
    let fixture = Fixture::new();
    let run = fixture.validate(&sample("invalid.csv"), &[]);
    assert_eq!(run.code, 1);
    let records = fixture.records();
    let expected = [
        (2, Valid, None),
        (3, Invalid, Some("TooShort")),
        (4, Invalid, Some("TooShort")),
        (5, Invalid, Some("InvalidRegion")),
        (6, Invalid, Some("MissingValue")),
        (7, Valid, None),
        (8, Invalid, Some("InvalidFormat")),
        (9, Invalid, Some("MissingValue")),
        (10, Invalid, Some("TooManyItems")),
        (11, Invalid, Some("InvalidTag")),
        (12, Invalid, Some("NotAllowedValue")),
        (13, Invalid, Some("TooManyItems")),
        (14, Invalid, Some("TooLong")),
        (15, Invalid, Some("DuplicateName")),
        (16, Invalid, Some("RaggedRow")),
        (17, Invalid, Some("UnclosedQuote")),
        (18, Valid, None),
    ];
    let found: Vec<(u64, _, Option<&str>)> =
        records.iter().map(|r| (r.row, r.status, r.error_code.as_deref())).collect();
    assert_eq!(found, expected);
    assert_eq!(statuses(&records).len(), 17);
    assert!(record(&records, 7).message.contains("warning"));
    // Problems come in the order of the sheet's columns.
    let row_3 = &record(&records, 3).message;
    let name = row_3.find("(WorkloadName)").unwrap();
    let description = row_3.find("(Description)").unwrap();
    let environment = row_3.find("(Environment)").unwrap();
    assert!(name < description && description < environment, "{row_3}");
}

#[test]
fn the_sample_to_fix_has_three_rows_to_fix_and_a_warning_as_the_readme_shows() {
    let fixture = Fixture::new();
    let run = fixture.validate(&sample("to-fix.csv"), &[]);
    assert_eq!(run.code, 1);
    let got: Vec<(u64, Status, Option<String>)> =
        fixture.records().into_iter().map(|r| (r.row, r.status, r.error_code)).collect();
    let code = |code: &str| Some(code.to_owned());
    assert_eq!(
        got,
        [
            (2, Valid, None),
            (3, Invalid, code("TooShort")),
            (4, Invalid, code("TooShort")),
            (5, Valid, None),
            (6, Invalid, code("MissingValue")),
            (7, Valid, None),
        ]
    );
    assert!(run.stderr.contains("row 5, column \"Pillars\" (PillarPriorities): warning:"), "{}", run.stderr);
}
