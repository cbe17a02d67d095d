//! The CSV family: delimiters, BOM, CRLF, quoting, header detection, column
//! matching, and every kind of problem a row can have.

use wa_bulk::report::Status::{Invalid, Valid};

use super::support::{Fixture, HEADER, assert_contains, good_row, record, statuses};

#[test]
fn a_clean_csv_is_all_valid_with_rows_numbered_by_line() {
    let fixture = Fixture::new();
    let file = fixture.write("w.csv", format!("{HEADER}\n{}\n{}\n", good_row("one"), good_row("two")));
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("2 rows: 2 valid, 0 invalid in "), "{}", run.stdout);
    assert_eq!(statuses(&fixture.records()), [(2, Valid), (3, Valid)]);
}

#[test]
fn semicolons_bom_crlf_and_quoted_newlines_are_read() {
    let fixture = Fixture::new();
    let header = HEADER.replace(',', ";");
    let quoted = "\"two\";\"A description\r\nover two lines; with a semicolon\";PREPRODUCTION;111122223333;\"us-east-1;eu-west-1\";o@example.com;wellarchitected";
    let content = format!(
        "\u{feff}{header}\r\n{}\r\n{quoted}\r\n{}\r\n",
        good_row("one").replace(',', ";"),
        good_row("three").replace(',', ";")
    );
    let file = fixture.write("w.csv", content);
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The quoted cell spans lines 3 and 4, so the next row starts on line 5.
    assert_eq!(statuses(&fixture.records()), [(2, Valid), (3, Valid), (5, Valid)]);
    assert_eq!(record(&fixture.records(), 2).workload_name, "one", "the BOM is not part of the first header");
}

#[test]
fn tabs_and_pipes_are_sniffed_and_delimiter_overrides() {
    let fixture = Fixture::new();
    let tsv = fixture.write(
        "w.tsv",
        format!("{}\n{}\n", HEADER.replace(',', "\t"), good_row("tabbed").replace(',', "\t")),
    );
    assert_eq!(fixture.validate(&tsv, &[]).code, 0);
    let piped = fixture
        .write("w.txt", format!("{}\n{}\n", HEADER.replace(',', "|"), good_row("piped").replace(',', "|")));
    assert_eq!(fixture.validate(&piped, &[]).code, 0);
    assert_eq!(fixture.validate(&piped, &["--delimiter", "pipe"]).code, 0);
    let forced = fixture.validate(&piped, &["--delimiter", ";"]);
    assert_eq!(forced.code, 2, "a header split on the wrong delimiter names no member");
    assert_contains(&forced.stderr, "no header row found");
}

#[test]
fn title_lines_and_blank_rows_are_skipped_and_not_counted() {
    let fixture = Fixture::new();
    let content = format!(
        "Workload inventory\n\n{HEADER}\n{}\n,,,,,,\n\n   ,  ,,,,,\n{}\n",
        good_row("one"),
        good_row("two")
    );
    let file = fixture.write("w.csv", content);
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(statuses(&fixture.records()), [(4, Valid), (8, Valid)]);
    assert!(run.stdout.starts_with("2 rows:"));
}

#[test]
fn friendly_headers_aliases_maps_and_tag_columns() {
    let fixture = Fixture::new();
    let content = "Name,Workload description,environment,Account IDs,Regions,Owner,Lens,Tag:cost-center,Colour\n\
                   shop,The shop,Pre-production,111122223333,us-east-1,me@example.com,wellarchitected,CC-1,red\n";
    let file = fixture.write("w.csv", content);
    let run = fixture.validate(&file, &["--map", "Workload description=Description"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_contains(&run.stderr, "ignoring unknown columns \"Colour\"");
    let strict = fixture.validate(&file, &["--map", "Workload description=Description", "--strict"]);
    assert_eq!(strict.code, 2);
    assert_contains(&strict.stderr, "unknown columns: \"Colour\"");
    let unmapped = fixture.validate(&file, &[]);
    assert_eq!(unmapped.code, 2);
    assert_contains(&unmapped.stderr, "missing required columns: Description");
}

#[test]
fn duplicate_names_ignoring_spaces_and_case_make_the_later_row_invalid() {
    let fixture = Fixture::new();
    let content =
        format!("{HEADER}\n{}\n{}\n{}\n", good_row("My Shop"), good_row("other"), good_row(" myshop "));
    let file = fixture.write("w.csv", content);
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 1);
    let records = fixture.records();
    assert_eq!(statuses(&records), [(2, Valid), (3, Valid), (4, Invalid)]);
    let later = record(&records, 4);
    assert_eq!(later.error_code.as_deref(), Some("DuplicateName"));
    assert_contains(
        &later.message,
        "row 4, column \"WorkloadName\" (WorkloadName): \"myshop\" is already the name of row 2",
    );
}

/// One row per kind of problem: (row cells, expected code, a fragment of the message).
#[test]
fn every_kind_of_problem_names_row_column_member_and_what_is_allowed() {
    let header = "Name,Description,Environment,Account IDs,Regions,Non-AWS regions,Pillars,Architectural design,Owner,Industry type,Lenses,Notes,Client request token,Tags,Tag:team,Trusted Advisor integration status,Workload resource definition,Applications,Profile ARNs,Review template ARNs,Issue management status,Issue management type,Jira project key";
    let base = |name: &str| -> Vec<String> {
        let mut cells = vec![String::new(); 23];
        for (i, value) in [
            (0, name),
            (1, "A description"),
            (2, "Production"),
            (4, "us-east-1"),
            (8, "owner@example.com"),
            (10, "wellarchitected"),
        ] {
            cells[i] = value.to_owned();
        }
        cells
    };
    let (long_name, long_notes, long_value) = ("n".repeat(101), "x".repeat(2085), "v".repeat(257));
    let cases: Vec<(usize, &str, &str, &str)> = vec![
        (
            0,
            "ab",
            "TooShort",
            "column \"Name\" (WorkloadName): \"ab\" is too short (2 characters): 3 to 100 characters",
        ),
        (
            0,
            &long_name,
            "TooLong",
            "(WorkloadName): \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn…\" is too long (101 characters): 3 to 100 characters",
        ),
        (1, "", "MissingValue", "column \"Description\" (Description): is required: 3 to 250 characters"),
        (
            2,
            "Staging",
            "NotAllowedValue",
            "(Environment): \"Staging\" is not allowed: use one of PRODUCTION | PREPRODUCTION",
        ),
        (
            3,
            "1234",
            "TooShort",
            "(AccountIds): item 1 \"1234\" is too short (4 characters): exactly 12 characters",
        ),
        (
            3,
            "12345678901x",
            "InvalidFormat",
            "(AccountIds): item 1 \"12345678901x\" is not an AWS account ID: exactly 12 digits",
        ),
        (
            3,
            "1.23457E+11",
            "DigitsLost",
            "(AccountIds): item 1 \"1.23457E+11\" is a number in scientific notation",
        ),
        (4, "US East", "InvalidRegion", "(AwsRegions): item 1 \"US East\" is not a Region code"),
        (4, "", "MissingValue", "(AwsRegions): is required: give AwsRegions"),
        (
            5,
            "a,b,c,d,e,f",
            "TooManyItems",
            "column \"Non-AWS regions\" (NonAwsRegions): has 6 items: at most 5 are allowed",
        ),
        (
            5,
            "DC",
            "TooShort",
            "(NonAwsRegions): item 1 \"DC\" is too short (2 characters): 3 to 25 characters",
        ),
        (7, "wiki/shop", "InvalidFormat", "(ArchitecturalDesign): \"wiki/shop\" is not a URL"),
        (8, "", "MissingValue", "column \"Owner\" (ReviewOwner): is required: 3 to 255 characters"),
        (
            9,
            "Media and Entertainment",
            "NotAllowedValue",
            "(IndustryType): \"Media and Entertainment\" is not allowed: use one of Agriculture |",
        ),
        (10, "", "MissingValue", "(Lenses): is required: 1 to 20 lens aliases"),
        (
            10,
            "l1,l2,l3,l4,l5,l6,l7,l8,l9,l10,l11,l12,l13,l14,l15,l16,l17,l18,l19,l20,l21",
            "TooManyItems",
            "(Lenses): has 21 lenses: at most 20 are allowed",
        ),
        (
            11,
            &long_notes,
            "TooLong",
            "(Notes): \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\" is too long (2085 characters): at most 2084 characters",
        ),
        (
            12,
            "jéton",
            "InvalidFormat",
            "(ClientRequestToken): \"jéton\" is not made of ASCII characters only",
        ),
        (13, "team", "InvalidTag", "column \"Tags\" (Tags): \"team\" is not a key=value pair"),
        (13, "aws:owner=me", "ReservedTagKey", "(Tags): tag key \"aws:owner\" starts with aws:"),
        (13, "bad#key=1", "InvalidFormat", "(Tags): tag key \"bad#key\" is not a tag key of letters"),
        (
            13,
            "team=b",
            "DuplicateTagKey",
            "column \"Tag:team\" (Tags): tag key \"team\" is given more than once",
        ),
        (
            14,
            &long_value,
            "TooLong",
            "column \"Tag:team\" (Tags): the value of tag \"team\" is too long (257 characters): at most 256",
        ),
        (
            15,
            "maybe",
            "NotAllowedValue",
            "(DiscoveryConfig.TrustedAdvisorIntegrationStatus): \"maybe\" is not allowed: use one of ENABLED | DISABLED",
        ),
        (
            16,
            "CMDB",
            "NotAllowedValue",
            "(DiscoveryConfig.WorkloadResourceDefinition): item 1 \"CMDB\" is not allowed",
        ),
        (
            17,
            "arn:aws:ssm:us-east-1:111122223333:/applications/a1",
            "InvalidFormat",
            "(Applications): item 1",
        ),
        (
            18,
            "arn:aws:wellarchitected:us-east-1:111122223333:profile/a,arn:aws:wellarchitected:us-east-1:111122223333:profile/b",
            "TooManyItems",
            "(ProfileArns): has 2 items: at most 1 is allowed",
        ),
        (19, "arn:aws:wellarchitected:us-east-1:1:template", "TooShort", "(ReviewTemplateArns): item 1"),
        (
            20,
            "sometimes",
            "NotAllowedValue",
            "(JiraConfiguration.IssueManagementStatus): \"sometimes\" is not allowed: use one of ENABLED | DISABLED | INHERIT",
        ),
        (
            21,
            "weekly",
            "NotAllowedValue",
            "(JiraConfiguration.IssueManagementType): \"weekly\" is not allowed: use one of AUTO | MANUAL",
        ),
        (22, "ops", "InvalidFormat", "(JiraConfiguration.JiraProjectKey): \"ops\" is not a Jira project key"),
    ];
    let mut lines = vec![header.to_owned()];
    for (index, (column, value, _, _)) in cases.iter().enumerate() {
        let mut cells = base(&format!("workload {index}"));
        cells[*column] = value.to_string();
        if *column == 14 {
            cells[13].clear();
        } else if *value == "team=b" {
            cells[14] = "a".into();
        }
        let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
        writer.write_record(&cells).unwrap();
        lines.push(String::from_utf8(writer.into_inner().unwrap()).unwrap().trim_end().to_owned());
    }
    let fixture = Fixture::new();
    let file = fixture.write("problems.csv", lines.join("\n") + "\n");
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let records = fixture.records();
    assert_eq!(records.len(), cases.len());
    for (index, (_, _, code, fragment)) in cases.iter().enumerate() {
        let row = index as u64 + 2;
        let found = record(&records, row);
        assert_eq!(found.status, Invalid, "row {row}: {}", found.message);
        assert_eq!(found.error_code.as_deref(), Some(*code), "row {row}: {}", found.message);
        assert_contains(&found.message, &format!("row {row}, "));
        assert_contains(&found.message, fragment);
    }
}

#[test]
fn a_row_reports_all_of_its_problems() {
    let fixture = Fixture::new();
    let file = fixture.write("w.csv", format!("{HEADER}\nab,,Staging,1,US East,me,\n"));
    fixture.validate(&file, &[]);
    let message = &fixture.records()[0].message;
    let problems: Vec<&str> = message.split("; row 2").collect();
    assert_eq!(problems.len(), 7, "{message}");
    for member in [
        "(WorkloadName)",
        "(Description)",
        "(Environment)",
        "(AccountIds)",
        "(AwsRegions)",
        "(ReviewOwner)",
        "(Lenses)",
    ] {
        assert!(message.contains(member), "{member} in {message}");
    }
}

#[test]
fn an_unknown_pillar_is_a_warning_on_a_valid_row() {
    let fixture = Fixture::new();
    let file = fixture.write("w.csv", format!("{HEADER},Pillars\n{},security;myPillar\n", good_row("one")));
    let run = fixture.validate(&file, &[]);
    assert_eq!(run.code, 0);
    let found = &fixture.records()[0];
    assert_eq!((found.status, found.error_code.as_deref()), (Valid, None));
    assert_contains(&found.message, "warning: \"myPillar\" is not one of the six AWS pillars");
}
