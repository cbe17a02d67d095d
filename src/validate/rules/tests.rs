//! Boundary tests for every rule, and a member-by-member check of the rule
//! table against the API model.

use super::*;

fn valid_request() -> WorkloadRequest<'static> {
    let mut request = WorkloadRequest::default();
    request.set_scalar(Field::WorkloadName, "checkout");
    request.set_scalar(Field::Description, "Checkout service");
    request.set_scalar(Field::Environment, "PRODUCTION");
    request.set_scalar(Field::ReviewOwner, "ops@example.com");
    request.aws_regions.push("us-east-1".into());
    request.lenses.push("wellarchitected".into());
    request
}

fn violations(request: &WorkloadRequest) -> Vec<Violation> {
    let mut out = Vec::new();
    check(request, &mut out);
    out
}

/// The errors (not warnings) a member has.
fn codes_for(request: &WorkloadRequest, field: Field) -> Vec<Code> {
    violations(request)
        .into_iter()
        .filter(|v| v.field == field && v.severity == Severity::Error)
        .map(|v| v.code)
        .collect()
}

fn with_value(field: Field, value: &str) -> WorkloadRequest<'static> {
    let mut request = valid_request();
    if field.is_list() {
        *request.list_mut(field) = vec![value.to_owned().into()];
    } else {
        request.set_scalar(field, value.to_owned());
    }
    request
}

#[test]
fn a_complete_request_has_no_violations() {
    assert_eq!(violations(&valid_request()), []);
}

#[test]
fn plain_text_members_accept_min_and_max_and_reject_one_beyond() {
    let plain = MEMBER_RULES
        .iter()
        .filter(|rule| rule.value.pattern.is_none() && rule.value.allowed.is_empty())
        .filter(|rule| rule.field != Field::AwsRegions);
    let mut checked = 0;
    for rule in plain {
        let (field, min, max) = (rule.field, rule.value.min, rule.value.max);
        let value = |n: usize| "é".repeat(n);
        if min > 0 {
            let codes = codes_for(&with_value(field, &value(min - 1)), field);
            assert_eq!(codes, [Code::TooShort], "{field:?} min-1");
        }
        assert_eq!(codes_for(&with_value(field, &value(min.max(1))), field), [], "{field:?} min");
        if max != UNBOUNDED {
            assert_eq!(codes_for(&with_value(field, &value(max)), field), [], "{field:?} max");
            let codes = codes_for(&with_value(field, &value(max + 1)), field);
            assert_eq!(codes, [Code::TooLong], "{field:?} max+1");
        }
        checked += 1;
    }
    assert_eq!(checked, 8, "every plain text member is covered");
}

#[test]
fn lengths_count_characters_not_bytes() {
    let name = "ü".repeat(100);
    assert_eq!(codes_for(&with_value(Field::WorkloadName, &name), Field::WorkloadName), []);
}

#[test]
fn aws_region_items_longer_than_100_characters_are_too_long() {
    let longest = format!("us-{}-1", "a".repeat(95));
    assert_eq!(longest.len(), 100);
    assert_eq!(codes_for(&with_value(Field::AwsRegions, &longest), Field::AwsRegions), []);
    let long = format!("us-{}-1", "a".repeat(96));
    let codes = codes_for(&with_value(Field::AwsRegions, &long), Field::AwsRegions);
    assert_eq!(codes, [Code::TooLong]);
}

#[test]
fn each_enum_value_is_accepted_and_anything_else_is_not() {
    let enums = MEMBER_RULES.iter().filter(|rule| !rule.value.allowed.is_empty());
    let mut checked = 0;
    for rule in enums {
        for value in rule.value.allowed {
            assert_eq!(codes_for(&with_value(rule.field, value), rule.field), [], "{value}");
        }
        let lower = rule.value.allowed[0].to_lowercase();
        let codes = codes_for(&with_value(rule.field, &lower), rule.field);
        assert_eq!(codes, [Code::NotAllowedValue]);
        let codes = codes_for(&with_value(rule.field, "OTHER-THING"), rule.field);
        assert_eq!(codes, [Code::NotAllowedValue]);
        checked += 1;
    }
    assert_eq!(checked, 6);
}

#[test]
fn account_ids_are_exactly_twelve_digits() {
    let field = Field::AccountIds;
    assert_eq!(codes_for(&with_value(field, "012345678901"), field), []);
    assert_eq!(codes_for(&with_value(field, "01234567890"), field), [Code::TooShort]);
    assert_eq!(codes_for(&with_value(field, "0123456789012"), field), [Code::TooLong]);
    assert_eq!(codes_for(&with_value(field, "01234567890a"), field), [Code::InvalidFormat]);
}

#[test]
fn an_account_id_in_scientific_notation_has_lost_its_digits_and_items_keep_their_numbers() {
    let mut request = valid_request();
    request.account_ids = vec!["1.23457E+11".into(), "1234".into()];
    let found: Vec<(Code, String)> = violations(&request)
        .into_iter()
        .filter(|violation| violation.field == Field::AccountIds)
        .map(|violation| (violation.code, violation.detail))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, Code::DigitsLost);
    assert!(found[0].1.starts_with("item 1 \"1.23457E+11\" is a number in scientific notation"), "{found:?}");
    assert!(found[1].1.starts_with("item 2 \"1234\" is too short"), "{found:?}");
    assert!(!looks_like_scientific("1e") && looks_like_scientific("1.2e11"));
}

#[test]
fn architectural_design_must_be_a_url() {
    let field = Field::ArchitecturalDesign;
    for good in ["https://wiki.example.com/shop", "http://x.io/a", "ftp://files.example.com/d.pdf"] {
        assert_eq!(codes_for(&with_value(field, good), field), [], "{good}");
    }
    // The model's pattern lets the second character after :// be anything, a space included.
    assert_eq!(codes_for(&with_value(field, "https://a b"), field), []);
    for bad in ["wiki.example.com", "https://ab c", "https:///x", "mailto:a@b.c", "https://x"] {
        assert_eq!(codes_for(&with_value(field, bad), field), [Code::InvalidFormat], "{bad}");
    }
    let longest = format!("https://example.com/{}", "a".repeat(2048 - 20));
    assert_eq!(longest.len(), 2048);
    assert_eq!(codes_for(&with_value(field, &longest), field), []);
    let codes = codes_for(&with_value(field, &format!("{longest}a")), field);
    assert_eq!(codes, [Code::TooLong]);
}

#[test]
fn client_request_token_is_ascii_of_1_to_2048() {
    let field = Field::ClientRequestToken;
    assert_eq!(codes_for(&with_value(field, "a"), field), []);
    assert_eq!(codes_for(&with_value(field, &"t".repeat(2048)), field), []);
    assert_eq!(codes_for(&with_value(field, &"t".repeat(2049)), field), [Code::TooLong]);
    assert_eq!(codes_for(&with_value(field, "tökén"), field), [Code::InvalidFormat]);
}

const APP: &str = "arn:aws:servicecatalog:us-east-1:123456789012:/applications/0abc12";
const PROFILE: &str = "arn:aws:wellarchitected:eu-west-1:123456789012:profile/0abc12";

fn template_arn(partition_and_region: &str, id: &str) -> String {
    format!("arn:{partition_and_region}:123456789012:review-template/{id}")
}

#[test]
fn arn_members_follow_their_patterns() {
    let good_template = template_arn("aws-us-gov:wellarchitected:us-gov-west-1", &"a1".repeat(16));
    let cases = [
        (Field::Applications, APP.to_owned(), vec![]),
        (Field::Applications, APP.replace("servicecatalog", "ssm"), vec![Code::InvalidFormat]),
        (Field::ProfileArns, PROFILE.to_owned(), vec![]),
        (Field::ProfileArns, PROFILE.replace("profile/", "lens/"), vec![Code::InvalidFormat]),
        (Field::ReviewTemplateArns, good_template, vec![]),
        (
            Field::ReviewTemplateArns,
            template_arn("aws:wellarchitected:us-east-1", &"A1".repeat(16)),
            vec![Code::InvalidFormat],
        ),
        (Field::ReviewTemplateArns, "arn:aws:wellarchitected:us-east-1:1".into(), vec![Code::TooShort]),
    ];
    for (field, value, expected) in cases {
        assert_eq!(codes_for(&with_value(field, &value), field), expected, "{value}");
    }
}

#[test]
fn review_template_arns_are_50_to_250_characters() {
    let field = Field::ReviewTemplateArns;
    let shortest = template_arn("aws:wellarchitected:us-east-1", &"0".repeat(32));
    assert!(shortest.len() > 50, "the pattern alone needs more than 50 characters");
    let long_partition = format!("aws:wellarchitected:us-{}-1", "e".repeat(250 - shortest.len() + 4));
    let longest = template_arn(&long_partition, &"0".repeat(32));
    assert_eq!(longest.len(), 250);
    assert_eq!(codes_for(&with_value(field, &longest), field), []);
    let too_long = longest.replacen("us-e", "us-ee", 1);
    assert_eq!(codes_for(&with_value(field, &too_long), field), [Code::TooLong]);
}

#[test]
fn jira_project_key_starts_upper_case() {
    let field = Field::JiraProjectKey;
    assert_eq!(codes_for(&with_value(field, "A"), field), []);
    assert_eq!(codes_for(&with_value(field, "OPS_2"), field), []);
    assert_eq!(codes_for(&with_value(field, &"K".repeat(100)), field), []);
    assert_eq!(codes_for(&with_value(field, &"K".repeat(101)), field), [Code::TooLong]);
    assert_eq!(codes_for(&with_value(field, "2OPS"), field), [Code::InvalidFormat]);
    assert_eq!(codes_for(&with_value(field, "ops"), field), [Code::InvalidFormat]);
}

#[test]
fn bounded_lists_take_max_items_and_not_one_more() {
    let template = template_arn("aws:wellarchitected:us-east-1", &"0".repeat(32));
    let samples = [
        (Field::AccountIds, "123456789012"),
        (Field::AwsRegions, "us-east-1"),
        (Field::NonAwsRegions, "On-premises"),
        (Field::Applications, APP),
        (Field::ProfileArns, PROFILE),
        (Field::ReviewTemplateArns, &template),
    ];
    for (field, item) in samples {
        let max = rule_for(field).list.as_ref().unwrap().max;
        let mut request = valid_request();
        *request.list_mut(field) = vec![item.to_owned().into(); max];
        assert_eq!(codes_for(&request, field), [], "{field:?} at max");
        request.list_mut(field).push(item.to_owned().into());
        assert_eq!(codes_for(&request, field), [Code::TooManyItems], "{field:?} at max+1");
    }
}

#[test]
fn required_members_are_reported_missing() {
    for field in [Field::WorkloadName, Field::Description, Field::Environment, Field::ReviewOwner] {
        let mut request = valid_request();
        match field {
            Field::WorkloadName => request.workload_name = None,
            Field::Description => request.description = None,
            Field::Environment => request.environment = None,
            _ => request.review_owner = None,
        }
        assert_eq!(codes_for(&request, field), [Code::MissingValue], "{field:?}");
    }
}

#[test]
fn regions_of_some_kind_are_required() {
    let mut request = valid_request();
    request.aws_regions.clear();
    assert_eq!(codes_for(&request, Field::AwsRegions), [Code::MissingValue]);
    request.non_aws_regions.push("Frankfurt DC".into());
    assert_eq!(violations(&request), []);
}

#[test]
fn aws_regions_must_look_like_region_codes() {
    for good in ["us-east-1", "us-gov-west-1", "cn-north-1", "eu-central-2", "ap-southeast-5"] {
        let codes = codes_for(&with_value(Field::AwsRegions, good), Field::AwsRegions);
        assert_eq!(codes, [], "{good}");
    }
    for bad in ["US East", "us-east", "useast1", "US-EAST-1", "us-east-1a"] {
        let codes = codes_for(&with_value(Field::AwsRegions, bad), Field::AwsRegions);
        assert_eq!(codes, [Code::InvalidRegion], "{bad}");
    }
}

#[test]
fn unknown_pillars_are_warnings_only() {
    let mut request = valid_request();
    request.pillar_priorities = AWS_PILLARS.iter().map(|p| (*p).into()).collect();
    assert_eq!(violations(&request), []);
    request.pillar_priorities.push("customPillar".into());
    let found = violations(&request);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].code, found[0].severity), (Code::UnknownPillar, Severity::Warning));
}

#[test]
fn pillar_ids_are_1_to_64_characters() {
    let field = Field::PillarPriorities;
    assert_eq!(codes_for(&with_value(field, &"p".repeat(64)), field), []);
    assert_eq!(codes_for(&with_value(field, &"p".repeat(65)), field), [Code::TooLong]);
}

#[test]
fn lenses_are_one_to_twenty() {
    let mut request = valid_request();
    request.lenses.clear();
    assert_eq!(codes_for(&request, Field::Lenses), [Code::MissingValue]);
    request.lenses = (1..=20).map(|i| format!("lens{i}").into()).collect();
    assert_eq!(codes_for(&request, Field::Lenses), []);
    request.lenses.push("lens21".into());
    assert_eq!(codes_for(&request, Field::Lenses), [Code::TooManyItems]);
    request.lenses = vec!["l".repeat(128).into()];
    assert_eq!(codes_for(&request, Field::Lenses), []);
    request.lenses = vec!["l".repeat(129).into()];
    assert_eq!(codes_for(&request, Field::Lenses), [Code::TooLong]);
}

fn tag_codes(tags: &[(&str, &str)]) -> Vec<Code> {
    let mut request = valid_request();
    request.tags = tags.iter().map(|(k, v)| (k.to_string().into(), v.to_string().into())).collect();
    codes_for(&request, Field::Tags)
}

#[test]
fn tags_hold_one_to_fifty_entries() {
    let keys: Vec<String> = (0..51).map(|i| format!("k{i}")).collect();
    let fifty: Vec<(&str, &str)> = keys[..50].iter().map(|k| (k.as_str(), "v")).collect();
    assert_eq!(tag_codes(&fifty), []);
    let fifty_one: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), "v")).collect();
    assert_eq!(tag_codes(&fifty_one), [Code::TooManyItems]);
    assert_eq!(tag_codes(&[("team", "a")]), []);
}

#[test]
fn tag_keys_and_values_follow_the_model() {
    let (longest_key, too_long_key) = ("k".repeat(128), "k".repeat(129));
    let (longest_value, too_long_value) = ("v".repeat(256), "v".repeat(257));
    assert_eq!(tag_codes(&[(&longest_key, "")]), []);
    assert_eq!(tag_codes(&[(&too_long_key, "")]), [Code::TooLong]);
    assert_eq!(tag_codes(&[("k", &longest_value)]), []);
    assert_eq!(tag_codes(&[("k", &too_long_value)]), [Code::TooLong]);
    assert_eq!(tag_codes(&[("", "v")]), [Code::TooShort]);
    assert_eq!(tag_codes(&[("cost centre: 1/a=b+c@d-é_", "v")]), []);
    assert_eq!(tag_codes(&[("team#1", "v")]), [Code::InvalidFormat]);
    assert_eq!(tag_codes(&[("AWS:owner", "v")]), [Code::ReservedTagKey]);
    assert_eq!(tag_codes(&[("team", "a"), ("team", "b")]), [Code::DuplicateTagKey]);
}

#[test]
fn messages_say_what_is_wrong_and_what_is_allowed() {
    let found = violations(&with_value(Field::WorkloadName, "ab"));
    assert_eq!(found[0].detail, "\"ab\" is too short (2 characters): 3 to 100 characters");
    let found = violations(&with_value(Field::Environment, "Staging"));
    assert_eq!(found[0].detail, "\"Staging\" is not allowed: use one of PRODUCTION | PREPRODUCTION");
    let mut request = valid_request();
    request.review_owner = None;
    assert_eq!(violations(&request)[0].detail, "is required: 3 to 255 characters");
}

// --- the rule table against the model ---

fn model() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/service-2.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn bound(shape: &serde_json::Value, key: &str, default: usize) -> usize {
    shape.get(key).and_then(|v| v.as_u64()).map_or(default, |v| v as usize)
}

fn assert_value_rule(shapes: &serde_json::Value, rule: &ValueRule) {
    let shape = &shapes[rule.shape];
    let name = rule.shape;
    if let Some(values) = shape.get("enum") {
        let model: Vec<&str> = values.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(rule.allowed, model.as_slice(), "{name} enum");
        return;
    }
    assert!(rule.allowed.is_empty(), "{name} is no enum in the model");
    assert_eq!(rule.min, bound(shape, "min", 0), "{name} min");
    assert_eq!(rule.max, bound(shape, "max", UNBOUNDED), "{name} max");
    let model_pattern = shape.get("pattern").and_then(|p| p.as_str());
    assert_eq!(rule.pattern.as_ref().map(|p| p.source), model_pattern, "{name} pattern");
}

fn member_shape(shapes: &serde_json::Value, field: Field) -> String {
    let (parent, member) = match field.api_member().split_once('.') {
        Some(("DiscoveryConfig", member)) => ("WorkloadDiscoveryConfig", member),
        Some((_, member)) => ("WorkloadJiraConfigurationInput", member),
        None => ("CreateWorkloadInput", field.api_member()),
    };
    shapes[parent]["members"][member]["shape"].as_str().unwrap().to_owned()
}

#[test]
fn the_rule_table_matches_the_api_model_member_by_member() {
    let model = model();
    let shapes = &model["shapes"];
    for rule in &MEMBER_RULES {
        let member_shape = member_shape(shapes, rule.field);
        let value_shape = match &rule.list {
            Some(list) => {
                assert_eq!(list.shape, member_shape, "{:?}", rule.field);
                let shape = &shapes[&member_shape];
                assert_eq!(shape["type"], "list");
                assert_eq!(list.min, bound(shape, "min", 0), "{} min", list.shape);
                assert_eq!(list.max, bound(shape, "max", UNBOUNDED), "{} max", list.shape);
                shape["member"]["shape"].as_str().unwrap().to_owned()
            }
            None => member_shape,
        };
        assert_eq!(rule.value.shape, value_shape, "{:?}", rule.field);
        if rule.field != Field::IndustryType {
            assert_value_rule(shapes, &rule.value);
        }
    }
    assert_eq!(member_shape(shapes, Field::Tags), TAG_MAP.shape);
    let tag_map = &shapes["TagMap"];
    assert_eq!(TAG_MAP.min, bound(tag_map, "min", 0));
    assert_eq!(TAG_MAP.max, bound(tag_map, "max", UNBOUNDED));
    assert_eq!(tag_map["key"]["shape"], TAG_KEY.shape);
    assert_eq!(tag_map["value"]["shape"], TAG_VALUE.shape);
    assert_value_rule(shapes, &TAG_KEY);
    assert_value_rule(shapes, &TAG_VALUE);
}

#[test]
fn every_member_of_the_input_has_a_field_and_a_rule() {
    let model = model();
    let shapes = &model["shapes"];
    let mut members: Vec<String> = Vec::new();
    for (name, member) in shapes["CreateWorkloadInput"]["members"].as_object().unwrap() {
        let shape = &shapes[member["shape"].as_str().unwrap()];
        if shape["type"] == "structure" {
            let nested = shape["members"].as_object().unwrap().keys();
            members.extend(nested.map(|inner| format!("{name}.{inner}")));
        } else {
            members.push(name.clone());
        }
    }
    let mut ours: Vec<String> = Field::ALL.iter().map(|f| f.api_member().to_owned()).collect();
    members.sort();
    ours.sort();
    assert_eq!(ours, members);
    for field in Field::ALL.into_iter().filter(|f| *f != Field::Tags) {
        assert_eq!(rule_for(field).field, field);
    }
}

#[test]
fn industry_types_are_the_documented_ones() {
    let model = model();
    let shape = &model["shapes"]["WorkloadIndustryType"];
    let rule = &rule_for(Field::IndustryType).value;
    assert_eq!((rule.min, rule.max), (bound(shape, "min", 0), bound(shape, "max", 0)));
    let documentation = shape["documentation"].as_str().unwrap().replace("&amp;", "&");
    let documented: Vec<&str> =
        documentation.split("<code>").skip(1).map(|item| item.split("</code>").next().unwrap()).collect();
    assert_eq!(INDUSTRY_TYPES, documented.as_slice());
    assert_eq!(INDUSTRY_TYPES.len(), 27);
}

#[test]
fn pattern_shortcuts_agree_with_the_model_regex() {
    let samples = [
        "",
        "a",
        "123456789012",
        "12345678901",
        "1234567890123",
        "12345678901a",
        "١٢٣٤٥٦٧٨٩٠١٢",
        "team",
        "cost centre: 1/a=b+c@d-_",
        "team#1",
        "tëam",
        "日本",
        "tab\there",
        "a\u{00a0}b",
        "x,y",
    ];
    let patterns =
        MEMBER_RULES.iter().filter_map(|rule| rule.value.pattern.as_ref()).chain(TAG_KEY.pattern.as_ref());
    let mut with_shortcut = 0;
    for pattern in patterns {
        let Some(shortcut) = pattern.shortcut else { continue };
        with_shortcut += 1;
        for sample in samples {
            if let Some(verdict) = shortcut(sample) {
                assert_eq!(verdict, pattern.regex(sample), "{} on {sample:?}", pattern.source);
            }
        }
    }
    assert_eq!(with_shortcut, 2);
}
