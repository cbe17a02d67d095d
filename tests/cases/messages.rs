//! What wa-bulk says, said right: item numbers, the JSON summary's parts,
//! the options each command takes, files that are not sheets, and every
//! problem on stderr when asked for.

use wa_bulk::emulator::{Emulator, EmulatorConfig};

use super::import::{import, run, sending, text};
use super::support::{Fixture, HEADER, assert_contains, good_row, wa_bulk};

#[test]
fn list_items_keep_their_numbers_when_one_has_lost_its_digits() {
    let fixture = Fixture::new();
    let row = "accounts,A workload,Production,\"1.23457E+11, 12345678901, 1234\",us-east-1,o@example.com,wellarchitected";
    let file = fixture.write("accounts.csv", format!("{HEADER}\n{row}\n"));
    let ran = fixture.validate(&file, &[]);
    assert_contains(&ran.stderr, "item 1 \"1.23457E+11\" is a number in scientific notation");
    assert_contains(&ran.stderr, "item 2 \"12345678901\" is too short");
    assert_contains(&ran.stderr, "item 3 \"1234\" is too short");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_json_summary_tells_lanes_only_where_rows_name_where_they_go() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = fixture.write("rows.csv", format!("{HEADER}\n{}\n", good_row("one")));
    let output = run(&mut import(&file, &emulator, &["--output", "json"])).await;
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(summary.get("lanes").is_none(), "{summary}");
    let output =
        run(&mut import(&file, &emulator, &["--output", "json", "--force", "--regions", "eu-west-1"])).await;
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["lanes"][0]["region"], "eu-west-1", "{summary}");
}

#[test]
fn the_template_s_json_summary_names_what_it_wrote() {
    let fixture = Fixture::new();
    let out = fixture.path("template.xlsx");
    let ran = wa_bulk(&["template", out.to_str().unwrap(), "--output", "json"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let summary: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(summary["output"], out.to_str().unwrap());
    for absent in ["input", "rows", "counts", "report"] {
        assert!(summary.get(absent).is_none(), "{absent}: {summary}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn export_takes_no_import_policy_and_writes_tsv() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = fixture.write("rows.csv", format!("{HEADER}\n{}\n", good_row("one")));
    assert_eq!(run(&mut import(&file, &emulator, &[])).await.status.code(), Some(0));
    let out = fixture.path("export.tsv");
    for option in ["--on-existing", "--prune-lenses", "--prune-shares"] {
        let args: &[&str] = if option == "--on-existing" { &[option, "update"] } else { &[option] };
        let refused = run(&mut sending("export", &out, Some(&emulator.endpoint_url()), args)).await;
        assert_eq!(refused.status.code(), Some(2), "{option}: {}", text(&refused));
        assert_contains(&text(&refused), "unexpected argument");
    }
    let output = run(&mut sending("export", &out, Some(&emulator.endpoint_url()), &[])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let exported = std::fs::read_to_string(&out).unwrap();
    assert!(exported.lines().next().unwrap().starts_with("Workload Name\tDescription\t"), "{exported}");
    let imported = run(&mut import(&out, &emulator, &["--on-existing", "update"])).await;
    assert_eq!(imported.status.code(), Some(0), "the TSV reads back: {}", text(&imported));
}

#[test]
fn a_folder_or_a_document_is_refused_saying_what_to_do() {
    let fixture = Fixture::new();
    let folder = fixture.path("sheets");
    std::fs::create_dir(&folder).unwrap();
    let ran = wa_bulk(&["validate", folder.to_str().unwrap()]);
    assert_eq!(ran.code, 2);
    assert_contains(&ran.stderr, "is a folder: give the spreadsheet file in it");
    for (name, hint) in
        [("budget.numbers", "File > Export To"), ("budget.pdf", "save the sheet itself as .xlsx or .csv")]
    {
        let file = fixture.write(name, "not a sheet");
        let ran = wa_bulk(&["validate", file.to_str().unwrap()]);
        assert_eq!(ran.code, 2, "{name}");
        assert_contains(&ran.stderr, hint);
    }
}

#[test]
fn every_problem_is_told_when_asked_for() {
    let fixture = Fixture::new();
    let rows: String = (0..30)
        .map(|index| format!("bad{index:02},x,Nowhere,1,us-east-1,o@example.com,wellarchitected\n"))
        .collect();
    let file = fixture.write("bad.csv", format!("{HEADER}\n{rows}"));
    let json = |args: &[&str]| {
        let ran = fixture.validate(&file, &[&["--log-format", "json"], args].concat());
        let lines: Vec<serde_json::Value> =
            ran.stderr.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
        (lines.iter().filter(|line| line["kind"] == "problem").count(), lines)
    };
    let (told, lines) = json(&[]);
    assert_eq!(told, 20);
    assert!(lines.iter().any(|line| line["kind"] == "more_problems"));
    let (told, lines) = json(&["--show-problems", "all"]);
    assert_eq!(told, 90, "three problems a row");
    assert!(!lines.iter().any(|line| line["kind"] == "more_problems"));
}

#[test]
fn completions_and_man_pages_are_generated_from_the_command_line() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let ran = wa_bulk(&["completions", shell]);
        assert_eq!(ran.code, 0, "{shell}: {}", ran.stderr);
        assert!(ran.stdout.contains("wa-bulk") && ran.stdout.contains("--on-existing"), "{shell}");
    }
    let page = wa_bulk(&["man"]);
    assert_eq!(page.code, 0);
    assert!(page.stdout.starts_with(".ie") && page.stdout.contains(".SH SUBCOMMANDS"), "{}", page.stdout);
    let import = wa_bulk(&["man", "import"]);
    assert!(import.stdout.contains(".TH wa-bulk-import 1") && import.stdout.contains("\\-\\-resume"));
    let unknown = wa_bulk(&["man", "nope"]);
    assert_eq!(unknown.code, 2);
    assert_contains(&unknown.stderr, "the commands are validate, import");
}
