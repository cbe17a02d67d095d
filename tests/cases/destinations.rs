//! Rows that name where their workload lives: the `Target account` and
//! `Target Region` columns (not the workload's own AccountIds and
//! AwsRegions), `--regions` fan-out, and names unique per destination.

use wa_bulk::report::Status::{Invalid, Valid};

use super::support::{Fixture, statuses, wa_bulk};

const SHEET: &str = "\
Name,Description,Environment,AccountIds,Regions,Owner,Lenses,Target account,Target Region
Payments,The payments service,Production,333344445555,us-east-1,o@example.com,wellarchitected,111111111111,us-east-1
Payments,The payments service,Production,333344445555,us-east-1,o@example.com,wellarchitected,222222222222,us-east-1
Payments,The payments service,Production,333344445555,us-east-1,o@example.com,wellarchitected,111111111111,eu-west-1
payments,The payments service,Production,333344445555,us-east-1,o@example.com,wellarchitected,111111111111,us-east-1
Search,The search service,Production,333344445555,us-east-1,o@example.com,wellarchitected,1111,Ireland
Search,The search service,Production,333344445555,us-east-1,o@example.com,wellarchitected,,
";

#[test]
fn names_are_unique_per_account_and_region_and_target_cells_are_checked() {
    let fixture = Fixture::new();
    let input = fixture.write("targets.csv", SHEET);
    let ran = fixture.validate(&input, &[]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let records = fixture.records();
    assert_eq!(
        statuses(&records),
        [(2, Valid), (3, Valid), (4, Valid), (5, Invalid), (6, Invalid), (7, Valid)]
    );
    assert_eq!(records[4].error_code.as_deref(), Some("InvalidFormat"));
    assert!(records[3].message.contains("already the name of row 2 in the same account and Region"));
    assert!(
        ran.stderr.contains("row 6, column \"Target Region\": \"Ireland\" is not a Region code"),
        "{}",
        ran.stderr
    );
    assert_eq!(
        (records[1].account.as_deref(), records[1].region.as_deref()),
        (Some("222222222222"), Some("us-east-1"))
    );

    let csv = fixture.path("r.csv");
    assert_eq!(wa_bulk(&["validate", input.to_str().unwrap(), "--report", csv.to_str().unwrap()]).code, 1);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("row,account,region,workload_name,status,"), "{text}");
    assert!(text.contains("\n3,222222222222,us-east-1,Payments,valid,"), "{text}");
}

#[test]
fn regions_fan_out_rows_without_a_target_region_and_names_clash_in_each() {
    let fixture = Fixture::new();
    let sheet = "\
Name,Description,Environment,Regions,Owner,Lenses,Target Region
Shop,The web shop,Production,us-east-1,o@example.com,wellarchitected,
Shop,The web shop,Production,us-east-1,o@example.com,wellarchitected,ap-southeast-2
Shop,The web shop,Production,us-east-1,o@example.com,wellarchitected,eu-west-1
";
    let input = fixture.write("fan.csv", sheet);
    let ran = fixture.validate(&input, &["--regions", "us-east-1,eu-west-1"]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(
        statuses(&fixture.records()),
        [(2, Valid), (3, Valid), (4, Invalid)],
        "eu-west-1 is taken by row 2"
    );
    let ran = fixture.validate(&input, &["--regions", "us-east-1,Ireland"]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("\"Ireland\" is not a Region code"), "{}", ran.stderr);
}
