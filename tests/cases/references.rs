//! What rows name (lenses, profiles, review templates) is checked where
//! they go before anything is sent, and the emulator refuses what does not
//! exist as AWS does: ResourceNotFoundException, with the real SDK.

use aws_sdk_wellarchitected::Client;
use aws_sdk_wellarchitected::error::ProvideErrorMetadata;
use aws_sdk_wellarchitected::types::{LensStatusType, LensType, WorkloadEnvironment};
use wa_bulk::emulator::{EXAMPLE_PROFILE, Emulator, EmulatorConfig, lens};
use wa_bulk::report::Status::{Created, Invalid};

use super::import::{count, import, run, text};
use super::support::{Fixture, assert_contains, read_jsonl};

const HEADER: &str = "Name,Description,Environment,Regions,Owner,Lenses,ProfileArns,ReviewTemplateArns";
const MISSING_PROFILE: &str =
    "arn:aws:wellarchitected:us-east-1:123456789012:profile/ffffffffffffffffffffffffffffffff";
const MISSING_TEMPLATE: &str =
    "arn:aws:wellarchitected:us-east-1:123456789012:review-template/ffffffffffffffffffffffffffffffff";

/// A good row, rows naming a lens, a profile and a review template that do
/// not exist, and a row naming the example profile that does.
fn sheet(fixture: &Fixture) -> std::path::PathBuf {
    let row = |name: &str, lenses: &str, profile: &str, template: &str| {
        format!("{name},A workload,Production,us-east-1,o@example.com,\"{lenses}\",{profile},{template}\n")
    };
    let text = [
        HEADER.to_owned() + "\n",
        row("good", "wellarchitected", "", ""),
        row("typos", "wellarchitectd, serverles", "", ""),
        row("no profile", "wellarchitected", MISSING_PROFILE, ""),
        row("no template", "wellarchitected", "", MISSING_TEMPLATE),
        row("profiled", "wellarchitected", EXAMPLE_PROFILE, ""),
    ]
    .concat();
    fixture.write("references.csv", text)
}

#[test]
fn validate_warns_of_a_lens_that_is_no_official_alias_nor_an_arn() {
    let fixture = Fixture::new();
    let file = sheet(&fixture);
    let ran = fixture.validate(&file, &[]);
    assert_eq!(ran.code, 0, "a warning keeps the row valid: {}", ran.stderr);
    assert_contains(
        &ran.stderr,
        "row 3, column \"Lenses\" (Lenses): warning: \"wellarchitectd\", \"serverles\" are neither AWS official",
    );
    assert_contains(&ran.stderr, "did you mean \"wellarchitected\" for \"wellarchitectd\"?");
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_and_import_refuse_rows_naming_what_is_not_there_and_send_none_of_them() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let fixture = Fixture::new();
    let file = sheet(&fixture);

    let planned = run(&mut super::import::sending("plan", &file, Some(&emulator.endpoint_url()), &[])).await;
    assert_eq!(planned.status.code(), Some(1), "{}", text(&planned));
    let stdout = String::from_utf8_lossy(&planned.stdout);
    assert_contains(&stdout, "x invalid   row 3 \"typos\": 2 problems, the first: row 3, column \"Lenses\"");
    assert_contains(&text(&planned), "\"wellarchitectd\" is not a lens in");
    assert_contains(&text(&planned), "did you mean \"wellarchitected\"?");
    assert_contains(&text(&planned), "did you mean \"serverless\"?");
    assert_contains(&stdout, "x invalid   row 4 \"no profile\"");
    assert_contains(&stdout, "x invalid   row 5 \"no template\"");
    assert_contains(&stdout, "+ create    row 2 \"good\"");
    assert_contains(&stdout, "+ create    row 6 \"profiled\"");
    assert_eq!(emulator.stats().writes, 0);

    let report = fixture.path("report.jsonl");
    let output = run(&mut import(&file, &emulator, &["--report", report.to_str().unwrap()])).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let records = read_jsonl(&report);
    assert_eq!((count(&records, Created), count(&records, Invalid)), (2, 3));
    for record in records.iter().filter(|record| record.status == Invalid) {
        assert_eq!(record.error_code.as_deref(), Some("UnknownReference"), "{record:?}");
        assert_eq!(record.attempts, 0);
    }
    assert_contains(&records[2].message, "column \"ProfileArns\" (ProfileArns)");
    assert_contains(&records[3].message, "is not a review template in");
    assert_eq!(emulator.stats().writes, 2, "only the two good rows were sent");
    let mut names: Vec<String> = emulator.workloads().iter().map(|w| w.request.name().to_owned()).collect();
    names.sort();
    assert_eq!(names, ["good", "profiled"]);
}

/// A custom lens of the client's account, imported and, if asked, published.
async fn custom_lens(client: &Client, publish: bool) -> String {
    let content = lens::official_content("iot").unwrap();
    let json = serde_json::to_string(&lens::LensContent { name: "House rules".into(), ..content }).unwrap();
    let token = format!("t-{publish}");
    let imported = client.import_lens().json_string(json).client_request_token(&token).send().await.unwrap();
    let arn = imported.lens_arn().unwrap().to_owned();
    if publish {
        let version = client.create_lens_version().lens_alias(&arn).lens_version("1.0");
        version.client_request_token(format!("v-{token}")).send().await.unwrap();
    }
    arn
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custom_lens_is_a_reference_once_published() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    let (draft, published) = (custom_lens(&client, false).await, custom_lens(&client, true).await);
    let fixture = Fixture::new();
    let text_of = format!(
        "{HEADER}\ndrafted,A workload,Production,us-east-1,o@example.com,\"wellarchitected; {draft}\",,\n\
         published,A workload,Production,us-east-1,o@example.com,\"wellarchitected; {published}\",,\n"
    );
    let file = fixture.write("custom.csv", text_of);
    let report = fixture.path("custom.jsonl");
    let output = run(&mut import(&file, &emulator, &["--report", report.to_str().unwrap()])).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let records = read_jsonl(&report);
    assert_eq!((records[0].status, records[1].status), (Invalid, Created));
    assert_contains(&records[0].message, "has no published version");
}

async fn create(client: &Client, name: &str, lens: &str, profile: Option<&str>) -> Result<(), String> {
    client
        .create_workload()
        .workload_name(name)
        .description("A workload")
        .environment(WorkloadEnvironment::Production)
        .aws_regions("us-east-1")
        .review_owner("o@example.com")
        .lenses(lens)
        .set_profile_arns(profile.map(|arn| vec![arn.to_owned()]))
        .client_request_token(name)
        .send()
        .await
        .map(drop)
        .map_err(|error| error.code().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn the_emulator_refuses_references_that_do_not_exist_and_lists_lenses_by_type_status_and_name() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = emulator.client();
    assert_eq!(create(&client, "typo", "serverles", None).await, Err("ResourceNotFoundException".into()));
    assert_eq!(
        create(&client, "no profile", "wellarchitected", Some(MISSING_PROFILE)).await,
        Err("ResourceNotFoundException".into())
    );
    assert_eq!(create(&client, "fine", "wellarchitected", Some(EXAMPLE_PROFILE)).await, Ok(()));
    let id = client.list_workloads().send().await.unwrap().workload_summaries()[0]
        .workload_id()
        .unwrap()
        .to_owned();
    let associated = client.associate_lenses().workload_id(&id).lens_aliases("not-a-real-lens").send().await;
    assert_eq!(associated.unwrap_err().code(), Some("ResourceNotFoundException"));
    let profiled = client.associate_profiles().workload_id(&id).profile_arns(MISSING_PROFILE).send().await;
    assert_eq!(profiled.unwrap_err().code(), Some("ResourceNotFoundException"));
    let shared = client.create_workload_share().workload_id(&id).shared_with("someone@example.com");
    let shared = shared.permission_type("READONLY".into()).client_request_token("s").send().await;
    assert_eq!(shared.unwrap_err().code(), Some("ValidationException"), "an e-mail address is no principal");

    let draft = custom_lens(&client, false).await;
    let lenses = |kind: Option<LensType>, status: Option<LensStatusType>, name: Option<&str>| {
        let list = client
            .list_lenses()
            .set_lens_type(kind)
            .set_lens_status(status)
            .set_lens_name(name.map(Into::into));
        async move {
            let listed = list.send().await.unwrap();
            listed
                .lens_summaries()
                .iter()
                .map(|lens| lens.lens_alias().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(lenses(Some(LensType::CustomSelf), None, None).await, std::slice::from_ref(&draft));
    assert_eq!(lenses(None, Some(LensStatusType::Draft), None).await, std::slice::from_ref(&draft));
    assert!(!lenses(None, Some(LensStatusType::Published), None).await.contains(&draft));
    assert_eq!(lenses(Some(LensType::AwsOfficial), None, Some("serverless")).await, ["serverless"]);
    let refused = client.list_lenses().lens_type("EVERY".into()).send().await;
    assert_eq!(refused.unwrap_err().code(), Some("ValidationException"));
}
