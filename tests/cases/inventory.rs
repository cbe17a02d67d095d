//! `export` over an organisation, against the emulator as one (AWS
//! Organizations' ListAccounts, ListAccountsForParent and
//! ListOrganizationalUnitsForParent through the real SDK, roles assumed
//! through STS): `--regions`, `--accounts` (IDs and a file),
//! `--organization` and `--ou`; suspended accounts left out, a denied
//! account told while the others are written; the round trip to the same
//! places with no write; the risk columns and the Risks sheet, left out
//! when the sheet is imported again.

use std::collections::BTreeSet;
use std::path::Path;

use calamine::{Reader, Xlsx, open_workbook};
use wa_bulk::emulator::organizations::{Member, Organization, ROOT, Unit};
use wa_bulk::emulator::{Emulator, EmulatorConfig, Tenant, TestKey};

use super::import::{run, sending_words, text};
use super::support::{Fixture, assert_contains};

/// The management account, whose key the runs sign with.
const MANAGEMENT: &str = "999999999999";
/// In the OU prod.
const PROD: &str = "111111111111";
/// In the OU team, below prod.
const TEAM: &str = "222222222222";
/// In the OU sandbox; its role cannot be assumed.
const SANDBOX: &str = "333333333333";
/// In the root, suspended.
const SUSPENDED: &str = "444444444444";
const PROD_OU: &str = "ou-wa00-prod0001";
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

fn organisation() -> EmulatorConfig {
    let member =
        |id: &str, parent: &str, suspended| Member { id: id.into(), parent: parent.into(), suspended };
    let unit =
        |id: &str, name: &str, parent: &str| Unit { id: id.into(), name: name.into(), parent: parent.into() };
    EmulatorConfig {
        keys: vec![TestKey::new("AKIDIMPORT", "import-secret", MANAGEMENT)],
        denied_accounts: vec![SANDBOX.into()],
        organization: Some(Organization {
            management: MANAGEMENT.into(),
            units: vec![
                unit(PROD_OU, "prod", ROOT),
                unit("ou-wa00-team0001", "team", PROD_OU),
                unit("ou-wa00-sand0001", "sandbox", ROOT),
            ],
            accounts: vec![
                member(MANAGEMENT, ROOT, false),
                member(PROD, PROD_OU, false),
                member(TEAM, "ou-wa00-team0001", false),
                member(SANDBOX, "ou-wa00-sand0001", false),
                member(SUSPENDED, ROOT, true),
            ],
        }),
        ..EmulatorConfig::default()
    }
}

/// Two workloads in each account and Region of `accounts`, each named for its place.
async fn estate(accounts: &[&str]) -> Emulator {
    let emulator = Emulator::start(organisation()).await.unwrap();
    for account in accounts {
        for region in REGIONS {
            for index in 0..2 {
                let request = serde_json::from_value(serde_json::json!({
                    "WorkloadName": format!("svc-{index} {account} {region}"),
                    "Description": "A workload of the organisation", "Environment": "PRODUCTION",
                    "AwsRegions": ["us-east-1"], "ReviewOwner": "owner@example.com", "Lenses": ["wellarchitected"],
                    "ClientRequestToken": format!("t-{account}-{region}-{index}"),
                }))
                .unwrap();
                let tenant = Tenant { account: (*account).into(), region: region.into() };
                emulator.preload_in(&tenant, request).unwrap();
            }
        }
    }
    emulator
}

fn export(out: &Path, emulator: &Emulator, args: &[&str]) -> std::process::Command {
    let words = ["export", out.to_str().unwrap(), "--role-name", "wa-bulk", "--output", "json"];
    sending_words(&words, Some(&emulator.endpoint_url()), args)
}

/// (Target account, Target Region, name) of every row of a CSV export.
fn places(out: &Path) -> BTreeSet<(String, String, String)> {
    let mut reader = csv::Reader::from_path(out).unwrap();
    let headers = reader.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|header| header == name).unwrap();
    let (account, region, name) = (at("Target account"), at("Target Region"), at("Workload Name"));
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            (record[account].to_owned(), record[region].to_owned(), record[name].to_owned())
        })
        .collect()
}

fn expected(accounts: &[&str]) -> BTreeSet<(String, String, String)> {
    let mut places = BTreeSet::new();
    for account in accounts {
        for region in REGIONS {
            for index in 0..2 {
                places.insert((
                    account.to_string(),
                    region.to_owned(),
                    format!("svc-{index} {account} {region}"),
                ));
            }
        }
    }
    places
}

#[tokio::test(flavor = "multi_thread")]
async fn the_organisation_is_exported_but_its_suspended_account_and_a_denied_one_is_told() {
    let emulator = estate(&[MANAGEMENT, PROD, TEAM, SANDBOX, SUSPENDED]).await;
    let fixture = Fixture::new();
    let out = fixture.path("org.csv");
    let regions = REGIONS.join(",");
    let output = run(&mut export(&out, &emulator, &["--organization", "--regions", &regions])).await;
    assert_eq!(output.status.code(), Some(3), "the sandbox role is denied: {}", text(&output));
    assert_eq!(places(&out), expected(&[MANAGEMENT, PROD, TEAM]), "the others are written");
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let lanes = summary["lanes"].as_array().unwrap();
    assert_eq!(lanes.len(), 8, "four active accounts in two Regions: {summary}");
    let stopped: Vec<&serde_json::Value> = lanes.iter().filter(|lane| !lane["stopped"].is_null()).collect();
    assert_eq!(stopped.len(), 2, "{summary}");
    assert!(stopped.iter().all(|lane| lane["account"] == SANDBOX), "{summary}");
    assert_contains(&text(&output), SANDBOX);

    // An OU and the OUs below it, and nothing else.
    let out = fixture.path("prod.csv");
    let output =
        run(&mut export(&out, &emulator, &["--organization", "--ou", PROD_OU, "--regions", &regions])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(places(&out), expected(&[PROD, TEAM]));
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_over_accounts_and_regions_imports_back_to_the_same_places_with_no_write() {
    let emulator = estate(&[MANAGEMENT, PROD, TEAM]).await;
    let fixture = Fixture::new();
    let accounts = fixture.write("accounts.txt", format!("# the prod OU\n{PROD}\n{TEAM} # team\n"));
    let out = fixture.path("estate.csv");
    let given = format!("{MANAGEMENT},{}", accounts.display());
    let output =
        run(&mut export(&out, &emulator, &["--accounts", &given, "--regions", &REGIONS.join(",")])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(places(&out), expected(&[MANAGEMENT, PROD, TEAM]));

    let writes = emulator.stats().writes;
    let words = ["import", out.to_str().unwrap(), "--on-existing", "update", "--role-name", "wa-bulk"];
    let output = run(&mut sending_words(&words, Some(&emulator.endpoint_url()), &[])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        !text(&output).contains("unknown column"),
        "the read-only columns are left out: {}",
        text(&output)
    );
    assert_eq!(emulator.stats().writes, writes, "the round trip writes nothing: {}", text(&output));
    assert_contains(&String::from_utf8_lossy(&output.stdout), "12 unchanged");

    // --regions alone: the credentials' own account, in each Region.
    let out = fixture.path("regions.csv");
    let output = run(&mut export(&out, &emulator, &["--regions", &REGIONS.join(",")])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let own: BTreeSet<(String, String, String)> =
        expected(&[MANAGEMENT]).into_iter().map(|(_, region, name)| (String::new(), region, name)).collect();
    assert_eq!(places(&out), own, "the own account's cells stay empty, as import reads them");
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_management_account_lists_the_organisation() {
    let mut config = organisation();
    config.organization.as_mut().unwrap().management = PROD.into();
    let emulator = Emulator::start(config).await.unwrap();
    let fixture = Fixture::new();
    let out = fixture.path("org.csv");
    let output = run(&mut export(&out, &emulator, &["--organization"])).await;
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert_contains(&text(&output), "AWS Organizations ListAccounts: AccessDeniedException");
    assert!(!out.exists(), "nothing written");
    emulator.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn risks_are_columns_and_a_sheet_that_import_leaves_out() {
    let emulator = estate(&[MANAGEMENT]).await;
    let client = emulator.client_as(
        aws_sdk_wellarchitected::config::Credentials::new("AKIDIMPORT", "import-secret", None, None, "t"),
        "us-east-1",
    );
    let client = client.await;
    let listed = client.list_workloads().send().await.unwrap();
    let risky = listed
        .workload_summaries()
        .iter()
        .find(|w| w.workload_name() == Some("svc-1 999999999999 us-east-1"));
    let id = risky.unwrap().workload_id().unwrap().to_owned();
    // "None of these" on three questions: three high risks (the emulator's risk rules).
    for question in ["ops_1", "sec_1", "rel_1"] {
        let update =
            client.update_answer().workload_id(&id).lens_alias("wellarchitected").question_id(question);
        update.selected_choices(format!("{question}_no")).send().await.unwrap();
    }
    let held = client.get_workload().workload_id(&id).send().await.unwrap().workload.unwrap();
    let high = held.risk_counts().unwrap()[&aws_sdk_wellarchitected::types::Risk::High];
    assert!(high >= 1, "the rules give high risks: {high}");

    let fixture = Fixture::new();
    let out = fixture.path("risks.xlsx");
    let output = run(&mut export(&out, &emulator, &["--regions", "us-east-1", "--pillar-risks"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let workloads = book.worksheet_range("Workloads").unwrap();
    let rows: Vec<Vec<String>> =
        workloads.rows().map(|row| row.iter().map(ToString::to_string).collect()).collect();
    let at = |name: &str| {
        rows[0].iter().position(|header| header == name).unwrap_or_else(|| panic!("{name}: {:?}", rows[0]))
    };
    let row = rows.iter().find(|row| row[at("Workload Name")] == "svc-1 999999999999 us-east-1").unwrap();
    assert_eq!(row[at("High risks")], high.to_string());
    assert_contains(&row[at("Risks by lens")], &format!("wellarchitected: {high} high"));
    assert_contains(&row[at("Risks by pillar")], "wellarchitected operationalExcellence: ");
    assert!(!row[at("Updated at")].is_empty() && !row[at("Improvement status")].is_empty(), "{row:?}");
    let risks = book.worksheet_range("Risks").unwrap();
    let risks: Vec<Vec<String>> =
        risks.rows().map(|row| row.iter().map(ToString::to_string).collect()).collect();
    assert_eq!(risks[0][0], "High and medium risks by account and Region");
    assert_eq!(
        (risks[2][0].as_str(), risks[2][2].as_str()),
        ("(own account) us-east-1", high.to_string().as_str())
    );
    let ranked = risks.iter().position(|row| row[0] == "Workloads, the most high risks first").unwrap();
    assert_eq!(risks[ranked + 2][0], "svc-1 999999999999 us-east-1", "the riskiest first");
    let charts = zip_names(&out).into_iter().filter(|name| name.starts_with("xl/charts/chart")).count();
    assert_eq!(charts, 2, "a chart by place and one by pillar");

    let writes = emulator.stats().writes;
    let words = ["import", out.to_str().unwrap(), "--on-existing", "update", "--strict"];
    let output = run(&mut sending_words(&words, Some(&emulator.endpoint_url()), &[])).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "--strict refuses unknown columns, not these: {}",
        text(&output)
    );
    assert_eq!(emulator.stats().writes, writes, "{}", text(&output));
    emulator.stop().await.unwrap();
}

fn zip_names(path: &Path) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    archive.file_names().map(|name| name.unwrap().into_owned()).collect()
}
