//! The emulator driven by the real `aws-sdk-wellarchitected` client (SigV4,
//! rest-json, typed errors), with SDK retries off so every answer is seen.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use aws_sdk_wellarchitected::Client;
use aws_sdk_wellarchitected::error::SdkError;
use aws_sdk_wellarchitected::operation::create_workload::{CreateWorkloadError, CreateWorkloadOutput};
use aws_sdk_wellarchitected::operation::get_workload::GetWorkloadError;
use aws_sdk_wellarchitected::operation::list_lenses::ListLensesError;
use aws_sdk_wellarchitected::operation::list_workloads::ListWorkloadsError;
use aws_sdk_wellarchitected::operation::update_workload::UpdateWorkloadError;
use aws_sdk_wellarchitected::types::{
    ValidationExceptionReason, WorkloadDiscoveryConfig, WorkloadEnvironment, WorkloadJiraConfigurationInput,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wa_bulk::emulator::{Emulator, EmulatorConfig, local_client};

async fn emulator(config: EmulatorConfig) -> (Emulator, Client) {
    let emulator = Emulator::start(config).await.unwrap();
    let client = emulator.client();
    (emulator, client)
}

async fn create(
    client: &Client,
    name: &str,
    token: &str,
) -> Result<CreateWorkloadOutput, SdkError<CreateWorkloadError>> {
    client
        .create_workload()
        .workload_name(name)
        .description("A workload for the tests")
        .environment(WorkloadEnvironment::Production)
        .review_owner("owner@example.com")
        .lenses("wellarchitected")
        .aws_regions("us-east-1")
        .client_request_token(token)
        .send()
        .await
}

fn create_error(result: Result<CreateWorkloadOutput, SdkError<CreateWorkloadError>>) -> CreateWorkloadError {
    result.expect_err("the emulator refuses this").into_service_error()
}

#[tokio::test]
async fn workloads_are_created_read_listed_updated_tagged_and_deleted() {
    let (emulator, client) = emulator(EmulatorConfig::default()).await;
    let created = client
        .create_workload()
        .workload_name("Checkout API")
        .description("Card and wallet payments")
        .environment(WorkloadEnvironment::Preproduction)
        .review_owner("payments@example.com")
        .lenses("wellarchitected")
        .lenses("serverless")
        .aws_regions("us-east-1")
        .account_ids("111122223333")
        .pillar_priorities("security")
        .tags("team", "payments")
        .discovery_config(
            WorkloadDiscoveryConfig::builder().trusted_advisor_integration_status("ENABLED".into()).build(),
        )
        .jira_configuration(WorkloadJiraConfigurationInput::builder().jira_project_key("PAY").build())
        .client_request_token("token-1")
        .send()
        .await
        .unwrap();
    let id = created.workload_id().unwrap().to_owned();
    let arn = created.workload_arn().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{id}");
    assert_eq!(arn, format!("arn:aws:wellarchitected:us-east-1:123456789012:workload/{id}"));

    let workload = client.get_workload().workload_id(&id).send().await.unwrap().workload.unwrap();
    assert_eq!(workload.workload_name(), Some("Checkout API"));
    assert_eq!(workload.environment(), Some(&WorkloadEnvironment::Preproduction));
    assert_eq!(workload.lenses(), ["wellarchitected", "serverless"]);
    assert_eq!(workload.owner(), Some("123456789012"));
    assert!(workload.updated_at().is_some());
    assert_eq!(workload.tags().unwrap()["team"], "payments");
    assert_eq!(workload.jira_configuration().unwrap().jira_project_key(), Some("PAY"));

    let summaries = client.list_workloads().send().await.unwrap();
    assert_eq!(summaries.workload_summaries().len(), 1);
    assert_eq!(summaries.workload_summaries()[0].workload_id(), Some(id.as_str()));

    let updated = client
        .update_workload()
        .workload_id(&id)
        .description("Payments, now with wallets")
        .send()
        .await
        .unwrap()
        .workload
        .unwrap();
    assert_eq!(updated.description(), Some("Payments, now with wallets"));
    assert_eq!(updated.workload_name(), Some("Checkout API"), "members not given stay");

    client.tag_resource().workload_arn(&arn).tags("env", "staging").send().await.unwrap();
    let tags = client.list_tags_for_resource().workload_arn(&arn).send().await.unwrap();
    let tags = tags.tags().unwrap();
    assert_eq!((tags["team"].as_str(), tags["env"].as_str()), ("payments", "staging"));

    client.delete_workload().workload_id(&id).client_request_token("delete-1").send().await.unwrap();
    assert!(emulator.workloads().is_empty());
    let gone = client.get_workload().workload_id(&id).send().await.unwrap_err().into_service_error();
    match gone {
        GetWorkloadError::ResourceNotFoundException(error) => {
            assert_eq!(error.resource_id(), Some(id.as_str()));
            assert_eq!(error.resource_type(), Some("WORKLOAD"));
        }
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }
}

#[tokio::test]
async fn every_create_rule_is_enforced_with_the_fields_named() {
    let (emulator, client) = emulator(EmulatorConfig::default()).await;
    let refused = client
        .create_workload()
        .workload_name("ab")
        .description("A workload for the tests")
        .environment(WorkloadEnvironment::Production)
        .lenses("wellarchitected")
        .aws_regions("US East")
        .client_request_token("token-1")
        .send()
        .await;
    match create_error(refused) {
        CreateWorkloadError::ValidationException(error) => {
            assert_eq!(error.reason(), Some(&ValidationExceptionReason::FieldValidationFailed));
            let mut names: Vec<&str> = error.fields().iter().filter_map(|field| field.name()).collect();
            names.sort();
            assert_eq!(names, ["AwsRegions", "ReviewOwner", "WorkloadName"], "{error:?}");
            assert!(error.message().unwrap().contains("3 validation errors detected"), "{error:?}");
        }
        other => panic!("expected ValidationException, got {other:?}"),
    }
    assert!(emulator.workloads().is_empty());
}

#[tokio::test]
async fn the_same_token_and_request_replays_the_first_answer() {
    let (emulator, client) = emulator(EmulatorConfig::default()).await;
    let first = create(&client, "Ledger", "token-1").await.unwrap();
    let again = create(&client, "Ledger", "token-1").await.unwrap();
    assert_eq!(first.workload_id(), again.workload_id());
    assert_eq!(emulator.workloads().len(), 1);
    match create_error(create(&client, "Ledger two", "token-1").await) {
        CreateWorkloadError::ValidationException(error) => {
            assert_eq!(error.fields()[0].name(), Some("ClientRequestToken"));
            assert!(error.fields()[0].message().unwrap().contains("different parameters"));
        }
        other => panic!("expected ValidationException, got {other:?}"),
    }
    assert_eq!(emulator.workloads().len(), 1);
}

#[tokio::test]
async fn names_clash_ignoring_whitespace_and_case() {
    let (emulator, client) = emulator(EmulatorConfig::default()).await;
    let first = create(&client, "My Shop", "token-1").await.unwrap();
    match create_error(create(&client, " myshop", "token-2").await) {
        CreateWorkloadError::ConflictException(error) => {
            assert_eq!(error.resource_id(), first.workload_id());
            assert_eq!(error.resource_type(), Some("WORKLOAD"));
        }
        other => panic!("expected ConflictException, got {other:?}"),
    }
    create(&client, "My-Shop", "token-3").await.expect("a dash makes another name");
    assert_eq!(emulator.workloads().len(), 2);
}

#[tokio::test]
async fn updates_keep_names_unique_and_rules_checked() {
    let (emulator, client) = emulator(EmulatorConfig::default()).await;
    create(&client, "Orders", "token-1").await.unwrap();
    let second = create(&client, "Invoices", "token-2").await.unwrap();
    let id = second.workload_id().unwrap();
    let clash = client.update_workload().workload_id(id).workload_name("ORDERS ").send().await;
    assert!(matches!(clash.unwrap_err().into_service_error(), UpdateWorkloadError::ConflictException(_)));
    let invalid = client.update_workload().workload_id(id).review_owner("me").send().await;
    match invalid.unwrap_err().into_service_error() {
        UpdateWorkloadError::ValidationException(error) => {
            assert_eq!(error.fields()[0].name(), Some("ReviewOwner"));
        }
        other => panic!("expected ValidationException, got {other:?}"),
    }
    client.update_workload().workload_id(id).workload_name("Invoices 2026").send().await.unwrap();
    create(&client, "Invoices", "token-3").await.expect("the old name is free again");
    let names: Vec<String> = emulator.workloads().iter().map(|w| w.request.name().to_owned()).collect();
    assert_eq!(names, ["Orders", "Invoices 2026", "Invoices"]);
}

#[tokio::test]
async fn the_quota_refuses_the_workload_beyond_it() {
    let (emulator, client) = emulator(EmulatorConfig { quota: 2, ..EmulatorConfig::default() }).await;
    create(&client, "one", "token-1").await.unwrap();
    create(&client, "two", "token-2").await.unwrap();
    match create_error(create(&client, "three", "token-3").await) {
        CreateWorkloadError::ServiceQuotaExceededException(error) => {
            assert_eq!(error.service_code(), Some("wellarchitected"));
            assert!(error.quota_code().is_some_and(|code| !code.is_empty()));
        }
        other => panic!("expected ServiceQuotaExceededException, got {other:?}"),
    }
    assert_eq!(emulator.workloads().len(), 2);
}

#[tokio::test]
async fn the_token_bucket_throttles_after_the_burst() {
    let config = EmulatorConfig { rate: 1, burst: NonZeroU32::new(3), ..EmulatorConfig::default() };
    let (emulator, client) = emulator(config).await;
    for _ in 0..3 {
        client.list_lenses().send().await.expect("within the burst");
    }
    let throttled = client.list_lenses().send().await.unwrap_err().into_service_error();
    assert!(matches!(throttled, ListLensesError::ThrottlingException(_)), "{throttled:?}");
    assert_eq!(emulator.stats().throttled, 1);
}

/// Which of 30 requests an emulator with this seed fails.
async fn fault_pattern(seed: u64) -> Vec<bool> {
    let config = EmulatorConfig { fail_rate: 0.5, seed: Some(seed), ..EmulatorConfig::default() };
    let (emulator, client) = emulator(config).await;
    let mut failed = Vec::new();
    for _ in 0..30 {
        match client.list_lenses().send().await {
            Ok(_) => failed.push(false),
            Err(error) => {
                let error = error.into_service_error();
                assert!(matches!(error, ListLensesError::InternalServerException(_)), "{error:?}");
                failed.push(true);
            }
        }
    }
    assert_eq!(emulator.stats().faults, failed.iter().filter(|f| **f).count() as u64);
    failed
}

#[tokio::test]
async fn injected_faults_repeat_with_the_seed() {
    let first = fault_pattern(7).await;
    assert!(first.contains(&true) && first.contains(&false), "{first:?}");
    assert_eq!(fault_pattern(7).await, first);
    assert_ne!(fault_pattern(8).await, first);
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let config = EmulatorConfig { latency: Duration::from_millis(60), ..EmulatorConfig::default() };
    let (_emulator, client) = emulator(config).await;
    let started = Instant::now();
    client.list_lenses().send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(60));
}

#[tokio::test]
async fn list_workloads_pages_and_filters_by_prefix() {
    let (_emulator, client) = emulator(EmulatorConfig::default()).await;
    for index in 0..7 {
        create(&client, &format!("shop-{index}"), &format!("token-{index}")).await.unwrap();
    }
    create(&client, "Ledger", "token-ledger").await.unwrap();
    let mut names = Vec::new();
    let mut pages = Vec::new();
    let mut next = None;
    loop {
        let page = client
            .list_workloads()
            .workload_name_prefix("SHOP")
            .max_results(3)
            .set_next_token(next)
            .send()
            .await
            .unwrap();
        pages.push(page.workload_summaries().len());
        names.extend(page.workload_summaries().iter().map(|s| s.workload_name().unwrap().to_owned()));
        next = page.next_token().map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    assert_eq!(pages, [3, 3, 1]);
    assert_eq!(names, (0..7).map(|i| format!("shop-{i}")).collect::<Vec<_>>());
    for size in [0, 51] {
        let refused =
            client.list_workloads().max_results(size).send().await.unwrap_err().into_service_error();
        assert!(matches!(refused, ListWorkloadsError::ValidationException(_)), "{size}: {refused:?}");
    }
}

#[tokio::test]
async fn list_lenses_pages_too() {
    let (_emulator, client) = emulator(EmulatorConfig::default()).await;
    let first = client.list_lenses().max_results(5).send().await.unwrap();
    assert_eq!(first.lens_summaries().len(), 5);
    let rest =
        client.list_lenses().set_next_token(first.next_token().map(str::to_owned)).send().await.unwrap();
    assert_eq!(rest.next_token(), None);
    let aliases: Vec<&str> =
        first.lens_summaries().iter().chain(rest.lens_summaries()).filter_map(|l| l.lens_alias()).collect();
    assert!(aliases.contains(&"wellarchitected") && aliases.contains(&"serverless"), "{aliases:?}");
}

#[tokio::test]
async fn unsigned_requests_lack_an_authentication_token() {
    let (emulator, _client) = emulator(EmulatorConfig::default()).await;
    let mut stream = tokio::net::TcpStream::connect(emulator.addr()).await.unwrap();
    let request = "GET /lenses HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("x-amzn-errortype: missingauthenticationtokenexception"),
        "{answer}"
    );
    assert!(answer.contains("\"Message\""), "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_lets_a_request_in_flight_finish_and_takes_no_more() {
    let config = EmulatorConfig { latency: Duration::from_millis(300), ..EmulatorConfig::default() };
    let (emulator, sdk) = emulator(config).await;
    let in_flight = tokio::spawn({
        let sdk = sdk.clone();
        async move { create(&sdk, "in flight", "token-1").await }
    });
    // The request has reached the server (it counts requests as they come)
    // and waits out its latency when the stop comes.
    while emulator.stats().requests == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let held = emulator.workloads().len();
    emulator.stop().await.unwrap();
    let created = in_flight.await.unwrap().expect("the request in flight is answered");
    assert!(created.workload_id().is_some());
    assert_eq!(held, 0, "it was still in flight when the stop came");
    assert!(sdk.list_lenses().send().await.is_err(), "nothing listens after stop");
}

#[tokio::test]
async fn the_emulator_command_prints_its_address_and_stops_on_ctrl_c_or_sigterm() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    for (signal, name) in [("-INT", "SIGINT"), ("-TERM", "SIGTERM")] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wa-bulk"))
            .args(["emulator", "--bind", "127.0.0.1:0", "--seed", "42"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first_line = String::new();
        stdout.read_line(&mut first_line).unwrap();
        assert!(first_line.starts_with("wa-bulk emulator listening on http://127.0.0.1:"), "{first_line}");
        assert!(first_line.contains("(seed 42)"), "{first_line}");
        let url = first_line.split_whitespace().nth(4).unwrap();
        let sdk = local_client(url);
        create(&sdk, "from the command", "token-1").await.unwrap();

        let sent = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{name} stops it cleanly");
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(stderr.contains(&format!("stopping on {name}: 1 workload held; ")), "{stderr}");
        assert!(!stderr.contains("Stats {"), "plain words, no Debug dump: {stderr}");
    }
}

#[tokio::test]
async fn tags_lenses_and_profiles_are_added_and_removed() {
    let (emulator, client) = emulator(EmulatorConfig::default()).await;
    let created = create(&client, "Lens work", "token-lenses").await.unwrap();
    let (id, arn) = (created.workload_id().unwrap(), created.workload_arn().unwrap());
    client.tag_resource().workload_arn(arn).tags("team", "a").tags("cost", "b").send().await.unwrap();
    client.untag_resource().workload_arn(arn).tag_keys("team").send().await.unwrap();
    let tags = client.list_tags_for_resource().workload_arn(arn).send().await.unwrap();
    assert_eq!(tags.tags().unwrap().keys().collect::<Vec<_>>(), ["cost"]);

    client
        .associate_lenses()
        .workload_id(id)
        .lens_aliases("serverless")
        .lens_aliases("iot")
        .send()
        .await
        .unwrap();
    client.disassociate_lenses().workload_id(id).lens_aliases("iot").send().await.unwrap();
    let workload = client.get_workload().workload_id(id).send().await.unwrap().workload.unwrap();
    assert_eq!(workload.lenses(), ["wellarchitected", "serverless"]);
    let refused = client.disassociate_lenses().workload_id(id).lens_aliases("wellarchitected").send().await;
    let refused = refused.expect_err("the Framework lens stays").into_service_error();
    assert!(refused.is_validation_exception(), "{refused:?}");

    let profile = &super::support::profile(&emulator, "Profiled").await;
    client.associate_profiles().workload_id(id).profile_arns(profile).send().await.unwrap();
    let workload = client.get_workload().workload_id(id).send().await.unwrap().workload.unwrap();
    assert_eq!(workload.profiles()[0].profile_arn(), Some(profile.as_str()));
    client.disassociate_profiles().workload_id(id).profile_arns(profile).send().await.unwrap();
    let stored = &emulator.workloads()[0];
    assert!(stored.request.profile_arns.is_empty());
    assert_eq!(stored.request.lenses, ["wellarchitected", "serverless"]);
}

#[tokio::test]
async fn milestones_are_numbered_once_per_token_and_named_once() {
    let (_emulator, client) = emulator(EmulatorConfig::default()).await;
    let id = create(&client, "Milestones", "token-milestones").await.unwrap().workload_id.unwrap();
    let first =
        client.create_milestone().workload_id(&id).milestone_name("Imported").client_request_token("m1");
    assert_eq!(first.clone().send().await.unwrap().milestone_number(), Some(1));
    assert_eq!(first.send().await.unwrap().milestone_number(), Some(1), "the same token: the same milestone");
    let again =
        client.create_milestone().workload_id(&id).milestone_name("Imported").client_request_token("m2");
    assert!(again.send().await.unwrap_err().into_service_error().is_conflict_exception());
    let second =
        client.create_milestone().workload_id(&id).milestone_name("Second").client_request_token("m3");
    assert_eq!(second.send().await.unwrap().milestone_number(), Some(2));
    let listed = client.list_milestones().workload_id(&id).send().await.unwrap();
    let names: Vec<_> = listed.milestone_summaries().iter().map(|m| m.milestone_name().unwrap()).collect();
    assert_eq!(names, ["Imported", "Second"]);
    let reviews = client.list_lens_reviews().workload_id(&id).milestone_number(2).send().await.unwrap();
    assert_eq!(reviews.lens_review_summaries()[0].lens_alias(), Some("wellarchitected"));
    let missing = client.list_lens_reviews().workload_id(&id).milestone_number(3).send().await;
    assert!(missing.unwrap_err().into_service_error().is_resource_not_found_exception());
}

#[tokio::test]
async fn update_keeps_the_improvement_status_and_the_acknowledgement() {
    let (_emulator, client) = emulator(EmulatorConfig::default()).await;
    let id = create(&client, "Status", "token-status").await.unwrap().workload_id.unwrap();
    client
        .update_workload()
        .workload_id(&id)
        .improvement_status(aws_sdk_wellarchitected::types::WorkloadImprovementStatus::InProgress)
        .is_review_owner_update_acknowledged(true)
        .send()
        .await
        .unwrap();
    let workload = client.get_workload().workload_id(&id).send().await.unwrap().workload.unwrap();
    assert_eq!(workload.improvement_status().map(|s| s.as_str()), Some("IN_PROGRESS"));
    assert_eq!(workload.is_review_owner_update_acknowledged(), Some(true));
    let custom = client.list_lenses().lens_type(aws_sdk_wellarchitected::types::LensType::CustomSelf).send();
    assert!(custom.await.unwrap().lens_summaries().is_empty(), "no custom lenses here");
}

#[tokio::test]
async fn an_unknown_operation_on_a_known_path_is_the_documented_validation_error() {
    let (emulator, _client) = emulator(EmulatorConfig::default()).await;
    let address = emulator.endpoint_url().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "PUT /lenses HTTP/1.1\r\nHost: {address}\r\nAuthorization: AWS4-HMAC-SHA256 \
         Credential=AKID/20261128/us-east-1/wellarchitected/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("UNKNOWN_OPERATION"), "{answer}");
}
