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

/// How a member holds its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One text value.
    Scalar,
    /// A list of text items.
    List,
    /// Key-value pairs (Tags).
    Map,
}

/// Derives from the [`member_table!`] [`Field`], [`Field::ALL`], the member's
/// API path, its [`Kind`], whether UpdateWorkload can change it, and the
/// accessors of [`WorkloadRequest`] (`scalar`, `set_scalar`, `list`,
/// `list_mut`).
macro_rules! members {
    ($($variant:ident => $path:literal, $kind:ident, update: $update:literal, $place:ident($($at:ident),+),
        sdk: $setter:ident;)+) => {
        /// A member of `CreateWorkloadInput` that a sheet column can set.
        ///
        /// Nested members are flattened: `TrustedAdvisorIntegrationStatus` lives in
        /// `DiscoveryConfig`, `JiraProjectKey` in `JiraConfiguration`, and so on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field {
            $($variant,)+
        }

        impl Field {
            pub const ALL: [Field; [$(stringify!($variant)),+].len()] = [$(Field::$variant),+];

            /// The member's path in `CreateWorkloadInput`, as messages name it.
            pub fn api_member(self) -> &'static str {
                match self {
                    $(Field::$variant => $path,)+
                }
            }

            pub fn kind(self) -> Kind {
                match self {
                    $(Field::$variant => Kind::$kind,)+
                }
            }

            /// Whether UpdateWorkload can change the member (Lenses, profiles
            /// and tags have calls of their own; the rest are fixed at creation).
            pub fn is_updatable(self) -> bool {
                match self {
                    $(Field::$variant => $update,)+
                }
            }
        }

        impl<'a> WorkloadRequest<'a> {
            /// The value of a scalar member, if the row gave one.
            pub fn scalar(&self, field: Field) -> Option<&str> {
                match field {
                    $(Field::$variant => members!(@scalar self, $kind, $place($($at),+)),)+
                }
            }

            /// Sets a scalar member (lists and tags have their own setters).
            pub fn set_scalar(&mut self, field: Field, value: impl Into<Text<'a>>) {
                match field {
                    $(Field::$variant => members!(@set_scalar self, value, $variant, $kind, $place($($at),+)),)+
                }
            }

            /// The items of a list member (empty when absent).
            pub fn list(&self, field: Field) -> &[Text<'a>] {
                match field {
                    $(Field::$variant => members!(@list self, $kind, $place($($at),+)),)+
                }
            }

            /// The list a list member fills.
            pub fn list_mut(&mut self, field: Field) -> &mut Vec<Text<'a>> {
                match field {
                    $(Field::$variant => members!(@list_mut self, $variant, $kind, $place($($at),+)),)+
                }
            }

            /// Empties a member: no value, or no items.
            pub fn clear(&mut self, field: Field) {
                match field {
                    $(Field::$variant => members!(@clear self, $kind, $place($($at),+)),)+
                }
            }
        }
    };
    (@scalar $s:ident, Scalar, top($f:ident)) => { $s.$f.as_deref() };
    (@scalar $s:ident, Scalar, nested($p:ident, $f:ident)) => { $s.$p.as_ref().and_then(|part| part.$f.as_deref()) };
    (@scalar $s:ident, $kind:ident, $($place:tt)+) => { None };
    (@set_scalar $s:ident, $v:ident, $variant:ident, Scalar, top($f:ident)) => { $s.$f = Some($v.into()) };
    (@set_scalar $s:ident, $v:ident, $variant:ident, Scalar, nested($p:ident, $f:ident)) => {
        $s.$p.get_or_insert_with(Default::default).$f = Some($v.into())
    };
    (@set_scalar $s:ident, $v:ident, $variant:ident, $kind:ident, $($place:tt)+) => {
        unreachable!("{} is not a scalar member", stringify!($variant))
    };
    (@list $s:ident, List, top($f:ident)) => { &$s.$f };
    (@list $s:ident, List, nested($p:ident, $f:ident)) => { $s.$p.as_ref().map_or(&[], |part| &part.$f) };
    (@list $s:ident, $kind:ident, $($place:tt)+) => { &[] };
    (@list_mut $s:ident, $variant:ident, List, top($f:ident)) => { &mut $s.$f };
    (@list_mut $s:ident, $variant:ident, List, nested($p:ident, $f:ident)) => {
        &mut $s.$p.get_or_insert_with(Default::default).$f
    };
    (@list_mut $s:ident, $variant:ident, $kind:ident, $($place:tt)+) => {
        unreachable!("{} is not a list member", stringify!($variant))
    };
    (@clear $s:ident, Scalar, top($f:ident)) => { $s.$f = None };
    (@clear $s:ident, Scalar, nested($p:ident, $f:ident)) => {
        if let Some(part) = $s.$p.as_mut() { part.$f = None }
    };
    (@clear $s:ident, List, top($f:ident)) => { $s.$f.clear() };
    (@clear $s:ident, List, nested($p:ident, $f:ident)) => {
        if let Some(part) = $s.$p.as_mut() { part.$f.clear() }
    };
    (@clear $s:ident, Map, top($f:ident)) => { $s.$f.clear() };
}

/// The member table: each member of `CreateWorkloadInput` once, with its
/// API path, its kind, whether UpdateWorkload can change it, where it sits
/// in [`WorkloadRequest`] (`top(field)`, or `nested(part, field)` in
/// `DiscoveryConfig` or `JiraConfiguration`), and the SDK builder's setter
/// for it (a nested member's is its part's). It hands the rows to
/// `$derive`, a macro that derives what its module needs: [`members!`]
/// here, the SDK builders in `submit::client`.
macro_rules! member_table {
    ($derive:ident) => {
        $derive! {
        WorkloadName => "WorkloadName", Scalar, update: true, top(workload_name), sdk: set_workload_name;
        Description => "Description", Scalar, update: true, top(description), sdk: set_description;
        Environment => "Environment", Scalar, update: true, top(environment), sdk: set_environment;
        AccountIds => "AccountIds", List, update: true, top(account_ids), sdk: set_account_ids;
        AwsRegions => "AwsRegions", List, update: true, top(aws_regions), sdk: set_aws_regions;
        NonAwsRegions => "NonAwsRegions", List, update: true, top(non_aws_regions), sdk: set_non_aws_regions;
        PillarPriorities => "PillarPriorities", List, update: true, top(pillar_priorities), sdk: set_pillar_priorities;
        ArchitecturalDesign => "ArchitecturalDesign", Scalar, update: true, top(architectural_design), sdk: set_architectural_design;
        ReviewOwner => "ReviewOwner", Scalar, update: true, top(review_owner), sdk: set_review_owner;
        IndustryType => "IndustryType", Scalar, update: true, top(industry_type), sdk: set_industry_type;
        Industry => "Industry", Scalar, update: true, top(industry), sdk: set_industry;
        Lenses => "Lenses", List, update: false, top(lenses), sdk: set_lenses;
        Notes => "Notes", Scalar, update: true, top(notes), sdk: set_notes;
        ClientRequestToken => "ClientRequestToken", Scalar, update: false, top(client_request_token), sdk: set_client_request_token;
        Tags => "Tags", Map, update: false, top(tags), sdk: set_tags;
        TrustedAdvisorIntegrationStatus => "DiscoveryConfig.TrustedAdvisorIntegrationStatus", Scalar, update: true, nested(discovery_config, trusted_advisor_integration_status), sdk: set_discovery_config;
        WorkloadResourceDefinition => "DiscoveryConfig.WorkloadResourceDefinition", List, update: true, nested(discovery_config, workload_resource_definition), sdk: set_discovery_config;
        Applications => "Applications", List, update: true, top(applications), sdk: set_applications;
        ProfileArns => "ProfileArns", List, update: false, top(profile_arns), sdk: set_profile_arns;
        ReviewTemplateArns => "ReviewTemplateArns", List, update: false, top(review_template_arns), sdk: set_review_template_arns;
        IssueManagementStatus => "JiraConfiguration.IssueManagementStatus", Scalar, update: true, nested(jira_configuration, issue_management_status), sdk: set_jira_configuration;
        IssueManagementType => "JiraConfiguration.IssueManagementType", Scalar, update: true, nested(jira_configuration, issue_management_type), sdk: set_jira_configuration;
        JiraProjectKey => "JiraConfiguration.JiraProjectKey", Scalar, update: true, nested(jira_configuration, jira_project_key), sdk: set_jira_configuration;
        }
    };
}
pub(crate) use member_table;

member_table!(members);

impl Field {
    /// The member's own name, which is also the canonical column header.
    pub fn name(self) -> &'static str {
        self.api_member().rsplit('.').next().unwrap_or_default()
    }

    /// The member's name in words, `AccountIds` → `Account Ids`: a column
    /// header a person reads and the reader maps back (it ignores spaces
    /// and case).
    pub fn heading(self) -> String {
        let mut words = String::new();
        let mut previous_lower = false;
        for c in self.name().chars() {
            if c.is_uppercase() && previous_lower {
                words.push(' ');
            }
            previous_lower = c.is_lowercase();
            words.push(c);
        }
        words
    }

    /// Whether UpdateWorkload can empty the member: the model lets these be
    /// an empty text or list.
    pub fn is_clearable(self) -> bool {
        matches!(
            self,
            Field::Notes
                | Field::Industry
                | Field::IndustryType
                | Field::ArchitecturalDesign
                | Field::AccountIds
                | Field::NonAwsRegions
                | Field::PillarPriorities
                | Field::Applications
        )
    }

    /// Whether a cell of this member holds a list of items.
    pub fn is_list(self) -> bool {
        self.kind() == Kind::List
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

/// An idempotency token derived from `text`: `prefix` and the first 20
/// bytes (hex) of its SHA-256, so the same text always sends the same token.
pub fn derived_token(prefix: &str, text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().take(20).map(|byte| format!("{byte:02x}")).collect();
    format!("{prefix}{hex}")
}

/// The AWS official lenses wa-bulk knows, alias and name: `validate` warns
/// of a lens that is neither one of these nor an ARN, and `plan` and
/// `import` ask the service about the others. The emulator serves these.
pub const OFFICIAL_LENSES: [(&str, &str); 8] = [
    ("wellarchitected", "AWS Well-Architected Framework"),
    ("serverless", "Serverless Lens"),
    ("softwareasaservice", "SaaS Lens"),
    ("financial-services", "Financial Services Industry Lens"),
    ("healthcare", "Healthcare Industry Lens"),
    ("iot", "IoT Lens"),
    ("machine-learning", "Machine Learning Lens"),
    ("analytics", "Data Analytics Lens"),
];

/// Whether a lens is named by ARN (a custom lens, or an official one so).
pub fn is_lens_arn(lens: &str) -> bool {
    lens.starts_with("arn:")
}

/// The cell that empties a member on an update, as a plan shows an empty one.
pub const CLEAR: &str = "(none)";

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
    /// Members the row empties on an update (a `(none)` cell): never sent
    /// on a create, not part of the request's content.
    #[serde(skip)]
    pub cleared: Vec<Field>,
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

impl WorkloadRequest<'_> {
    /// The name as it will be sent, or empty when the row has none.
    pub fn name(&self) -> &str {
        self.workload_name.as_deref().unwrap_or_default()
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
        derived_token("wa-bulk-", &self.canonical_json())
    }

    /// The same request, owning its text, to outlive the row it came from.
    pub fn into_owned(self) -> WorkloadRequest<'static> {
        let mut owned = WorkloadRequest { cleared: self.cleared.clone(), ..WorkloadRequest::default() };
        for field in Field::ALL {
            owned.copy_member(&self, field);
        }
        owned
    }
}

impl WorkloadRequest<'static> {
    /// Sets `field` to the value `from` gives it, if it gives one; a member
    /// `from` leaves out is left as it is.
    pub fn copy_member(&mut self, from: &WorkloadRequest<'_>, field: Field) {
        let owned = |text: &Text<'_>| Text::Owned(text.to_string());
        match field.kind() {
            Kind::Scalar => {
                if let Some(value) = from.scalar(field) {
                    self.set_scalar(field, value.to_owned());
                }
            }
            Kind::List if !from.list(field).is_empty() => {
                *self.list_mut(field) = from.list(field).iter().map(owned).collect();
            }
            Kind::Map if !from.tags.is_empty() => {
                self.tags = from.tags.iter().map(|(key, value)| (owned(key), owned(value))).collect();
            }
            Kind::List | Kind::Map => {}
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
    fn the_member_table_agrees_with_the_api_model() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/service-2.json");
        let model: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let shapes = &model["shapes"];
        let members = |shape: &str| shapes[shape]["members"].as_object().unwrap().clone();
        let (create, update) = (members("CreateWorkloadInput"), members("UpdateWorkloadInput"));
        let mut covered = std::collections::BTreeSet::new();
        for field in Field::ALL {
            let mut path = field.api_member().split('.');
            let top = path.next().unwrap();
            covered.insert(top);
            let mut shape = &shapes[create[top]["shape"].as_str().unwrap()];
            if let Some(nested) = path.next() {
                shape = &shapes[shape["members"][nested]["shape"].as_str().unwrap()];
            }
            let kind = match shape["type"].as_str().unwrap() {
                "list" => Kind::List,
                "map" => Kind::Map,
                _ => Kind::Scalar,
            };
            assert_eq!(field.kind(), kind, "{field:?}");
            assert_eq!(field.is_updatable(), update.contains_key(top), "{field:?}");
        }
        assert_eq!(covered, create.keys().map(String::as_str).collect(), "every member has a field");
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
