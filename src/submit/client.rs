//! The AWS side: building the SDK client the usual way (aws-config's default
//! chain, a profile, a Region, an endpoint URL) with the SDK's own retries
//! off, and translating between [`WorkloadRequest`] and the SDK's types.

use std::collections::HashMap;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_wellarchitected::Client;
use aws_sdk_wellarchitected::operation::create_workload::builders::CreateWorkloadFluentBuilder;
use aws_sdk_wellarchitected::operation::update_workload::builders::UpdateWorkloadFluentBuilder;
use aws_sdk_wellarchitected::types::{
    DefinitionType, IssueManagementType, TrustedAdvisorIntegrationStatus, Workload, WorkloadDiscoveryConfig,
    WorkloadEnvironment, WorkloadIssueManagementStatus, WorkloadJiraConfigurationInput,
};

use crate::model::{DiscoveryConfig, Field, JiraConfiguration, Text, WorkloadRequest};

/// Where and as whom to send, as the AWS CLI's options say it.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    /// Overrides the endpoint (`AWS_ENDPOINT_URL` is honoured by aws-config).
    pub endpoint_url: Option<String>,
}

/// A client from the default chain: environment, profiles, SSO, instance roles.
pub async fn aws_client(options: &AwsOptions) -> Client {
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
    Client::new(&loader.load().await)
}

fn text(value: &Option<Text<'_>>) -> Option<String> {
    value.as_ref().map(|value| value.to_string())
}

fn items(values: &[Text<'_>]) -> Option<Vec<String>> {
    (!values.is_empty()).then(|| values.iter().map(|value| value.to_string()).collect())
}

fn discovery(config: &Option<DiscoveryConfig<'_>>) -> Option<WorkloadDiscoveryConfig> {
    let config = config.as_ref()?;
    let definitions = config.workload_resource_definition.iter().map(|d| DefinitionType::from(d.as_ref()));
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

fn jira(config: &Option<JiraConfiguration<'_>>) -> Option<WorkloadJiraConfigurationInput> {
    let config = config.as_ref()?;
    Some(
        WorkloadJiraConfigurationInput::builder()
            .set_issue_management_status(
                config.issue_management_status.as_deref().map(WorkloadIssueManagementStatus::from),
            )
            .set_issue_management_type(config.issue_management_type.as_deref().map(IssueManagementType::from))
            .set_jira_project_key(text(&config.jira_project_key))
            .build(),
    )
}

/// Sets the members CreateWorkload and UpdateWorkload share. Their SDK
/// builders are different types with the same setters, hence a macro.
macro_rules! with_shared_members {
    ($builder:expr, $request:expr) => {{
        let request = $request;
        $builder
            .set_workload_name(text(&request.workload_name))
            .set_description(text(&request.description))
            .set_environment(request.environment.as_deref().map(WorkloadEnvironment::from))
            .set_account_ids(items(&request.account_ids))
            .set_aws_regions(items(&request.aws_regions))
            .set_non_aws_regions(items(&request.non_aws_regions))
            .set_pillar_priorities(items(&request.pillar_priorities))
            .set_architectural_design(text(&request.architectural_design))
            .set_review_owner(text(&request.review_owner))
            .set_industry_type(text(&request.industry_type))
            .set_industry(text(&request.industry))
            .set_notes(text(&request.notes))
            .set_discovery_config(discovery(&request.discovery_config))
            .set_applications(items(&request.applications))
            .set_jira_configuration(jira(&request.jira_configuration))
    }};
}

/// CreateWorkload with every member the row gives.
pub fn create_workload(
    client: &Client,
    request: &WorkloadRequest<'_>,
    token: &str,
) -> CreateWorkloadFluentBuilder {
    let tags: HashMap<String, String> =
        request.tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    with_shared_members!(client.create_workload(), request)
        .set_lenses(items(&request.lenses))
        .client_request_token(token)
        .set_tags((!tags.is_empty()).then_some(tags))
        .set_profile_arns(items(&request.profile_arns))
        .set_review_template_arns(items(&request.review_template_arns))
}

/// UpdateWorkload sending the updatable members `request` gives.
pub fn update_workload(
    client: &Client,
    id: &str,
    request: &WorkloadRequest<'_>,
) -> UpdateWorkloadFluentBuilder {
    with_shared_members!(client.update_workload().workload_id(id), request)
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
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sdk_workload_reads_back_into_the_model() {
        let workload = Workload::builder()
            .workload_name("shop")
            .environment(WorkloadEnvironment::Production)
            .lenses("wellarchitected")
            .discovery_config(
                WorkloadDiscoveryConfig::builder()
                    .workload_resource_definition(DefinitionType::AppRegistry)
                    .build(),
            )
            .build();
        let request = from_workload(&workload);
        assert_eq!(request.name(), "shop");
        assert_eq!(request.scalar(Field::Environment), Some("PRODUCTION"));
        assert_eq!(request.list(Field::WorkloadResourceDefinition), ["APP_REGISTRY"]);
        assert_eq!(request.description, None);
    }
}
