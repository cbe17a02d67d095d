//! The request a spreadsheet row becomes: every member of the Well-Architected
//! `CreateWorkload` input, nested `DiscoveryConfig` and `JiraConfiguration`
//! included, plus the list of members ([`Field`]) a sheet column can fill.
//!
//! `WorkloadRequest` serialises to the exact JSON body of the rest-json
//! protocol (PascalCase members, absent members left out), so the same value
//! feeds the validator, the canonical hash behind the idempotency token, and
//! the emulator.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Text that borrows from the sheet's cells where it can: validating a row
/// then copies nothing, and a request to send is made owned (`'static`).
pub type Text<'a> = Cow<'a, str>;

/// A member of `CreateWorkloadInput` that a sheet column can set.
///
/// Nested members are flattened: `TrustedAdvisorIntegrationStatus` lives in
/// `DiscoveryConfig`, `JiraProjectKey` in `JiraConfiguration`, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    WorkloadName,
    Description,
    Environment,
    AccountIds,
    AwsRegions,
    NonAwsRegions,
    PillarPriorities,
    ArchitecturalDesign,
    ReviewOwner,
    IndustryType,
    Industry,
    Lenses,
    Notes,
    ClientRequestToken,
    Tags,
    TrustedAdvisorIntegrationStatus,
    WorkloadResourceDefinition,
    Applications,
    ProfileArns,
    ReviewTemplateArns,
    IssueManagementStatus,
    IssueManagementType,
    JiraProjectKey,
}

impl Field {
    pub const ALL: [Field; 23] = [
        Field::WorkloadName,
        Field::Description,
        Field::Environment,
        Field::AccountIds,
        Field::AwsRegions,
        Field::NonAwsRegions,
        Field::PillarPriorities,
        Field::ArchitecturalDesign,
        Field::ReviewOwner,
        Field::IndustryType,
        Field::Industry,
        Field::Lenses,
        Field::Notes,
        Field::ClientRequestToken,
        Field::Tags,
        Field::TrustedAdvisorIntegrationStatus,
        Field::WorkloadResourceDefinition,
        Field::Applications,
        Field::ProfileArns,
        Field::ReviewTemplateArns,
        Field::IssueManagementStatus,
        Field::IssueManagementType,
        Field::JiraProjectKey,
    ];

    /// The member's own name, which is also the canonical column header.
    pub fn name(self) -> &'static str {
        self.api_member().rsplit('.').next().unwrap_or_default()
    }

    /// The member's path in `CreateWorkloadInput`, as messages name it.
    pub fn api_member(self) -> &'static str {
        match self {
            Field::WorkloadName => "WorkloadName",
            Field::Description => "Description",
            Field::Environment => "Environment",
            Field::AccountIds => "AccountIds",
            Field::AwsRegions => "AwsRegions",
            Field::NonAwsRegions => "NonAwsRegions",
            Field::PillarPriorities => "PillarPriorities",
            Field::ArchitecturalDesign => "ArchitecturalDesign",
            Field::ReviewOwner => "ReviewOwner",
            Field::IndustryType => "IndustryType",
            Field::Industry => "Industry",
            Field::Lenses => "Lenses",
            Field::Notes => "Notes",
            Field::ClientRequestToken => "ClientRequestToken",
            Field::Tags => "Tags",
            Field::TrustedAdvisorIntegrationStatus => "DiscoveryConfig.TrustedAdvisorIntegrationStatus",
            Field::WorkloadResourceDefinition => "DiscoveryConfig.WorkloadResourceDefinition",
            Field::Applications => "Applications",
            Field::ProfileArns => "ProfileArns",
            Field::ReviewTemplateArns => "ReviewTemplateArns",
            Field::IssueManagementStatus => "JiraConfiguration.IssueManagementStatus",
            Field::IssueManagementType => "JiraConfiguration.IssueManagementType",
            Field::JiraProjectKey => "JiraConfiguration.JiraProjectKey",
        }
    }

    /// The values the member accepts, when the model types it as an enum.
    pub fn enum_values(self) -> &'static [&'static str] {
        match self {
            Field::Environment => ENVIRONMENTS,
            Field::TrustedAdvisorIntegrationStatus => TRUSTED_ADVISOR_STATUSES,
            Field::WorkloadResourceDefinition => DEFINITION_TYPES,
            Field::IssueManagementStatus => ISSUE_MANAGEMENT_STATUSES,
            Field::IssueManagementType => ISSUE_MANAGEMENT_TYPES,
            _ => &[],
        }
    }

    /// Whether a cell of this member holds a list of items.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Field::AccountIds
                | Field::AwsRegions
                | Field::NonAwsRegions
                | Field::PillarPriorities
                | Field::Lenses
                | Field::Applications
                | Field::ProfileArns
                | Field::ReviewTemplateArns
                | Field::WorkloadResourceDefinition
        )
    }
}

/// The key two names clash on: no whitespace, lower case.
pub fn name_key(name: &str) -> Box<str> {
    if name.is_ascii() {
        // Most names are ASCII, where this is a byte loop rather than
        // Unicode case mapping one char at a time.
        let mut bytes = Vec::with_capacity(name.len());
        bytes
            .extend(name.bytes().filter(|&b| !char::from(b).is_whitespace()).map(|b| b.to_ascii_lowercase()));
        return String::from_utf8(bytes).expect("ASCII stays UTF-8").into_boxed_str();
    }
    let key: String = name.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    key.into_boxed_str()
}

/// The values of the members the model types as enums.
pub const ENVIRONMENTS: &[&str] = &["PRODUCTION", "PREPRODUCTION"];
pub const TRUSTED_ADVISOR_STATUSES: &[&str] = &["ENABLED", "DISABLED"];
pub const DEFINITION_TYPES: &[&str] = &["WORKLOAD_METADATA", "APP_REGISTRY"];
pub const ISSUE_MANAGEMENT_STATUSES: &[&str] = &["ENABLED", "DISABLED", "INHERIT"];
pub const ISSUE_MANAGEMENT_TYPES: &[&str] = &["AUTO", "MANUAL"];

/// The 27 IndustryType values the API documents (the model types it as a
/// free string); `Travel, Transportation & Logistics` is one value.
pub const INDUSTRY_TYPES: &[&str] = &[
    "Agriculture",
    "Automobile",
    "Defense",
    "Design and Engineering",
    "Digital Advertising",
    "Education",
    "Environmental Protection",
    "Financial Services",
    "Gaming",
    "General Public Services",
    "Healthcare",
    "Hospitality",
    "InfoTech",
    "Justice and Public Safety",
    "Life Sciences",
    "Manufacturing",
    "Media & Entertainment",
    "Mining & Resources",
    "Oil & Gas",
    "Power & Utilities",
    "Professional Services",
    "Real Estate & Construction",
    "Retail & Wholesale",
    "Social Protection",
    "Telecommunications",
    "Travel, Transportation & Logistics",
    "Other",
];

/// `CreateWorkloadInput` as one row fills it. Empty strings and lists never
/// occur: a blank cell leaves its member `None` or empty, and is not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WorkloadRequest<'a> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_name: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub account_ids: Vec<Text<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aws_regions: Vec<Text<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_aws_regions: Vec<Text<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pillar_priorities: Vec<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architectural_design: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_owner: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry_type: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lenses: Vec<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<Text<'a>>,
    /// Kept in the order the sheet gives them; the API takes a map.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "tags_as_map")]
    pub tags: Vec<(Text<'a>, Text<'a>)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_config: Option<DiscoveryConfig<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applications: Vec<Text<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profile_arns: Vec<Text<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub review_template_arns: Vec<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jira_configuration: Option<JiraConfiguration<'a>>,
}

/// `WorkloadDiscoveryConfig`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DiscoveryConfig<'a> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_advisor_integration_status: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workload_resource_definition: Vec<Text<'a>>,
}

/// `WorkloadJiraConfigurationInput`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct JiraConfiguration<'a> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_management_status: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_management_type: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jira_project_key: Option<Text<'a>>,
}

impl<'a> WorkloadRequest<'a> {
    /// The name as it will be sent, or empty when the row has none.
    pub fn name(&self) -> &str {
        self.workload_name.as_deref().unwrap_or_default()
    }

    /// Sets a scalar member (lists and tags have their own setters).
    pub fn set_scalar(&mut self, field: Field, value: impl Into<Text<'a>>) {
        let slot = match field {
            Field::WorkloadName => &mut self.workload_name,
            Field::Description => &mut self.description,
            Field::Environment => &mut self.environment,
            Field::ArchitecturalDesign => &mut self.architectural_design,
            Field::ReviewOwner => &mut self.review_owner,
            Field::IndustryType => &mut self.industry_type,
            Field::Industry => &mut self.industry,
            Field::Notes => &mut self.notes,
            Field::ClientRequestToken => &mut self.client_request_token,
            Field::TrustedAdvisorIntegrationStatus => {
                &mut self
                    .discovery_config
                    .get_or_insert_with(Default::default)
                    .trusted_advisor_integration_status
            }
            Field::IssueManagementStatus => &mut self.jira().issue_management_status,
            Field::IssueManagementType => &mut self.jira().issue_management_type,
            Field::JiraProjectKey => &mut self.jira().jira_project_key,
            list_or_map => unreachable!("{list_or_map:?} is not a scalar member"),
        };
        *slot = Some(value.into());
    }

    /// The list a list member fills.
    pub fn list_mut(&mut self, field: Field) -> &mut Vec<Text<'a>> {
        match field {
            Field::AccountIds => &mut self.account_ids,
            Field::AwsRegions => &mut self.aws_regions,
            Field::NonAwsRegions => &mut self.non_aws_regions,
            Field::PillarPriorities => &mut self.pillar_priorities,
            Field::Lenses => &mut self.lenses,
            Field::Applications => &mut self.applications,
            Field::ProfileArns => &mut self.profile_arns,
            Field::ReviewTemplateArns => &mut self.review_template_arns,
            Field::WorkloadResourceDefinition => {
                &mut self.discovery_config.get_or_insert_with(Default::default).workload_resource_definition
            }
            scalar => unreachable!("{scalar:?} is not a list member"),
        }
    }

    fn jira(&mut self) -> &mut JiraConfiguration<'a> {
        self.jira_configuration.get_or_insert_with(Default::default)
    }

    /// The value of a scalar member, if the row gave one.
    pub fn scalar(&self, field: Field) -> Option<&str> {
        let discovery = self.discovery_config.as_ref();
        let jira = self.jira_configuration.as_ref();
        match field {
            Field::WorkloadName => self.workload_name.as_deref(),
            Field::Description => self.description.as_deref(),
            Field::Environment => self.environment.as_deref(),
            Field::ArchitecturalDesign => self.architectural_design.as_deref(),
            Field::ReviewOwner => self.review_owner.as_deref(),
            Field::IndustryType => self.industry_type.as_deref(),
            Field::Industry => self.industry.as_deref(),
            Field::Notes => self.notes.as_deref(),
            Field::ClientRequestToken => self.client_request_token.as_deref(),
            Field::TrustedAdvisorIntegrationStatus => {
                discovery.and_then(|d| d.trusted_advisor_integration_status.as_deref())
            }
            Field::IssueManagementStatus => jira.and_then(|j| j.issue_management_status.as_deref()),
            Field::IssueManagementType => jira.and_then(|j| j.issue_management_type.as_deref()),
            Field::JiraProjectKey => jira.and_then(|j| j.jira_project_key.as_deref()),
            _ => None,
        }
    }

    /// The items of a list member (empty when absent).
    pub fn list(&self, field: Field) -> &[Text<'a>] {
        match field {
            Field::AccountIds => &self.account_ids,
            Field::AwsRegions => &self.aws_regions,
            Field::NonAwsRegions => &self.non_aws_regions,
            Field::PillarPriorities => &self.pillar_priorities,
            Field::Lenses => &self.lenses,
            Field::Applications => &self.applications,
            Field::ProfileArns => &self.profile_arns,
            Field::ReviewTemplateArns => &self.review_template_arns,
            Field::WorkloadResourceDefinition => {
                self.discovery_config.as_ref().map_or(&[], |d| &d.workload_resource_definition)
            }
            _ => &[],
        }
    }
}

impl WorkloadRequest<'_> {
    /// The request as JSON without its ClientRequestToken: equal for equal
    /// requests, whatever token they carry.
    pub fn canonical_json(&self) -> String {
        let mut value = serde_json::to_value(self).expect("a request always serialises");
        if let serde_json::Value::Object(members) = &mut value {
            members.remove("ClientRequestToken");
        }
        value.to_string()
    }

    /// The row's own token, or one derived from its content, so that a
    /// retried or re-run row sends the same token and is created once.
    pub fn idempotency_token(&self) -> String {
        if let Some(token) = &self.client_request_token {
            return token.to_string();
        }
        let digest = Sha256::digest(self.canonical_json().as_bytes());
        let hex: String = digest.iter().take(20).map(|byte| format!("{byte:02x}")).collect();
        format!("wa-bulk-{hex}")
    }

    /// The same request, owning its text, to outlive the row it came from.
    pub fn into_owned(self) -> WorkloadRequest<'static> {
        fn text(value: Text<'_>) -> Text<'static> {
            Text::Owned(value.into_owned())
        }
        fn scalar(value: Option<Text<'_>>) -> Option<Text<'static>> {
            value.map(text)
        }
        fn list(values: Vec<Text<'_>>) -> Vec<Text<'static>> {
            values.into_iter().map(text).collect()
        }
        WorkloadRequest {
            workload_name: scalar(self.workload_name),
            description: scalar(self.description),
            environment: scalar(self.environment),
            account_ids: list(self.account_ids),
            aws_regions: list(self.aws_regions),
            non_aws_regions: list(self.non_aws_regions),
            pillar_priorities: list(self.pillar_priorities),
            architectural_design: scalar(self.architectural_design),
            review_owner: scalar(self.review_owner),
            industry_type: scalar(self.industry_type),
            industry: scalar(self.industry),
            lenses: list(self.lenses),
            notes: scalar(self.notes),
            client_request_token: scalar(self.client_request_token),
            tags: self.tags.into_iter().map(|(key, value)| (text(key), text(value))).collect(),
            discovery_config: self.discovery_config.map(|d| DiscoveryConfig {
                trusted_advisor_integration_status: scalar(d.trusted_advisor_integration_status),
                workload_resource_definition: list(d.workload_resource_definition),
            }),
            applications: list(self.applications),
            profile_arns: list(self.profile_arns),
            review_template_arns: list(self.review_template_arns),
            jira_configuration: self.jira_configuration.map(|j| JiraConfiguration {
                issue_management_status: scalar(j.issue_management_status),
                issue_management_type: scalar(j.issue_management_type),
                jira_project_key: scalar(j.jira_project_key),
            }),
        }
    }
}

/// The API takes `Tags` as a JSON object; the row keeps them as ordered pairs
/// so that messages and reports follow the sheet's order.
mod tags_as_map {
    use serde::ser::SerializeMap;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    use super::Text;

    pub fn serialize<S: Serializer>(tags: &[(Text<'_>, Text<'_>)], s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(tags.len()))?;
        for (key, value) in tags {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }

    pub fn deserialize<'de, 'a, D: Deserializer<'de>>(d: D) -> Result<Vec<(Text<'a>, Text<'a>)>, D::Error> {
        let map = BTreeMap::<String, String>::deserialize(d)?;
        Ok(map.into_iter().map(|(key, value)| (key.into(), value.into())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_to_the_rest_json_body_leaving_absent_members_out() {
        let mut request = WorkloadRequest::default();
        request.set_scalar(Field::WorkloadName, "shop");
        request.set_scalar(Field::JiraProjectKey, "OPS");
        request.list_mut(Field::WorkloadResourceDefinition).push("APP_REGISTRY".into());
        request.tags.push(("team".into(), "core".into()));
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "WorkloadName": "shop",
                "Tags": {"team": "core"},
                "DiscoveryConfig": {"WorkloadResourceDefinition": ["APP_REGISTRY"]},
                "JiraConfiguration": {"JiraProjectKey": "OPS"},
            })
        );
        let back: WorkloadRequest = serde_json::from_value(json).unwrap();
        assert_eq!(back, request);
        assert_eq!(request.clone().into_owned(), request);
    }

    #[test]
    fn tokens_follow_the_content_unless_the_row_gives_one() {
        let mut request = WorkloadRequest::default();
        request.set_scalar(Field::WorkloadName, "shop");
        let token = request.idempotency_token();
        assert!(token.starts_with("wa-bulk-") && token.len() == 48, "{token}");
        assert_eq!(request.clone().idempotency_token(), token, "the same content, the same token");
        request.set_scalar(Field::Description, "changed");
        assert_ne!(request.idempotency_token(), token);
        request.set_scalar(Field::ClientRequestToken, "mine");
        assert_eq!(request.idempotency_token(), "mine");
    }

    #[test]
    fn every_field_reads_back_what_was_set() {
        let mut request = WorkloadRequest::default();
        for field in Field::ALL {
            if field == Field::Tags {
                continue;
            }
            if field.is_list() {
                request.list_mut(field).push(field.name().into());
                assert_eq!(request.list(field), [field.name()]);
            } else {
                request.set_scalar(field, field.name());
                assert_eq!(request.scalar(field), Some(field.name()));
            }
        }
    }
}
