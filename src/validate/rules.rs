//! The rules of `CreateWorkloadInput`, as pure functions of one request.
//!
//! Every length, pattern, enum and list size below is copied from the API
//! model (`service-2.json`, checked member by member by a test against the
//! vendored copy in `tests/data`), and the rules the model does not carry come
//! from the API documentation (listed in the README's validation rules):
//! ReviewOwner is required, Regions of some kind are required, IndustryType is
//! one of 27 values, Tags hold 1 to 50 entries whose keys do not start with
//! `aws:`, 1 to 20 lenses, Region codes look like Region codes, and pillars
//! outside the six AWS ones are a
//! warning. Patterns match the whole value, as the service applies them.

use std::sync::OnceLock;

use regex::Regex;

use crate::destination::is_region_code;
use crate::model::{
    DEFINITION_TYPES, ENVIRONMENTS, Field, INDUSTRY_TYPES, ISSUE_MANAGEMENT_STATUSES, ISSUE_MANAGEMENT_TYPES,
    OFFICIAL_LENSES, TRUSTED_ADVISOR_STATUSES, WorkloadRequest, is_lens_arn,
};
use crate::problem::{Code, Severity, Violation, closest, quoted};

/// A pattern from the model, compiled on first use to match whole values.
pub struct Pattern {
    /// As the model writes it.
    pub source: &'static str,
    /// What a matching value looks like, for messages.
    pub help: &'static str,
    /// A hand-written verdict for the common case, where one exists: `None`
    /// leaves the value to the regex. Tests hold it to the regex's verdicts.
    shortcut: Option<fn(&str) -> Option<bool>>,
    compiled: OnceLock<Regex>,
}

impl Pattern {
    const fn new(source: &'static str, help: &'static str) -> Self {
        Pattern { source, help, shortcut: None, compiled: OnceLock::new() }
    }

    /// Rows check account IDs and tag keys by the million; a regex search
    /// costs several times what these byte loops do.
    const fn with_shortcut(
        source: &'static str,
        help: &'static str,
        shortcut: fn(&str) -> Option<bool>,
    ) -> Self {
        Pattern { source, help, shortcut: Some(shortcut), compiled: OnceLock::new() }
    }

    pub fn is_match(&self, value: &str) -> bool {
        if let Some(verdict) = self.shortcut.and_then(|shortcut| shortcut(value)) {
            return verdict;
        }
        self.regex(value)
    }

    fn regex(&self, value: &str) -> bool {
        self.compiled
            .get_or_init(|| Regex::new(&format!("^(?:{})$", self.source)).expect("model patterns compile"))
            .is_match(value)
    }
}

/// The constraints on one string value (a scalar member or one list item).
pub struct ValueRule {
    /// The model's shape for the value, e.g. `AwsAccountId`: what the test
    /// that holds this table to `service-2.json` looks the rule up by.
    #[cfg_attr(not(test), allow(dead_code))]
    pub shape: &'static str,
    pub min: usize,
    pub max: usize,
    pub pattern: Option<Pattern>,
    /// Allowed values, for enums (empty when any value of the right length goes).
    pub allowed: &'static [&'static str],
}

/// The size constraints of a list member.
pub struct ListRule {
    /// The model's shape for the list, for the same test.
    #[cfg_attr(not(test), allow(dead_code))]
    pub shape: &'static str,
    pub min: usize,
    pub max: usize,
}

/// Everything the model says about one member.
pub struct MemberRule {
    pub field: Field,
    pub list: Option<ListRule>,
    pub value: ValueRule,
}

/// The six pillars of the AWS Well-Architected Framework.
pub const AWS_PILLARS: &[&str] = &[
    "operationalExcellence",
    "security",
    "reliability",
    "performance",
    "costOptimization",
    "sustainability",
];

pub const MAX_LENSES: usize = 20;

const fn text(shape: &'static str, min: usize, max: usize) -> ValueRule {
    ValueRule { shape, min, max, pattern: None, allowed: &[] }
}

const fn matching(shape: &'static str, min: usize, max: usize, pattern: Pattern) -> ValueRule {
    ValueRule { shape, min, max, pattern: Some(pattern), allowed: &[] }
}

const fn one_of(shape: &'static str, allowed: &'static [&'static str]) -> ValueRule {
    ValueRule { shape, min: 0, max: usize::MAX, pattern: None, allowed }
}

const fn list(shape: &'static str, min: usize, max: usize) -> Option<ListRule> {
    Some(ListRule { shape, min, max })
}

const UNBOUNDED: usize = usize::MAX;

/// One entry for every member of `CreateWorkloadInput` but Tags (below).
pub static MEMBER_RULES: [MemberRule; 22] = [
    MemberRule { field: Field::WorkloadName, list: None, value: text("WorkloadName", 3, 100) },
    MemberRule { field: Field::Description, list: None, value: text("WorkloadDescription", 3, 250) },
    MemberRule { field: Field::Environment, list: None, value: one_of("WorkloadEnvironment", ENVIRONMENTS) },
    MemberRule {
        field: Field::AccountIds,
        list: list("WorkloadAccountIds", 0, 100),
        value: matching(
            "AwsAccountId",
            12,
            12,
            Pattern::with_shortcut("[0-9]{12}", "an AWS account ID: exactly 12 digits", |value| {
                Some(value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()))
            }),
        ),
    },
    MemberRule {
        field: Field::AwsRegions,
        list: list("WorkloadAwsRegions", 0, 50),
        value: text("AwsRegion", 0, 100),
    },
    MemberRule {
        field: Field::NonAwsRegions,
        list: list("WorkloadNonAwsRegions", 0, 5),
        value: text("WorkloadNonAwsRegion", 3, 25),
    },
    MemberRule {
        field: Field::PillarPriorities,
        list: list("WorkloadPillarPriorities", 0, UNBOUNDED),
        value: text("PillarId", 1, 64),
    },
    MemberRule {
        field: Field::ArchitecturalDesign,
        list: None,
        value: matching(
            "WorkloadArchitecturalDesign",
            0,
            2048,
            Pattern::new(
                r"(|(https?|ftp):\/\/[^\s/$.?#].[^\s]*)",
                "a URL that starts with http://, https:// or ftp:// and has no spaces",
            ),
        ),
    },
    MemberRule { field: Field::ReviewOwner, list: None, value: text("WorkloadReviewOwner", 3, 255) },
    MemberRule {
        field: Field::IndustryType,
        list: None,
        value: ValueRule {
            shape: "WorkloadIndustryType",
            min: 0,
            max: 100,
            pattern: None,
            allowed: INDUSTRY_TYPES,
        },
    },
    MemberRule { field: Field::Industry, list: None, value: text("WorkloadIndustry", 0, 100) },
    MemberRule {
        field: Field::Lenses,
        list: list("WorkloadLenses", 0, UNBOUNDED),
        value: text("LensAlias", 1, 128),
    },
    MemberRule { field: Field::Notes, list: None, value: text("Notes", 0, 2084) },
    MemberRule {
        field: Field::ClientRequestToken,
        list: None,
        value: matching(
            "ClientRequestToken",
            1,
            2048,
            Pattern::new(r"[\x00-\x7F]*", "made of ASCII characters only"),
        ),
    },
    MemberRule {
        field: Field::TrustedAdvisorIntegrationStatus,
        list: None,
        value: one_of("TrustedAdvisorIntegrationStatus", TRUSTED_ADVISOR_STATUSES),
    },
    MemberRule {
        field: Field::WorkloadResourceDefinition,
        list: list("WorkloadResourceDefinition", 0, UNBOUNDED),
        value: one_of("DefinitionType", DEFINITION_TYPES),
    },
    MemberRule {
        field: Field::Applications,
        list: list("WorkloadApplications", 0, 1),
        value: matching(
            "ApplicationArn",
            0,
            2084,
            Pattern::new(
                r"arn:aws[-a-z]*:servicecatalog:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:/applications/[a-z0-9]+",
                "an AppRegistry application ARN like \
                 arn:aws:servicecatalog:us-east-1:123456789012:/applications/0abc12",
            ),
        ),
    },
    MemberRule {
        field: Field::ProfileArns,
        list: list("WorkloadProfileArns", 0, 1),
        value: matching(
            "ProfileArn",
            0,
            2084,
            Pattern::new(
                r"arn:aws[-a-z]*:wellarchitected:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:profile/[a-z0-9]+",
                "a profile ARN like arn:aws:wellarchitected:us-east-1:123456789012:profile/0abc12",
            ),
        ),
    },
    MemberRule {
        field: Field::ReviewTemplateArns,
        list: list("ReviewTemplateArns", 0, 1),
        value: matching(
            "TemplateArn",
            50,
            250,
            Pattern::new(
                r"arn:aws(-us-gov|-iso(-[a-z])?|-cn)?:wellarchitected:[a-z]{2}(-gov|-iso([a-z])?)?-[a-z]+-\d:\d{12}:(review-template)/[a-f0-9]{32}",
                "a review template ARN like \
                 arn:aws:wellarchitected:us-east-1:123456789012:review-template/ followed by 32 hex digits",
            ),
        ),
    },
    MemberRule {
        field: Field::IssueManagementStatus,
        list: None,
        value: one_of("WorkloadIssueManagementStatus", ISSUE_MANAGEMENT_STATUSES),
    },
    MemberRule {
        field: Field::IssueManagementType,
        list: None,
        value: one_of("IssueManagementType", ISSUE_MANAGEMENT_TYPES),
    },
    MemberRule {
        field: Field::JiraProjectKey,
        list: None,
        value: matching(
            "JiraProjectKey",
            1,
            100,
            Pattern::new(
                "[A-Z][A-Z0-9_]*",
                "a Jira project key: an upper-case letter, then upper-case letters, digits or _",
            ),
        ),
    },
];

/// `Tags` (the `TagMap` shape) and its keys and values.
pub static TAG_MAP: ListRule = ListRule { shape: "TagMap", min: 1, max: 50 };
pub static TAG_KEY: ValueRule = matching(
    "TagKey",
    1,
    128,
    Pattern::with_shortcut(
        r"[\p{L}\p{N}\p{Z}_.:/=+@-]+",
        "a tag key of letters, digits, spaces and _ . : / = + @ -",
        |key| {
            let allowed = |b: u8| b.is_ascii_alphanumeric() || b" _.:/=+@-".contains(&b);
            key.is_ascii().then(|| !key.is_empty() && key.bytes().all(allowed))
        },
    ),
);
pub static TAG_VALUE: ValueRule = text("TagValue", 0, 256);

/// Members the API rejects a request without (ReviewOwner by its documentation).
const REQUIRED: [Field; 4] =
    [Field::WorkloadName, Field::Description, Field::Environment, Field::ReviewOwner];

/// Checks one request against every rule that needs no other row.
pub fn check(request: &WorkloadRequest, out: &mut Vec<Violation>) {
    for field in REQUIRED {
        if request.scalar(field).is_none() {
            let rule = &rule_for(field).value;
            let allowed = if rule.allowed.is_empty() {
                length_rule(rule.min, rule.max)
            } else {
                one_of_text(rule.allowed)
            };
            out.push(error(field, Code::MissingValue, format!("is required: {allowed}")));
        }
    }
    for rule in &MEMBER_RULES {
        check_member(request, rule, out);
    }
    check_regions(request, out);
    check_pillars(request, out);
    check_lenses(request, out);
    check_tags(request, out);
}

/// `1.23457E+11`: what Excel shows, and CSV exports keep, for a long number.
fn looks_like_scientific(item: &str) -> bool {
    let Some((mantissa, exponent)) = item.split_once(['e', 'E']) else {
        return false;
    };
    let digits_only = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => digits_only(whole) && digits_only(fraction),
        None => digits_only(mantissa),
    };
    mantissa_ok && digits_only(exponent.trim_start_matches('+'))
}

/// The model's rule for a member.
pub fn rule_for(field: Field) -> &'static MemberRule {
    MEMBER_RULES.iter().find(|rule| rule.field == field).expect("every field but Tags has a rule")
}

fn check_member(request: &WorkloadRequest, rule: &MemberRule, out: &mut Vec<Violation>) {
    let field = rule.field;
    match &rule.list {
        Some(list) => {
            let items = request.list(field);
            check_count(field, None, items.len(), list, "items", out);
            for (index, item) in items.iter().enumerate() {
                let subject = || format!("item {} {}", index + 1, quoted(item));
                if field == Field::AccountIds && looks_like_scientific(item) {
                    let detail = format!(
                        "{} is a number in scientific notation, so the account ID's digits are lost: format the \
                         column as Text in the spreadsheet and type the 12 digits",
                        subject()
                    );
                    out.push(error(field, Code::DigitsLost, detail));
                } else if let Some((code, detail)) = check_value(item, &rule.value, subject) {
                    out.push(error(field, code, detail));
                }
            }
        }
        None => {
            if let Some(value) = request.scalar(field)
                && let Some((code, detail)) = check_value(value, &rule.value, || quoted(value))
            {
                out.push(error(field, code, detail));
            }
        }
    }
}

/// Checks one value; `subject` says how a message names it (and is only
/// called when there is a message to write).
pub fn check_value(
    value: &str,
    rule: &ValueRule,
    subject: impl FnOnce() -> String,
) -> Option<(Code, String)> {
    if !rule.allowed.is_empty() {
        return (!rule.allowed.contains(&value)).then(|| {
            let allowed = one_of_text(rule.allowed);
            (Code::NotAllowedValue, format!("{} is not allowed: {allowed}", subject()))
        });
    }
    // A UTF-8 character takes 1 to 4 bytes: counting them is only needed
    // when the byte length alone cannot settle the question.
    let bytes = value.len();
    let settled = bytes <= rule.max && bytes >= rule.min.saturating_mul(4);
    let length = if settled { rule.min } else { value.chars().count() };
    if length < rule.min || length > rule.max {
        let (code, adjective) =
            if length < rule.min { (Code::TooShort, "too short") } else { (Code::TooLong, "too long") };
        let allowed = length_rule(rule.min, rule.max);
        let unit = if length == 1 { "character" } else { "characters" };
        return Some((code, format!("{} is {adjective} ({length} {unit}): {allowed}", subject())));
    }
    let pattern = rule.pattern.as_ref()?;
    (!pattern.is_match(value))
        .then(|| (Code::InvalidFormat, format!("{} is not {}", subject(), pattern.help)))
}

fn check_count(
    field: Field,
    tag_key: Option<String>,
    count: usize,
    rule: &ListRule,
    noun: &str,
    out: &mut Vec<Violation>,
) {
    // An empty list is an absent member, which is always allowed here.
    if count == 0 {
        return;
    }
    let (code, bound, limit) = if count < rule.min {
        (Code::TooFewItems, "at least", rule.min)
    } else if count > rule.max {
        (Code::TooManyItems, "at most", rule.max)
    } else {
        return;
    };
    let verb = if limit == 1 { "is" } else { "are" };
    let detail = format!("has {count} {noun}: {bound} {limit} {verb} allowed");
    out.push(Violation { tag_key, ..error(field, code, detail) });
}

fn check_regions(request: &WorkloadRequest, out: &mut Vec<Violation>) {
    if request.aws_regions.is_empty() && request.non_aws_regions.is_empty() {
        out.push(error(
            Field::AwsRegions,
            Code::MissingValue,
            "is required: give AwsRegions (like us-east-1), NonAwsRegions (places outside AWS), or both"
                .into(),
        ));
    }
    for (index, region) in request.aws_regions.iter().enumerate() {
        if !is_region_code(region) {
            out.push(error(
                Field::AwsRegions,
                Code::InvalidRegion,
                format!(
                    "item {} {} is not a Region code: write it like us-east-1, eu-central-2 or \
                     us-gov-west-1 (places outside AWS go in NonAwsRegions)",
                    index + 1,
                    quoted(region)
                ),
            ));
        }
    }
}

fn check_pillars(request: &WorkloadRequest, out: &mut Vec<Violation>) {
    for pillar in &request.pillar_priorities {
        if !AWS_PILLARS.contains(&pillar.as_ref()) {
            out.push(Violation {
                severity: Severity::Warning,
                ..error(
                    Field::PillarPriorities,
                    Code::UnknownPillar,
                    format!(
                        "{} is not one of the six AWS pillars ({}); fine for a custom lens's pillar, \
                         otherwise check the spelling",
                        quoted(pillar),
                        AWS_PILLARS.join(", ")
                    ),
                )
            });
        }
    }
}

fn check_lenses(request: &WorkloadRequest, out: &mut Vec<Violation>) {
    let count = request.lenses.len();
    if count == 0 {
        out.push(error(
            Field::Lenses,
            Code::MissingValue,
            format!("is required: 1 to {MAX_LENSES} lens aliases or ARNs, like wellarchitected"),
        ));
    } else if count > MAX_LENSES {
        out.push(error(
            Field::Lenses,
            Code::TooManyItems,
            format!("has {count} lenses: at most {MAX_LENSES} are allowed per workload"),
        ));
    }
    let known = || OFFICIAL_LENSES.iter().map(|(alias, _)| *alias);
    let unknown: Vec<&str> = request
        .lenses
        .iter()
        .map(|lens| lens.as_ref())
        .filter(|lens| !is_lens_arn(lens) && !known().any(|alias| alias == *lens))
        .collect();
    if unknown.is_empty() {
        return;
    }
    let hints: Vec<String> = unknown
        .iter()
        .filter_map(|lens| {
            Some(format!("did you mean {} for {}?", quoted(closest(lens, known())?), quoted(lens)))
        })
        .collect();
    let named: Vec<String> = unknown.iter().map(|lens| quoted(lens)).collect();
    let (subject, verb, aliases, arns, them) = match named.len() {
        1 => (named[0].clone(), "is", "an AWS official lens alias", "a lens ARN", "it"),
        _ => (named.join(", "), "are", "AWS official lens aliases", "lens ARNs", "them"),
    };
    let mut detail = format!(
        "{subject} {verb} neither {aliases} wa-bulk knows nor {arns}; plan and import check {them} where the row goes"
    );
    if !hints.is_empty() {
        detail.push_str(&format!(" ({})", hints.join(" ")));
    }
    out.push(Violation {
        severity: Severity::Warning,
        ..error(Field::Lenses, Code::UnknownReference, detail)
    });
}

fn check_tags(request: &WorkloadRequest, out: &mut Vec<Violation>) {
    check_count(Field::Tags, None, request.tags.len(), &TAG_MAP, "tags", out);
    for (index, (key, value)) in request.tags.iter().enumerate() {
        let tag_error =
            |code, detail| Violation { tag_key: Some(key.to_string()), ..error(Field::Tags, code, detail) };
        let key_subject = || format!("tag key {}", quoted(key));
        if let Some((code, detail)) = check_value(key, &TAG_KEY, key_subject) {
            out.push(tag_error(code, detail));
        } else if key.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case("aws:")) {
            out.push(tag_error(
                Code::ReservedTagKey,
                format!("{} starts with aws:, which AWS reserves for its own tags", key_subject()),
            ));
        }
        let value_subject = || format!("the value of tag {}", quoted(key));
        if let Some((code, detail)) = check_value(value, &TAG_VALUE, value_subject) {
            out.push(tag_error(code, detail));
        }
        if request.tags[..index].iter().any(|(earlier, _)| earlier == key) {
            out.push(tag_error(
                Code::DuplicateTagKey,
                format!("{} is given more than once: each key may appear once", key_subject()),
            ));
        }
    }
}

/// A member's rules in a sentence or two, for people filling a sheet (the
/// template's header messages): required or not, lengths, the pattern's
/// help, allowed values, how many items and how they are separated.
pub fn describe(field: Field) -> String {
    let mut parts = Vec::new();
    if REQUIRED.contains(&field) || field == Field::Lenses {
        parts.push("Required.".to_owned());
    }
    if matches!(field, Field::AwsRegions | Field::NonAwsRegions) {
        parts.push("AwsRegions, NonAwsRegions or both are required.".to_owned());
    }
    if field == Field::Tags {
        return "Tags as key=value pairs separated by ; (or a Tag:<key> column a tag): 1 to 50 tags, keys                 1 to 128 characters not starting with aws:, values up to 256."
            .to_owned();
    }
    let rule = rule_for(field);
    if let Some(list) = &rule.list {
        let count = match (list.min, list.max) {
            (_, UNBOUNDED) => "any number of items".to_owned(),
            (min, max) if min == max => format!("exactly {min} items"),
            (min, max) => format!("{min} to {max} items"),
        };
        let count = if field == Field::Lenses { format!("1 to {MAX_LENSES} items") } else { count };
        parts.push(format!("A list: {count}, separated by ; or , or line breaks. Each item:"));
    }
    let value = &rule.value;
    if !value.allowed.is_empty() {
        parts.push(format!("{}.", one_of_text(value.allowed)));
    } else if field == Field::IndustryType {
        parts.push("one of the 27 industry types in the list.".to_owned());
    } else {
        parts.push(format!("{}.", length_rule(value.min, value.max)));
        if let Some(pattern) = &value.pattern {
            parts.push(format!("{}.", pattern.help));
        }
    }
    parts.iter().map(|part| capitalised(part)).collect::<Vec<_>>().join(" ")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| first.to_uppercase().chain(chars).collect())
}

fn error(field: Field, code: Code, detail: String) -> Violation {
    Violation { field, tag_key: None, code, severity: Severity::Error, detail }
}

/// "3 to 100 characters", "exactly 12 characters", "at most 250 characters".
fn length_rule(min: usize, max: usize) -> String {
    match (min, max) {
        (min, max) if min == max => format!("exactly {min} characters"),
        (0, max) => format!("at most {max} characters"),
        (min, UNBOUNDED) => format!("at least {min} characters"),
        (min, max) => format!("{min} to {max} characters"),
    }
}

fn one_of_text(allowed: &[&str]) -> String {
    format!("use one of {}", allowed.join(" | "))
}

#[cfg(test)]
mod tests;
