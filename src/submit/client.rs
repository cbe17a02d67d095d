//! The AWS side: building the SDK client the usual way (aws-config's default
//! chain, a profile, a Region, an endpoint URL) with the SDK's own retries
//! off, and translating between [`WorkloadRequest`] and the SDK's types.

use std::collections::HashMap;
use std::path::PathBuf;

use aws_config::BehaviorVersion;
use aws_config::profile::Profile;
use aws_config::retry::RetryConfig;
use aws_sdk_wellarchitected::Client;
use aws_sdk_wellarchitected::config::ProvideCredentials;
use aws_sdk_wellarchitected::operation::create_workload::builders::CreateWorkloadFluentBuilder;
use aws_sdk_wellarchitected::operation::update_workload::builders::UpdateWorkloadFluentBuilder;
use aws_sdk_wellarchitected::types::{
    DefinitionType, IssueManagementType, TrustedAdvisorIntegrationStatus, Workload, WorkloadDiscoveryConfig,
    WorkloadEnvironment, WorkloadIssueManagementStatus, WorkloadJiraConfigurationInput,
};
use aws_types::SdkConfig;

use super::http::{self, CaBundle};
use crate::model::{DiscoveryConfig, Field, JiraConfiguration, Text, WorkloadRequest, member_table};

/// Where and as whom to send, as the AWS CLI's options say it.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    /// Overrides the endpoint (`AWS_ENDPOINT_URL` is honoured by aws-config).
    pub endpoint_url: Option<String>,
}

/// The configuration of the default chain (environment, profiles, SSO,
/// instance roles), once the chain has given credentials and a Region; else
/// what is missing and how to give it, in one line.
pub async fn aws_config(options: &AwsOptions) -> Result<SdkConfig, String> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(RetryConfig::disabled());
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    if let Some(endpoint) = &options.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    let profile = checked_profile(options.profile.as_deref()).await?;
    let bundle = ca_bundle(profile.as_ref())?;
    let config = loader.http_client(http::client(bundle.as_ref())).load().await;
    let Some(credentials) = config.credentials_provider() else {
        return Err("no AWS credentials provider is configured".into());
    };
    if let Err(error) = credentials.provide_credentials().await {
        tracing::debug!(?error, "the credential chain failed");
        let profile =
            options.profile.as_deref().map_or(String::new(), |name| format!(" for profile {name:?}"));
        return Err(format!(
            "no AWS credentials found{profile} ({}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
             run `aws configure` or `aws sso login`, or pass --profile",
            sources_tried(&one_line(&error))
        ));
    }
    if config.region().is_none() {
        return Err(
            "no AWS Region is set: pass --region, set AWS_REGION, or give the profile a region".into()
        );
    }
    Ok(config)
}

/// The profile files must parse, and the profile asked for (`--profile`,
/// else `AWS_PROFILE`) must be in them, as the AWS CLI checks. Gives the
/// profile in use, if the files have it.
async fn checked_profile(asked: Option<&str>) -> Result<Option<Profile>, String> {
    use aws_runtime::env_config::file::EnvConfigFiles;
    use aws_types::os_shim_internal::{Env, Fs};
    let files = aws_config::profile::load(&Fs::real(), &Env::real(), &EnvConfigFiles::default(), None)
        .await
        .map_err(|error| format!("cannot read the AWS config files: {}", one_line(&error)))?;
    let asked = asked.map(str::to_owned).or_else(|| std::env::var("AWS_PROFILE").ok());
    match asked {
        Some(name) => match files.get_profile(&name) {
            Some(profile) => Ok(Some(profile.clone())),
            None => Err(format!("the config profile ({name}) could not be found in the AWS config files")),
        },
        None => Ok(files.get_profile("default").cloned()),
    }
}

/// The CA bundle to trust besides the system's: `AWS_CA_BUNDLE`, else the
/// profile's `ca_bundle`, as the AWS CLI reads them.
fn ca_bundle(profile: Option<&Profile>) -> Result<Option<CaBundle>, String> {
    let from_env = std::env::var_os("AWS_CA_BUNDLE").filter(|path| !path.is_empty());
    let (path, source) = match (from_env, profile.and_then(|profile| profile.get("ca_bundle"))) {
        (Some(path), _) => (PathBuf::from(path), "AWS_CA_BUNDLE".to_owned()),
        (None, Some(path)) => {
            let name = profile.map_or("default", Profile::name);
            (PathBuf::from(path), format!("ca_bundle of profile {name}"))
        }
        (None, None) => return Ok(None),
    };
    CaBundle::read(&path).map(Some).map_err(|error| format!("{source}: {error}"))
}

/// The credential chain's account of what it tried, without its refrain:
/// `tried Environment: environment variable not set; Profile; …`.
fn sources_tried(chain: &str) -> String {
    chain
        .replace(
            "the credential provider was not enabled: no credentials found in chain. Attempted; ",
            "tried ",
        )
        .replace(": the credential provider was not enabled: ", ": ")
        .replace(": the credential provider was not enabled", "")
}

/// An error and its causes, as one line without repeats.
fn one_line(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(error) = next {
        let text = error.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        next = error.source();
    }
    // The credential chain lists what it tried on lines of their own.
    let joined = parts.join(": ");
    joined.lines().map(|line| line.trim().trim_end_matches(':')).collect::<Vec<_>>().join("; ")
}

/// A member's value as its SDK setter takes it; the setter's parameter
/// type picks the conversion.
trait ToSdk<T> {
    fn to_sdk(&self) -> T;
}

impl ToSdk<Option<String>> for Option<Text<'_>> {
    fn to_sdk(&self) -> Option<String> {
        self.as_ref().map(|value| value.to_string())
    }
}

impl ToSdk<Option<WorkloadEnvironment>> for Option<Text<'_>> {
    fn to_sdk(&self) -> Option<WorkloadEnvironment> {
        self.as_deref().map(WorkloadEnvironment::from)
    }
}

impl ToSdk<Option<Vec<String>>> for Vec<Text<'_>> {
    fn to_sdk(&self) -> Option<Vec<String>> {
        (!self.is_empty()).then(|| self.iter().map(|value| value.to_string()).collect())
    }
}

impl ToSdk<Option<HashMap<String, String>>> for Vec<(Text<'_>, Text<'_>)> {
    fn to_sdk(&self) -> Option<HashMap<String, String>> {
        (!self.is_empty())
            .then(|| self.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect())
    }
}

impl ToSdk<Option<WorkloadDiscoveryConfig>> for Option<DiscoveryConfig<'_>> {
    fn to_sdk(&self) -> Option<WorkloadDiscoveryConfig> {
        let config = self.as_ref()?;
        let definitions =
            config.workload_resource_definition.iter().map(|d| DefinitionType::from(d.as_ref()));
        Some(
            WorkloadDiscoveryConfig::builder()
                .set_trusted_advisor_integration_status(
                    config
                        .trusted_advisor_integration_status
                        .as_deref()
                        .map(TrustedAdvisorIntegrationStatus::from),
                )
                .set_workload_resource_definition(
                    (!config.workload_resource_definition.is_empty()).then(|| definitions.collect()),
                )
                .build(),
        )
    }
}

impl ToSdk<Option<WorkloadJiraConfigurationInput>> for Option<JiraConfiguration<'_>> {
    fn to_sdk(&self) -> Option<WorkloadJiraConfigurationInput> {
        let config = self.as_ref()?;
        Some(
            WorkloadJiraConfigurationInput::builder()
                .set_issue_management_status(
                    config.issue_management_status.as_deref().map(WorkloadIssueManagementStatus::from),
                )
                .set_issue_management_type(
                    config.issue_management_type.as_deref().map(IssueManagementType::from),
                )
                .set_jira_project_key(config.jira_project_key.to_sdk())
                .build(),
        )
    }
}

/// Derives from the member table the two SDK builders: CreateWorkload sets
/// every member, UpdateWorkload the members it can change. (A nested
/// member's setter is its part's, so a part is set once for each of its
/// members, to the same value.)
macro_rules! sdk_builders {
    ($($variant:ident => $path:literal, $kind:ident, update: $update:tt, $place:ident($top:ident $(, $at:ident)*),
        sdk: $setter:ident;)+) => {
        fn with_create_members(
            builder: CreateWorkloadFluentBuilder,
            request: &WorkloadRequest<'_>,
        ) -> CreateWorkloadFluentBuilder {
            builder $(.$setter(request.$top.to_sdk()))+
        }

        fn with_update_members(
            builder: UpdateWorkloadFluentBuilder,
            request: &WorkloadRequest<'_>,
        ) -> UpdateWorkloadFluentBuilder {
            $(let builder = sdk_builders!(@if $update, builder.$setter(request.$top.to_sdk()), builder);)+
            builder
        }
    };
    (@if true, $set:expr, $unset:expr) => { $set };
    (@if false, $set:expr, $unset:expr) => { $unset };
}

member_table!(sdk_builders);

/// CreateWorkload with every member the row gives, and the row's token.
pub fn create_workload(
    client: &Client,
    request: &WorkloadRequest<'_>,
    token: &str,
) -> CreateWorkloadFluentBuilder {
    with_create_members(client.create_workload(), request).client_request_token(token)
}

/// UpdateWorkload sending the updatable members `request` gives, and an
/// empty value for each it empties.
pub fn update_workload(
    client: &Client,
    id: &str,
    request: &WorkloadRequest<'_>,
) -> UpdateWorkloadFluentBuilder {
    let builder = with_update_members(client.update_workload().workload_id(id), request);
    request.cleared.iter().fold(builder, |builder, field| match field {
        Field::Notes => builder.notes(""),
        Field::Industry => builder.industry(""),
        Field::IndustryType => builder.industry_type(""),
        Field::ArchitecturalDesign => builder.architectural_design(""),
        Field::AccountIds => builder.set_account_ids(Some(Vec::new())),
        Field::NonAwsRegions => builder.set_non_aws_regions(Some(Vec::new())),
        Field::PillarPriorities => builder.set_pillar_priorities(Some(Vec::new())),
        Field::Applications => builder.set_applications(Some(Vec::new())),
        // The mapping lets no other member be emptied.
        _ => builder,
    })
}

/// An existing workload in the model's terms, to compare with a row.
pub fn from_workload(workload: &Workload) -> WorkloadRequest<'static> {
    let mut request = WorkloadRequest::default();
    let mut scalar = |field: Field, value: Option<&str>| {
        if let Some(value) = value.filter(|value| !value.is_empty()) {
            request.set_scalar(field, value.to_owned());
        }
    };
    scalar(Field::WorkloadName, workload.workload_name());
    scalar(Field::Description, workload.description());
    scalar(Field::Environment, workload.environment().map(|e| e.as_str()));
    scalar(Field::ArchitecturalDesign, workload.architectural_design());
    scalar(Field::ReviewOwner, workload.review_owner());
    scalar(Field::IndustryType, workload.industry_type());
    scalar(Field::Industry, workload.industry());
    scalar(Field::Notes, workload.notes());
    if let Some(discovery) = workload.discovery_config() {
        scalar(
            Field::TrustedAdvisorIntegrationStatus,
            discovery.trusted_advisor_integration_status().map(|s| s.as_str()),
        );
    }
    if let Some(jira) = workload.jira_configuration() {
        scalar(Field::IssueManagementStatus, jira.issue_management_status().map(|s| s.as_str()));
        scalar(Field::IssueManagementType, jira.issue_management_type().map(|s| s.as_str()));
        scalar(Field::JiraProjectKey, jira.jira_project_key());
    }
    let mut list = |field: Field, values: Vec<String>| {
        *request.list_mut(field) = values.into_iter().map(Text::Owned).collect();
    };
    list(Field::AccountIds, workload.account_ids().to_vec());
    list(Field::AwsRegions, workload.aws_regions().to_vec());
    list(Field::NonAwsRegions, workload.non_aws_regions().to_vec());
    list(Field::PillarPriorities, workload.pillar_priorities().to_vec());
    list(Field::Lenses, workload.lenses().to_vec());
    list(Field::Applications, workload.applications().to_vec());
    let definitions = workload.discovery_config().map_or(&[][..], |d| d.workload_resource_definition());
    list(Field::WorkloadResourceDefinition, definitions.iter().map(|d| d.as_str().to_owned()).collect());
    let profiles = workload.profiles().iter().filter_map(|profile| profile.profile_arn().map(str::to_owned));
    list(Field::ProfileArns, profiles.collect());
    let mut tags: Vec<(String, String)> =
        workload.tags().into_iter().flatten().map(|(key, value)| (key.clone(), value.clone())).collect();
    tags.sort();
    request.tags = tags.into_iter().map(|(key, value)| (Text::Owned(key), Text::Owned(value))).collect();
    request
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::{Emulator, EmulatorConfig};

    /// A valid value for every member, each list with two items.
    fn every_member() -> WorkloadRequest<'static> {
        let mut request = WorkloadRequest::default();
        for field in Field::ALL {
            let values: &[&str] = match field {
                Field::WorkloadName => &["Round trip"],
                Field::Description => &["Every member there is"],
                Field::Environment => &["PREPRODUCTION"],
                Field::AccountIds => &["111122223333", "444455556666"],
                Field::AwsRegions => &["us-east-1", "eu-west-1"],
                Field::NonAwsRegions => &["On premises", "Colocation"],
                Field::PillarPriorities => &["security", "reliability"],
                Field::ArchitecturalDesign => &["https://example.com/design"],
                Field::ReviewOwner => &["owner@example.com"],
                Field::IndustryType => &["Gaming"],
                Field::Industry => &["Online games"],
                Field::Lenses => &["wellarchitected", "serverless"],
                Field::Notes => &["Notes of the review"],
                Field::ClientRequestToken => &["round-trip-token"],
                Field::Tags => {
                    request.tags = vec![("env".into(), "prod".into()), ("team".into(), "core".into())];
                    continue;
                }
                Field::TrustedAdvisorIntegrationStatus => &["ENABLED"],
                Field::WorkloadResourceDefinition => &["WORKLOAD_METADATA", "APP_REGISTRY"],
                Field::Applications => &["arn:aws:servicecatalog:us-east-1:123456789012:/applications/abc"],
                Field::ProfileArns => &[
                    "arn:aws:wellarchitected:us-east-1:123456789012:profile/0123456789abcdef0123456789abcdef",
                ],
                Field::ReviewTemplateArns => &[
                    "arn:aws:wellarchitected:us-east-1:123456789012:review-template/0123456789abcdef0123456789abcdef",
                ],
                Field::IssueManagementStatus => &["ENABLED"],
                Field::IssueManagementType => &["MANUAL"],
                Field::JiraProjectKey => &["PAY"],
            };
            match field.kind() {
                crate::model::Kind::List => {
                    *request.list_mut(field) =
                        values.iter().map(|value| Text::Owned(value.to_string())).collect();
                }
                _ => request.set_scalar(field, values[0].to_owned()),
            }
        }
        request
    }

    #[tokio::test]
    async fn every_member_getworkload_gives_back_reads_back_into_the_model() {
        let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
        let client = emulator.client();
        let sent = every_member();
        let created = create_workload(&client, &sent, "round-trip-token").send().await.unwrap();
        let id = created.workload_id().unwrap();
        let workload = client.get_workload().workload_id(id).send().await.unwrap().workload.unwrap();
        let read = from_workload(&workload);
        for field in Field::ALL {
            match field {
                // The token and the review templates are the request's, not the workload's.
                Field::ClientRequestToken => assert_eq!(read.scalar(field), None),
                Field::ReviewTemplateArns => assert!(read.list(field).is_empty()),
                Field::Tags => assert_eq!(read.tags, sent.tags),
                field if field.is_list() => assert_eq!(read.list(field), sent.list(field), "{field:?}"),
                field => assert_eq!(read.scalar(field), sent.scalar(field), "{field:?}"),
            }
        }
    }
}
