//! The emulator as an organisation, driven by the real SDK and aws-config's
//! own STS role provider: signatures checked for real, each key in its
//! account, each credential scope in its Region, and each (account, Region)
//! with its own names and quota; AssumeRole into a role's account, refused
//! for a denied account or a wrong ExternalId.

use aws_config::sts::AssumeRoleProvider;
use aws_sdk_wellarchitected::Client;
use aws_sdk_wellarchitected::config::{Credentials, SharedCredentialsProvider};
use aws_sdk_wellarchitected::error::ProvideErrorMetadata;
use wa_bulk::emulator::{Emulator, EmulatorConfig, TestKey};

const ALPHA: &str = "111111111111";
const BETA: &str = "222222222222";

fn key(access_key: &str, secret: &str) -> Credentials {
    Credentials::new(access_key, secret, None, None, "test")
}

fn organisation(quota: usize) -> EmulatorConfig {
    EmulatorConfig {
        keys: vec![
            TestKey::new("AKIDALPHA", "alpha-secret", ALPHA),
            TestKey::new("AKIDBETA", "beta-secret", BETA),
        ],
        quota,
        ..EmulatorConfig::default()
    }
}

/// CreateWorkload of `name`; its ARN, or the service's error code (or,
/// for an error before any answer, the whole error).
async fn create(client: &Client, name: &str) -> Result<String, String> {
    client
        .create_workload()
        .workload_name(name)
        .description("A workload of the organisation")
        .environment("PRODUCTION".into())
        .aws_regions("us-east-1")
        .review_owner("owner@example.com")
        .lenses("wellarchitected")
        .client_request_token(format!("token-{name}-{}", rand_suffix()))
        .send()
        .await
        .map(|created| created.workload_arn.unwrap_or_default())
        .map_err(|error| match error.as_service_error() {
            Some(service) => service.code().unwrap_or("?").to_owned(),
            None => format!("{}", aws_sdk_wellarchitected::error::DisplayErrorContext(&error)),
        })
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[tokio::test(flavor = "multi_thread")]
async fn each_key_lands_in_its_account_and_each_scope_in_its_region_and_signatures_are_checked() {
    let emulator = Emulator::start(organisation(1000)).await.unwrap();
    let alpha = emulator.client_as(key("AKIDALPHA", "alpha-secret"), "us-east-1").await;
    let alpha_eu = emulator.client_as(key("AKIDALPHA", "alpha-secret"), "eu-west-1").await;
    let beta = emulator.client_as(key("AKIDBETA", "beta-secret"), "us-east-1").await;

    let in_alpha = create(&alpha, "Payments").await.unwrap();
    assert!(
        in_alpha.starts_with(&format!("arn:aws:wellarchitected:us-east-1:{ALPHA}:workload/")),
        "{in_alpha}"
    );
    let in_beta = create(&beta, "Payments").await.unwrap();
    assert!(in_beta.starts_with(&format!("arn:aws:wellarchitected:us-east-1:{BETA}:workload/")), "{in_beta}");
    let in_eu = create(&alpha_eu, "Payments").await.unwrap();
    assert!(in_eu.starts_with(&format!("arn:aws:wellarchitected:eu-west-1:{ALPHA}:workload/")), "{in_eu}");
    assert_eq!(create(&alpha, "payments").await, Err("ConflictException".into()), "one name per place");

    assert_eq!(emulator.workloads_in(ALPHA, "us-east-1").len(), 1);
    assert_eq!(emulator.workloads_in(BETA, "us-east-1").len(), 1);
    assert_eq!(emulator.workloads_in(ALPHA, "eu-west-1").len(), 1);
    assert_eq!(emulator.workloads().len(), 3);
    let listed = alpha.list_workloads().send().await.unwrap();
    assert_eq!(listed.workload_summaries().len(), 1, "a listing sees its own place only");
    // A path that carries an ARN (percent-encoded, then encoded again to be
    // signed) verifies as the SDK signed it.
    alpha.tag_resource().workload_arn(&in_alpha).tags("team", "payments").send().await.unwrap();
    let tags = alpha.list_tags_for_resource().workload_arn(&in_alpha).send().await.unwrap();
    assert_eq!(tags.tags().and_then(|tags| tags.get("team")).map(String::as_str), Some("payments"));

    let wrong_secret = emulator.client_as(key("AKIDALPHA", "not-the-secret"), "us-east-1").await;
    assert_eq!(create(&wrong_secret, "Forged").await, Err("InvalidSignatureException".into()));
    let stranger = emulator.client_as(key("AKIDSTRANGER", "whatever"), "us-east-1").await;
    assert_eq!(create(&stranger, "Stranger").await, Err("UnrecognizedClientException".into()));
    assert_eq!(emulator.workloads().len(), 3, "nothing refused was stored");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_place_does_not_fill_the_others() {
    let emulator = Emulator::start(organisation(1)).await.unwrap();
    let alpha = emulator.client_as(key("AKIDALPHA", "alpha-secret"), "us-east-1").await;
    let beta = emulator.client_as(key("AKIDBETA", "beta-secret"), "us-east-1").await;
    create(&alpha, "First").await.unwrap();
    assert_eq!(create(&alpha, "Second").await, Err("ServiceQuotaExceededException".into()));
    create(&beta, "First").await.unwrap();
}

async fn assumed(emulator: &Emulator, account: &str, external_id: Option<&str>) -> Client {
    let base = emulator.sdk_config(key("AKIDALPHA", "alpha-secret"), "us-east-1").await;
    let mut role =
        AssumeRoleProvider::builder(format!("arn:aws:iam::{account}:role/wa-bulk")).session_name("wa-bulk");
    if let Some(id) = external_id {
        role = role.external_id(id);
    }
    let provider = role.configure(&base).build().await;
    let config = base.into_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build();
    Client::new(&config)
}

#[tokio::test(flavor = "multi_thread")]
async fn assume_role_hands_out_keys_of_the_roles_account_and_refuses_denied_ones() {
    let config = EmulatorConfig {
        denied_accounts: vec!["333333333333".into()],
        external_id: Some("the-agreed-id".into()),
        ..organisation(1000)
    };
    let emulator = Emulator::start(config).await.unwrap();
    let member = assumed(&emulator, "444444444444", Some("the-agreed-id")).await;
    let arn = create(&member, "Member workload").await.unwrap();
    assert!(arn.starts_with("arn:aws:wellarchitected:us-east-1:444444444444:workload/"), "{arn}");
    assert_eq!(emulator.workloads_in("444444444444", "us-east-1").len(), 1);

    let denied = assumed(&emulator, "333333333333", Some("the-agreed-id")).await;
    let refused = create(&denied, "Never").await.unwrap_err();
    assert!(refused.contains("AccessDenied") && refused.contains("333333333333"), "{refused}");
    let no_id = assumed(&emulator, "444444444444", None).await;
    let refused = create(&no_id, "Without the id").await.unwrap_err();
    assert!(refused.contains("AccessDenied"), "{refused}");
    assert_eq!(emulator.workloads().len(), 1, "refused roles stored nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn shares_are_made_once_per_token_and_principal_and_listed_updated_and_deleted() {
    use aws_sdk_wellarchitected::types::PermissionType;
    let emulator = Emulator::start(organisation(1000)).await.unwrap();
    let alpha = emulator.client_as(key("AKIDALPHA", "alpha-secret"), "us-east-1").await;
    let arn = create(&alpha, "Shared workload").await.unwrap();
    let id = arn.rsplit('/').next().unwrap().to_owned();
    let share = |with: &str, permission: PermissionType, token: &str| {
        alpha
            .create_workload_share()
            .workload_id(&id)
            .shared_with(with)
            .permission_type(permission)
            .client_request_token(token)
            .send()
    };
    let first = share(BETA, PermissionType::Readonly, "t1").await.unwrap().share_id.unwrap();
    let again = share(BETA, PermissionType::Readonly, "t1").await.unwrap().share_id.unwrap();
    assert_eq!(first, again, "the same token makes no second share");
    let clash = share(BETA, PermissionType::Readonly, "t2").await.unwrap_err();
    assert_eq!(clash.into_service_error().code(), Some("ConflictException"));
    let own = share(ALPHA, PermissionType::Readonly, "t3").await.unwrap_err();
    assert_eq!(own.into_service_error().code(), Some("ValidationException"));
    let ou = "arn:aws:organizations::111111111111:ou/o-abc1234567/ou-ab12-cdef3456";
    share(ou, PermissionType::Contributor, "t4").await.unwrap();

    let listed = alpha.list_workload_shares().workload_id(&id).send().await.unwrap();
    let summaries: Vec<(String, String, String)> = listed
        .workload_share_summaries()
        .iter()
        .map(|s| {
            let text = |v: Option<&str>| v.unwrap_or_default().to_owned();
            (
                text(s.shared_with()),
                text(s.permission_type().map(|p| p.as_str())),
                text(s.status().map(|s| s.as_str())),
            )
        })
        .collect();
    assert_eq!(
        summaries,
        [
            (BETA.to_owned(), "READONLY".to_owned(), "PENDING".to_owned()),
            (ou.to_owned(), "CONTRIBUTOR".to_owned(), "ASSOCIATED".to_owned())
        ]
    );
    let updated = alpha
        .update_workload_share()
        .workload_id(&id)
        .share_id(&first)
        .permission_type(PermissionType::Contributor)
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.workload_share().and_then(|s| s.permission_type()),
        Some(&PermissionType::Contributor)
    );
    alpha
        .delete_workload_share()
        .workload_id(&id)
        .share_id(&first)
        .client_request_token("d1")
        .send()
        .await
        .unwrap();
    let left = alpha.list_workload_shares().workload_id(&id).send().await.unwrap();
    assert_eq!(left.workload_share_summaries().len(), 1);
    let gone =
        alpha.delete_workload_share().workload_id(&id).share_id(&first).client_request_token("d2").send();
    assert_eq!(gone.await.unwrap_err().into_service_error().code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
async fn sts_refuses_bad_credentials_in_its_own_words() {
    let emulator = Emulator::start(organisation(10)).await.unwrap();
    let wrong_secret = caller_identity(&emulator, key("AKIDALPHA", "not-the-secret")).await.unwrap_err();
    assert_eq!(wrong_secret.code(), Some("SignatureDoesNotMatch"), "{wrong_secret:?}");
    let unknown = caller_identity(&emulator, key("AKIDNOBODY", "secret")).await.unwrap_err();
    assert_eq!(unknown.code(), Some("InvalidClientTokenId"), "{unknown:?}");
}

async fn caller_identity(
    emulator: &Emulator,
    credentials: Credentials,
) -> Result<
    aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput,
    aws_sdk_sts::error::SdkError<aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError>,
> {
    let config = emulator.sdk_config(credentials, "us-east-1").await;
    aws_sdk_sts::Client::new(&config).get_caller_identity().send().await
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_credentials_at_the_pre_flight_are_one_plain_line_and_exit_3() {
    use super::support::Fixture;
    let emulator = Emulator::start(organisation(10)).await.unwrap();
    let fixture = Fixture::new();
    let sheet = format!(
        "Name,Description,Environment,Regions,Owner,Lenses,Target account\n\
         Elsewhere,A workload,Production,us-east-1,o@example.com,wellarchitected,{BETA}\n"
    );
    let file = fixture.write("rows.csv", sheet);
    let endpoint = emulator.endpoint_url();
    let mut import = super::import::sending("import", &file, Some(&endpoint), &["--role-name", "wa-bulk"]);
    // A key the emulator knows, with a wrong secret.
    let output = import.env("AWS_ACCESS_KEY_ID", "AKIDALPHA").env("AWS_SECRET_ACCESS_KEY", "a-wrong-secret");
    let output = output.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("the credentials were refused (SignatureDoesNotMatch)"), "{stderr}");
    assert!(!stderr.contains("Error {") && !stderr.contains("unhandled"), "no Debug dump: {stderr}");
    assert_eq!(emulator.workloads().len(), 0);
}
