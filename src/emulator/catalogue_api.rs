//! The HTTP binding of the catalogue's operations, from the model: lenses
//! (ListLenses with its filters, GetLens, ImportLens, CreateLensVersion,
//! CreateLensShare), profiles (CreateProfile, GetProfile, ListProfiles) and
//! review templates (CreateReviewTemplate, GetReviewTemplate,
//! ListReviewTemplates).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use super::api::check_shared_with;
use super::error::ApiError;
use super::store::now;
use super::wire::{Here, ok, page, paged, parse, required_token, wrote};

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/lenses", get(list_lenses))
        .route("/lenses/{alias}", get(get_lens))
        .route("/importLens", put(import_lens))
        .route("/lenses/{alias}/versions", post(create_lens_version))
        .route("/lenses/{alias}/shares", post(create_lens_share))
        .route("/profiles", post(create_profile))
        .route("/profiles/{arn}", get(get_profile))
        .route("/profileSummaries", get(list_profiles))
        .route("/reviewTemplates", post(create_template).get(list_templates))
        .route("/reviewTemplates/{arn}", get(get_template))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListLensesQuery {
    next_token: Option<String>,
    max_results: Option<i64>,
    lens_type: Option<String>,
    lens_status: Option<String>,
    lens_name: Option<String>,
}

/// The lens types and statuses ListLenses filters by.
const LENS_TYPES: [&str; 3] = ["AWS_OFFICIAL", "CUSTOM_SHARED", "CUSTOM_SELF"];
const LENS_STATUSES: [&str; 3] = ["ALL", "DRAFT", "PUBLISHED"];

/// `value`, if given, must be one of `allowed`.
fn one_of(member: &str, value: Option<&str>, allowed: &[&str]) -> Result<(), ApiError> {
    match value {
        Some(value) if !allowed.contains(&value) => {
            Err(ApiError::invalid_field(member, format!("must be one of {}", allowed.join(" | "))))
        }
        _ => Ok(()),
    }
}

/// ListLenses: every lens the caller sees, of a type, a status (a draft
/// waiting, a version published) and a name (the start of it, ignoring case)
/// if asked.
async fn list_lenses(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Query(query): Query<ListLensesQuery>,
) -> Result<Response, ApiError> {
    let (start, size) = page(query.next_token.as_deref(), query.max_results)?;
    one_of("LensType", query.lens_type.as_deref(), &LENS_TYPES)?;
    one_of("LensStatus", query.lens_status.as_deref(), &LENS_STATUSES)?;
    let name = query.lens_name.as_deref().map(str::to_lowercase);
    let lenses = shared.catalogue().lenses(here.tenant());
    let matching: Vec<Value> = lenses
        .into_iter()
        .filter(|lens| query.lens_type.as_deref().is_none_or(|wanted| lens.lens_type == wanted))
        .filter(|lens| match query.lens_status.as_deref() {
            Some("DRAFT") => lens.drafted,
            Some("PUBLISHED") => lens.version.is_some(),
            _ => true,
        })
        .filter(|lens| name.as_deref().is_none_or(|name| lens.name.to_lowercase().starts_with(name)))
        .map(|lens| lens.summary())
        .collect();
    let more = start + size < matching.len();
    let shown = matching.into_iter().skip(start).take(size).collect();
    Ok(ok(paged("LensSummaries", shown, more.then(|| start + size))))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetLensQuery {
    lens_version: Option<String>,
}

/// GetLens: an official lens by alias or ARN, a custom one by ARN.
async fn get_lens(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path(alias): Path<String>,
    Query(query): Query<GetLensQuery>,
) -> Result<Response, ApiError> {
    let catalogue = shared.catalogue();
    let lens = catalogue.lens(here.tenant(), &alias)?;
    let content = catalogue.content(here.tenant(), &alias, query.lens_version.as_deref());
    let version = query.lens_version.or(lens.version);
    if version.is_some() {
        content?;
    }
    let mut shown = json!({"LensArn": lens.arn, "Name": lens.name, "Description": lens.description});
    shown["LensVersion"] = version.into();
    if let Some(owner) = lens.owner {
        shown["Owner"] = owner.into();
    }
    Ok(ok(json!({"Lens": shown})))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImportLensInput {
    lens_alias: Option<String>,
    #[serde(rename = "JSONString", default)]
    json_string: String,
    client_request_token: Option<String>,
}

async fn import_lens(
    State(shared): State<Arc<Shared>>,
    here: Here,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ImportLensInput = parse(&body)?;
    let token = required_token(input.client_request_token)?;
    let arn =
        shared.catalogue().import_lens(here.tenant(), input.lens_alias, &input.json_string, token, now())?;
    Ok(wrote("ImportLens", json!({"LensArn": arn, "Status": "COMPLETE"})))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateLensVersionInput {
    #[serde(default)]
    lens_version: String,
    client_request_token: Option<String>,
}

async fn create_lens_version(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path(alias): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: CreateLensVersionInput = parse(&body)?;
    let token = required_token(input.client_request_token)?;
    let version = input.lens_version.clone();
    let arn = shared.catalogue().publish(here.tenant(), &alias, input.lens_version, token)?;
    Ok(wrote("CreateLensVersion", json!({"LensArn": arn, "LensVersion": version})))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateLensShareInput {
    #[serde(default)]
    shared_with: String,
    client_request_token: Option<String>,
}

async fn create_lens_share(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path(alias): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: CreateLensShareInput = parse(&body)?;
    required_token(input.client_request_token)?;
    check_shared_with(&input.shared_with)?;
    let share = shared.catalogue().share_lens(here.tenant(), &alias, input.shared_with)?;
    Ok(wrote("CreateLensShare", json!({"ShareId": share})))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateProfileInput {
    #[serde(default)]
    profile_name: String,
    #[serde(default)]
    profile_description: String,
    profile_questions: Option<Value>,
    client_request_token: Option<String>,
}

/// A text member of `min` to `max` characters.
fn sized(member: &str, text: &str, (min, max): (usize, usize)) -> Result<(), ApiError> {
    if (min..=max).contains(&text.chars().count()) {
        return Ok(());
    }
    Err(ApiError::invalid_field(member, format!("must be {min} to {max} characters")))
}

async fn create_profile(
    State(shared): State<Arc<Shared>>,
    here: Here,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: CreateProfileInput = parse(&body)?;
    sized("ProfileName", &input.profile_name, (3, 100))?;
    sized("ProfileDescription", &input.profile_description, (3, 100))?;
    let questions = input.profile_questions.filter(Value::is_array).ok_or_else(|| {
        ApiError::invalid_field("ProfileQuestions", "is required: a list of questions".into())
    })?;
    let token = required_token(input.client_request_token)?;
    let text = (input.profile_name, input.profile_description);
    let arn = shared.catalogue().create_profile(here.tenant(), text, questions, token, now())?;
    Ok(wrote("CreateProfile", json!({"ProfileArn": arn, "ProfileVersion": "1"})))
}

async fn get_profile(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path(arn): Path<String>,
) -> Result<Response, ApiError> {
    Ok(ok(json!({"Profile": shared.catalogue().profile(here.tenant(), &arn)?})))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListProfilesQuery {
    #[serde(default)]
    profile_name_prefix: String,
    next_token: Option<String>,
    max_results: Option<i64>,
}

async fn list_profiles(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Query(query): Query<ListProfilesQuery>,
) -> Result<Response, ApiError> {
    let (start, size) = page(query.next_token.as_deref(), query.max_results)?;
    let profiles = shared.catalogue().profiles(here.tenant(), &query.profile_name_prefix);
    let more = start + size < profiles.len();
    let shown = profiles.into_iter().skip(start).take(size).collect();
    Ok(ok(paged("ProfileSummaries", shown, more.then(|| start + size))))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateTemplateInput {
    #[serde(default)]
    template_name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    lenses: Vec<String>,
    notes: Option<String>,
    client_request_token: Option<String>,
}

async fn create_template(
    State(shared): State<Arc<Shared>>,
    here: Here,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: CreateTemplateInput = parse(&body)?;
    sized("TemplateName", &input.template_name, (3, 100))?;
    sized("Description", &input.description, (3, 250))?;
    if let Some(notes) = &input.notes {
        sized("Notes", notes, (0, 2084))?;
    }
    let token = required_token(input.client_request_token)?;
    let text = (input.template_name, input.description, input.notes);
    let arn = shared.catalogue().create_template(here.tenant(), text, input.lenses, token, now())?;
    Ok(wrote("CreateReviewTemplate", json!({"TemplateArn": arn})))
}

async fn get_template(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Path(arn): Path<String>,
) -> Result<Response, ApiError> {
    Ok(ok(json!({"ReviewTemplate": shared.catalogue().template(here.tenant(), &arn)?})))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListTemplatesQuery {
    next_token: Option<String>,
    max_results: Option<i64>,
}

async fn list_templates(
    State(shared): State<Arc<Shared>>,
    here: Here,
    Query(query): Query<ListTemplatesQuery>,
) -> Result<Response, ApiError> {
    let (start, size) = page(query.next_token.as_deref(), query.max_results)?;
    let templates = shared.catalogue().templates(here.tenant());
    let more = start + size < templates.len();
    let shown = templates.into_iter().skip(start).take(size).collect();
    Ok(ok(paged("ReviewTemplates", shown, more.then(|| start + size))))
}
