//! `wa-bulk template`: the workbook opens with calamine as the reader sees
//! it, and what calamine cannot see (dropdowns, input messages, the text
//! format) is checked in the workbook's XML parts.

use std::io::Read;
use std::path::Path;

use calamine::{Reader, Xlsx, open_workbook};

use super::support::{Fixture, wa_bulk};

/// The text of one part of an xlsx (a zip).
fn part(workbook: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(workbook).unwrap()).unwrap();
    let mut text = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn the_template_has_dropdowns_text_account_ids_rules_on_headers_and_validates_clean() {
    let fixture = Fixture::new();
    let out = fixture.path("template.xlsx");
    let ran = wa_bulk(&["template", out.to_str().unwrap(), "--example"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout.trim(), format!("template written to {}, with 3 example rows", out.display()));

    let mut workbook: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(workbook.sheet_names(), ["Workloads", "How to fill", "Lists"]);
    let sheet = workbook.worksheet_range("Workloads").unwrap();
    let headers: Vec<String> = sheet.rows().next().unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(headers[0], "Workload Name *");
    assert!(
        headers.contains(&"Account Ids".to_owned())
            && headers
                .ends_with(&["Tag:team", "Target account", "Target Region", "Share with"].map(String::from)),
        "{headers:?}"
    );
    let accounts = headers.iter().position(|header| header == "Account Ids").unwrap();
    let first_row: Vec<String> = sheet.rows().nth(1).unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(first_row[accounts], "012345678901; 111122223333", "a text cell keeps its zero");

    let xml = part(&out, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("<formula1>\"PRODUCTION,PREPRODUCTION\"</formula1>"), "Environment's dropdown");
    assert!(xml.contains("<formula1>Lists!$A$1:$A$27</formula1>"), "IndustryType's dropdown");
    for values in
        ["ENABLED,DISABLED", "WORKLOAD_METADATA,APP_REGISTRY", "ENABLED,DISABLED,INHERIT", "AUTO,MANUAL"]
    {
        assert!(xml.contains(&format!("<formula1>\"{values}\"</formula1>")), "{values}");
    }
    assert_eq!(xml.matches("promptTitle=").count(), headers.len(), "a rule on every header");
    assert!(xml.contains("prompt=\"Required. 3 to 100 characters.\""), "WorkloadName's rule");
    assert!(xml.contains("<autoFilter ") && xml.contains("state=\"frozen\""));
    assert!(part(&out, "xl/styles.xml").contains("formatCode=\"@\""), "the text format");

    // Filled with valid rows, it validates clean.
    let ran =
        wa_bulk(&["validate", out.to_str().unwrap(), "--report", fixture.path("r.csv").to_str().unwrap()]);
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.starts_with("3 rows: 3 valid, 0 invalid"), "{}", ran.stdout);

    let ran = wa_bulk(&["template", out.to_str().unwrap()]);
    assert_eq!(ran.code, 2, "an existing file is replaced only with --force");
}

#[test]
fn the_sample_template_is_what_the_command_writes() {
    let fixture = Fixture::new();
    let out = fixture.path("template.xlsx");
    assert_eq!(wa_bulk(&["template", out.to_str().unwrap()]).code, 0);
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/template.xlsx");
    for name in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml"] {
        assert_eq!(part(&sample, name), part(&out, name), "{name}: regenerate samples/template.xlsx");
    }
}
